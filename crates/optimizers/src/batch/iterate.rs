//! The state every batch solver iterates on: weights, bias and the margins they imply, kept
//! together so that no solver recomputes `X w` after a step.

use crate::batch::design::Design;

/// Weights, bias and the margins `b + X w` they imply.
#[derive(Debug, Clone)]
pub(crate) struct Iterate {
    /// One weight per column.
    pub w: Vec<f64>,
    /// Unpenalized intercept.
    pub b: f64,
    /// `b + X w`, kept in step with `w` and `b`.
    pub margins: Vec<f64>,
}

impl Iterate {
    /// `w = 0` with the optimal intercept-only bias.
    pub fn at_zero(design: &Design) -> Self {
        let b = design.intercept_only();
        Self { w: vec![0.0; design.m], b, margins: vec![b; design.n] }
    }

    /// From given weights and bias (margins computed).
    pub fn from_weights(design: &Design, w: Vec<f64>, b: f64) -> Self {
        let margins = design.margins(&w, b);
        Self { w, b, margins }
    }
}
