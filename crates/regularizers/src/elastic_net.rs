//! Elastic net: `lambda * (l1_ratio * |w| + (1 - l1_ratio) * L2(w))`, the L2 part in a named
//! convention (with the TensorFlow convention this is glmnet's and scikit-learn's objective).

use crate::error::check_strength;
use crate::{soft_threshold, L2Convention, PenaltyParts, Regularizer, RegularizerError};

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

impl Regularizer for ElasticNet {
    fn name(&self) -> &'static str {
        "elastic_net"
    }
    fn l2_convention(&self) -> Option<L2Convention> {
        Some(self.convention)
    }
    fn parts(&self) -> PenaltyParts {
        PenaltyParts { l1: self.l1, l2_grad: self.l2_grad, l0: 0.0 }
    }
    fn prox(&self, v: f64, eta: f64) -> f64 {
        soft_threshold(v, eta * self.l1) / (1.0 + eta * self.l2_grad)
    }
}
