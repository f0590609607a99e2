//! Per-coordinate (AdaGrad-style) learning rates for the rules that otherwise take one global
//! schedule (`fobos_adagrad`, `sgd_adagrad`, `rda_adagrad`): coordinate `i` steps with
//! `eta_i = alpha / (beta + sqrt(sum of its squared gradients))`, the rate FTRL-Proximal uses
//! (same keys' meaning and defaults as `ftrl_alpha`, `ftrl_beta`), so that comparing them with
//! FTRL tells the update rule apart from the step size. The global schedule is not used.
//!
//! Memory: the squared-gradient sum is one more f64 per coordinate, and it is state, so a
//! touched coordinate is kept even at weight 0 (as FTRL keeps `z`, `n`): 24 bytes per touched
//! coordinate for the FOBOS and SGD rules (16 without adaptive rates, dropped at weight 0), 16
//! for RDA (8).
//!
//! Lazy penalty: only L1 is supported (L2 would need a per-coordinate shrink history). With no
//! shrink the ledger's total is the number of steps times `l1`, and a coordinate's rate does not
//! change while it gets no gradient, so the penalty it owes since its last update is exactly
//! `eta_i * (total - mark)`.

use regularizers::{PenaltyParts, SettingDoc};
use serde::{Deserialize, Serialize};

use super::config::positive;
use super::rule::{reject_parts, CoordinateState};
use super::OnlineError;

const DEFAULT_ALPHA: f64 = 0.1;
const DEFAULT_BETA: f64 = 1.0;

/// The keys of every per-coordinate-rate rule.
pub(crate) const KEYS: &[SettingDoc] = &[
    SettingDoc {
        key: "adagrad_alpha",
        default: "0.1",
        doc: "per-coordinate rate alpha / (beta + sqrt(sum g^2)), as FTRL's ftrl_alpha; > 0",
    },
    SettingDoc { key: "adagrad_beta", default: "1.0", doc: "beta of that rate; > 0" },
];

/// Settings of the per-coordinate-rate rules.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdaGradSettings {
    /// `alpha`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adagrad_alpha: Option<f64>,
    /// `beta`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adagrad_beta: Option<f64>,
}

/// `alpha / (beta + sqrt(g2))`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct AdaGradRate {
    alpha: f64,
    beta: f64,
}

impl AdaGradRate {
    /// The rate of these settings, checked.
    pub(crate) fn of(settings: &AdaGradSettings) -> Result<Self, OnlineError> {
        let alpha = settings.adagrad_alpha.unwrap_or(DEFAULT_ALPHA);
        positive("adagrad_alpha", alpha)?;
        let beta = settings.adagrad_beta.unwrap_or(DEFAULT_BETA);
        // > 0 (FTRL allows 0): a coordinate's first step would otherwise divide by 0 when its
        // gradient is 0.
        positive("adagrad_beta", beta)?;
        Ok(Self { alpha, beta })
    }

    /// The step size of a coordinate whose squared gradients sum to `g2` (alpha / beta for an
    /// untouched one).
    #[inline]
    pub(crate) fn eta(&self, g2: f64) -> f64 {
        self.alpha / (self.beta + g2.sqrt())
    }

    /// How reports name it.
    pub(crate) fn text(settings: &AdaGradSettings) -> String {
        format!(
            "adagrad(alpha={},beta={})",
            settings.adagrad_alpha.unwrap_or(DEFAULT_ALPHA),
            settings.adagrad_beta.unwrap_or(DEFAULT_BETA)
        )
    }
}

/// L1 only (no L2, no L0), with the reason in the error.
pub(crate) fn reject_non_l1(
    optimizer: &'static str,
    regularizer: &'static str,
    parts: PenaltyParts,
) -> Result<(), OnlineError> {
    reject_parts(optimizer, regularizer, parts, true, false)?;
    if parts.l2_grad != 0.0 {
        return Err(OnlineError::Unsupported {
            optimizer,
            regularizer,
            reason: "with per-coordinate rates only the L1 part is applied lazily (use the \
                     global-rate rule for L2 and the elastic net)"
                .to_string(),
        });
    }
    Ok(())
}

/// A weight, the ledger total at its last update, and the coordinate's squared-gradient sum.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Adaptive {
    /// The weight.
    pub(crate) w: f64,
    /// The ledger total when `w` was last brought up to date.
    pub(crate) mark: f64,
    /// Sum of the squared gradients so far.
    pub(crate) g2: f64,
}

impl CoordinateState for Adaptive {
    fn is_removable(&self) -> bool {
        self.w == 0.0 && self.g2 == 0.0
    }

    fn rescale(&mut self, factor: f64) {
        // Only the mark is in ledger units: without L2 the scale stays 1 and no rebase occurs.
        self.mark *= factor;
    }
}

/// A gradient sum and a squared-gradient sum (`rda_adagrad`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Sums {
    /// Sum of the gradients.
    pub(crate) g: f64,
    /// Sum of the squared gradients.
    pub(crate) g2: f64,
}

impl CoordinateState for Sums {
    fn is_removable(&self) -> bool {
        self.g == 0.0 && self.g2 == 0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_falls_with_the_squared_gradients_and_bad_settings_are_refused() {
        let rate = AdaGradRate::of(&AdaGradSettings::default()).unwrap();
        assert_eq!(rate.eta(0.0), 0.1);
        assert!((rate.eta(9.0) - 0.1 / 4.0).abs() < 1e-15);
        let bad_alpha = AdaGradSettings { adagrad_alpha: Some(0.0), ..Default::default() };
        assert!(AdaGradRate::of(&bad_alpha).is_err());
        let bad_beta = AdaGradSettings { adagrad_beta: Some(-1.0), ..Default::default() };
        assert!(AdaGradRate::of(&bad_beta).is_err());
        assert_eq!(AdaGradRate::text(&AdaGradSettings::default()), "adagrad(alpha=0.1,beta=1)");
        let l2 = PenaltyParts { l2_grad: 0.1, ..Default::default() };
        assert!(reject_non_l1("fobos_adagrad", "l2", l2).is_err());
        assert!(reject_non_l1(
            "fobos_adagrad",
            "l1",
            PenaltyParts { l1: 0.1, ..Default::default() }
        )
        .is_ok());
    }
}
