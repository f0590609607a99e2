//! End-to-end tests of provenance and resume (the `runner` binary on tiny specs in temporary
//! directories): every row carries `code_version`, `git_commit`, `git_dirty`,
//! `data_fingerprint` and `stale`; a row is reused only when its run id, code and data
//! fingerprints all match; rows that leave `runs.csv` go to `runs.archive.csv`; an interrupted
//! write of `runs.csv` leaves the previous file whole.
//!
//! - one byte of a real data file changed: every run on it is redone, and the console says why;
//!   a damaged file fails the run and leaves `runs.csv` and the archive as they were;
//! - a row made by other code (its `code_version` cell edited, or a `runs.csv` from before the
//!   provenance columns): redone, or kept and marked with `--reuse-stale`;
//! - a spec narrowed, then widened back: nothing lost, the rows come back from the archive
//!   byte for byte; `--fresh` archives everything;
//! - `kill -9` while `runs.csv` is being written: the test binary re-runs itself as a child that
//!   writes `runs.csv` through the runner's own atomic write and stops halfway; the child is
//!   killed there, the previous `runs.csv` is intact, and a rerun completes.

// Helpers outside `#[test]` functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::{runner, text, TIMING_COLUMNS};

/// Runs `spec` into `out` (no plots), expecting success; returns (stdout, stderr).
fn run_ok(spec: &Path, out: &Path, extra: &[&str]) -> (String, String) {
    let mut args =
        vec!["run", spec.to_str().unwrap(), "--out", out.to_str().unwrap(), "--no-plots"];
    args.extend_from_slice(extra);
    let output = runner(&args);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert!(output.status.success(), "{args:?} failed:\n{stderr}");
    (stdout, stderr)
}

/// A CSV file as (header, rows).
fn read_table(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().iter().map(str::to_string).collect();
    let rows = reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
    (header, rows)
}

/// Writes (header, rows) as CSV.
fn write_table(path: &Path, header: &[String], rows: &[Vec<String>]) {
    let mut writer = csv::Writer::from_path(path).unwrap();
    writer.write_record(header).unwrap();
    for row in rows {
        writer.write_record(row).unwrap();
    }
    writer.flush().unwrap();
}

/// The rows of a CSV file by run id, each as column -> value.
fn by_run_id(path: &Path) -> BTreeMap<String, BTreeMap<String, String>> {
    let (header, rows) = read_table(path);
    rows.into_iter()
        .map(|row| {
            let cells: BTreeMap<String, String> = header.iter().cloned().zip(row).collect();
            (cells["run_id"].clone(), cells)
        })
        .collect()
}

/// The rows without the timing and provenance columns (what must not depend on when and by
/// which build a run was made).
fn results_only(path: &Path) -> BTreeMap<String, BTreeMap<String, String>> {
    let skip = ["code_version", "git_commit", "git_dirty", "data_fingerprint", "stale"];
    by_run_id(path)
        .into_iter()
        .map(|(id, mut cells)| {
            cells.retain(|c, _| {
                !TIMING_COLUMNS.contains(&c.as_str()) && !skip.contains(&c.as_str())
            });
            (id, cells)
        })
        .collect()
}

/// The `code_version` metadata.json records.
fn metadata_code_version(report: &Path) -> String {
    let metadata: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report.join("metadata.json")).unwrap())
            .unwrap();
    for key in ["git_commit", "git_dirty", "resume"] {
        assert!(metadata.get(key).is_some(), "metadata.json lacks {key}");
    }
    metadata["code_version"].as_str().unwrap().to_string()
}

/// A synthetic spec: two data sets (k = 2, 3), FTRL at three lambdas and a coordinate-descent
/// path over the same three: 8 units, 12 rows.
const SYNTHETIC: &str = "name = \"tiny\"\n[data]\nn_train = 300\nn_validation = 100\n\
    n_test = 100\n[data.synthetic]\n[selection]\nsearch = { max_steps = 0 }\n\
    [grid]\nk = [2, 3]\nseeds = [1]\n\
    [[regularizer]]\nkind = \"l1\"\nlambdas = [1e-3, 1e-2, 1e-1]\n\
    [[regularizer.optimizer]]\nonline = \"ftrl\"\n\
    [[regularizer.optimizer]]\nbatch = \"coordinate_descent\"\n";

/// A real-data spec over `d.csv` (a numeric and a categorical column, their cross), two seeds
/// (two shuffles of the split), FTRL at two lambdas and a coordinate-descent path: 6 units,
/// 8 rows.
const REAL: &str = "name = \"real\"\n[data.real]\nfile = \"d.csv\"\n\
    [data.real.schema]\nlabel = { column = \"y\", rule = \"> 0\" }\n\
    columns = { x = \"numeric\", c = \"categorical\" }\n\
    [data.real.features]\nbucketized = [{ column = \"x\", quantiles = 4 }]\n\
    categorical = [{ column = \"c\" }]\ncrosses = [{ columns = [\"x\", \"c\"] }]\n\
    [data.real.split]\nfractions = { train = 0.6, validation = 0.2, test = 0.2 }\n\
    [selection]\nsearch = { max_steps = 0 }\n\
    [grid]\nseeds = [1, 2]\n[[regularizer]]\nkind = \"l1\"\nlambdas = [1e-3, 1e-1]\n\
    [[regularizer.optimizer]]\nonline = \"ftrl\"\n\
    [[regularizer.optimizer]]\nbatch = \"coordinate_descent\"\n";

/// 300 rows of `x,c,y` with a label that depends on both features (deterministic).
fn real_csv() -> String {
    let mut csv = String::from("x,c,y\n");
    for i in 0u32..300 {
        let x = f64::from((i * 7919) % 1000) / 1000.0;
        let c = ["a", "b", "c"][(i % 3) as usize];
        let noise = f64::from((i * 104_729) % 97) / 97.0;
        let y = u8::from(x + if c == "a" { 0.3 } else { 0.0 } + 0.4 * noise > 0.8);
        csv.push_str(&format!("{x:.3},{c},{y}\n"));
    }
    csv
}

fn write(path: &Path, content: &str) -> PathBuf {
    std::fs::write(path, content).unwrap();
    path.to_path_buf()
}

#[test]
fn one_changed_byte_of_the_data_file_redoes_every_run_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let file = data.join("d.csv");
    let original = real_csv();
    write(&file, &original);
    let spec = write(&dir.path().join("real.toml"), REAL);
    let out = dir.path().join("out");
    let data_flag = ["--data-dir", data.to_str().unwrap()];
    let report = out.join("real");
    let runs = report.join("runs.csv");

    let (stdout, _) = run_ok(&spec, &out, &data_flag);
    assert!(
        stdout.contains("8 runs")
            && stdout.contains(": 8 run now (8 planned), 0 from earlier runs"),
        "{stdout}"
    );
    let first = by_run_id(&runs);
    let code = metadata_code_version(&report);
    assert_eq!(code.len(), 16, "{code}");
    for row in first.values() {
        assert_eq!(row["code_version"], code);
        assert_eq!(row["stale"], "false");
        assert_eq!(row["data_fingerprint"].len(), 16);
        assert!(["true", "false", "unknown"].contains(&row["git_dirty"].as_str()));
        assert!(!row["git_commit"].is_empty());
    }
    let by_seed = |rows: &BTreeMap<String, BTreeMap<String, String>>, seed: &str| {
        rows.values()
            .filter(|r| r["seed"] == seed)
            .map(|r| r["data_fingerprint"].clone())
            .collect::<Vec<_>>()
    };
    assert_ne!(by_seed(&first, "1")[0], by_seed(&first, "2")[0], "seeds split differently");

    // Nothing changed: everything resumed, runs.csv as it was.
    let before = std::fs::read(&runs).unwrap();
    let (stdout, stderr) = run_ok(&spec, &out, &data_flag);
    assert!(stdout.contains(": 0 run now, 8 from earlier runs"), "{stdout}");
    assert!(!stderr.contains("stale"), "{stderr}");
    assert_eq!(std::fs::read(&runs).unwrap(), before);

    // One byte of one value changed: every run on the file is redone.
    let position = original.find("\n0.").unwrap() + 3; // the first digit after "0." of a value
    let mut bytes = original.clone().into_bytes();
    bytes[position] = if bytes[position] == b'9' { b'8' } else { b'9' };
    std::fs::write(&file, &bytes).unwrap();
    let (stdout, stderr) = run_ok(&spec, &out, &data_flag);
    assert!(stdout.contains(": 8 run now (8 planned), 0 from earlier runs"), "{stdout}");
    assert!(stderr.contains("8 rows are stale") && stderr.contains("changed data"), "{stderr}");
    assert!(stderr.contains("runs.archive.csv"), "{stderr}");
    let second = by_run_id(&runs);
    assert_eq!(second.keys().collect::<Vec<_>>(), first.keys().collect::<Vec<_>>());
    for (id, row) in &second {
        assert_ne!(row["data_fingerprint"], first[id]["data_fingerprint"], "{id}");
        assert_eq!(row["stale"], "false");
    }
    // The old rows are in the archive, with why.
    let archived = read_table(&report.join("runs.archive.csv"));
    let reason = archived.0.iter().position(|c| c == "archive_reason").unwrap();
    let fingerprint = archived.0.iter().position(|c| c == "data_fingerprint").unwrap();
    assert_eq!(archived.1.len(), 8);
    for row in &archived.1 {
        assert_eq!(row[reason], "changed_data");
        assert!(first.values().any(|r| r["data_fingerprint"] == row[fingerprint]));
    }

    // A damaged file is noticed although every run is done: the run fails naming the place,
    // and leaves runs.csv and the archive as they were.
    let runs_before = std::fs::read(&runs).unwrap();
    let archive_before = std::fs::read(report.join("runs.archive.csv")).unwrap();
    let damaged = text(&bytes).replacen("\n0.", "\n0.x", 1);
    std::fs::write(&file, damaged).unwrap();
    let output = runner(&[
        "run",
        spec.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--no-plots",
        "--data-dir",
        data.to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    assert!(stderr.contains("d.csv line") && stderr.contains("column `x`"), "{stderr}");
    assert_eq!(std::fs::read(&runs).unwrap(), runs_before);
    assert_eq!(std::fs::read(report.join("runs.archive.csv")).unwrap(), archive_before);

    // The file repaired: its rows are valid again, nothing is run.
    std::fs::write(&file, &bytes).unwrap();
    let (stdout, _) = run_ok(&spec, &out, &data_flag);
    assert!(stdout.contains(": 0 run now, 8 from earlier runs"), "{stdout}");
}

/// Replaces the `code_version` cell of every row of `runs` with `code`.
fn set_code_version(runs: &Path, code: &str) {
    let (header, mut rows) = read_table(runs);
    let col = header.iter().position(|c| c == "code_version").unwrap();
    for row in &mut rows {
        row[col] = code.to_string();
    }
    write_table(runs, &header, &rows);
}

#[test]
fn rows_of_other_code_are_redone_or_kept_marked_with_reuse_stale() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(&dir.path().join("tiny.toml"), SYNTHETIC);
    let out = dir.path().join("out");
    let report = out.join("tiny");
    let runs = report.join("runs.csv");
    let (stdout, _) = run_ok(&spec, &out, &[]);
    assert!(stdout.contains("12 runs") && stdout.contains(": 12 run now"), "{stdout}");
    let original = results_only(&runs);
    let code = metadata_code_version(&report);
    let old = "0000000000000000";
    set_code_version(&runs, old);

    // --reuse-stale: kept, marked, nothing run.
    let (stdout, stderr) = run_ok(&spec, &out, &["--reuse-stale"]);
    assert!(stdout.contains(": 0 run now, 12 from earlier runs"), "{stdout}");
    assert!(stderr.contains("--reuse-stale") && stderr.contains("other code"), "{stderr}");
    for row in by_run_id(&runs).values() {
        assert_eq!((row["stale"].as_str(), row["code_version"].as_str()), ("true", old));
    }
    let summary = std::fs::read_to_string(report.join("summary.md")).unwrap();
    assert!(summary.contains("12 runs are stale"), "{summary}");
    assert!(!report.join("runs.archive.csv").exists(), "nothing left runs.csv");

    // Without the flag: every stale row redone, the same results, the old rows archived.
    let (stdout, stderr) = run_ok(&spec, &out, &[]);
    assert!(stdout.contains(": 12 run now (12 planned), 0 from earlier runs"), "{stdout}");
    assert!(stderr.contains("12 rows are stale") && stderr.contains("other code"), "{stderr}");
    assert!(stderr.contains(&code), "names this build's code version: {stderr}");
    for row in by_run_id(&runs).values() {
        assert_eq!((row["stale"].as_str(), row["code_version"].as_str()), ("false", code.as_str()));
    }
    assert_eq!(results_only(&runs), original);
    let archived = by_run_id(&report.join("runs.archive.csv"));
    assert_eq!(archived.len(), 12);
    assert!(archived
        .values()
        .all(|r| r["code_version"] == old && r["archive_reason"] == "stale_code"));
}

#[test]
fn a_runs_csv_from_before_the_provenance_columns_is_redone_not_refused() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(&dir.path().join("tiny.toml"), SYNTHETIC);
    let out = dir.path().join("out");
    let runs = out.join("tiny/runs.csv");
    run_ok(&spec, &out, &[]);
    let original = results_only(&runs);
    // The same file as an earlier version wrote it: without the last fourteen columns (the
    // grid's `hash_buckets`, the four click-log scores, the lambda search's three, the five of
    // provenance, then the RSS baseline).
    let (header, rows) = read_table(&runs);
    let keep = header.len() - 14;
    assert_eq!(header[keep], "hash_buckets");
    let rows: Vec<Vec<String>> = rows.into_iter().map(|r| r[..keep].to_vec()).collect();
    write_table(&runs, &header[..keep], &rows);
    let (stdout, stderr) = run_ok(&spec, &out, &[]);
    assert!(stdout.contains(": 12 run now (12 planned), 0 from earlier runs"), "{stdout}");
    assert!(stderr.contains("12 rows are stale") && stderr.contains("other code"), "{stderr}");
    assert_eq!(results_only(&runs), original);
    let archived = by_run_id(&out.join("tiny/runs.archive.csv"));
    assert!(archived.values().all(|r| r["code_version"].is_empty()));
    assert_eq!(archived.len(), 12);
}

#[test]
fn narrowing_then_widening_a_spec_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let wide = write(&dir.path().join("tiny.toml"), SYNTHETIC);
    let narrow = write(
        &dir.path().join("narrow.toml"),
        &SYNTHETIC.replace("k = [2, 3]", "k = [2]").replace("[1e-3, 1e-2, 1e-1]", "[1e-2]"),
    );
    let out = dir.path().join("out");
    let report = out.join("tiny");
    let runs = report.join("runs.csv");
    let archive = report.join("runs.archive.csv");
    run_ok(&wide, &out, &[]);
    let full = std::fs::read(&runs).unwrap();

    // Narrowed: the rows it no longer plans leave runs.csv for the archive.
    let (stdout, stderr) = run_ok(&narrow, &out, &[]);
    // FTRL at 1e-2 on k = 2 is resumed (an online run's id does not depend on the other
    // lambdas); the batch path over [1e-2] is a new unit.
    assert!(
        stdout.contains("2 runs")
            && stdout.contains(": 1 run now (1 planned), 1 from earlier runs"),
        "{stdout}"
    );
    assert!(stderr.contains("11 no longer planned by the spec"), "{stderr}");
    assert!(stderr.contains(&archive.display().to_string()), "{stderr}");
    let archived = by_run_id(&archive);
    assert_eq!(archived.len(), 11);
    assert!(archived.values().all(|r| r["archive_reason"] == "not_planned"));
    assert!(archived.values().all(|r| r["archived_unix"].parse::<u64>().unwrap() > 0));

    // Widened back: the archived rows come back (same run id, code and data), nothing runs,
    // and runs.csv is the same file byte for byte, timings included.
    let (stdout, stderr) = run_ok(&wide, &out, &[]);
    assert!(
        stdout.contains("12 runs") && stdout.contains(": 0 run now, 12 from earlier runs"),
        "{stdout}"
    );
    assert!(stderr.contains("restored 11 rows"), "{stderr}");
    assert_eq!(std::fs::read(&runs).unwrap(), full);
    // The narrow run's own batch row is the one that leaves now.
    assert_eq!(read_table(&archive).1.len(), 12);

    // --fresh reruns everything and archives every row it replaces.
    let (stdout, stderr) = run_ok(&wide, &out, &["--fresh"]);
    assert!(stdout.contains(": 12 run now (12 planned), 0 from earlier runs"), "{stdout}");
    assert!(stderr.contains("12 set aside by --fresh"), "{stderr}");
    let (header, rows) = read_table(&archive);
    let reason = header.iter().position(|c| c == "archive_reason").unwrap();
    assert_eq!(rows.iter().filter(|r| r[reason] == "fresh").count(), 12);
    assert_eq!(results_only(&runs), results_only_bytes(&full, dir.path()));
}

/// [`results_only`] of CSV bytes.
fn results_only_bytes(bytes: &[u8], scratch: &Path) -> BTreeMap<String, BTreeMap<String, String>> {
    let path = scratch.join("scratch.csv");
    std::fs::write(&path, bytes).unwrap();
    results_only(&path)
}

/// Environment variable telling [`child_writes_runs_csv_and_stops_halfway`] where to write.
const CHILD_DIR: &str = "RUNNER_TEST_KILLED_WRITE_DIR";
/// File the child creates once half of `runs.csv` is written.
const HALFWAY: &str = "child-halfway";

/// Not a test on its own (it returns at once without [`CHILD_DIR`]): the child process of
/// [`kill_9_while_runs_csv_is_written_keeps_the_previous_file`]. Writes `runs.csv` through the
/// runner's atomic write (as the sweep does), stops halfway through the bytes, says so, and
/// waits to be killed.
#[test]
fn child_writes_runs_csv_and_stops_halfway() {
    let Some(dir) = std::env::var_os(CHILD_DIR) else {
        return;
    };
    let dir = PathBuf::from(dir);
    let runs = dir.join("runs.csv");
    let mut bytes = std::fs::read(&runs).unwrap();
    bytes.extend_from_slice(&bytes.clone()); // a longer file than the one it replaces
    let _ = runner::report::atomic_write::write_atomic_with(&runs, |file| {
        file.write_all(&bytes[..bytes.len() / 2])?;
        file.sync_all()?;
        std::fs::write(dir.join(HALFWAY), b"")?;
        std::thread::sleep(Duration::from_secs(120));
        file.write_all(&bytes[bytes.len() / 2..])
    });
    panic!("the child should have been killed halfway");
}

#[cfg(unix)]
#[test]
fn kill_9_while_runs_csv_is_written_keeps_the_previous_file() {
    let dir = tempfile::tempdir().unwrap();
    let narrow =
        write(&dir.path().join("tiny.toml"), &SYNTHETIC.replace("[1e-3, 1e-2, 1e-1]", "[1e-2]"));
    let out = dir.path().join("out");
    let report = out.join("tiny");
    let runs = report.join("runs.csv");
    run_ok(&narrow, &out, &[]);
    let previous = std::fs::read(&runs).unwrap();

    // The child writes runs.csv and is killed (SIGKILL) halfway through.
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "provenance::child_writes_runs_csv_and_stops_halfway", "--nocapture"])
        .env(CHILD_DIR, &report)
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !report.join(HALFWAY).exists() {
        assert!(started.elapsed() < Duration::from_secs(60), "the child never got halfway");
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the child ended before halfway: {status}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    std::fs::remove_file(report.join(HALFWAY)).unwrap();
    let leftover = report.join(format!(".runs.csv.tmp.{}", child.id()));
    assert_eq!(std::fs::read(&leftover).unwrap().len(), previous.len(), "half of twice the file");
    assert_eq!(std::fs::read(&runs).unwrap(), previous, "runs.csv is the previous file, whole");

    // A rerun of a wider spec completes: the previous rows resumed, the others run, the partial
    // file removed.
    let wide = write(&dir.path().join("tiny.toml"), SYNTHETIC);
    let (stdout, stderr) = run_ok(&wide, &out, &[]);
    assert!(stdout.contains("12 runs"), "{stdout}");
    assert!(stdout.contains(": 10 run now (10 planned), 2 from earlier runs"), "{stdout}");
    if Path::new("/proc/self").exists() {
        assert!(stderr.contains("partial write") && !leftover.exists(), "{stderr}");
    }
    // The FTRL rows of the previous file are resumed as they were, but for `selected` (now
    // among three lambdas, and with it `grid_edge`); its batch paths over one lambda are not
    // planned any more: archived.
    let before = results_only_bytes(&previous, dir.path());
    let after = results_only(&runs);
    let kept: Vec<&String> = before.keys().filter(|id| after.contains_key(*id)).collect();
    assert_eq!(kept.len(), 2, "{kept:?}");
    for id in kept {
        let (mut a, mut b) = (after[id].clone(), before[id].clone());
        for changed in ["selected", "grid_edge"] {
            a.remove(changed);
            b.remove(changed);
        }
        assert_eq!(a, b, "{id}");
    }
    assert_eq!(read_table(&report.join("runs.archive.csv")).1.len(), 2);
}

/// Run ids are made from a hash of the spec as planned: every unit that every committed spec
/// plans must have its rows in that experiment's committed `runs.csv` (which may hold more: the
/// lambda search adds rows), so a change to the spec types that moved the hash input would
/// orphan committed results and fails here. A spec not yet run (no `results/<name>/` directory
/// at all) has no committed rows to orphan and is skipped; its first committed report is
/// checked from then on.
#[test]
fn every_committed_spec_plans_the_run_ids_of_its_committed_results() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut specs: Vec<PathBuf> = std::fs::read_dir(root.join("experiments"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .collect();
    specs.sort();
    assert!(specs.len() >= 10, "{specs:?}");
    let mut reports = 0;
    for path in specs {
        let loaded = runner::spec::load(&path).unwrap();
        let report = root.join("results").join(&loaded.spec.name);
        if !report.exists() {
            continue;
        }
        let runs = report.join("runs.csv");
        let (header, rows) = read_table(&runs);
        let column = header.iter().position(|h| h == "run_id").unwrap();
        let committed: std::collections::BTreeSet<&str> =
            rows.iter().map(|row| row[column].as_str()).collect();
        let plan = runner::plan::expand(&loaded.spec).unwrap();
        let mut checked = 0;
        for unit in &plan.units {
            // A data-computed path or a memory-capped run may end early: its first row is
            // always written.
            let id = unit.run_id(0);
            assert!(
                committed.contains(id.as_str()),
                "{}: {id} not in {}",
                path.display(),
                runs.display()
            );
            checked += 1;
        }
        assert!(checked > 0, "{}", path.display());
        reports += 1;
    }
    assert!(reports >= 10, "only {reports} specs have a committed report");
}
