//! FOBOS (Duchi & Singer 2009): a gradient step on the loss, then the proximal step of the
//! penalty, `w <- S(w - eta g, eta l1) / (1 + eta c)` (the prox of `l1 |w| + c w^2 / 2`, i.e. of
//! L1, L2 and the elastic net). The shrinkage owed by an unseen coordinate is caught up lazily
//! through the ledger (running totals of `eta l1` and of the L2 scale). L0 belongs to
//! `hard_threshold`. State: scaled weight and ledger mark (16 bytes); a coordinate is dropped when
//! its weight is exactly 0.

use regularizers::{soft_threshold, PenaltyParts};

use regularizers::SettingDoc;
use serde::{Deserialize, Serialize};

use super::coefficients::CoefficientWord;
use super::ledger::{Clock, Ledger, PenaltyStep, Scaled};
use super::rule::{reject_parts, CoordinateRule};
use super::{compact, OnlineConfig, OnlineError, OnlineOptimizer};

/// `fobos` has no settings of its own.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FobosSettings {}

/// See the module doc.
pub(crate) struct Fobos {
    parts: PenaltyParts,
}

impl Fobos {
    fn build(
        parts: PenaltyParts,
        regularizer: &'static str,
        _settings: &FobosSettings,
        _config: &OnlineConfig,
    ) -> Result<Self, OnlineError> {
        reject_parts(Self::NAME, regularizer, parts, true, false)?;
        Ok(Self { parts })
    }
}

impl CoordinateRule for Fobos {
    type State = Scaled;
    const NAME: &'static str = "fobos";
    const SUMMARY: &'static str =
        "forward-backward splitting: SGD step, then the prox of L1/L2 (Duchi & Singer 2009)";
    const KEYS: &'static [SettingDoc] = &[];
    type Settings = FobosSettings;

    fn new(
        parts: PenaltyParts,
        regularizer: &'static str,
        settings: &FobosSettings,
        config: &OnlineConfig,
    ) -> Result<Self, OnlineError> {
        Self::build(parts, regularizer, settings, config)
    }

    fn unpenalized(&self) -> Self {
        Self { parts: PenaltyParts::default() }
    }

    fn penalty_step(&self, clock: &Clock) -> PenaltyStep {
        PenaltyStep {
            subtract: clock.eta * self.parts.l1,
            shrink: 1.0 + clock.eta * self.parts.l2_grad,
        }
    }

    fn catch_up(&self, state: &mut Scaled, _clock: &Clock, ledger: &Ledger) -> f64 {
        state.catch_up_clipped(ledger)
    }

    fn update(&self, state: &mut Scaled, gradient: f64, clock: &Clock, ledger: &Ledger) -> f64 {
        let eta = clock.eta;
        let v = state.previous_weight(ledger) - eta * gradient;
        let next = soft_threshold(v, eta * self.parts.l1) / (1.0 + eta * self.parts.l2_grad);
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
