//! No penalty: the unregularized baseline (and the bias term of every model).

use crate::{PenaltyParts, Regularizer};

/// `r(w) = 0`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct NoPenalty;

impl Regularizer for NoPenalty {
    fn name(&self) -> &'static str {
        "none"
    }
    fn parts(&self) -> PenaltyParts {
        PenaltyParts::default()
    }
    fn prox(&self, v: f64, _eta: f64) -> f64 {
        v
    }
}
