//! Experiment specs: the TOML files in `experiments/`, parsed with serde and checked once.
//!
//! Every table rejects unknown keys. Errors name the spec file and, where the TOML parser knows
//! it, the line and the key; checks made after parsing name the key by its dotted path (for
//! example `regularizer[2].optimizer[0].lambdas`). `experiments/README.md` documents every key.
//!
//! The bottom layer of the runner: it depends on no other module of it. [`compare`] holds the
//! `[[compare]]` tables, [`resolve`] reads the parts the libraries define (data tables, optimizer
//! names) as the libraries' types, [`feasible`] finds the combinations of values that can only
//! fail (with the libraries' own checks). A value repeated in a grid list (`k`, `seeds`,
//! `lambdas`, `support_sizes`, `quick.k`) is an error naming the key and the value.

pub mod compare;
pub mod feasible;
pub mod resolve;

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use optimizers::online::OnlineError;
use optimizers::LossKind;
use regularizers::Penalty;
use serde::{Deserialize, Serialize};

use self::compare::CompareSpec;

/// One experiment: a data source, a grid of runs, how lambda is selected, what is reported.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentSpec {
    /// Name of the experiment; reports go to `<out>/<name>/`.
    pub name: String,
    /// One line shown by `runner list`.
    #[serde(default)]
    pub description: String,
    /// Where the examples come from.
    pub data: DataSpec,
    /// The grid shared by every regularizer entry.
    pub grid: GridSpec,
    /// The regularizers, each with its optimizers (TOML `[[regularizer]]`).
    #[serde(rename = "regularizer")]
    pub regularizers: Vec<RegularizerSpec>,
    /// How the lambda of each (k, regularizer, optimizer, seed) is chosen.
    #[serde(default)]
    pub selection: SelectionSpec,
    /// What is written besides `runs.csv`.
    #[serde(default)]
    pub report: ReportSpec,
    /// How `--quick` shrinks the experiment.
    #[serde(default)]
    pub quick: QuickSpec,
    /// Published-vs-ours comparisons written to `published_vs_ours.md` and `.csv` (TOML
    /// `[[compare]]`).
    #[serde(default, rename = "compare", skip_serializing_if = "Vec::is_empty")]
    pub comparisons: Vec<CompareSpec>,
}

/// The data source: exactly one of `synthetic` and `real`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DataSpec {
    /// Generator parameters (`features::synthetic::SyntheticConfig` keys, except `k` and `seed`,
    /// which come from the grid).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub synthetic: Option<toml::Table>,
    /// A CSV data set (`features::real::RealDataSpec` keys).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub real: Option<toml::Table>,
    /// Training examples drawn from the generator (synthetic only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n_train: Option<u64>,
    /// Validation examples, used to choose lambda (synthetic only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n_validation: Option<u64>,
    /// Test examples, on which the reported metrics are computed (synthetic only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n_test: Option<u64>,
    /// Loss of every model: `logistic` (default) or `squared`.
    #[serde(default)]
    pub loss: LossKind,
    /// Online runs read the training split again on every pass instead of holding it (memory
    /// independent of `n_train`): synthetic data regenerate it from its seed, a real file's
    /// training rows are read and encoded again (its split must keep file order); batch fits
    /// and refits still collect it. The examples are the same either way, so it is not part of
    /// run ids.
    #[serde(default, skip_serializing)]
    pub stream: bool,
}

/// Parameters shared by every run of the grid; optimizer entries may override the training ones.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GridSpec {
    /// Values of k (synthetic only): k features of k bins, crossed into k^k cells.
    #[serde(default)]
    pub k: Vec<u32>,
    /// Seeds: each seed draws its own data set and seeds its optimizers.
    pub seeds: Vec<u64>,
    /// Training examples (synthetic only), one data set per value, instead of `data.n_train`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub n_train: Vec<u64>,
    /// Largest training state a run may hold (`"4GiB"`, `"512MiB"` or bytes): an online run
    /// whose state passes it stops there and is recorded `memory_exceeded` with the examples
    /// and bytes reached; a batch fit whose estimate passes it is not started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_cap: Option<SizeSpec>,
    // Training knobs of online optimizers (serde cannot flatten with deny_unknown_fields, so
    // they are listed here and in `OptimizerSpec`, and gathered by `training()`).
    /// Passes over the training split (default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epochs: Option<u32>,
    /// Number of mini-batches to train on, cycling over the training split; overrides `epochs`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<u64>,
    /// Examples per mini-batch (default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch_size: Option<usize>,
    /// Learning-rate schedule (default [`DEFAULT_SCHEDULE`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<ScheduleSpec>,
    /// Clip the mini-batch gradient to this L2 norm (default: no clipping).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clip_norm: Option<f64>,
    /// Reshuffle the training split before each pass with the run's seed (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shuffle: Option<bool>,
}

/// A size in a spec: bytes, or a number with a unit (`"4GiB"`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum SizeSpec {
    /// Bytes.
    Bytes(u64),
    /// A number and a unit, read by [`parse_size`].
    Text(String),
}

impl SizeSpec {
    /// The size in bytes, or why the text is not one.
    pub fn bytes(&self) -> Result<u64, String> {
        match self {
            SizeSpec::Bytes(b) if *b >= 1 => Ok(*b),
            SizeSpec::Bytes(_) => Err("must be at least one byte".to_string()),
            SizeSpec::Text(text) => parse_size(text),
        }
    }
}

/// Reads a size: a number and a unit (B, KiB, MiB, GiB, TiB, KB, MB, GB, TB; `4GiB`, `1.5G`).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let split = trimmed.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size: a number and a unit, e.g. 4GiB or 512MiB"))?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        "t" | "tib" => 1 << 40,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        other => {
            return Err(format!(
                "`{text}`: unknown unit `{other}` (use B, KiB, MiB, GiB, TiB, KB, MB, GB or TB)"
            ))
        }
    };
    let bytes = value * factor as f64;
    if !(bytes.is_finite() && bytes >= 1.0 && bytes < u64::MAX as f64) {
        return Err(format!("`{text}` is not a size of at least one byte"));
    }
    Ok(bytes as u64)
}

impl GridSpec {
    /// `memory_cap` in bytes (checked by [`ExperimentSpec::check`]; an unreadable one is none).
    pub fn memory_cap_bytes(&self) -> Option<u64> {
        self.memory_cap.as_ref().and_then(|c| c.bytes().ok())
    }

    /// The training knobs set in `[grid]`.
    pub fn training(&self) -> TrainingSpec {
        TrainingSpec {
            epochs: self.epochs,
            steps: self.steps,
            batch_size: self.batch_size,
            schedule: self.schedule,
            clip_norm: self.clip_norm,
            shuffle: self.shuffle,
        }
    }
}

/// Training knobs of online optimizers; every one may be set in `[grid]` or per optimizer.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct TrainingSpec {
    /// Passes over the training split (default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epochs: Option<u32>,
    /// Number of mini-batches to train on, cycling over the training split; overrides `epochs`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<u64>,
    /// Examples per mini-batch (default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch_size: Option<usize>,
    /// Learning-rate schedule (default [`DEFAULT_SCHEDULE`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<ScheduleSpec>,
    /// Clip the mini-batch gradient to this L2 norm (default: no clipping).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clip_norm: Option<f64>,
    /// Reshuffle the training split before each pass with the run's seed (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shuffle: Option<bool>,
}

impl TrainingSpec {
    /// `self` with every unset knob taken from `base`.
    pub fn or(&self, base: &TrainingSpec) -> TrainingSpec {
        TrainingSpec {
            epochs: self.epochs.or(base.epochs),
            steps: self.steps.or(base.steps),
            batch_size: self.batch_size.or(base.batch_size),
            schedule: self.schedule.or(base.schedule),
            clip_norm: self.clip_norm.or(base.clip_norm),
            shuffle: self.shuffle.or(base.shuffle),
        }
    }
}

/// A learning-rate schedule as written in a spec: the library's own type (tagged by `kind`).
pub use optimizers::online::Schedule as ScheduleSpec;

/// Default learning-rate schedule of online optimizers: the library's own default, defined
/// and explained once in `optimizers::online::DEFAULT_SCHEDULE`.
pub const DEFAULT_SCHEDULE: ScheduleSpec = optimizers::online::DEFAULT_SCHEDULE;

/// One regularizer and the optimizers that fit it (TOML `[[regularizer]]`).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RegularizerSpec {
    /// A name of the regularizer registry (`regularizers::REGULARIZERS`).
    pub kind: String,
    /// Lambda values for every optimizer of this entry (an optimizer may override).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lambdas: Option<Vec<f64>>,
    /// A lambda path computed by batch solvers from the data (`lambda_max` downwards).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<PathSpec>,
    /// The optimizers (TOML `[[regularizer.optimizer]]`).
    #[serde(rename = "optimizer")]
    pub optimizers: Vec<OptimizerSpec>,
    /// Every other key: the regularizer's own settings, checked by its registry entry (which
    /// names an unknown key).
    #[serde(flatten)]
    pub settings: toml::Table,
}

/// A lambda path from `lambda_max` (computed from the data) down to `min_ratio * lambda_max`.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PathSpec {
    /// Number of lambdas on the path.
    pub n: usize,
    /// Smallest lambda as a fraction of `lambda_max`.
    pub min_ratio: f64,
}

/// Whether a feature gets a weight when first seen (McMahan et al. 2013's memory savers).
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum AdmissionSpec {
    /// Every feature (default).
    All,
    /// A feature gets a weight only once it was seen this many times.
    Count(u32),
    /// A feature gets a weight with this probability at each sighting.
    Poisson(f64),
}

impl AdmissionSpec {
    /// The library's admission rule.
    pub fn to_config(self) -> optimizers::online::Admission {
        use optimizers::online::Admission;
        match self {
            AdmissionSpec::All => Admission::All,
            AdmissionSpec::Count(n) => Admission::Count { n },
            AdmissionSpec::Poisson(p) => Admission::Poisson { p },
        }
    }
}

/// Weight store of an online optimizer.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum StoreSpec {
    /// Hash map of touched coordinates (any dimension).
    #[default]
    Sparse,
    /// A dense vector of the whole dimension (small dimensions only).
    Dense,
}

/// One optimizer of a regularizer entry (TOML `[[regularizer.optimizer]]`): exactly one of
/// `online` and `batch`. The keys listed here are shared by every optimizer of a family; all
/// others are the optimizer's own settings, checked by its registry entry.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
pub struct OptimizerSpec {
    /// A name of the online registry (`optimizers::online::ONLINE_OPTIMIZERS`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub online: Option<String>,
    /// A name of the batch registry (`optimizers::batch::BATCH_SOLVERS`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch: Option<String>,
    /// Name in reports (default: the optimizer's name); unique within the regularizer entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Lambda values overriding the regularizer entry's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lambdas: Option<Vec<f64>>,
    /// The penalty actually given to the optimizer when it differs from the entry's `kind`
    /// (online only). Example: FTRL with count admission listed under `l0`, where the admission
    /// is the L0 heuristic and the penalty is `l1` at `lambdas`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub penalty: Option<String>,
    // Training knobs overriding `[grid]` (online only), gathered by `training()`.
    /// Passes over the training split (default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epochs: Option<u32>,
    /// Number of mini-batches to train on, cycling over the training split; overrides `epochs`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<u64>,
    /// Examples per mini-batch (default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch_size: Option<usize>,
    /// Learning-rate schedule (default [`DEFAULT_SCHEDULE`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<ScheduleSpec>,
    /// Clip the mini-batch gradient to this L2 norm (default: no clipping).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clip_norm: Option<f64>,
    /// Reshuffle the training split before each pass with the run's seed (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shuffle: Option<bool>,
    /// Feature admission (online only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admission: Option<AdmissionSpec>,
    /// Weight store (online only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store: Option<StoreSpec>,
    /// Counters of the counting Bloom filter behind `admission = { count = n }` (online only):
    /// a number, or sized for the data from expected features and a false-admission rate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bloom_counters: Option<optimizers::online::BloomCounters>,
    /// Steps between two sweeps of the store that catch every coordinate up on the penalties
    /// it owes and drop those left at zero (online only; see the library's `OnlineConfig`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sweep_every: Option<u64>,
    /// Encoding of the store's coefficients (online only): `"f64"` (default), `"f32"` (rounded
    /// to nearest) or `"q2.13"` (16-bit fixed point with randomized rounding, McMahan et al.
    /// 2013 section 4.2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coefficients: Option<optimizers::online::Coefficients>,
    /// Path overriding the regularizer entry's (batch only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<PathSpec>,
    /// Convergence tolerance (batch only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tol: Option<f64>,
    /// Iteration cap per lambda (batch only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_iter: Option<usize>,
    /// Target support sizes (batch solvers that fit a path over support sizes: `iht`,
    /// `prune_refit`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub support_sizes: Option<Vec<usize>>,
    /// Every other key: the optimizer's own settings, checked by its registry entry.
    #[serde(flatten)]
    pub settings: toml::Table,
}

/// Which family an optimizer belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// One example or mini-batch at a time.
    Online,
    /// The whole training matrix.
    Batch,
}

impl OptimizerSpec {
    /// The training knobs set on this optimizer.
    pub fn training(&self) -> TrainingSpec {
        TrainingSpec {
            epochs: self.epochs,
            steps: self.steps,
            batch_size: self.batch_size,
            schedule: self.schedule,
            clip_norm: self.clip_norm,
            shuffle: self.shuffle,
        }
    }

    /// The family and the optimizer's name.
    pub fn family_and_name(&self) -> Option<(Family, &str)> {
        match (&self.online, &self.batch) {
            (Some(name), None) => Some((Family::Online, name)),
            (None, Some(name)) => Some((Family::Batch, name)),
            _ => None,
        }
    }

    /// The label used in reports.
    pub fn display_label(&self) -> String {
        match (&self.label, self.family_and_name()) {
            (Some(label), _) => label.clone(),
            (None, Some((_, name))) => name.to_string(),
            (None, None) => "?".to_string(),
        }
    }
}

/// How the lambda of each (k, regularizer, optimizer, seed) group is chosen.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SelectionSpec {
    /// Validation metric to optimise: `log_loss` (default, lower is better), `accuracy`, `auc`
    /// or `mse`.
    #[serde(default)]
    pub metric: SelectionMetric,
    /// Relative slack: among runs whose validation metric is within `tolerance` of the best
    /// (e.g. 0.01 = 1%), the one with the fewest nonzero weights is chosen. Default 0.
    #[serde(default)]
    pub tolerance: f64,
    /// Retrain each selected configuration on train + validation and score it on test (rows
    /// with run id `<selected run id>-refit`, reported apart). Default false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub refit: bool,
    /// How far the lambda grid is extended when a group's choice lands on one of its edges
    /// (`search = { max_steps = 6 }`; 0 turns the search off and leaves edges flagged).
    #[serde(default)]
    pub search: SearchSpec,
    /// A size limit: per group, the best validation score among models within it is reported
    /// too, found by searching lambda (`budget = { nonzero_weights = 600 }` or
    /// `{ model_bytes = 7200 }`; the command line's `--budget` overrides it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<Budget>,
}

impl Default for SelectionSpec {
    fn default() -> Self {
        Self {
            metric: SelectionMetric::LogLoss,
            tolerance: 0.0,
            refit: false,
            search: SearchSpec::default(),
            budget: None,
        }
    }
}

/// The lambda search past a grid's edges (see `sweep::search`).
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SearchSpec {
    /// Most points added past an edge per group (each a geometric step of the grid's own
    /// spacing at that edge); the choice is flagged `cap` when it is still at the edge.
    #[serde(default = "SearchSpec::default_max_steps")]
    pub max_steps: u32,
    /// Most lambdas tried per group by the budget search (geometric steps up to the first
    /// model within the budget, then log-space bisection).
    #[serde(default = "SearchSpec::default_budget_steps")]
    pub budget_steps: u32,
}

impl SearchSpec {
    fn default_max_steps() -> u32 {
        6
    }
    fn default_budget_steps() -> u32 {
        8
    }
}

impl Default for SearchSpec {
    fn default() -> Self {
        Self { max_steps: Self::default_max_steps(), budget_steps: Self::default_budget_steps() }
    }
}

/// A limit on a model's size (`[selection] budget`).
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum Budget {
    /// At most this many nonzero weights.
    NonzeroWeights(u64),
    /// At most this many model bytes (`model_bytes_sparse`).
    ModelBytes(u64),
}

impl Budget {
    /// Whether a row's model is within the budget.
    pub fn admits(&self, nonzero_weights: u64, model_bytes: u64) -> bool {
        match *self {
            Budget::NonzeroWeights(n) => nonzero_weights <= n,
            Budget::ModelBytes(b) => model_bytes <= b,
        }
    }

    /// The budget in words, e.g. `<= 600 nonzero weights`.
    pub fn describe(&self) -> String {
        match *self {
            Budget::NonzeroWeights(n) => format!("<= {n} nonzero weights"),
            Budget::ModelBytes(b) => format!("<= {b} model bytes"),
        }
    }

    /// Parses the command line's form, `nonzero_weights=N` or `model_bytes=B`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (key, value) = text
            .split_once('=')
            .ok_or_else(|| format!("`{text}`: expected `nonzero_weights=N` or `model_bytes=B`"))?;
        let value: u64 = value
            .trim()
            .parse()
            .map_err(|_| format!("`{text}`: `{}` is not a whole number >= 0", value.trim()))?;
        match key.trim() {
            "nonzero_weights" => Ok(Budget::NonzeroWeights(value)),
            "model_bytes" => Ok(Budget::ModelBytes(value)),
            other => Err(format!(
                "`{text}`: unknown budget `{other}` (expected `nonzero_weights` or `model_bytes`)"
            )),
        }
    }
}

/// A validation metric lambda can be chosen on.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum SelectionMetric {
    /// Mean negative log-likelihood (lower is better).
    #[default]
    LogLoss,
    /// Accuracy (higher is better).
    Accuracy,
    /// ROC AUC (higher is better).
    Auc,
    /// Mean squared error (lower is better; the metric of squared loss).
    Mse,
}

impl SelectionMetric {
    /// The name used in specs and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            SelectionMetric::LogLoss => "log_loss",
            SelectionMetric::Accuracy => "accuracy",
            SelectionMetric::Auc => "auc",
            SelectionMetric::Mse => "mse",
        }
    }
}

/// What is written besides `runs.csv`.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReportSpec {
    /// Write the selected models as CSV (feature name, weight) under `models/` (default false;
    /// the `--export-models` flag turns it on too).
    #[serde(default)]
    pub export_models: bool,
    /// Draw the plots (default true).
    #[serde(default = "default_true")]
    pub plots: bool,
}

impl Default for ReportSpec {
    fn default() -> Self {
        Self { export_models: false, plots: true }
    }
}

fn default_true() -> bool {
    true
}

/// How `--quick` shrinks the experiment so that it runs in seconds.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct QuickSpec {
    /// Training examples (synthetic), default 2000.
    #[serde(default = "default_quick_train")]
    pub n_train: u64,
    /// Validation examples (synthetic), default 1000.
    #[serde(default = "default_quick_eval")]
    pub n_validation: u64,
    /// Test examples (synthetic), default 1000.
    #[serde(default = "default_quick_eval")]
    pub n_test: u64,
    /// Values of k (default: the smallest and the largest of the grid).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub k: Option<Vec<u32>>,
    /// How many of the grid's seeds are kept (default 1).
    #[serde(default = "default_one")]
    pub seeds: usize,
    /// At most this many lambdas per optimizer, spread over the list (default 3).
    #[serde(default = "default_quick_lambdas")]
    pub max_lambdas: usize,
    /// At most this many mini-batches per online run (default: no cap).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_steps: Option<u64>,
    /// Real data: at most this many rows of each file (default 5000); explicit split ranges
    /// are scaled down with them.
    #[serde(default = "default_quick_rows")]
    pub max_rows: u64,
}

impl Default for QuickSpec {
    fn default() -> Self {
        Self {
            n_train: default_quick_train(),
            n_validation: default_quick_eval(),
            n_test: default_quick_eval(),
            k: None,
            seeds: 1,
            max_lambdas: default_quick_lambdas(),
            max_steps: None,
            max_rows: default_quick_rows(),
        }
    }
}

fn default_quick_rows() -> u64 {
    5000
}
fn default_quick_train() -> u64 {
    2000
}
fn default_quick_eval() -> u64 {
    1000
}
fn default_one() -> usize {
    1
}
fn default_quick_lambdas() -> usize {
    3
}

/// A spec together with the file it came from (errors and metadata name it).
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    /// The file read.
    pub path: PathBuf,
    /// Its parsed, checked content.
    pub spec: ExperimentSpec,
    /// The file's text, recorded in `metadata.json`.
    pub text: String,
}

/// Reads, parses and checks a spec file.
pub fn load(path: &Path) -> anyhow::Result<LoadedSpec> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read experiment spec {}", path.display()))?;
    let spec = parse(&text, path)?;
    Ok(LoadedSpec { path: path.to_path_buf(), spec, text })
}

/// Parses and checks spec text; `path` is only used in error messages.
pub fn parse(text: &str, path: &Path) -> anyhow::Result<ExperimentSpec> {
    let spec: ExperimentSpec = toml::from_str(text)
        .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.to_string().trim_end()))?;
    spec.check().map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(spec)
}

fn check_positive(key: &str, value: f64) -> anyhow::Result<()> {
    if !(value.is_finite() && value > 0.0) {
        bail!("`{key}` must be a finite number > 0, got {value}");
    }
    Ok(())
}

fn check_lambdas(key: &str, lambdas: &[f64]) -> anyhow::Result<()> {
    if lambdas.is_empty() {
        bail!("`{key}` is empty");
    }
    if let Some(bad) = lambdas.iter().find(|l| !(l.is_finite() && **l >= 0.0)) {
        bail!("`{key}` holds {bad}; every lambda must be finite and >= 0");
    }
    check_unique(key, lambdas)
}

/// A grid list must not hold a value twice: every value plans its own runs, so a repeated one
/// would run (and report) the same runs again.
fn check_unique<T: PartialEq + std::fmt::Display>(key: &str, values: &[T]) -> anyhow::Result<()> {
    for (i, value) in values.iter().enumerate() {
        if values[..i].contains(value) {
            bail!(
                "`{key}` holds {value} twice; list each value once (a repeated value would run \
                 the same runs again)"
            );
        }
    }
    Ok(())
}

impl TrainingSpec {
    fn check(&self, at: &str) -> anyhow::Result<()> {
        if self.epochs == Some(0) {
            bail!("`{at}epochs` must be >= 1");
        }
        if self.steps == Some(0) {
            bail!("`{at}steps` must be >= 1");
        }
        if self.batch_size == Some(0) {
            bail!("`{at}batch_size` must be >= 1");
        }
        if let Some(clip) = self.clip_norm {
            check_positive(&format!("{at}clip_norm"), clip)?;
        }
        // The library's own check of the schedule, with the error put at the spec's key.
        match self.schedule.map(|s| s.validate()) {
            Some(Err(OnlineError::BadConfig { field, reason })) => bail!("`{at}{field}` {reason}"),
            Some(Err(other)) => bail!("`{at}schedule`: {other}"),
            _ => Ok(()),
        }
    }

    fn is_empty(&self) -> bool {
        self == &TrainingSpec::default()
    }
}

impl ExperimentSpec {
    /// Checks everything serde cannot: value ranges, one-of rules, names, uniqueness.
    pub fn check(&self) -> anyhow::Result<()> {
        if self.name.is_empty()
            || !self.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            bail!(
                "`name` must be non-empty and use only letters, digits, `_` and `-`, got {:?}",
                self.name
            );
        }
        // (k, dimension) of every k the spec can run (synthetic data).
        let mut dimensions: Vec<(u32, u64)> = Vec::new();
        match (&self.data.synthetic, &self.data.real) {
            (Some(table), None) => {
                for key in ["k", "seed"] {
                    if table.contains_key(key) {
                        bail!(
                            "`data.synthetic.{key}` is set by the grid: use `grid.{key}{}` instead",
                            if key == "seed" { "s" } else { "" }
                        );
                    }
                }
                match (self.data.n_train, self.grid.n_train.is_empty()) {
                    (Some(_), false) => bail!(
                        "`data.n_train` and `grid.n_train` are both set: keep one (the grid's \
                         list makes one data set per value)"
                    ),
                    (None, false) => {
                        if self.grid.n_train.contains(&0) {
                            bail!("`grid.n_train` holds 0; every value must be >= 1");
                        }
                        check_unique("grid.n_train", &self.grid.n_train)?;
                    }
                    _ => {}
                }
                let n_train = self.data.n_train.or(self.grid.n_train.first().copied());
                for (key, value) in [
                    ("n_train", n_train),
                    ("n_validation", self.data.n_validation),
                    ("n_test", self.data.n_test),
                ] {
                    match value {
                        None => bail!("`data.{key}` is required with `[data.synthetic]`"),
                        Some(0) => bail!("`data.{key}` must be >= 1"),
                        Some(_) => {}
                    }
                }
                if self.grid.k.is_empty() {
                    bail!("`grid.k` is required (and non-empty) with `[data.synthetic]`");
                }
                let quick_k = self.quick.k.as_deref().unwrap_or_default();
                for (key, ks) in [("grid.k", &self.grid.k[..]), ("quick.k", quick_k)] {
                    if let Some(k) = ks.iter().find(|&&k| k < 2) {
                        bail!("`{key}` holds {k}; k must be >= 2");
                    }
                    check_unique(key, ks)?;
                    // The generator's own checks (ranges, and a feature space that fits u64 ids)
                    // for every k, so a bad grid fails before any run starts.
                    for &k in ks {
                        let config = resolve::synthetic_config(table, k, 0)?;
                        let problem =
                            features::synthetic::SyntheticProblem::new(config).map_err(|e| {
                                anyhow::anyhow!("[data.synthetic] with {key} = {k}: {e}")
                            })?;
                        if !dimensions.iter().any(|&(seen, _)| seen == k) {
                            dimensions.push((k, problem.space().dimension()));
                        }
                    }
                }
            }
            (None, Some(table)) => {
                let real = resolve::real_spec(table)?;
                for (key, value) in [
                    ("data.n_train", self.data.n_train.is_some()),
                    ("data.n_validation", self.data.n_validation.is_some()),
                    ("data.n_test", self.data.n_test.is_some()),
                    ("grid.k", !self.grid.k.is_empty()),
                    ("grid.n_train", !self.grid.n_train.is_empty()),
                ] {
                    if value {
                        bail!("`{key}` applies to synthetic data only; `[data.real]` defines its own split");
                    }
                }
                if self.data.stream && real.depends_on_seed() {
                    bail!(
                        "`data.stream = true` needs the training rows in file order, but \
                         `data.real.split.shuffle` is true (the default) and shuffles the rows \
                         into splits: set `shuffle = false` in `[data.real.split]` (the split's \
                         fractions or ranges are then taken in file order) or drop `data.stream`"
                    );
                }
            }
            (Some(_), Some(_)) => bail!("`[data]` has both `synthetic` and `real`: keep one"),
            (None, None) => bail!("`[data]` needs `[data.synthetic]` or `[data.real]`"),
        }
        if self.grid.seeds.is_empty() {
            bail!("`grid.seeds` is empty");
        }
        check_unique("grid.seeds", &self.grid.seeds)?;
        if let Some(cap) = &self.grid.memory_cap {
            cap.bytes().map_err(|e| anyhow::anyhow!("`grid.memory_cap`: {e}"))?;
        }
        self.grid.training().check("grid.")?;
        if self.data.stream {
            let shuffled = std::iter::once(self.grid.shuffle)
                .chain(
                    self.regularizers.iter().flat_map(|r| r.optimizers.iter().map(|o| o.shuffle)),
                )
                .any(|s| s == Some(true));
            if shuffled {
                bail!(
                    "`data.stream = true` with `shuffle = true`: a streamed training split is \
                     regenerated in its one order on every pass; drop one of the two"
                );
            }
        }
        if !(self.selection.tolerance.is_finite() && self.selection.tolerance >= 0.0) {
            bail!(
                "`selection.tolerance` must be finite and >= 0, got {}",
                self.selection.tolerance
            );
        }
        if self.quick.n_train == 0 || self.quick.n_validation == 0 || self.quick.n_test == 0 {
            bail!("`quick.n_train`, `quick.n_validation` and `quick.n_test` must be >= 1");
        }
        if self.quick.seeds == 0 || self.quick.max_lambdas == 0 || self.quick.max_rows == 0 {
            bail!("`quick.seeds`, `quick.max_lambdas` and `quick.max_rows` must be >= 1");
        }
        if self.regularizers.is_empty() {
            bail!("no `[[regularizer]]` entry");
        }
        let mut seen = std::collections::BTreeSet::new();
        for (r, reg) in self.regularizers.iter().enumerate() {
            self.check_regularizer(r, reg, &mut seen, &dimensions)?;
        }
        for (c, comparison) in self.comparisons.iter().enumerate() {
            comparison.check(&format!("compare[{c}]"), &seen)?;
            if let Some(k) = comparison.k {
                if self.data.real.is_some() || !self.grid.k.contains(&k) {
                    bail!("`compare[{c}].k` = {k} is not one of the synthetic grid's k");
                }
            }
        }
        Ok(())
    }

    fn check_regularizer(
        &self,
        r: usize,
        reg: &RegularizerSpec,
        seen: &mut std::collections::BTreeSet<(String, String)>,
        dimensions: &[(u32, u64)],
    ) -> anyhow::Result<()> {
        let at = format!("regularizer[{r}]");
        if let Some(lambdas) = &reg.lambdas {
            check_lambdas(&format!("{at}.lambdas"), lambdas)?;
        }
        let penalty =
            Penalty::new(&reg.kind, &reg.settings).map_err(|e| anyhow::anyhow!("`{at}`: {e}"))?;
        if let Some(path) = reg.path {
            check_path(&format!("{at}.path"), path)?;
        }
        if reg.optimizers.is_empty() {
            bail!("`{at}` has no `[[regularizer.optimizer]]`");
        }
        for (o, opt) in reg.optimizers.iter().enumerate() {
            let at = format!("{at}.optimizer[{o}]");
            let Some((family, name)) = opt.family_and_name() else {
                bail!("`{at}` needs exactly one of `online = \"...\"` and `batch = \"...\"`");
            };
            if let Some(lambdas) = &opt.lambdas {
                check_lambdas(&format!("{at}.lambdas"), lambdas)?;
            }
            opt.training().check(&format!("{at}."))?;
            match family {
                Family::Online => {
                    let entry = optimizers::online::lookup(name)
                        .map_err(|e| anyhow::anyhow!("`{at}.online`: {e}"))?;
                    let batch_keys = [
                        ("path", opt.path.is_some()),
                        ("tol", opt.tol.is_some()),
                        ("max_iter", opt.max_iter.is_some()),
                        ("support_sizes", opt.support_sizes.is_some()),
                    ];
                    if let Some((key, _)) = batch_keys.iter().find(|(_, set)| *set) {
                        bail!("`{at}.{key}` applies to batch solvers only");
                    }
                    if opt.lambdas.is_none() && reg.lambdas.is_none() {
                        bail!(
                            "`{at}` (online) needs `lambdas` here or in `regularizer[{r}].lambdas`"
                        );
                    }
                    if let Some(AdmissionSpec::Poisson(p)) = opt.admission {
                        if !(p > 0.0 && p <= 1.0) {
                            bail!("`{at}.admission.poisson` must be in (0, 1], got {p}");
                        }
                    }
                    entry
                        .check_settings(&opt.settings)
                        .map_err(|e| anyhow::anyhow!("`{at}`: {e}; {}", keys_hint(entry.keys)))?;
                    let penalty = match &opt.penalty {
                        Some(name) => Penalty::new(name, &reg.settings)
                            .map_err(|e| anyhow::anyhow!("`{at}.penalty`: {e}"))?,
                        None => penalty.clone(),
                    };
                    // What can only fail is a spec error, not an error row: the pair, the
                    // settings' values and the shared config, at every lambda (no data needed).
                    feasible::check_online(feasible::OnlineCheck {
                        at: &at,
                        entry,
                        penalty: &penalty,
                        settings: &opt.settings,
                        config: self.online_config(opt),
                        dense: opt.store == Some(StoreSpec::Dense),
                        lambdas: opt.lambdas.as_ref().or(reg.lambdas.as_ref()).map_or(&[], |l| l),
                        dimensions,
                    })?;
                }
                Family::Batch => {
                    let entry = optimizers::batch::lookup(name)
                        .map_err(|e| anyhow::anyhow!("`{at}.batch`: {e}"))?;
                    let online_keys = [
                        ("penalty", opt.penalty.is_some()),
                        ("admission", opt.admission.is_some()),
                        ("store", opt.store.is_some()),
                        ("bloom_counters", opt.bloom_counters.is_some()),
                        ("sweep_every", opt.sweep_every.is_some()),
                        ("coefficients", opt.coefficients.is_some()),
                        (
                            "epochs/steps/batch_size/schedule/clip_norm/shuffle",
                            !opt.training().is_empty(),
                        ),
                    ];
                    if let Some((key, _)) = online_keys.iter().find(|(_, set)| *set) {
                        bail!("`{at}.{key}` applies to online optimizers only");
                    }
                    entry
                        .check_settings(&opt.settings)
                        .map_err(|e| anyhow::anyhow!("`{at}`: {e}; {}", keys_hint(entry.keys)))?;
                    entry.check_penalty(&penalty).map_err(|e| anyhow::anyhow!("`{at}`: {e}"))?;
                    if let Some(path) = opt.path {
                        check_path(&format!("{at}.path"), path)?;
                    }
                    let has_lambdas = opt.lambdas.is_some() || reg.lambdas.is_some();
                    let has_path = opt.path.is_some() || reg.path.is_some();
                    if !has_lambdas && !has_path && opt.support_sizes.is_none() {
                        bail!("`{at}` (batch) needs `lambdas` or `path` (here or in `regularizer[{r}]`) or `support_sizes`");
                    }
                    if let Some(tol) = opt.tol {
                        check_positive(&format!("{at}.tol"), tol)?;
                    }
                    if opt.max_iter == Some(0) {
                        bail!("`{at}.max_iter` must be >= 1");
                    }
                    if let Some(sizes) = &opt.support_sizes {
                        if sizes.is_empty() || sizes.contains(&0) {
                            bail!("`{at}.support_sizes` must be non-empty and hold sizes >= 1");
                        }
                        check_unique(&format!("{at}.support_sizes"), sizes)?;
                    }
                    let config = path_config(reg, opt, &penalty);
                    feasible::check_batch(&at, entry, &penalty, config, &opt.settings)?;
                }
            }
            let label = opt.display_label();
            if label.is_empty() || label.contains(['/', ',', '\n', '"']) {
                bail!("`{at}.label` must be non-empty without `/`, `,`, quotes or newlines, got {label:?}");
            }
            if !seen.insert((reg.kind.clone(), label.clone())) {
                bail!(
                    "`{at}`: optimizer `{label}` appears twice for regularizer `{}`; give one a distinct `label`",
                    reg.kind
                );
            }
        }
        Ok(())
    }
}

impl ExperimentSpec {
    /// The shared online config the runs of `opt` are given (with a sparse store; the run sets
    /// the dense store's dimension and the seed).
    pub fn online_config(&self, opt: &OptimizerSpec) -> optimizers::online::OnlineConfig {
        let training = opt.training().or(&self.grid.training());
        let defaults = optimizers::online::OnlineConfig::default();
        optimizers::online::OnlineConfig {
            loss: self.data.loss,
            schedule: training.schedule.unwrap_or(DEFAULT_SCHEDULE),
            clip_norm: training.clip_norm,
            admission: opt.admission.map_or(Default::default(), AdmissionSpec::to_config),
            bloom_counters: opt.bloom_counters.map_or(defaults.bloom_counters, |b| b.counters()),
            sweep_every: opt.sweep_every,
            memory_cap: self.grid.memory_cap_bytes(),
            coefficients: opt.coefficients.unwrap_or_default(),
            ..defaults
        }
    }
}

/// The path config of a batch entry as written (lambdas or path of the optimizer, else of the
/// regularizer; library defaults for unset keys).
fn path_config(
    reg: &RegularizerSpec,
    opt: &OptimizerSpec,
    penalty: &Penalty,
) -> optimizers::batch::PathConfig {
    let defaults = optimizers::batch::PathConfig::default();
    let path = opt.path.or(reg.path);
    optimizers::batch::PathConfig {
        convention: penalty.convention(),
        tol: opt.tol.unwrap_or(defaults.tol),
        max_iter: opt.max_iter.unwrap_or(defaults.max_iter),
        support_sizes: opt.support_sizes.clone(),
        lambdas: opt.lambdas.clone().or_else(|| reg.lambdas.clone()),
        n_lambdas: path.map_or(defaults.n_lambdas, |p| p.n),
        lambda_min_ratio: path.map_or(defaults.lambda_min_ratio, |p| p.min_ratio),
        ..defaults
    }
}

/// "its own keys: a, b" for error messages about an optimizer's settings.
fn keys_hint(keys: &[regularizers::SettingDoc]) -> String {
    if keys.is_empty() {
        "it has no keys of its own (see experiments/README.md for the shared ones)".to_string()
    } else {
        let names: Vec<&str> = keys.iter().map(|k| k.key).collect();
        format!(
            "its own keys: {} (see experiments/README.md for the shared ones)",
            names.join(", ")
        )
    }
}

fn check_path(key: &str, path: PathSpec) -> anyhow::Result<()> {
    if path.n == 0 {
        bail!("`{key}.n` must be >= 1");
    }
    if !(path.min_ratio > 0.0 && path.min_ratio < 1.0) {
        bail!("`{key}.min_ratio` must be in (0, 1), got {}", path.min_ratio);
    }
    Ok(())
}
