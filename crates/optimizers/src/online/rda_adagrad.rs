//! L1-RDA with per-coordinate rates (the diagonal AdaGrad form of dual averaging, Duchi, Hazan &
//! Singer 2011): with the coordinate's gradient sum `s`, squared-gradient sum `g2` and `t` steps,
//! `w = 0 if |s| <= t l1, else -(s - t l1 sign(s)) alpha / (beta + sqrt(g2))`: `rda`'s
//! `gamma sqrt(t)` replaced by the rate of FTRL-Proximal (see `adagrad`). Steps without a
//! gradient add zero to both sums, so no catch-up is needed. State: the two sums (16 bytes),
//! kept while touched. L1 only.

use regularizers::{sign, PenaltyParts};

use regularizers::SettingDoc;

use super::adagrad::{reject_non_l1, AdaGradRate, AdaGradSettings, Sums, KEYS};
use super::ledger::{Clock, Ledger};
use super::rule::CoordinateRule;
use super::{OnlineConfig, OnlineError};

/// See the module doc.
pub(crate) struct RdaAdaGrad {
    l1: f64,
    rate: AdaGradRate,
}

impl RdaAdaGrad {
    fn weight(&self, sums: &Sums, steps: u64) -> f64 {
        let threshold = steps as f64 * self.l1;
        if sums.g.abs() <= threshold {
            0.0
        } else {
            -(sums.g - threshold * sign(sums.g)) * self.rate.eta(sums.g2)
        }
    }
}

impl CoordinateRule for RdaAdaGrad {
    type State = Sums;
    const NAME: &'static str = "rda_adagrad";
    const SUMMARY: &'static str =
        "regularized dual averaging with per-coordinate (AdaGrad-style) rates (Duchi et al. 2011)";
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

    fn catch_up(&self, sums: &mut Sums, clock: &Clock, _ledger: &Ledger) -> f64 {
        self.weight(sums, clock.completed)
    }

    fn update(&self, sums: &mut Sums, gradient: f64, clock: &Clock, _: &Ledger) -> f64 {
        sums.g += gradient;
        sums.g2 += gradient * gradient;
        self.weight(sums, clock.completed)
    }
}
