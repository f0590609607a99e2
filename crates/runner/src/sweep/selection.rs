//! Chooses one lambda per (data set, k, regularizer, optimizer, seed) on the validation split
//! and marks that row `selected`; with a budget, also marks the best row within it
//! `budget_selected`. Test metrics are never looked at here. [`mark_all`] sets every mark the
//! sweep keeps, with the lambda search's edge flags (`super::search`).

use std::collections::BTreeMap;

use super::search;
use crate::plan::{DatasetKey, Plan};
use crate::record::RunRecord;
use crate::spec::{Budget, ExperimentSpec, SelectionMetric, SelectionSpec};

/// Marks the selected row of every group, where it lies in its group's lambdas (for the groups
/// of data set `only`, or of every data set), and the best row within the budget.
pub fn mark_all(
    spec: &ExperimentSpec,
    plan: &Plan,
    rows: &mut [RunRecord],
    only: Option<DatasetKey>,
) {
    mark_selected(rows, &spec.selection);
    search::mark_edges(spec, plan, rows, only);
    mark_budget_selected(rows, spec.selection.budget, spec.selection.metric);
}

/// The validation score of a row, oriented so that lower is better.
fn validation_cost(row: &RunRecord, metric: SelectionMetric) -> f64 {
    match metric {
        SelectionMetric::LogLoss => row.validation_log_loss,
        SelectionMetric::Accuracy => -row.validation_accuracy,
        SelectionMetric::Auc => -row.validation_auc,
        SelectionMetric::Mse => row.validation_mse,
    }
}

/// Row indices per selection group; data sets that differ only in their training rows
/// (`[grid] n_train`) are separate groups (a refit row, trained on more rows, stays with its
/// own).
fn groups(rows: &[RunRecord]) -> Vec<Vec<usize>> {
    let mut groups: BTreeMap<_, Vec<usize>> = BTreeMap::new();
    for (i, row) in rows.iter().enumerate() {
        let n = (!row.is_refit()).then_some(row.n_train);
        groups.entry((row.selection_group(), n)).or_default().push(i);
    }
    groups.into_values().collect()
}

/// Between two equally good rows: fewer nonzero weights, then the larger lambda, then the run
/// id (so the choice never depends on row order).
fn tie_break(a: &RunRecord, b: &RunRecord) -> std::cmp::Ordering {
    a.nonzero_weights
        .cmp(&b.nonzero_weights)
        .then(b.lambda.total_cmp(&a.lambda))
        .then_with(|| a.run_id.cmp(&b.run_id))
}

/// Marks exactly one usable row per group as selected (none when a group has no usable row):
/// the best validation score, or with a tolerance, the sparsest row within `tolerance` (relative)
/// of the best. Ties go to the fewer nonzero weights, then the larger lambda.
pub fn mark_selected(rows: &mut [RunRecord], rule: &SelectionSpec) {
    for row in rows.iter_mut() {
        row.selected = false;
    }
    for members in groups(rows) {
        let candidates: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| rows[i].is_usable() && validation_cost(&rows[i], rule.metric).is_finite())
            .collect();
        let Some(best) = candidates
            .iter()
            .map(|&i| validation_cost(&rows[i], rule.metric))
            .min_by(|a, b| a.total_cmp(b))
        else {
            continue;
        };
        let slack = rule.tolerance * best.abs();
        let chosen = candidates
            .iter()
            .copied()
            .filter(|&i| validation_cost(&rows[i], rule.metric) <= best + slack)
            .min_by(|&a, &b| {
                let (ra, rb) = (&rows[a], &rows[b]);
                let by_cost = if rule.tolerance > 0.0 {
                    std::cmp::Ordering::Equal
                } else {
                    validation_cost(ra, rule.metric).total_cmp(&validation_cost(rb, rule.metric))
                };
                by_cost.then_with(|| tie_break(ra, rb))
            });
        if let Some(i) = chosen {
            rows[i].selected = true;
        }
    }
}

/// Marks, per group, the row with the best validation score among the usable ones within
/// `budget` (ties to fewer nonzero weights, then the larger lambda); clears the mark elsewhere,
/// and everywhere without a budget.
pub fn mark_budget_selected(
    rows: &mut [RunRecord],
    budget: Option<Budget>,
    metric: SelectionMetric,
) {
    for row in rows.iter_mut() {
        row.budget_selected = false;
    }
    let Some(budget) = budget else { return };
    for members in groups(rows) {
        let best = members
            .iter()
            .copied()
            .filter(|&i| {
                let r = &rows[i];
                r.is_usable()
                    && validation_cost(r, metric).is_finite()
                    && budget.admits(r.nonzero_weights, r.model_bytes_sparse)
            })
            .min_by(|&a, &b| {
                let (ra, rb) = (&rows[a], &rows[b]);
                validation_cost(ra, metric)
                    .total_cmp(&validation_cost(rb, metric))
                    .then_with(|| tie_break(ra, rb))
            });
        if let Some(i) = best {
            rows[i].budget_selected = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(lambda: f64, val_ll: f64, nnz: u64, status: &str) -> RunRecord {
        let mut r = RunRecord::placeholder();
        r.lambda = lambda;
        r.validation_log_loss = val_ll;
        r.nonzero_weights = nnz;
        r.status = status.to_string();
        r.run_id = format!("{lambda}");
        r
    }

    #[test]
    fn picks_best_validation_and_skips_diverged() {
        let mut rows = vec![
            row(0.1, 0.40, 10, "ok"),
            row(0.01, 0.35, 50, "ok"),
            row(0.001, f64::NAN, 0, "diverged"),
        ];
        mark_selected(&mut rows, &SelectionSpec::default());
        assert_eq!(rows.iter().map(|r| r.selected).collect::<Vec<_>>(), [false, true, false]);
    }

    #[test]
    fn tolerance_prefers_the_sparsest_near_best() {
        let mut rows = vec![row(0.1, 0.352, 10, "ok"), row(0.01, 0.350, 50, "ok")];
        let rule = SelectionSpec { tolerance: 0.01, ..SelectionSpec::default() };
        mark_selected(&mut rows, &rule);
        assert!(rows[0].selected && !rows[1].selected);
    }

    #[test]
    fn budget_picks_the_best_row_that_fits() {
        let mut rows = vec![
            row(0.001, 0.30, 900, "ok"),
            row(0.01, 0.33, 580, "ok"),
            row(0.1, 0.36, 120, "ok"),
            row(0.003, 0.31, 601, "ok"),
        ];
        mark_budget_selected(
            &mut rows,
            Some(Budget::NonzeroWeights(600)),
            SelectionMetric::LogLoss,
        );
        assert_eq!(
            rows.iter().map(|r| r.budget_selected).collect::<Vec<_>>(),
            [false, true, false, false]
        );
        mark_budget_selected(&mut rows, None, SelectionMetric::LogLoss);
        assert!(rows.iter().all(|r| !r.budget_selected));
        // Nothing fits: nothing marked.
        mark_budget_selected(&mut rows, Some(Budget::NonzeroWeights(10)), SelectionMetric::LogLoss);
        assert!(rows.iter().all(|r| !r.budget_selected));
    }
}
