//! The points of an `equal_metric` or `equal_lambda` comparison and the claims judged at each.
//!
//! `equal_metric` is a frontier comparison ([`crate::report::frontier`]): per method and seed,
//! its runs along the lambda path; per seed, validation targets (the reference's selected run,
//! or T0 = the worst of the methods' best validation costs, plus each offset, which every
//! method reaches by construction); at each target, each method's sparsest operating point
//! within it on validation, where its quantity and test metric are then read. A method that
//! does not reach a target on a seed has no reading there, and the table says so.

use std::collections::{BTreeMap, BTreeSet};

use crate::record::RunRecord;
use crate::report::aggregate::Stat;
use crate::report::compare::{method_paths, same_lambda, Check, PerSeed, Point, Reading};
use crate::report::frontier::{Frontier, PathRun};
use crate::spec::compare::{CompareKind, CompareMetric, CompareSpec, MetricTarget, Relation};

/// Per method (spec order), per seed: its frontier.
pub(crate) type Frontiers = Vec<BTreeMap<u64, Frontier>>;

impl CompareSpec {
    /// Each method's frontier per seed, on validation cost.
    pub(crate) fn frontiers(&self, rows: &[RunRecord]) -> Frontiers {
        let metric = self.metric;
        self.methods
            .iter()
            .map(|m| {
                method_paths(rows, m, metric)
                    .into_iter()
                    .map(|(seed, path)| {
                        let runs = path.iter().map(|r| PathRun {
                            lambda: r.lambda,
                            quantity: self.quantity.of(r),
                            validation_cost: metric.cost(metric.validation_of(r)),
                            test: metric.test_of(r),
                        });
                        (seed, Frontier::new(runs))
                    })
                    .collect()
            })
            .collect()
    }

    /// The table points, per method its readings.
    pub(crate) fn points(&self, rows: &[RunRecord]) -> Vec<Point> {
        match self.kind {
            CompareKind::EqualMetric => self.frontier_points(rows),
            CompareKind::EqualLambda => self.lambda_points(rows),
            CompareKind::Path => Vec::new(),
        }
    }

    /// `equal_lambda`: each method's run at each listed lambda.
    fn lambda_points(&self, rows: &[RunRecord]) -> Vec<Point> {
        let paths: Vec<_> =
            self.methods.iter().map(|m| method_paths(rows, m, self.metric)).collect();
        let expected: BTreeSet<u64> = paths.iter().flat_map(|p| p.keys().copied()).collect();
        self.lambdas
            .iter()
            .flatten()
            .map(|&lambda| Point {
                label: format!("lambda = {lambda:e}"),
                lambda: Some(lambda),
                targets: BTreeMap::new(),
                expected: expected.iter().copied().collect(),
                values: paths
                    .iter()
                    .map(|per_seed| {
                        per_seed
                            .iter()
                            .filter_map(|(seed, path)| {
                                let row = path.iter().find(|r| same_lambda(r.lambda, lambda))?;
                                Some((*seed, self.reading_of(row)))
                            })
                            .collect()
                    })
                    .collect(),
            })
            .collect()
    }

    /// A run's own figures as a reading.
    fn reading_of(&self, row: &RunRecord) -> Reading {
        Reading {
            quantity: self.quantity.of(row),
            test: self.metric.test_of(row),
            validation: self.metric.validation_of(row),
            lambda: row.lambda,
            neighbour_ratio: 1.0,
            at_path_end: false,
        }
    }

    /// `equal_metric`: one point per target.
    fn frontier_points(&self, rows: &[RunRecord]) -> Vec<Point> {
        let frontiers = self.frontiers(rows);
        // Every seed with a run of any method: a seed without a target (some method has no run
        // there) lists every method as unreached rather than vanishing from the table.
        let expected: BTreeSet<u64> = frontiers.iter().flat_map(|p| p.keys().copied()).collect();
        self.targets(rows, &frontiers)
            .into_iter()
            .map(|(label, costs)| Point {
                label,
                lambda: None,
                targets: costs.iter().map(|(s, c)| (*s, self.metric.cost(*c))).collect(),
                expected: expected.iter().copied().collect(),
                values: frontiers
                    .iter()
                    .map(|per_seed| readings_at(per_seed, &costs, self.metric))
                    .collect(),
            })
            .collect()
    }

    /// The targets as (label, per-seed validation cost).
    pub(crate) fn targets(
        &self,
        rows: &[RunRecord],
        frontiers: &Frontiers,
    ) -> Vec<(String, BTreeMap<u64, f64>)> {
        let m = self.metric.as_str();
        match self.target.unwrap_or_default() {
            MetricTarget::Reference => {
                let name = self.reference.as_deref().unwrap_or("?");
                vec![(format!("at {name}'s validation {m}"), self.reference_targets(rows))]
            }
            MetricTarget::Common => {
                let t0 = common_target(frontiers);
                self.offsets()
                    .into_iter()
                    .map(|offset| {
                        let label =
                            if offset == 0.0 { "T0".to_string() } else { format!("T0 + {offset}") };
                        (label, t0.iter().map(|(s, c)| (*s, c + offset)).collect())
                    })
                    .collect()
            }
        }
    }

    /// The reference's selected runs' validation cost per seed, plus the relative tolerance.
    fn reference_targets(&self, rows: &[RunRecord]) -> BTreeMap<u64, f64> {
        let tolerance = self.tolerance.unwrap_or(0.0);
        let Some(reference) =
            self.methods.iter().find(|m| Some(m.name().as_str()) == self.reference.as_deref())
        else {
            return BTreeMap::new();
        };
        rows.iter()
            .filter(|r| r.selected && !r.is_refit() && reference.covers(r))
            .map(|r| (r.seed, self.metric.cost(self.metric.validation_of(r))))
            .map(|(seed, cost)| (seed, cost + tolerance * cost.abs()))
            .filter(|(_, cost)| cost.is_finite())
            .collect()
    }

    /// The `expect` claims at one point: on the means over the seeds where both sides have a
    /// value, with how many of those seeds agree.
    pub(crate) fn relation_checks(&self, point: &str, values: &[PerSeed]) -> Vec<Check> {
        let index = |name: &str| self.methods.iter().position(|m| m.name() == name);
        self.expect
            .iter()
            .filter_map(|text| Relation::parse(text))
            .filter_map(|rel| {
                let (left, right) = (&values[index(&rel.left)?], &values[index(&rel.right)?]);
                Some(self.judge(&rel, point, left, right))
            })
            .collect()
    }

    fn judge(&self, rel: &Relation, point: &str, left: &PerSeed, right: &PerSeed) -> Check {
        let factor = self.similar_factor();
        let pairs: Vec<(f64, f64)> = left
            .iter()
            .filter_map(|(seed, l)| Some((l.quantity, right.get(seed)?.quantity)))
            .collect();
        let holding = pairs.iter().filter(|(l, r)| rel.holds(*l, *r, factor) == Some(true)).count();
        let (l, r) =
            (Stat::of(pairs.iter().map(|p| p.0)).mean, Stat::of(pairs.iter().map(|p| p.1)).mean);
        let seeds: BTreeSet<u64> = left.keys().chain(right.keys()).copied().collect();
        let missing = seeds.len() - pairs.len();
        let relation = format!("{} {} {}", rel.left, rel.op, rel.right);
        Check {
            claim: format!("{relation} ({point})"),
            relation,
            point: point.to_string(),
            holds: rel.holds(l, r, factor),
            seeds_holding: (holding, pairs.len()),
            detail: format!(
                "{l:.4e} vs {r:.4e}; holds in {holding} of {} seeds{}{}",
                pairs.len(),
                if missing > 0 {
                    format!(" ({missing} seed(s) left out: one side does not reach the target)")
                } else {
                    String::new()
                },
                if rel.op == '~' {
                    format!(" (`~`: within a factor {factor})")
                } else {
                    String::new()
                }
            ),
        }
    }
}

/// Per seed where every method has a frontier: the worst (largest) of the methods' best
/// validation costs, which every method reaches by construction. A seed where some method has
/// no run gets no target (the table then lists that seed as unreached for every method).
pub(crate) fn common_target(frontiers: &Frontiers) -> BTreeMap<u64, f64> {
    let seeds: BTreeSet<u64> = frontiers.iter().flat_map(|p| p.keys().copied()).collect();
    seeds
        .into_iter()
        .filter_map(|seed| {
            let bests: Option<Vec<f64>> =
                frontiers.iter().map(|p| p.get(&seed)?.best_cost()).collect();
            Some((seed, bests?.into_iter().max_by(f64::total_cmp)?))
        })
        .collect()
}

/// One method's readings at per-seed validation target costs (seeds it does not reach left
/// out).
fn readings_at(
    frontiers: &BTreeMap<u64, Frontier>,
    targets: &BTreeMap<u64, f64>,
    metric: CompareMetric,
) -> PerSeed {
    targets
        .iter()
        .filter_map(|(seed, target)| {
            let p = frontiers.get(seed)?.at(*target)?;
            Some((
                *seed,
                Reading {
                    quantity: p.quantity,
                    test: p.test,
                    // The cost of AUC and accuracy is the negated metric: negating again gives
                    // the metric back.
                    validation: metric.cost(p.validation_cost),
                    lambda: p.lambda,
                    neighbour_ratio: p.neighbour_ratio,
                    at_path_end: p.at_path_end,
                },
            ))
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A run of `optimizer` on `seed` whose validation and test log losses are given apart.
    pub(crate) fn run(
        optimizer: &str,
        seed: u64,
        lambda: f64,
        nnz: u64,
        validation: f64,
        test: f64,
    ) -> RunRecord {
        let mut r = RunRecord::placeholder();
        (r.regularizer, r.optimizer, r.seed, r.lambda) =
            ("l1".into(), optimizer.into(), seed, lambda);
        (r.nonzero_weights, r.validation_log_loss, r.log_loss) = (nnz, validation, test);
        r.status = crate::record::STATUS_OK.to_string();
        r
    }

    pub(crate) fn spec(extra: &str) -> CompareSpec {
        toml::from_str(&format!(
            "title = \"t\"\nkind = \"equal_metric\"\nreference = \"a\"\n{extra}\n\
             expect = [\"a < b\"]\n\
             [[method]]\nregularizer = \"l1\"\noptimizer = \"a\"\n\
             [[method]]\nregularizer = \"l1\"\noptimizer = \"b\"\n"
        ))
        .unwrap()
    }

    /// Validation and test disagree in order: on validation `a` is best (0.50) and `b` worst
    /// (best 0.52); on test `b` is far better. Anything read from test would move T0 and the
    /// points.
    pub(crate) fn disagreeing_rows() -> Vec<RunRecord> {
        vec![
            run("a", 1, 0.1, 1000, 0.50, 0.70),
            run("a", 1, 1.0, 100, 0.54, 0.69),
            run("a", 1, 10.0, 10, 0.60, 0.68),
            run("b", 1, 0.1, 5000, 0.52, 0.30),
            run("b", 1, 1.0, 500, 0.56, 0.31),
            run("b", 1, 10.0, 50, 0.62, 0.32),
        ]
    }

    #[test]
    fn targets_and_operating_points_come_from_validation_only() {
        let spec = spec("target = \"common\"\noffsets = [0.0, 0.02]");
        let outcome = spec.outcome(&disagreeing_rows());
        let at = |point: &str, method: &str| {
            outcome.rows.iter().find(|r| r.point == point && r.method == method).unwrap().clone()
        };
        // T0 = the worse of the best validation losses (b's 0.52), not anything on test.
        assert!((at("T0", "a").target.mean - 0.52).abs() < 1e-12);
        // a at validation 0.52: halfway from its first run to its second (validation 0.50 to
        // 0.54): nonzeros log-linear, test linear between 0.70 and 0.69.
        let a = at("T0", "a");
        assert!((a.quantity.mean - (1001f64 * 101.0).sqrt() + 1.0).abs() < 1e-6, "{a:?}");
        assert!((a.metric.mean - 0.695).abs() < 1e-12 && (a.validation.mean - 0.52).abs() < 1e-12);
        // b sets T0: read at its best validation run, exactly.
        assert_eq!(at("T0", "b").quantity.mean, 5000.0);
        // T0 + 0.02 = 0.54: a at its second run, b halfway to its second.
        assert_eq!(at("T0 + 0.02", "a").quantity.mean, 100.0);
        assert!((at("T0 + 0.02", "b").metric.mean - 0.305).abs() < 1e-12);
        assert_eq!(outcome.checks.len(), 2);
        assert!(outcome.checks.iter().all(|c| c.holds == Some(true)));
    }

    #[test]
    fn a_method_that_does_not_reach_the_target_is_listed_not_dropped() {
        // Target: a's selected run's validation loss (0.50), which b never reaches; and a seed
        // where b has no run at all gets no common target, so both are unreached there.
        let mut rows = disagreeing_rows();
        rows[0].selected = true;
        let outcome = spec("target = \"reference\"").outcome(&rows);
        let b = outcome.rows.iter().find(|r| r.method == "b").unwrap();
        assert!(b.seeds.is_empty() && b.unreached == vec![1]);
        assert_eq!(outcome.checks[0].holds, None);
        assert_eq!(outcome.checks[0].seeds_holding, (0, 0));
        rows.push(run("a", 2, 0.1, 1000, 0.50, 0.70));
        let common = spec("target = \"common\"").outcome(&rows);
        for line in &common.rows {
            assert_eq!(line.seeds, vec![1], "{}", line.method);
            assert_eq!(line.unreached, vec![2], "{}", line.method);
        }
    }

    #[test]
    fn coarse_neighbours_and_the_path_end_are_flagged() {
        let outcome =
            spec("target = \"common\"\noffsets = [0.0, 0.5]").outcome(&disagreeing_rows());
        let a = outcome.rows.iter().find(|r| r.point == "T0" && r.method == "a").unwrap();
        // Between 1000 and 100 nonzeros: about 10x apart, beyond the default factor 4.
        assert_eq!(a.coarse, vec![1]);
        assert!((a.neighbour_ratio_max - 1001.0 / 101.0).abs() < 1e-9);
        let far = outcome.rows.iter().find(|r| r.point == "T0 + 0.5" && r.method == "a").unwrap();
        assert_eq!(far.path_end, vec![1]);
        assert!(far.coarse.is_empty());
    }
}
