//! Builds the data set of a `[data.libsvm]` source for one seed (`features::libsvm_data`), and
//! finds the directory its files are in (as a real CSV's: the data directory, then beside the
//! spec; a missing file is an error naming every path tried).

use std::path::{Path, PathBuf};

use anyhow::Context;
use optimizers::LossKind;

use crate::data::dataset::Dataset;
use crate::plan::DatasetKey;
use crate::spec::libsvm::LibsvmSpec;

/// Reads and splits the source for `key.seed` (labels 0/1 for the logistic loss).
pub fn build(
    spec: &LibsvmSpec,
    loss: LossKind,
    key: DatasetKey,
    data_dir: &Path,
) -> anyhow::Result<Dataset> {
    let source = spec.source(data_dir, key.seed, loss == LossKind::Logistic);
    let loaded = features::libsvm_data::load(&source)
        .with_context(|| format!("loading {} (seed {})", source.file.display(), key.seed))?;
    let name = Path::new(&spec.file)
        .file_name()
        .map_or_else(|| spec.file.clone(), |f| f.to_string_lossy().to_string());
    Ok(Dataset::finish(name, key, loaded.space, loaded.splits, Vec::new()))
}

/// The directory holding every file of `spec`: `data_dir`, else `spec_dir`.
pub fn locate(spec: &LibsvmSpec, data_dir: &Path, spec_dir: &Path) -> anyhow::Result<PathBuf> {
    let mut tried = Vec::new();
    for dir in [data_dir, spec_dir] {
        let missing: Vec<PathBuf> = spec
            .files()
            .iter()
            .map(|f| dir.join(f))
            .filter(|p| !super::real::is_present(p))
            .collect();
        if missing.is_empty() {
            return Ok(dir.to_path_buf());
        }
        tried.extend(missing);
    }
    anyhow::bail!(
        "data file not found; tried {}. A relative `file` is looked up in the data directory \
         (--data-dir, else {}, else data/ in the workspace), then beside the spec; \
         docs/guide/data_sources.md says where each file comes from",
        tried.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "),
        crate::paths::DATA_DIR_ENV
    )
}
