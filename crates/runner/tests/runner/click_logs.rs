//! Click-log sources end to end through the binary: a real file split by time with a hashed
//! categorical column and a hashed cross (batch and online solvers), a synthetic hashed full
//! cross, and the `hash_stats.csv` both write; a time split refused when streamed.

use std::path::Path;

use crate::common::{read_runs, runner, text};

/// `n` clicks `ip, app, click_time, clicked`, out of time order (the hour runs backwards).
fn clicks(n: usize) -> String {
    let mut csv = String::from("ip,app,click_time,clicked\n");
    for i in 0..n {
        let (day, hour) = (6 + (n - i) % 3, (n - i) % 24);
        let clicked = u8::from(i % 7 == 0 || (i % 5 == 0 && i % 3 == 1));
        csv.push_str(&format!("{},{},2017-11-0{day} {hour:02}:00:00,{clicked}\n", i % 97, i % 4));
    }
    csv
}

const REAL: &str = r#"
name = "clicks"
[data]
STREAM
[data.real]
file = "clicks.csv"
[data.real.schema]
label = { column = "clicked", rule = "> 0" }
columns = { ip = "categorical", app = "categorical", click_time = "datetime" }
[data.real.features]
categorical = [{ column = "ip", hash_buckets = 64 }, { column = "app" }]
crosses = [{ columns = ["ip", "app"], hash_buckets = 128 }]
[data.real.split]
order_by = "click_time"
fractions = { train = 0.6, validation = 0.2, test = 0.2 }
[grid]
seeds = [1, 2]
[selection]
search = { max_steps = 0 }
[[regularizer]]
kind = "l2"
lambdas = [0.001]
  [[regularizer.optimizer]]
  online = "ftrl"
  [[regularizer.optimizer]]
  batch = "coordinate_descent"
[report]
plots = false
"#;

fn run(dir: &Path, spec_text: &str) -> std::process::Output {
    let spec = dir.join("spec.toml");
    std::fs::write(&spec, spec_text).unwrap();
    let out = dir.join("out");
    let args = [
        "run",
        spec.to_str().unwrap(),
        "--data-dir",
        dir.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--threads",
        "1",
    ];
    runner(&args)
}

fn hash_rows(report: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_path(report.join("hash_stats.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(
        header,
        [
            "dataset",
            "seed",
            "group",
            "buckets",
            "distinct_values",
            "buckets_used",
            "values_sharing_a_bucket",
            "collision_rate"
        ]
    );
    reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect()
}

#[test]
fn a_time_split_with_hashed_groups_runs_batch_and_online_and_writes_hash_stats() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("clicks.csv"), clicks(500)).unwrap();
    let output = run(dir.path(), &REAL.replace("STREAM", ""));
    assert!(output.status.success(), "{}", text(&output.stderr));
    let report = dir.path().join("out/clicks");
    let runs = read_runs(&report.join("runs.csv"));
    for family in ["online", "batch"] {
        let ok = runs.iter().filter(|r| r["family"] == family && r["status"] == "ok").count();
        assert!(ok >= 1, "{family}: {runs:?}");
    }
    assert!(runs.iter().all(|r| r["n_train"] == "300"), "{runs:?}");
    let rows = hash_rows(&report);
    let groups: Vec<(&str, &str)> = rows.iter().map(|r| (r[2].as_str(), r[3].as_str())).collect();
    assert_eq!(groups[..2], [("ip", "64"), ("ip_x_app", "128")], "{rows:?}");
    let ip = &rows[0];
    assert_eq!((ip[0].as_str(), ip[4].as_str()), ("clicks", "97"), "{rows:?}");
    let rate: f64 = ip[7].parse().unwrap();
    assert!(rate > 0.0 && rate <= 1.0, "97 ips in 64 buckets collide: {rows:?}");
}

#[test]
fn a_time_split_is_refused_when_streamed_naming_both_keys() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("clicks.csv"), clicks(50)).unwrap();
    let output = run(dir.path(), &REAL.replace("STREAM", "stream = true"));
    assert!(!output.status.success());
    let err = text(&output.stderr);
    assert!(err.contains("data.stream") && err.contains("data.real.split.order_by"), "{err}");
}

const SYNTHETIC: &str = "name = \"hashed\"\n[data]\nn_train = 400\nn_validation = 100\n\
    n_test = 100\n[data.synthetic]\ninteractions = 2\nCROSSES\n[grid]\nk = [3]\nseeds = [1]\n\
    [selection]\nsearch = { max_steps = 0 }\n[[regularizer]]\nkind = \"l2\"\nlambdas = [1e-3]\n\
    [[regularizer.optimizer]]\nonline = \"ftrl\"\n[report]\nplots = false\n";

#[test]
fn a_hashed_synthetic_full_cross_writes_its_collisions_and_an_exact_one_writes_none() {
    let dir = tempfile::tempdir().unwrap();
    let hashed = SYNTHETIC.replace("CROSSES", "crosses = { hash_buckets = 8 }");
    let output = run(dir.path(), &hashed);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let rows = hash_rows(&dir.path().join("out/hashed"));
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = &rows[0];
    assert_eq!(row[..4], ["synthetic-k03", "1", "full_cross", "8"], "{rows:?}");
    // 27 cells in 8 buckets: a random hash leaves a cell alone with probability (7/8)^26, about
    // 3%, so nearly every cell shares its bucket.
    let (used, sharing): (u64, u64) = (row[5].parse().unwrap(), row[6].parse().unwrap());
    assert!(row[4] == "27" && (1..=8).contains(&used) && (20..=27).contains(&sharing), "{rows:?}");
    let rate: f64 = row[7].parse().unwrap();
    assert!((rate - sharing as f64 / 27.0).abs() < 1e-12, "{rows:?}");
    let exact = tempfile::tempdir().unwrap();
    let output = run(exact.path(), &SYNTHETIC.replace("CROSSES", ""));
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(exact.path().join("out/hashed/runs.csv").is_file());
    assert!(!exact.path().join("out/hashed/hash_stats.csv").exists());
}

#[test]
fn calibration_bins_write_each_selected_runs_test_rows_in_equal_count_bins() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("clicks.csv"), clicks(500)).unwrap();
    let spec =
        REAL.replace("STREAM", "").replace("plots = false", "plots = false\ncalibration_bins = 4");
    let output = run(dir.path(), &spec);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let report = dir.path().join("out/clicks");
    let selected: Vec<String> = read_runs(&report.join("runs.csv"))
        .into_iter()
        .filter(|r| r["selected"] == "true")
        .map(|r| r["run_id"].clone())
        .collect();
    let bins = read_runs(&report.join("calibration.csv"));
    assert_eq!(bins.len(), 4 * selected.len(), "{bins:?}");
    for id in &selected {
        let of_run: Vec<_> = bins.iter().filter(|b| &b["run_id"] == id).collect();
        // 100 test rows (the last 20% in time) in 4 bins of 25, lowest predictions first.
        assert!(of_run.iter().all(|b| b["rows"] == "25"), "{of_run:?}");
        let means: Vec<f64> = of_run.iter().map(|b| b["mean_predicted"].parse().unwrap()).collect();
        assert!(means.windows(2).all(|w| w[0] <= w[1]), "{means:?}");
        let rate: f64 = of_run[0]["observed_rate"].parse().unwrap();
        assert!((0.0..=1.0).contains(&rate), "{of_run:?}");
    }
    let again = run(dir.path(), &spec);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert_eq!(read_runs(&report.join("calibration.csv")), bins, "a resumed run keeps the file");
}

#[test]
fn calibration_bins_out_of_range_are_refused_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("clicks.csv"), clicks(50)).unwrap();
    let spec =
        REAL.replace("STREAM", "").replace("plots = false", "plots = false\ncalibration_bins = 1");
    let output = run(dir.path(), &spec);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let err = text(&output.stderr);
    assert!(err.contains("report.calibration_bins") && err.contains("2 to 1000"), "{err}");
}

#[test]
fn a_bucket_grid_runs_one_data_set_per_count_and_reports_each_against_exact() {
    let dir = tempfile::tempdir().unwrap();
    let spec = SYNTHETIC
        .replace("CROSSES", "")
        .replace("seeds = [1]", "seeds = [1, 2]\nhash_buckets = [\"exact\", 4, 64]");
    let output = run(dir.path(), &spec);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let report = dir.path().join("out/hashed");
    let runs = read_runs(&report.join("runs.csv"));
    let mut counts: Vec<&str> = runs.iter().map(|r| r["hash_buckets"].as_str()).collect();
    counts.dedup();
    assert_eq!(counts, ["4", "64", "exact"], "sorted by count, exact last: {runs:?}");
    assert!(runs.iter().any(|r| r["run_id"].starts_with("k03-h2^6-s2-")), "{runs:?}");
    // One lambda chosen per (count, seed): 3 counts x 2 seeds.
    assert_eq!(runs.iter().filter(|r| r["selected"] == "true").count(), 6, "{runs:?}");
    // The hashed data sets' collisions, none for the exact one; 27 cells in 4 buckets collide.
    let rows = hash_rows(&report);
    let names: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        names,
        ["synthetic-k03-h2^2", "synthetic-k03-h2^2", "synthetic-k03-h2^6", "synthetic-k03-h2^6"]
    );
    assert_eq!(rows[0][7], "1", "{rows:?}");
    let summary = std::fs::read_to_string(report.join("summary.md")).unwrap();
    assert!(summary.contains("## How many hash buckets a cross needs"), "{summary}");
    assert!(summary.contains("| 4 | 100.00% |") && summary.contains("| exact | 0 (exact) |"));
    // A second run resumes every row: the counts are part of the rows' identity.
    let again = run(dir.path(), &spec);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(text(&again.stdout).contains("0 run now"), "{}", text(&again.stdout));
}

#[test]
fn a_bucket_grid_is_refused_without_a_cross_to_hash_naming_the_keys() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("clicks.csv"), clicks(50)).unwrap();
    let exact = REAL
        .replace("STREAM", "")
        .replace(", hash_buckets = 128", "")
        .replace("seeds = [1, 2]", "seeds = [1]\nhash_buckets = [16]");
    let output = run(dir.path(), &exact);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let err = text(&output.stderr);
    assert!(err.contains("grid.hash_buckets") && err.contains("none does"), "{err}");
    let off = SYNTHETIC
        .replace("CROSSES", "crosses = { full_cross = false }")
        .replace("seeds = [1]", "seeds = [1]\nhash_buckets = [\"exact\"]");
    let output = run(dir.path(), &off);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("full_cross` is false"), "{}", text(&output.stderr));
    let word = SYNTHETIC.replace("seeds = [1]", "seeds = [1]\nhash_buckets = [\"all\"]");
    let output = run(dir.path(), &word.replace("CROSSES", ""));
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("hash_buckets"), "{}", text(&output.stderr));
}

const LIBSVM: &str = "name = \"svm\"\n[data.libsvm]\nfile = \"train.svm\"\ntest_file = \"test.svm\"\n\
    validation_fraction = 0.25\n[grid]\nseeds = [1, 2]\n[selection]\nsearch = { max_steps = 0 }\n\
    [[regularizer]]\nkind = \"l1\"\nlambdas = [1e-3]\n[[regularizer.optimizer]]\nonline = \"ftrl\"\n\
    [[regularizer.optimizer]]\nbatch = \"coordinate_descent\"\n[report]\nplots = false\n";

/// `n` LIBSVM rows with -1/+1 labels over indices 1..=7.
fn svm_rows(n: usize) -> String {
    (0..n)
        .map(|i| format!("{} {}:1 7:0.5\n", if i % 3 == 0 { "+1" } else { "-1" }, i % 6 + 1))
        .collect()
}

#[test]
fn a_libsvm_source_splits_by_seed_and_scores_on_its_test_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("train.svm"), svm_rows(80)).unwrap();
    std::fs::write(dir.path().join("test.svm"), svm_rows(30)).unwrap();
    let output = run(dir.path(), LIBSVM);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let runs = read_runs(&dir.path().join("out/svm/runs.csv"));
    assert!(runs.iter().all(|r| r["status"] == "ok" && r["dataset"] == "train.svm"), "{runs:?}");
    // 80 rows: 60 train, 20 validation; the test file whole; indices 1..=7 plus one unused id.
    assert!(runs.iter().all(|r| r["n_train"] == "60" && r["n_test"] == "30"), "{runs:?}");
    assert!(runs.iter().all(|r| r["dimension"] == "8"), "{runs:?}");
    let seeds: std::collections::BTreeSet<&str> =
        runs.iter().filter(|r| r["family"] == "batch").map(|r| r["seed"].as_str()).collect();
    assert_eq!(seeds.len(), 2, "batch runs once per seed: the split depends on it: {runs:?}");
}

#[test]
fn a_libsvm_source_names_a_missing_file_and_a_third_label() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("train.svm"), svm_rows(20)).unwrap();
    let output = run(dir.path(), LIBSVM);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("test.svm"), "{}", text(&output.stderr));
    std::fs::write(dir.path().join("test.svm"), "2 1:1\n1 1:1\n0 2:1\n").unwrap();
    let output = run(dir.path(), LIBSVM);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let err = text(&output.stderr);
    assert!(err.contains("test.svm") && err.contains("a third value"), "{err}");
}
