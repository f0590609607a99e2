//! A user's own data end to end, through the binary, on small temporary CSV files: one file cut
//! by `runner split` (with a derived text label), a training, a validation and a test file with
//! text labels, trailing dots, `", "` separators and `?` for missing values; the report
//! (`features.md`, refit rows, real-data summary), the saved models, and `runner predict`
//! reproducing the report's test metrics exactly.

// Test helpers unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use crate::common::{runner, text};

/// `n` rows `age, gain, work, income` (gain mostly 0, some `?`), labels with a trailing `dot`.
fn rows(n: usize, offset: usize, dot: &str) -> String {
    let mut csv = String::from("age, gain, work, income\n");
    for i in offset..offset + n {
        let age = 18 + (i * 7) % 60;
        let gain = match i % 13 {
            0 => "?".to_string(),
            1 | 5 => format!("{}", 50 * (i % 40)),
            _ => "0".to_string(),
        };
        let work = ["Private", "State-gov", "Self-emp", "?"][(i / 3) % 4];
        let rich = (age > 45) ^ (i % 5 == 0) || gain != "0" && gain != "?";
        let income = if rich { ">50K" } else { "<=50K" };
        csv.push_str(&format!("{age}, {gain}, {work}, {income}{dot}\n"));
    }
    csv
}

const SPEC: &str = r#"
name = "own"
[data.real]
file = "train.csv"
validation_file = "valid.csv"
test_file = "test.csv"
[data.real.schema]
label = { column = "income", positive = [">50K"], negative = ["<=50K"], ignore_trailing_dot = true }
missing = ["?"]
columns = { age = "numeric", gain = "numeric", work = "categorical" }
[data.real.features]
bucketized = [{ column = "age", quantiles = 4 }, { column = "gain", quantiles = 6 }]
categorical = [{ column = "work" }]
crosses = [{ columns = ["age", "work"] }]
[grid]
seeds = [1, 2]
[[regularizer]]
kind = "l1"
lambdas = [0.0001, 0.01]
  [[regularizer.optimizer]]
  online = "ftrl"
  [[regularizer.optimizer]]
  batch = "coordinate_descent"
[selection]
refit = true
[report]
export_models = true
plots = false
"#;

fn field<'a>(header: &[String], row: &'a [String], name: &str) -> &'a str {
    &row[header.iter().position(|h| h == name).unwrap()]
}

fn run_ok(args: &[&str]) -> String {
    let out = runner(args);
    assert!(out.status.success(), "{args:?}: {}{}", text(&out.stdout), text(&out.stderr));
    text(&out.stdout) + &text(&out.stderr)
}

#[test]
fn own_files_give_a_report_saved_models_and_predictions_that_reproduce_the_test_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(data.join("train.csv"), rows(300, 0, "")).unwrap();
    std::fs::write(data.join("valid.csv"), rows(80, 1000, "")).unwrap();
    std::fs::write(data.join("test.csv"), rows(90, 2000, ".")).unwrap();
    let spec = dir.path().join("own.toml");
    std::fs::write(&spec, SPEC).unwrap();
    let out = dir.path().join("out");
    let (data_s, out_s) = (data.to_str().unwrap(), out.to_str().unwrap());
    let console = run_ok(&[
        "run",
        spec.to_str().unwrap(),
        "--data-dir",
        data_s,
        "--out",
        out_s,
        "--threads",
        "1",
    ]);
    assert!(console.contains("refit: 3 selected"), "{console}");
    let report = out.join("own");
    let mut reader = csv::Reader::from_path(report.join("runs.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    let rows: Vec<Vec<String>> =
        reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
    let runs = format!("{rows:?}");
    // No split of train.csv: the batch path runs once (seed 1), FTRL once per seed.
    let batch: Vec<_> = rows.iter().filter(|r| field(&header, r, "family") == "batch").collect();
    assert!(batch.iter().all(|r| field(&header, r, "seed") == "1"), "{runs}");
    // The spec's two lambdas (the lambda search may add points past them).
    assert_eq!(
        batch
            .iter()
            .filter(|r| !field(&header, r, "run_id").ends_with("-refit"))
            .filter(|r| field(&header, r, "origin") == "grid")
            .count(),
        2
    );
    let refits: Vec<_> =
        rows.iter().filter(|r| field(&header, r, "run_id").ends_with("-refit")).collect();
    assert_eq!(refits.len(), 3);
    assert!(
        refits
            .iter()
            .all(|r| field(&header, r, "n_train") == "380"
                && field(&header, r, "selected") == "false")
    );
    let summary = std::fs::read_to_string(report.join("summary.md")).unwrap();
    for needle in ["test AUC", "## Refit on train + validation"] {
        assert!(summary.contains(needle), "{summary}");
    }
    assert!(
        !summary.contains("support recall")
            && !summary.contains("Bayes")
            && !summary.contains("plots/"),
        "{summary}"
    );
    let features = std::fs::read_to_string(report.join("features.md")).unwrap();
    assert!(
        features.contains("| gain | buckets |") && features.contains("missing bucket"),
        "{features}"
    );
    assert!(features.contains("3 values + OOV + missing bucket"), "{features}");
    // Every selected model predicts the test file with the report's test metrics, to the bit.
    let selected: Vec<_> =
        rows.iter().filter(|r| field(&header, r, "selected") == "true").collect();
    assert_eq!(selected.len(), 3);
    for row in selected.iter().chain(&refits) {
        let id = field(&header, row, "run_id");
        let model = report.join("models").join(format!("{id}.json"));
        let predictions = dir.path().join(format!("{id}.csv"));
        let said = run_ok(&[
            "predict",
            model.to_str().unwrap(),
            data.join("test.csv").to_str().unwrap(),
            "--out",
            predictions.to_str().unwrap(),
        ]);
        let want = format!(
            "90 rows, log_loss = {}, accuracy = {}, auc = {}",
            field(&header, row, "log_loss"),
            field(&header, row, "accuracy"),
            field(&header, row, "auc")
        );
        assert!(said.contains(&want), "{said} lacks {want}");
        let written = std::fs::read_to_string(&predictions).unwrap();
        assert!(written.starts_with("row,probability,label\n1,"), "{written}");
        assert_eq!(written.lines().count(), 91);
    }
}

#[test]
fn split_cuts_a_file_with_a_derived_text_label_and_bad_inputs_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("all.csv");
    let body: String = (0..100).map(|i| format!("{i},{}\n", i * 10)).collect();
    std::fs::write(&input, format!("x,value\n{body}")).unwrap();
    let (train, test) = (dir.path().join("train.csv"), dir.path().join("test.csv"));
    let args = |derive: &str| {
        vec![
            "split".to_string(),
            input.display().to_string(),
            "--test-fraction".into(),
            "0.25".into(),
            "--train-out".into(),
            train.display().to_string(),
            "--test-out".into(),
            test.display().to_string(),
            "--derive-label".into(),
            derive.to_string(),
            "--label-texts".into(),
            "high,low".into(),
        ]
    };
    let owned = args("cls=value > 500");
    run_ok(&owned.iter().map(String::as_str).collect::<Vec<_>>());
    let read = |p: &Path| std::fs::read_to_string(p).unwrap();
    let (a, b) = (read(&train), read(&test));
    assert_eq!((a.lines().count(), b.lines().count()), (76, 26));
    assert!(a.starts_with("x,value,cls\n") && b.starts_with("x,value,cls\n"));
    assert!(a.contains("\n60,600,high\n") || b.contains("\n60,600,high\n"));
    assert!(a.contains("\n3,30,low\n") || b.contains("\n3,30,low\n"));
    std::fs::write(&input, "x,value\n1,2\n3,abc\n").unwrap();
    let out = runner(&owned.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("line 3") && err.contains("`value`") && err.contains("`abc`"), "{err}");
}

#[test]
fn split_and_predict_refuse_an_output_that_is_an_input_or_the_other_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("all.csv");
    let original = "x,value\n1,10\n2,20\n3,30\n4,40\n";
    std::fs::write(&input, original).unwrap();
    let (inp, other) =
        (input.display().to_string(), dir.path().join("b.csv").display().to_string());
    let split = |train: &str, test: &str| {
        runner(&["split", &inp, "--test-fraction", "0.5", "--train-out", train, "--test-out", test])
    };
    for (train, test, named) in [
        (inp.as_str(), other.as_str(), "--train-out"),
        (other.as_str(), other.as_str(), "--train-out and --test-out"),
    ] {
        let out = split(train, test);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        assert!(text(&out.stderr).contains(named), "{}", text(&out.stderr));
        assert_eq!(std::fs::read_to_string(&input).unwrap(), original, "the input is intact");
    }
    let model = dir.path().join("model.json");
    std::fs::write(&model, "{}").unwrap();
    let model_text = model.display().to_string();
    let out = runner(&["predict", &model_text, &inp, "--out", &model_text]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("--out"), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&model).unwrap(), "{}", "the model is intact");
}
