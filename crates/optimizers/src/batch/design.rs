//! The data as the batch solvers see it: a column-major (CSC) copy of the compact matrix, built
//! once per fit and checked on the way in, with the column operations every solver shares
//! (dot products, axpy, margins, mean loss and its derivatives, the intercept-only fit).

use features::{CompactMatrix, FeatureId};

use crate::batch::BatchError;
use crate::loss::{sigmoid, softplus};
use crate::{LinearModel, LossKind};

/// The loss at one row's margin in the form that L0L2 CD's Newton coordinate steps read and
/// update cheaply ([`Design::row_loss`]). Logistic: `a = sigmoid(m)` and `b = sigmoid(-m)`,
/// each to full relative precision, so that `loss' = a - y` (`-b` when `y = 1`) and
/// `loss'' = a b` lose nothing near 0 or 1; a margin move by `t` maps them to
/// `(a e^t, b) / (b + a e^t)`, one exponential for a whole column whose values are equal.
/// Squared: `a = m - y = loss'` and `b = 1 = loss''`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct RowLoss {
    a: f64,
    b: f64,
}

/// Column-major design matrix with labels, loss and the map back to global ids.
#[derive(Debug)]
pub(crate) struct Design<'a> {
    /// Rows.
    pub n: usize,
    /// Columns.
    pub m: usize,
    /// The loss being fitted.
    pub loss: LossKind,
    /// Labels, one per row.
    pub y: &'a [f64],
    /// Global id of each column.
    columns: &'a [FeatureId],
    col_ptr: Vec<usize>,
    row_idx: Vec<usize>,
    values: Vec<f64>,
    /// `(1/n) sum_i x_ij^2` per column.
    col_sq_mean: Vec<f64>,
}

impl<'a> Design<'a> {
    /// Checks the matrix (shape, finite values, labels valid for `loss`) and copies it to CSC.
    pub fn new(matrix: &'a CompactMatrix, loss: LossKind) -> Result<Self, BatchError> {
        let (n, m) = (matrix.x.rows(), matrix.x.cols());
        if n == 0 || m == 0 {
            return Err(BatchError::EmptyMatrix { rows: n, cols: m });
        }
        if matrix.y.len() != n {
            return Err(BatchError::ShapeMismatch { what: "y", got: matrix.y.len(), expected: n });
        }
        if matrix.columns.len() != m {
            return Err(BatchError::ShapeMismatch {
                what: "columns",
                got: matrix.columns.len(),
                expected: m,
            });
        }
        check_labels(&matrix.y, loss)?;
        let csc = matrix.x.to_csc();
        let col_ptr = csc.indptr().to_proper().into_owned();
        let (row_idx, values) = (csc.indices().to_vec(), csc.data().to_vec());
        let mut col_sq_mean = vec![0.0; m];
        for j in 0..m {
            for k in col_ptr[j]..col_ptr[j + 1] {
                let v = values[k];
                if !v.is_finite() {
                    return Err(BatchError::NonFiniteValue { row: row_idx[k], col: j, value: v });
                }
                col_sq_mean[j] += v * v;
            }
            col_sq_mean[j] /= n as f64;
        }
        Ok(Self {
            n,
            m,
            loss,
            y: &matrix.y,
            columns: &matrix.columns,
            col_ptr,
            row_idx,
            values,
            col_sq_mean,
        })
    }

    /// Row indices and values of column `j`.
    #[inline]
    pub fn column(&self, j: usize) -> (&[usize], &[f64]) {
        let range = self.col_ptr[j]..self.col_ptr[j + 1];
        (&self.row_idx[range.clone()], &self.values[range])
    }

    /// `sum_i x_ij v_i`.
    #[inline]
    pub fn col_dot(&self, j: usize, v: &[f64]) -> f64 {
        let (rows, vals) = self.column(j);
        rows.iter().zip(vals).map(|(&i, &x)| x * v[i]).sum()
    }

    /// `sum_i x_ij^2 a_i`.
    #[inline]
    pub fn col_weighted_sq(&self, j: usize, a: &[f64]) -> f64 {
        let (rows, vals) = self.column(j);
        rows.iter().zip(vals).map(|(&i, &x)| x * x * a[i]).sum()
    }

    /// `v += scale * x_j`.
    #[inline]
    pub fn col_axpy(&self, j: usize, scale: f64, v: &mut [f64]) {
        let (rows, vals) = self.column(j);
        for (&i, &x) in rows.iter().zip(vals) {
            v[i] += scale * x;
        }
    }

    /// `(1/n) sum_i x_ij^2`.
    #[inline]
    pub fn col_sq_mean(&self, j: usize) -> f64 {
        self.col_sq_mean[j]
    }

    /// Global id of column `j`.
    #[inline]
    pub fn id(&self, j: usize) -> FeatureId {
        self.columns[j]
    }

    /// Margins `b + X w`, touching only the nonzero weights.
    pub fn margins(&self, w: &[f64], b: f64) -> Vec<f64> {
        let mut margins = vec![b; self.n];
        for (j, &wj) in w.iter().enumerate() {
            if wj != 0.0 {
                self.col_axpy(j, wj, &mut margins);
            }
        }
        margins
    }

    /// `X (w_to - w_from) + (b_to - b_from)` computed from the weight change, not as a
    /// difference of margins (which near an optimum is all rounding).
    pub fn margin_change(&self, from: (&[f64], f64), to: (&[f64], f64)) -> Vec<f64> {
        let mut moved = vec![to.1 - from.1; self.n];
        for (j, (&a, &b)) in to.0.iter().zip(from.0).enumerate() {
            if a != b {
                self.col_axpy(j, a - b, &mut moved);
            }
        }
        moved
    }

    /// Mean loss `(1/n) sum_i loss(m_i, y_i)`.
    pub fn mean_loss(&self, margins: &[f64]) -> f64 {
        let total: f64 = margins.iter().zip(self.y).map(|(&m, &y)| self.loss.value(m, y)).sum();
        total / self.n as f64
    }

    /// Change of the mean loss when the margins move by `t * direction`, summed row by row in
    /// a form without cancellation, so that line searches can still see decreases near
    /// machine precision (a difference of two means loses them below ~1e-16 relative).
    pub fn mean_loss_change(&self, margins: &[f64], direction: &[f64], t: f64) -> f64 {
        let total: f64 = margins
            .iter()
            .zip(direction)
            .zip(self.y)
            .map(|((&m, &d), &y)| loss_change(self.loss, m, t * d, y))
            .sum();
        total / self.n as f64
    }

    /// Loss derivatives `d_i = loss'(m_i, y_i)` into `out`.
    pub fn derivatives_into(&self, margins: &[f64], out: &mut [f64]) {
        for ((o, &m), &y) in out.iter_mut().zip(margins).zip(self.y) {
            *o = self.loss.derivative(m, y);
        }
    }

    /// The [`RowLoss`] of row `i` at margin `m`.
    #[inline]
    pub fn row_loss(&self, i: usize, m: f64) -> RowLoss {
        match self.loss {
            LossKind::Logistic => RowLoss { a: sigmoid(m), b: sigmoid(-m) },
            LossKind::Squared => RowLoss { a: m - self.y[i], b: 1.0 },
        }
    }

    /// Row `i`'s [`RowLoss`] after its margin moved from the one `r` was taken at to `m`;
    /// `odds` gives `e^(m - old margin)` (called for logistic loss only). Recomputed from `m`
    /// when a probability is saturated or the update overflows.
    #[inline]
    fn row_loss_moved(&self, i: usize, r: RowLoss, m: f64, odds: impl FnOnce() -> f64) -> RowLoss {
        if self.loss == LossKind::Logistic {
            let scaled = r.a * odds();
            let total = r.b + scaled;
            if scaled > 0.0 && r.b > 0.0 && total.is_finite() {
                let inv = 1.0 / total;
                return RowLoss { a: scaled * inv, b: r.b * inv };
            }
        }
        self.row_loss(i, m)
    }

    /// `(loss'(m_i, y_i), loss''(m_i))` from row `i`'s [`RowLoss`].
    #[inline]
    pub fn row_derivatives(&self, i: usize, r: RowLoss) -> (f64, f64) {
        match self.loss {
            LossKind::Logistic => (if self.y[i] == 1.0 { -r.b } else { r.a }, r.a * r.b),
            LossKind::Squared => (r.a, r.b),
        }
    }

    /// Every row's [`RowLoss`] at `margins`, into `out`.
    pub fn row_losses_into(&self, margins: &[f64], out: &mut [RowLoss]) {
        for (i, (o, &m)) in out.iter_mut().zip(margins).enumerate() {
            *o = self.row_loss(i, m);
        }
    }

    /// Loss gradient and exact curvature along column `j` from the rows' [`RowLoss`]:
    /// `((1/n) sum_i x_ij loss'(m_i, y_i), (1/n) sum_i x_ij^2 loss''(m_i))`.
    #[inline]
    pub fn col_gradient_curvature(&self, j: usize, rows: &[RowLoss]) -> (f64, f64) {
        let (idx, vals) = self.column(j);
        let (mut g, mut h) = (0.0, 0.0);
        for (&i, &x) in idx.iter().zip(vals) {
            let (d, c) = self.row_derivatives(i, rows[i]);
            g += x * d;
            h += x * x * c;
        }
        let inv_n = 1.0 / self.n as f64;
        (g * inv_n, h * inv_n)
    }

    /// Loss gradient and curvature along the bias: `((1/n) sum_i loss', (1/n) sum_i loss'')`.
    pub fn bias_gradient_curvature(&self, rows: &[RowLoss]) -> (f64, f64) {
        let (g, h) = rows.iter().enumerate().fold((0.0, 0.0), |(g, h), (i, &r)| {
            let (d, c) = self.row_derivatives(i, r);
            (g + d, h + c)
        });
        let inv_n = 1.0 / self.n as f64;
        (g * inv_n, h * inv_n)
    }

    /// Moves weight `j` by `delta`: `margins += delta x_j`, the column's rows' [`RowLoss`]
    /// following in the same sweep.
    pub fn col_move(&self, j: usize, delta: f64, margins: &mut [f64], rows: &mut [RowLoss]) {
        let (idx, vals) = self.column(j);
        // One exponential for the whole column when its values are equal (one-hot columns).
        let shared = match vals.first() {
            Some(&v) if self.loss == LossKind::Logistic && vals.iter().all(|&x| x == v) => {
                Some((delta * v).exp())
            }
            _ => None,
        };
        for (&i, &x) in idx.iter().zip(vals) {
            margins[i] += delta * x;
            let odds = || shared.unwrap_or_else(|| (delta * x).exp());
            rows[i] = self.row_loss_moved(i, rows[i], margins[i], odds);
        }
    }

    /// Moves every margin by `delta` (a bias step), the rows' [`RowLoss`] following.
    pub fn shift(&self, delta: f64, margins: &mut [f64], rows: &mut [RowLoss]) {
        let odds = delta.exp();
        for (i, (m, r)) in margins.iter_mut().zip(rows.iter_mut()).enumerate() {
            *m += delta;
            *r = self.row_loss_moved(i, *r, *m, || odds);
        }
    }

    /// Change of the mean loss when weight `j` moves by `delta`, summed over the column's rows
    /// only and without cancellation (as [`Design::mean_loss_change`]).
    pub fn col_loss_change(&self, j: usize, margins: &[f64], delta: f64) -> f64 {
        let (idx, vals) = self.column(j);
        let total: f64 = idx
            .iter()
            .zip(vals)
            .map(|(&i, &x)| loss_change(self.loss, margins[i], delta * x, self.y[i]))
            .sum();
        total / self.n as f64
    }

    /// Change of the mean loss when every margin moves by `delta` (a bias step), summed without
    /// cancellation.
    pub fn shift_loss_change(&self, margins: &[f64], delta: f64) -> f64 {
        let total: f64 =
            margins.iter().zip(self.y).map(|(&m, &y)| loss_change(self.loss, m, delta, y)).sum();
        total / self.n as f64
    }

    /// Loss derivatives `d_i = loss'(m_i, y_i)`.
    pub fn derivatives(&self, margins: &[f64]) -> Vec<f64> {
        let mut d = vec![0.0; self.n];
        self.derivatives_into(margins, &mut d);
        d
    }

    /// Loss gradient of every column, `(1/n) X^T d`.
    pub fn gradient(&self, d: &[f64]) -> Vec<f64> {
        let inv_n = 1.0 / self.n as f64;
        (0..self.m).map(|j| self.col_dot(j, d) * inv_n).collect()
    }

    /// Mean of a per-row vector (the bias gradient when given the derivatives).
    pub fn mean(&self, v: &[f64]) -> f64 {
        v.iter().sum::<f64>() / self.n as f64
    }

    /// The optimal bias when every weight is zero: the log-odds of the mean label (logistic),
    /// the mean label (squared).
    pub fn intercept_only(&self) -> f64 {
        let mean = self.mean(self.y);
        match self.loss {
            LossKind::Logistic => (mean / (1.0 - mean)).ln(),
            LossKind::Squared => mean,
        }
    }

    /// The model in global ids (exact zeros dropped).
    pub fn model(&self, w: &[f64], b: f64) -> LinearModel {
        LinearModel::new(b, w.iter().enumerate().map(|(j, &wj)| (self.id(j), wj)), self.loss)
    }

    /// Global ids of the nonzero weights, ascending.
    pub fn support(&self, w: &[f64]) -> Vec<FeatureId> {
        let mut ids: Vec<FeatureId> =
            w.iter().enumerate().filter(|(_, &wj)| wj != 0.0).map(|(j, _)| self.id(j)).collect();
        ids.sort_unstable();
        ids
    }
}

/// `loss(m + delta, y) - loss(m, y)` without cancellation: squared loss expands the square;
/// logistic uses `softplus(m + delta) - softplus(m) = ln(1 + sigmoid(m) expm1(delta))`.
fn loss_change(loss: LossKind, m: f64, delta: f64, y: f64) -> f64 {
    match loss {
        LossKind::Squared => delta * (m - y) + 0.5 * delta * delta,
        LossKind::Logistic => {
            let stable = (sigmoid(m) * delta.exp_m1()).ln_1p();
            let softplus_change =
                if stable.is_finite() { stable } else { softplus(m + delta) - softplus(m) };
            softplus_change - y * delta
        }
    }
}

fn check_labels(y: &[f64], loss: LossKind) -> Result<(), BatchError> {
    match loss {
        LossKind::Logistic => {
            for (row, &value) in y.iter().enumerate() {
                if value != 0.0 && value != 1.0 {
                    return Err(BatchError::BadLabel {
                        row,
                        value,
                        expected: "logistic needs 0 or 1",
                    });
                }
            }
            let first = y[0];
            if y.iter().all(|&v| v == first) {
                return Err(BatchError::OneClass { label: first });
            }
        }
        LossKind::Squared => {
            if let Some(row) = y.iter().position(|v| !v.is_finite()) {
                return Err(BatchError::BadLabel {
                    row,
                    value: y[row],
                    expected: "squared loss needs a finite label",
                });
            }
        }
    }
    Ok(())
}
