//! Helpers shared by the runner's integration tests: running the binary and reading its output.

#![allow(dead_code)] // each test file uses its own subset

use std::process::{Command, Output};

/// Columns that legitimately differ between identical runs.
pub const TIMING_COLUMNS: &[&str] = &["peak_rss_bytes", "train_seconds", "examples_per_second"];

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
