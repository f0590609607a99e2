//! The command line: `runner`, `runner run SPEC`, `runner merge SPEC SHARD_DIR...`, `runner
//! list`, `runner methods`, `runner predict MODEL DATA`, `runner split`, `runner beside LEFT
//! RIGHT`; [`main`] is the binary's entry point.
//!
//! The top layer: depends on `sweep` (which runs a spec and merges shards), `spec` (for `list`), `predict`,
//! `split_file`, `report` (for `beside`), `messages` and `paths`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::messages::{shorten_quoted, usage_error, UsageError};
use crate::paths;
use crate::sweep::failures::{RunsFailed, EXIT_RUNS_FAILED};
use crate::sweep::{self, RunArgs};

/// Runs sparsecross experiments: L0, L1 and L2 regularization on crossed sparse features.
///
/// With no command, runs the default experiment `experiments/k_sweep.toml` and writes its report
/// to `results/k_sweep/`.
#[derive(Debug, Parser)]
#[command(name = "runner", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to do (default: run `k_sweep`).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of the default run.
    #[command(flatten)]
    pub run: RunArgs,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Runs one experiment spec and writes its report.
    Run {
        /// The spec: a path, or a name in the experiments directory (`k_sweep`).
        spec: String,
        /// Options of the run.
        #[command(flatten)]
        args: RunArgs,
    },
    /// Combines the shard directories of one sweep (`run SPEC --shard I/N`, e.g. run on
    /// several machines and copied back) into the report of the unsharded run, training
    /// nothing. Refuses shards of other code, data, spec or N, and missing shards.
    Merge {
        /// The spec the shards ran: a path, or a name in the experiments directory.
        spec: String,
        /// The shard directories (`<name>-shard-I-of-N`), one per index 0..N.
        #[arg(required = true, value_name = "SHARD_DIR")]
        shard_dirs: Vec<PathBuf>,
        /// Options of the report (as the shards were run: `--quick`, `--budget`; `--shard`,
        /// `--fresh` and `--reuse-stale` are refused).
        #[command(flatten)]
        args: RunArgs,
    },
    /// Lists the experiments, one line each.
    List,
    /// Applies a saved model (`models/<run id>.json`, written with --export-models on real
    /// data) to a CSV file: one prediction per row, and the metrics when the file has labels.
    Predict {
        /// The saved model file.
        model: std::path::PathBuf,
        /// The CSV (or .csv.gz) file, with the model's schema (the label column is optional).
        data: std::path::PathBuf,
        /// Write the predictions here (CSV) instead of to stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<std::path::PathBuf>,
    },
    /// Cuts one CSV file into a training and a test file (header copied to both, test rows
    /// picked by a seeded hash of the row index), optionally appending a derived text label.
    Split {
        /// The CSV file to cut.
        input: std::path::PathBuf,
        /// Share of the rows written to the test file.
        #[arg(long, value_name = "F")]
        test_fraction: f64,
        /// Seed of the choice of test rows.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The training file to write.
        #[arg(long, value_name = "FILE")]
        train_out: std::path::PathBuf,
        /// The test file to write.
        #[arg(long, value_name = "FILE")]
        test_out: std::path::PathBuf,
        /// Append a text label column: `NAME=COLUMN OP NUMBER`, e.g.
        /// `price=median_house_value > 265000`.
        #[arg(long, value_name = "RULE")]
        derive_label: Option<String>,
        /// The derived label's texts where the comparison holds and where it does not.
        #[arg(long, value_name = "POS,NEG", default_value = "yes,no")]
        label_texts: String,
    },
    /// Prints the registered regularizers, online optimizers and batch solvers with their own
    /// spec keys (Markdown).
    Methods,
    /// Draws the charts two reports share side by side on shared axes, e.g.
    /// `runner beside results/k_sweep results/k_sweep_long_tail`.
    Beside {
        /// The report directory drawn on the left (it holds `runs.csv`).
        left: PathBuf,
        /// The report directory drawn on the right.
        right: PathBuf,
        /// Where the images go (default: `RIGHT/plots/beside`).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Parses the process's command line and runs it; an error is printed to stderr with its
/// context chain and gives a failing exit code.
/// Exit codes: 0 when everything ran; 1 on an error that stopped the command (a spec error, a
/// refused spec, an unreadable file); 2 on a bad command-line value (clap's errors, and the
/// [`UsageError`]s of values checked after parsing: an unknown experiment, an out-of-range
/// `--test-fraction`, ...); 3 ([`EXIT_RUNS_FAILED`]) when the sweep and its report were written
/// but some runs ended in `error`.
pub fn main() -> ExitCode {
    match main_with(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // `{:#}` prints the context chain on one line, without a backtrace; a quoted value
            // (a field of a data file, say) is cut to a readable length.
            eprintln!("error: {}", shorten_quoted(&format!("{e:#}")));
            if e.downcast_ref::<RunsFailed>().is_some() {
                ExitCode::from(EXIT_RUNS_FAILED)
            } else if e.chain().any(|c| c.downcast_ref::<UsageError>().is_some()) {
                ExitCode::from(EXIT_USAGE)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// The exit code of a bad command-line value (clap's own).
pub const EXIT_USAGE: u8 = 2;

/// Runs the command line.
pub fn main_with(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        None => run("k_sweep", &cli.run),
        Some(Command::Run { spec, args }) => run(&spec, &args),
        Some(Command::Merge { spec, shard_dirs, args }) => {
            sweep::merge::merge(&spec_path(&spec)?, &shard_dirs, &args)
        }
        Some(Command::List) => list(),
        Some(Command::Split {
            input,
            test_fraction,
            seed,
            train_out,
            test_out,
            derive_label,
            label_texts,
        }) => {
            let Some((pos, neg)) = label_texts.split_once(',') else {
                return Err(usage_error(format!(
                    "--label-texts `{label_texts}`: expected POS,NEG, e.g. yes,no"
                )));
            };
            crate::split_file::run(&crate::split_file::SplitRequest {
                input,
                test_fraction,
                seed,
                train_out,
                test_out,
                derive_label,
                label_texts: (pos.trim().to_string(), neg.trim().to_string()),
            })
        }
        Some(Command::Predict { model, data, out }) => {
            crate::predict::run(&crate::predict::PredictRequest { model, data, out })
        }
        Some(Command::Methods) => {
            print!("{}", crate::methods::markdown());
            Ok(())
        }
        Some(Command::Beside { left, right, out }) => {
            let out = out.unwrap_or_else(|| right.join("plots").join("beside"));
            let written = crate::report::beside::write_beside(&left, &right, &out)?;
            println!("wrote {} files to {}", written.len(), out.display());
            Ok(())
        }
    }
}

/// Runs the spec named or pointed to by `spec`.
fn run(spec: &str, args: &RunArgs) -> anyhow::Result<()> {
    sweep::run_spec(&spec_path(spec)?, args)
}

/// The file of the spec named or pointed to by `spec`.
fn spec_path(spec: &str) -> anyhow::Result<PathBuf> {
    let path = paths::resolve_spec(spec);
    if !path.is_file() {
        let names: Vec<String> = paths::list_specs()
            .unwrap_or_default()
            .iter()
            .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().to_string()))
            .collect();
        let hint = features::did_you_mean::hint(spec, names.iter().map(String::as_str));
        return Err(usage_error(format!(
            "no experiment spec `{spec}`: not a file, nor a spec in {} (`runner list` shows \
             them){hint}",
            paths::experiments_dir().display()
        )));
    }
    Ok(path)
}

/// Prints one line per experiment: name, file, description.
fn list() -> anyhow::Result<()> {
    let dir = paths::experiments_dir();
    let specs = paths::list_specs()
        .map_err(|e| anyhow::anyhow!("cannot list experiments in {}: {e}", dir.display()))?;
    if specs.is_empty() {
        println!("no experiment specs in {}", dir.display());
    }
    for path in specs {
        let file = path.file_name().map(|f| f.to_string_lossy().to_string()).unwrap_or_default();
        match crate::spec::load(&path) {
            Ok(loaded) => {
                println!("{:<24} {:<32} {}", loaded.spec.name, file, loaded.spec.description)
            }
            Err(e) => println!("{:<24} {:<32} INVALID: {e}", "?", file),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
