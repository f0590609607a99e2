//! End-to-end tests of a real file streamed per pass (`[data] stream` with `[data.real]`, the
//! `runner` binary on a small CSV written here): the rows of a streamed run are those of the
//! held run (timing and memory columns aside, and the distinct-feature count, estimated when
//! streamed), refits included; read on a second thread (`--read-ahead`) they are the streamed
//! run's rows again; a split that shuffles is refused naming both keys; a bad value in the
//! middle of the file fails the sweep with its file, line and column, read ahead or not.

// Helpers outside `#[test]` functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use crate::common::{comparable_when_streamed, read_runs, runner, text, Row};

/// Rows `dist, city, hour, late`: `late` leans on distance and city, with noise; a `?` now and
/// then.
fn rows(n: usize, bad_row: Option<usize>) -> String {
    let mut csv = String::from("dist,city,hour,late\n");
    for i in 0..n {
        let dist = match i {
            _ if Some(i) == bad_row => "far".to_string(),
            _ if i % 23 == 0 => "?".to_string(),
            _ => format!("{}", (i * 7919) % 1000),
        };
        let city = ["a", "b", "c", "d", "e"][(i * 31) % 5];
        let late = ((i * 7919) % 1000 > 600) ^ (city == "b") ^ (i % 7 == 0);
        csv.push_str(&format!("{dist},{city},{},{}\n", (i * 13) % 24, u8::from(late)));
    }
    csv
}

const SPEC: &str = r#"
name = "rs"
[data]
STREAM
[data.real]
file = "flights.csv"
[data.real.schema]
label = { column = "late", rule = "> 0" }
missing = ["?"]
columns = { dist = "numeric", city = "categorical", hour = "numeric" }
[data.real.features]
bucketized = [{ column = "dist", quantiles = 8 }]
categorical = [{ column = "city" }, { column = "hour" }]
crosses = [{ columns = ["dist", "city", "hour"] }]
[data.real.split]
SPLIT
[grid]
seeds = [1]
epochs = 2
[selection]
refit = true
search = { max_steps = 0 }
[report]
plots = false
[[regularizer]]
kind = "l1"
lambdas = [1e-4, 1e-2]
  [[regularizer.optimizer]]
  online = "ftrl"
  [[regularizer.optimizer]]
  online = "truncated_gradient"
  lambdas = [1e-3]
  [[regularizer.optimizer]]
  batch = "coordinate_descent"
"#;

fn spec(stream: bool, split: &str) -> String {
    SPEC.replace("STREAM", if stream { "stream = true" } else { "" }).replace("SPLIT", split)
}

/// Runs `text_of_spec` on `data` with the options `extra`; the output and, when it succeeded,
/// the rows of `runs.csv`.
fn run(
    dir: &Path,
    name: &str,
    text_of_spec: &str,
    extra: &[&str],
) -> (std::process::Output, Vec<Row>) {
    let spec = dir.join(format!("{name}.toml"));
    std::fs::write(&spec, text_of_spec).unwrap();
    let out = dir.join(name);
    let data = dir.join("data");
    let args = [
        "run",
        spec.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--threads",
        "1",
    ];
    let output = runner(&[&args[..], extra].concat());
    let runs = out.join("rs").join("runs.csv");
    if !output.status.success() || !runs.exists() {
        return (output, Vec::new());
    }
    (output, read_runs(&runs))
}

fn data_dir(dir: &Path, csv: &str) {
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::write(dir.join("data").join("flights.csv"), csv).unwrap();
}

#[test]
fn a_streamed_file_trains_as_the_held_one() {
    let dir = tempfile::tempdir().unwrap();
    data_dir(dir.path(), &rows(6000, None));
    let splits = [
        "shuffle = false\nfractions = { train = 0.7, validation = 0.15, test = 0.15 }",
        "shuffle = false\nranges = { train = [1000, 5000], validation = [0, 1000], test = [5000, 6000] }",
    ];
    for (i, split) in splits.iter().enumerate() {
        let (held_out, held) = run(dir.path(), &format!("held{i}"), &spec(false, split), &[]);
        assert!(held_out.status.success(), "{}", text(&held_out.stderr));
        let (out, streamed) = run(dir.path(), &format!("streamed{i}"), &spec(true, split), &[]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let ahead = ["--read-ahead"];
        let (out, read_ahead) = run(dir.path(), &format!("ahead{i}"), &spec(true, split), &ahead);
        assert!(out.status.success(), "{}", text(&out.stderr));
        // Read on a second thread: the same examples, so every result, the training state and
        // the sketch of the distinct features (fed the same ids) are the streamed run's.
        let results = |rows: &[Row]| rows.iter().map(comparable_when_streamed).collect::<Vec<_>>();
        assert_eq!(results(&streamed), results(&read_ahead), "{split}");
        for column in ["features_touched", "train_state_bytes"] {
            let of = |rows: &[Row]| rows.iter().map(|r| r[column].clone()).collect::<Vec<_>>();
            assert_eq!(of(&streamed), of(&read_ahead), "{column}, {split}");
        }
        // 2 lambdas of FTRL, 1 of truncated gradient, a path of 2 and 3 refits.
        assert_eq!(held.len(), 8, "{held:?}");
        assert!(held.iter().any(|r| r["run_id"].ends_with("-refit")));
        assert!(held.iter().all(|r| r["status"] == "ok"), "{held:?}");
        assert_eq!(
            held.iter().map(comparable_when_streamed).collect::<Vec<_>>(),
            streamed.iter().map(comparable_when_streamed).collect::<Vec<_>>(),
            "{split}"
        );
        // The estimate of the distinct training features is within 3% of the exact count.
        for (h, s) in held.iter().zip(&streamed) {
            let exact: f64 = h["features_touched"].parse().unwrap();
            let estimate: f64 = s["features_touched"].parse().unwrap();
            assert!((estimate / exact - 1.0).abs() < 0.03, "{exact} vs {estimate}");
        }
    }
}

#[test]
fn a_shuffled_split_is_refused_naming_both_keys() {
    let dir = tempfile::tempdir().unwrap();
    data_dir(dir.path(), &rows(100, None));
    let split = "fractions = { train = 0.8, validation = 0.2 }";
    let (out, _) = run(dir.path(), "shuffled", &spec(true, split), &[]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("data.stream") && stderr.contains("data.real.split.shuffle"),
        "{stderr}"
    );
}

#[test]
fn a_bad_value_mid_file_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    data_dir(dir.path(), &rows(6000, Some(4500)));
    let split = "shuffle = false\nfractions = { train = 0.9, validation = 0.1 }";
    for extra in [&[][..], &["--read-ahead"][..]] {
        let (out, _) = run(dir.path(), "bad", &spec(true, split), extra);
        assert_eq!(out.status.code(), Some(1), "{extra:?}: {}", text(&out.stderr));
        let stderr = text(&out.stderr);
        assert!(stderr.contains("flights.csv line 4502, column `dist`"), "{extra:?}: {stderr}");
        assert!(stderr.contains("`far`"), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}
