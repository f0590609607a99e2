//! Build script of the runner: fingerprints, at build time, the code that computes results, so
//! that every `runs.csv` row and `metadata.json` can say which code produced it.
//!
//! - `SPARSECROSS_CODE_VERSION`: FNV-1a 64 (16 hex digits) over the files of [`HASHED`] (paths
//!   relative to the workspace, sorted; each file's path, length and bytes, CRLF read as LF so
//!   a Windows checkout fingerprints like a Unix one). `unknown` when none of them is found.
//! - `SPARSECROSS_GIT_COMMIT`: `git rev-parse HEAD`, or `unknown` without git.
//! - `SPARSECROSS_GIT_DIRTY`: `true` when `git status --porcelain` lists a change under the
//!   paths of [`HASHED`] (the dirty flag is about the same code as the fingerprint), `false`
//!   when it lists none, `unknown` without git.
//!
//! Cargo reruns this script when a hashed path changes (`rerun-if-changed` on each; a directory
//! is scanned as a whole) and when the checked-out commit moves (the git `HEAD` file, the
//! branch's ref and `packed-refs`), so the values are never older than the build. Git missing or
//! failing never fails the build.

use std::path::{Path, PathBuf};
use std::process::Command;

/// What is fingerprinted, relative to the workspace root: the crates that compute results (their
/// sources and manifests; tests and benches are left out) and the locked dependency versions.
const HASHED: &[&str] = &[
    "Cargo.lock",
    "crates/features/Cargo.toml",
    "crates/features/src",
    "crates/optimizers/Cargo.toml",
    "crates/optimizers/src",
    "crates/regularizers/Cargo.toml",
    "crates/regularizers/src",
    "crates/runner/Cargo.toml",
    "crates/runner/build.rs",
    "crates/runner/src",
];

/// FNV-1a 64, as `runner::provenance::Fnv64` (the build script cannot use the crate it builds).
struct Fnv(u64);

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }
}

/// Every file under `path` (itself when it is a file), as (path relative to the root with `/`,
/// full path).
fn collect(path: &Path, relative: &str, out: &mut Vec<(String, PathBuf)>) {
    if path.is_file() {
        out.push((relative.to_string(), path.to_path_buf()));
        return;
    }
    let Ok(entries) = std::fs::read_dir(path) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        collect(&entry.path(), &format!("{relative}/{name}"), out);
    }
}

/// The bytes of a file with every CRLF read as LF.
fn normalized(path: &Path) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap_or_default();
    let mut out = Vec::with_capacity(bytes.len());
    for (i, &b) in bytes.iter().enumerate() {
        if !(b == b'\r' && bytes.get(i + 1) == Some(&b'\n')) {
            out.push(b);
        }
    }
    out
}

/// Runs git in `root`; `None` when git is missing or fails.
fn git(root: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        // Never write to the repository (status may otherwise refresh the index).
        .env("GIT_OPTIONAL_LOCKS", "0")
        .output()
        .ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Asks cargo to rerun this script when the git file `name` (`HEAD`, a ref, `packed-refs`)
/// changes. A missing file is not watched (cargo would rerun the script at every build), but
/// with `or_parent` its directory is, so that a branch ref written loose by the next commit
/// (after living in `packed-refs`) is seen.
fn watch_git_path(root: &Path, name: &str, or_parent: bool) {
    let Some(path) = git(root, &["rev-parse", "--git-path", name]) else {
        return;
    };
    let path = if Path::new(&path).is_absolute() { PathBuf::from(path) } else { root.join(path) };
    if path.is_file() {
        println!("cargo:rerun-if-changed={}", path.display());
    } else if let Some(parent) = path.parent().filter(|p| or_parent && p.is_dir()) {
        println!("cargo:rerun-if-changed={}", parent.display());
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let root = manifest.join("..").join("..");
    let mut files = Vec::new();
    for relative in HASHED {
        let path = root.join(relative);
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(&path, relative, &mut files);
        }
    }
    files.sort();
    let code_version = if files.is_empty() {
        "unknown".to_string()
    } else {
        let mut hash = Fnv(0xcbf2_9ce4_8422_2325);
        for (relative, path) in &files {
            let bytes = normalized(path);
            hash.write(relative.as_bytes());
            hash.write(&[0]);
            hash.write(&(bytes.len() as u64).to_le_bytes());
            hash.write(&bytes);
        }
        format!("{:016x}", hash.0)
    };

    let commit = git(&root, &["rev-parse", "HEAD"]).filter(|c| !c.is_empty());
    let dirty = commit.as_ref().and_then(|_| {
        let mut args = vec!["status", "--porcelain", "--"];
        args.extend_from_slice(HASHED);
        git(&root, &args).map(|s| s.lines().any(|l| !l.trim().is_empty()))
    });
    if commit.is_some() {
        watch_git_path(&root, "HEAD", false);
        watch_git_path(&root, "packed-refs", false);
        if let Some(branch) = git(&root, &["symbolic-ref", "-q", "HEAD"]) {
            watch_git_path(&root, &branch, true);
        }
    }
    println!("cargo:rustc-env=SPARSECROSS_CODE_VERSION={code_version}");
    println!("cargo:rustc-env=SPARSECROSS_GIT_COMMIT={}", commit.as_deref().unwrap_or("unknown"));
    println!(
        "cargo:rustc-env=SPARSECROSS_GIT_DIRTY={}",
        dirty.map_or("unknown", |d| if d { "true" } else { "false" })
    );
}
