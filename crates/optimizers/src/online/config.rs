//! What every online optimizer shares (the learner's settings), checked once by
//! [`OnlineConfig::validate`]. Each optimizer's own settings are its `Settings` type, in its file.
//!
//! | Name | Default | Purpose | Range |
//! |---|---|---|---|
//! | `loss` | `logistic` | loss in the margin | `logistic`, `squared` |
//! | `schedule` | [`DEFAULT_SCHEDULE`]: `inv_sqrt`, `eta0 = 0.5` | step size `eta_t` of the SGD-type optimizers (not FTRL, RDA) | `eta > 0` |
//! | `clip_norm` | none | clip the mini-batch gradient (all coordinates and the bias) to this Euclidean norm; the Crash Course uses 5.0 | `> 0` |
//! | `admission` | `all` | when a new feature gets a weight: always, after `n` sightings (counting Bloom filter), or with probability `p` (Poisson) | `n` in 1..=255, `p` in (0, 1] |
//! | `store` | `sparse` | sparse hash map (any dimension) or dense vector (dimension capped, see [`DENSE_STORE_MAX_BYTES`]) | |
//! | `bloom_counters` | 2^22 | counters (one byte each, 3 hashes) of the counting Bloom filter of `admission = count`; a spec may size it for the data instead (see `bloom_size`) | 64..=2^30 |
//! | `seed` | 0 | seed of the Poisson admission draws and of the randomized rounding of `coefficients` | any |
//! | `memory_cap` | none | the most bytes the training state may hold (store and admission filter), counting the moment a table grows (old and new table at once): a new coordinate that would need more is not created and the learner stops training ([`super::OnlineOptimizer::capped`]) | `>= 1` |
//! | `sweep_every` | none | every this many steps, catch every held coordinate up on the penalties it owes and drop those whose state became fresh (weight exactly 0 for the rules that keep nothing else), so that memory follows the model rather than every feature ever touched | `>= 1` |
//! | `coefficients` | `f64` | encoding of the store's coefficients: `f64`, `f32` (rounded to nearest), or `q2.13` (16-bit fixed point, randomized rounding); see `compact` | `f64`, `f32`, `q2.13` |

use serde::{Deserialize, Serialize};

use super::{Coefficients, OnlineError};
use crate::LossKind;

/// Largest dense store allowed, in bytes (256 MiB): beyond it use the sparse store.
pub const DENSE_STORE_MAX_BYTES: u64 = 256 << 20;

/// Largest counting Bloom filter allowed (one byte per counter: 1 GiB).
pub const MAX_BLOOM_COUNTERS: u32 = 1 << 30;

/// Step size `eta_t` of step `t = 1, 2, ...`; every schedule is non-increasing in `t`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Schedule {
    /// `eta_t = eta`.
    Constant {
        /// The step size.
        eta: f64,
    },
    /// `eta_t = eta0 / sqrt(t)`.
    InvSqrt {
        /// Step size of the first step.
        eta0: f64,
    },
    /// `eta_t = eta0 * t0 / (t0 + t - 1)` (Bottou's `eta0 / (1 + (t - 1) / t0)`).
    Inverse {
        /// Step size of the first step.
        eta0: f64,
        /// Number of steps after which the step size has halved.
        t0: f64,
    },
}

/// Short form for reports: `constant(0.1)`, `inv_sqrt(0.5)`, `inverse(0.5,1000)`.
impl std::fmt::Display for Schedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Schedule::Constant { eta } => write!(f, "constant({eta})"),
            Schedule::InvSqrt { eta0 } => write!(f, "inv_sqrt({eta0})"),
            Schedule::Inverse { eta0, t0 } => write!(f, "inverse({eta0},{t0})"),
        }
    }
}

impl Schedule {
    /// Step size of step `t` (1-based; `t = 0` is read as 1).
    #[inline]
    pub fn eta(&self, t: u64) -> f64 {
        let t = t.max(1) as f64;
        match *self {
            Schedule::Constant { eta } => eta,
            Schedule::InvSqrt { eta0 } => eta0 / t.sqrt(),
            Schedule::Inverse { eta0, t0 } => eta0 * t0 / (t0 + t - 1.0),
        }
    }

    /// Checks that every rate is finite and > 0; the error names the field (`schedule.eta0`).
    pub fn validate(&self) -> Result<(), OnlineError> {
        let (field, value) = match *self {
            Schedule::Constant { eta } => ("schedule.eta", eta),
            Schedule::InvSqrt { eta0 } => ("schedule.eta0", eta0),
            Schedule::Inverse { eta0, t0 } => {
                positive("schedule.t0", t0)?;
                ("schedule.eta0", eta0)
            }
        };
        positive(field, value)
    }
}

/// The one default learning rate of the SGD-type optimizers, `eta_t = 0.5 / sqrt(t)`, used
/// by [`OnlineConfig::default`] and by the runner for a spec without `schedule`. 0.5 is the
/// rate every committed SGD-type experiment and the peer comparisons set, so a spec that leaves
/// it out trains as they do.
pub const DEFAULT_SCHEDULE: Schedule = Schedule::InvSqrt { eta0: 0.5 };

impl Default for Schedule {
    fn default() -> Self {
        DEFAULT_SCHEDULE
    }
}

/// When a feature not yet in the store gets a weight (McMahan et al. 2013, section 4.1). A feature
/// that is not admitted keeps weight 0 and receives no update.
///
/// Written as in an experiment spec: `"all"`, `{ count = 3 }` or `{ poisson = 0.03 }`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(from = "AdmissionForm", into = "AdmissionForm")]
pub enum Admission {
    /// Every feature, at its first sighting.
    #[default]
    All,
    /// After it was seen `n` times, counted in a counting Bloom filter (counts can only be
    /// overestimated, so a feature may be admitted early, never late).
    Count {
        /// Sightings needed, 1..=255.
        n: u32,
    },
    /// With probability `p` at each sighting (Poisson inclusion).
    Poisson {
        /// Inclusion probability, in (0, 1].
        p: f64,
    },
}

/// The written form of [`Admission`]: one key naming the rule and holding its one value (the
/// shape specs have always used), where the library's variants name their field.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum AdmissionForm {
    All,
    Count(u32),
    Poisson(f64),
}

impl From<AdmissionForm> for Admission {
    fn from(form: AdmissionForm) -> Self {
        match form {
            AdmissionForm::All => Admission::All,
            AdmissionForm::Count(n) => Admission::Count { n },
            AdmissionForm::Poisson(p) => Admission::Poisson { p },
        }
    }
}

impl From<Admission> for AdmissionForm {
    fn from(admission: Admission) -> Self {
        match admission {
            Admission::All => AdmissionForm::All,
            Admission::Count { n } => AdmissionForm::Count(n),
            Admission::Poisson { p } => AdmissionForm::Poisson(p),
        }
    }
}

/// The layout of a weight store as a spec names it (`store = "sparse"` or `"dense"`): a
/// [`StoreKind`] without the dimension, which the data set fixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum StoreLayout {
    /// Hash map of touched coordinates (any dimension).
    #[default]
    Sparse,
    /// A dense vector of the whole dimension (small dimensions only).
    Dense,
}

impl StoreLayout {
    /// The store of this layout for a feature space of `dimension` coordinates.
    pub fn with_dimension(self, dimension: u64) -> StoreKind {
        match self {
            StoreLayout::Sparse => StoreKind::Sparse,
            StoreLayout::Dense => StoreKind::Dense { dimension },
        }
    }
}

/// Where per-coordinate state lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum StoreKind {
    /// Hash map keyed by feature id: a coordinate exists once admitted, any dimension.
    #[default]
    Sparse,
    /// A vector indexed by feature id (ids `>= dimension` are ignored and counted); only for
    /// small dimensions, see [`DENSE_STORE_MAX_BYTES`].
    Dense {
        /// Number of coordinates.
        dimension: u64,
    },
}

/// How FTRL-Proximal applies the regularizer's L1 and L2 strengths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum FtrlPenalty {
    /// As McMahan et al. 2013 Algorithm 1 and TensorFlow's `FtrlOptimizer`: `lambda1`, `lambda2`
    /// as given, once, against the *sum* of the per-step losses (so their effect fades as steps
    /// accumulate). Use this to reproduce the Crash Course and TensorFlow numbers.
    #[default]
    Total,
    /// `lambda1 * t`, `lambda2 * t` after `t` steps: the minimizer of the *mean* loss plus the
    /// penalty, the objective the other optimizers (and RDA, by construction) work on. Use this
    /// to compare optimizers at equal strength.
    PerStep,
}

/// Everything an online optimizer needs besides the regularizer and its own settings. See the
/// module table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OnlineConfig {
    /// Loss in the margin.
    pub loss: LossKind,
    /// Step sizes of the SGD-type optimizers.
    pub schedule: Schedule,
    /// Mini-batch gradient-norm clipping threshold.
    pub clip_norm: Option<f64>,
    /// Feature admission rule.
    pub admission: Admission,
    /// Weight store.
    pub store: StoreKind,
    /// Counters of the admission Bloom filter.
    pub bloom_counters: u32,
    /// Seed of the random admission draws (and of the coefficients' randomized rounding).
    pub seed: u64,
    /// Steps between two sweeps of the store (none: never; see the module table).
    pub sweep_every: Option<u64>,
    /// Largest training state allowed, growth included (none: no cap; see the module table).
    pub memory_cap: Option<u64>,
    /// Encoding of the store's coefficients.
    pub coefficients: Coefficients,
}

impl Default for OnlineConfig {
    fn default() -> Self {
        Self {
            loss: LossKind::Logistic,
            schedule: Schedule::default(),
            clip_norm: None,
            admission: Admission::All,
            store: StoreKind::Sparse,
            bloom_counters: 1 << 22,
            seed: 0,
            sweep_every: None,
            memory_cap: None,
            coefficients: Coefficients::F64,
        }
    }
}

impl OnlineConfig {
    /// Checks every field; the error names the first field out of range.
    pub fn validate(&self) -> Result<(), OnlineError> {
        self.schedule.validate()?;
        if let Some(c) = self.clip_norm {
            positive("clip_norm", c)?;
        }
        match self.admission {
            Admission::All => {}
            Admission::Count { n } => {
                if !(1..=255).contains(&n) {
                    return Err(bad("admission.n", format!("must be in 1..=255, got {n}")));
                }
            }
            Admission::Poisson { p } => {
                if !(p > 0.0 && p <= 1.0) {
                    return Err(bad("admission.p", format!("must be in (0, 1], got {p}")));
                }
            }
        }
        if let StoreKind::Dense { dimension } = self.store {
            if dimension == 0 {
                return Err(bad("store.dimension", "must be >= 1, got 0".to_string()));
            }
            if self.admission != Admission::All {
                return Err(bad(
                    "admission",
                    "must be `all` with a dense store (every coordinate is already held)"
                        .to_string(),
                ));
            }
        }
        if self.memory_cap == Some(0) {
            return Err(bad("memory_cap", "must be >= 1 byte, got 0".to_string()));
        }
        if self.sweep_every == Some(0) {
            return Err(bad("sweep_every", "must be >= 1, got 0".to_string()));
        }
        if !(64..=MAX_BLOOM_COUNTERS).contains(&self.bloom_counters) {
            return Err(bad(
                "bloom_counters",
                format!("must be in 64..={MAX_BLOOM_COUNTERS}, got {}", self.bloom_counters),
            ));
        }
        Ok(())
    }
}

pub(crate) fn bad(field: &'static str, reason: String) -> OnlineError {
    OnlineError::BadConfig { field, reason }
}

pub(crate) fn positive(field: &'static str, value: f64) -> Result<(), OnlineError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(bad(field, format!("must be finite and > 0, got {value}")))
    }
}
