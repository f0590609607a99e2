//! Memory linear in the grid: an online entry's lambda list is not copied into each of its units
//! (it was, so 10,000 lambdas peaked at 1.65 GB), the preflight estimate counts the grid's rows
//! and stays within twice the measured peak at 10, 1,000 and 10,000 lambdas, and a grid past
//! the documented limit is refused with its estimate before anything runs.

// Helpers outside `#[test]` functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use crate::common::{read_runs, runner, text};

/// A tiny synthetic spec with `n` lambdas on its online entry (`optimizer` line) and `seeds`.
fn spec(n: usize, optimizer: &str, seeds: &str) -> String {
    let lambdas: Vec<String> =
        (0..n).map(|i| format!("{:e}", 1e-6 * 10f64.powf(5.0 * i as f64 / n as f64))).collect();
    format!(
        "name = \"g\"\n[data]\nn_train = 50\nn_validation = 20\nn_test = 20\n[data.synthetic]\n\
         [grid]\nk = [2]\nseeds = {seeds}\n[selection]\nsearch = {{ max_steps = 0 }}\n\
         [report]\nplots = false\n[[regularizer]]\nkind = \"l1\"\n[[regularizer.optimizer]]\n\
         {optimizer}\nlambdas = [{}]\n",
        lambdas.join(", ")
    )
}

/// Runs `text` in `dir`: success, stderr, and the report's rows.
fn run(dir: &Path, text_of_spec: &str) -> (bool, String, Vec<crate::common::Row>) {
    let path = dir.join("g.toml");
    std::fs::write(&path, text_of_spec).unwrap();
    let out = dir.join("out");
    let _ = std::fs::remove_dir_all(&out);
    let args = ["run", path.to_str().unwrap(), "--out", out.to_str().unwrap(), "--threads", "1"];
    let output = runner(&args);
    let runs = out.join("g/runs.csv");
    let rows = if runs.is_file() { read_runs(&runs) } else { Vec::new() };
    (output.status.success(), text(&output.stderr), rows)
}

#[test]
fn an_online_unit_holds_its_own_lambda_not_the_whole_list() {
    let spec: runner::spec::ExperimentSpec =
        toml::from_str(&spec(2000, "online = \"ftrl\"", "[1]")).unwrap();
    let plan = runner::plan::expand(&spec).unwrap();
    assert_eq!(plan.units.len(), 2000);
    assert!(plan.units.iter().all(|u| u.optimizer.lambdas().is_none()), "a copy per unit");
}

/// The estimate printed by the preflight, in bytes.
fn estimate(stderr: &str) -> f64 {
    let line = stderr.lines().find(|l| l.starts_with("memory: about ")).unwrap();
    let mut words = line["memory: about ".len()..].split(' ');
    let value: f64 = words.next().unwrap().parse().unwrap();
    let unit = match words.next().unwrap() {
        "KiB" => 1024.0,
        "MiB" => 1024.0 * 1024.0,
        "GiB" => 1024.0 * 1024.0 * 1024.0,
        other => panic!("unit {other} in {line}"),
    };
    value * unit
}

#[test]
fn the_estimate_counts_the_grid_within_twice_the_peak_at_10_1000_and_10000_lambdas() {
    let dir = tempfile::tempdir().unwrap();
    for n in [10, 1000, 10_000] {
        let (ok, err, rows) = run(dir.path(), &spec(n, "online = \"ftrl\"", "[1]"));
        assert!(ok, "{err}");
        assert_eq!(rows.len(), n);
        let peak =
            rows.iter().map(|r| r["peak_rss_bytes"].parse::<f64>().unwrap()).fold(0.0, f64::max);
        let estimated = estimate(&err);
        let ratio = estimated / peak;
        assert!(
            (0.5..=2.0).contains(&ratio),
            "{n} lambdas: estimate {estimated}, peak {peak}: {err}"
        );
        assert!(
            err.contains(&format!(
                "the grid's {} rows",
                if n == 10 {
                    "10".to_string()
                } else if n == 1000 {
                    "1,000".to_string()
                } else {
                    "10,000".to_string()
                }
            )),
            "{err}"
        );
    }
}

#[test]
fn a_grid_past_the_limit_is_refused_with_its_estimate() {
    let dir = tempfile::tempdir().unwrap();
    // 26 seeds x one path of 10,000 lambdas: 260,000 rows, over the limit of 250,000.
    let seeds = format!("[{}]", (1..=26).map(|s| s.to_string()).collect::<Vec<_>>().join(", "));
    let (ok, err, rows) = run(dir.path(), &spec(10_000, "batch = \"coordinate_descent\"", &seeds));
    assert!(!ok && rows.is_empty());
    assert!(err.contains("the grid has 260,000 rows"), "{err}");
    assert!(err.contains("more than the limit of 250,000"), "{err}");
    assert!(err.contains("estimated at 1015.6 MiB"), "{err}");
}
