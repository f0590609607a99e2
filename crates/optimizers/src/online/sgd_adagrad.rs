//! SGD (OGD) with per-coordinate rates: `g2 += g^2; eta_i = alpha / (beta + sqrt(g2));
//! w <- w - eta_i (g + l1 sign(w))`, the rule of `sgd_subgradient` with the rate of
//! FTRL-Proximal (see `adagrad`); with no penalty it is per-coordinate-rate OGD (McMahan's
//! OGD-Count with count admission). Missed L1 steps are caught up as one subgradient step of
//! the summed amount, as `sgd_subgradient` does. State: weight, ledger mark, squared-gradient
//! sum (24 bytes), kept while touched. L1 only.

use regularizers::{sign, PenaltyParts};

use regularizers::SettingDoc;

use super::adagrad::{reject_non_l1, AdaGradRate, AdaGradSettings, Adaptive, KEYS};
use super::ledger::{Clock, Ledger, PenaltyStep};
use super::rule::CoordinateRule;
use super::{OnlineConfig, OnlineError};

/// See the module doc.
pub(crate) struct SgdAdaGrad {
    l1: f64,
    rate: AdaGradRate,
}

impl CoordinateRule for SgdAdaGrad {
    type State = Adaptive;
    const NAME: &'static str = "sgd_adagrad";
    const SUMMARY: &'static str =
        "SGD with the L1 subgradient and per-coordinate (AdaGrad-style) rates";
    const KEYS: &'static [SettingDoc] = KEYS;
    type Settings = AdaGradSettings;

    fn new(
        parts: PenaltyParts,
        regularizer: &'static str,
        settings: &AdaGradSettings,
        _config: &OnlineConfig,
    ) -> Result<Self, OnlineError> {
        reject_non_l1(Self::NAME, regularizer, parts)?;
        Ok(Self { l1: parts.l1, rate: AdaGradRate::of(settings)? })
    }

    fn rate_text(settings: &AdaGradSettings, _schedule: &super::Schedule) -> String {
        AdaGradRate::text(settings)
    }

    fn unpenalized(&self) -> Self {
        Self { l1: 0.0, rate: self.rate }
    }

    fn penalty_step(&self, _clock: &Clock) -> PenaltyStep {
        PenaltyStep { subtract: self.l1, shrink: 1.0 }
    }

    fn catch_up(&self, state: &mut Adaptive, _clock: &Clock, ledger: &Ledger) -> f64 {
        let owed = (ledger.total - state.mark).max(0.0) * self.rate.eta(state.g2);
        state.w -= sign(state.w) * owed;
        state.mark = ledger.total;
        state.w
    }

    fn update(&self, state: &mut Adaptive, gradient: f64, _clock: &Clock, ledger: &Ledger) -> f64 {
        state.g2 += gradient * gradient;
        let eta = self.rate.eta(state.g2);
        state.w -= eta * (gradient + self.l1 * sign(state.w));
        state.mark = ledger.total;
        state.w
    }
}
