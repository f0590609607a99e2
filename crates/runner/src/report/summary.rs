//! `summary.md`: a table per k of nonzero weights, memory and accuracy per regularizer and
//! optimizer (selected lambdas, mean over seeds), the chosen lambdas, and the "exact zeros"
//! story told with the numbers of this run. Real data get test AUC, accuracy and log loss and no
//! synthetic-only columns (Bayes, support recall), and the refits on train + validation (when
//! the spec asks for them) in a table of their own.

use std::fmt::Write;

use crate::record::{self, RunRecord};
use crate::report::aggregate::{self, Cell};
use crate::report::paired::{Paired, LOG_LOSS_PRACTICAL_THRESHOLD};
use crate::report::search_report;
use crate::spec::ExperimentSpec;

/// Human-readable bytes (binary units).
pub fn bytes(value: f64) -> String {
    if !value.is_finite() {
        return "-".to_string();
    }
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = value;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < units.len() {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{v:.0} B")
    } else {
        format!("{v:.1} {}", units[unit])
    }
}

/// `1234567` as `1,234,567`.
pub fn grouped(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn num(value: f64) -> String {
    if !value.is_finite() {
        "-".to_string()
    } else if value.fract() == 0.0 || value >= 100.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

fn metric(stat: aggregate::Stat) -> String {
    if !stat.mean.is_finite() {
        "-".to_string()
    } else if stat.sd > 0.0 {
        format!("{:.4} ± {:.4}", stat.mean, stat.sd)
    } else {
        format!("{:.4}", stat.mean)
    }
}

/// The chosen lambdas, each still at an edge of its searched grid marked `(edge: ...)`.
fn lambdas(values: &[f64], edges: &[String]) -> String {
    values
        .iter()
        .zip(edges.iter().map(String::as_str).chain(std::iter::repeat("")))
        .map(|(l, edge)| match edge {
            "low" | "high" | "cap" => format!("{l:.3e} (edge: {edge})"),
            _ => format!("{l:.3e}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the report needs to say about how it was made.
pub struct SummaryContext<'a> {
    /// The spec as run.
    pub spec: &'a ExperimentSpec,
    /// Spec file shown in the header.
    pub spec_file: &'a str,
    /// Git commit of the build.
    pub commit: &'a str,
    /// Fingerprint of the build's code (`code_version`).
    pub code_version: &'a str,
    /// Whether `--quick` shrank it.
    pub quick: bool,
    /// How peak heap and RSS were measured.
    pub memory_method: &'a str,
    /// Whether the plots are drawn (the text names only plots that exist).
    pub plots: bool,
    /// The story, headline and per-k tables (off when the grid varies n: they would average
    /// different n together, and the report has the tables against n instead).
    pub per_k_tables: bool,
}

/// Which split the figures of the chosen runs come from: the test split, or, for data without
/// one, the validation split that also chose them (said so, since those figures are optimistic).
fn scored_on(rows: &[RunRecord]) -> &'static str {
    if rows.iter().any(|r| r.log_loss.is_finite() || r.mse.is_finite()) {
        "the numbers below are test-split figures of the chosen runs,"
    } else {
        "**this data set has no test split: lambda (and any budget model) is chosen and scored \
         on the same validation rows**, so the validation figures below are optimistic and the \
         test columns are empty;"
    }
}

/// Renders `summary.md`.
pub fn render(rows: &[RunRecord], ctx: &SummaryContext<'_>) -> String {
    let cells = aggregate::cells(rows);
    let mut md = String::new();
    let spec = ctx.spec;
    let _ = writeln!(md, "# {}{}\n", spec.name, if ctx.quick { " (quick mode)" } else { "" });
    if !spec.description.is_empty() {
        let _ = writeln!(md, "{}\n", spec.description);
    }
    let seeds: Vec<String> = spec.grid.seeds.iter().map(u64::to_string).collect();
    let _ = writeln!(
        md,
        "Spec `{}`, commit `{}` (code `{}`), seeds {}, {} runs in `runs.csv` ({} selected). Lambda is chosen per \
         (k, regularizer, optimizer, seed) on the validation split (metric `{}`, relative tolerance {}); {} \
         mean ± sd over seeds. L2 strengths use the convention named in the `l2_convention` \
         column of `runs.csv`.\n",
        ctx.spec_file,
        ctx.commit,
        ctx.code_version,
        seeds.join(", "),
        rows.len(),
        rows.iter().filter(|r| r.selected).count(),
        spec.selection.metric.as_str(),
        spec.selection.tolerance,
        scored_on(rows),
    );
    let _ = writeln!(md, "Memory: {}\n", ctx.memory_method);
    let stale = rows.iter().filter(|r| r.stale).count();
    if stale > 0 {
        let _ = writeln!(
            md,
            "**{stale} runs are stale**: made by other code or from other data than this run's, \
             kept with `--reuse-stale` or because their data file is missing (the `stale`, \
             `code_version` and `data_fingerprint` columns of `runs.csv` say which).\n"
        );
    }
    let failed = rows.iter().filter(|r| r.status != record::STATUS_OK).count();
    if failed > 0 {
        let _ = writeln!(
            md,
            "{failed} runs did not end `ok` (see the `status` and `message` columns of `runs.csv`).\n"
        );
    }
    search_report::edges(&mut md, rows, &spec.selection);
    search_report::budget(&mut md, rows, &spec.selection);
    if !ctx.per_k_tables {
        return md;
    }
    if ctx.quick {
        smoke_note(&mut md, &cells);
    } else {
        story(&mut md, &cells, ctx.plots);
    }
    headline_table(&mut md, &cells);
    paired_table(&mut md, &cells);
    let mut ks: Vec<Option<u32>> = cells.iter().map(|c| c.k).collect();
    ks.dedup();
    for k in ks {
        let group: Vec<&Cell> = cells.iter().filter(|c| c.k == k).collect();
        match k {
            Some(k) => table(&mut md, k, &group),
            None => real_table(&mut md, &group),
        }
    }
    refit_table(&mut md, rows);
    md
}

/// The table of real data: test AUC, accuracy and log loss, nothing synthetic-only.
fn real_table(md: &mut String, cells: &[&Cell]) {
    let Some(first) = cells.first() else { return };
    let _ = writeln!(
        md,
        "## Results\n\nDimension {}, {} distinct features in training.\n",
        first.dimension,
        num(first.features_touched.mean)
    );
    let _ = writeln!(
        md,
        "| regularizer | optimizer | nonzero weights | model bytes (sparse) | optimizer state | \
         heap peak | validation log loss | test AUC | test accuracy | test log loss | seeds | \
         runs not ok | chosen lambda(s) |"
    );
    let _ = writeln!(md, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for c in cells {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            c.regularizer,
            c.optimizer,
            num(c.nonzero.mean),
            bytes(c.model_bytes_sparse.mean),
            bytes(c.train_state_bytes.mean),
            bytes(c.peak_heap_bytes.mean),
            metric(c.validation_log_loss),
            metric(c.auc),
            metric(c.accuracy),
            metric(c.log_loss),
            c.seeds,
            c.failed_runs,
            lambdas(&c.lambdas, &c.edges),
        );
    }
    let _ = writeln!(md);
}

/// The refit rows (selected configurations retrained on train + validation), each beside the
/// test figures of the run it refits.
fn refit_table(md: &mut String, rows: &[RunRecord]) {
    let refits: Vec<&RunRecord> = rows.iter().filter(|r| r.is_refit()).collect();
    if refits.is_empty() {
        return;
    }
    let _ = writeln!(
        md,
        "## Refit on train + validation\n\nEach selected configuration retrained at its chosen \
         lambda on the training and validation rows together (feature columns as fitted on the \
         training rows), scored on the test split; \"selected\" is the run it refits.\n"
    );
    let _ = writeln!(
        md,
        "| regularizer | optimizer | seed | lambda | training rows | nonzero weights | test AUC | \
         test accuracy | test log loss | selected: test log loss |"
    );
    let _ = writeln!(md, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in refits {
        let selected =
            rows.iter().find(|s| format!("{}{}", s.run_id, record::REFIT_SUFFIX) == r.run_id);
        let four = |v: f64| if v.is_finite() { format!("{v:.4}") } else { "-".into() };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {:.3e} | {} | {} | {} | {} | {} | {} |",
            r.regularizer,
            r.optimizer,
            r.seed,
            r.lambda,
            r.n_train,
            r.nonzero_weights,
            four(r.auc),
            four(r.accuracy),
            four(r.log_loss),
            selected.map_or("-".into(), |s| four(s.log_loss)),
        );
    }
    let _ = writeln!(md);
}

fn table(md: &mut String, k: u32, cells: &[&Cell]) {
    let Some(first) = cells.first() else { return };
    let _ = writeln!(
        md,
        "## k = {k}\n\nDimension {} (dense f32: {}), {} distinct features in training; Bayes test \
         log loss {:.4}, accuracy {:.4}.\n",
        first.dimension,
        bytes(first.model_bytes_dense as f64),
        num(first.features_touched.mean),
        first.bayes_log_loss.mean,
        first.bayes_accuracy.mean,
    );
    let _ = writeln!(
        md,
        "| regularizer | optimizer | nonzero weights | zero weights | model bytes (sparse) | \
         optimizer state | heap peak | validation log loss | test accuracy | test log loss | support recall | \
         seeds | runs not ok | chosen lambda(s) |"
    );
    let _ = writeln!(md, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for c in cells {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            c.regularizer,
            c.optimizer,
            num(c.nonzero.mean),
            num(c.zero.mean),
            bytes(c.model_bytes_sparse.mean),
            bytes(c.train_state_bytes.mean),
            bytes(c.peak_heap_bytes.mean),
            metric(c.validation_log_loss),
            metric(c.accuracy),
            metric(c.log_loss),
            if c.support_recall.mean.is_finite() {
                format!("{:.2}", c.support_recall.mean)
            } else {
                "-".into()
            },
            c.seeds,
            c.failed_runs,
            lambdas(&c.lambdas, &c.edges),
        );
    }
    let _ = writeln!(md);
}

/// One row per k: nonzero weights, model bytes and test log loss of the headline L2, L1 and L0
/// methods (the best optimizer of each on validation).
fn headline_table(md: &mut String, cells: &[Cell]) {
    let best = aggregate::headline(cells);
    let mut ks: Vec<Option<u32>> = best.iter().map(|c| c.k).collect();
    ks.dedup();
    if ks.len() < 2 {
        return;
    }
    let _ = writeln!(
        md,
        "## L2, L1 and L0 side by side
"
    );
    let _ = writeln!(
        md,
        "Best optimizer per regularizer (on validation), selected lambda, mean over seeds: \
         nonzero weights / sparse model bytes / test log loss.\n"
    );
    let _ = writeln!(md, "| k | dimension | L2 | L1 | L0 | Bayes log loss |");
    let _ = writeln!(md, "|---:|---:|---|---|---|---:|");
    for k in ks {
        let at_k: Vec<&&Cell> = best.iter().filter(|c| c.k == k).collect();
        let Some(first) = at_k.first() else { continue };
        let entry = |reg: &str| {
            at_k.iter().find(|c| c.regularizer == reg).map_or("-".to_string(), |c| {
                format!(
                    "{}: {} / {} / {:.4}",
                    c.optimizer,
                    num(c.nonzero.mean),
                    bytes(c.model_bytes_sparse.mean),
                    c.log_loss.mean
                )
            })
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {:.4} |",
            k.map_or("-".to_string(), |k| k.to_string()),
            first.dimension,
            entry("l2"),
            entry("l1"),
            entry("l0"),
            first.bayes_log_loss.mean
        );
    }
    let _ = writeln!(md);
}

/// The "exact zeros" story, in words, with this run's numbers at the largest k.
fn story(md: &mut String, cells: &[Cell], plots: bool) {
    let best = aggregate::headline(cells);
    let Some(k) =
        best.iter().filter_map(|c| c.k).max().map(Some).or_else(|| best.first().map(|c| c.k))
    else {
        return;
    };
    let at_k: Vec<&Cell> = best.iter().filter(|c| c.k == k).copied().collect();
    let _ = writeln!(md, "## Exact zeros\n");
    let Some(any) = at_k.first() else { return };
    story_space(md, any, k);
    story_penalties(md, &at_k);
    story_l1_against_l2(md, &at_k);
    story_training_bytes(md, cells, k, plots);
    let _ = writeln!(md);
}

/// The story's first paragraph: the feature space at `k` and the weights training touched.
fn story_space(md: &mut String, any: &Cell, k: Option<u32>) {
    let where_ = match k {
        Some(k) => format!(
            "At k = {k} the feature space has {} weights; a dense f32 vector would need {}.",
            any.dimension,
            bytes(any.model_bytes_dense as f64)
        ),
        None => format!("The feature space has {} weights.", any.dimension),
    };
    let _ = writeln!(
        md,
        "{where_} Training touched only {} of them: every other weight is an exact zero for every \
         method and costs nothing in a sparse store. What separates the penalties is what they do \
         to the touched ones (best optimizer per regularizer, chosen on validation):\n",
        num(any.features_touched.mean)
    );
}

/// The best cell of regularizer `reg` among `at_k`.
fn find<'a>(at_k: &[&'a Cell], reg: &str) -> Option<&'a Cell> {
    at_k.iter().find(|c| c.regularizer == reg).copied()
}

/// One line per penalty: what it does to a touched weight, and this run's figures.
fn story_penalties(md: &mut String, at_k: &[&Cell]) {
    for (reg, words) in [
        ("l2", "L2 shrinks each weight by a fraction, so a touched weight never reaches exactly zero"),
        ("l1", "L1 subtracts a constant and clips at zero, so weak weights become exact zeros"),
        ("l0", "the L0 heuristics keep only weights that clear a threshold (or features seen often enough)"),
    ] {
        if let Some(c) = find(at_k, reg) {
            let (split, log_loss) = if c.log_loss.mean.is_finite() {
                ("test", c.log_loss.mean)
            } else {
                ("validation", c.validation_log_loss.mean)
            };
            let _ = writeln!(
                md,
                "- {words}: **{}** ({}) keeps {} nonzero weights ({}), {split} log loss {log_loss:.4}.",
                reg.to_uppercase(),
                c.optimizer,
                num(c.nonzero.mean),
                bytes(c.model_bytes_sparse.mean),
            );
        }
    }
}

/// A `--quick` report's note in place of the story: a smoke run, no findings drawn, and the k
/// values it did use (the spec's description names those of the full run).
fn smoke_note(md: &mut String, cells: &[Cell]) {
    let mut ks: Vec<String> = cells.iter().filter_map(|c| c.k).map(|k| k.to_string()).collect();
    ks.dedup();
    let used = if ks.is_empty() {
        String::new()
    } else {
        format!(" This smoke run used k = {} only.", ks.join(", "))
    };
    let _ = writeln!(
        md,
        "## Smoke run\n\n**This is a smoke run** (`--quick`: fewer rows, k values, lambdas and \
         seeds than the spec; the description above is that of the full run).{used} The tables \
         below show that the pipeline runs end to end; no finding is drawn from them.\n"
    );
}

/// Paired test log loss differences per k: every method against the method with the lowest
/// mean validation log loss at that k (chosen on validation, like lambda), seed by seed. Nothing
/// when no k has two methods.
fn paired_table(md: &mut String, cells: &[Cell]) {
    let mut ks: Vec<Option<u32>> = cells.iter().map(|c| c.k).collect();
    ks.dedup();
    let mut lines = String::new();
    for k in ks {
        let at_k: Vec<&Cell> = cells.iter().filter(|c| c.k == k).collect();
        let Some(best) = at_k
            .iter()
            .filter(|c| c.validation_log_loss.mean.is_finite())
            .min_by(|a, b| a.validation_log_loss.mean.total_cmp(&b.validation_log_loss.mean))
        else {
            continue;
        };
        for c in at_k.iter().filter(|c| !std::ptr::eq(**c, *best)) {
            paired_row(&mut lines, k, c, best);
        }
    }
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(
        md,
        "## Paired differences in test log loss\n\nEach method's test log loss minus that of \
         the best method on validation at the same k, seed by seed (both on the same seed's \
         data): mean, 95% t interval over seeds and sign count. \"matches\" when the interval \
         covers zero or |mean| < {LOG_LOSS_PRACTICAL_THRESHOLD} (the practical threshold); \
         otherwise worse or better.\n"
    );
    let _ = writeln!(
        md,
        "| k | method | against | mean difference | 95% interval | sign count | verdict (threshold {LOG_LOSS_PRACTICAL_THRESHOLD}) |"
    );
    let _ = writeln!(md, "|---:|---|---|---:|---|---|---|\n{lines}");
}

/// One line of the paired table: `c` against `best`.
fn paired_row(md: &mut String, k: Option<u32>, c: &Cell, best: &Cell) {
    let p = Paired::of(&c.log_loss_by_seed, &best.log_loss_by_seed);
    if p.n == 0 {
        // No seed with a test log loss on both sides (no test split): nothing to pair.
        return;
    }
    let mean = format!("{:+.5}", p.mean);
    let _ = writeln!(
        md,
        "| {} | {} / {} | {} / {} | {mean} | {} | {} | {} |",
        k.map_or("-".to_string(), |k| k.to_string()),
        c.regularizer,
        c.optimizer,
        best.regularizer,
        best.optimizer,
        p.interval_text(),
        p.signs_text(),
        p.verdict(LOG_LOSS_PRACTICAL_THRESHOLD),
    );
}

/// How many fewer weights L1 keeps than L2, at what paired cost, and the Bayes-optimal loss.
fn story_l1_against_l2(md: &mut String, at_k: &[&Cell]) {
    if let (Some(l2), Some(l1)) = (find(at_k, "l2"), find(at_k, "l1")) {
        if l1.nonzero.mean > 0.0 && l2.nonzero.mean > 0.0 {
            let ratio = l2.nonzero.mean / l1.nonzero.mean;
            let weights = if ratio >= 1.0 {
                format!("{ratio:.1}x fewer weights than")
            } else {
                format!("{:.1}x more weights than", 1.0 / ratio)
            };
            let p = Paired::of(&l1.log_loss_by_seed, &l2.log_loss_by_seed);
            let cost = if p.n == 0 {
                " (no test log loss to pair).".to_string()
            } else {
                format!(
                    "; paired test log loss difference L1 − L2: {} (practical threshold \
                     {LOG_LOSS_PRACTICAL_THRESHOLD}).",
                    p.sentence(LOG_LOSS_PRACTICAL_THRESHOLD)
                )
            };
            let _ = writeln!(md, "\nL1 keeps {weights} L2 here{cost}");
        }
    }
    if let Some(c) = at_k.first() {
        if c.bayes_log_loss.mean.is_finite() {
            let _ =
                writeln!(md, "The Bayes-optimal test log loss is {:.4}.", c.bayes_log_loss.mean);
        }
    }
}

/// Exact zeros shrink the model, not necessarily the training: the cell at `k` whose optimizer
/// state is the most times its model, said in words.
fn story_training_bytes(md: &mut String, cells: &[Cell], k: Option<u32>, plots: bool) {
    let widest =
        cells.iter().filter(|c| c.k == k && c.model_bytes_sparse.mean > 0.0).max_by(|a, b| {
            let ratio = |c: &Cell| c.train_state_bytes.mean / c.model_bytes_sparse.mean;
            ratio(a).total_cmp(&ratio(b))
        });
    if let Some(c) = widest {
        // The memory-vs-k plot exists only for synthetic data with several k and plots on.
        let plot = if plots && k.is_some() && crate::report::plots::has_several_k(cells) {
            " and `plots/training_memory_vs_k`"
        } else {
            ""
        };
        let _ = writeln!(
            md,
            "\nModel bytes are not training bytes: {} / {} ends with a {} model but held {} of \
             optimizer state at its peak (FTRL and RDA keep per-coordinate state for every touched \
             feature, zero weight or not; batch solvers hold the whole training matrix). See the \
             `optimizer state` and `heap peak` columns below{plot}.",
            c.regularizer,
            c.optimizer,
            bytes(c.model_bytes_sparse.mean),
            bytes(c.train_state_bytes.mean),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A selected run of `reg / opt` at k = 4 on `seed`.
    fn selected(reg: &str, opt: &str, seed: u64, validation: f64, test: f64) -> RunRecord {
        let mut r = RunRecord::placeholder();
        (r.k, r.regularizer, r.optimizer, r.seed) = (Some(4), reg.into(), opt.into(), seed);
        (r.selected, r.status) = (true, record::STATUS_OK.to_string());
        (r.validation_log_loss, r.log_loss, r.lambda) = (validation, test, 1e-3);
        r.nonzero_weights = if reg == "l1" { 10 } else { 100 };
        r
    }

    /// L2 best on validation; L1 worse by 0.001, 0.002, 0.003 on test over three seeds.
    fn two_methods() -> Vec<RunRecord> {
        (1..=3)
            .flat_map(|seed| {
                let d = 0.001 * seed as f64;
                [
                    selected("l2", "sgd", seed, 0.40, 0.50),
                    selected("l1", "ftrl", seed, 0.41, 0.50 + d),
                ]
            })
            .collect()
    }

    #[test]
    fn the_paired_table_sets_each_method_against_the_best_on_validation() {
        let mut md = String::new();
        paired_table(&mut md, &aggregate::cells(&two_methods()));
        // Differences (1, 2, 3)e-3: mean 0.002, half width 4.303e-3 / sqrt(3).
        let half = 4.303e-3 / 3f64.sqrt();
        let line = format!(
            "| 4 | l1 / ftrl | l2 / sgd | +0.00200 | [{:+.5}, {:+.5}] | 3 of 3 seeds worse | matches |",
            0.002 - half,
            0.002 + half
        );
        assert!(md.contains(&line), "{md}");
        // The reference is not set against itself.
        assert!(!md.contains("| l2 / sgd | l2 / sgd |"), "{md}");
    }

    #[test]
    fn the_paired_reference_is_chosen_on_validation_not_test() {
        // L1 has the better test loss, L2 the better validation loss: L2 is the reference.
        let rows: Vec<RunRecord> = (1..=3)
            .flat_map(|s| {
                [selected("l2", "sgd", s, 0.40, 0.60), selected("l1", "ftrl", s, 0.41, 0.50)]
            })
            .collect();
        let mut md = String::new();
        paired_table(&mut md, &aggregate::cells(&rows));
        assert!(md.contains("| 4 | l1 / ftrl | l2 / sgd | -0.10000 |"), "{md}");
        assert!(md.contains("3 of 3 seeds better | better |"), "{md}");
    }

    #[test]
    fn the_l1_against_l2_sentence_is_paired() {
        let cells = aggregate::cells(&two_methods());
        let at_k: Vec<&Cell> = cells.iter().collect();
        let mut md = String::new();
        story_l1_against_l2(&mut md, &at_k);
        assert!(md.contains("L1 keeps 10.0x fewer weights than L2 here"), "{md}");
        assert!(md.contains("paired test log loss difference L1 − L2: +0.00200"), "{md}");
        assert!(md.contains("3 of 3 seeds worse): matches (practical threshold 0.0005)"), "{md}");
    }

    #[test]
    fn without_a_test_split_nothing_is_paired() {
        let mut rows = two_methods();
        for r in &mut rows {
            r.log_loss = f64::NAN;
            r.nonzero_weights = if r.regularizer == "l1" { 200 } else { 100 };
        }
        let cells = aggregate::cells(&rows);
        let mut md = String::new();
        paired_table(&mut md, &cells);
        assert!(md.is_empty(), "{md}");
        let at_k: Vec<&Cell> = cells.iter().collect();
        story_l1_against_l2(&mut md, &at_k);
        assert!(
            md.contains("L1 keeps 2.0x more weights than L2 here (no test log loss to pair)."),
            "{md}"
        );
    }

    #[test]
    fn a_smoke_run_states_no_finding() {
        let mut md = String::new();
        smoke_note(&mut md, &aggregate::cells(&two_methods()));
        assert!(md.contains("**This is a smoke run**"), "{md}");
        assert!(md.contains("This smoke run used k = 4 only."), "{md}");
        assert!(!md.contains("fewer weights") && !md.contains("Exact zeros"), "{md}");
    }

    #[test]
    fn formats_bytes() {
        assert_eq!(bytes(512.0), "512 B");
        assert_eq!(bytes(40e9), "37.3 GiB");
    }
}
