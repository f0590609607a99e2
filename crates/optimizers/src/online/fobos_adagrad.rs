//! FOBOS-L1 with per-coordinate rates: `g2 += g^2; eta_i = alpha / (beta + sqrt(g2));
//! w <- S(w - eta_i g, eta_i l1)`, the rule of `fobos` with the rate of FTRL-Proximal (see
//! `adagrad`). A coordinate missing from a step owes `S(., eta_i l1)` for it, caught up lazily
//! as one soft threshold of the summed amount (exact: successive soft thresholds add up).
//! State: weight, ledger mark, squared-gradient sum (24 bytes), kept while touched. L1 only.

use regularizers::{soft_threshold, PenaltyParts};

use regularizers::SettingDoc;

use super::adagrad::{reject_non_l1, AdaGradRate, AdaGradSettings, Adaptive, KEYS};
use super::ledger::{Clock, Ledger, PenaltyStep};
use super::rule::CoordinateRule;
use super::{OnlineConfig, OnlineError};

/// See the module doc.
pub(crate) struct FobosAdaGrad {
    l1: f64,
    rate: AdaGradRate,
}

impl CoordinateRule for FobosAdaGrad {
    type State = Adaptive;
    const NAME: &'static str = "fobos_adagrad";
    const SUMMARY: &'static str =
        "FOBOS-L1 with per-coordinate (AdaGrad-style) rates alpha / (beta + sqrt(sum g^2))";
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
        // In units of the rate: a coordinate multiplies the owed total by its own eta_i.
        PenaltyStep { subtract: self.l1, shrink: 1.0 }
    }

    fn catch_up(&self, state: &mut Adaptive, _clock: &Clock, ledger: &Ledger) -> f64 {
        let owed = (ledger.total - state.mark).max(0.0) * self.rate.eta(state.g2);
        state.w = soft_threshold(state.w, owed);
        state.mark = ledger.total;
        state.w
    }

    fn update(&self, state: &mut Adaptive, gradient: f64, _clock: &Clock, ledger: &Ledger) -> f64 {
        state.g2 += gradient * gradient;
        let eta = self.rate.eta(state.g2);
        state.w = soft_threshold(state.w - eta * gradient, eta * self.l1);
        state.mark = ledger.total;
        state.w
    }
}
