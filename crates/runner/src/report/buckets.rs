//! What a report shows when its grid varies the bucket count of the hashed crosses (`[grid]
//! hash_buckets`): per data set and method, one row per bucket count with the collision rate
//! measured on the training split (`hash_stats.csv`), the test log loss and its paired per-seed
//! difference from the exact cross, nonzero weights, model bytes and training state; then the
//! smallest bucket count within [`WITHIN`] of the exact cross; and the charts of that
//! difference and of nonzero weights against the bucket count. Tables over k would average
//! different bucket counts together, so such a report has these instead.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use plotters::prelude::SeriesLabelPosition;

use crate::record::RunRecord;
use crate::report::aggregate::Stat;
use crate::report::paired::Paired;
use crate::report::plots::{Chart, Series};
use crate::report::summary::{bytes, grouped};
use crate::spec::hash_grid::HashBuckets;

/// The collisions of every hashed group, written by the sweep (`sweep::hash_outputs`).
pub const HASH_STATS_FILE: &str = "hash_stats.csv";

/// How far above the exact cross's test log loss a bucket count may be and still count as
/// enough (mean paired difference).
pub const WITHIN: f64 = 0.001;

/// (k, regularizer, optimizer) of a method on one data set.
type MethodKey = (Option<u32>, String, String);

/// A method's selected test log loss per seed at one bucket count, and the rows behind it.
type Points<'a> = BTreeMap<HashBuckets, BTreeMap<u64, &'a RunRecord>>;

/// Whether the rows come from a grid over bucket counts.
pub fn varies_buckets(rows: &[RunRecord]) -> bool {
    rows.iter().any(|r| !r.hash_buckets.is_empty())
}

/// The selected (not refit) rows of every method, by bucket count and seed.
fn points(rows: &[RunRecord]) -> BTreeMap<MethodKey, Points<'_>> {
    let mut out: BTreeMap<MethodKey, Points<'_>> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.selected && !r.is_refit()) {
        let Some(buckets) = HashBuckets::parse(&r.hash_buckets) else { continue };
        out.entry((r.k, r.regularizer.clone(), r.optimizer.clone()))
            .or_default()
            .entry(buckets)
            .or_default()
            .insert(r.seed, r);
    }
    out
}

/// Collision rate of the hashed crosses per (data set name, seed, bucket count): the ids sharing
/// a bucket over the distinct ids, summed over the crosses (from `hash_stats.csv` in `dir`; an
/// unreadable file gives none, and the table shows `-`).
fn collision_rates(dir: &Path) -> BTreeMap<(String, u64, u64), f64> {
    let mut sums: BTreeMap<(String, u64, u64), (f64, f64)> = BTreeMap::new();
    let Ok(mut reader) = csv::Reader::from_path(dir.join(HASH_STATS_FILE)) else {
        return BTreeMap::new();
    };
    for record in reader.records().flatten() {
        let field = |i: usize| record.get(i).unwrap_or_default();
        let (Ok(seed), Ok(buckets), Ok(distinct), Ok(sharing)) = (
            field(1).parse::<u64>(),
            field(3).parse::<u64>(),
            field(4).parse::<f64>(),
            field(6).parse::<f64>(),
        ) else {
            continue;
        };
        let sum = sums.entry((field(0).to_string(), seed, buckets)).or_default();
        (sum.0, sum.1) = (sum.0 + sharing, sum.1 + distinct);
    }
    sums.into_iter()
        .filter(|(_, (_, distinct))| *distinct > 0.0)
        .map(|(key, (sharing, distinct))| (key, sharing / distinct))
        .collect()
}

/// The mean collision rate over the seeds of one bucket count of one method ("0 (exact)" for
/// the exact cross).
fn collision_text(
    rates: &BTreeMap<(String, u64, u64), f64>,
    buckets: HashBuckets,
    seeds: &BTreeMap<u64, &RunRecord>,
) -> String {
    let HashBuckets::Count(count) = buckets else { return "0 (exact)".to_string() };
    let values = seeds.values().filter_map(|r| {
        let key = crate::plan::DatasetKey { k: r.k, seed: r.seed, n: None, buckets: Some(buckets) };
        rates.get(&(key.side_table_name(&r.dataset), r.seed, count)).copied()
    });
    let stat = Stat::of(values);
    if stat.mean.is_finite() {
        format!("{:.2}%", 100.0 * stat.mean)
    } else {
        "-".to_string()
    }
}

/// Test log loss per seed at one bucket count.
fn losses(seeds: &BTreeMap<u64, &RunRecord>) -> BTreeMap<u64, f64> {
    seeds.iter().map(|(&seed, r)| (seed, r.log_loss)).collect()
}

/// The paired difference of every bucket count from the exact cross (None without exact runs).
fn against_exact(points: &Points<'_>) -> BTreeMap<HashBuckets, Paired> {
    let Some(exact) = points.get(&HashBuckets::Exact).map(losses) else {
        return BTreeMap::new();
    };
    points.iter().map(|(&b, seeds)| (b, Paired::of(&losses(seeds), &exact))).collect()
}

/// The smallest bucket count from which on every larger count is within [`WITHIN`] of the exact
/// cross (mean paired difference), so one lucky small count does not decide it.
pub fn enough_buckets(paired: &BTreeMap<HashBuckets, Paired>) -> Option<u64> {
    let mut enough = None;
    for (b, p) in paired.iter().rev() {
        let HashBuckets::Count(count) = b else { continue };
        if !(p.mean.is_finite() && p.mean <= WITHIN) {
            break;
        }
        enough = Some(*count);
    }
    enough
}

/// The tables of `summary.md`, per data set and method.
pub fn section(md: &mut String, rows: &[RunRecord], dir: &Path) {
    let all = points(rows);
    let rates = collision_rates(dir);
    let _ = writeln!(
        md,
        "## How many hash buckets a cross needs\n\nEach bucket count replaces `hash_buckets` of \
         every hashed cross (`exact`: one id per distinct value). Collisions: ids of the \
         training split that share a bucket with another, over the distinct ids, all hashed \
         crosses together, mean over seeds. Against exact: test log loss minus the exact \
         cross's, paired by seed (mean, 95% interval, sign count). Enough: the smallest count \
         from which on every larger one is within {WITHIN} of exact (mean).\n"
    );
    for ((k, reg, opt), points) in &all {
        let at = k.map_or_else(String::new, |k| format!(", k = {k}"));
        let paired = against_exact(points);
        let enough =
            enough_buckets(&paired).map_or_else(|| "none within the grid".to_string(), grouped);
        let _ = writeln!(md, "### {reg} / {opt}{at}: enough = {enough}\n");
        let _ = writeln!(
            md,
            "| buckets | collisions | nonzero weights | model bytes | training state | test log \
             loss | against exact | interval | seeds |"
        );
        let _ = writeln!(md, "|---:|---:|---:|---:|---:|---:|---:|---|---|");
        for (buckets, seeds) in points {
            let stat = |f: fn(&RunRecord) -> f64| Stat::of(seeds.values().map(|r| f(r))).mean;
            let p = paired.get(buckets);
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {:.4} | {} | {} | {} |",
                match buckets {
                    HashBuckets::Count(n) => grouped(*n),
                    HashBuckets::Exact => "exact".to_string(),
                },
                collision_text(&rates, *buckets, seeds),
                grouped(stat(|r| r.nonzero_weights as f64).round() as u64),
                bytes(stat(|r| r.model_bytes_sparse as f64)),
                bytes(stat(|r| r.train_state_bytes as f64)),
                stat(|r| r.log_loss),
                p.map_or_else(|| "-".to_string(), |p| format!("{:+.5}", p.mean)),
                p.map_or_else(|| "-".to_string(), Paired::interval_text),
                p.map_or_else(|| seeds.len().to_string(), Paired::signs_text),
            );
        }
        let _ = writeln!(md);
    }
}

/// Per data set: test log loss above the exact cross, and nonzero weights, against the bucket
/// count (the exact cross has no x value, so it is the zero line of the first chart).
pub fn charts(rows: &[RunRecord]) -> Vec<Chart> {
    let all = points(rows);
    let mut ks: Vec<Option<u32>> = all.keys().map(|(k, _, _)| *k).collect();
    ks.dedup();
    let mut out = Vec::new();
    for k in ks {
        let tag = k.map_or_else(|| "real".to_string(), |k| format!("k{k:02}"));
        let at = k.map_or_else(String::new, |k| format!(", k = {k}"));
        let methods = || all.iter().filter(move |((at, _, _), _)| *at == k);
        let counts = |points: &Points<'_>| -> Vec<f64> {
            points
                .keys()
                .filter_map(|b| if let HashBuckets::Count(n) = b { Some(*n as f64) } else { None })
                .collect()
        };
        let mut above: Vec<Series> = methods()
            .map(|((_, reg, opt), points)| Series {
                name: format!("{reg} / {opt}"),
                points: against_exact(points)
                    .into_iter()
                    .filter_map(|(b, p)| match b {
                        HashBuckets::Count(n) if p.mean.is_finite() => Some((n as f64, p.mean)),
                        _ => None,
                    })
                    .collect(),
                reference: false,
            })
            .filter(|s| !s.points.is_empty())
            .collect();
        let xs: Vec<f64> = methods().flat_map(|(_, p)| counts(p)).collect();
        let (lo, hi) = xs.iter().fold((f64::INFINITY, 0.0f64), |(l, h), &x| (l.min(x), h.max(x)));
        if lo <= hi {
            above.push(Series {
                name: format!("{WITHIN} above exact"),
                points: vec![(lo, WITHIN), (hi, WITHIN)],
                reference: true,
            });
        }
        let nonzeros: Vec<Series> = methods()
            .map(|((_, reg, opt), points)| Series {
                name: format!("{reg} / {opt}"),
                points: points
                    .iter()
                    .filter_map(|(b, seeds)| match b {
                        HashBuckets::Count(n) => Some((
                            *n as f64,
                            Stat::of(seeds.values().map(|r| r.nonzero_weights as f64)).mean,
                        )),
                        HashBuckets::Exact => None,
                    })
                    .collect(),
                reference: false,
            })
            .collect();
        let chart = |stem: String, title: String, y: &str, y_log, series, legend| Chart {
            stem,
            title,
            x_label: "hash buckets per cross (log scale)".to_string(),
            y_label: y.to_string(),
            x_log: true,
            y_log,
            series,
            legend,
        };
        out.push(chart(
            format!("log_loss_above_exact_vs_buckets_{tag}"),
            format!("Test log loss minus the exact cross's vs buckets{at}"),
            "log loss difference (mean over seeds)",
            false,
            above,
            SeriesLabelPosition::UpperRight,
        ));
        out.push(chart(
            format!("nonzeros_vs_buckets_{tag}"),
            format!("Nonzero weights vs buckets{at}"),
            "nonzero weights (log scale)",
            true,
            nonzeros,
            SeriesLabelPosition::UpperLeft,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(buckets: &str, seed: u64, log_loss: f64) -> RunRecord {
        let mut r = RunRecord::placeholder();
        r.dataset = "clicks".to_string();
        r.regularizer = "l1".to_string();
        r.optimizer = "coordinate_descent".to_string();
        r.hash_buckets = buckets.to_string();
        r.seed = seed;
        r.log_loss = log_loss;
        r.selected = true;
        r.nonzero_weights = 10;
        r.run_id = format!("{buckets}-{seed}");
        r
    }

    #[test]
    fn enough_is_the_smallest_count_from_which_on_every_count_is_close() {
        let mut rows = Vec::new();
        // 2^4 is far off, 2^6 is close only by luck (2^8 is not), 2^10 and up are close.
        for (b, d) in [("16", 0.01), ("64", 0.0), ("256", 0.005), ("1024", 0.0005), ("4096", 0.0)] {
            for seed in [1, 2] {
                rows.push(row(b, seed, 0.5 + d + 1e-5 * seed as f64));
            }
        }
        rows.push(row("exact", 1, 0.5 + 1e-5));
        rows.push(row("exact", 2, 0.5 + 2e-5));
        assert!(varies_buckets(&rows));
        let all = points(&rows);
        let paired = against_exact(all.values().next().unwrap());
        assert_eq!(enough_buckets(&paired), Some(1024));
        let dir = std::env::temp_dir().join(format!("buckets-report-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut md = String::new();
        section(&mut md, &rows, &dir);
        assert!(md.contains("### l1 / coordinate_descent: enough = 1,024"), "{md}");
        assert!(md.contains("| 16 | - | 10 |"), "{md}");
        assert!(md.contains("| exact | 0 (exact) |"), "{md}");
        let charts = charts(&rows);
        let above = &charts[0];
        assert_eq!(above.series[0].points.len(), 5);
        assert!(above.series[1].reference);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn without_exact_runs_nothing_is_enough() {
        let rows = vec![row("16", 1, 0.5), row("64", 1, 0.5)];
        let paired = against_exact(points(&rows).values().next().unwrap());
        assert_eq!(enough_buckets(&paired), None);
    }
}
