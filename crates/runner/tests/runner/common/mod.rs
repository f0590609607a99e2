//! Helpers shared by the runner's integration tests: running the binary and reading its output.

#![allow(dead_code)] // each test file uses its own subset

use std::process::{Command, Output};

/// Columns that legitimately differ between identical runs.
pub const TIMING_COLUMNS: &[&str] =
    &["peak_rss_bytes", "rss_before_bytes", "train_seconds", "examples_per_second"];

/// Runs the `runner` binary with `args`, without the data-directory variable of the caller.
pub fn runner(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_runner"))
        .args(args)
        .env_remove("SPARSECROSS_DATA_DIR")
        .output()
        .expect("the runner binary starts")
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

/// One `runs.csv` row, column name to text.
pub type Row = std::collections::BTreeMap<String, String>;

/// The rows of a `runs.csv` file.
pub fn read_runs(path: &std::path::Path) -> Vec<Row> {
    let mut reader = csv::Reader::from_path(path).expect("runs.csv opens");
    let header: Vec<String> =
        reader.headers().expect("runs.csv has a header").iter().map(str::to_string).collect();
    reader
        .records()
        .map(|r| header.iter().cloned().zip(r.expect("a row").iter().map(str::to_string)).collect())
        .collect()
}

/// A row without the columns a streamed run may change against a held one: timings, memory
/// measured from the process or the allocator, and the distinct-feature count (estimated when
/// the training split is streamed), and the training split's own scores (not taken when it is
/// streamed: they would cost a pass).
pub fn comparable_when_streamed(row: &Row) -> Row {
    let skip =
        ["train_state_bytes", "peak_heap_bytes", "features_touched", "train_log_loss", "train_nll"];
    row.iter()
        .filter(|(k, _)| !TIMING_COLUMNS.contains(&k.as_str()) && !skip.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The workspace's root directory (two levels above this crate).
pub fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The workspace members' directories, as the root `Cargo.toml` lists them.
pub fn member_dirs() -> Vec<std::path::PathBuf> {
    let root = workspace_root();
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("Cargo.toml reads");
    let table: toml::Table = toml::from_str(&manifest).expect("Cargo.toml parses");
    let members = table["workspace"]["members"].as_array().expect("workspace.members");
    members.iter().map(|m| root.join(m.as_str().expect("a member path"))).collect()
}
