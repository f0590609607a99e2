//! Builds the data set of one (k, seed), synthetic ([`synthetic`]) or read from a file
//! ([`real`]), into a [`Dataset`] ([`dataset`]), its training split held or, with `[data]
//! stream`, read on every pass ([`train_stream`]); [`fingerprint`] says what decides a data set's
//! examples (the `data_fingerprint` column) without building it, and [`identity`] checks that a
//! real file is still the one fingerprinted while the run reads it; [`whole_file`] reads a file
//! the run uses only the first rows of through once, to check the rest.
//!
//! Data sets are built before the runs that use them start, so a run's heap peak never includes
//! them (see `execute::alloc_counter`).
//!
//! Depends on `spec`, `plan` and `provenance` only.

pub mod dataset;
pub mod fingerprint;
pub mod identity;
pub mod libsvm_set;
pub mod real;
pub mod synthetic;
pub mod train_stream;
pub mod whole_file;

use std::path::Path;

pub use self::dataset::Dataset;
pub use self::identity::DataIdentity;
use crate::plan::DatasetKey;
use crate::spec::ExperimentSpec;

/// Builds the data set `key` of `spec` (a real data file missing is an error naming it; one
/// that is not `identity`, the files as the run found them, is an error naming it too).
pub fn build(
    spec: &ExperimentSpec,
    key: DatasetKey,
    data_dir: &Path,
    identity: Option<&DataIdentity>,
) -> anyhow::Result<Dataset> {
    use crate::spec::hash_grid::{real_at, synthetic_at};
    if let (Some(table), Some(k)) = (&spec.data.synthetic, key.k) {
        return synthetic::build(spec, &*synthetic_at(table, key.buckets)?, k, key);
    }
    if let Some(table) = &spec.data.real {
        let table = real_at(table, key.buckets)?;
        return real::build(&table, spec.data.stream, key, data_dir, identity);
    }
    if let Some(libsvm) = &spec.data.libsvm {
        return libsvm_set::build(libsvm, spec.data.loss, key, data_dir);
    }
    anyhow::bail!("spec has no data source (not checked?)")
}

/// The directory `spec`'s real data files are read from (see [`real::locate`]: `data_dir`, else
/// the directory of the spec file at `spec_path`); `data_dir` itself for synthetic data.
pub fn locate_data_dir(
    spec: &ExperimentSpec,
    data_dir: &Path,
    spec_path: &Path,
) -> anyhow::Result<std::path::PathBuf> {
    let spec_dir =
        spec_path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let located = match (&spec.data.real, &spec.data.libsvm) {
        (Some(table), _) => real::locate(table, data_dir, spec_dir),
        (None, Some(libsvm)) => libsvm_set::locate(libsvm, data_dir, spec_dir),
        (None, None) => return Ok(data_dir.to_path_buf()),
    };
    located.map_err(|e| anyhow::anyhow!("experiment `{}`: {e}", spec.name))
}

/// Before a sweep reads `spec`'s real data files: each read through when only its first rows are
/// used ([`whole_file::check`]), then their identity taken ([`DataIdentity::take`]); `None` for
/// synthetic data.
pub fn check_files(spec: &ExperimentSpec, data_dir: &Path) -> anyhow::Result<Option<DataIdentity>> {
    let Some(table) = &spec.data.real else { return Ok(None) };
    let real = crate::spec::resolve::real_spec(table)?;
    whole_file::check(&real, data_dir)?;
    DataIdentity::take(&real, data_dir)
}
