//! What a report shows when its grid varies the training rows (`[grid] n_train`): per k, a
//! table of every method at every n (touched features, nonzero weights, model bytes, training
//! state, peak RSS, throughput, test log loss against the Bayes line, and how a run stopped by
//! the memory cap ended), and the charts memory vs n and log loss vs n. The tables and charts
//! over k would average different n together, so such a report has these instead.
//!
//! A row counts when it was selected, or when it ended `memory_exceeded` (never selected: its
//! figures are those at the point the cap stopped it); values are means over seeds.

use std::collections::BTreeMap;
use std::fmt::Write;

use plotters::prelude::SeriesLabelPosition;

use crate::record::{self, RunRecord};
use crate::report::aggregate::Stat;
use crate::report::plots::{Chart, Series};
use crate::report::summary::{bytes, grouped};

/// (k, regularizer, optimizer) of a method at one k.
type MethodKey = (Option<u32>, String, String);

/// One method at one n, over seeds.
struct Point<'a> {
    n: u64,
    rows: Vec<&'a RunRecord>,
}

impl Point<'_> {
    fn stat(&self, value: impl Fn(&RunRecord) -> f64) -> f64 {
        Stat::of(self.rows.iter().map(|r| value(r))).mean
    }

    /// The peak RSS cell: the mean peak, and the mean growth above the baseline when every
    /// seed's run recorded one (`rss_before_bytes`).
    fn rss_cell(&self) -> String {
        let peak = rss(self.stat(|r| r.peak_rss_bytes as f64));
        let growth: Option<Vec<u64>> = self.rows.iter().map(|r| r.rss_growth_bytes()).collect();
        match growth {
            Some(g) if !g.is_empty() => {
                let mean = g.iter().map(|&b| b as f64).sum::<f64>() / g.len() as f64;
                format!("{peak} (+{})", bytes(mean))
            }
            _ => peak,
        }
    }

    /// `ok`, or how many seeds hit the cap and after how many examples.
    fn outcome(&self) -> String {
        let capped: Vec<&&RunRecord> =
            self.rows.iter().filter(|r| r.status == record::STATUS_MEMORY_EXCEEDED).collect();
        match capped.first() {
            None => "ok".to_string(),
            Some(r) if r.family == "batch" => "not started: estimate over the cap".to_string(),
            Some(r) => format!(
                "memory cap after {} examples ({} of {} seeds)",
                grouped((r.epochs * r.n_train as f64).round() as u64),
                capped.len(),
                self.rows.len()
            ),
        }
    }
}

/// Whether the rows vary the training rows of one method (an `n_train` grid).
pub fn varies_n(rows: &[RunRecord]) -> bool {
    let mut seen: BTreeMap<MethodKey, u64> = BTreeMap::new();
    rows.iter().filter(|r| !r.is_refit()).any(|r| {
        let n = *seen.entry((r.k, r.regularizer.clone(), r.optimizer.clone())).or_insert(r.n_train);
        n != r.n_train
    })
}

/// Every method's points, in n order.
fn points(rows: &[RunRecord]) -> BTreeMap<MethodKey, Vec<Point<'_>>> {
    let mut by: BTreeMap<MethodKey, BTreeMap<u64, Vec<&RunRecord>>> = BTreeMap::new();
    for r in rows
        .iter()
        .filter(|r| !r.is_refit() && (r.selected || r.status == record::STATUS_MEMORY_EXCEEDED))
    {
        by.entry((r.k, r.regularizer.clone(), r.optimizer.clone()))
            .or_default()
            .entry(r.n_train)
            .or_default()
            .push(r);
    }
    by.into_iter()
        .map(|(key, ns)| (key, ns.into_iter().map(|(n, rows)| Point { n, rows }).collect()))
        .collect()
}

/// The per-k tables of `summary.md`.
pub fn section(md: &mut String, rows: &[RunRecord]) {
    let all = points(rows);
    let mut ks: Vec<Option<u32>> = all.keys().map(|(k, _, _)| *k).collect();
    ks.dedup();
    for k in ks {
        let heading = k.map_or_else(|| "real data".to_string(), |k| format!("k = {k}"));
        let _ = writeln!(md, "## {heading}: memory and log loss against n\n");
        let _ = writeln!(
            md,
            "| regularizer | optimizer | n | touched features | nonzero weights | model bytes | \
             training state | peak RSS (+ growth in the run) | examples/s | test log loss | Bayes log loss | outcome |"
        );
        let _ = writeln!(md, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        for ((_, reg, opt), points) in all.iter().filter(|((at, _, _), _)| *at == k) {
            for p in points {
                let _ = writeln!(
                    md,
                    "| {reg} | {opt} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                    grouped(p.n),
                    count(p.stat(|r| r.features_touched as f64)),
                    count(p.stat(|r| r.nonzero_weights as f64)),
                    bytes(p.stat(|r| r.model_bytes_sparse as f64)),
                    bytes(p.stat(|r| r.train_state_bytes as f64)),
                    p.rss_cell(),
                    rate(p.stat(|r| r.examples_per_second)),
                    loss(p.stat(|r| r.log_loss)),
                    loss(p.stat(|r| r.bayes_log_loss)),
                    p.outcome(),
                );
            }
        }
        let _ = writeln!(md);
    }
    let _ = writeln!(
        md,
        "Touched features: distinct features of the training split (a HyperLogLog estimate, \
         within about 1%, when it is streamed). Training state: the optimizer's store and \
         admission filter at their peak. Peak RSS: the process's, reset before each run when the \
         sweep runs on one thread (else `-`). Examples/s: training examples over training time, \
         generation of a streamed split included. A run stopped by the memory cap shows the \
         figures at the point it stopped.\n"
    );
}

fn count(value: f64) -> String {
    if value.is_finite() {
        grouped(value.round() as u64)
    } else {
        "-".to_string()
    }
}

fn rss(value: f64) -> String {
    if value > 0.0 {
        bytes(value)
    } else {
        "-".to_string()
    }
}

fn rate(value: f64) -> String {
    if value.is_finite() && value > 0.0 {
        format!("{:.2}M", value / 1e6)
    } else {
        "-".to_string()
    }
}

fn loss(value: f64) -> String {
    if value.is_finite() {
        format!("{value:.4}")
    } else {
        "-".to_string()
    }
}

/// One line per method at `k` of `value` over n; points without a finite value are left out.
fn series(
    all: &BTreeMap<MethodKey, Vec<Point<'_>>>,
    k: Option<u32>,
    value: impl Fn(&Point<'_>) -> f64,
) -> Vec<Series> {
    all.iter()
        .filter(|((at, _, _), _)| *at == k)
        .map(|((_, reg, opt), points)| Series {
            name: format!("{reg} / {opt}"),
            points: points.iter().map(|p| (p.n as f64, value(p))).collect(),
            reference: false,
        })
        .collect()
}

/// What the memory chart at `k` plots for runs that did not finish: a capped online run's state
/// when it stopped, a batch fit's estimate when it was not started (empty when every run
/// finished), for the chart's title (kept short: the title is one line of the image).
fn unfinished_note(all: &BTreeMap<MethodKey, Vec<Point<'_>>>, k: Option<u32>) -> String {
    let capped = |family_is_batch: bool| {
        all.iter().filter(|((at, _, _), _)| *at == k).flat_map(|(_, points)| points).any(|p| {
            p.rows.iter().any(|r| {
                r.status == record::STATUS_MEMORY_EXCEEDED
                    && (r.family == "batch") == family_is_batch
            })
        })
    };
    let mut parts = Vec::new();
    if capped(false) {
        parts.push("capped: state at stop");
    }
    if capped(true) {
        parts.push("batch not run: estimate");
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join("; "))
    }
}

/// Per k: training state vs n, peak RSS vs n, and test log loss vs n with the Bayes line.
pub fn charts(rows: &[RunRecord]) -> Vec<Chart> {
    let all = points(rows);
    let mut ks: Vec<Option<u32>> = all.keys().map(|(k, _, _)| *k).collect();
    ks.dedup();
    let mut out = Vec::new();
    for k in ks {
        let tag = k.map_or_else(|| "real".to_string(), |k| format!("k{k:02}"));
        let at = k.map_or_else(String::new, |k| format!(", k = {k}"));
        let chart = |stem: String, title: String, y: &str, y_log, series, legend| Chart {
            stem,
            title,
            x_label: "training examples n (log scale)".to_string(),
            y_label: y.to_string(),
            x_log: true,
            y_log,
            series,
            legend,
        };
        out.push(chart(
            format!("memory_vs_n_{tag}"),
            format!("Training state at its peak vs n{at}{}", unfinished_note(&all, k)),
            "bytes (log scale)",
            true,
            series(&all, k, |p| p.stat(|r| r.train_state_bytes as f64)),
            SeriesLabelPosition::UpperLeft,
        ));
        out.push(chart(
            format!("peak_rss_vs_n_{tag}"),
            format!("Peak RSS of the run vs n{at}"),
            "bytes (log scale)",
            true,
            series(&all, k, |p| p.stat(|r| r.peak_rss_bytes as f64)),
            SeriesLabelPosition::UpperLeft,
        ));
        let mut ll = series(&all, k, |p| p.stat(|r| r.log_loss));
        if let Some(points) = all.iter().find(|((at, _, _), _)| *at == k).map(|(_, p)| p) {
            ll.push(Series {
                name: "Bayes (true probabilities)".to_string(),
                points: points.iter().map(|p| (p.n as f64, p.stat(|r| r.bayes_log_loss))).collect(),
                reference: true,
            });
        }
        out.push(chart(
            format!("log_loss_vs_n_{tag}"),
            format!("Test log loss vs n{at}"),
            "log loss",
            false,
            ll,
            SeriesLabelPosition::UpperRight,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(n: u64, optimizer: &str, status: &str, selected: bool) -> RunRecord {
        let mut r = RunRecord::placeholder();
        r.k = Some(10);
        r.n_train = n;
        r.regularizer = "l1".to_string();
        r.optimizer = optimizer.to_string();
        r.family = "online".to_string();
        r.status = status.to_string();
        r.selected = selected;
        r.train_state_bytes = n * 24;
        r.epochs = 0.5;
        r.run_id = format!("{optimizer}-{n}");
        r
    }

    #[test]
    fn the_table_lists_every_n_and_how_a_capped_run_ended() {
        let rows = vec![
            row(1_000, "ftrl", "ok", true),
            row(100_000, "ftrl", record::STATUS_MEMORY_EXCEEDED, false),
            row(1_000, "ftrl_poisson", "ok", true),
        ];
        assert!(varies_n(&rows));
        assert!(!varies_n(&rows[..1]));
        let mut md = String::new();
        section(&mut md, &rows);
        assert!(md.contains("| l1 | ftrl | 1,000 |"), "{md}");
        assert!(md.contains("memory cap after 50,000 examples (1 of 1 seeds)"), "{md}");
        let charts = charts(&rows);
        let memory = charts.iter().find(|c| c.stem == "memory_vs_n_k10").expect("memory chart");
        let ftrl = memory.series.iter().find(|s| s.name == "l1 / ftrl").expect("ftrl line");
        assert_eq!(ftrl.points, vec![(1_000.0, 24_000.0), (100_000.0, 2_400_000.0)]);
        // The title says what the capped point is; a batch estimate would be named too.
        assert!(memory.title.ends_with("(capped: state at stop)"), "{}", memory.title);
        let mut batch = row(100_000, "coordinate_descent", record::STATUS_MEMORY_EXCEEDED, false);
        batch.family = "batch".to_string();
        let charts = super::charts(&[rows[0].clone(), batch]);
        let memory = charts.iter().find(|c| c.stem == "memory_vs_n_k10").expect("memory chart");
        assert!(memory.title.ends_with("(batch not run: estimate)"), "{}", memory.title);
        let finished = super::charts(&rows[..1]);
        assert!(finished[0].title.ends_with("vs n, k = 10"), "{}", finished[0].title);
    }
}
