//! The frontier charts of a report: for each `equal_metric` comparison with common targets, the
//! quantity (log scale) against the validation metric along each method's lambda path (points
//! joined in path order), one series per method (the first seed), and a vertical line at each of
//! that seed's targets.
//! Drawn by [`crate::report::plots::render`] with its palette and markers.

use plotters::prelude::SeriesLabelPosition;

use crate::record::RunRecord;
use crate::report::plots::{Chart, Series};
use crate::spec::compare::{CompareKind, CompareSpec, MetricTarget};

/// One chart per `equal_metric` table with `target = "common"` (stems `frontier`, then
/// `frontier_2`, ...); none when the rows give no path.
pub fn charts(comparisons: &[CompareSpec], rows: &[RunRecord]) -> Vec<Chart> {
    comparisons
        .iter()
        .filter(|c| c.kind == CompareKind::EqualMetric && c.target == Some(MetricTarget::Common))
        .enumerate()
        .filter_map(|(i, spec)| {
            let rows: Vec<RunRecord> = match spec.k {
                Some(k) => rows.iter().filter(|r| r.k == Some(k)).cloned().collect(),
                None => rows.to_vec(),
            };
            let stem = if i == 0 { "frontier".to_string() } else { format!("frontier_{}", i + 1) };
            chart(spec, &rows, stem)
        })
        .collect()
}

/// The chart of one comparison on its first seed.
fn chart(spec: &CompareSpec, rows: &[RunRecord], stem: String) -> Option<Chart> {
    let frontiers = spec.frontiers(rows);
    let seed = frontiers.iter().flat_map(|f| f.keys().copied()).min()?;
    let metric = spec.metric;
    let mut series: Vec<Series> = spec
        .methods
        .iter()
        .zip(&frontiers)
        .filter_map(|(method, per_seed)| {
            let runs = per_seed.get(&seed)?.runs();
            // In path order (by lambda), not by x: the line follows the path as it is searched.
            let points: Vec<(f64, f64)> =
                runs.iter().map(|r| (metric.cost(r.validation_cost), r.quantity)).collect();
            Some(Series { name: method.name(), points, reference: false })
        })
        .collect();
    let (low, high) = quantity_span(&series);
    for (label, costs) in spec.targets(rows, &frontiers) {
        if let Some(cost) = costs.get(&seed) {
            let x = metric.cost(*cost);
            series.push(Series {
                name: format!("target {label}"),
                points: vec![(x, low), (x, high)],
                reference: true,
            });
        }
    }
    Some(Chart {
        stem,
        title: format!(
            "{}: frontier on validation (seed {seed}), targets as vertical lines",
            spec.title.split(':').next().unwrap_or(&spec.title)
        ),
        x_label: format!("validation {}", metric.as_str()),
        y_label: format!("{} (log scale)", spec.quantity.as_str()),
        x_log: false,
        y_log: true,
        series,
        legend: SeriesLabelPosition::UpperRight,
    })
}

/// The smallest positive and the largest quantity drawn (1 and 10 for an empty chart).
fn quantity_span(series: &[Series]) -> (f64, f64) {
    let values = series.iter().flat_map(|s| s.points.iter().map(|p| p.1)).filter(|v| *v > 0.0);
    let (low, high) = values.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if low.is_finite() {
        (low, high)
    } else {
        (1.0, 10.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(optimizer: &str, lambda: f64, nnz: u64, validation: f64) -> RunRecord {
        let mut r = RunRecord::placeholder();
        (r.regularizer, r.optimizer, r.seed, r.lambda) = ("l1".into(), optimizer.into(), 1, lambda);
        (r.nonzero_weights, r.validation_log_loss, r.log_loss) = (nnz, validation, validation);
        r.status = crate::record::STATUS_OK.to_string();
        r
    }

    #[test]
    fn one_series_per_method_and_a_line_per_target() {
        let spec: CompareSpec = toml::from_str(
            "title = \"Table 1: x\"\nkind = \"equal_metric\"\ntarget = \"common\"\n\
             offsets = [0.0, 0.01]\nreference = \"a\"\n\
             [[method]]\nregularizer = \"l1\"\noptimizer = \"a\"\n\
             [[method]]\nregularizer = \"l1\"\noptimizer = \"b\"\n",
        )
        .unwrap();
        let rows = [
            row("a", 0.1, 100, 0.50),
            row("a", 1.0, 10, 0.60),
            row("b", 0.1, 300, 0.52),
            row("b", 1.0, 30, 0.62),
        ];
        let charts = charts(std::slice::from_ref(&spec), &rows);
        assert_eq!(charts.len(), 1);
        let c = &charts[0];
        assert_eq!(c.stem, "frontier");
        let names: Vec<&str> = c.series.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "target T0", "target T0 + 0.01"]);
        // T0 = the worse of the two best validation losses.
        assert_eq!(c.series[2].points, vec![(0.52, 10.0), (0.52, 300.0)]);
    }
}
