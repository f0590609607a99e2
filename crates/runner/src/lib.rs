//! `runner`: runs experiment specs (the k^k sweep by default) and writes `runs.csv`,
//! `summary.md`, plots and `metadata.json` to `results/<experiment>/`.
//!
//! The library holds everything; the `runner` binary installs the counting allocator and calls
//! [`cli::main`]. Modules form layers, listed from the bottom up; a module uses only modules
//! listed before it (`tests/runner/module_graph.rs` checks that no module imports another in a circle):
//!
//! - [`messages`]: "did you mean" hints, quoted values cut to a readable length, and the
//!   usage error of a bad command-line value (exit code 2). Uses nothing.
//! - [`paths`]: where the experiments, the results and the data are. Uses nothing.
//! - [`record`]: one row of `runs.csv`, and reading and writing the file. Uses nothing.
//! - [`provenance`]: the fingerprint and git state of the code this binary was built from
//!   (computed by `build.rs`), and the FNV-1a hasher of every fingerprint. Uses nothing.
//! - [`spec`]: parses and checks an experiment spec once, including its `[[compare]]` tables and
//!   the parts the libraries define (data tables; optimizer and regularizer settings go to the
//!   libraries' registries). Uses `messages`.
//! - [`plan`]: expands a spec into data sets (k, seed) and work units, with their run ids. Uses
//!   `spec`, `provenance`.
//! - [`data`]: builds the data set of one (k, seed), synthetic or from a file, and fingerprints
//!   data sets, and finds the directory of a spec's data files. Uses `spec`, `plan`,
//!   `provenance`, `paths`.
//! - [`execute`]: trains one unit (online or batch) into rows, measuring heap (the counting
//!   allocator) and time. Uses `spec`, `plan`, `data`, `record`, `provenance`.
//! - [`report`]: `summary.md`, plots, `metadata.json`, published-vs-ours tables, model exports,
//!   atomic writes. Uses `spec`, `record`, `paths`, `provenance`, `execute` (machine and
//!   allocator facts).
//! - [`sweep`]: runs a spec: checks before any compute (memory estimate, output directory), units
//!   in parallel, resume (rows matched by run id, code and data fingerprints; the others
//!   archived), lambda selection, then the report; runs that ended in `error` are retried by a
//!   rerun and make the process fail after the report; `sweep::merge` combines shard
//!   directories from several machines into the unsharded report. Uses every module above.
//! - [`methods`]: the registered methods and their keys as Markdown. Uses nothing.
//! - [`output_guard`]: refuses an output path that is an input or another output. Uses nothing.
//! - [`predict`]: `runner predict`, a saved model applied to a CSV file. Uses `report`,
//!   `output_guard`.
//! - [`split_file`]: `runner split`, one CSV cut into a training and a test file (optionally
//!   with a derived text label). Uses `provenance`, `report` (atomic writes), `output_guard`,
//!   `messages`.
//! - [`cli`]: the command line. Uses `sweep`, `spec`, `paths`, `methods`, `predict`,
//!   `split_file`, `messages`.

pub mod cli;
pub mod data;
pub mod execute;
pub mod messages;
pub mod methods;
pub mod output_guard;
pub mod paths;
pub mod plan;
pub mod predict;
pub mod provenance;
pub mod record;
pub mod report;
pub mod spec;
pub mod split_file;
pub mod sweep;
