//! The `path` kind of comparison: every lambda of every method against that method's smallest
//! lambda (fold of the quantity, worsening of the metric), and the shape check "the quantity
//! falls `min_fold` times before the metric worsens by more than `max_metric_change`".
//!
//! The lambda the check is judged at, the largest fall within the metric budget, is chosen on
//! the *validation* metric's worsening; the test metric's worsening at that lambda is reported
//! beside it, never used to choose.

use std::collections::BTreeSet;

use crate::record::RunRecord;
use crate::report::aggregate::Stat;
use crate::report::compare::{method_paths, same_lambda, Check, Outcome, OutcomeRow};
use crate::spec::compare::{CompareMethod, CompareSpec};

/// The lambda the shape check is judged at: its mean fold, lambda, and the mean worsening of
/// the validation and the test metric there.
#[derive(Debug, Clone, Copy)]
struct Chosen {
    fold: f64,
    lambda: f64,
    validation_worse: f64,
    test_worse: f64,
}

impl CompareSpec {
    /// `path`: the table lines of every method and its shape check.
    pub(crate) fn path_outcome(&self, rows: &[RunRecord]) -> Outcome {
        let mut table = Vec::new();
        let mut checks = Vec::new();
        for method in &self.methods {
            let (lines, chosen) = self.method_path(rows, method);
            table.extend(lines);
            checks.push(self.shape_check(&method.name(), chosen));
        }
        Outcome { spec: self.clone(), rows: table, checks }
    }

    /// One method's lines, one per lambda, and the lambda chosen on validation.
    fn method_path(
        &self,
        rows: &[RunRecord],
        method: &CompareMethod,
    ) -> (Vec<OutcomeRow>, Option<Chosen>) {
        let paths = method_paths(rows, method, self.metric);
        let lambdas: BTreeSet<u64> = paths.values().flatten().map(|r| r.lambda.to_bits()).collect();
        let mut lambdas: Vec<f64> = lambdas.into_iter().map(f64::from_bits).collect();
        lambdas.sort_by(f64::total_cmp);
        let budget = self.max_metric_change.unwrap_or(0.0);
        let mut chosen: Option<Chosen> = None;
        let mut lines = Vec::new();
        for &lambda in &lambdas {
            let at: Vec<(u64, &RunRecord, &RunRecord)> = paths
                .iter()
                .filter_map(|(seed, path)| {
                    let row = path.iter().find(|r| same_lambda(r.lambda, lambda))?;
                    Some((*seed, *path.first()?, *row))
                })
                .collect();
            let line = self.path_line(method, lambda, &at);
            let within = line.validation_worsening.mean <= budget;
            if within && chosen.is_none_or(|c| line.fold.mean > c.fold) {
                chosen = Some(Chosen {
                    fold: line.fold.mean,
                    lambda,
                    validation_worse: line.validation_worsening.mean,
                    test_worse: line.metric_worsening.mean,
                });
            }
            lines.push(line);
        }
        (lines, chosen)
    }

    /// The line of one lambda from each seed's (first run, run at this lambda).
    fn path_line(
        &self,
        method: &CompareMethod,
        lambda: f64,
        at: &[(u64, &RunRecord, &RunRecord)],
    ) -> OutcomeRow {
        let (q, m) = (self.quantity, self.metric);
        let stat = |f: &dyn Fn(&RunRecord, &RunRecord) -> f64| {
            Stat::of(at.iter().map(|(_, first, row)| f(first, row)))
        };
        OutcomeRow {
            point: format!("lambda = {lambda:e}"),
            lambda: Some(lambda),
            method: method.name(),
            regularizer: method.regularizer.clone(),
            optimizer: method.optimizer.joined(),
            published: None,
            published_text: method.published_text.clone(),
            quantity: stat(&|_, r| q.of(r)),
            relative_pct: Stat::of([]),
            paired_pct: None,
            paired_log_ratio: None,
            paired_metric: None,
            metric: stat(&|_, r| m.test_of(r)),
            validation: stat(&|_, r| m.validation_of(r)),
            target: Stat::of([]),
            point_lambda: Stat::of([lambda]),
            // Floored at 1 so that a model with no weight left gives a finite fold.
            fold: stat(&|f, r| q.of(f) / q.of(r).max(1.0)),
            metric_worsening: stat(&|f, r| m.cost(m.test_of(r)) - m.cost(m.test_of(f))),
            validation_worsening: stat(&|f, r| {
                m.cost(m.validation_of(r)) - m.cost(m.validation_of(f))
            }),
            seeds: at.iter().map(|(s, _, _)| *s).collect(),
            unreached: Vec::new(),
            coarse: Vec::new(),
            path_end: Vec::new(),
            neighbour_ratio_max: 1.0,
        }
    }

    fn shape_check(&self, name: &str, chosen: Option<Chosen>) -> Check {
        let (min_fold, max_change) =
            (self.min_fold.unwrap_or(1.0), self.max_metric_change.unwrap_or(0.0));
        let relation = format!(
            "{name}: {} falls >= {min_fold}x while validation {} worsens by <= {max_change}",
            self.quantity.as_str(),
            self.metric.as_str()
        );
        let base = Check {
            claim: relation.clone(),
            relation,
            point: String::new(),
            holds: None,
            seeds_holding: (0, 0),
            detail: "no usable lambda".to_string(),
        };
        match chosen {
            Some(c) if c.fold.is_finite() => Check {
                holds: Some(c.fold >= min_fold),
                detail: format!(
                    "largest fall within the metric budget, chosen on validation: {:.1}x at \
                     lambda = {:e}, validation metric worse by {:.4}, test metric worse by {:.4}",
                    c.fold, c.lambda, c.validation_worse, c.test_worse
                ),
                ..base
            },
            _ => base,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A path row of seed 1 with its validation and test AUC.
    fn at(lambda: f64, nnz: u64, validation_auc: f64, auc: f64) -> RunRecord {
        let mut r = RunRecord::placeholder();
        (r.lambda, r.nonzero_weights, r.validation_auc, r.auc) = (lambda, nnz, validation_auc, auc);
        (r.regularizer, r.optimizer, r.seed) = ("l1".into(), "tg".into(), 1);
        r.status = crate::record::STATUS_OK.to_string();
        r
    }

    #[test]
    fn the_largest_fall_within_the_budget_is_chosen_on_validation() {
        let spec: CompareSpec = toml::from_str(
            "title = \"t\"\nkind = \"path\"\nmetric = \"auc\"\nmin_fold = 10.0\n\
             max_metric_change = 0.005\n[[method]]\nregularizer = \"l1\"\noptimizer = \"tg\"\n",
        )
        .unwrap();
        // On test, lambda 1e-3 (100x) is within the budget and 1e-4 (10x) is not; on validation
        // the reverse. Validation decides: 10x at 1e-4; the test worsening is reported.
        let rows =
            [at(0.0, 1000, 0.90, 0.90), at(1e-4, 100, 0.899, 0.89), at(1e-3, 10, 0.89, 0.899)];
        let outcome = spec.outcome(&rows);
        let check = &outcome.checks[0];
        assert_eq!(check.holds, Some(true));
        assert!(check.detail.contains("10.0x at lambda = 1e-4"), "{}", check.detail);
        assert!(check.detail.contains("test metric worse by 0.0100"), "{}", check.detail);
        let line = &outcome.rows[1];
        assert!((line.validation_worsening.mean - 0.001).abs() < 1e-12);
        assert!((line.metric_worsening.mean - 0.01).abs() < 1e-12);
    }
}
