//! End-to-end tests of the lambda search (the `runner` binary on tiny synthetic specs in
//! temporary directories): a choice at an edge of the spec's grid is searched past until it is
//! interior, at a natural bound or at the cap, and flagged otherwise; the rows the search adds
//! are resumed like the grid's; a budget finds the best model within it per method.

// Helpers outside `#[test]` functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use crate::common::{read_runs, runner, text, Row, TIMING_COLUMNS};

/// k = 3 and 4, one seed; FTRL-L1 on a grid whose top lambda keeps every weight (so the best
/// validation loss is past its top or inside it, never at its bottom by much), and online hard
/// thresholding on a grid far below where it removes anything.
pub(crate) const SPEC: &str = "name = \"edges\"\n[data]\nn_train = 2000\nn_validation = 1000\n\
    n_test = 1000\n[data.synthetic]\ninteractions = 2\n[grid]\nk = [3, 4]\nseeds = [1]\n\
    [selection]\ntolerance = 0.001\n\
    [[regularizer]]\nkind = \"l1\"\n\
    [[regularizer.optimizer]]\nonline = \"ftrl\"\nlambdas = [1e-4, 1e-3]\n\
    [[regularizer]]\nkind = \"l0\"\n\
    [[regularizer.optimizer]]\nonline = \"hard_threshold\"\nlambdas = [1e-9, 1e-8]\n\
    [[regularizer.optimizer]]\nbatch = \"iht\"\nsupport_sizes = [2, 3]\n";

fn run(spec: &Path, out: &Path, extra: &[&str]) -> (Vec<Row>, String) {
    let mut args =
        vec!["run", spec.to_str().unwrap(), "--out", out.to_str().unwrap(), "--no-plots"];
    args.extend_from_slice(extra);
    let output = runner(&args);
    assert!(output.status.success(), "{args:?} failed:\n{}", text(&output.stderr));
    let report = out.join("edges");
    let rows = read_runs(&report.join("runs.csv"));
    (rows, std::fs::read_to_string(report.join("summary.md")).unwrap())
}

fn selected(rows: &[Row]) -> Vec<&Row> {
    rows.iter().filter(|r| r["selected"] == "true").collect()
}

#[test]
fn edge_choices_are_searched_past_and_resumed() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("edges.toml");
    std::fs::write(&spec, SPEC).unwrap();
    let (rows, summary) = run(&spec, dir.path(), &[]);
    let added: Vec<&Row> = rows.iter().filter(|r| r["origin"] == "edge_search").collect();
    assert!(!added.is_empty(), "some choice starts at an edge of these grids");
    // Hard thresholding removes nothing at 1e-8: its choice starts at the top and is searched
    // upwards, never past lambda values the grid's spacing does not give.
    assert!(added
        .iter()
        .any(|r| r["optimizer"] == "hard_threshold" && r["lambda"].parse::<f64>().unwrap() > 1e-8));
    for r in added.iter().filter(|r| r["family"] == "online") {
        let lambda: f64 = r["lambda"].parse().unwrap();
        let mantissa = lambda / 10f64.powf(lambda.log10().floor());
        assert!((mantissa - mantissa.round()).abs() < 1e-9, "a decade step: {lambda}");
    }
    // Every choice is placed; none is left at an edge that was not searched.
    let sel = selected(&rows);
    assert_eq!(sel.len(), 6, "two data sets times three methods");
    for r in &sel {
        assert!(["none", "bound", "cap"].contains(&r["grid_edge"].as_str()), "{r:?}");
    }
    assert!(rows.iter().filter(|r| r["selected"] != "true").all(|r| r["grid_edge"].is_empty()));
    // IHT's support sizes: 1 below the grid, or every touched feature above it, are bounds.
    assert!(summary.contains("## Where the chosen lambdas lie"), "{summary}");

    // A rerun resumes the added rows too: nothing runs, the same rows come out.
    let before = std::fs::read(dir.path().join("edges/runs.csv")).unwrap();
    let output = runner(&[
        "run",
        spec.to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
        "--no-plots",
    ]);
    assert!(output.status.success());
    assert!(text(&output.stdout).contains(": 0 run now"), "{}", text(&output.stdout));
    assert_eq!(std::fs::read(dir.path().join("edges/runs.csv")).unwrap(), before);
    assert!(!dir.path().join("edges/runs.archive.csv").exists(), "nothing left runs.csv");
}

#[test]
fn without_the_search_edge_choices_are_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("edges.toml");
    let no_search =
        SPEC.replace("tolerance = 0.001\n", "tolerance = 0.001\nsearch = { max_steps = 0 }\n");
    std::fs::write(&spec, no_search).unwrap();
    let (rows, summary) = run(&spec, dir.path(), &[]);
    assert!(rows.iter().all(|r| r["origin"] == "grid"));
    let chosen = selected(&rows);
    let flagged: Vec<&&Row> =
        chosen.iter().filter(|r| ["low", "high"].contains(&r["grid_edge"].as_str())).collect();
    assert!(!flagged.is_empty());
    assert!(summary.contains("still at an edge of their grid"), "{summary}");
    assert!(summary.contains("(edge: high)") || summary.contains("(edge: low)"), "{summary}");
}

#[test]
fn a_budget_finds_the_best_model_within_it_per_method() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("edges.toml");
    std::fs::write(&spec, SPEC).unwrap();
    let (rows, summary) =
        run(&spec, dir.path(), &["--budget", "nonzero_weights=5", "--export-models"]);
    assert!(rows.iter().any(|r| r["origin"] == "budget_search"));
    let within: Vec<&Row> = rows.iter().filter(|r| r["budget_selected"] == "true").collect();
    assert_eq!(within.len(), 6, "every method reaches 5 weights (the empty model does)");
    for r in &within {
        assert!(r["nonzero_weights"].parse::<u64>().unwrap() <= 5, "{r:?}");
        // No usable row of its group within the budget scores better on validation.
        let better = rows.iter().any(|o| {
            o["k"] == r["k"]
                && o["optimizer"] == r["optimizer"]
                && ["ok", "not_converged"].contains(&o["status"].as_str())
                && o["nonzero_weights"].parse::<u64>().unwrap() <= 5
                && o["validation_log_loss"].parse::<f64>().unwrap()
                    < r["validation_log_loss"].parse::<f64>().unwrap()
        });
        assert!(!better, "{r:?}");
    }
    // The budget's models are exported beside the selected ones.
    for r in &within {
        let model = dir.path().join("edges/models").join(format!("{}.csv", r["run_id"]));
        assert!(model.is_file(), "{} not exported", model.display());
    }
    // IHT is fitted at the budget's size directly.
    assert!(within.iter().any(|r| r["optimizer"] == "iht" && r["lambda"] == "5.0"), "{within:?}");
    assert!(summary.contains("## Best model with <= 5 nonzero weights"), "{summary}");
    // A bad budget names the option.
    let output = runner(&["run", spec.to_str().unwrap(), "--budget", "weights=5"]);
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("unknown budget `weights`"), "{}", text(&output.stderr));
    let _ = TIMING_COLUMNS;
}

#[test]
fn a_budget_skips_penalties_that_cannot_zero_a_weight_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("edges.toml");
    let with_l2 = SPEC.replace(
        "[[regularizer]]\nkind = \"l0\"",
        "[[regularizer]]\nkind = \"l2\"\n[[regularizer.optimizer]]\nonline = \"ftrl\"\n\
         lambdas = [1e-4, 1e-3]\n[[regularizer]]\nkind = \"l0\"",
    );
    std::fs::write(&spec, with_l2).unwrap();
    let (rows, summary) = run(&spec, dir.path(), &["--budget", "nonzero_weights=5"]);
    let budget_rows = |reg: &str| {
        rows.iter().filter(|r| r["regularizer"] == reg && r["origin"] == "budget_search").count()
    };
    assert_eq!(budget_rows("l2"), 0, "L2 never zeroes a weight: nothing to search");
    assert!(budget_rows("l1") > 0, "L1 is still searched");
    assert!(summary.contains("Not searched for the budget"), "{summary}");
    assert!(summary.contains("- l2 / ftrl (penalty `l2`)"), "{summary}");
    assert!(!summary.contains("- l1 / ftrl"), "{summary}");
}

#[test]
fn model_files_of_runs_no_longer_selected_move_to_superseded() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("edges.toml");
    std::fs::write(&spec, SPEC).unwrap();
    let (rows, _) = run(&spec, dir.path(), &["--export-models"]);
    let models = dir.path().join("edges/models");
    let current: Vec<String> =
        selected(&rows).iter().map(|r| format!("{}.csv", r["run_id"])).collect();
    assert!(current.iter().all(|f| models.join(f).is_file()), "{current:?}");
    // A model an earlier selection exported, whose run is in runs.csv but no longer chosen.
    let unchosen = rows.iter().find(|r| r["selected"] != "true").unwrap();
    let stale = format!("{}.csv", unchosen["run_id"]);
    std::fs::write(models.join(&stale), "feature,weight\n(bias),0\n").unwrap();
    run(&spec, dir.path(), &["--export-models"]);
    assert!(!models.join(&stale).exists(), "the stale model is still beside the current ones");
    assert!(models.join("superseded").join(&stale).is_file());
    assert!(current.iter().all(|f| models.join(f).is_file()), "current models stay");
}

/// The `N` of `... N WHAT...` in `line` (the number just before `what`).
fn count_before(line: &str, what: &str) -> usize {
    let head = &line[..line.find(what).unwrap_or_else(|| panic!("no `{what}` in {line}"))];
    head.trim_end().rsplit([' ', '(']).next().unwrap().parse().unwrap()
}

#[test]
fn the_closing_counts_add_up_and_progress_says_what_the_search_added() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("edges.toml");
    std::fs::write(&spec, SPEC).unwrap();
    let out = dir.path().to_str().unwrap();
    let output = runner(&["run", spec.to_str().unwrap(), "--out", out, "--no-plots"]);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    let rows = read_runs(&dir.path().join("edges/runs.csv"));
    let line = stdout.lines().find(|l| l.contains(" runs in ")).unwrap();
    let added = rows.iter().filter(|r| r["origin"] != "grid").count();
    assert!(added > 0, "{line}");
    assert_eq!(count_before(line, " runs in "), rows.len(), "{line}");
    assert_eq!(count_before(line, " added by the lambda search"), added, "{line}");
    let (now, earlier) = (count_before(line, " run now"), count_before(line, " from earlier"));
    assert_eq!(now + earlier, rows.len(), "{line}");
    // The progress lines: the search's points are named, and no line before the last claims
    // that nothing is left.
    let progress: Vec<&str> = stderr.lines().filter(|l| l.starts_with('[')).collect();
    assert!(progress.iter().any(|l| l.contains(" from the search]")), "{stderr}");
    let (last, before) = progress.split_last().unwrap();
    assert!(before.iter().all(|l| !l.contains("ETA 0s")), "{stderr}");
    assert!(last.contains("until the lambda search stops"), "{last}");
}

/// A spec of one online method at `lambdas` (the search on, up to 6 steps a side).
fn one_method(kind: &str, online: &str, lambdas: &str, tolerance: &str) -> String {
    format!(
        "name = \"edges\"\n[data]\nn_train = 2000\nn_validation = 1000\nn_test = 1000\n\
         [data.synthetic]\ninteractions = 2\n[grid]\nk = [3]\nseeds = [1]\n[selection]\n\
         tolerance = {tolerance}\n[[regularizer]]\nkind = \"{kind}\"\n\
         [[regularizer.optimizer]]\nonline = \"{online}\"\nlambdas = {lambdas}\n"
    )
}

#[test]
fn a_low_edge_tries_lambda_zero_first_and_stops_there_when_it_is_best() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("edges.toml");
    std::fs::write(&spec, one_method("l2", "sgd_subgradient", "[0.01, 0.1]", "0.0")).unwrap();
    let (rows, _) = run(&spec, dir.path(), &[]);
    let added: Vec<&Row> = rows.iter().filter(|r| r["origin"] == "edge_search").collect();
    assert_eq!(added.len(), 1, "lambda 0 only, not decades down towards it: {added:?}");
    assert_eq!(added[0]["lambda"].parse::<f64>().unwrap(), 0.0);
    let sel = selected(&rows);
    assert_eq!((sel[0]["lambda"].as_str(), sel[0]["grid_edge"].as_str()), ("0.0", "bound"));
}
