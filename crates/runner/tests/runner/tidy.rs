//! Tidy checks over the whole workspace's sources and docs (the import-circle check is in
//! `module_graph.rs`):
//! - rustfmt on every `.rs` file of every crate, file by file, so that a file no `mod` reaches
//!   (or one declared inside a macro, which rustfmt does not follow) is still checked;
//! - a `//!` doc at the top of every `.rs` file;
//! - every `<!-- methods:begin -->` block of a Markdown file equal to `runner methods`, and the
//!   `## Algorithms` bullets of `docs/guide/methods.md` naming exactly the registries' methods;
//! - the generated sections of README.md and `docs/` equal to what their commands print.
//!
//! Each checker is a function returning what it found wrong, so that the tests below can also
//! feed it deliberately bad input and see it fail.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{member_dirs, runner, text, workspace_root};
use crate::module_graph::rs_files;

/// The directories of a crate whose `.rs` files are checked.
const SOURCE_DIRS: &[&str] = &["src", "tests", "benches", "examples"];

/// Every `.rs` file of every workspace member: its source directories and its `build.rs`.
fn workspace_rs_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for member in member_dirs() {
        for dir in SOURCE_DIRS.iter().map(|d| member.join(d)).filter(|d| d.is_dir()) {
            rs_files(&dir, &mut files);
        }
        let build = member.join("build.rs");
        if build.is_file() {
            files.push(build);
        }
    }
    files
}

/// `rustfmt --check` on `files`, each named on the command line (the nearest `rustfmt.toml`
/// applies); the diffs rustfmt prints when one of them is not formatted.
fn rustfmt_check(files: &[PathBuf]) -> Result<(), String> {
    let rustfmt = std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".to_string());
    let output = Command::new(&rustfmt)
        .args(["--check", "--color", "never", "--edition", "2021"])
        .args(files)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {rustfmt}: {e}"));
    if output.status.success() {
        Ok(())
    } else {
        Err(format!("{}{}", text(&output.stdout), text(&output.stderr)))
    }
}

/// The files of `files` that do not open with a `//!` doc.
fn files_without_module_doc(files: &[PathBuf]) -> Vec<String> {
    files
        .iter()
        .filter(|path| {
            let text = std::fs::read_to_string(path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            !text.starts_with("//!")
        })
        .map(|path| path.display().to_string())
        .collect()
}

#[test]
fn every_rust_file_is_formatted() {
    let files = workspace_rs_files();
    assert!(files.len() > 100, "the walk finds the sources: {}", files.len());
    if let Err(diff) = rustfmt_check(&files) {
        panic!(
            "not formatted (run `cargo fmt --all`; a file no `mod` reaches: rustfmt FILE):\n{diff}"
        );
    }
}

#[test]
fn every_rust_file_opens_with_a_module_doc() {
    let missing = files_without_module_doc(&workspace_rs_files());
    assert!(missing.is_empty(), "no `//!` doc at the top of:\n{}", missing.join("\n"));
}

/// A method file as rustfmt would not leave it: a statement at column 0, a crammed signature.
const MISFORMATTED: &str =
    "//! A method.\n\npub fn step(w:f64,g:f64)->f64{\nlet z = w - g;\n    z\n}\n";

#[test]
fn the_checks_fail_on_a_misformatted_file_without_a_doc() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(workspace_root().join("rustfmt.toml"), dir.path().join("rustfmt.toml")).unwrap();
    let bad = dir.path().join("ftrl.rs");
    std::fs::write(&bad, MISFORMATTED).unwrap();
    let good = dir.path().join("fobos.rs");
    std::fs::write(&good, "//! A method.\n\npub fn step(w: f64, g: f64) -> f64 {\n    w - g\n}\n")
        .unwrap();
    assert_eq!(rustfmt_check(std::slice::from_ref(&good)), Ok(()));
    let diff = rustfmt_check(&[good.clone(), bad.clone()]).expect_err("the bad file is caught");
    println!("{diff}");
    assert!(diff.contains("ftrl.rs") && !diff.contains("fobos.rs"), "{diff}");
    let undocumented = dir.path().join("rule.rs");
    std::fs::write(&undocumented, "// not a module doc\npub struct Rule;\n").unwrap();
    let missing = files_without_module_doc(&[good, bad, undocumented.clone()]);
    assert_eq!(missing, vec![undocumented.display().to_string()]);
}

/// Every Markdown file of the repository (not under `target/` or a hidden directory).
fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() && !name.starts_with('.') && name != "target" {
            markdown_files(&path, out);
        } else if name.ends_with(".md") {
            out.push(path);
        }
    }
}

/// The `<!-- methods:begin -->` blocks of `text` that differ from `generated`.
fn stale_method_blocks(text: &str, generated: &str) -> usize {
    text.split("<!-- methods:begin -->\n")
        .skip(1)
        .filter(|rest| rest.split("<!-- methods:end -->").next() != Some(generated))
        .count()
}

#[test]
fn every_methods_block_is_the_registries_listing() {
    let output = runner(&["methods"]);
    assert!(output.status.success());
    let generated = text(&output.stdout);
    for name in ["mcp", "ftrl", "coordinate_descent", "gamma", "ftrl_alpha", "truncation_period"] {
        assert!(generated.contains(&format!("`{name}`")), "{name} missing");
    }
    let root = workspace_root();
    let mut files = Vec::new();
    markdown_files(&root, &mut files);
    let mut blocks = 0;
    let mut stale = Vec::new();
    for path in files {
        let doc = std::fs::read_to_string(&path).unwrap();
        blocks += doc.matches("<!-- methods:begin -->").count();
        if stale_method_blocks(&doc, &generated) > 0 {
            stale.push(path.strip_prefix(&root).unwrap().display().to_string());
        }
    }
    assert!(blocks > 0, "experiments/README.md has a methods block");
    assert!(
        stale.is_empty(),
        "out of date: paste `cargo run -p runner -- methods` between the markers of {stale:?}"
    );
}

/// The names of the bullets (`- \`NAME\` ...`) of the `## Algorithms` section of `doc`.
fn algorithm_bullets(doc: &str) -> Option<BTreeSet<String>> {
    let section = doc.split("\n## Algorithms\n").nth(1)?;
    let section = section.split("\n## ").next().unwrap_or(section);
    let names = section
        .lines()
        .filter_map(|line| line.strip_prefix("- `"))
        .filter_map(|rest| rest.split('`').next())
        .map(str::to_string)
        .collect();
    Some(names)
}

/// What the `## Algorithms` bullets of `doc` lack and have too many of, against `registry`.
fn algorithm_list_errors(doc: &str, registry: &BTreeSet<String>) -> Result<(), String> {
    let listed = algorithm_bullets(doc).ok_or("no `## Algorithms` section")?;
    let missing: Vec<&String> = registry.difference(&listed).collect();
    let extra: Vec<&String> = listed.difference(registry).collect();
    if missing.is_empty() && extra.is_empty() {
        Ok(())
    } else {
        Err(format!("missing: {missing:?}; not in a registry: {extra:?}"))
    }
}

/// Every method a spec can name: online optimizers, batch solvers and regularizers.
fn registry_names() -> BTreeSet<String> {
    let online = optimizers::online::ONLINE_OPTIMIZERS.iter().map(|e| e.name);
    let batch = optimizers::batch::BATCH_SOLVERS.iter().map(|e| e.name);
    let penalties = regularizers::REGULARIZERS.iter().map(|e| e.name);
    online.chain(batch).chain(penalties).map(str::to_string).collect()
}

#[test]
fn the_methods_guide_lists_exactly_the_registries() {
    let doc = std::fs::read_to_string(workspace_root().join("docs/guide/methods.md")).unwrap();
    if let Err(e) = algorithm_list_errors(&doc, &registry_names()) {
        panic!("docs/guide/methods.md, `## Algorithms`: {e}");
    }
}

#[test]
fn the_methods_list_check_names_what_is_missing_and_extra() {
    let registry: BTreeSet<String> = ["ftrl", "l1", "iht"].map(str::to_string).into();
    let doc = "# Methods\n\n## Algorithms\n\n- `ftrl`: online\n- `lasso`: a typo\n- `l1`\n\n\
               ## Other\n\n- `iht` is named here, outside the section\n";
    let error = algorithm_list_errors(doc, &registry).expect_err("iht missing, lasso extra");
    println!("{error}");
    assert_eq!(error, r#"missing: ["iht"]; not in a registry: ["lasso"]"#);
    assert!(algorithm_list_errors("# Methods\n", &registry).is_err());
}

/// `docs_sections.py --check` on `root`: its output when a section is stale.
fn docs_sections_check(root: &Path) -> Result<String, String> {
    let output = Command::new("python3")
        .arg(workspace_root().join("experiments/tools/docs_sections.py"))
        .args(["--check", "--root"])
        .arg(root)
        .output()
        .expect("python3 starts");
    let said = format!("{}{}", text(&output.stdout), text(&output.stderr));
    if output.status.success() {
        Ok(said)
    } else {
        Err(said)
    }
}

#[test]
fn every_generated_section_is_fresh() {
    if let Err(said) = docs_sections_check(&workspace_root()) {
        panic!("{said}");
    }
}

/// Copies `from` to `to`, leaving out images (plots are not inputs of any section).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        let image = path.extension().is_some_and(|x| x == "png" || x == "svg");
        if path.is_dir() {
            copy_tree(&path, &target);
        } else if !image {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

#[test]
fn the_sections_check_fails_on_a_changed_figure() {
    let root = workspace_root();
    let copy = tempfile::tempdir().unwrap();
    let tmp = copy.path();
    std::fs::copy(root.join("README.md"), tmp.join("README.md")).unwrap();
    for dir in ["docs", "experiments/tools", "results"] {
        copy_tree(&root.join(dir), &tmp.join(dir));
    }
    // A section of our own, written by its command, so the test does not depend on which
    // sections the docs have today.
    let command = "python3 experiments/tools/headline_table.py results/k_sweep";
    let table = Command::new("python3")
        .args(["experiments/tools/headline_table.py", "results/k_sweep"])
        .current_dir(tmp)
        .output()
        .unwrap();
    assert!(table.status.success(), "{}", text(&table.stderr));
    let table = text(&table.stdout);
    let doc = |body: &str| {
        format!("# Synthetic\n\n<!-- generated: {command} -->\n{body}<!-- end generated -->\n")
    };
    let synthetic = tmp.join("docs/synthetic.md");
    std::fs::create_dir_all(tmp.join("docs")).unwrap();
    std::fs::write(&synthetic, doc(&table)).unwrap();
    docs_sections_check(tmp).expect("fresh as written");
    // One figure changed: the first test log loss of the table.
    let figure = table.split(" | ").find(|cell| cell.starts_with("0.")).unwrap().to_string();
    let changed = table.replacen(&figure, &figure.replacen("0.", "0.9", 1), 1);
    assert_ne!(changed, table);
    std::fs::write(&synthetic, doc(&changed)).unwrap();
    let said = docs_sections_check(tmp).expect_err("the changed figure is caught");
    println!("{said}");
    assert!(said.contains("docs/synthetic.md:3") && said.contains(command), "{said}");
}
