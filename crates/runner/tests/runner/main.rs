//! The `runner` crate's integration tests, as one test binary (linked once, not once per file):
//! the command line end to end, sharded runs and their merge, deployment scripts, your own data,
//! preflight, provenance and resume, streaming, the lambda search, the tidy checks over the
//! whole workspace's sources, and the check of the defects table (`docs/guide/robustness.md`).

// Test helpers (not only `#[test]` functions) unwrap: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

mod common;

mod cli;
mod click_logs;
mod deploy;
mod grid_memory;
mod integrity;
mod layers;
mod merge;
mod messages;
mod module_graph;
mod own_data;
mod preflight;
mod provenance;
mod real_streaming;
mod robustness;
mod search;
mod slurm;
mod streaming;
mod tidy;
mod writes;
