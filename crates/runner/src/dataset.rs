//! Builds the data set of one (k, seed): the three splits in memory, and what every run on it
//! shares (dimension, true support, Bayes scores, the number of distinct training features).
//!
//! Data sets are built before the runs that use them start, so a run's heap peak never includes
//! them (see `alloc_counter`).

use std::path::{Path, PathBuf};

use anyhow::Context;
use features::synthetic::{SplitName, SyntheticConfig, SyntheticProblem};
use features::{FeatureId, FeatureSpace, SparseExample};
use optimizers::eval::{self, Metrics};

use crate::plan::DatasetKey;
use crate::spec::ExperimentSpec;

/// One data set, ready for training.
#[derive(Debug)]
pub struct Dataset {
    /// `synthetic`, or the real file's stem.
    pub name: String,
    /// Which (k, seed) it is.
    pub key: DatasetKey,
    /// The feature space (dimension, id -> name for model export).
    pub space: FeatureSpace,
    /// Training split.
    pub train: Vec<SparseExample>,
    /// Validation split (lambda is chosen on it).
    pub validation: Vec<SparseExample>,
    /// Test split (reported metrics).
    pub test: Vec<SparseExample>,
    /// Ids carrying true signal, sorted (synthetic only; empty otherwise).
    pub true_support: Vec<FeatureId>,
    /// Scores of the true probabilities on the test split (synthetic only).
    pub bayes_test: Option<Metrics>,
    /// Distinct feature ids in the training split.
    pub features_touched: u64,
}

/// Why a data set cannot be built this time (not an error of the spec).
#[derive(Debug)]
pub struct Unavailable {
    /// The missing file.
    pub file: PathBuf,
}

impl Dataset {
    pub(crate) fn finish(
        name: String,
        key: DatasetKey,
        space: FeatureSpace,
        splits: [Vec<SparseExample>; 3],
        true_support: Vec<FeatureId>,
    ) -> Self {
        let [train, validation, test] = splits;
        let mut ids: Vec<FeatureId> = train.iter().flat_map(|e| e.ids.iter().copied()).collect();
        ids.sort_unstable();
        ids.dedup();
        let bayes_test = if test.is_empty() { None } else { eval::bayes(&test) };
        Self {
            name,
            key,
            space,
            train,
            validation,
            test,
            true_support,
            bayes_test,
            features_touched: ids.len() as u64,
        }
    }

    /// Fraction of `ids` (sorted) in the true support, and of the true support in `ids`; NaN
    /// when the denominator is 0.
    pub fn support_recovery(&self, ids: &[FeatureId]) -> (f64, f64) {
        let hits = ids.iter().filter(|id| self.true_support.binary_search(id).is_ok()).count();
        let ratio =
            |num: usize, den: usize| if den == 0 { f64::NAN } else { num as f64 / den as f64 };
        (ratio(hits, ids.len()), ratio(hits, self.true_support.len()))
    }
}

/// The synthetic generator config of a spec for one k and seed.
pub fn synthetic_config(table: &toml::Table, k: u32, seed: u64) -> anyhow::Result<SyntheticConfig> {
    let mut config: SyntheticConfig = table
        .clone()
        .try_into()
        .map_err(|e| anyhow::anyhow!("[data.synthetic]: {}", e.to_string().trim_end()))?;
    config.k = k as usize;
    config.seed = seed;
    Ok(config)
}

/// Builds the data set `key` of `spec`; `Ok(Err(_))` when a real data file is missing.
pub fn build(
    spec: &ExperimentSpec,
    key: DatasetKey,
    data_dir: &Path,
) -> anyhow::Result<Result<Dataset, Unavailable>> {
    if let (Some(table), Some(k)) = (&spec.data.synthetic, key.k) {
        let problem = SyntheticProblem::new(synthetic_config(table, k, key.seed)?)
            .with_context(|| format!("synthetic data for k = {k}, seed = {}", key.seed))?;
        let sizes = [
            (SplitName::Train, spec.data.n_train.unwrap_or(0)),
            (SplitName::Validation, spec.data.n_validation.unwrap_or(0)),
            (SplitName::Test, spec.data.n_test.unwrap_or(0)),
        ];
        let splits = sizes.map(|(split, n)| problem.stream(split, n).collect::<Vec<_>>());
        let support = problem.true_support().to_vec();
        return Ok(Ok(Dataset::finish(
            "synthetic".to_string(),
            key,
            problem.space().clone(),
            splits,
            support,
        )));
    }
    if let Some(table) = &spec.data.real {
        return crate::dataset_real::build(table, key, data_dir);
    }
    anyhow::bail!("spec has no data source (not checked?)")
}
