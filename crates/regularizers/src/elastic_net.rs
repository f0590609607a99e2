//! Elastic net: `lambda * (l1_ratio * |w| + (1 - l1_ratio) * L2(w))`, the L2 part in a named
//! convention (with the TensorFlow convention this is glmnet's and scikit-learn's objective).

use crate::error::check_strength;
use serde::{Deserialize, Serialize};

use crate::registry::Configurable;
use crate::{
    soft_threshold, L2Convention, MixedPenalty, PenaltyClass, PenaltyParts, RegularizerError,
};

/// A mix of L1 and L2.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ElasticNet {
    l1: f64,
    l2_grad: f64,
    convention: L2Convention,
}

impl ElasticNet {
    /// `lambda * l1_ratio * |w|` plus an L2 of strength `lambda * (1 - l1_ratio)`.
    pub fn new(
        lambda: f64,
        l1_ratio: f64,
        convention: L2Convention,
    ) -> Result<Self, RegularizerError> {
        let lambda = check_strength("elastic_net", "lambda", lambda)?;
        if !(0.0..=1.0).contains(&l1_ratio) {
            return Err(RegularizerError::BadRatio(l1_ratio));
        }
        Ok(Self {
            l1: lambda * l1_ratio,
            l2_grad: convention.grad_coefficient(lambda * (1.0 - l1_ratio)),
            convention,
        })
    }
}

/// Settings of `elastic_net`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElasticNetSettings {
    /// L1 share of lambda (default 0.5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub l1_ratio: Option<f64>,
    /// Meaning of the L2 part's strength (default `tensorflow`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub convention: Option<L2Convention>,
}

impl Configurable for ElasticNet {
    const NAME: &'static str = "elastic_net";
    const SUMMARY: &'static str = "`lambda (l1_ratio |w|_1 + (1 - l1_ratio) L2(w))`";
    const KEYS: &'static [crate::SettingDoc] = &[
        crate::SettingDoc { key: "l1_ratio", default: "0.5", doc: "L1 share of lambda, in [0, 1]" },
        crate::SettingDoc {
            key: "convention",
            default: "tensorflow",
            doc: "meaning of the L2 part, as for `l2`",
        },
    ];
    type Settings = ElasticNetSettings;
    fn configure(lambda: f64, settings: &ElasticNetSettings) -> Result<Self, RegularizerError> {
        Self::new(lambda, settings.l1_ratio.unwrap_or(0.5), settings.convention.unwrap_or_default())
    }
}

impl MixedPenalty for ElasticNet {
    fn name(&self) -> &'static str {
        "elastic_net"
    }
    fn class(&self) -> PenaltyClass {
        PenaltyClass::Convex
    }
    fn l2_convention(&self) -> Option<L2Convention> {
        Some(self.convention)
    }
    fn mix(&self) -> PenaltyParts {
        PenaltyParts { l1: self.l1, l2_grad: self.l2_grad, l0: 0.0 }
    }
    fn prox(&self, v: f64, eta: f64) -> f64 {
        soft_threshold(v, eta * self.l1) / (1.0 + eta * self.l2_grad)
    }
}
