//! One writer per report directory: a run (or a merge) holds an advisory lock on the report
//! directory itself until it ends, so a second process aimed at the same directory is refused
//! before it reads `runs.csv`, naming the holder's pid and command, instead of both writing and
//! the first one's rows being lost. The lock is `flock` on the directory (no lock file is left
//! in the report, so a committed tree stays unchanged); the kernel drops it when the holder exits,
//! even after `kill -9`. The holder is found in `/proc/locks` (Linux); elsewhere the refusal
//! says only that another process holds it.
//!
//! Uses nothing.

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::Context;

/// Held while a process writes a report directory; the lock is released when this is dropped.
#[derive(Debug)]
pub struct ReportLock {
    _dir: File,
    path: PathBuf,
}

impl ReportLock {
    /// The directory this lock holds.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Locks `dir` (created when missing) for this process, or says who holds it.
pub fn lock_report_dir(dir: &Path) -> anyhow::Result<ReportLock> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the report directory {}", dir.display()))?;
    let handle = File::open(dir).with_context(|| {
        format!("cannot open the report directory {} to lock it", dir.display())
    })?;
    match handle.try_lock() {
        Ok(()) => Ok(ReportLock { _dir: handle, path: dir.to_path_buf() }),
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "the report directory {} is in use by {}: two processes writing one report would lose \
             rows; wait for it to end, or give this run another --out",
            dir.display(),
            holder(dir).unwrap_or_else(|| "another runner process".to_string())
        ),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("cannot lock the report directory {}", dir.display()))
        }
    }
}

/// "process PID (COMMAND)" of the process holding the lock on `dir`, from `/proc/locks`.
#[cfg(unix)]
fn holder(dir: &Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let inode = std::fs::metadata(dir).ok()?.ino();
    let locks = std::fs::read_to_string("/proc/locks").ok()?;
    let pid = locks.lines().find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (pid, place) = (fields.get(4)?, fields.get(5)?);
        let lock_inode: u64 = place.rsplit(':').next()?.parse().ok()?;
        (fields.get(1) == Some(&"FLOCK") && lock_inode == inode).then(|| pid.to_string())
    })?;
    let command = std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|raw| {
            let words: Vec<String> = raw
                .split(|&b| b == 0)
                .filter(|w| !w.is_empty())
                .map(|w| String::from_utf8_lossy(w).into_owned())
                .collect();
            words.join(" ")
        })
        .unwrap_or_default();
    Some(format!("process {pid} (`{command}`)"))
}

#[cfg(not(unix))]
fn holder(_dir: &Path) -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_one_directory_is_refused_until_the_first_is_dropped() {
        let root = tempfile::tempdir().expect("temp dir");
        let dir = root.path().join("report");
        let first = lock_report_dir(&dir).expect("first lock");
        let error = lock_report_dir(&dir).expect_err("second lock refused").to_string();
        assert!(error.contains("is in use by"), "{error}");
        assert!(error.contains("--out"), "{error}");
        #[cfg(target_os = "linux")]
        assert!(error.contains(&format!("process {}", std::process::id())), "{error}");
        drop(first);
        let again = lock_report_dir(&dir).expect("free again");
        assert_eq!(again.path(), dir);
        assert_eq!(std::fs::read_dir(&dir).expect("read").count(), 0, "no lock file left");
    }
}
