//! End-to-end tests of what the `runner` binary refuses or reports before, and after, a sweep:
//! duplicate grid values and combinations that can only fail are spec errors; runs that end in
//! `error` give a non-zero exit with a table and are retried by a rerun; an unwritable output
//! directory and a spec that cannot fit in memory are refused before any compute; a data path
//! that is a directory, a gzip file with trailing garbage and an empty `runs.csv` are errors that
//! say so. Every spec is tiny (hundreds of rows).

// Helpers outside `#[test]` functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{runner, text};

/// A synthetic spec: `grid` and `body` (the regularizers) after a fixed `[data]`; the lambda
/// search is off, so each spec runs exactly the lambdas it lists.
fn synthetic(n_train: &str, grid: &str, body: &str) -> String {
    format!(
        "name = \"t\"\n[data]\nn_train = {n_train}\nn_validation = 100\nn_test = 100\n\
         [data.synthetic]\n[selection]\nsearch = {{ max_steps = 0 }}\n[grid]\n{grid}\n{body}"
    )
}

const FTRL: &str =
    "[[regularizer]]\nkind = \"l1\"\nlambdas = [0.1]\n[[regularizer.optimizer]]\nonline = \"ftrl\"\n";

/// Writes `spec` into `dir` and runs it into `dir/out` with `extra` flags.
fn run_in(dir: &Path, spec: &str, extra: &[&str]) -> Output {
    let path = dir.join("spec.toml");
    std::fs::write(&path, spec).unwrap();
    let out = dir.join("out");
    let mut args =
        vec!["run", path.to_str().unwrap(), "--out", out.to_str().unwrap(), "--no-plots"];
    args.extend_from_slice(extra);
    runner(&args)
}

fn stderr_of(output: &Output) -> String {
    text(&output.stderr)
}

/// Status column of every row of `runs.csv`.
fn statuses(path: &Path) -> Vec<String> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let status = reader.headers().unwrap().iter().position(|h| h == "status").unwrap();
    reader.records().map(|r| r.unwrap()[status].to_string()).collect()
}

#[test]
fn duplicate_grid_values_are_spec_errors_naming_key_and_value() {
    let cases = [
        ("k = [2, 3, 2]\nseeds = [1]", FTRL.to_string(), "`grid.k` holds 2 twice"),
        ("k = [2]\nseeds = [1, 1]", FTRL.to_string(), "`grid.seeds` holds 1 twice"),
        (
            "k = [2]\nseeds = [1]",
            FTRL.replace("[0.1]", "[0.1, 0.01, 0.1]"),
            "`regularizer[0].lambdas` holds 0.1 twice",
        ),
        (
            "k = [2]\nseeds = [1]",
            format!("{FTRL}lambdas = [1e-3, 0.001]\n"),
            "`regularizer[0].optimizer[0].lambdas` holds 0.001 twice",
        ),
        (
            "k = [2]\nseeds = [1]",
            "[[regularizer]]\nkind = \"l0\"\n[[regularizer.optimizer]]\nbatch = \"iht\"\n\
             support_sizes = [1, 2, 2]\n"
                .to_string(),
            "`regularizer[0].optimizer[0].support_sizes` holds 2 twice",
        ),
        (
            "k = [2, 3]\nseeds = [1]",
            format!("{FTRL}[quick]\nk = [3, 3]\n"),
            "`quick.k` holds 3 twice",
        ),
    ];
    for (grid, body, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        let output = run_in(dir.path(), &synthetic("300", grid, &body), &[]);
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(1), "{expected}: {stderr}");
        assert!(stderr.contains("spec.toml") && stderr.contains(expected), "{expected}: {stderr}");
        assert!(!dir.path().join("out").exists(), "{expected}: nothing may run");
    }
}

#[test]
fn combinations_that_can_only_fail_are_spec_errors() {
    let online = |extra: &str| format!("{FTRL}{extra}");
    let cases = [
        (
            online("admission = { count = 0 }\n"),
            "regularizer[0].optimizer[0].admission.count` must be in 1..=255, got 0",
        ),
        (
            online("admission = { count = 2 }\nbloom_counters = 10\n"),
            "regularizer[0].optimizer[0].bloom_counters` must be in 64..=",
        ),
        (
            online("store = \"dense\"\nadmission = { count = 2 }\n"),
            "regularizer[0].optimizer[0].admission` must be `all` with a dense store",
        ),
        (
            online("store = \"dense\"\n"),
            "`regularizer[0].optimizer[0].store = \"dense\"` cannot hold k = 10",
        ),
        (
            "[[regularizer]]\nkind = \"l1\"\nlambdas = [0.1]\n[[regularizer.optimizer]]\n\
             online = \"hard_threshold\"\n"
                .to_string(),
            "at lambda 0.1: online optimizer `hard_threshold` does not support regularizer `l1`",
        ),
        (
            "[[regularizer]]\nkind = \"l2\"\nlambdas = [0.0, 30.0]\n[[regularizer.optimizer]]\n\
             online = \"sgd_subgradient\"\nschedule = { kind = \"constant\", eta = 0.5 }\n"
                .to_string(),
            "`regularizer[0].optimizer[0].schedule` first step size 0.5 times the L2 gradient",
        ),
        (
            "[[regularizer]]\nkind = \"l0\"\n[[regularizer.optimizer]]\nbatch = \"iht\"\n\
             support_sizes = [1, 2]\nl2_for_l0 = -1.0\n"
                .to_string(),
            "`regularizer[0].optimizer[0].l2_for_l0` must be finite and >= 0, got -1",
        ),
        (
            "[[regularizer]]\nkind = \"l1\"\nlambdas = [0.1]\n[[regularizer.optimizer]]\n\
             online = \"rda\"\ncoefficients = \"q2.13\"\n"
                .to_string(),
            "`regularizer[0].optimizer[0].coefficients` `q2.13` is not available for `rda`",
        ),
        (
            "[[regularizer]]\nkind = \"l1\"\n[[regularizer.optimizer]]\n\
             batch = \"coordinate_descent\"\nlambdas = [0.1]\ncoefficients = \"q2.13\"\n"
                .to_string(),
            "`regularizer[0].optimizer[0].coefficients` applies to online optimizers only",
        ),
        (
            online("coefficients = \"q3.12\"\n"),
            "unknown variant `q3.12`, expected one of `f64`, `f32`, `q2.13`",
        ),
        (
            "[[regularizer]]\nkind = \"l1\"\nlambdas = [0.1]\n[[regularizer.optimizer]]\n\
             online = \"cumulative_penalty\"\ncoefficients = \"f32\"\n"
                .to_string(),
            "`regularizer[0].optimizer[0].coefficients` `f32` is not available for `cumulative_penalty`",
        ),
    ];
    for (body, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        let output = run_in(dir.path(), &synthetic("300", "k = [2, 10]\nseeds = [1]", &body), &[]);
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(1), "{expected}: {stderr}");
        assert!(stderr.contains(expected), "{expected}: {stderr}");
        assert!(!dir.path().join("out").exists(), "{expected}: nothing may run");
    }
}

#[test]
fn errored_runs_fail_the_process_after_the_report_and_are_retried() {
    // One training row has one class: the batch fit can only fail (on this data), the online
    // run trains.
    let body = format!(
        "{FTRL}[[regularizer]]\nkind = \"l2\"\nlambdas = [0.1]\n[[regularizer.optimizer]]\n\
         batch = \"coordinate_descent\"\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let spec = synthetic("1", "k = [2]\nseeds = [1]", &body);
    let output = run_in(dir.path(), &spec, &[]);
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    let report = dir.path().join("out/t");
    assert!(report.join("summary.md").is_file() && report.join("metadata.json").is_file());
    assert_eq!(statuses(&report.join("runs.csv")), ["ok", "error"]);
    // The table: run id prefix (no hash), optimizer, message; then the error line.
    assert!(stderr.contains("runs that ended in error (1):"), "{stderr}");
    let line =
        stderr.lines().find(|l| l.contains("k02-s1-l2-coordinate_descent-lambda1e-1 ")).unwrap();
    assert!(line.contains("coordinate_descent") && line.contains("both classes"), "{line}");
    assert!(stderr.contains("1 of 2 runs ended in error"), "{stderr}");

    // A rerun retries the errored run (it fails again here) and keeps the other.
    let again = run_in(dir.path(), &spec, &[]);
    let stderr = stderr_of(&again);
    assert_eq!(again.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("retrying 1 run(s) that ended in error"), "{stderr}");
    assert!(
        text(&again.stdout).contains(": 1 run now (1 planned), 1 from earlier runs"),
        "{}",
        text(&again.stdout)
    );
    assert_eq!(statuses(&report.join("runs.csv")), ["ok", "error"], "no duplicated rows");
}

#[test]
fn a_row_with_status_error_is_not_done() {
    let dir = tempfile::tempdir().unwrap();
    let spec = synthetic("300", "k = [2]\nseeds = [1]", &FTRL.replace("[0.1]", "[0.1, 0.01]"));
    assert!(run_in(dir.path(), &spec, &[]).status.success());
    let runs = dir.path().join("out/t/runs.csv");
    let before = std::fs::read_to_string(&runs).unwrap();
    let mut lines: Vec<String> = before.lines().map(str::to_string).collect();
    lines[1] = lines[1].replacen(",ok,", ",error,", 1);
    std::fs::write(&runs, lines.join("\n") + "\n").unwrap();
    let output = run_in(dir.path(), &spec, &[]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    assert!(
        text(&output.stdout).contains(": 1 run now (1 planned), 1 from earlier runs"),
        "{}",
        text(&output.stdout)
    );
    assert_eq!(statuses(&runs), ["ok", "ok"]);
}

#[test]
fn a_spec_that_cannot_fit_in_memory_is_refused_quickly_with_its_estimate() {
    let dir = tempfile::tempdir().unwrap();
    // 10^12 rows: were anything generated before the check, this would not finish (no timing:
    // the CI's time limit catches that).
    let output = run_in(dir.path(), &synthetic("1000000000000", "k = [2]\nseeds = [1]", FTRL), &[]);
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    for needle in [
        "refused before anything runs",
        "TiB",
        "1,000,000,000,200 rows",
        "data.n_train",
        "`data.stream = true` (streaming",
    ] {
        assert!(stderr.contains(needle), "{needle}: {stderr}");
    }
    assert!(!dir.path().join("out").exists(), "nothing may run");

    // A small spec under a limit set by hand: refused, with the estimate and the ways out.
    let small = synthetic(
        "300",
        "k = [2]\nseeds = [1]",
        &format!("{FTRL}[[regularizer.optimizer]]\nbatch = \"coordinate_descent\"\n"),
    );
    let output = run_in(dir.path(), &small, &["--max-memory", "1MiB"]);
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    for needle in ["the limit of 1.0 MiB set with --max-memory", "MiB", "online optimizers only"] {
        assert!(stderr.contains(needle), "{needle}: {stderr}");
    }
    assert!(!dir.path().join("out").exists());
    // The same spec passes with room, and by default (the machine's available memory).
    for extra in [&["--max-memory", "4GiB"][..], &[]] {
        let output = run_in(dir.path(), &small, extra);
        assert!(output.status.success(), "{extra:?}: {}", stderr_of(&output));
        assert!(stderr_of(&output).contains("memory: about"), "{}", stderr_of(&output));
    }
    let bad = run_in(dir.path(), &small, &["--max-memory", "4 parsecs"]);
    assert_eq!(bad.status.code(), Some(2), "a bad size is a command-line error");
}

#[test]
fn an_unwritable_output_directory_is_refused_before_any_run() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.toml");
    std::fs::write(&spec, synthetic("300", "k = [2]\nseeds = [1]", FTRL)).unwrap();
    // A regular file where the output's parent should be (refused even when running as root).
    let blocker = dir.path().join("blocker");
    std::fs::write(&blocker, "").unwrap();
    let output = runner(&["run", spec.to_str().unwrap(), "--out", blocker.to_str().unwrap()]);
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("output directory") && stderr.contains("blocker"), "{stderr}");
    assert!(!stderr.contains("[1/1]"), "no unit may run first: {stderr}");
}

/// A real-data spec over `file` (columns x, y, label).
fn real_spec(file: &str) -> String {
    format!(
        "name = \"r\"\n[data.real]\nfile = \"{file}\"\n[data.real.schema]\n\
         label = {{ column = \"label\", rule = \"> 0.5\" }}\ncolumns = {{ x = \"numeric\", y = \"numeric\" }}\n\
         [data.real.features]\nbucketized = [{{ column = \"x\", quantiles = 4 }}, {{ column = \"y\", quantiles = 4 }}]\n\
         [data.real.split]\nfractions = {{ train = 0.6, validation = 0.2, test = 0.2 }}\n\
         [grid]\nseeds = [1]\n{FTRL}"
    )
}

fn small_csv() -> String {
    let mut csv = String::from("x,y,label\n");
    for i in 0..200u32 {
        let (x, y) = (f64::from(i % 17) / 17.0, f64::from(i % 11) / 11.0);
        csv.push_str(&format!("{x},{y},{}\n", u8::from(x + y > 1.0)));
    }
    csv
}

/// Runs `real_spec(file)` with `data` as the data directory.
fn run_real(dir: &Path, data: &Path, file: &str) -> Output {
    run_in(dir, &real_spec(file), &["--data-dir", data.to_str().unwrap()])
}

#[test]
fn a_directory_given_as_data_file_is_an_error_not_a_skip() {
    let dir = tempfile::tempdir().unwrap();
    let data: PathBuf = dir.path().join("data");
    std::fs::create_dir_all(data.join("d.csv")).unwrap();
    let output = run_real(dir.path(), &data, "d.csv");
    let all = format!("{}{}", text(&output.stdout), stderr_of(&output));
    assert_eq!(output.status.code(), Some(1), "{all}");
    assert!(all.contains("d.csv is a directory, not a file"), "{all}");
    assert!(!all.contains("skipped"), "{all}");
    // A missing file is an error (exit 1) naming every path tried, not a skip with exit 0.
    let missing = run_real(dir.path(), &data, "nope.csv");
    let err = stderr_of(&missing);
    assert_eq!(missing.status.code(), Some(1), "{err}");
    assert!(err.contains(&data.join("nope.csv").display().to_string()), "{err}");
    assert!(err.contains(&dir.path().join("nope.csv").display().to_string()), "{err}");
    assert!(!dir.path().join("out/r/runs.csv").exists(), "nothing written");
}

#[test]
fn a_relative_data_file_is_found_beside_the_spec_when_the_data_directory_lacks_it() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    std::fs::write(dir.path().join("d.csv"), small_csv()).unwrap();
    let output = run_real(dir.path(), &empty, "d.csv");
    assert!(output.status.success(), "{}", stderr_of(&output));
    let statuses = statuses(&dir.path().join("out/r/runs.csv"));
    assert!(!statuses.is_empty() && statuses.iter().all(|s| s == "ok"), "{statuses:?}");
}

#[test]
fn gzip_with_trailing_garbage_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let mut gz = flate2_free_gzip(small_csv().as_bytes());
    let clean = gz.len();
    gz.extend_from_slice(b"xx\n");
    std::fs::write(data.join("g.csv.gz"), &gz).unwrap();
    let output = run_real(dir.path(), &data, "g.csv.gz");
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    for needle in [
        "g.csv.gz",
        &format!("the gzip stream ends at byte {clean}"),
        "trailing garbage",
        "not gzip",
    ] {
        assert!(stderr.contains(needle), "{needle}: {stderr}");
    }
    assert!(!stderr.contains("unexpected end of file"), "{stderr}");
    // The clean stream (two members) reads.
    let mut two = flate2_free_gzip(b"x,y,label\n0.1,0.2,0\n");
    two.extend(flate2_free_gzip(&small_csv().as_bytes()[10..]));
    std::fs::write(data.join("g.csv.gz"), two).unwrap();
    let output = run_real(dir.path(), &data, "g.csv.gz");
    assert!(output.status.success(), "{}", stderr_of(&output));
}

/// A gzip member of `bytes` with stored (uncompressed) deflate blocks: the runner's tests do not
/// depend on flate2.
fn flate2_free_gzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    let chunks: Vec<&[u8]> = bytes.chunks(65_535).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        out.push(u8::from(i + 1 == chunks.len()));
        let len = chunk.len() as u16;
        out.write_all(&len.to_le_bytes()).unwrap();
        out.write_all(&(!len).to_le_bytes()).unwrap();
        out.write_all(chunk).unwrap();
    }
    out.write_all(&crc32(bytes).to_le_bytes()).unwrap();
    out.write_all(&(bytes.len() as u32).to_le_bytes()).unwrap();
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[test]
fn an_empty_runs_csv_says_so_and_fresh_rewrites_it() {
    let dir = tempfile::tempdir().unwrap();
    let spec = synthetic("300", "k = [2]\nseeds = [1]", FTRL);
    let runs = dir.path().join("out/t/runs.csv");
    std::fs::create_dir_all(runs.parent().unwrap()).unwrap();
    std::fs::write(&runs, "").unwrap();
    let output = run_in(dir.path(), &spec, &[]);
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("runs.csv is empty") && stderr.contains("--fresh"), "{stderr}");
    assert!(!stderr.contains("other columns"), "{stderr}");
    let fresh = run_in(dir.path(), &spec, &["--fresh"]);
    assert!(fresh.status.success(), "{}", stderr_of(&fresh));
    assert_eq!(statuses(&runs), ["ok"]);
}
