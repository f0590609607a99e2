//! The identity of a real data set's files, taken when the run starts and checked again while
//! it reads them: each file's size and modification time (cheap, checked at every pass of a
//! streamed split and after every load) and the FNV-1a hash of their bytes, the one the
//! `data_fingerprint` is made from (checked before a data set's rows are written). A file that
//! changed since the start gives an error naming it ("changed while the run read it"), so no
//! row is recorded under a fingerprint its examples do not come from.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::data::fingerprint;
use crate::provenance::Fnv64;

/// One file as it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileStat {
    path: PathBuf,
    size: u64,
    modified: Option<SystemTime>,
}

/// A real data set's files when the run started.
#[derive(Debug, Clone)]
pub struct DataIdentity {
    files: Vec<FileStat>,
    real: features::real::RealDataSpec,
    data_dir: PathBuf,
    /// The hasher after every file's bytes (the fingerprint's start).
    pub hash: Fnv64,
}

/// Size and modification time of `path`.
fn stat(path: &Path) -> std::io::Result<FileStat> {
    let meta = std::fs::metadata(path)?;
    Ok(FileStat { path: path.to_path_buf(), size: meta.len(), modified: meta.modified().ok() })
}

/// The error for a file that is not what it was at the start.
fn changed(path: &Path, what: &str) -> std::io::Error {
    std::io::Error::other(format!(
        "data file {} changed while the run read it ({what}); its runs are not recorded \
         under the fingerprint taken at the start: run again once the file is settled",
        path.display()
    ))
}

impl DataIdentity {
    /// Takes the identity of every file of `real` in `data_dir`: stat, hash, stat again (a file
    /// written to while it is hashed is refused). `None` when a file is missing.
    pub fn take(
        real: &features::real::RealDataSpec,
        data_dir: &Path,
    ) -> anyhow::Result<Option<Self>> {
        let paths: Vec<PathBuf> = real.files().iter().map(|(_, _, f)| data_dir.join(f)).collect();
        if paths.iter().any(|p| !p.is_file()) {
            return Ok(None);
        }
        let files = paths.iter().map(|p| stat(p)).collect::<std::io::Result<Vec<_>>>()?;
        let Some(hash) = fingerprint::hash_files(real, data_dir)? else { return Ok(None) };
        let identity = Self { files, real: real.clone(), data_dir: data_dir.to_path_buf(), hash };
        identity.check_stat()?;
        Ok(Some(identity))
    }

    /// Whether every file still has its size and modification time (the cheap check).
    pub fn check_stat(&self) -> std::io::Result<()> {
        for file in &self.files {
            let now = stat(&file.path).map_err(|e| changed(&file.path, &e.to_string()))?;
            if now.size != file.size {
                let what = format!("{} bytes at the start, {} now", file.size, now.size);
                return Err(changed(&file.path, &what));
            }
            if now.modified != file.modified {
                return Err(changed(&file.path, "its modification time moved"));
            }
        }
        Ok(())
    }

    /// [`Self::check_stat`], then the bytes hashed again against the start's hash.
    pub fn check_content(&self) -> anyhow::Result<()> {
        self.check_stat()?;
        if fingerprint::hash_files(&self.real, &self.data_dir)? != Some(self.hash) {
            let names: Vec<String> = self.paths().map(|p| p.display().to_string()).collect();
            let what = "same size and modification time, other bytes";
            return Err(changed(Path::new(&names.join(", ")), what).into());
        }
        Ok(())
    }

    /// The paths checked.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|f| f.path.as_path())
    }
}
