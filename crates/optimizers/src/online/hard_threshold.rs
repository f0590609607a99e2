//! Online L0: an SGD step on the loss, then the L0 proximal step (hard thresholding),
//! `w <- v if |v| > sqrt(2 eta l0) else 0` with `v = w - eta g`. On a step without gradient the
//! prox keeps a weight that survived a larger threshold before, and every schedule is
//! non-increasing, so unseen coordinates owe nothing: no catch-up. Supports L0 (and no penalty,
//! which is plain SGD); L1 and L2 belong to the other rules. State: the weight (8 bytes); a
//! coordinate is dropped when it is exactly 0, so the store holds only the surviving weights.

use regularizers::{hard_threshold, PenaltyParts};

use regularizers::SettingDoc;
use serde::{Deserialize, Serialize};

use super::coefficients::CoefficientWord;
use super::ledger::{Clock, Ledger};
use super::rule::{reject_parts, CoordinateRule};
use super::{compact, OnlineConfig, OnlineError, OnlineOptimizer};

/// `hard_threshold` has no settings of its own.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HardThresholdSettings {}

/// See the module doc.
pub(crate) struct HardThreshold {
    l0: f64,
}

impl HardThreshold {
    fn build(
        parts: PenaltyParts,
        regularizer: &'static str,
        _settings: &HardThresholdSettings,
        _config: &OnlineConfig,
    ) -> Result<Self, OnlineError> {
        reject_parts(Self::NAME, regularizer, parts, false, true)?;
        Ok(Self { l0: parts.l0 })
    }
}

impl CoordinateRule for HardThreshold {
    type State = f64;
    const NAME: &'static str = "hard_threshold";
    const SUMMARY: &'static str =
        "SGD step, then the L0 prox: hard thresholding at sqrt(2 eta lambda)";
    const KEYS: &'static [SettingDoc] = &[];
    type Settings = HardThresholdSettings;

    fn new(
        parts: PenaltyParts,
        regularizer: &'static str,
        settings: &HardThresholdSettings,
        config: &OnlineConfig,
    ) -> Result<Self, OnlineError> {
        Self::build(parts, regularizer, settings, config)
    }

    fn unpenalized(&self) -> Self {
        Self { l0: 0.0 }
    }

    fn catch_up(&self, w: &mut f64, _clock: &Clock, _ledger: &Ledger) -> f64 {
        *w
    }

    fn update(&self, w: &mut f64, gradient: f64, clock: &Clock, _ledger: &Ledger) -> f64 {
        *w = hard_threshold(*w - clock.eta * gradient, clock.eta, self.l0);
        *w
    }

    fn boxed_compact<W: CoefficientWord>(
        self,
        config: &OnlineConfig,
    ) -> Result<Box<dyn OnlineOptimizer>, OnlineError> {
        compact::boxed_learner(self, config, compact::WeightCodec::<W>::default())
    }
}
