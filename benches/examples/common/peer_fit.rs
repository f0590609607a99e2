//! Pieces the peer examples share (`l2_peer_data`, `peer_data`), included by each with
//! `#[path]`: a spec's `[data.real]` rows loaded as the runner loads them, and the timed batch fit
//! at one lambda that both compare with liblinear or scikit-learn.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use features::real::{self, RealDataSpec, RealDataset};
use features::CompactMatrix;
use optimizers::batch::{fit_path, PathConfig, PathPoint};
use optimizers::LossKind;
use regularizers::Penalty;

/// The spec's `name` (when it has one) and its `[data.real]` table loaded from `data_dir`, the
/// split shuffled with `seed`.
pub fn load_real_spec(
    spec: &Path,
    data_dir: &Path,
    seed: u64,
) -> Result<(Option<String>, RealDataset)> {
    let text =
        std::fs::read_to_string(spec).with_context(|| format!("reading {}", spec.display()))?;
    let table: toml::Table =
        toml::from_str(&text).with_context(|| format!("parsing {}", spec.display()))?;
    let name = table.get("name").and_then(toml::Value::as_str).map(str::to_string);
    let data = table
        .get("data")
        .and_then(|d| d.get("real"))
        .cloned()
        .with_context(|| format!("{}: no [data.real] table", spec.display()))?;
    let mut real_spec: RealDataSpec =
        data.try_into().with_context(|| format!("{}: [data.real]", spec.display()))?;
    real_spec.split.seed = seed;
    let loaded = real::load(data_dir, &real_spec)
        .with_context(|| format!("loading {} from {}", real_spec.file, data_dir.display()))?;
    Ok((name, loaded))
}

/// The fastest of `repeats` (at least one) cold-start fits of `solver` at one lambda and
/// tolerance, with its point: input checks, the column-major copy and the solve are timed.
pub fn timed_fit(
    solver: &str,
    matrix: &CompactMatrix,
    penalty: &Penalty,
    lambda: f64,
    tol: f64,
    repeats: usize,
) -> Result<(PathPoint, f64)> {
    let config = PathConfig { lambdas: Some(vec![lambda]), tol, ..PathConfig::default() };
    let settings = toml::Table::new();
    let mut best: Option<(PathPoint, f64)> = None;
    for _ in 0..repeats.max(1) {
        let started = Instant::now();
        let mut path = fit_path(solver, matrix, LossKind::Logistic, penalty, &config, &settings)
            .with_context(|| format!("{solver} at lambda {lambda:e}, tol {tol:e}"))?;
        let seconds = started.elapsed().as_secs_f64();
        let point = path.remove(0);
        if best.as_ref().is_none_or(|(_, fastest)| seconds < *fastest) {
            best = Some((point, seconds));
        }
    }
    best.context("no fit ran")
}
