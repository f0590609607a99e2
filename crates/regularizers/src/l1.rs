//! L1 (lasso) penalty `lambda * sum(|w|)`: its prox subtracts a constant and clips at zero.

use crate::error::check_strength;
use crate::{soft_threshold, PenaltyParts, Regularizer, RegularizerError};

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

impl Regularizer for L1 {
    fn name(&self) -> &'static str {
        "l1"
    }
    fn parts(&self) -> PenaltyParts {
        PenaltyParts { l1: self.strength, ..Default::default() }
    }
    fn prox(&self, v: f64, eta: f64) -> f64 {
        soft_threshold(v, eta * self.strength)
    }
}
