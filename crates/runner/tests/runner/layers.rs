//! The invariants ARCHITECTURE.md states about the crates, checked on the sources: which project
//! crates each crate may depend on, that the learning crates do no IO and print nothing, and
//! that the one `unsafe` in the workspace is the counting allocator.

use std::path::{Path, PathBuf};

use crate::module_graph::rs_files;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The project crates `manifest` names as dependencies (any section).
fn project_dependencies(manifest: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(manifest).unwrap();
    let table: toml::Table = text.parse().unwrap();
    let mut found = Vec::new();
    for section in ["dependencies", "dev-dependencies", "build-dependencies"] {
        if let Some(deps) = table.get(section).and_then(|v| v.as_table()) {
            for name in ["features", "regularizers", "optimizers", "runner"] {
                if deps.contains_key(name) && !found.contains(&name.to_string()) {
                    found.push(name.to_string());
                }
            }
        }
    }
    found
}

#[test]
fn each_crate_depends_only_on_the_layers_below_it() {
    let allowed: [(&str, &[&str]); 5] = [
        ("crates/features", &[]),
        ("crates/regularizers", &[]),
        ("crates/optimizers", &["features", "regularizers"]),
        ("crates/runner", &["features", "regularizers", "optimizers"]),
        ("benches", &["features", "regularizers", "optimizers"]),
    ];
    for (dir, may) in allowed {
        let deps = project_dependencies(&workspace().join(dir).join("Cargo.toml"));
        let extra: Vec<_> = deps.iter().filter(|d| !may.contains(&d.as_str())).collect();
        assert!(extra.is_empty(), "{dir} depends on {extra:?}; ARCHITECTURE.md allows {may:?}");
    }
}

/// `file:line` of each line of the `src/` files of `krate` containing one of `needles`.
fn lines_with(krate: &str, needles: &[&str]) -> Vec<String> {
    let mut files = Vec::new();
    rs_files(&workspace().join("crates").join(krate).join("src"), &mut files);
    let mut hits = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if needles.iter().any(|n| code.contains(n)) {
                hits.push(format!("{}:{}: {}", file.display(), i + 1, line.trim()));
            }
        }
    }
    hits
}

#[test]
fn the_libraries_use_typed_errors_not_anyhow() {
    for krate in ["features", "regularizers", "optimizers"] {
        let manifest = workspace().join("crates").join(krate).join("Cargo.toml");
        let table: toml::Table = std::fs::read_to_string(&manifest).unwrap().parse().unwrap();
        let deps =
            table.get("dependencies").and_then(|v| v.as_table()).cloned().unwrap_or_default();
        assert!(!deps.contains_key("anyhow"), "{krate} uses anyhow: libraries return typed errors");
        assert!(deps.contains_key("thiserror"), "{krate} has no thiserror");
    }
}

#[test]
fn the_learning_crates_do_no_io_and_print_nothing() {
    let io = ["std::fs", "File::", "println!", "eprintln!", "print!(", "stdout()", "stderr()"];
    for krate in ["regularizers", "optimizers"] {
        let hits = lines_with(krate, &io);
        assert!(hits.is_empty(), "{krate} must not do IO or print:\n{}", hits.join("\n"));
    }
}

#[test]
fn the_only_unsafe_code_is_the_counting_allocator() {
    let mut hits = Vec::new();
    for krate in ["features", "regularizers", "optimizers", "runner"] {
        hits.extend(lines_with(krate, &["allow(unsafe_code)"]));
    }
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(hits[0].contains("execute/alloc_counter.rs"), "{hits:?}");
}
