//! Writes `published_vs_ours.md` and `published_vs_ours.csv`: one section (and one block of CSV
//! rows) per `[[compare]]` table of the spec, computed by [`crate::report::compare`] from the runs.

use std::fmt::Write;
use std::path::Path;

use serde::Serialize;

use crate::record::RunRecord;
use crate::report::aggregate::Stat;
use crate::report::atomic_write::write_atomic;
use crate::report::compare::Outcome;
use crate::report::paired::Paired;
use crate::spec::compare::{CompareKind, CompareSpec, MetricTarget};
use crate::spec::ExperimentSpec;

/// One row of `published_vs_ours.csv`: a table line, or a claim (`method` = `check`).
#[derive(Debug, Serialize)]
struct CsvRow<'a> {
    compare: &'a str,
    kind: &'a str,
    point: &'a str,
    lambda: Option<f64>,
    method: &'a str,
    regularizer: &'a str,
    optimizer: &'a str,
    published_pct: Option<f64>,
    published_text: &'a str,
    quantity: &'a str,
    ours_mean: f64,
    ours_sd: f64,
    ours_pct_vs_reference_mean: f64,
    ours_pct_vs_reference_sd: f64,
    paired_pct_low: f64,
    paired_pct_high: f64,
    paired_pct_seeds_above: Option<usize>,
    paired_pct_seeds_below: Option<usize>,
    metric: &'a str,
    metric_mean: f64,
    metric_sd: f64,
    paired_metric_diff_mean: f64,
    paired_metric_diff_low: f64,
    paired_metric_diff_high: f64,
    paired_metric_seeds_above: Option<usize>,
    paired_metric_seeds_below: Option<usize>,
    fold_mean: f64,
    fold_sd: f64,
    metric_worsening_mean: f64,
    seeds: String,
    holds: Option<bool>,
    detail: &'a str,
}

fn stat(s: Stat, digits: usize) -> String {
    if !s.mean.is_finite() {
        "-".to_string()
    } else if s.sd > 0.0 {
        format!("{:.digits$} ± {:.digits$}", s.mean, s.sd)
    } else {
        format!("{:.digits$}", s.mean)
    }
}

fn pct(s: Stat) -> String {
    if !s.mean.is_finite() {
        "-".to_string()
    } else if s.sd > 0.0 {
        format!("{:+.0}% ± {:.0}%", s.mean, s.sd)
    } else {
        format!("{:+.0}%", s.mean)
    }
}

/// A paired difference in words: `+20% [-5%, +45%]; 3 of 3 seeds above` (percent, `digits`
/// decimals) or `+0.00200 [...]`; `-` for the reference itself.
fn paired_cell(p: Option<Paired>, percent: bool, digits: usize) -> String {
    let Some(p) = p.filter(|p| p.n > 0 && p.mean.is_finite()) else { return "-".to_string() };
    let unit = if percent { "%" } else { "" };
    let interval = p.interval().map_or("one seed, no interval".to_string(), |(lo, hi)| {
        format!("[{lo:+.digits$}{unit}, {hi:+.digits$}{unit}]")
    });
    format!("{:+.digits$}{unit} {interval}; {}", p.mean, p.signs_text_as("above", "below"))
}

/// The interval ends and sign counts of a paired difference, for the CSV (NaN / None without).
fn paired_columns(p: Option<Paired>) -> (f64, f64, Option<usize>, Option<usize>) {
    match p {
        None => (f64::NAN, f64::NAN, None, None),
        Some(p) => {
            let (lo, hi) = p.interval().unwrap_or((f64::NAN, f64::NAN));
            (lo, hi, Some(p.worse), Some(p.better))
        }
    }
}

fn verdict(holds: Option<bool>) -> &'static str {
    match holds {
        Some(true) => "holds",
        Some(false) => "does NOT hold",
        None => "not measured",
    }
}

fn seeds(list: &[u64]) -> String {
    list.iter().map(u64::to_string).collect::<Vec<_>>().join(" ")
}

/// The Markdown section of one comparison; a smoke run (`quick`) lists its claims unjudged.
fn section(md: &mut String, outcome: &Outcome, quick: bool) {
    let spec = &outcome.spec;
    let _ = writeln!(md, "## {}\n", spec.title);
    if !spec.source.is_empty() {
        let _ = writeln!(md, "Source: {}.", spec.source);
    }
    if !spec.published_text.is_empty() {
        let _ = writeln!(md, "Published: {}", spec.published_text);
    }
    let how = how_compared(spec);
    let at_k = spec.k.map_or(String::new(), |k| format!(" Runs at k = {k} only."));
    let paired = match spec.kind {
        CompareKind::Path => "",
        _ => {
            " Paired columns: this method minus the reference on each seed's own data, mean, 95% \
             t interval over seeds and how many seeds lie above or below the reference."
        }
    };
    let _ = writeln!(md, "\n{how}{at_k} Ours: mean ± sd over seeds.{paired}\n");
    match spec.kind {
        CompareKind::Path => path_table(md, outcome),
        CompareKind::EqualMetric | CompareKind::EqualLambda => points_table(md, outcome),
    }
    let _ = writeln!(md);
    for check in &outcome.checks {
        let said = if quick { "not judged (smoke run)" } else { verdict(check.holds) };
        let _ = writeln!(md, "- `{}`: **{said}** ({})", check.claim, check.detail);
    }
    if !spec.note.is_empty() {
        let _ = writeln!(md, "\n{}", spec.note.trim());
    }
    let _ = writeln!(md);
}

/// The sentence saying how a comparison of this kind measures each method.
fn how_compared(spec: &CompareSpec) -> String {
    match spec.kind {
        CompareKind::EqualMetric => format!(
            "Each method's `{}` where its test `{}` reaches {} (relative slack {}), per seed, \
             interpolated along its path from its largest to its smallest model (linear in the metric \
             and in log(1 + {})); a method that never reaches it shows `-`.",
            spec.quantity.as_str(),
            spec.metric.as_str(),
            match spec.target.unwrap_or_default() {
                MetricTarget::Reference => format!(
                    "that of `{}`'s selected run",
                    spec.reference.as_deref().unwrap_or("?")
                ),
                MetricTarget::Common => {
                    "the best value every method reaches (the worst of the methods' best)".to_string()
                }
            },
            spec.tolerance.unwrap_or(0.0),
            spec.quantity.as_str()
        ),
        CompareKind::EqualLambda => format!(
            "Each method's `{}` at the same lambda.",
            spec.quantity.as_str()
        ),
        CompareKind::Path => format!(
            "Each method's `{}` and test `{}` along its lambda path; fold = `{}` at the smallest lambda over \
             `{}` here (floored at 1), per seed.",
            spec.quantity.as_str(),
            spec.metric.as_str(),
            spec.quantity.as_str(),
            spec.quantity.as_str()
        ),
    }
}

/// The table of a path comparison: one line per method and lambda.
fn path_table(md: &mut String, outcome: &Outcome) {
    let (q, m) = (outcome.spec.quantity.as_str(), outcome.spec.metric.as_str());
    let _ = writeln!(
        md,
        "| method | lambda | ours: {q} | fold | ours: test {m} | {m} worse by | seeds |"
    );
    let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---|");
    for r in &outcome.rows {
        let _ = writeln!(
            md,
            "| {} | {:e} | {} | {} | {} | {} | {} |",
            r.method,
            r.lambda.unwrap_or(f64::NAN),
            stat(r.quantity, 0),
            stat(r.fold, 1),
            stat(r.metric, 4),
            stat(r.metric_worsening, 4),
            seeds(&r.seeds)
        );
    }
}

/// The table of an equal-metric or equal-lambda comparison: one line per point and method,
/// beside the published figure.
fn points_table(md: &mut String, outcome: &Outcome) {
    let spec = &outcome.spec;
    let reference = spec.reference.as_deref().unwrap_or("reference");
    let (q, m) = (spec.quantity.as_str(), spec.metric.as_str());
    let _ = writeln!(
        md,
        "| point | method | published vs {reference} | ours: {q} | ours vs {reference} | \
         paired: {q} vs {reference} | ours: test {m} | paired: test {m} − {reference} | seeds |"
    );
    let _ = writeln!(md, "|---|---|---:|---:|---:|---|---:|---|---|");
    for r in &outcome.rows {
        let published = match (r.published, r.published_text.is_empty()) {
            (Some(p), true) => format!("{p:+}%"),
            (Some(p), false) => format!("{p:+}% ({})", r.published_text),
            (None, false) => r.published_text.clone(),
            (None, true) => "-".to_string(),
        };
        let _ = writeln!(
            md,
            "| {} | {} | {published} | {} | {} | {} | {} | {} | {} |",
            r.point,
            r.method,
            stat(r.quantity, 0),
            pct(r.relative_pct),
            paired_cell(r.paired_pct, true, 0),
            stat(r.metric, 4),
            paired_cell(r.paired_metric, false, 5),
            seeds(&r.seeds)
        );
    }
}

/// Renders `published_vs_ours.md`.
fn render_md(spec: &ExperimentSpec, outcomes: &[Outcome], quick: bool) -> String {
    let mut md = String::new();
    let _ = writeln!(
        md,
        "# Published vs ours: {}{}\n",
        spec.name,
        if quick { " (quick mode: too small to judge)" } else { "" }
    );
    let _ = writeln!(
        md,
        "Every \"ours\" figure is computed from `runs.csv` of this report (test split; seeds {}). \
         The same figures, one per line, are in `published_vs_ours.csv`.\n",
        seeds(&spec.grid.seeds)
    );
    for outcome in outcomes {
        section(&mut md, outcome, quick);
    }
    md
}

/// Renders `published_vs_ours.csv`.
fn render_csv(outcomes: &[Outcome]) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for outcome in outcomes {
        let spec = &outcome.spec;
        let base = |point: &'static str| CsvRow {
            compare: &spec.title,
            kind: spec.kind.as_str(),
            point,
            lambda: None,
            method: "",
            regularizer: "",
            optimizer: "",
            published_pct: None,
            published_text: "",
            quantity: spec.quantity.as_str(),
            ours_mean: f64::NAN,
            ours_sd: f64::NAN,
            ours_pct_vs_reference_mean: f64::NAN,
            ours_pct_vs_reference_sd: f64::NAN,
            paired_pct_low: f64::NAN,
            paired_pct_high: f64::NAN,
            paired_pct_seeds_above: None,
            paired_pct_seeds_below: None,
            metric: spec.metric.as_str(),
            metric_mean: f64::NAN,
            metric_sd: f64::NAN,
            paired_metric_diff_mean: f64::NAN,
            paired_metric_diff_low: f64::NAN,
            paired_metric_diff_high: f64::NAN,
            paired_metric_seeds_above: None,
            paired_metric_seeds_below: None,
            fold_mean: f64::NAN,
            fold_sd: f64::NAN,
            metric_worsening_mean: f64::NAN,
            seeds: String::new(),
            holds: None,
            detail: "",
        };
        for r in &outcome.rows {
            let (pct_low, pct_high, pct_above, pct_below) = paired_columns(r.paired_pct);
            let (m_low, m_high, m_above, m_below) = paired_columns(r.paired_metric);
            writer.serialize(CsvRow {
                point: &r.point,
                lambda: r.lambda,
                method: &r.method,
                regularizer: &r.regularizer,
                optimizer: &r.optimizer,
                published_pct: r.published,
                published_text: &r.published_text,
                ours_mean: r.quantity.mean,
                ours_sd: r.quantity.sd,
                ours_pct_vs_reference_mean: r.relative_pct.mean,
                ours_pct_vs_reference_sd: r.relative_pct.sd,
                paired_pct_low: pct_low,
                paired_pct_high: pct_high,
                paired_pct_seeds_above: pct_above,
                paired_pct_seeds_below: pct_below,
                metric_mean: r.metric.mean,
                metric_sd: r.metric.sd,
                paired_metric_diff_mean: r.paired_metric.map_or(f64::NAN, |p| p.mean),
                paired_metric_diff_low: m_low,
                paired_metric_diff_high: m_high,
                paired_metric_seeds_above: m_above,
                paired_metric_seeds_below: m_below,
                fold_mean: r.fold.mean,
                fold_sd: r.fold.sd,
                metric_worsening_mean: r.metric_worsening.mean,
                seeds: seeds(&r.seeds),
                ..base("")
            })?;
        }
        for check in &outcome.checks {
            writer.serialize(CsvRow {
                point: &check.claim,
                method: "check",
                holds: check.holds,
                detail: &check.detail,
                ..base("")
            })?;
        }
    }
    writer.into_inner().map_err(|e| anyhow::anyhow!("cannot render published_vs_ours.csv: {e}"))
}

/// Writes both files into `dir` when the spec has `[[compare]]` tables.
pub fn write(
    dir: &Path,
    spec: &ExperimentSpec,
    rows: &[RunRecord],
    quick: bool,
) -> anyhow::Result<()> {
    if spec.comparisons.is_empty() {
        return Ok(());
    }
    let outcomes: Vec<Outcome> = spec.comparisons.iter().map(|c| c.outcome(rows)).collect();
    write_atomic(&dir.join("published_vs_ours.md"), render_md(spec, &outcomes, quick).as_bytes())?;
    write_atomic(&dir.join("published_vs_ours.csv"), &render_csv(&outcomes)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_smoke_run_judges_no_claim() {
        let spec: crate::spec::compare::CompareSpec = toml::from_str(
            "title = \"t\"\nkind = \"equal_lambda\"\nlambdas = [0.1]\nreference = \"a\"\n\
             quantity = \"nonzero_weights\"\nexpect = [\"a < b\"]\n\
             [[method]]\nregularizer = \"l1\"\noptimizer = \"a\"\n\
             [[method]]\nregularizer = \"l1\"\noptimizer = \"b\"\n",
        )
        .unwrap();
        let outcome = Outcome {
            spec,
            rows: Vec::new(),
            checks: vec![crate::report::compare::Check {
                claim: "a < b".into(),
                holds: Some(true),
                detail: "1 vs 2".into(),
            }],
        };
        let (mut full, mut smoke) = (String::new(), String::new());
        section(&mut full, &outcome, false);
        section(&mut smoke, &outcome, true);
        assert!(full.contains("- `a < b`: **holds** (1 vs 2)"), "{full}");
        assert!(smoke.contains("- `a < b`: **not judged (smoke run)** (1 vs 2)"), "{smoke}");
    }

    #[test]
    fn paired_cells_give_mean_interval_and_signs() {
        let p = Paired::of_differences(&[10.0, 20.0, 30.0]);
        let half = 4.303 * 10.0 / 3f64.sqrt();
        assert_eq!(
            paired_cell(Some(p), true, 0),
            format!("+20% [{:+.0}%, {:+.0}%]; 3 of 3 seeds above", 20.0 - half, 20.0 + half)
        );
        assert_eq!(paired_cell(None, true, 0), "-");
        let one = Paired::of_differences(&[-0.002]);
        assert_eq!(
            paired_cell(Some(one), false, 5),
            "-0.00200 one seed, no interval; 1 of 1 seeds below"
        );
        let (lo, hi, above, below) = paired_columns(Some(p));
        assert!((lo - (20.0 - half)).abs() < 1e-9 && (hi - (20.0 + half)).abs() < 1e-9);
        assert_eq!((above, below), (Some(3), Some(0)));
        assert!(paired_columns(None).0.is_nan());
    }
}
