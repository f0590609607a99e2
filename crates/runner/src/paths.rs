//! Where the experiments, the results and the data are.
//!
//! - Experiments directory: `experiments/` in the current directory or in its nearest ancestor
//!   that has one; failing that, the `experiments/` of the workspace this binary was built from
//!   (`CARGO_MANIFEST_DIR/../../experiments`), so `runner` works from any directory of a checkout.
//! - Results: `<out>/<experiment name>/`, with `<out>` from `--out`, else `results/` next to the
//!   experiments directory.
//! - Data: `--data-dir`, else the environment variable [`DATA_DIR_ENV`], else `data/` in the
//!   workspace root (never committed). A spec's relative `file` is looked up there, then beside
//!   the spec (`data::locate_data_dir`).

use std::path::{Path, PathBuf};

/// Environment variable naming the data directory.
pub const DATA_DIR_ENV: &str = "SPARSECROSS_DATA_DIR";

/// The experiments directory of the workspace this binary was compiled in.
fn built_in_experiments_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("..").join("experiments")
}

/// Finds the experiments directory (see the module doc for the search order).
pub fn experiments_dir() -> PathBuf {
    if let Ok(cwd) = std::env::current_dir() {
        for dir in cwd.ancestors() {
            let candidate = dir.join("experiments");
            if candidate.join("k_sweep.toml").is_file() {
                return candidate;
            }
        }
    }
    let built = built_in_experiments_dir();
    built.canonicalize().unwrap_or(built)
}

/// The workspace root: the parent of the experiments directory.
pub fn workspace_root() -> PathBuf {
    let experiments = experiments_dir();
    experiments.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."))
}

/// Default parent of the per-experiment result directories.
pub fn default_results_dir() -> PathBuf {
    workspace_root().join("results")
}

/// Resolves a spec argument: a path as given, else a name or file in the experiments directory
/// (`k_sweep` and `k_sweep.toml` both work).
pub fn resolve_spec(arg: &str) -> PathBuf {
    let given = PathBuf::from(arg);
    if given.is_file() {
        return given;
    }
    let dir = experiments_dir();
    for candidate in [dir.join(arg), dir.join(format!("{arg}.toml"))] {
        if candidate.is_file() {
            return candidate;
        }
    }
    given
}

/// The data directory (see the module doc for the order).
pub fn data_dir(flag: Option<&Path>) -> PathBuf {
    if let Some(dir) = flag {
        return dir.to_path_buf();
    }
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    workspace_root().join("data")
}

/// All spec files of the experiments directory, sorted by file name.
pub fn list_specs() -> std::io::Result<Vec<PathBuf>> {
    let mut specs: Vec<PathBuf> = std::fs::read_dir(experiments_dir())?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    specs.sort();
    Ok(specs)
}
