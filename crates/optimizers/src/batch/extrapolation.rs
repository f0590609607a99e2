//! Anderson extrapolation of coordinate-descent passes (Bertrand & Massias 2021, "Anderson
//! acceleration of coordinate descent", AISTATS).
//!
//! Cyclic coordinate descent is a fixed-point iteration `x <- T(x)`; on an ill-conditioned
//! quadratic it converges linearly with a rate near one. One-hot crosses are exactly that:
//! every pairwise cross of two fields contains both fields' one-hots in its span, so weight can
//! move between a field and its crosses at almost no change of the loss, and the passes crawl
//! (profiled on the Criteo crosses: 500 passes per outer iteration, the KKT violation falling
//! 7% per 500). Every [`DEPTH`] passes the last `DEPTH + 1` iterates are combined,
//! `x_e = sum_t c_t x_(t+1)` with `c` minimising `|sum_t c_t (x_(t+1) - x_t)|` subject to
//! `sum_t c_t = 1`; the caller keeps `x_e` only if it lowers the objective, so the passes stay
//! monotone, and always runs a plain pass after it, so exact zeros come from the penalty's
//! coordinate minimizer as before.

use nalgebra::{DMatrix, DVector};

/// Passes between extrapolations (the paper's K; 5 is its default).
pub(crate) const DEPTH: usize = 5;

/// The iterates since the last extrapolation.
#[derive(Debug, Default)]
pub(crate) struct Anderson {
    iterates: Vec<Vec<f64>>,
}

impl Anderson {
    /// Records the iterate after a pass; returns the extrapolated point once `DEPTH + 1`
    /// iterates are held (the history then starts over), `None` otherwise or when the
    /// differences are degenerate.
    pub fn push(&mut self, iterate: Vec<f64>) -> Option<Vec<f64>> {
        self.iterates.push(iterate);
        if self.iterates.len() <= DEPTH {
            return None;
        }
        let iterates = std::mem::take(&mut self.iterates);
        let weights = combination(&iterates)?;
        let mut point = vec![0.0; iterates[0].len()];
        for (c, x) in weights.iter().zip(&iterates[1..]) {
            for (p, &v) in point.iter_mut().zip(x) {
                *p += c * v;
            }
        }
        point.iter().all(|v| v.is_finite()).then_some(point)
    }
}

/// The weights `c` (summing to one) of the last `DEPTH` iterates: `(U^T U)^-1 1`, normalised,
/// `U` the matrix of successive differences; `None` when `U^T U` is singular.
fn combination(iterates: &[Vec<f64>]) -> Option<Vec<f64>> {
    let depth = iterates.len() - 1;
    let diffs: Vec<Vec<f64>> =
        iterates.windows(2).map(|w| w[1].iter().zip(&w[0]).map(|(a, b)| a - b).collect()).collect();
    let gram = DMatrix::from_fn(depth, depth, |a, b| {
        diffs[a].iter().zip(&diffs[b]).map(|(x, y)| x * y).sum::<f64>()
    });
    let scale = gram.trace();
    if !scale.is_finite() || scale <= 0.0 {
        return None;
    }
    // A tiny ridge, relative to the differences' size: the successive differences of a
    // converging iteration are nearly parallel, and the system is solved only for a direction.
    let ridged = gram / scale + DMatrix::identity(depth, depth) * 1e-14;
    let z = ridged.cholesky()?.solve(&DVector::from_element(depth, 1.0));
    let total = z.sum();
    (total.is_finite() && total != 0.0).then(|| z.iter().map(|v| v / total).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On a linear fixed-point iteration `x <- A x + b` of dimension <= DEPTH, Anderson
    /// extrapolation lands on the fixed point (up to rounding); plain iteration does not.
    #[test]
    fn extrapolation_finds_the_fixed_point_of_a_slow_linear_iteration() {
        let step = |x: &[f64]| vec![0.99 * x[0] + 0.01, 0.95 * x[1] - 0.05 + 0.001 * x[0]];
        let fixed_1 = 1.0;
        let fixed_0 = 1.0; // x0 = 0.99 x0 + 0.01
        let fixed = [fixed_0, (-0.05 + 0.001 * fixed_1) / 0.05];
        let mut anderson = Anderson::default();
        let mut x = vec![0.0, 0.0];
        let mut extrapolated = None;
        for _ in 0..=DEPTH {
            extrapolated = anderson.push(x.clone());
            x = step(&x);
        }
        let point = extrapolated.expect("DEPTH + 1 iterates give a point");
        for (p, f) in point.iter().zip(fixed) {
            assert!((p - f).abs() < 1e-5, "{point:?} vs {fixed:?}");
        }
        assert!((x[0] - fixed[0]).abs() > 0.04, "plain iteration is still far: {x:?}");
    }

    #[test]
    fn repeated_iterates_give_no_point() {
        let mut anderson = Anderson::default();
        let results: Vec<_> = (0..=DEPTH).map(|_| anderson.push(vec![1.0, 2.0])).collect();
        assert!(results.iter().all(Option::is_none));
    }

    #[test]
    fn the_history_starts_over_after_each_point() {
        let mut anderson = Anderson::default();
        let mut count = 0;
        for t in 0..(3 * (DEPTH + 1)) {
            let v = 0.5f64.powi(t as i32);
            if anderson.push(vec![v, 2.0 * v + 1.0]).is_some() {
                count += 1;
            }
        }
        assert_eq!(count, 3);
    }
}
