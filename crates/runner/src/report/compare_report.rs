//! Writes `published_vs_ours.md` and `published_vs_ours.csv`: one section (and one block of CSV
//! rows) per `[[compare]]` table of the spec, computed by [`crate::report::compare`] from the runs:
//! the table, a sensitivity table when the claims are judged at several targets, and the claims.

use std::fmt::Write;
use std::path::Path;

use serde::Serialize;

use crate::record::RunRecord;
use crate::report::aggregate::Stat;
use crate::report::atomic_write::write_atomic;
use crate::report::compare::{Check, Outcome, OutcomeRow};
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
    paired_log_ratio_mean: f64,
    paired_log_ratio_low: f64,
    paired_log_ratio_high: f64,
    validation_mean: f64,
    validation_target_mean: f64,
    lambda_at_point_mean: f64,
    unreached_seeds: String,
    coarse_seeds: String,
    path_end_seeds: String,
    neighbour_ratio_max: f64,
    validation_worsening_mean: f64,
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

/// A paired log ratio as a factor: `x3.2 [x1.5, x7.0]; 3 of 3 seeds above`; `-` without.
fn ratio_cell(p: Option<Paired>) -> String {
    let Some(p) = p.filter(|p| p.n > 0 && p.mean.is_finite()) else { return "-".to_string() };
    let factor = |x: f64| format!("x{}", significant(x.exp()));
    let interval = p.interval().map_or("one seed, no interval".to_string(), |(lo, hi)| {
        format!("[{}, {}]", factor(lo), factor(hi))
    });
    format!("{} {interval}; {}", factor(p.mean), p.signs_text_as("above", "below"))
}

/// A positive number with two significant digits at least (`0.031`, `3.2`, `41`, `1200`).
fn significant(x: f64) -> String {
    if x >= 10.0 {
        format!("{x:.0}")
    } else if x >= 0.1 {
        format!("{x:.2}")
    } else {
        format!("{x:.2e}")
    }
}

/// How many seeds have a value, and which are missing: `3 of 3`, `2 of 3 (not 2)`.
fn reached(r: &OutcomeRow) -> String {
    let all = r.seeds.len() + r.unreached.len();
    if r.unreached.is_empty() {
        format!("{} of {all}", r.seeds.len())
    } else {
        format!("**{} of {all}** (not {})", r.seeds.len(), seeds(&r.unreached))
    }
}

/// Where the grid, not the target, decides the point: coarse neighbours or the path's end.
fn grid_cell(r: &OutcomeRow) -> String {
    let mut said = Vec::new();
    if !r.coarse.is_empty() {
        said.push(format!(
            "coarse (seeds {}; runs up to {}x apart)",
            seeds(&r.coarse),
            significant(r.neighbour_ratio_max)
        ));
    }
    if !r.path_end.is_empty() {
        said.push(format!("end of path (seeds {})", seeds(&r.path_end)));
    }
    if said.is_empty() {
        "-".to_string()
    } else {
        said.join("; ")
    }
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
    sensitivity_table(md, outcome, quick);
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
    let (q, m) = (spec.quantity.as_str(), spec.metric.as_str());
    match spec.kind {
        CompareKind::EqualMetric => format!(
            "A frontier comparison, chosen on validation and read on test. Per method and seed, \
             its runs ordered by lambda (at one lambda, from the largest model to the smallest); \
             the target is {}. At each target, each method's operating point is its sparsest \
             one whose *validation* `{m}` is within the target: the last run within it, moved \
             towards the next run to where the validation `{m}` (linear between the two) equals \
             the target; the same fraction of the way gives lambda (linear in log lambda), `{q}` \
             (log-linear: linear in log(1 + `{q}`)) and the *test* `{m}` (linear), so test \
             figures are read at the run(s) nearest the point and never choose it. \
             \"reached\" counts the seeds where the method gets within the target (a method that \
             does not is listed, never dropped); \"grid\" flags points between two runs more \
             than {}x apart in `{q}` (coarse: the lambda grid, not the method, decides the \
             figure; no runs are added there) and points at the path's sparsest run (end of \
             path: the grid stops before the target does). The size ratio is the paired \
             geometric mean of (1 + `{q}`) over the reference's.",
            match spec.target.unwrap_or_default() {
                MetricTarget::Reference => format!(
                    "the validation `{m}` of `{}`'s selected run (relative slack {})",
                    spec.reference.as_deref().unwrap_or("?"),
                    spec.tolerance.unwrap_or(0.0)
                ),
                MetricTarget::Common => format!(
                    "T0 = the worst of the methods' best validation `{m}` (reached by every \
                     method by construction), and T0 moved by each of {:?} towards a worse `{m}`",
                    spec.offsets()
                ),
            },
            spec.coarse_factor()
        ),
        CompareKind::EqualLambda => format!("Each method's `{q}` at the same lambda."),
        CompareKind::Path => format!(
            "Each method's `{q}` and `{m}` along its lambda path; fold = `{q}` at the smallest \
             lambda over `{q}` here (floored at 1), per seed. The claim is judged at the largest \
             fall whose *validation* `{m}` worsens within the budget (chosen on validation); the \
             test `{m}` there is reported beside it."
        ),
    }
}

/// The table of a path comparison: one line per method and lambda.
fn path_table(md: &mut String, outcome: &Outcome) {
    let (q, m) = (outcome.spec.quantity.as_str(), outcome.spec.metric.as_str());
    let _ = writeln!(
        md,
        "| method | lambda | ours: {q} | fold | ours: validation {m} | validation {m} worse by | ours: test {m} | test {m} worse by | seeds |"
    );
    let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---:|---:|---|");
    for r in &outcome.rows {
        let _ = writeln!(
            md,
            "| {} | {:e} | {} | {} | {} | {} | {} | {} | {} |",
            r.method,
            r.lambda.unwrap_or(f64::NAN),
            stat(r.quantity, 0),
            stat(r.fold, 1),
            stat(r.validation, 4),
            stat(r.validation_worsening, 4),
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
         paired: {q} vs {reference} | paired: size ratio vs {reference} | lambda at point | \
         ours: validation {m} | ours: test {m} | paired: test {m} − {reference} | reached | grid |"
    );
    let _ = writeln!(md, "|---|---|---:|---:|---:|---|---|---:|---:|---:|---|---|---|");
    for r in &outcome.rows {
        let published = match (r.published, r.published_text.is_empty()) {
            (Some(p), true) => format!("{p:+}%"),
            (Some(p), false) => format!("{p:+}% ({})", r.published_text),
            (None, false) => r.published_text.clone(),
            (None, true) => "-".to_string(),
        };
        let lambda = if r.point_lambda.mean.is_finite() {
            format!("{:.2e}", r.point_lambda.mean)
        } else {
            "-".to_string()
        };
        let _ = writeln!(
            md,
            "| {} | {} | {published} | {} | {} | {} | {} | {lambda} | {} | {} | {} | {} | {} |",
            r.point,
            r.method,
            stat(r.quantity, 0),
            pct(r.relative_pct),
            paired_cell(r.paired_pct, true, 0),
            ratio_cell(r.paired_log_ratio),
            stat(r.validation, 4),
            stat(r.metric, 4),
            paired_cell(r.paired_metric, false, 5),
            reached(r),
            grid_cell(r),
        );
    }
}

/// With claims judged at two points or more: one line per claim, its verdict at each point.
fn sensitivity_table(md: &mut String, outcome: &Outcome, quick: bool) {
    let mut points: Vec<&str> = Vec::new();
    let mut claims: Vec<&str> = Vec::new();
    for c in &outcome.checks {
        if !points.contains(&c.point.as_str()) {
            points.push(&c.point);
        }
        if !claims.contains(&c.relation.as_str()) {
            claims.push(&c.relation);
        }
    }
    if points.len() < 2 {
        return;
    }
    let _ = writeln!(
        md,
        "Sensitivity: each claim's verdict at each point (on the means over the seeds where both \
         sides have a value; in how many of those seeds it holds).\n"
    );
    let _ = writeln!(md, "| claim | {} |", points.join(" | "));
    let _ = writeln!(md, "|---|{}", "---|".repeat(points.len()));
    for claim in claims {
        let cells: Vec<String> = points
            .iter()
            .map(|p| {
                outcome
                    .checks
                    .iter()
                    .find(|c| c.relation == claim && c.point == *p)
                    .map_or("-".to_string(), |c| sensitivity_cell(c, quick))
            })
            .collect();
        let _ = writeln!(md, "| `{claim}` | {} |", cells.join(" | "));
    }
    let _ = writeln!(md);
}

fn sensitivity_cell(check: &Check, quick: bool) -> String {
    let (holding, of) = check.seeds_holding;
    let word = match (quick, check.holds) {
        (true, _) => "not judged",
        (false, Some(true)) => "holds",
        (false, Some(false)) => "**fails**",
        (false, None) => "not measured",
    };
    format!("{word} ({holding} of {of})")
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
        "Every \"ours\" figure is computed from `runs.csv` of this report (seeds {}): targets, \
         lambdas and operating points are chosen on the validation split, test figures are read \
         where they were chosen and never choose. The same figures, one per line, are in \
         `published_vs_ours.csv`.\n",
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
            paired_log_ratio_mean: f64::NAN,
            paired_log_ratio_low: f64::NAN,
            paired_log_ratio_high: f64::NAN,
            validation_mean: f64::NAN,
            validation_target_mean: f64::NAN,
            lambda_at_point_mean: f64::NAN,
            unreached_seeds: String::new(),
            coarse_seeds: String::new(),
            path_end_seeds: String::new(),
            neighbour_ratio_max: f64::NAN,
            validation_worsening_mean: f64::NAN,
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
            let (r_low, r_high, _, _) = paired_columns(r.paired_log_ratio);
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
                paired_log_ratio_mean: r.paired_log_ratio.map_or(f64::NAN, |p| p.mean),
                paired_log_ratio_low: r_low,
                paired_log_ratio_high: r_high,
                validation_mean: r.validation.mean,
                validation_target_mean: r.target.mean,
                lambda_at_point_mean: r.point_lambda.mean,
                unreached_seeds: seeds(&r.unreached),
                coarse_seeds: seeds(&r.coarse),
                path_end_seeds: seeds(&r.path_end),
                neighbour_ratio_max: r.neighbour_ratio_max,
                validation_worsening_mean: r.validation_worsening.mean,
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
            checks: vec![Check {
                claim: "a < b".into(),
                relation: "a < b".into(),
                point: "lambda = 1e-1".into(),
                holds: Some(true),
                seeds_holding: (1, 1),
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

#[cfg(test)]
mod determinism_tests {
    use super::*;
    use crate::report::compare_points::tests::{disagreeing_rows, spec};

    #[test]
    fn the_report_is_the_same_whatever_the_row_order() {
        let spec = spec("target = \"common\"\noffsets = [0.0, 0.01, 0.02]");
        let rows = disagreeing_rows();
        let mut reversed = rows.clone();
        reversed.reverse();
        let render = |rows: &[RunRecord]| {
            let mut md = String::new();
            section(&mut md, &spec.outcome(rows), false);
            (md, render_csv(&[spec.outcome(rows)]).unwrap())
        };
        let (md, csv) = render(&rows);
        assert_eq!((md.clone(), csv.clone()), render(&reversed));
        assert_eq!((md.clone(), csv), render(&rows));
        // The sensitivity table names every target.
        assert!(md.contains("| claim | T0 | T0 + 0.01 | T0 + 0.02 |"), "{md}");
        assert!(md.contains("| `a < b` | holds (1 of 1) |"), "{md}");
    }
}
