//! Keeps `models/` to the models of the current report: after the last `runs.csv` of a run, a
//! model file (`models/<run id>.csv` or `.json`) whose run is no longer selected, budget-selected
//! or a refit (an earlier selection, a run since archived) moves to `models/superseded/`, where
//! nothing reads it, instead of lying beside the current ones. Nothing is deleted.

use std::collections::HashSet;
use std::path::Path;

use anyhow::Context;

use crate::record::RunRecord;

/// Where superseded model files go, inside `models/`.
pub const SUPERSEDED_DIR: &str = "superseded";

/// Moves the model files in `dir/models` that belong to no current model of `rows`; how many.
pub fn set_aside_superseded(dir: &Path, rows: &[RunRecord]) -> anyhow::Result<usize> {
    let models = dir.join("models");
    if !models.is_dir() {
        return Ok(0);
    }
    let current: HashSet<&str> = rows
        .iter()
        .filter(|r| r.selected || r.budget_selected || r.is_refit())
        .map(|r| r.run_id.as_str())
        .collect();
    let mut moved = 0;
    let entries = std::fs::read_dir(&models)
        .with_context(|| format!("cannot list {} (to set aside old models)", models.display()))?;
    for entry in entries {
        let path = entry.with_context(|| format!("cannot list {}", models.display()))?.path();
        let is_model = path.extension().is_some_and(|e| e == "csv" || e == "json");
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        if !path.is_file() || !is_model || stem.starts_with('.') || current.contains(stem) {
            continue;
        }
        let aside = models.join(SUPERSEDED_DIR);
        std::fs::create_dir_all(&aside)
            .with_context(|| format!("cannot create {}", aside.display()))?;
        let target = aside.join(path.file_name().unwrap_or_default());
        std::fs::rename(&path, &target)
            .with_context(|| format!("cannot move {} to {}", path.display(), target.display()))?;
        moved += 1;
    }
    Ok(moved)
}
