//! End-to-end tests of the `runner` binary: spec errors, `list`, a `--quick` sweep into a temporary
//! directory (files, header, plots), resume, thread-count independence, and skipping a real data
//! set whose file is missing.

// Helpers outside `#[test]` functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{runner, text, TIMING_COLUMNS};

/// The columns the issue requires, in this order, at the start of `runs.csv`.
const REQUIRED_COLUMNS: &str = "experiment,dataset,k,dimension,n_train,n_test,features_touched,\
regularizer,l2_convention,lambda,optimizer,epochs,seed,nonzero_weights,zero_weights,\
model_bytes_dense,model_bytes_sparse,train_state_bytes,peak_heap_bytes,peak_rss_bytes,\
train_seconds,examples_per_second,accuracy,log_loss,auc,bayes_log_loss,bayes_accuracy,\
support_precision,support_recall,status";

fn quick_sweep(out: &Path, threads: &str, extra: &[&str]) -> Output {
    let mut args =
        vec!["run", "k_sweep", "--quick", "--out", out.to_str().unwrap(), "--threads", threads];
    args.extend_from_slice(extra);
    let output = runner(&args);
    assert!(output.status.success(), "stderr: {}", text(&output.stderr));
    output
}

/// `runs.csv` without the timing columns.
fn csv_without_timings(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    let keep: Vec<usize> =
        (0..header.len()).filter(|&i| !TIMING_COLUMNS.contains(&header[i].as_str())).collect();
    let mut rows = vec![keep.iter().map(|&i| header[i].clone()).collect::<Vec<_>>()];
    for record in reader.records() {
        let record = record.unwrap();
        rows.push(keep.iter().map(|&i| record[i].to_string()).collect());
    }
    rows
}

#[test]
fn unknown_spec_key_names_the_file_and_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("bad.toml");
    std::fs::write(
        &spec,
        "name = \"bad\"\n[data]\nn_train = 10\nn_validation = 10\nn_test = 10\n[data.synthetic]\n\
         [grid]\nk = [2]\nseedz = [1]\n",
    )
    .unwrap();
    let output = runner(&["run", spec.to_str().unwrap()]);
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    assert!(stderr.contains("bad.toml"), "{stderr}");
    assert!(stderr.contains("seedz"), "{stderr}");
    assert!(stderr.contains("bad.toml:9:1:"), "the key's line and column: {stderr}");
}

#[test]
fn checked_values_name_their_key() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("neg.toml");
    std::fs::write(
        &spec,
        "name = \"neg\"\n[data]\nn_train = 10\nn_validation = 10\nn_test = 10\n[data.synthetic]\n\
         [grid]\nk = [2]\nseeds = [1]\n[[regularizer]]\nkind = \"l1\"\n\
         [[regularizer.optimizer]]\nonline = \"ftrl\"\nlambdas = [-1.0]\n",
    )
    .unwrap();
    let stderr = text(&runner(&["run", spec.to_str().unwrap()]).stderr);
    assert!(
        stderr.contains("neg.toml") && stderr.contains("regularizer[0].optimizer[0].lambdas"),
        "{stderr}"
    );
}

#[test]
fn a_cross_too_large_for_u64_ids_fails_before_any_run() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("big.toml");
    std::fs::write(
        &spec,
        "name = \"big\"\n[data]\nn_train = 10\nn_validation = 10\nn_test = 10\n[data.synthetic]\n\
         [grid]\nk = [3, 20]\nseeds = [1]\n[[regularizer]]\nkind = \"l1\"\n\
         [[regularizer.optimizer]]\nonline = \"ftrl\"\nlambdas = [1.0]\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let output = runner(&["run", spec.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("big.toml") && stderr.contains("grid.k = 20") && stderr.contains("20^20"),
        "{stderr}"
    );
    assert!(!out.join("big").join("runs.csv").exists(), "no run may start");
}

#[test]
fn list_shows_one_line_per_experiment() {
    let output = runner(&["list"]);
    assert!(output.status.success());
    let stdout = text(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines.iter().any(|l| l.starts_with("k_sweep ") && l.contains("k_sweep.toml")),
        "{stdout}"
    );
    assert!(lines.iter().any(|l| l.starts_with("california_crash_course ")), "{stdout}");
    assert!(!stdout.contains("INVALID"), "{stdout}");
}

#[test]
fn help_is_available_everywhere() {
    for args in [vec!["--help"], vec!["run", "--help"], vec!["list", "--help"]] {
        let output = runner(&args);
        assert!(output.status.success(), "{args:?}");
        assert!(text(&output.stdout).contains("Usage"), "{args:?}");
    }
}

#[test]
fn quick_sweep_writes_the_report_resumes_and_ignores_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one");
    let two = dir.path().join("two");
    quick_sweep(&one, "1", &["--export-models"]);
    let report: PathBuf = one.join("k_sweep-quick");

    // runs.csv: the required columns first, one row per run, every run ok or accounted for.
    let runs = std::fs::read_to_string(report.join("runs.csv")).unwrap();
    let header = runs.lines().next().unwrap();
    assert!(header.starts_with(REQUIRED_COLUMNS), "{header}");
    let rows = csv_without_timings(&report.join("runs.csv"));
    assert!(rows.len() > 10, "only {} rows", rows.len());
    let col = |name: &str| rows[0].iter().position(|c| c == name).unwrap();
    let (k, dimension, zero, nnz, dense, sparse) = (
        col("k"),
        col("dimension"),
        col("zero_weights"),
        col("nonzero_weights"),
        col("model_bytes_dense"),
        col("model_bytes_sparse"),
    );
    for row in &rows[1..] {
        let d: u64 = row[dimension].parse().unwrap();
        assert_eq!(row[zero].parse::<u64>().unwrap(), d - row[nnz].parse::<u64>().unwrap());
        assert_eq!(row[dense].parse::<u64>().unwrap(), d * 4);
        // Model bytes: a u64 id and an f32 weight per nonzero weight (README, Conventions).
        assert_eq!(row[sparse].parse::<u64>().unwrap(), 12 * row[nnz].parse::<u64>().unwrap());
        if row[k] == "10" {
            // 10^10 cross + 100 marginals + 45 pairwise crosses of 100 cells, exact.
            assert_eq!(d, 10_000_004_600, "k = 10: full cross, marginals and pairwise crosses");
        }
    }
    let selected = col("selected");
    assert!(rows[1..].iter().any(|r| r[selected] == "true"));

    // summary, metadata, plots.
    let summary = std::fs::read_to_string(report.join("summary.md")).unwrap();
    assert!(summary.contains("## k = 10") && summary.contains("## Smoke run"), "{summary}");
    // A smoke run states no finding.
    assert!(!summary.contains("## Exact zeros") && !summary.contains("fewer weights"), "{summary}");
    let metadata: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report.join("metadata.json")).unwrap())
            .unwrap();
    for key in ["git_commit", "spec", "seeds", "machine", "crate_versions", "optimized_build"] {
        assert!(metadata.get(key).is_some(), "metadata.json lacks {key}");
    }
    assert_eq!(metadata["counting_allocator_active"], true);
    for stem in ["memory_vs_k", "zero_weights_vs_k", "accuracy_vs_k", "log_loss_vs_k", "path_k10"] {
        let svg =
            std::fs::read_to_string(report.join("plots").join(format!("{stem}.svg"))).unwrap();
        assert!(svg.contains("<svg"), "{stem}.svg");
        let png = std::fs::read(report.join("plots").join(format!("{stem}.png"))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{stem}.png");
    }

    // Selected models exported as `feature,weight`, bias first.
    let models: Vec<PathBuf> =
        std::fs::read_dir(report.join("models")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(models.len(), rows[1..].iter().filter(|r| r[selected] == "true").count());
    let model = std::fs::read_to_string(&models[0]).unwrap();
    assert!(model.starts_with("feature,weight\n(bias),"), "{model}");

    // Resume: a second run finds every unit done and leaves runs.csv as it was.
    let before = std::fs::read(report.join("runs.csv")).unwrap();
    // (Plots are drawn once above; the later runs skip them to keep the test fast.)
    let again = quick_sweep(&one, "1", &["--no-plots"]);
    assert!(text(&again.stdout).contains(": 0 run now"), "{}", text(&again.stdout));
    assert_eq!(std::fs::read(report.join("runs.csv")).unwrap(), before);

    // Two threads: the same rows, byte for byte, once timings are dropped.
    quick_sweep(&two, "2", &["--no-plots"]);
    assert_eq!(
        csv_without_timings(&report.join("runs.csv")),
        csv_without_timings(&two.join("k_sweep-quick/runs.csv"))
    );
    // The RSS baseline: read at each run's peak reset with one thread (never above the peak),
    // empty with two (no reset, so no baseline to subtract).
    let baseline = |path: &Path| -> Vec<(String, u64)> {
        crate::common::read_runs(path)
            .iter()
            .map(|r| (r["rss_before_bytes"].clone(), r["peak_rss_bytes"].parse().unwrap()))
            .collect()
    };
    for (before, peak) in baseline(&report.join("runs.csv")) {
        let before: u64 = before.parse().unwrap();
        assert!(before > 0 && before <= peak, "before {before}, peak {peak}");
    }
    assert!(baseline(&two.join("k_sweep-quick/runs.csv")).iter().all(|(b, _)| b.is_empty()));
}

#[test]
fn missing_real_data_file_is_an_error_naming_the_paths_tried() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("no-data");
    std::fs::create_dir(&empty).unwrap();
    let output = runner(&[
        "run",
        "california_crash_course",
        "--quick",
        "--data-dir",
        empty.to_str().unwrap(),
        "--out",
        dir.path().join("out").to_str().unwrap(),
    ]);
    let err = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{err}");
    let tried = empty.join("california_housing_train.csv");
    assert!(err.contains(&tried.display().to_string()), "{err}");
    assert!(err.contains("docs/guide/data_sources.md"), "{err}");
}

/// A tiny spec: squared loss, two data sets (k = 2, 3), SGD with a rate that must blow up and
/// FTRL that must not; one lambda each, not searched (the search has tests of its own).
const DIVERGING_SPEC: &str = "name = \"tiny\"\n[data]\nn_train = 300\nn_validation = 100\n\
    n_test = 100\nloss = \"squared\"\n[data.synthetic]\n[grid]\nk = [2, 3]\nseeds = [1]\n\
    schedule = { kind = \"constant\", eta = 50.0 }\n[selection]\nmetric = \"mse\"\n\
    search = { max_steps = 0 }\n[[regularizer]]\nkind = \"l2\"\nlambdas = [1e-3]\n\
    [[regularizer.optimizer]]\nonline = \"sgd_subgradient\"\n\
    [[regularizer.optimizer]]\nonline = \"ftrl\"\n";

#[test]
fn a_diverging_run_is_recorded_and_the_sweep_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("tiny.toml");
    std::fs::write(&spec, DIVERGING_SPEC).unwrap();
    let out = dir.path().join("out");
    let output = runner(&["run", spec.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let rows = csv_without_timings(&out.join("tiny/runs.csv"));
    let col = |name: &str| rows[0].iter().position(|c| c == name).unwrap();
    let (optimizer, status, selected) = (col("optimizer"), col("status"), col("selected"));
    for row in &rows[1..] {
        let expected = if row[optimizer] == "sgd_subgradient" { "diverged" } else { "ok" };
        assert_eq!(row[status], expected, "{row:?}");
        assert_eq!(row[selected], if expected == "ok" { "true" } else { "false" });
    }
    assert_eq!(rows.len(), 5);
}

#[test]
fn shards_are_merged_by_a_later_run() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("tiny.toml");
    std::fs::write(&spec, DIVERGING_SPEC).unwrap();
    let out = dir.path().join("out");
    let run = |extra: &[&str]| {
        let mut args = vec!["run", spec.to_str().unwrap(), "--out", out.to_str().unwrap()];
        args.extend_from_slice(extra);
        let output = runner(&args);
        assert!(output.status.success(), "{}", text(&output.stderr));
        text(&output.stdout)
    };
    assert!(run(&["--shard", "0/2"]).contains(": 2 run now"));
    assert!(run(&["--shard", "1/2"]).contains(": 2 run now"));
    assert!(out.join("tiny-shard-1-of-2/runs.csv").is_file());
    let merged = run(&[]);
    assert!(
        merged.contains("4 runs") && merged.contains(": 0 run now, 4 from earlier runs"),
        "{merged}"
    );
}

/// Per spec: the sections it must write, each (title prefix, method lines, claim lines).
type ExpectedTables = [(&'static str, &'static [(&'static str, usize, usize)]); 4];

/// `published_vs_ours.csv` as (header, rows).
fn comparison_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().iter().map(str::to_string).collect();
    let rows = reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
    (header, rows)
}

/// The reproductions of published results (McMahan 2013 on uniform and on long-tail data,
/// Tsuruoka 2009, VW's truncated-gradient example) in `--quick` mode: each writes `published_vs_ours.md`
/// and `.csv` with one line per (point, method) and one per claim, from its own runs.
#[test]
fn reproductions_write_published_vs_ours() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    // (spec, [(title prefix, method lines, claim lines)]); Table 1 at four validation targets.
    let expected: ExpectedTables = [
        (
            "mcmahan_2013",
            &[
                ("Table 1: nonzero", 16, 20),
                ("Table 1 with per-coordinate rates", 16, 20),
                ("Table 1 at FTRL", 4, 0),
                ("Table 2: RAM", 12, 12),
                ("Table 2 at equal AUC", 4, 4),
            ],
        ),
        (
            "mcmahan_2013_long_tail",
            &[
                ("Table 1: nonzero", 16, 20),
                ("Table 1 with per-coordinate rates", 16, 20),
                ("Table 1 at FTRL", 4, 0),
                ("Table 2: RAM", 12, 12),
                ("Table 2 at equal AUC", 4, 4),
            ],
        ),
        ("tsuruoka_2009", &[("Nonzero features at the same lambda", 20, 15)]),
        ("vw_truncated_gradient", &[("Nonzero weights and ROC AUC", 4, 1)]),
    ];
    for (name, tables) in expected {
        let output = runner(&["run", name, "--quick", "--no-plots", "--out", out]);
        assert!(output.status.success(), "{name}: {}", text(&output.stderr));
        let report = dir.path().join(format!("{name}-quick"));
        let md = std::fs::read_to_string(report.join("published_vs_ours.md")).unwrap();
        let (header, rows) = comparison_csv(&report.join("published_vs_ours.csv"));
        let col = |c: &str| header.iter().position(|h| h == c).unwrap();
        let (compare, method, ours, seeds, holds) =
            (col("compare"), col("method"), col("ours_mean"), col("seeds"), col("holds"));
        for &(title, lines, claims) in tables {
            assert!(md.contains(&format!("## {title}")), "{name}: no section {title}\n{md}");
            let mine: Vec<&Vec<String>> =
                rows.iter().filter(|r| r[compare].starts_with(title)).collect();
            let (checks, values): (Vec<&&Vec<String>>, Vec<&&Vec<String>>) =
                mine.iter().partition(|r| r[method] == "check");
            assert_eq!(values.len(), lines, "{name} / {title}: method lines");
            assert_eq!(checks.len(), claims, "{name} / {title}: claim lines");
            for check in checks {
                assert!(["true", "false", ""].contains(&check[holds].as_str()), "{check:?}");
            }
        }
        // The figures come from the runs: every comparison has measured lines, on seed 1 only.
        let measured: Vec<&Vec<String>> = rows
            .iter()
            .filter(|r| r[method] != "check" && r[ours].parse::<f64>().is_ok_and(f64::is_finite))
            .collect();
        assert!(!measured.is_empty(), "{name}: no measured line");
        assert!(measured.iter().all(|r| r[seeds] == "1"), "{name}: seeds {measured:?}");
    }
}

/// A spec with one FTRL optimizer and the given extra TOML.
fn spec_with(extra: &str) -> String {
    format!(
        "name = \"c\"\n[data]\nn_train = 50\nn_validation = 20\nn_test = 20\n[data.synthetic]\n\
         [grid]\nk = [2]\nseeds = [1]\n[[regularizer]]\nkind = \"l1\"\nlambdas = [0.1]\n\
         [[regularizer.optimizer]]\nonline = \"ftrl\"\n{extra}"
    )
}

#[test]
fn comparison_and_new_optimizer_keys_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "[[compare]]\ntitle = \"t\"\nkind = \"equal_lambda\"\nlambdas = [0.1]\n\
             [[compare.method]]\nregularizer = \"l1\"\noptimizer = \"fobos\"\n",
            "compare[0].method[0].optimizer",
        ),
        (
            "[[compare]]\ntitle = \"t\"\nkind = \"path\"\nmin_fold = 10.0\nmax_metric_change = 0.01\n\
             lambdaz = [1.0]\n[[compare.method]]\nregularizer = \"l1\"\noptimizer = \"ftrl\"\n",
            "lambdaz",
        ),
        (
            "[[compare]]\ntitle = \"t\"\nkind = \"equal_metric\"\n\
             [[compare.method]]\nregularizer = \"l1\"\noptimizer = \"ftrl\"\n",
            "compare[0].reference",
        ),
        (
            "[[compare]]\ntitle = \"t\"\nkind = \"equal_lambda\"\nlambdas = [0.1]\nexpect = [\"ftrl < sgd\"]\n\
             [[compare.method]]\nregularizer = \"l1\"\noptimizer = \"ftrl\"\n",
            "compare[0].expect[0]",
        ),
        // Another optimizer's key: refused by FTRL's own settings type, naming key and entry.
        ("truncation_period = 2\n", "regularizer[0].optimizer[0]`: online optimizer `ftrl`: unknown field `truncation_period`"),
        ("ftrl_penalty = \"sometimes\"\n", "ftrl_penalty"),
        ("ftrl_alpha = -1.0\n", "ftrl_alpha"),
        // A (penalty, optimizer) pair that cannot work is a spec error naming both.
        ("[[regularizer]]\nkind = \"mcp\"\nlambdas = [0.1]\n[[regularizer.optimizer]]\nonline = \"ftrl\"\n", "`ftrl` does not support regularizer `mcp`"),
        ("[[regularizer]]\nkind = \"l0\"\nlambdas = [0.1]\n[[regularizer.optimizer]]\nbatch = \"fista\"\n", "batch solver `fista` does not support penalty `l0`"),
        ("[[regularizer]]\nkind = \"mcp\"\ngama = 2.0\nlambdas = [0.1]\n[[regularizer.optimizer]]\nbatch = \"coordinate_descent\"\n", "unknown field `gama`"),
    ];
    for (i, (extra, key)) in cases.iter().enumerate() {
        let spec = dir.path().join(format!("c{i}.toml"));
        std::fs::write(&spec, spec_with(extra)).unwrap();
        let output =
            runner(&["run", spec.to_str().unwrap(), "--out", dir.path().to_str().unwrap()]);
        assert!(!output.status.success(), "case {i} was accepted");
        let stderr = text(&output.stderr);
        assert!(
            stderr.contains(&format!("c{i}.toml")) && stderr.contains(key),
            "case {i}: {stderr}"
        );
    }
}
#[test]
fn a_second_writer_of_one_report_directory_is_refused_and_names_the_holder() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("k_sweep-quick");
    // This test process holds the lock as a first runner would.
    let held = runner::sweep::lock::lock_report_dir(&report).unwrap();
    let out = dir.path().to_str().unwrap();
    let output = runner(&["run", "k_sweep", "--quick", "--no-plots", "--out", out]);
    let err = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(err.contains("is in use by process"), "{err}");
    assert!(err.contains(&std::process::id().to_string()), "{err}");
    assert!(!report.join("runs.csv").exists(), "the refused run wrote nothing");
    drop(held);
}

/// Every file under `dir` with its bytes, by path relative to `dir`.
fn tree(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(next) = stack.pop() {
        for entry in std::fs::read_dir(&next).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.insert(
                    path.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    files
}

#[test]
fn a_rerun_that_reuses_every_row_leaves_every_report_file_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let args = ["run", "vw_truncated_gradient", "--quick", "--out", out];
    let first = runner(&args);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let before = tree(dir.path());
    assert!(before.keys().any(|p| p.ends_with("metadata.json")), "{:?}", before.keys());
    let second = runner(&args);
    assert!(second.status.success(), "{}", text(&second.stderr));
    assert!(text(&second.stderr).contains("left as it was"), "{}", text(&second.stderr));
    let after = tree(dir.path());
    assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>());
    for (path, bytes) in &before {
        assert!(after[path] == *bytes, "{} changed", path.display());
    }
}
