//! The command line: `runner`, `runner run SPEC`, `runner list`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::paths;

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
    /// Lists the experiments, one line each.
    List,
    /// Prints the registered regularizers, online optimizers and batch solvers with their own
    /// spec keys (Markdown).
    Methods,
}

/// Options of a run.
#[derive(Debug, Args, Clone, Default)]
pub struct RunArgs {
    /// Parent of the report directory (the report goes to OUT/<experiment>/) [default: results/
    /// of the workspace].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Directory of real data files [default: $SPARSECROSS_DATA_DIR, else ../shared/data].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Worker threads running runs in parallel [default: all cores].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Shrinks the experiment (examples, k values, seeds, lambdas) so it runs in seconds; the
    /// report goes to OUT/<experiment>-quick/.
    #[arg(long)]
    pub quick: bool,
    /// Runs only the data sets of shard I of N (0-based, data sets dealt round-robin).
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,
    /// Exports the selected models as CSV (feature name, weight) under <report>/models/.
    #[arg(long)]
    pub export_models: bool,
    /// Skips drawing the plots (overrides the spec's `report.plots`).
    #[arg(long)]
    pub no_plots: bool,
    /// Ignores rows of an existing runs.csv and reruns everything.
    #[arg(long)]
    pub fresh: bool,
}

/// One shard of a sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 0-based index.
    pub index: usize,
    /// Number of shards.
    pub count: usize,
}

fn parse_shard(text: &str) -> Result<Shard, String> {
    let (i, n) = text.split_once('/').ok_or_else(|| format!("`{text}` is not I/N, e.g. 0/2"))?;
    let index: usize =
        i.trim().parse().map_err(|_| format!("shard index `{i}` is not a number"))?;
    let count: usize =
        n.trim().parse().map_err(|_| format!("shard count `{n}` is not a number"))?;
    if count == 0 || index >= count {
        return Err(format!("shard {index}/{count}: need 0 <= I < N"));
    }
    Ok(Shard { index, count })
}

/// Runs the command line.
pub fn main_with(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        None => run("k_sweep", &cli.run),
        Some(Command::Run { spec, args }) => run(&spec, &args),
        Some(Command::List) => list(),
        Some(Command::Methods) => {
            print!("{}", crate::methods::markdown());
            Ok(())
        }
    }
}

/// Runs the spec named or pointed to by `spec`.
fn run(spec: &str, args: &RunArgs) -> anyhow::Result<()> {
    let path = paths::resolve_spec(spec);
    if !path.is_file() {
        anyhow::bail!(
            "no experiment spec `{spec}`: not a file, nor a spec in {} (`runner list` shows them)",
            paths::experiments_dir().display()
        );
    }
    crate::sweep::run_spec(&path, args)
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
    fn shard_parsing() {
        assert_eq!(parse_shard("1/3"), Ok(Shard { index: 1, count: 3 }));
        assert!(parse_shard("3/3").is_err());
        assert!(parse_shard("x").is_err());
    }

    #[test]
    fn cli_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
