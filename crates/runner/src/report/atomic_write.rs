//! Files written atomically: the bytes go to a temporary file in the same directory
//! (`.<name>.tmp.<pid>`), which is synced and then renamed over the target, so an interrupted
//! run (even `kill -9` in the middle of a write) never leaves a half-written report: the target
//! is either the previous file or the new one. What an interrupted write leaves is its temporary
//! file, which [`remove_leftovers`] deletes on the next run.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

/// The temporary sibling of `path` that this process writes.
fn temp_path(dir: &Path, file_name: &str) -> PathBuf {
    dir.join(format!(".{file_name}.tmp.{}", std::process::id()))
}

/// Writes `bytes` to `path` through a temporary sibling file and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_atomic_with(path, |file| file.write_all(bytes))
}

/// Writes `path` through a temporary sibling file and a rename, the content written by `write`
/// (which may write in pieces: until the rename, `path` keeps its previous content).
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create directory {}", dir.display()))?;
    let file_name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    let tmp = temp_path(dir, &file_name);
    let result = (|| -> std::io::Result<()> {
        let mut file = std::fs::File::create(&tmp)?;
        write(&mut file)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write {}", path.display()))
}

/// Deletes the temporary files that interrupted writes left in `dir` (`.<name>.tmp.<pid>` of a
/// process that is no longer running) and returns their paths. Only where `/proc` says which
/// processes run (Linux); elsewhere nothing is deleted.
pub fn remove_leftovers(dir: &Path) -> Vec<PathBuf> {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return Vec::new();
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let Some(pid) = name
            .strip_prefix('.')
            .and_then(|rest| rest.rsplit_once(".tmp."))
            .and_then(|(_, pid)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let running = pid == std::process::id() || proc.join(pid.to_string()).exists();
        if !running && entry.path().is_file() && std::fs::remove_file(entry.path()).is_ok() {
            removed.push(entry.path());
        }
    }
    removed.sort();
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn a_failed_write_keeps_the_previous_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        write_atomic(&path, b"one").unwrap();
        let err = write_atomic_with(&path, |file| {
            file.write_all(b"tw")?;
            Err(std::io::Error::other("interrupted"))
        });
        assert!(err.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn leftovers_of_dead_processes_are_removed_others_kept() {
        if !Path::new("/proc/self").exists() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        // No process has pid u32::MAX - 1 (above any pid_max).
        let dead = dir.path().join(format!(".runs.csv.tmp.{}", u32::MAX - 1));
        let mine = temp_path(dir.path(), "runs.csv");
        let other = dir.path().join(".notes.tmp.txt");
        for path in [&dead, &mine, &other] {
            std::fs::write(path, b"half").unwrap();
        }
        assert_eq!(remove_leftovers(dir.path()), vec![dead.clone()]);
        assert!(!dead.exists() && mine.exists() && other.exists());
    }
}
