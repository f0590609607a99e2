//! L0 penalty `lambda * count(w != 0)`: non-convex; its prox is hard thresholding at
//! `sqrt(2 * eta * lambda)`, the building block of the L0 heuristics.

use crate::error::check_strength;
use crate::{hard_threshold, PenaltyParts, Regularizer, RegularizerError};

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

impl Regularizer for L0 {
    fn name(&self) -> &'static str {
        "l0"
    }
    fn parts(&self) -> PenaltyParts {
        PenaltyParts { l0: self.strength, ..Default::default() }
    }
    fn prox(&self, v: f64, eta: f64) -> f64 {
        hard_threshold(v, eta, self.strength)
    }
}
