//! L2 (ridge) penalty in its two common conventions.
//!
//! TensorFlow 1 `tf.contrib.layers.l2_regularizer(scale)` is `scale * sum(w^2) / 2` (12.5 on
//! `[3, 4]` with scale 1); Keras `tf.keras.regularizers.L2(l2)` is `l2 * sum(w^2)` (50 for
//! `L2(2.)` on a 5x5 matrix of ones). The same number therefore means gradient `scale * w` in one
//! and `2 * l2 * w` in the other; which one was used is carried into every report.

use serde::{Deserialize, Serialize};

use crate::error::check_strength;
use crate::registry::Configurable;
use crate::{MixedPenalty, PenaltyClass, PenaltyParts, RegularizerError};

/// Which meaning the L2 strength has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum L2Convention {
    /// `strength * sum(w^2) / 2` (TensorFlow 1 `l2_regularizer`, glmnet, scikit-learn's `alpha`).
    #[default]
    Tensorflow,
    /// `strength * sum(w^2)` (Keras `regularizers.L2`).
    Keras,
}

impl L2Convention {
    /// Coefficient `c` of the gradient `c * w` for a given strength.
    pub fn grad_coefficient(self, strength: f64) -> f64 {
        match self {
            L2Convention::Tensorflow => strength,
            L2Convention::Keras => 2.0 * strength,
        }
    }

    /// Name used in reports and specs.
    pub fn as_str(self) -> &'static str {
        match self {
            L2Convention::Tensorflow => "tensorflow",
            L2Convention::Keras => "keras",
        }
    }
}

/// Ridge penalty: shrinks every weight by a fraction, never to exactly zero.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct L2 {
    strength: f64,
    convention: L2Convention,
}

impl L2 {
    /// An L2 penalty of the given strength, read in the given convention.
    pub fn new(strength: f64, convention: L2Convention) -> Result<Self, RegularizerError> {
        Ok(Self { strength: check_strength("l2", "lambda", strength)?, convention })
    }
}

/// Settings of `l2`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct L2Settings {
    /// Meaning of lambda (default `tensorflow`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub convention: Option<L2Convention>,
}

impl Configurable for L2 {
    const NAME: &'static str = "l2";
    const SUMMARY: &'static str = "ridge: shrinks every weight, never to exactly zero";
    const KEYS: &'static [crate::SettingDoc] = &[crate::SettingDoc {
        key: "convention",
        default: "tensorflow",
        doc: "`tensorflow`: lambda/2 |w|^2; `keras`: lambda |w|^2",
    }];
    type Settings = L2Settings;
    fn configure(lambda: f64, settings: &L2Settings) -> Result<Self, RegularizerError> {
        Self::new(lambda, settings.convention.unwrap_or_default())
    }
}

impl MixedPenalty for L2 {
    fn name(&self) -> &'static str {
        "l2"
    }
    fn class(&self) -> PenaltyClass {
        PenaltyClass::Convex
    }
    fn l2_convention(&self) -> Option<L2Convention> {
        Some(self.convention)
    }
    fn mix(&self) -> PenaltyParts {
        PenaltyParts {
            l2_grad: self.convention.grad_coefficient(self.strength),
            ..Default::default()
        }
    }
    fn prox(&self, v: f64, eta: f64) -> f64 {
        v / (1.0 + eta * self.mix().l2_grad)
    }
}
