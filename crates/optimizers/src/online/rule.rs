//! The per-coordinate update rule: the one thing each online optimizer defines. Everything else
//! (store, mini-batching, clipping, admission, bias, divergence, the lazy clock) is the shared
//! [`super::learner::Learner`].

use regularizers::{PenaltyParts, SettingDoc};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::coefficients::CoefficientWord;
use super::ledger::{Clock, Ledger, PenaltyStep, Scaled};
use super::{OnlineConfig, OnlineError, OnlineOptimizer};

/// One optimizer's state and update for a single coordinate.
pub(crate) trait CoordinateRule: Send + Sized + 'static {
    /// Per-coordinate state (weight and/or accumulators), fresh when the coordinate is created.
    type State: CoordinateState;

    /// The name used in specs and reports.
    const NAME: &'static str;
    /// One line describing it (registry listing, README).
    const SUMMARY: &'static str;
    /// Its settings, documented.
    const KEYS: &'static [SettingDoc];
    /// Its settings as written in a spec's optimizer table (every field optional, unknown keys
    /// rejected).
    type Settings: DeserializeOwned + Serialize + Default;

    /// The rule for a penalty with these parts; errors name the setting at fault, or the
    /// optimizer and regularizer when the pair is not supported.
    fn new(
        parts: PenaltyParts,
        regularizer: &'static str,
        settings: &Self::Settings,
        config: &OnlineConfig,
    ) -> Result<Self, OnlineError>;

    /// How the step sizes of a run are described in reports: the schedule by default; rules
    /// with their own rates (FTRL, RDA) or a setting that changes what lambda means say so.
    fn rate_text(_settings: &Self::Settings, schedule: &super::Schedule) -> String {
        schedule.to_string()
    }

    /// The same rule without any penalty, used for the (unpenalized) bias.
    fn unpenalized(&self) -> Self;

    /// The penalty-only map of the step just completed (`clock.completed` is its index), for the
    /// lazy ledger. Rules that need no catch-up keep the default.
    fn penalty_step(&self, _clock: &Clock) -> PenaltyStep {
        PenaltyStep::NONE
    }

    /// Brings the state up to date with every penalty step it missed and returns the weight to
    /// predict with.
    fn catch_up(&self, state: &mut Self::State, clock: &Clock, ledger: &Ledger) -> f64;

    /// Applies the step just completed (`clock`, `ledger` already advanced) with the loss
    /// gradient `gradient` to a state caught up before that step; returns the new weight.
    fn update(&self, state: &mut Self::State, gradient: f64, clock: &Clock, ledger: &Ledger)
        -> f64;

    /// This rule's learner with its coefficients in the narrower word `W` (q2.13 or `f32`:
    /// `compact::boxed_learner` with the codec of its state), for a validated `config`. Rules
    /// without a narrow encoding of their state keep this refusal.
    fn boxed_compact<W: CoefficientWord>(
        self,
        config: &OnlineConfig,
    ) -> Result<Box<dyn OnlineOptimizer>, OnlineError> {
        Err(OnlineError::BadConfig {
            field: "coefficients",
            reason: format!(
                "`{}` is not available for `{}`: its per-coordinate state is a running total, \
                 not a coefficient (available for sgd_subgradient, truncated_gradient, fobos, \
                 hard_threshold and ftrl)",
                config.coefficients.as_str(),
                Self::NAME
            ),
        })
    }
}

/// What the learner needs of any rule's per-coordinate state, implemented once per state type
/// (several rules share one).
pub(crate) trait CoordinateState: Copy + Default + Send + 'static {
    /// True when the state is exactly the fresh one, so the coordinate can be dropped.
    fn is_removable(&self) -> bool;

    /// Multiplies the quantities kept in ledger units by `factor` (ledger rebase).
    fn rescale(&mut self, _factor: f64) {}
}

/// A single accumulator (a weight, or a gradient sum) that needs no rebase.
impl CoordinateState for f64 {
    fn is_removable(&self) -> bool {
        *self == 0.0
    }
}

/// A weight in ledger units: rebased with the ledger. (Implemented here, not in `ledger.rs`, so
/// that the ledger does not import the rules that use it.)
impl CoordinateState for Scaled {
    fn is_removable(&self) -> bool {
        self.v == 0.0
    }

    fn rescale(&mut self, factor: f64) {
        Scaled::rescale(self, factor);
    }
}

/// `Unsupported` for a regularizer with a part this rule cannot apply.
pub(crate) fn reject_parts(
    optimizer: &'static str,
    regularizer: &'static str,
    parts: PenaltyParts,
    allow_l1_l2: bool,
    allow_l0: bool,
) -> Result<(), OnlineError> {
    let reason = if !allow_l0 && parts.l0 != 0.0 {
        "it has no L0 step (use hard_threshold for L0)"
    } else if !allow_l1_l2 && (parts.l1 != 0.0 || parts.l2_grad != 0.0) {
        "it applies only the L0 penalty (use fobos, ftrl or truncated_gradient for L1/L2)"
    } else {
        return Ok(());
    };
    Err(OnlineError::Unsupported { optimizer, regularizer, reason: reason.to_string() })
}

/// Rules that take L2 as a gradient step `w (1 - eta c)` need `eta_1 * c < 1` (otherwise the
/// step flips or zeroes every weight); the error names the schedule.
pub(crate) fn check_gradient_l2(
    kind: &'static str,
    l2_grad: f64,
    first_eta: f64,
) -> Result<(), OnlineError> {
    if first_eta * l2_grad < 1.0 {
        Ok(())
    } else {
        Err(OnlineError::BadConfig {
            field: "schedule",
            reason: format!(
                "first step size {first_eta} times the L2 gradient coefficient {l2_grad} must be \
                 < 1 for `{kind}` (it takes the L2 penalty as a gradient step)"
            ),
        })
    }
}
