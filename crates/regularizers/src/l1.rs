//! L1 (lasso) penalty `lambda * sum(|w|)`: its prox subtracts a constant and clips at zero.

use crate::error::check_strength;
use serde::{Deserialize, Serialize};

use crate::registry::Configurable;
use crate::{soft_threshold, MixedPenalty, PenaltyClass, PenaltyParts, RegularizerError};

/// Lasso penalty; the convex stand-in for L0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct L1 {
    strength: f64,
}

impl L1 {
    /// An L1 penalty `strength * sum(|w|)`.
    pub fn new(strength: f64) -> Result<Self, RegularizerError> {
        Ok(Self { strength: check_strength("l1", "lambda", strength)? })
    }
}

/// L1 has no settings besides lambda.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct L1Settings {}

impl Configurable for L1 {
    const NAME: &'static str = "l1";
    const SUMMARY: &'static str = "lasso `lambda |w|_1`: soft thresholding, exact zeros";
    const KEYS: &'static [crate::SettingDoc] = &[];
    type Settings = L1Settings;
    fn configure(lambda: f64, _settings: &L1Settings) -> Result<Self, RegularizerError> {
        Self::new(lambda)
    }
}

impl MixedPenalty for L1 {
    fn name(&self) -> &'static str {
        "l1"
    }
    fn class(&self) -> PenaltyClass {
        PenaltyClass::Convex
    }
    fn mix(&self) -> PenaltyParts {
        PenaltyParts { l1: self.strength, ..Default::default() }
    }
    fn prox(&self, v: f64, eta: f64) -> f64 {
        soft_threshold(v, eta * self.strength)
    }
}
