//! SGD with the plain L1 subgradient: `w <- w (1 - eta c) - eta (g + l1 sign(w))`.
//!
//! The subgradient steps over zero instead of stopping on it, so weights end near zero but
//! almost never exactly at zero: this is the baseline that shows why the other rules exist.
//! Missed steps are caught up as one subgradient step with the summed step size (exact while the
//! sign does not change; like the eager method, it may overshoot zero). L2 is a gradient step,
//! applied lazily through the ledger scale. State: scaled weight and ledger mark (16 bytes);
//! a coordinate is dropped when its weight is exactly 0.

use regularizers::{sign, PenaltyParts};

use regularizers::SettingDoc;
use serde::{Deserialize, Serialize};

use super::coefficients::CoefficientWord;
use super::ledger::{Clock, Ledger, PenaltyStep, Scaled};
use super::rule::{check_gradient_l2, reject_parts, CoordinateRule};
use super::{compact, OnlineConfig, OnlineError, OnlineOptimizer};

/// `sgd_subgradient` has no settings of its own.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SgdSubgradientSettings {}

/// See the module doc.
pub(crate) struct SgdSubgradient {
    parts: PenaltyParts,
}

impl SgdSubgradient {
    fn build(
        parts: PenaltyParts,
        regularizer: &'static str,
        _settings: &SgdSubgradientSettings,
        config: &OnlineConfig,
    ) -> Result<Self, OnlineError> {
        reject_parts(Self::NAME, regularizer, parts, true, false)?;
        check_gradient_l2(Self::NAME, parts.l2_grad, config.schedule.eta(1))?;
        Ok(Self { parts })
    }
}

impl CoordinateRule for SgdSubgradient {
    type State = Scaled;
    const NAME: &'static str = "sgd_subgradient";
    const SUMMARY: &'static str =
        "SGD with the penalty as a subgradient (L1 almost never gives exact zeros)";
    const KEYS: &'static [SettingDoc] = &[];
    type Settings = SgdSubgradientSettings;

    fn new(
        parts: PenaltyParts,
        regularizer: &'static str,
        settings: &SgdSubgradientSettings,
        config: &OnlineConfig,
    ) -> Result<Self, OnlineError> {
        Self::build(parts, regularizer, settings, config)
    }

    fn unpenalized(&self) -> Self {
        Self { parts: PenaltyParts::default() }
    }

    fn penalty_step(&self, clock: &Clock) -> PenaltyStep {
        // w (1 - eta c) - eta l1 sign(w) = (w - sign(w) eta l1 b) / b with b = 1 / (1 - eta c).
        PenaltyStep::after_gradient_l2(clock.eta, self.parts.l2_grad, clock.eta * self.parts.l1)
    }

    fn catch_up(&self, state: &mut Scaled, _clock: &Clock, ledger: &Ledger) -> f64 {
        state.catch_up_unclipped(ledger)
    }

    fn update(&self, state: &mut Scaled, gradient: f64, clock: &Clock, ledger: &Ledger) -> f64 {
        let (eta, p) = (clock.eta, self.parts);
        let w = state.previous_weight(ledger);
        let next = w * (1.0 - eta * p.l2_grad) - eta * (gradient + p.l1 * sign(w));
        state.set(next, ledger);
        next
    }

    fn boxed_compact<W: CoefficientWord>(
        self,
        config: &OnlineConfig,
    ) -> Result<Box<dyn OnlineOptimizer>, OnlineError> {
        compact::boxed_learner(self, config, compact::ScaledCodec::<W>::default())
    }
}
