//! Builds a real data set (a CSV file with a declared schema) for one seed: the seed drives the
//! split's shuffle, so seeds give different train/validation splits of the same file.

use std::path::Path;

use anyhow::Context;
use features::real;

use crate::data::dataset::{Dataset, Unavailable};
use crate::plan::DatasetKey;
use crate::spec::resolve::real_spec;

/// Loads `[data.real]` from `data_dir` with the split shuffled by `key.seed`; `Ok(Err(_))` when
/// the file is not there.
pub fn build(
    table: &toml::Table,
    key: DatasetKey,
    data_dir: &Path,
) -> anyhow::Result<Result<Dataset, Unavailable>> {
    let mut spec = real_spec(table)?;
    let path = data_dir.join(&spec.file);
    if !path.is_file() {
        return Ok(Err(Unavailable { file: path }));
    }
    spec.split.seed = key.seed;
    let loaded = real::load(data_dir, &spec)
        .with_context(|| format!("loading {} (seed {})", path.display(), key.seed))?;
    let name = Path::new(&spec.file)
        .file_name()
        .map(|f| f.to_string_lossy().trim_end_matches(".gz").trim_end_matches(".csv").to_string())
        .unwrap_or_else(|| spec.file.clone());
    Ok(Ok(Dataset::finish(
        name,
        key,
        loaded.space,
        [loaded.train, loaded.validation, loaded.test],
        Vec::new(),
    )))
}
