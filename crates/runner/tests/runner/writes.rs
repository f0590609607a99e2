//! Write safety of a report directory, through the binary on a tiny synthetic spec: what
//! interrupted writes and probes of dead processes left (`.NAME.tmp.PID.png` in `plots/`,
//! `.write-probe-PID`) is removed by the next run there, and a `runs.csv` that is a symbolic
//! link stays one, its target getting the new rows.

// Helpers outside `#[test]` functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use crate::common::{read_runs, runner, text};

const SPEC: &str = "name = \"w\"\n[data]\nn_train = 200\nn_validation = 100\nn_test = 100\n\
    [data.synthetic]\n[grid]\nk = [2]\nseeds = [1]\n[selection]\nsearch = { max_steps = 0 }\n\
    [[regularizer]]\nkind = \"l1\"\nlambdas = LAMBDAS\n[[regularizer.optimizer]]\nonline = \"ftrl\"\n";

/// Runs the spec with `lambdas` into `dir/out`; stderr.
fn run(dir: &Path, lambdas: &str) -> String {
    let spec = dir.join("w.toml");
    std::fs::write(&spec, SPEC.replace("LAMBDAS", lambdas)).unwrap();
    let out = dir.join("out");
    let args = [
        "run",
        spec.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--threads",
        "1",
        "--no-plots",
    ];
    let output = runner(&args);
    assert!(output.status.success(), "{}", text(&output.stderr));
    text(&output.stderr)
}

#[test]
fn leftovers_of_dead_writers_and_probes_are_removed_by_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("out/w");
    std::fs::create_dir_all(report.join("plots")).unwrap();
    // No process has pid u32::MAX - 1 (above any pid_max).
    let dead = u32::MAX - 1;
    let png = report.join(format!("plots/.memory_vs_k.tmp.{dead}.png"));
    let probe = report.join(format!(".write-probe-{dead}"));
    let kept = report.join("plots/.notes.tmp.txt");
    for path in [&png, &probe, &kept] {
        std::fs::write(path, b"half").unwrap();
    }
    let err = run(dir.path(), "[1e-3]");
    assert!(!png.exists() && !probe.exists(), "leftovers stay: {err}");
    assert!(kept.exists(), "a file that is no leftover was removed");
    assert!(err.contains(&format!("removed {}", png.display())), "{err}");
}

#[cfg(unix)]
#[test]
fn a_symlinked_runs_csv_stays_a_link_and_its_target_gets_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), "[1e-3]");
    let report = dir.path().join("out/w");
    let store = dir.path().join("store");
    std::fs::create_dir(&store).unwrap();
    std::fs::rename(report.join("runs.csv"), store.join("runs.csv")).unwrap();
    std::os::unix::fs::symlink("../../store/runs.csv", report.join("runs.csv")).unwrap();
    run(dir.path(), "[1e-3, 1e-2]");
    let link = std::fs::symlink_metadata(report.join("runs.csv")).unwrap();
    assert!(link.file_type().is_symlink(), "runs.csv was replaced by a plain file");
    assert_eq!(read_runs(&store.join("runs.csv")).len(), 2, "the target has the new rows");
}
