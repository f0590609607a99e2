//! Published-vs-ours comparisons computed from the rows: for each `[[compare]]` table of the spec
//! (see `spec::compare` for the kinds and their keys), which runs of `runs.csv` are set against a
//! published figure, and the figures computed from them, per seed and then summarized as mean ±
//! sd over seeds with paired per-seed statistics against the reference.
//!
//! Validation chooses, test reports: every target and operating point is found on validation
//! columns (`CompareMetric::validation_of`), and the test column (`CompareMetric::test_of`) is
//! only read at the point found. `compare_points` computes `equal_metric` and `equal_lambda`
//! points, `compare_path` the `path` kind; nothing here knows a published result: every "ours"
//! number comes from the rows, every published one from the spec. `compare_report` renders the
//! outcome.

use std::collections::BTreeMap;

use crate::record::RunRecord;
use crate::report::aggregate::Stat;
use crate::report::paired::Paired;
use crate::spec::compare::{CompareKind, CompareMethod, CompareMetric, CompareSpec, Quantity};

impl Quantity {
    /// The quantity of a row.
    pub(crate) fn of(self, row: &RunRecord) -> f64 {
        match self {
            Quantity::NonzeroWeights => row.nonzero_weights as f64,
            Quantity::TrainStateBytes => row.train_state_bytes as f64,
            Quantity::ModelBytesSparse => row.model_bytes_sparse as f64,
            Quantity::PeakHeapBytes => row.peak_heap_bytes as f64,
        }
    }
}

impl CompareMetric {
    /// The metric of a row on the test split: reported, never used to choose.
    pub(crate) fn test_of(self, row: &RunRecord) -> f64 {
        match self {
            CompareMetric::LogLoss => row.log_loss,
            CompareMetric::Auc => row.auc,
            CompareMetric::Accuracy => row.accuracy,
        }
    }

    /// The metric of a row on the validation split: what targets and operating points are
    /// chosen on.
    pub(crate) fn validation_of(self, row: &RunRecord) -> f64 {
        match self {
            CompareMetric::LogLoss => row.validation_log_loss,
            CompareMetric::Auc => row.validation_auc,
            CompareMetric::Accuracy => row.validation_accuracy,
        }
    }
}

impl CompareMethod {
    /// Whether a row is a run of this method.
    pub(crate) fn covers(&self, row: &RunRecord) -> bool {
        row.regularizer == self.regularizer && self.optimizer.as_slice().contains(&row.optimizer)
    }
}

/// One method's figures on one seed at one point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    /// The quantity.
    pub quantity: f64,
    /// The test metric (reported).
    pub test: f64,
    /// The validation metric (what chose the point).
    pub validation: f64,
    /// The lambda at the point.
    pub lambda: f64,
    /// `1 + quantity` of the two runs around the point, the larger over the smaller.
    pub neighbour_ratio: f64,
    /// The path's sparsest run is within the target.
    pub at_path_end: bool,
}

/// Per seed: one method's reading at one point.
pub type PerSeed = BTreeMap<u64, Reading>;

/// One line of the comparison table: one method at one point (a lambda, or a target).
#[derive(Debug, Clone)]
pub struct OutcomeRow {
    /// Where the methods are compared, in words (`lambda = 1e-4`, `T0 + 0.001`).
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
    /// Paired per-seed `ln((1 + quantity) / (1 + reference's))`; None as `paired_pct`.
    pub paired_log_ratio: Option<Paired>,
    /// Paired per-seed difference of the test metric, this method minus the reference; None
    /// for the reference itself and for `path` tables.
    pub paired_metric: Option<Paired>,
    /// Ours: the test metric.
    pub metric: Stat,
    /// Ours: the validation metric at the point.
    pub validation: Stat,
    /// `equal_metric`: the validation target, per seed (NaN stat otherwise).
    pub target: Stat,
    /// The lambda at the operating point, per seed.
    pub point_lambda: Stat,
    /// `path`: the quantity at the smallest lambda over the quantity here, per seed.
    pub fold: Stat,
    /// `path`: how much the test metric worsened since the smallest lambda (positive = worse).
    pub metric_worsening: Stat,
    /// `path`: the same on validation (what the check chooses on).
    pub validation_worsening: Stat,
    /// The seeds that have a value.
    pub seeds: Vec<u64>,
    /// Seeds with a target (or runs of other methods) where this method has no value: it never
    /// reaches the target there, or has no run.
    pub unreached: Vec<u64>,
    /// Seeds whose point lies between two runs more than `coarse_factor` apart in size.
    pub coarse: Vec<u64>,
    /// Seeds whose point is the path's sparsest run (the grid ends before the target does).
    pub path_end: Vec<u64>,
    /// The largest neighbour ratio over the seeds (1 when every point is a run).
    pub neighbour_ratio_max: f64,
}

/// A checked claim.
#[derive(Debug, Clone)]
pub struct Check {
    /// The claim in words, with its point: `rda < fobos (T0)`.
    pub claim: String,
    /// The claim alone: `rda < fobos`.
    pub relation: String,
    /// The point it is judged at.
    pub point: String,
    /// Whether it holds on the means over the seeds where both sides have a value (None: a
    /// value is missing on every seed).
    pub holds: Option<bool>,
    /// Seeds where it holds, and seeds where both sides have a value.
    pub seeds_holding: (usize, usize),
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

/// The table points of an `equal_*` comparison: per method (in spec order), its readings.
pub(crate) struct Point {
    /// The point in words.
    pub(crate) label: String,
    /// The lambda (`equal_lambda`).
    pub(crate) lambda: Option<f64>,
    /// Per seed, the validation target (`equal_metric`), as the metric (not the cost).
    pub(crate) targets: BTreeMap<u64, f64>,
    /// The seeds every method should have a value on.
    pub(crate) expected: Vec<u64>,
    /// Per method, its readings.
    pub(crate) values: Vec<PerSeed>,
}

/// Usable rows of one method with a finite validation metric, per seed (refits left out: they
/// train on the validation rows).
pub(crate) fn method_paths<'a>(
    rows: &'a [RunRecord],
    method: &CompareMethod,
    metric: CompareMetric,
) -> BTreeMap<u64, Vec<&'a RunRecord>> {
    let mut paths: BTreeMap<u64, Vec<&RunRecord>> = BTreeMap::new();
    for row in rows.iter().filter(|r| {
        method.covers(r) && r.is_usable() && !r.is_refit() && metric.validation_of(r).is_finite()
    }) {
        paths.entry(row.seed).or_default().push(row);
    }
    for path in paths.values_mut() {
        path.sort_by(|a, b| a.lambda.total_cmp(&b.lambda));
    }
    paths
}

/// Percent change of the quantity against `reference`, per seed present in both.
fn pct_changes(values: &PerSeed, reference: &PerSeed) -> Vec<f64> {
    values
        .iter()
        .filter_map(|(seed, v)| {
            let r = reference.get(seed)?.quantity;
            (r > 0.0).then(|| 100.0 * (v.quantity / r - 1.0))
        })
        .collect()
}

/// `ln((1 + q) / (1 + r))` per seed present in both.
fn log_ratios(values: &PerSeed, reference: &PerSeed) -> Vec<f64> {
    values
        .iter()
        .filter_map(|(seed, v)| {
            let r = reference.get(seed)?.quantity;
            Some(v.quantity.max(0.0).ln_1p() - r.max(0.0).ln_1p())
        })
        .filter(|d| d.is_finite())
        .collect()
}

/// The paired statistics of one method against the reference (none for the reference itself):
/// percent change and log ratio of the quantity, difference of the test metric.
fn paired_against(
    values: &PerSeed,
    reference: Option<&PerSeed>,
    is_reference: bool,
) -> (Option<Paired>, Option<Paired>, Option<Paired>) {
    let Some(reference) = reference.filter(|_| !is_reference) else { return (None, None, None) };
    let metric_diffs: Vec<f64> = values
        .iter()
        .filter_map(|(seed, v)| Some(v.test - reference.get(seed)?.test))
        .filter(|d| d.is_finite())
        .collect();
    (
        Some(Paired::of_differences(&pct_changes(values, reference))),
        Some(Paired::of_differences(&log_ratios(values, reference))),
        Some(Paired::of_differences(&metric_diffs)),
    )
}

impl CompareSpec {
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
        for point in self.points(rows) {
            let reference = reference_index.map(|i| &point.values[i]);
            for (i, (method, per_seed)) in self.methods.iter().zip(&point.values).enumerate() {
                let is_reference = reference_index == Some(i);
                table.push(self.row_at(&point, method, per_seed, reference, is_reference));
            }
            checks.extend(self.relation_checks(&point.label, &point.values));
        }
        Outcome { spec: self.clone(), rows: table, checks }
    }

    /// One table line: `method`'s readings at `point`.
    fn row_at(
        &self,
        point: &Point,
        method: &CompareMethod,
        per_seed: &PerSeed,
        reference: Option<&PerSeed>,
        is_reference: bool,
    ) -> OutcomeRow {
        let (paired_pct, paired_log_ratio, paired_metric) =
            paired_against(per_seed, reference, is_reference);
        let stat = |f: fn(&Reading) -> f64| Stat::of(per_seed.values().map(f));
        let seeds_where = |f: &dyn Fn(&Reading) -> bool| {
            per_seed.iter().filter(|(_, r)| f(r)).map(|(s, _)| *s).collect::<Vec<u64>>()
        };
        let factor = self.coarse_factor();
        OutcomeRow {
            point: point.label.clone(),
            lambda: point.lambda,
            method: method.name(),
            regularizer: method.regularizer.clone(),
            optimizer: method.optimizer.joined(),
            published: method.published,
            published_text: method.published_text.clone(),
            quantity: stat(|r| r.quantity),
            relative_pct: reference.map_or(Stat::of([]), |r| Stat::of(pct_changes(per_seed, r))),
            paired_pct,
            paired_log_ratio,
            paired_metric,
            metric: stat(|r| r.test),
            validation: stat(|r| r.validation),
            target: Stat::of(point.targets.values().copied()),
            point_lambda: stat(|r| r.lambda),
            fold: Stat::of([]),
            metric_worsening: Stat::of([]),
            validation_worsening: Stat::of([]),
            seeds: per_seed.keys().copied().collect(),
            unreached: point
                .expected
                .iter()
                .filter(|s| !per_seed.contains_key(s))
                .copied()
                .collect(),
            coarse: seeds_where(&|r| r.neighbour_ratio > factor),
            path_end: seeds_where(&|r| r.at_path_end),
            neighbour_ratio_max: per_seed.values().map(|r| r.neighbour_ratio).fold(1.0, f64::max),
        }
    }
}

/// Whether a row's lambda is the lambda asked for (a relative tolerance for printed values).
pub(crate) fn same_lambda(row: f64, asked: f64) -> bool {
    (row - asked).abs() <= 1e-9 * asked.abs().max(1e-300)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn row(lambda: f64, log_loss: f64, nnz: u64) -> RunRecord {
        let mut r = RunRecord::placeholder();
        r.lambda = lambda;
        r.log_loss = log_loss;
        r.validation_log_loss = log_loss;
        r.nonzero_weights = nnz;
        r
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
        let ratio = outcome.rows[1].paired_log_ratio.unwrap();
        assert!(
            (ratio.mean
                - [111.0f64, 121.0, 131.0].map(|q| (q / 101.0).ln()).iter().sum::<f64>() / 3.0)
                .abs()
                < 1e-12
        );
    }
}
