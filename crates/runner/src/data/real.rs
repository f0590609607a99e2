//! Builds a real data set (CSV files with a declared schema) for one seed: the seed drives the
//! split's shuffle, so seeds give different train/validation splits of the same file (unless
//! nothing is shuffled into splits, see `RealDataSpec::depends_on_seed`).

use std::path::Path;

use anyhow::Context;
use features::real;

use crate::data::dataset::{Dataset, Unavailable};
use crate::plan::DatasetKey;
use crate::spec::resolve::real_spec;

/// Loads `[data.real]` from `data_dir` with the split shuffled by `key.seed`; `Ok(Err(_))` when
/// the file is not there. A path that exists but cannot be read as data (a directory, a broken
/// gzip stream) is an error, not a missing file.
pub fn build(
    table: &toml::Table,
    key: DatasetKey,
    data_dir: &Path,
) -> anyhow::Result<Result<Dataset, Unavailable>> {
    let mut spec = real_spec(table)?;
    let path = data_dir.join(&spec.file);
    for (_, _, file) in spec.files() {
        let path = data_dir.join(file);
        if !is_present(&path) {
            return Ok(Err(Unavailable { file: path }));
        }
    }
    spec.split.seed = key.seed;
    let loaded = real::load(data_dir, &spec)
        .with_context(|| format!("loading {} (seed {})", path.display(), key.seed))?;
    let name = Path::new(&spec.file)
        .file_name()
        .map(|f| f.to_string_lossy().trim_end_matches(".gz").trim_end_matches(".csv").to_string())
        .unwrap_or_else(|| spec.file.clone());
    let mut dataset = Dataset::finish(
        name,
        key,
        loaded.space,
        [loaded.train, loaded.validation, loaded.test],
        Vec::new(),
    );
    dataset.pipeline = Some(loaded.pipeline);
    dataset.warnings = loaded.warnings;
    Ok(Ok(dataset))
}

/// Whether something is at `path` (a file, or a directory the loader will refuse by name); an
/// error finding out counts as present, so that loading reports it.
pub fn is_present(path: &Path) -> bool {
    path.try_exists().unwrap_or(true)
}
