//! The parts of `summary.md` about the lambda search: where the chosen lambdas lie in their
//! (searched) grids, the choices still flagged at an edge, and the best model per method within
//! `[selection] budget`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use crate::record::{RunRecord, ORIGIN_EDGE_SEARCH};
use crate::report::aggregate::Stat;
use crate::spec::SelectionSpec;

/// The (k, bucket count, regularizer, optimizer, seed) of a row: its selection group within one
/// data set.
type GroupKey = (Option<u32>, String, String, String, u64);

fn group_key(r: &RunRecord) -> GroupKey {
    (r.k, r.hash_buckets.clone(), r.regularizer.clone(), r.optimizer.clone(), r.seed)
}

fn k_text(k: Option<u32>) -> String {
    k.map_or_else(|| "-".to_string(), |k| k.to_string())
}

/// Where the chosen lambdas lie: counts per `grid_edge`, how many choices the spec's grid alone
/// left at an edge, and every choice still at one.
pub fn edges(md: &mut String, rows: &[RunRecord], selection: &SelectionSpec) {
    let selected: Vec<&RunRecord> = rows.iter().filter(|r| r.selected).collect();
    if selected.is_empty() {
        return;
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &selected {
        *counts.entry(r.grid_edge.as_str()).or_default() += 1;
    }
    let count = |label: &str| counts.get(label).copied().unwrap_or(0);
    let searched: BTreeSet<GroupKey> =
        rows.iter().filter(|r| r.origin == ORIGIN_EDGE_SEARCH).map(group_key).collect();
    let flagged: Vec<&&RunRecord> = selected
        .iter()
        .filter(|r| matches!(r.grid_edge.as_str(), "low" | "high" | "cap"))
        .collect();
    let _ = writeln!(md, "## Where the chosen lambdas lie\n");
    let _ = writeln!(
        md,
        "On the spec's grid alone, {} of the {} choices were at an edge that is not a natural \
         bound; the search added points past it (one step of the grid's own spacing at a time, \
         at most {} per side). Now: {} interior, {} at a natural bound (lambda 0, a model with \
         no weights, a lambda the optimizer refuses, a support of 1 or of every feature), {} \
         still at an edge after the search's last step (`cap`), {} at an edge not searched \
         (`low`/`high`). The `grid_edge` column of `runs.csv` gives each choice's, the `origin` \
         column which runs the search added.\n",
        searched.len(),
        selected.len(),
        selection.search.max_steps,
        count("none"),
        count("bound"),
        count("cap"),
        count("low") + count("high"),
    );
    if flagged.is_empty() {
        let _ = writeln!(md, "No choice is left at an edge of its grid.\n");
        return;
    }
    let _ = writeln!(
        md,
        "**{} choices are still at an edge of their grid**: the grid, not the method, decides \
         them, so their figures below are marked `(edge: ...)` and should not be read as the \
         method's.\n",
        flagged.len()
    );
    let _ =
        writeln!(md, "| k | regularizer | optimizer | seed | lambda | edge | nonzero weights |");
    let _ = writeln!(md, "|---:|---|---|---:|---:|---|---:|");
    for r in flagged {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {:.3e} | {} | {} |",
            k_text(r.k),
            r.regularizer,
            r.optimizer,
            r.seed,
            r.lambda,
            r.grid_edge,
            r.nonzero_weights
        );
    }
    let _ = writeln!(md);
}

/// Per (k, regularizer, optimizer): the best model within the budget (mean over the seeds that
/// have one) beside the unconstrained choice.
pub fn budget(md: &mut String, rows: &[RunRecord], selection: &SelectionSpec) {
    let Some(budget) = selection.budget else { return };
    // Per method: (budget choices, unconstrained choices).
    type Choices<'a> = (Vec<&'a RunRecord>, Vec<&'a RunRecord>);
    let mut cells: BTreeMap<(Option<u32>, String, String), Choices<'_>> = BTreeMap::new();
    for r in rows {
        let cell = cells.entry((r.k, r.regularizer.clone(), r.optimizer.clone())).or_default();
        if r.budget_selected {
            cell.0.push(r);
        }
        if r.selected {
            cell.1.push(r);
        }
    }
    let _ = writeln!(md, "## Best model with {}\n", budget.describe());
    let _ = writeln!(
        md,
        "Per method, the best validation {} among the models within the budget, lambda searched \
         for it (geometric steps, then log-space bisection on the nonzero count; `origin = \
         budget_search` rows). Mean over the seeds that reached the budget; {} The \
         unconstrained choice is shown for comparison.\n",
        selection.metric.as_str(),
        if rows.iter().any(|r| r.log_loss.is_finite()) {
            "test figures are those of that model, never used to choose it."
        } else {
            "**no test split here: the model is chosen and scored on the same validation rows**, \
             so its validation log loss is optimistic (the test columns are empty)."
        }
    );
    let _ = writeln!(
        md,
        "| k | regularizer | optimizer | seeds within budget | lambda | nonzero weights | \
         validation log loss | test log loss | test accuracy | test AUC | unconstrained: nonzero \
         weights, validation log loss |"
    );
    let _ = writeln!(md, "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
    let fmt = |s: Stat, digits: usize| {
        if s.mean.is_finite() {
            format!("{:.*}", digits, s.mean)
        } else {
            "-".to_string()
        }
    };
    for ((k, regularizer, optimizer), (within, chosen)) in &cells {
        if chosen.is_empty() {
            continue;
        }
        let stat =
            |rows: &[&RunRecord], f: fn(&RunRecord) -> f64| Stat::of(rows.iter().map(|r| f(r)));
        let lambda = stat(within, |r| r.lambda);
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} of {} | {} | {} | {} | {} | {} | {} | {}, {} |",
            k_text(*k),
            regularizer,
            optimizer,
            within.len(),
            chosen.len(),
            if lambda.mean.is_finite() { format!("{:.3e}", lambda.mean) } else { "-".into() },
            fmt(stat(within, |r| r.nonzero_weights as f64), 1),
            fmt(stat(within, |r| r.validation_log_loss), 4),
            fmt(stat(within, |r| r.log_loss), 4),
            fmt(stat(within, |r| r.accuracy), 4),
            fmt(stat(within, |r| r.auc), 4),
            fmt(stat(chosen, |r| r.nonzero_weights as f64), 1),
            fmt(stat(chosen, |r| r.validation_log_loss), 4),
        );
    }
    let _ = writeln!(md);
    not_searched(md, rows);
}

/// The methods the budget search skipped, and why: their penalty keeps every touched weight.
fn not_searched(md: &mut String, rows: &[RunRecord]) {
    let skipped: BTreeSet<(&str, &str, &str)> = rows
        .iter()
        .filter(|r| regularizers::Penalty::named(&r.penalty).is_ok_and(|p| !p.zeroes_weights()))
        .map(|r| (r.regularizer.as_str(), r.optimizer.as_str(), r.penalty.as_str()))
        .collect();
    if skipped.is_empty() {
        return;
    }
    let _ = writeln!(
        md,
        "Not searched for the budget (a larger lambda only shrinks their weights, none becomes \
         zero, so no lambda brings them within it; their rows are the grid's):\n"
    );
    for (regularizer, optimizer, penalty) in skipped {
        let _ = writeln!(md, "- {regularizer} / {optimizer} (penalty `{penalty}`)");
    }
    let _ = writeln!(md);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(seed: u64, lambda: f64, edge: &str, origin: &str) -> RunRecord {
        let mut r = RunRecord::placeholder();
        r.k = Some(4);
        r.regularizer = "l0".into();
        r.optimizer = "hard_threshold".into();
        r.seed = seed;
        r.lambda = lambda;
        r.grid_edge = edge.into();
        r.selected = !edge.is_empty();
        r.origin = origin.into();
        r
    }

    #[test]
    fn edge_choices_are_counted_and_listed() {
        let rows = vec![
            row(1, 1e-3, "", "grid"),
            row(1, 1e-2, "", ORIGIN_EDGE_SEARCH),
            row(1, 1e-1, "cap", ORIGIN_EDGE_SEARCH),
            row(2, 1e-3, "none", "grid"),
            row(3, 0.0, "bound", "grid"),
        ];
        let mut md = String::new();
        edges(&mut md, &rows, &SelectionSpec::default());
        assert!(md.contains("1 of the 3 choices were at an edge"), "{md}");
        assert!(md.contains("1 interior, 1 at a natural bound"), "{md}");
        assert!(md.contains("**1 choices are still at an edge"), "{md}");
        assert!(md.contains("| 4 | l0 | hard_threshold | 1 | 1.000e-1 | cap | 0 |"), "{md}");
    }
}
