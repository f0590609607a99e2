//! Published-vs-ours comparisons computed from the rows: for each `[[compare]]` table of the spec
//! (see `spec::compare` for the kinds and their keys), which runs of `runs.csv` are set against a
//! published figure, and the figures computed from them, per seed and then summarized as mean ±
//! sd over seeds.
//!
//! Nothing here knows a published result: every "ours" number comes from the rows, every
//! published one from the spec. `compare_report` renders the outcome.

use std::collections::{BTreeMap, BTreeSet};

use crate::record::RunRecord;
use crate::report::aggregate::Stat;
use crate::report::paired::Paired;
use crate::spec::compare::{
    CompareKind, CompareMethod, CompareMetric, CompareSpec, MetricTarget, Quantity, Relation,
};

impl Quantity {
    /// The quantity of a row.
    fn of(self, row: &RunRecord) -> f64 {
        match self {
            Quantity::NonzeroWeights => row.nonzero_weights as f64,
            Quantity::TrainStateBytes => row.train_state_bytes as f64,
            Quantity::ModelBytesSparse => row.model_bytes_sparse as f64,
            Quantity::PeakHeapBytes => row.peak_heap_bytes as f64,
        }
    }
}

impl CompareMetric {
    /// The metric of a row.
    fn of(self, row: &RunRecord) -> f64 {
        match self {
            CompareMetric::LogLoss => row.log_loss,
            CompareMetric::Auc => row.auc,
            CompareMetric::Accuracy => row.accuracy,
        }
    }
}

impl CompareMethod {
    /// Whether a row is a run of this method.
    fn covers(&self, row: &RunRecord) -> bool {
        row.regularizer == self.regularizer && self.optimizer.as_slice().contains(&row.optimizer)
    }
}

/// One line of the comparison table: one method at one point (a lambda, or the equal metric).
#[derive(Debug, Clone)]
pub struct OutcomeRow {
    /// Where the methods are compared, in words (`lambda = 1e-4`, `at ftrl's test log_loss`).
    pub point: String,
    /// The lambda of the point (`equal_lambda`, `path`).
    pub lambda: Option<f64>,
    /// The method's name.
    pub method: String,
    /// Its regularizer kind.
    pub regularizer: String,
    /// Its optimizer label.
    pub optimizer: String,
    /// Published percent change against the reference.
    pub published: Option<f64>,
    /// Published figure in words.
    pub published_text: String,
    /// Ours: the quantity.
    pub quantity: Stat,
    /// Ours: percent change of the quantity against the reference, per seed.
    pub relative_pct: Stat,
    /// The same per-seed percent changes as paired statistics (mean, 95% interval, signs);
    /// None for the reference itself and for `path` tables.
    pub paired_pct: Option<Paired>,
    /// Paired per-seed difference of the test metric, this method minus the reference; None
    /// for the reference itself and for `path` tables.
    pub paired_metric: Option<Paired>,
    /// Ours: the test metric.
    pub metric: Stat,
    /// `path`: the quantity at the smallest lambda over the quantity here, per seed.
    pub fold: Stat,
    /// `path`: how much the metric worsened since the smallest lambda (positive = worse).
    pub metric_worsening: Stat,
    /// The seeds that have a value.
    pub seeds: Vec<u64>,
}

/// A checked claim.
#[derive(Debug, Clone)]
pub struct Check {
    /// The claim in words.
    pub claim: String,
    /// Whether it holds on the means (None: a value is missing).
    pub holds: Option<bool>,
    /// Figures behind the verdict.
    pub detail: String,
}

/// A computed comparison.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The spec table.
    pub spec: CompareSpec,
    /// The table lines.
    pub rows: Vec<OutcomeRow>,
    /// The claims and their verdicts.
    pub checks: Vec<Check>,
}

/// Per seed: the quantity and the metric of one method at one point.
type PerSeed = BTreeMap<u64, (f64, f64)>;

/// Usable rows of one method with a finite metric, per seed, sorted by lambda.
fn method_paths<'a>(
    rows: &'a [RunRecord],
    method: &CompareMethod,
    metric: CompareMetric,
) -> BTreeMap<u64, Vec<&'a RunRecord>> {
    let mut paths: BTreeMap<u64, Vec<&RunRecord>> = BTreeMap::new();
    for row in rows.iter().filter(|r| method.covers(r) && r.is_usable() && metric.of(r).is_finite())
    {
        paths.entry(row.seed).or_default().push(row);
    }
    for path in paths.values_mut() {
        path.sort_by(|a, b| a.lambda.total_cmp(&b.lambda));
    }
    paths
}

/// The quantity along a path where its metric cost reaches `target`. The runs are ordered from
/// the largest quantity to the smallest (for an L1 path, by increasing lambda; for pooled labels,
/// along the size-accuracy trade-off): the value is that of the smallest run whose cost is
/// within the target, interpolated towards the next smaller one (linear in the cost, linear in
/// `log(1 + quantity)`). None when no run reaches the target.
fn quantity_at_cost(
    path: &[&RunRecord],
    quantity: Quantity,
    metric: CompareMetric,
    target: f64,
) -> Option<(f64, f64)> {
    let mut path = path.to_vec();
    path.sort_by(|a, b| {
        quantity.of(b).total_cmp(&quantity.of(a)).then(a.lambda.total_cmp(&b.lambda))
    });
    let cost = |r: &RunRecord| metric.cost(metric.of(r));
    let j = path.iter().rposition(|r| cost(r) <= target)?;
    let here = path[j];
    let (q, c) = (quantity.of(here), cost(here));
    let Some(next) = path.get(j + 1) else {
        return Some((q, metric.of(here)));
    };
    let (q_next, c_next) = (quantity.of(next), cost(next));
    if !(c_next > target && c_next > c) {
        return Some((q, metric.of(here)));
    }
    let t = (target - c) / (c_next - c);
    let log_q = (1.0 - t) * q.ln_1p() + t * q_next.ln_1p();
    Some((log_q.exp_m1(), metric.cost(target)))
}

/// Percent change of the quantity against `reference`, per seed present in both.
fn pct_changes(values: &PerSeed, reference: &PerSeed) -> Vec<f64> {
    values
        .iter()
        .filter_map(|(seed, (q, _))| {
            let (r, _) = reference.get(seed)?;
            (*r > 0.0).then(|| 100.0 * (q / r - 1.0))
        })
        .collect()
}

/// Percent change of `value` against `reference`, per seed present in both.
fn relative_pct(values: &PerSeed, reference: Option<&PerSeed>) -> Stat {
    let Some(reference) = reference else { return Stat::of([]) };
    Stat::of(pct_changes(values, reference))
}

/// Paired statistics of `values` against `reference` (the reference's own row gets none):
/// the per-seed percent change of the quantity, and the per-seed difference of the metric.
fn paired_against(
    values: &PerSeed,
    reference: Option<&PerSeed>,
    is_reference: bool,
) -> (Option<Paired>, Option<Paired>) {
    let Some(reference) = reference.filter(|_| !is_reference) else { return (None, None) };
    let metric_diffs: Vec<f64> = values
        .iter()
        .filter_map(|(seed, (_, m))| Some(m - reference.get(seed)?.1))
        .filter(|d| d.is_finite())
        .collect();
    (
        Some(Paired::of_differences(&pct_changes(values, reference))),
        Some(Paired::of_differences(&metric_diffs)),
    )
}

impl CompareSpec {
    /// Per method (in spec order), its per-seed values at each point.
    fn points(&self, rows: &[RunRecord]) -> Vec<(String, Option<f64>, Vec<PerSeed>)> {
        let paths: Vec<_> =
            self.methods.iter().map(|m| method_paths(rows, m, self.metric)).collect();
        match self.kind {
            CompareKind::EqualMetric => vec![(
                match self.target.unwrap_or_default() {
                    MetricTarget::Reference => format!(
                        "at {}'s test {}",
                        self.reference.as_deref().unwrap_or("?"),
                        self.metric.as_str()
                    ),
                    MetricTarget::Common => {
                        format!("at the best test {} all reach", self.metric.as_str())
                    }
                },
                None,
                self.at_equal_metric(rows, &paths),
            )],
            CompareKind::EqualLambda => self
                .lambdas
                .iter()
                .flatten()
                .map(|&lambda| {
                    let values = paths
                        .iter()
                        .map(|per_seed| {
                            per_seed
                                .iter()
                                .filter_map(|(seed, path)| {
                                    let row =
                                        path.iter().find(|r| same_lambda(r.lambda, lambda))?;
                                    Some((*seed, (self.quantity.of(row), self.metric.of(row))))
                                })
                                .collect()
                        })
                        .collect();
                    (format!("lambda = {lambda:e}"), Some(lambda), values)
                })
                .collect(),
            CompareKind::Path => Vec::new(),
        }
    }

    /// The metric cost held fixed per seed, before the tolerance (see [`MetricTarget`]).
    fn target_costs(
        &self,
        rows: &[RunRecord],
        paths: &[BTreeMap<u64, Vec<&RunRecord>>],
    ) -> BTreeMap<u64, f64> {
        let cost = |r: &RunRecord| self.metric.cost(self.metric.of(r));
        match self.target.unwrap_or_default() {
            MetricTarget::Reference => {
                let reference = self
                    .methods
                    .iter()
                    .find(|m| Some(m.name().as_str()) == self.reference.as_deref());
                reference
                    .map(|m| {
                        rows.iter()
                            .filter(|r| r.selected && m.covers(r))
                            .map(|r| (r.seed, cost(r)))
                            .collect()
                    })
                    .unwrap_or_default()
            }
            MetricTarget::Common => {
                let seeds: BTreeSet<u64> = paths.iter().flat_map(|p| p.keys().copied()).collect();
                seeds
                    .into_iter()
                    .filter_map(|seed| {
                        // Every method must have a path on this seed; the worst of their bests.
                        let bests: Option<Vec<f64>> = paths
                            .iter()
                            .map(|p| p.get(&seed)?.iter().map(|r| cost(r)).min_by(f64::total_cmp))
                            .collect();
                        Some((seed, bests?.into_iter().max_by(f64::total_cmp)?))
                    })
                    .collect()
            }
        }
    }

    /// Each method's quantity at the target test metric, per seed.
    fn at_equal_metric(
        &self,
        rows: &[RunRecord],
        paths: &[BTreeMap<u64, Vec<&RunRecord>>],
    ) -> Vec<PerSeed> {
        let tolerance = self.tolerance.unwrap_or(0.0);
        let targets: BTreeMap<u64, f64> = self
            .target_costs(rows, paths)
            .into_iter()
            .map(|(seed, cost)| (seed, cost + tolerance * cost.abs()))
            .filter(|(_, cost)| cost.is_finite())
            .collect();
        paths
            .iter()
            .map(|per_seed| {
                per_seed
                    .iter()
                    .filter_map(|(seed, path)| {
                        let target = targets.get(seed)?;
                        Some((*seed, quantity_at_cost(path, self.quantity, self.metric, *target)?))
                    })
                    .collect()
            })
            .collect()
    }

    /// Computes the table and the checks from the rows (those at the table's `k`, if it has one).
    pub fn outcome(&self, rows: &[RunRecord]) -> Outcome {
        if let Some(k) = self.k {
            let at_k: Vec<RunRecord> = rows.iter().filter(|r| r.k == Some(k)).cloned().collect();
            let mut outcome = CompareSpec { k: None, ..self.clone() }.outcome(&at_k);
            outcome.spec = self.clone();
            return outcome;
        }
        if self.kind == CompareKind::Path {
            return self.path_outcome(rows);
        }
        let mut table = Vec::new();
        let mut checks = Vec::new();
        let reference_index =
            self.methods.iter().position(|m| Some(m.name().as_str()) == self.reference.as_deref());
        for (point, lambda, values) in self.points(rows) {
            let reference = reference_index.map(|i| &values[i]);
            for (i, (method, per_seed)) in self.methods.iter().zip(&values).enumerate() {
                let (paired_pct, paired_metric) =
                    paired_against(per_seed, reference, reference_index == Some(i));
                table.push(OutcomeRow {
                    point: point.clone(),
                    lambda,
                    method: method.name(),
                    regularizer: method.regularizer.clone(),
                    optimizer: method.optimizer.joined(),
                    published: method.published,
                    published_text: method.published_text.clone(),
                    quantity: Stat::of(per_seed.values().map(|v| v.0)),
                    relative_pct: relative_pct(per_seed, reference),
                    paired_pct,
                    paired_metric,
                    metric: Stat::of(per_seed.values().map(|v| v.1)),
                    fold: Stat::of([]),
                    metric_worsening: Stat::of([]),
                    seeds: per_seed.keys().copied().collect(),
                });
            }
            checks.extend(self.relation_checks(&point, &values));
        }
        Outcome { spec: self.clone(), rows: table, checks }
    }

    /// The `expect` claims at one point, on the means, with how many seeds agree.
    fn relation_checks(&self, point: &str, values: &[PerSeed]) -> Vec<Check> {
        let index = |name: &str| self.methods.iter().position(|m| m.name() == name);
        self.expect
            .iter()
            .filter_map(|text| Relation::parse(text))
            .filter_map(|rel| {
                let (left, right) = (&values[index(&rel.left)?], &values[index(&rel.right)?]);
                let mean = |v: &PerSeed| Stat::of(v.values().map(|x| x.0)).mean;
                let factor = self.similar_factor();
                let per_seed: Vec<bool> = left
                    .iter()
                    .filter_map(|(seed, l)| rel.holds(l.0, right.get(seed)?.0, factor))
                    .collect();
                let (l, r) = (mean(left), mean(right));
                Some(Check {
                    claim: format!("{} {} {} ({point})", rel.left, rel.op, rel.right),
                    holds: rel.holds(l, r, factor),
                    detail: format!(
                        "{l:.4e} vs {r:.4e}; holds in {} of {} seeds{}",
                        per_seed.iter().filter(|&&h| h).count(),
                        per_seed.len(),
                        if rel.op == '~' {
                            format!(" (`~`: within a factor {factor})")
                        } else {
                            String::new()
                        }
                    ),
                })
            })
            .collect()
    }

    /// `path`: every lambda of every method against that method's smallest lambda, and the
    /// shape check (the quantity falls `min_fold` times before the metric worsens by more than
    /// `max_metric_change`).
    fn path_outcome(&self, rows: &[RunRecord]) -> Outcome {
        let mut table = Vec::new();
        let mut checks = Vec::new();
        for method in &self.methods {
            let paths = method_paths(rows, method, self.metric);
            let lambdas: BTreeSet<u64> =
                paths.values().flatten().map(|r| r.lambda.to_bits()).collect();
            let mut lambdas: Vec<f64> = lambdas.into_iter().map(f64::from_bits).collect();
            lambdas.sort_by(f64::total_cmp);
            let mut best: Option<(f64, f64, f64)> = None; // (fold, lambda, worsening)
            for &lambda in &lambdas {
                let mut per_seed = PerSeed::new();
                let (mut folds, mut worse) = (Vec::new(), Vec::new());
                for (seed, path) in &paths {
                    let (Some(first), Some(row)) =
                        (path.first(), path.iter().find(|r| same_lambda(r.lambda, lambda)))
                    else {
                        continue;
                    };
                    let q = self.quantity.of(row);
                    per_seed.insert(*seed, (q, self.metric.of(row)));
                    // Floored at 1 so that a model with no weight left gives a finite fold.
                    folds.push(self.quantity.of(first) / q.max(1.0));
                    worse.push(
                        self.metric.cost(self.metric.of(row))
                            - self.metric.cost(self.metric.of(first)),
                    );
                }
                let fold = Stat::of(folds);
                let metric_worsening = Stat::of(worse);
                let within = metric_worsening.mean <= self.max_metric_change.unwrap_or(0.0);
                if within && best.is_none_or(|b| fold.mean > b.0) {
                    best = Some((fold.mean, lambda, metric_worsening.mean));
                }
                table.push(OutcomeRow {
                    point: format!("lambda = {lambda:e}"),
                    lambda: Some(lambda),
                    method: method.name(),
                    regularizer: method.regularizer.clone(),
                    optimizer: method.optimizer.joined(),
                    published: None,
                    published_text: method.published_text.clone(),
                    quantity: Stat::of(per_seed.values().map(|v| v.0)),
                    relative_pct: Stat::of([]),
                    paired_pct: None,
                    paired_metric: None,
                    metric: Stat::of(per_seed.values().map(|v| v.1)),
                    fold,
                    metric_worsening,
                    seeds: per_seed.keys().copied().collect(),
                });
            }
            checks.push(self.shape_check(&method.name(), best));
        }
        Outcome { spec: self.clone(), rows: table, checks }
    }

    fn shape_check(&self, name: &str, best: Option<(f64, f64, f64)>) -> Check {
        let (min_fold, max_change) =
            (self.min_fold.unwrap_or(1.0), self.max_metric_change.unwrap_or(0.0));
        let claim = format!(
            "{name}: {} falls >= {min_fold}x while test {} worsens by <= {max_change}",
            self.quantity.as_str(),
            self.metric.as_str()
        );
        match best {
            Some((fold, lambda, worse)) if fold.is_finite() => Check {
                claim,
                holds: Some(fold >= min_fold),
                detail: format!(
                    "largest fall within the metric budget: {fold:.1}x at lambda = {lambda:e}, metric worse by {worse:.4}"
                ),
            },
            _ => Check { claim, holds: None, detail: "no usable lambda".to_string() },
        }
    }
}

/// Whether a row's lambda is the lambda asked for (a relative tolerance for printed values).
fn same_lambda(row: f64, asked: f64) -> bool {
    (row - asked).abs() <= 1e-9 * asked.abs().max(1e-300)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(lambda: f64, log_loss: f64, nnz: u64) -> RunRecord {
        let mut r = RunRecord::placeholder();
        r.lambda = lambda;
        r.log_loss = log_loss;
        r.nonzero_weights = nnz;
        r
    }

    #[test]
    fn interpolates_the_quantity_at_the_target_loss() {
        let rows = [row(0.1, 0.50, 999), row(1.0, 0.50, 99), row(10.0, 0.60, 9)];
        let path: Vec<&RunRecord> = rows.iter().collect();
        let (q, loss) =
            quantity_at_cost(&path, Quantity::NonzeroWeights, CompareMetric::LogLoss, 0.55)
                .unwrap();
        // Halfway in loss between 100 and 10 (in 1 + q): sqrt(100 * 10) - 1.
        assert!((q - (1000f64.sqrt() - 1.0)).abs() < 1e-9, "{q}");
        assert!((loss - 0.55).abs() < 1e-12);
        // Out of reach: no value. At the last lambda: that lambda's value.
        assert!(quantity_at_cost(&path, Quantity::NonzeroWeights, CompareMetric::LogLoss, 0.4)
            .is_none());
        let (q, _) =
            quantity_at_cost(&path, Quantity::NonzeroWeights, CompareMetric::LogLoss, 0.7).unwrap();
        assert_eq!(q, 9.0);
    }

    #[test]
    fn a_table_at_one_k_reads_only_that_k() {
        let spec: CompareSpec = toml::from_str(
            "title = \"t\"\nkind = \"equal_lambda\"\nk = 10\nlambdas = [0.1]\n\
             reference = \"a\"\nquantity = \"train_state_bytes\"\n\
             [[method]]\nregularizer = \"l1\"\noptimizer = \"a\"\n",
        )
        .unwrap();
        let at = |k: u32, bytes: u64| {
            let mut r = row(0.1, 0.5, 1);
            (r.k, r.regularizer, r.optimizer, r.seed) = (Some(k), "l1".into(), "a".into(), 1);
            r.status = crate::record::STATUS_OK.to_string();
            r.train_state_bytes = bytes;
            r
        };
        let outcome = spec.outcome(&[at(4, 100), at(10, 700)]);
        assert_eq!(outcome.rows.len(), 1);
        assert_eq!(outcome.rows[0].quantity.mean, 700.0);
        assert_eq!(outcome.spec.k, Some(10));
    }

    #[test]
    fn equal_lambda_rows_carry_paired_differences_against_the_reference() {
        let spec: CompareSpec = toml::from_str(
            "title = \"t\"\nkind = \"equal_lambda\"\nlambdas = [0.1]\n\
             reference = \"a\"\nquantity = \"nonzero_weights\"\n\
             [[method]]\nregularizer = \"l1\"\noptimizer = \"a\"\n\
             [[method]]\nregularizer = \"l1\"\noptimizer = \"b\"\n",
        )
        .unwrap();
        let at = |optimizer: &str, seed: u64, nnz: u64, log_loss: f64| {
            let mut r = row(0.1, log_loss, nnz);
            (r.regularizer, r.optimizer, r.seed) = ("l1".into(), optimizer.into(), seed);
            r.status = crate::record::STATUS_OK.to_string();
            r
        };
        let rows = [
            at("a", 1, 100, 0.50),
            at("a", 2, 100, 0.50),
            at("a", 3, 100, 0.50),
            at("b", 1, 110, 0.51),
            at("b", 2, 120, 0.52),
            at("b", 3, 130, 0.53),
        ];
        let outcome = spec.outcome(&rows);
        assert_eq!(outcome.rows.len(), 2);
        assert!(outcome.rows[0].paired_pct.is_none() && outcome.rows[0].paired_metric.is_none());
        // Percent changes +10, +20, +30: mean 20, half width t(2) * 10 / sqrt(3).
        let pct = outcome.rows[1].paired_pct.unwrap();
        assert!((pct.mean - 20.0).abs() < 1e-9);
        assert!((pct.half_width.unwrap() - 4.303 * 10.0 / 3f64.sqrt()).abs() < 1e-9);
        assert_eq!((pct.worse, pct.better), (3, 0));
        let metric = outcome.rows[1].paired_metric.unwrap();
        assert!((metric.mean - 0.02).abs() < 1e-12);
        assert_eq!(metric.n, 3);
    }

    #[test]
    fn higher_is_better_metrics_are_turned_into_costs() {
        let mut a = row(0.1, f64::NAN, 50);
        a.auc = 0.9;
        let mut b = row(1.0, f64::NAN, 5);
        b.auc = 0.8;
        let path = [&a, &b];
        let target = CompareMetric::Auc.cost(0.85);
        let (q, auc) =
            quantity_at_cost(&path, Quantity::NonzeroWeights, CompareMetric::Auc, target).unwrap();
        assert!(q < 50.0 && q > 5.0 && (auc - 0.85).abs() < 1e-12);
    }
}
