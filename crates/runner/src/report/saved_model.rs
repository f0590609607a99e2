//! A saved model: one self-describing JSON file holding the whole feature pipeline of a real data
//! set (schema, label rule, missing markers, bucket boundaries, vocabularies, crosses, hash
//! sizes) and the sparse weights, with the run it came from and its test metrics, so that
//! `runner predict` scores new CSV files exactly as the run scored its test split.
//!
//! Floats are written in serde_json's shortest round-trip form and read back exactly (the
//! workspace enables `float_roundtrip`), so the rebuilt model is bit for bit the trained one.
//!
//! The file carries a digest of each of its parts ([`ModelDigest`]: FNV-1a 64 of the part
//! written as compact JSON): reading it recomputes them and refuses a file whose run, bias,
//! weights or pipeline were edited after the runner wrote it, naming the file and the parts that
//! differ. A feature id that appears twice among the weights is refused too.

use std::path::Path;

use anyhow::Context;
use features::real::FeaturePipeline;
use features::FeatureSpace;
use optimizers::{LinearModel, LossKind};
use serde::{Deserialize, Serialize};

use crate::provenance::Fnv64;
use crate::record::RunRecord;
use crate::report::atomic_write::write_atomic;

/// The `format` of the files this version writes.
pub const FORMAT: &str = "sparsecross-model-1";

/// What a saved model file holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedModel {
    /// [`FORMAT`].
    pub format: String,
    /// The digest of every part, as written (checked by [`SavedModel::read`]).
    pub digest: ModelDigest,
    /// The run that trained it.
    pub run: SavedRun,
    /// Logistic (probabilities) or squared (values).
    pub loss: LossKind,
    /// Intercept.
    pub bias: f64,
    /// Dimension of the feature space (a check when the pipeline is rebuilt).
    pub dimension: u64,
    /// The nonzero weights, by feature id, each with its readable name.
    pub weights: Vec<SavedWeight>,
    /// Everything that turns a CSV row into feature ids.
    pub pipeline: FeaturePipeline,
}

/// FNV-1a 64 (16 hex digits) of each part of a saved model written as compact JSON.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelDigest {
    /// Of `run` (run id, lambda, seed, test metrics, code).
    pub run: String,
    /// Of `loss`, `bias` and `dimension`.
    pub model: String,
    /// Of `weights` (ids, names and values).
    pub weights: String,
    /// Of `pipeline` (schema, label rule and classes, missing markers, bucket boundaries,
    /// vocabularies, crosses, hash sizes).
    pub pipeline: String,
}

/// The digest of `value` written as compact JSON.
fn digest_of<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<String> {
    Ok(Fnv64::new().with(&serde_json::to_vec(value)?).hex())
}

/// Where a saved model comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedRun {
    /// Experiment name.
    pub experiment: String,
    /// Run id (a refit's ends in `-refit`).
    pub run_id: String,
    /// Regularizer, optimizer, lambda (support size for L0 solvers), seed.
    pub regularizer: String,
    /// Optimizer label.
    pub optimizer: String,
    /// Lambda.
    pub lambda: f64,
    /// Seed.
    pub seed: u64,
    /// Training rows.
    pub n_train: u64,
    /// Test rows and the metrics on them (NaN without a test split).
    pub n_test: u64,
    /// Test log loss.
    #[serde(deserialize_with = "number_or_null")]
    pub test_log_loss: f64,
    /// Test accuracy.
    #[serde(deserialize_with = "number_or_null")]
    pub test_accuracy: f64,
    /// Test AUC.
    #[serde(deserialize_with = "number_or_null")]
    pub test_auc: f64,
    /// Fingerprint and commit of the code that trained it.
    pub code_version: String,
    /// Git commit of that build.
    pub git_commit: String,
}

/// A metric as written: JSON has no NaN, so a metric that does not exist (no test split) is
/// written as `null` and read back as NaN.
fn number_or_null<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(deserializer)?.unwrap_or(f64::NAN))
}

/// One nonzero weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedWeight {
    /// Feature id.
    pub id: u64,
    /// Its readable name.
    pub name: String,
    /// The weight.
    pub weight: f64,
}

impl SavedModel {
    /// The saved form of `model`, trained by the run of `row` on data fitted as `pipeline`.
    pub fn new(
        row: &RunRecord,
        model: &LinearModel,
        space: &FeatureSpace,
        pipeline: &FeaturePipeline,
    ) -> anyhow::Result<Self> {
        let weights = model
            .weights
            .iter()
            .map(|&(id, weight)| Ok(SavedWeight { id, name: space.name(id)?, weight }))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let mut saved = Self {
            format: FORMAT.to_string(),
            digest: ModelDigest::default(),
            run: SavedRun {
                experiment: row.experiment.clone(),
                run_id: row.run_id.clone(),
                regularizer: row.regularizer.clone(),
                optimizer: row.optimizer.clone(),
                lambda: row.lambda,
                seed: row.seed,
                n_train: row.n_train,
                n_test: row.n_test,
                test_log_loss: row.log_loss,
                test_accuracy: row.accuracy,
                test_auc: row.auc,
                code_version: row.code_version.clone(),
                git_commit: row.git_commit.clone(),
            },
            loss: model.loss,
            bias: model.bias,
            dimension: space.dimension(),
            weights,
            pipeline: pipeline.clone(),
        };
        saved.digest = saved.compute_digest()?;
        Ok(saved)
    }

    /// The digest of its parts as they are now.
    pub fn compute_digest(&self) -> anyhow::Result<ModelDigest> {
        Ok(ModelDigest {
            run: digest_of(&self.run)?,
            model: digest_of(&(&self.loss, self.bias, self.dimension))?,
            weights: digest_of(&self.weights)?,
            pipeline: digest_of(&self.pipeline)?,
        })
    }

    /// Writes it as pretty JSON, atomically, with the digest of its parts as they are.
    pub fn write(&self, path: &Path) -> anyhow::Result<()> {
        let sealed = Self { digest: self.compute_digest()?, ..self.clone() };
        let json = serde_json::to_vec_pretty(&sealed)?;
        write_atomic(path, &json)
    }

    /// Refuses a model whose parts do not have the digest written with them (naming the parts
    /// that differ), or whose weights name a feature id twice.
    fn check(&self, path: &Path) -> anyhow::Result<()> {
        let now = self.compute_digest()?;
        let parts = [
            ("run", &now.run, &self.digest.run, "run facts (run id, lambda, metrics)"),
            ("model", &now.model, &self.digest.model, "loss, bias or dimension"),
            ("weights", &now.weights, &self.digest.weights, "weights (ids, names, values)"),
            (
                "pipeline",
                &now.pipeline,
                &self.digest.pipeline,
                "pipeline (schema, label classes, boundaries, vocabularies)",
            ),
        ];
        let differ: Vec<String> = parts
            .iter()
            .filter(|(_, now, written, _)| now != written)
            .map(|(part, _, _, what)| format!("`{part}`: {what}"))
            .collect();
        if !differ.is_empty() {
            anyhow::bail!(
                "{}: digest mismatch in {}; edited after the runner wrote it? A model is applied \
                 only as exported: export it again (`runner run SPEC --export-models`)",
                path.display(),
                differ.join("; ")
            );
        }
        let mut seen = std::collections::HashMap::new();
        for (i, w) in self.weights.iter().enumerate() {
            if let Some(first) = seen.insert(w.id, i) {
                anyhow::bail!(
                    "{}: feature id {} appears twice among the weights (entries {} and {}); a \
                     model names each feature once",
                    path.display(),
                    w.id,
                    first + 1,
                    i + 1
                );
            }
        }
        Ok(())
    }

    /// Reads a saved model; errors name the file and what is wrong.
    pub fn read(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the model file {}", path.display()))?;
        let saved: Self = serde_json::from_str(&text).with_context(|| {
            format!("{} is not a sparsecross model file ({FORMAT})", path.display())
        })?;
        if saved.format != FORMAT {
            anyhow::bail!(
                "{}: format `{}`, this runner reads `{FORMAT}`",
                path.display(),
                saved.format
            );
        }
        saved.check(path)?;
        Ok(saved)
    }

    /// The model and its feature space, rebuilt; checks that the space has the saved dimension
    /// and that each weight's id still has its saved name.
    pub fn model(&self) -> anyhow::Result<(LinearModel, FeatureSpace)> {
        let space = self.pipeline.space().context("rebuilding the saved feature pipeline")?;
        if space.dimension() != self.dimension {
            anyhow::bail!(
                "the saved pipeline rebuilds a space of dimension {}, the file says {}",
                space.dimension(),
                self.dimension
            );
        }
        for w in &self.weights {
            let name = space.name(w.id)?;
            if name != w.name {
                anyhow::bail!(
                    "feature id {} is `{name}` in the rebuilt space, `{}` in the file",
                    w.id,
                    w.name
                );
            }
        }
        let model =
            LinearModel::new(self.bias, self.weights.iter().map(|w| (w.id, w.weight)), self.loss);
        Ok((model, space))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_without_test_metrics_reads_back_with_nan_metrics() {
        let committed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
            "../../results/california_own_data/models/real-s1-l1-coordinate_descent-lambda1e-4-5bf21df1.json",
        );
        let mut value: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&committed).expect("read"))
                .expect("json");
        // Committed before models carried a digest: give it one, as the runner writes it.
        value["digest"] = serde_json::to_value(ModelDigest::default()).expect("digest");
        let saved: SavedModel = serde_json::from_value(value.clone()).expect("a model");
        value["digest"] = serde_json::to_value(saved.compute_digest().expect("digest")).expect("");
        for metric in ["test_log_loss", "test_accuracy", "test_auc"] {
            value["run"][metric] = serde_json::Value::Null;
        }
        let no_test: SavedModel = serde_json::from_value(value).expect("a model");
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("no_test.json");
        no_test.write(&path).expect("write");
        let read = SavedModel::read(&path).expect("null metrics are accepted");
        assert!(read.run.test_log_loss.is_nan() && read.run.test_auc.is_nan());
        assert_eq!(read.weights, saved.weights);
    }
}
