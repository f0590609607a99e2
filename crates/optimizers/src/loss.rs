//! Losses in the margin `m = b + w . x`: logistic for labels in {0, 1}, squared for real labels.

use serde::{Deserialize, Serialize};

/// Which loss a model is trained with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LossKind {
    /// Negative log-likelihood of a Bernoulli with `p = sigmoid(m)`, natural logarithm.
    #[default]
    Logistic,
    /// `(m - y)^2 / 2`.
    Squared,
}

impl LossKind {
    /// Loss of one example.
    #[inline]
    pub fn value(self, margin: f64, label: f64) -> f64 {
        match self {
            // log(1 + e^m) - y m, computed without overflow.
            LossKind::Logistic => softplus(margin) - label * margin,
            LossKind::Squared => 0.5 * (margin - label) * (margin - label),
        }
    }

    /// d loss / d margin.
    #[inline]
    pub fn derivative(self, margin: f64, label: f64) -> f64 {
        match self {
            LossKind::Logistic => sigmoid(margin) - label,
            LossKind::Squared => margin - label,
        }
    }

    /// d^2 loss / d margin^2 (at most 1/4 for logistic, 1 for squared).
    #[inline]
    pub fn second_derivative(self, margin: f64) -> f64 {
        match self {
            LossKind::Logistic => {
                let p = sigmoid(margin);
                p * (1.0 - p)
            }
            LossKind::Squared => 1.0,
        }
    }

    /// Upper bound of the second derivative (Lipschitz constant of the derivative).
    pub fn curvature_bound(self) -> f64 {
        match self {
            LossKind::Logistic => 0.25,
            LossKind::Squared => 1.0,
        }
    }

    /// The prediction: a probability for logistic, the margin itself for squared.
    #[inline]
    pub fn predict(self, margin: f64) -> f64 {
        match self {
            LossKind::Logistic => sigmoid(margin),
            LossKind::Squared => margin,
        }
    }

    /// Name used in specs and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            LossKind::Logistic => "logistic",
            LossKind::Squared => "squared",
        }
    }
}

/// `1 / (1 + e^-x)`, stable for large |x|.
#[inline]
pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// `log(1 + e^x)`, stable for large |x|.
#[inline]
pub fn softplus(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logistic_matches_definition_and_is_stable() {
        let m: f64 = 0.7;
        let p = 1.0 / (1.0 + (-m).exp());
        assert!((LossKind::Logistic.value(m, 1.0) + p.ln()).abs() < 1e-12);
        assert!((LossKind::Logistic.value(m, 0.0) + (1.0 - p).ln()).abs() < 1e-12);
        assert!(LossKind::Logistic.value(800.0, 0.0).is_finite());
        assert!((LossKind::Logistic.value(-800.0, 0.0)).abs() < 1e-300);
    }

    #[test]
    fn derivatives_match_finite_differences() {
        for kind in [LossKind::Logistic, LossKind::Squared] {
            for &(m, y) in &[(0.3, 1.0), (-1.2, 0.0), (2.5, 0.0)] {
                let h = 1e-6;
                let fd = (kind.value(m + h, y) - kind.value(m - h, y)) / (2.0 * h);
                assert!((fd - kind.derivative(m, y)).abs() < 1e-6, "{kind:?}");
                let fd2 = (kind.derivative(m + h, y) - kind.derivative(m - h, y)) / (2.0 * h);
                assert!((fd2 - kind.second_derivative(m)).abs() < 1e-6, "{kind:?}");
            }
        }
    }
}
