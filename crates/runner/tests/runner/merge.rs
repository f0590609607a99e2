//! End-to-end tests of `runner merge` (the `runner` binary on a tiny synthetic spec in temporary
//! directories): three shards run as separate processes at the same time, as they would on three
//! machines, and merged; the merged `runs.csv` equals an unsharded run's, the timing columns
//! aside. Then what the merge refuses, each with an error naming the directory or file at fault:
//! a missing shard, a row made by other code, a row made from other data, shards of different
//! N, a unit no shard holds.

// Helpers outside `#[test]` functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::common::{read_runs, runner, text, Row, TIMING_COLUMNS};

/// Four data sets (k = 2, 3; seeds 1, 2), dealt to three shards as 2 + 1 + 1; online and batch
/// methods, the lambda search (its added rows live in the shards) and refits (recomputed by the
/// merge).
const SPEC: &str = "name = \"tiny\"\n[data]\nn_train = 1000\nn_validation = 500\n\
    n_test = 500\n[data.synthetic]\ninteractions = 2\n[grid]\nk = [2, 3]\nseeds = [1, 2]\n\
    [selection]\ntolerance = 0.001\nrefit = true\n\
    [[regularizer]]\nkind = \"l1\"\n\
    [[regularizer.optimizer]]\nonline = \"ftrl\"\nlambdas = [1e-4, 1e-3]\n\
    [[regularizer.optimizer]]\nbatch = \"coordinate_descent\"\npath = { n = 3, min_ratio = 0.01 }\n\
    [[regularizer]]\nkind = \"l0\"\n\
    [[regularizer.optimizer]]\nonline = \"hard_threshold\"\nlambdas = [1e-9, 1e-8]\n";

/// A temporary directory holding the spec.
struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("tiny.toml"), SPEC).unwrap();
        Self { dir }
    }

    fn spec(&self) -> String {
        self.dir.path().join("tiny.toml").to_str().unwrap().to_string()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs shards `indices` of `count` into `out`, all at the same time, each its own process;
    /// returns their directories.
    fn shards(&self, out: &str, indices: &[usize], count: usize) -> Vec<PathBuf> {
        let out = self.path(out);
        let children: Vec<_> = indices
            .iter()
            .map(|i| {
                Command::new(env!("CARGO_BIN_EXE_runner"))
                    .args(["run", &self.spec(), "--out", out.to_str().unwrap(), "--no-plots"])
                    .args(["--threads", "1", "--export-models", "--shard", &format!("{i}/{count}")])
                    .env_remove("SPARSECROSS_DATA_DIR")
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let output = child.wait_with_output().unwrap();
            assert!(output.status.success(), "a shard failed:\n{}", text(&output.stderr));
        }
        indices.iter().map(|i| out.join(format!("tiny-shard-{i}-of-{count}"))).collect()
    }

    /// `runner merge` of `shards` into `out`: (success, stdout, stderr).
    fn merge(&self, shards: &[PathBuf], out: &str) -> (bool, String, String) {
        let out = self.path(out);
        let mut args = vec!["merge".to_string(), self.spec()];
        args.extend(shards.iter().map(|s| s.to_str().unwrap().to_string()));
        args.extend(
            ["--out", out.to_str().unwrap(), "--no-plots", "--threads", "1", "--export-models"]
                .map(String::from),
        );
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = runner(&args);
        (output.status.success(), text(&output.stdout), text(&output.stderr))
    }

    /// The error of a merge that must fail, which also leaves no report behind.
    fn refused(&self, shards: &[PathBuf]) -> String {
        let (ok, _, stderr) = self.merge(shards, "refused");
        assert!(!ok, "the merge should have failed:\n{stderr}");
        assert!(!self.path("refused/tiny/runs.csv").exists(), "a refused merge wrote runs.csv");
        stderr
    }
}

/// The rows of a `runs.csv` by run id, timing columns left out.
fn rows_without_timings(path: &Path) -> BTreeMap<String, Row> {
    read_runs(path)
        .into_iter()
        .map(|mut cells| {
            cells.retain(|c, _| !TIMING_COLUMNS.contains(&c.as_str()));
            (cells["run_id"].clone(), cells)
        })
        .collect()
}

/// Rewrites cell `column` of the data row `row` (0-based, header excluded) of a CSV file.
fn edit_cell(path: &Path, row: usize, column: &str, value: &str) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    let mut rows: Vec<Vec<String>> =
        reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
    let at = header.iter().position(|c| c == column).unwrap();
    rows[row][at] = value.to_string();
    let mut writer = csv::Writer::from_path(path).unwrap();
    writer.write_record(&header).unwrap();
    for r in rows {
        writer.write_record(r).unwrap();
    }
    writer.flush().unwrap();
}

/// Records `shard`'s current `runs.csv` digest in its `metadata.json`, as the shard would have
/// had it written these rows (so a test of a later check gets past the digest).
fn reseal(shard: &Path) {
    let bytes = std::fs::read(shard.join("runs.csv")).unwrap();
    let meta_path = shard.join("metadata.json");
    let mut meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&meta_path).unwrap()).unwrap();
    let digest = format!("{:016x}", runner::provenance::fnv1a(&bytes));
    meta["runs_csv_digest"] = serde_json::Value::String(digest);
    std::fs::write(&meta_path, serde_json::to_string_pretty(&meta).unwrap()).unwrap();
}

#[test]
fn three_shards_run_at_once_merge_into_the_unsharded_runs() {
    let setup = Setup::new();
    let shards = setup.shards("shards", &[0, 1, 2], 3);
    let (ok, stdout, stderr) = setup.merge(&shards, "merged");
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains(": 12 run now (12 refits), 69 from earlier runs (69 reused)"),
        "the merge trained nothing but refits: {stdout}"
    );

    let whole = runner(&[
        "run",
        &setup.spec(),
        "--out",
        setup.path("whole").to_str().unwrap(),
        "--no-plots",
        "--threads",
        "1",
        "--export-models",
    ]);
    assert!(whole.status.success(), "{}", text(&whole.stderr));

    let merged = rows_without_timings(&setup.path("merged/tiny/runs.csv"));
    let unsharded = rows_without_timings(&setup.path("whole/tiny/runs.csv"));
    // The comparison has something to compare: grid rows of every data set, rows the lambda
    // search added in the shards, and refit rows.
    for tag in ["k02-s1", "k02-s2", "k03-s1", "k03-s2"] {
        assert!(merged.keys().any(|id| id.starts_with(tag)), "no row of {tag}");
    }
    assert!(merged.values().any(|r| r["origin"] == "edge_search"));
    assert!(merged.keys().any(|id| id.ends_with("-refit")));
    assert_eq!(merged.keys().collect::<Vec<_>>(), unsharded.keys().collect::<Vec<_>>());
    for (id, row) in &merged {
        assert_eq!(row, &unsharded[id], "row {id} differs");
    }

    // Both ran their runs on one thread, so the summary says the same, figure for figure.
    let summary =
        |report: &str| std::fs::read_to_string(setup.path(report).join("tiny/summary.md")).unwrap();
    assert_eq!(summary("merged"), summary("whole"));

    // The selected models: the shards' copied, the refits' recomputed; the same files.
    let models = |report: &str| -> BTreeMap<String, Vec<u8>> {
        std::fs::read_dir(setup.path(report).join("tiny/models"))
            .unwrap()
            .map(|e| {
                let path = e.unwrap().path();
                (
                    path.file_name().unwrap().to_string_lossy().to_string(),
                    std::fs::read(path).unwrap(),
                )
            })
            .collect()
    };
    let (merged_models, unsharded_models) = (models("merged"), models("whole"));
    assert!(merged_models.keys().any(|f| f.ends_with("-refit.csv")), "{merged_models:?}");
    assert!(merged_models.keys().any(|f| !f.contains("-refit")), "{merged_models:?}");
    assert_eq!(merged_models, unsharded_models);

    let meta: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(setup.path("merged/tiny/metadata.json")).unwrap(),
    )
    .unwrap();
    let indices: Vec<u64> = meta["merged_shards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["index"].as_u64().unwrap())
        .collect();
    assert_eq!(indices, [0, 1, 2]);
    assert_eq!(meta["units_run"], 0);
}

#[test]
fn a_missing_shard_is_named() {
    let setup = Setup::new();
    let shards = setup.shards("shards", &[0, 2], 3);
    let error = setup.refused(&shards);
    assert!(error.contains("missing shard index 1 of 3"), "{error}");
}

#[test]
fn an_out_inside_a_shard_is_refused_and_the_shard_kept() {
    let setup = Setup::new();
    let shards = setup.shards("shards", &[0, 1], 2);
    let before = std::fs::read(shards[0].join("runs.csv")).unwrap();
    let inside = shards[0].strip_prefix(setup.path("")).unwrap().to_str().unwrap().to_string();
    let (ok, _, error) = setup.merge(&shards, &inside);
    assert!(!ok, "{error}");
    assert!(error.contains("overlaps the shard"), "{error}");
    assert_eq!(std::fs::read(shards[0].join("runs.csv")).unwrap(), before, "shard intact");
}

#[test]
fn a_row_made_by_other_code_is_refused() {
    let setup = Setup::new();
    let shards = setup.shards("shards", &[0, 1, 2], 3);
    edit_cell(&shards[1].join("runs.csv"), 0, "code_version", "0123456789abcdef");
    reseal(&shards[1]);
    let error = setup.refused(&shards);
    let file = shards[1].join("runs.csv");
    assert!(error.contains(&format!("{} line 2", file.display())), "{error}");
    assert!(error.contains("code_version 0123456789abcdef differs from"), "{error}");
    assert!(error.contains("shard 1: 0123456789abcdef"), "{error}");
}

#[test]
fn a_row_made_from_other_data_is_refused() {
    let setup = Setup::new();
    let shards = setup.shards("shards", &[0, 1, 2], 3);
    edit_cell(&shards[2].join("runs.csv"), 1, "data_fingerprint", "feedfacefeedface");
    reseal(&shards[2]);
    let error = setup.refused(&shards);
    let file = shards[2].join("runs.csv");
    assert!(error.contains(&format!("{} line 3", file.display())), "{error}");
    assert!(error.contains("data_fingerprint feedfacefeedface differs"), "{error}");
}

#[test]
fn shards_of_different_n_are_refused() {
    let setup = Setup::new();
    let mut shards = setup.shards("three", &[0, 2], 3);
    shards.extend(setup.shards("two", &[1], 2));
    let error = setup.refused(&shards);
    assert!(error.contains("shards of different N"), "{error}");
    assert!(error.contains(&format!("{} is shard 1/2", shards[2].display())), "{error}");
}

#[test]
fn a_unit_no_shard_holds_is_named() {
    let setup = Setup::new();
    let shards = setup.shards("shards", &[0, 1, 2], 3);
    // Shard 1 holds data set k = 2, seed 2 alone: drop the rows of its FTRL run at 1e-4.
    let runs = shards[1].join("runs.csv");
    let mut reader = csv::Reader::from_path(&runs).unwrap();
    let header = reader.headers().unwrap().clone();
    let id = header.iter().position(|c| c == "run_id").unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let gone = records
        .iter()
        .find(|r| r[id].starts_with("k02-s2-l1-ftrl-lambda1e-4-"))
        .map(|r| r[id].to_string())
        .unwrap();
    let mut writer = csv::Writer::from_path(&runs).unwrap();
    writer.write_record(&header).unwrap();
    for r in records.iter().filter(|r| r[id] != gone) {
        writer.write_record(r).unwrap();
    }
    writer.flush().unwrap();
    reseal(&shards[1]);
    let error = setup.refused(&shards);
    assert!(error.contains("1 units of the plan have no row in any shard"), "{error}");
    assert!(error.contains(&format!("{gone} (shard 1)")), "{error}");
}

#[test]
fn an_edited_shard_row_or_a_shard_without_its_digest_is_refused_naming_the_file() {
    let setup = Setup::new();
    let shards = setup.shards("shards", &[0, 1], 2);
    let runs = shards[1].join("runs.csv");
    let original = std::fs::read(&runs).unwrap();
    for (column, value) in [("log_loss", "0.125"), ("nonzero_weights", "3")] {
        edit_cell(&runs, 0, column, value);
        let error = setup.refused(&shards);
        assert!(error.contains(&format!("{}: digest mismatch", runs.display())), "{error}");
        assert!(error.contains("edited"), "{error}");
        std::fs::write(&runs, &original).unwrap();
    }
    // A shard whose metadata.json has no digest (an older runner's) is refused too.
    let meta_path = shards[1].join("metadata.json");
    let mut meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&meta_path).unwrap()).unwrap();
    meta.as_object_mut().unwrap().remove("runs_csv_digest");
    std::fs::write(&meta_path, meta.to_string()).unwrap();
    let error = setup.refused(&shards);
    assert!(error.contains("has no `runs_csv_digest`"), "{error}");
}
