//! Files written atomically: the bytes go to a temporary file in the same directory
//! (`.<name>.tmp.<pid>`), which is synced and then renamed over the target, so an interrupted
//! run (even `kill -9` in the middle of a write) never leaves a half-written report: the target
//! is either the previous file or the new one. What an interrupted write leaves is its temporary
//! file, which [`remove_leftovers`] deletes on the next run (with the `.write-probe-<pid>` files
//! of an interrupted check that a directory is writable). A file drawn by a library that writes
//! to a path itself (a PNG plot) goes through [`write_atomic_to_path`], its temporary file keeping
//! the extension (`.<stem>.tmp.<pid>.png`). A target that is a symbolic link is written through:
//! the link stays, the file it points to gets the new content.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

/// The temporary sibling of `path` that this process writes.
fn temp_path(dir: &Path, file_name: &str) -> PathBuf {
    dir.join(format!(".{file_name}.tmp.{}", std::process::id()))
}

/// `path` with every symbolic link it is followed to its end (a relative link read from the
/// link's directory); `path` itself when it is no link (or the links loop).
fn through_links(path: &Path) -> PathBuf {
    let mut at = path.to_path_buf();
    for _ in 0..40 {
        let is_link = std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink());
        let Some(link) = is_link.then(|| std::fs::read_link(&at).ok()).flatten() else {
            return at;
        };
        at = match at.parent() {
            Some(dir) if link.is_relative() => dir.join(link),
            _ => link,
        };
    }
    path.to_path_buf()
}

/// The directory and the temporary sibling (named by `temp_name` from the file name) of the file
/// `path` names, links followed; the directory is created.
fn prepare(
    path: &Path,
    temp_name: impl FnOnce(&str) -> String,
) -> anyhow::Result<(PathBuf, PathBuf)> {
    let path = through_links(path);
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create directory {}", dir.display()))?;
    let file_name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    let tmp = dir.join(temp_name(&file_name));
    Ok((path.clone(), tmp))
}

/// Writes `path` through a temporary sibling that `draw` writes to by path (as a plotting
/// library does, choosing the format by the extension, which the temporary name keeps), synced
/// and renamed over `path`; the temporary file is removed when drawing fails.
pub fn write_atomic_to_path(
    path: &Path,
    draw: impl FnOnce(&Path) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let (target, tmp) = prepare(path, |name| {
        let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
        format!(".{stem}.tmp.{}.{ext}", std::process::id())
    })?;
    let result = draw(&tmp).and_then(|()| {
        std::fs::File::open(&tmp)?.sync_all()?;
        std::fs::rename(&tmp, &target)?;
        Ok(())
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write {}", path.display()))
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
    let (target, tmp) =
        prepare(path, |name| temp_path(Path::new(""), name).to_string_lossy().to_string())?;
    let result = (|| -> std::io::Result<()> {
        let mut file = std::fs::File::create(&tmp)?;
        write(&mut file)?;
        file.sync_all()?;
        std::fs::rename(&tmp, &target)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write {}", path.display()))
}

/// The pid in the name of a file an interrupted write or probe leaves: `.<name>.tmp.<pid>`,
/// `.<stem>.tmp.<pid>.<ext>` or `.write-probe-<pid>`.
fn leftover_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?;
    if let Some(pid) = rest.strip_prefix("write-probe-") {
        return pid.parse().ok();
    }
    let (_, after) = rest.rsplit_once(".tmp.")?;
    let pid =
        after.split_once('.').map_or(after, |(pid, ext)| if ext.contains('.') { "" } else { pid });
    pid.parse().ok()
}

/// Deletes the files that interrupted writes left in `dir` ([`leftover_pid`]'s names, of a
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
        let Some(pid) = leftover_pid(&name) else { continue };
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

    #[test]
    fn a_file_drawn_by_path_is_renamed_into_place_and_a_failed_drawing_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("chart.png");
        write_atomic_to_path(&path, |tmp| {
            assert!(tmp.to_string_lossy().ends_with(".png"), "the extension is kept");
            Ok(std::fs::write(tmp, b"png")?)
        })
        .unwrap();
        let err = write_atomic_to_path(&path, |tmp| {
            std::fs::write(tmp, b"half")?;
            anyhow::bail!("the drawing failed")
        });
        assert!(err.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"png");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_target_is_written_through() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("store")).unwrap();
        std::fs::write(dir.path().join("store/runs.csv"), b"old").unwrap();
        let link = dir.path().join("runs.csv");
        std::os::unix::fs::symlink("store/runs.csv", &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read(dir.path().join("store/runs.csv")).unwrap(), b"new");
    }

    #[test]
    fn leftover_names_are_those_writes_and_probes_leave() {
        assert_eq!(leftover_pid(".runs.csv.tmp.12"), Some(12));
        assert_eq!(leftover_pid(".memory_vs_k.tmp.12.png"), Some(12));
        assert_eq!(leftover_pid(".write-probe-12"), Some(12));
        assert_eq!(leftover_pid("runs.csv.tmp.12"), None);
        assert_eq!(leftover_pid(".a.tmp.12.png.bak"), None);
        assert_eq!(leftover_pid(".notes.tmp.txt"), None);
    }
}
