//! Builds a real data set (CSV files with a declared schema) for one seed: the seed drives the
//! split's shuffle, so seeds give different train/validation splits of the same file (unless
//! nothing is shuffled into splits, see `RealDataSpec::depends_on_seed`). With `[data] stream`
//! (a split in file order, checked with the spec) the training rows stay in the file and are
//! read on every pass. Every load is followed by the cheap identity check (size and
//! modification time against those the run started with, [`DataIdentity`]), and a streamed
//! split carries the identity to check it at every pass: a seed never reads a file other than the
//! one its fingerprint was taken from.

use std::path::Path;

use anyhow::Context;
use features::real;

use crate::data::dataset::Dataset;
use crate::data::identity::DataIdentity;
use crate::data::train_stream::TrainStream;
use crate::plan::DatasetKey;
use crate::spec::resolve::real_spec;

/// Loads `[data.real]` from `data_dir` with the split shuffled by `key.seed` (the training split
/// streamed when `stream`); an error when the file is not there, or no longer `identity`. A
/// path that exists but cannot be read as data (a directory, a broken gzip stream) is an error,
/// not a missing file.
pub fn build(
    table: &toml::Table,
    stream: bool,
    key: DatasetKey,
    data_dir: &Path,
    identity: Option<&DataIdentity>,
) -> anyhow::Result<Dataset> {
    let mut spec = real_spec(table)?;
    let path = data_dir.join(&spec.file);
    for (_, _, file) in spec.files() {
        let path = data_dir.join(file);
        if !is_present(&path) {
            // `locate` found every file before the sweep started: this one went away since.
            anyhow::bail!(
                "data file {} was there when the run started and is gone now",
                path.display()
            );
        }
    }
    spec.split.seed = key.seed;
    let context = || format!("loading {} (seed {})", path.display(), key.seed);
    let name = Path::new(&spec.file)
        .file_name()
        .map(|f| f.to_string_lossy().trim_end_matches(".gz").trim_end_matches(".csv").to_string())
        .unwrap_or_else(|| spec.file.clone());
    let dataset = if stream {
        let loaded = real::load_streamed(data_dir, &spec).with_context(context)?;
        let (space, splits) = (loaded.space, [loaded.validation, loaded.test]);
        let stream = TrainStream::Real(Box::new(loaded.train), identity.cloned().map(Box::new));
        let mut dataset = Dataset::streamed(name, key, space, stream, splits, Vec::new())
            .with_context(context)?;
        (dataset.pipeline, dataset.warnings) = (Some(loaded.pipeline), loaded.warnings);
        dataset.hash_stats = loaded.hash_stats;
        dataset
    } else {
        let loaded = real::load(data_dir, &spec).with_context(context)?;
        let splits = [loaded.train, loaded.validation, loaded.test];
        let mut dataset = Dataset::finish(name, key, loaded.space, splits, Vec::new());
        (dataset.pipeline, dataset.warnings) = (Some(loaded.pipeline), loaded.warnings);
        dataset.hash_stats = loaded.hash_stats;
        dataset
    };
    if let Some(identity) = identity {
        identity.check_stat().with_context(context)?;
    }
    Ok(dataset)
}

/// Whether something is at `path` (a file, or a directory the loader will refuse by name); an
/// error finding out counts as present, so that loading reports it.
pub fn is_present(path: &Path) -> bool {
    path.try_exists().unwrap_or(true)
}

/// The directory `[data.real]`'s files are read from: `data_dir` (`--data-dir`, the
/// environment variable or the default) when it holds every one of them, else the spec's own
/// directory, so a spec kept beside its data needs no flag. A file missing from both is an error
/// naming every path tried and how to give the directory; nothing is skipped silently.
pub fn locate(
    table: &toml::Table,
    data_dir: &Path,
    spec_dir: &Path,
) -> anyhow::Result<std::path::PathBuf> {
    let spec = real_spec(table)?;
    let files: Vec<&str> = spec.files().into_iter().map(|(_, _, f)| f).collect();
    let mut tried = Vec::new();
    for dir in [data_dir, spec_dir] {
        let missing: Vec<_> =
            files.iter().map(|f| dir.join(f)).filter(|p| !is_present(p)).collect();
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
