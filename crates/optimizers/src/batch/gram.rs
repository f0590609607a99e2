//! Weighted Gram matrices of a few columns plus the intercept,
//! `(1/n) [X_S 1]^T diag(h) [X_S 1]`, as dense nalgebra matrices: the Hessian block of the
//! loss on a small set of columns. Coordinate descent uses it to run its inner passes in
//! O(|S|^2) instead of O(nonzeros of S) ("covariance updates", as glmnet does for squared
//! loss); the refit uses it for Newton steps.
//!
//! The columns are first regrouped by row (a counting sort, linear time), so each Gram costs
//! `sum_i r_i^2` for `r_i` the row's nonzeros among `S`: cheap for one-hot rows, which is
//! what [`RowSubmatrix::gram_is_cheap`] checks before a solver chooses this route.

use nalgebra::DMatrix;

use crate::batch::design::Design;

/// The columns `S` in row-major form: for each row, its entries' positions in `S` and values.
#[derive(Debug, Clone)]
pub(crate) struct RowSubmatrix {
    row_ptr: Vec<usize>,
    position: Vec<usize>,
    values: Vec<f64>,
    /// `|S|`.
    pub width: usize,
}

impl RowSubmatrix {
    /// Regroups the columns `columns` of `design` by row.
    pub fn new(design: &Design, columns: &[usize]) -> Self {
        let mut row_ptr = vec![0usize; design.n + 1];
        for &j in columns {
            for &i in design.column(j).0 {
                row_ptr[i + 1] += 1;
            }
        }
        for i in 0..design.n {
            row_ptr[i + 1] += row_ptr[i];
        }
        let nnz = row_ptr[design.n];
        let mut next = row_ptr.clone();
        let (mut position, mut values) = (vec![0usize; nnz], vec![0.0; nnz]);
        for (pos, &j) in columns.iter().enumerate() {
            let (rows, vals) = design.column(j);
            for (&i, &x) in rows.iter().zip(vals) {
                position[next[i]] = pos;
                values[next[i]] = x;
                next[i] += 1;
            }
        }
        Self { row_ptr, position, values, width: columns.len() }
    }

    /// Whether a Gram (cost `sum_i r_i^2`) costs at most `passes` sweeps over the nonzeros.
    pub fn gram_is_cheap(&self, passes: usize) -> bool {
        let cost: usize = self.row_ptr.windows(2).map(|w| (w[1] - w[0]) * (w[1] - w[0])).sum();
        cost <= passes.saturating_mul(self.values.len().max(1))
    }

    /// `(1/n) [X_S 1]^T diag(h) [X_S 1]`, the intercept last.
    pub fn weighted_gram(&self, h: &[f64]) -> DMatrix<f64> {
        let size = self.width + 1;
        let bias = self.width;
        let mut gram = DMatrix::<f64>::zeros(size, size);
        for (i, &hi) in h.iter().enumerate() {
            let range = self.row_ptr[i]..self.row_ptr[i + 1];
            let (pos, vals) = (&self.position[range.clone()], &self.values[range]);
            for (&a, &xa) in pos.iter().zip(vals) {
                let hxa = hi * xa;
                gram[(a, bias)] += hxa;
                for (&c, &xc) in pos.iter().zip(vals) {
                    gram[(a, c)] += hxa * xc;
                }
            }
        }
        gram[(bias, bias)] = h.iter().sum();
        for a in 0..bias {
            gram[(bias, a)] = gram[(a, bias)];
        }
        gram /= h.len() as f64;
        gram
    }
}

#[cfg(test)]
mod tests {
    use features::{CompactMatrix, SparseExample};

    use super::*;
    use crate::LossKind;

    #[test]
    fn weighted_gram_matches_the_definition() {
        let rows: [&[(u64, f64)]; 4] =
            [&[(0, 1.0), (5, 2.0)], &[(5, -1.0), (9, 0.5)], &[(0, 3.0)], &[(0, 1.0), (9, 1.0)]];
        let examples: Vec<SparseExample> = rows
            .iter()
            .enumerate()
            .map(|(i, row)| SparseExample {
                ids: row.iter().map(|p| p.0).collect(),
                values: row.iter().map(|p| p.1).collect(),
                label: (i % 2) as f64,
                true_prob: None,
            })
            .collect();
        let matrix = CompactMatrix::from_examples(&examples);
        let design = Design::new(&matrix, LossKind::Logistic).expect("valid");
        let h = [0.1, 0.2, 0.3, 0.4];
        // Columns 2 (id 9) and 0 (id 0), in that order, plus the intercept.
        let gram = RowSubmatrix::new(&design, &[2, 0]).weighted_gram(&h);
        let dense = |i: usize, j: usize| -> f64 {
            let id = matrix.columns[j];
            rows[i].iter().find(|p| p.0 == id).map_or(0.0, |p| p.1)
        };
        let column = |a: usize, i: usize| match a {
            0 => dense(i, 2),
            1 => dense(i, 0),
            _ => 1.0,
        };
        for a in 0..3 {
            for c in 0..3 {
                let expected: f64 =
                    (0..4).map(|i| h[i] * column(a, i) * column(c, i)).sum::<f64>() / 4.0;
                assert!((gram[(a, c)] - expected).abs() < 1e-15, "({a}, {c})");
            }
        }
    }
}
