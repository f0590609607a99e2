//! The penalized objective and its optimality measures, shared by every solver so that all of
//! them report the same numbers: `F(w, b) = (1/n) sum_i loss(b + x_i.w, y_i) + R(w)` with
//! `R` the penalty applied through the [`Regularizer`] trait, its first-order (KKT) violation,
//! and the duality gap of the pure-L1 problem.

use regularizers::{PenaltyParts, Regularizer};

use crate::batch::design::Design;
use crate::LossKind;

/// `F(w, b)` given the margins `b + X w`.
pub(crate) fn objective(design: &Design, reg: &dyn Regularizer, w: &[f64], margins: &[f64]) -> f64 {
    design.mean_loss(margins) + reg.penalty(w)
}

/// Maximal KKT violation over the bias and the given columns, from the loss derivatives `d`.
pub(crate) fn kkt_violation(
    design: &Design,
    reg: &dyn Regularizer,
    w: &[f64],
    d: &[f64],
    columns: impl IntoIterator<Item = usize>,
) -> f64 {
    let inv_n = 1.0 / design.n as f64;
    columns.into_iter().fold(design.mean(d).abs(), |worst, j| {
        worst.max(reg.coordinate_violation(design.col_dot(j, d) * inv_n, w[j]))
    })
}

/// Duality gap `F(w, b) - D(u)` of the pure-L1 problem (`None` when the penalty has an L2 or
/// L0 part, or no L1 part), reported as computed: weak duality makes it >= 0 in exact
/// arithmetic, so a value below zero by more than rounding would expose a wrong dual, and it is
/// not clamped.
///
/// The dual of `min (1/n) sum f_i(b + x_i.w) + l1 |w|_1` is `max -(1/n) sum f_i*(u_i)` subject to
/// `sum u_i = 0` (the unpenalized bias) and `|(1/n) X^T u|_inf <= l1`. The feasible point is
/// built from the loss derivatives: centred, then scaled into the box. For logistic loss `f*`
/// needs `u_i + y_i` in `[0, 1]`; if centring pushed a row outside, `None` is returned.
pub(crate) fn duality_gap(
    design: &Design,
    parts: PenaltyParts,
    primal: f64,
    d: &[f64],
) -> Option<f64> {
    if parts.l2_grad != 0.0 || parts.l0 != 0.0 || parts.l1 <= 0.0 {
        return None;
    }
    let mean = design.mean(d);
    let mut u: Vec<f64> = d.iter().map(|&di| di - mean).collect();
    let worst = design.gradient(&u).iter().fold(0.0f64, |a, g| a.max(g.abs()));
    let scale = if worst > parts.l1 { parts.l1 / worst } else { 1.0 };
    u.iter_mut().for_each(|ui| *ui *= scale);
    let mut conjugate_sum = 0.0;
    for (&ui, &yi) in u.iter().zip(design.y) {
        conjugate_sum += match design.loss {
            LossKind::Squared => 0.5 * ui * ui + ui * yi,
            LossKind::Logistic => {
                let q = ui + yi;
                if !(0.0..=1.0).contains(&q) {
                    return None;
                }
                xlogx(q) + xlogx(1.0 - q)
            }
        };
    }
    let dual = -conjugate_sum / design.n as f64;
    Some(primal - dual)
}

fn xlogx(x: f64) -> f64 {
    if x > 0.0 {
        x * x.ln()
    } else {
        0.0
    }
}
