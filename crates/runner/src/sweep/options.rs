//! The options of a run: what `runner run SPEC` (and `runner` alone) accept besides the spec,
//! declared with clap's derive so that the command line and the sweep share one type.

use std::path::PathBuf;

use clap::Args;

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
    /// Reads and encodes a streamed training split (`[data] stream = true`) on a second thread
    /// per online run while the run trains: the same examples in the same order, so the same
    /// model; only the time changes. Off by default: with `--threads` at the core count every
    /// core already trains.
    #[arg(long)]
    pub read_ahead: bool,
    /// Reruns everything: the rows of an existing runs.csv are moved to runs.archive.csv.
    #[arg(long)]
    pub fresh: bool,
    /// Keeps rows made by other code or from other data (another code_version or
    /// data_fingerprint) instead of redoing them, marked stale = true in runs.csv.
    #[arg(long, conflicts_with = "fresh")]
    pub reuse_stale: bool,
    /// Refuses the spec before anything runs when its memory estimate exceeds SIZE (e.g. 4GiB,
    /// 512MiB, 2G) [default: the memory available now, MemAvailable in /proc/meminfo].
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_memory: Option<u64>,
    /// Also report, per method, the best model within this size, searching lambda for it:
    /// `nonzero_weights=N` or `model_bytes=B` (overrides the spec's `[selection] budget`).
    #[arg(long, value_name = "KIND=N", value_parser = crate::spec::Budget::parse)]
    pub budget: Option<crate::spec::Budget>,
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

pub use crate::spec::parse_size;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_parsing() {
        assert_eq!(parse_size("4GiB"), Ok(4 << 30));
        assert_eq!(parse_size("1MiB"), Ok(1 << 20));
        assert_eq!(parse_size("512 mb"), Ok(512_000_000));
        assert_eq!(parse_size("1.5G"), Ok(3 << 29));
        assert_eq!(parse_size("1000"), Ok(1000));
        for bad in ["", "GiB", "4 parsecs", "0", "-1GiB", "1e99TiB"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn shard_parsing() {
        assert_eq!(parse_shard("1/3"), Ok(Shard { index: 1, count: 3 }));
        assert!(parse_shard("3/3").is_err());
        assert!(parse_shard("x").is_err());
    }
}
