//! What every `runs.csv` row of a unit shares, filled the same way by the online and the batch
//! runners: the unit's context and output, the fields fixed by the grid and the data set, the
//! provenance columns (code of this build, data fingerprint), the model's counts, bytes and
//! metrics, and the failure status.

use optimizers::eval::{self, Metrics};
use optimizers::model::DENSE_ENTRY_BYTES;
use optimizers::{LinearModel, LossKind};

use crate::data::Dataset;
use crate::plan::Unit;
use crate::provenance;
use crate::record::{self, RunRecord};
use crate::spec::{ExperimentSpec, Family};

/// What a unit needs besides itself.
pub struct RunContext<'a> {
    /// The (possibly `--quick`-shrunk) spec.
    pub spec: &'a ExperimentSpec,
    /// The data set of the unit.
    pub dataset: &'a Dataset,
    /// Reset the process's peak RSS before each run (only meaningful with one thread).
    pub reset_rss: bool,
    /// Read a streamed training split on a second thread (`--read-ahead`).
    pub read_ahead: bool,
    /// Keep the trained models (for export).
    pub keep_models: bool,
    /// The data set's fingerprint (`data::fingerprint`), written in every row.
    pub data_fingerprint: &'a str,
}

/// A finished row and, when asked for, its model.
pub struct RunOutput {
    /// The row.
    pub record: RunRecord,
    /// The trained model (when `keep_models`).
    pub model: Option<LinearModel>,
}

/// The row fields fixed by the grid, the data set and the build (no training result yet).
pub fn base_record(unit: &Unit, point: usize, ctx: &RunContext<'_>) -> RunRecord {
    let data = ctx.dataset;
    let dimension = data.space.dimension();
    let mut r = RunRecord::placeholder();
    r.experiment = ctx.spec.name.clone();
    r.dataset = data.name.clone();
    r.k = data.key.k;
    r.dimension = dimension;
    r.n_train = data.n_train;
    r.n_validation = data.validation.len() as u64;
    r.n_test = data.test.len() as u64;
    r.features_touched = data.features_touched;
    r.regularizer = unit.regularizer.clone();
    r.l2_convention = unit.convention.as_str().to_string();
    r.optimizer = unit.optimizer_label.clone();
    r.optimizer_kind = unit.optimizer_kind.clone();
    r.penalty = unit.penalty.name().to_string();
    r.family = match unit.family {
        Family::Online => "online",
        Family::Batch => "batch",
    }
    .to_string();
    r.seed = data.key.seed;
    r.hash_buckets = data.key.buckets.map_or_else(String::new, |b| b.to_string());
    r.model_bytes_dense = dimension.saturating_mul(DENSE_ENTRY_BYTES);
    r.zero_weights = dimension;
    r.bayes_log_loss = data.bayes_test.map_or(f64::NAN, |m| m.log_loss);
    r.bayes_accuracy = data.bayes_test.map_or(f64::NAN, |m| m.accuracy);
    r.true_support_size = data.true_support.len() as u64;
    r.admission = unit.admission_text();
    r.run_id = unit.run_id(point);
    r.code_version = provenance::CODE_VERSION.to_string();
    r.git_commit = provenance::GIT_COMMIT.to_string();
    r.git_dirty = provenance::GIT_DIRTY.to_string();
    r.data_fingerprint = ctx.data_fingerprint.to_string();
    r
}

/// Fills the model-dependent fields: counts, bytes, validation and test metrics, support
/// recovery, and the status `diverged` when a number is not finite.
pub fn fill_model(r: &mut RunRecord, model: &LinearModel, data: &Dataset) {
    r.nonzero_weights = model.nonzero();
    r.zero_weights = r.dimension.saturating_sub(r.nonzero_weights);
    r.model_bytes_sparse = model.sparse_bytes();
    if !model.is_finite() {
        r.status = record::STATUS_DIVERGED.to_string();
        r.message = "a weight or the bias is NaN or infinite".to_string();
        return;
    }
    let validation = scores(model, &data.validation);
    let test = scores(model, &data.test);
    r.validation_log_loss = validation.log_loss;
    r.validation_accuracy = validation.accuracy;
    r.validation_auc = validation.auc;
    r.validation_mse = validation.mse;
    r.mse = test.mse;
    r.accuracy = test.accuracy;
    r.log_loss = test.log_loss;
    r.auc = test.auc;
    fill_nll(r, model, data);
    if !data.true_support.is_empty() {
        let ids: Vec<u64> = model.weights.iter().map(|&(id, _)| id).collect();
        let (precision, recall) = data.support_recovery(&ids);
        r.support_precision = precision;
        r.support_recall = recall;
    }
    let finite_or_absent =
        |m: &Metrics, split: &[features::SparseExample]| split.is_empty() || m.mse.is_finite();
    if !(finite_or_absent(&test, &data.test) && finite_or_absent(&validation, &data.validation)) {
        r.status = record::STATUS_DIVERGED.to_string();
        r.message = "a prediction is not finite".to_string();
    }
}

/// The training split's log loss (when it is held: a streamed one would cost a pass) and the
/// normalized log-likelihood of each split against the training positive rate.
fn fill_nll(r: &mut RunRecord, model: &LinearModel, data: &Dataset) {
    let p = data.train_positive_rate;
    r.train_log_loss = eval::log_loss(model, &data.train);
    r.train_nll = eval::normalized_log_likelihood(r.train_log_loss, p, p);
    let nll = |log_loss: f64, split: &[features::SparseExample]| {
        eval::normalized_log_likelihood(log_loss, p, eval::positive_rate(split))
    };
    r.validation_nll = nll(r.validation_log_loss, &data.validation);
    r.nll = nll(r.log_loss, &data.test);
}

/// Metrics of `model` on a split; NaN everywhere when the split is empty (a real data set may
/// have no test split).
fn scores(model: &LinearModel, split: &[features::SparseExample]) -> Metrics {
    if split.is_empty() {
        let nan = f64::NAN;
        return Metrics { accuracy: nan, log_loss: nan, auc: nan, mse: nan, n: 0 };
    }
    let metrics = eval::evaluate(model, split);
    match model.loss {
        // Classification metrics mean nothing for a real-valued prediction.
        LossKind::Squared => {
            Metrics { accuracy: f64::NAN, log_loss: f64::NAN, auc: f64::NAN, ..metrics }
        }
        LossKind::Logistic => metrics,
    }
}

/// Marks a row as failed with `message`.
pub fn fail(r: &mut RunRecord, message: impl std::fmt::Display) {
    r.status = record::STATUS_ERROR.to_string();
    r.message = message.to_string().replace(['\n', '\r'], " ");
}
