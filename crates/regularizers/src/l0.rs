//! L0 penalty `lambda * count(w != 0)`: non-convex; its prox is hard thresholding at
//! `sqrt(2 * eta * lambda)`, the building block of the L0 heuristics.

use crate::error::check_strength;
use serde::{Deserialize, Serialize};

use crate::registry::Configurable;
use crate::{hard_threshold, MixedPenalty, PenaltyClass, PenaltyParts, RegularizerError};

/// Counts nonzero weights.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct L0 {
    strength: f64,
}

impl L0 {
    /// An L0 penalty `strength * count(w != 0)`.
    pub fn new(strength: f64) -> Result<Self, RegularizerError> {
        Ok(Self { strength: check_strength("l0", "lambda", strength)? })
    }
}

/// L0 has no settings besides lambda.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct L0Settings {}

impl Configurable for L0 {
    const NAME: &'static str = "l0";
    const SUMMARY: &'static str =
        "`lambda |w|_0`, nonconvex: hard thresholding online, L0 heuristics in batch";
    const KEYS: &'static [crate::SettingDoc] = &[];
    type Settings = L0Settings;
    fn configure(lambda: f64, _settings: &L0Settings) -> Result<Self, RegularizerError> {
        Self::new(lambda)
    }
}

impl MixedPenalty for L0 {
    fn name(&self) -> &'static str {
        "l0"
    }
    fn class(&self) -> PenaltyClass {
        PenaltyClass::CountOfNonzeros
    }
    fn mix(&self) -> PenaltyParts {
        PenaltyParts { l0: self.strength, ..Default::default() }
    }
    fn prox(&self, v: f64, eta: f64) -> f64 {
        hard_threshold(v, eta, self.strength)
    }
}
