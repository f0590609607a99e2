//! No crate of the workspace has a module import circle, so that modules stay layers (see the
//! runner's crate doc): reads every file under a crate's `src/` (its library; `main.rs` is the
//! binary, a crate of its own), collects the paths that name a module of the crate (`use
//! crate::x::...`, `crate::x::f()`, `super::`, `self::`, a child module by its name, grouped
//! imports included) in the code (comments, string literals and `#[cfg(test)]` items are left
//! out), and fails, naming the circle and where each of its imports is, when the graph between
//! the top-level modules, or between all modules and submodules, has a cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module inside the crate: `[]` for the root, `["execute", "online"]` for `execute::online`.
type ModPath = Vec<String>;

/// One source file of the library.
struct Source {
    /// The module the file defines.
    module: ModPath,
    /// Path relative to `src/`, for messages.
    file: String,
    /// Its text.
    text: String,
}

/// From a module to the modules it names, each with where it first names it (`file:line`).
type Graph = BTreeMap<ModPath, BTreeMap<ModPath, String>>;

use crate::common::member_dirs;

/// Every `.rs` file under `dir`, recursively, in a stable order.
pub(crate) fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rs_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// The module a file defines, from its path relative to `src/`.
fn module_of(relative: &str) -> ModPath {
    let mut parts: Vec<String> =
        relative.trim_end_matches(".rs").split('/').map(str::to_string).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// The library's files of the crate in `crate_dir` (everything under `src/` but the binary's
/// `main.rs`).
fn library_sources(crate_dir: &Path) -> Vec<Source> {
    let src = crate_dir.join("src");
    let mut files = Vec::new();
    rs_files(&src, &mut files);
    files
        .into_iter()
        .map(|path| {
            let file =
                path.strip_prefix(&src).expect("under src").to_string_lossy().replace('\\', "/");
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            Source { module: module_of(&file), file, text }
        })
        .filter(|s| s.file != "main.rs")
        .collect()
}

/// The code of a file with comments and the contents of string and char literals turned into
/// spaces (newlines kept, so line numbers stay right).
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if (c == 'r' || (c == 'b' && next == Some('r')))
            && (i == 0 || !ident(chars[i - 1]))
            && {
                // A raw string: r"...", r#"..."#, br"...".
                let mut j = if c == 'b' { i + 2 } else { i + 1 };
                while chars.get(j) == Some(&'#') {
                    j += 1;
                }
                chars.get(j) == Some(&'"')
            }
        {
            let start = if c == 'b' { i + 2 } else { i + 1 };
            let mut j = start;
            while chars[j] == '#' {
                j += 1;
            }
            let hashes = j - start;
            out.extend(chars[i..=j].iter().map(|&ch| blank(ch)));
            i = j + 1;
            while i < chars.len() {
                if chars[i] == '"' && (1..=hashes).all(|h| chars.get(i + h) == Some(&'#')) {
                    for _ in 0..=hashes {
                        out.push(' ');
                    }
                    i += hashes + 1;
                    break;
                }
                out.push(blank(chars[i]));
                i += 1;
            }
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < chars.len() {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' && next == Some('\\') {
            // An escaped char literal: '\n', '\'', '\u{..}'.
            out.push_str("  ");
            i += 2;
            while i < chars.len() && chars[i] != '\'' {
                out.push(' ');
                i += 1;
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            // A plain char literal ('x'); anything else after a quote is a lifetime.
            out.push_str("   ");
            i += 3;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// `code` without its `#[cfg(test)]` items (test modules may use anything): from the attribute
/// to the end of the item (its `;`, or the `}` closing its body) becomes spaces.
fn without_test_items(code: &str) -> String {
    const MARK: &str = "#[cfg(test)]";
    let mark: Vec<char> = MARK.chars().collect();
    let mut chars: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i + mark.len() <= chars.len() {
        if chars[i..i + mark.len()] != mark[..] {
            i += 1;
            continue;
        }
        let mut end = i + mark.len();
        let mut depth = 0usize;
        while end < chars.len() {
            match chars[end] {
                ';' if depth == 0 => break,
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            end += 1;
        }
        let end = (end + 1).min(chars.len());
        for c in &mut chars[i..end] {
            if *c != '\n' {
                *c = ' ';
            }
        }
        i = end;
    }
    chars.into_iter().collect()
}

/// A token of code with its line (1-based).
#[derive(Debug, Clone, PartialEq)]
struct Token {
    text: String,
    line: usize,
}

fn tokens(code: &str) -> Vec<Token> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Token { text: chars[start..i].iter().collect(), line });
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            out.push(Token { text: "::".to_string(), line });
            i += 2;
        } else {
            out.push(Token { text: c.to_string(), line });
            i += 1;
        }
    }
    out
}

fn is_ident(token: Option<&Token>) -> bool {
    token.is_some_and(|t| t.text.starts_with(|c: char| c.is_alphabetic() || c == '_'))
}

/// Parses a path or a use tree at `tokens[i]` (`a::b::{c, d::{self, E}}`), adding every full
/// path to `out`; returns the index after it.
fn path_tree(tokens: &[Token], mut i: usize, prefix: &[String], out: &mut Vec<ModPath>) -> usize {
    let mut segments = prefix.to_vec();
    loop {
        match tokens.get(i).map(|t| t.text.as_str()) {
            Some("{") => {
                i += 1;
                while i < tokens.len() && tokens[i].text != "}" {
                    i = path_tree(tokens, i, &segments, out);
                    if tokens.get(i).is_some_and(|t| t.text == "as") {
                        i += 2;
                    }
                    if tokens.get(i).is_some_and(|t| t.text == ",") {
                        i += 1;
                    }
                }
                return i + 1;
            }
            Some("*") => {
                out.push(segments);
                return i + 1;
            }
            _ if is_ident(tokens.get(i)) => {
                segments.push(tokens[i].text.clone());
                i += 1;
                if tokens.get(i).is_some_and(|t| t.text == "::") {
                    i += 1;
                } else {
                    out.push(segments);
                    return i;
                }
            }
            _ => {
                out.push(segments);
                return i;
            }
        }
    }
}

/// The module a path names, seen from `here`: the longest module prefix of the path, resolved
/// from `crate`, `super`, `self` or a child module's name. None for other crates and items.
fn resolve(path: &[String], here: &ModPath, modules: &BTreeSet<ModPath>) -> Option<ModPath> {
    let (mut base, rest): (ModPath, &[String]) = match path.first()?.as_str() {
        "crate" => (Vec::new(), &path[1..]),
        "self" => (here.clone(), &path[1..]),
        "super" => {
            let ups = path.iter().take_while(|s| *s == "super").count();
            if ups > here.len() {
                return None;
            }
            (here[..here.len() - ups].to_vec(), &path[ups..])
        }
        first => {
            let mut child = here.clone();
            child.push(first.to_string());
            if !modules.contains(&child) {
                return None;
            }
            (here.clone(), path)
        }
    };
    let mut best = base.clone();
    for segment in rest.iter().filter(|s| *s != "self") {
        base.push(segment.clone());
        if modules.contains(&base) {
            best = base.clone();
        } else {
            break;
        }
    }
    Some(best)
}

/// The modules each module names, with the first place it does.
fn module_graph(sources: &[Source]) -> Graph {
    let modules: BTreeSet<ModPath> = sources.iter().map(|s| s.module.clone()).collect();
    let mut graph = Graph::new();
    for source in sources {
        let edges = graph.entry(source.module.clone()).or_default();
        let toks = tokens(&without_test_items(&code_only(&source.text)));
        let mut i = 0;
        while i < toks.len() {
            let starts_path = is_ident(toks.get(i))
                && toks.get(i + 1).is_some_and(|t| t.text == "::")
                && (i == 0 || toks[i - 1].text != "::");
            if !starts_path {
                i += 1;
                continue;
            }
            let line = toks[i].line;
            let mut paths = Vec::new();
            i = path_tree(&toks, i, &[], &mut paths).max(i + 1);
            for path in paths {
                if let Some(target) = resolve(&path, &source.module, &modules) {
                    if target != source.module {
                        edges.entry(target).or_insert_with(|| format!("{}:{line}", source.file));
                    }
                }
            }
        }
    }
    graph
}

/// The same graph between top-level modules only (the crate root left out).
fn top_level(graph: &Graph) -> Graph {
    let mut top = Graph::new();
    for (from, edges) in graph {
        let Some(a) = from.first() else { continue };
        let entry = top.entry(vec![a.clone()]).or_default();
        for (to, at) in edges {
            match to.first() {
                Some(b) if b != a => {
                    entry.entry(vec![b.clone()]).or_insert_with(|| at.clone());
                }
                _ => {}
            }
        }
    }
    top
}

/// A cycle of `graph`, as the modules along it with the first one repeated at the end.
fn find_cycle(graph: &Graph) -> Option<Vec<ModPath>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    fn visit(
        node: &ModPath,
        graph: &Graph,
        marks: &mut BTreeMap<ModPath, Mark>,
        stack: &mut Vec<ModPath>,
    ) -> Option<Vec<ModPath>> {
        marks.insert(node.clone(), Mark::Open);
        stack.push(node.clone());
        for next in graph.get(node).into_iter().flat_map(|e| e.keys()) {
            match marks.get(next).copied().unwrap_or(Mark::New) {
                Mark::Open => {
                    let start = stack.iter().position(|m| m == next).expect("on the stack");
                    let mut cycle = stack[start..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Mark::New => {
                    if let Some(cycle) = visit(next, graph, marks, stack) {
                        return Some(cycle);
                    }
                }
                Mark::Done => {}
            }
        }
        stack.pop();
        marks.insert(node.clone(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for node in graph.keys() {
        if marks.get(node).copied().unwrap_or(Mark::New) == Mark::New {
            if let Some(cycle) = visit(node, graph, &mut marks, &mut Vec::new()) {
                return Some(cycle);
            }
        }
    }
    None
}

fn name(module: &ModPath) -> String {
    if module.is_empty() {
        "crate".to_string()
    } else {
        module.join("::")
    }
}

/// The cycle in words, each import with where it is.
fn describe(cycle: &[ModPath], graph: &Graph) -> String {
    let steps: Vec<String> = cycle
        .windows(2)
        .map(|w| format!("  {} -> {} ({})", name(&w[0]), name(&w[1]), graph[&w[0]][&w[1]]))
        .collect();
    let names: Vec<String> = cycle.iter().map(name).collect();
    format!("import circle {}:\n{}", names.join(" -> "), steps.join("\n"))
}

fn print_graph(graph: &Graph) {
    for (from, edges) in graph {
        let to: Vec<String> = edges.keys().map(name).collect();
        println!("{} -> {}", name(from), to.join(", "));
    }
}

/// `graph` without the edges from a module to its own submodules: a parent declares, re-exports
/// and lists its children (a registry list names its method files), it is their front and not a
/// layer above them, so a child may use what its parent defines. Circles between siblings,
/// cousins or top-level modules are all still there.
fn without_facade_edges(graph: &Graph) -> Graph {
    let mut out = graph.clone();
    for (from, edges) in &mut out {
        edges.retain(|to, _| !(to.len() > from.len() && to.starts_with(from)));
    }
    out
}

fn assert_acyclic(graph: &Graph) {
    print_graph(graph);
    if let Some(cycle) = find_cycle(&without_facade_edges(graph)) {
        panic!("{}", describe(&cycle, graph));
    }
}

#[test]
fn top_level_modules_import_each_other_without_a_circle() {
    for dir in member_dirs() {
        let graph = top_level(&module_graph(&library_sources(&dir)));
        assert_acyclic(&graph);
    }
    // The scan sees the imports at all: a few edges that the runner's layering has for certain.
    let runner = crate::common::workspace_root().join("crates/runner");
    let graph = top_level(&module_graph(&library_sources(&runner)));
    let edge = |a: &str, b: &str| {
        graph.get(&vec![a.to_string()]).is_some_and(|e| e.contains_key(&vec![b.to_string()]))
    };
    assert!(edge("cli", "sweep") && edge("sweep", "execute") && edge("plan", "spec"), "{graph:?}");
}

#[test]
fn modules_and_submodules_import_each_other_without_a_circle() {
    for dir in member_dirs() {
        assert_acyclic(&module_graph(&library_sources(&dir)));
    }
}

/// The check on a crate written to a temporary directory: two modules importing each other.
#[test]
fn the_check_fails_on_a_two_module_circle_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(src.join("online")).unwrap();
    let write = |file: &str, text: &str| std::fs::write(src.join(file), text).unwrap();
    write("lib.rs", "//! root\npub mod online;\n");
    write("online/mod.rs", "//! online\nmod ledger;\nmod rule;\n");
    write("online/ledger.rs", "//! ledger\nuse super::rule::State;\npub struct Ledger;\n");
    write("online/rule.rs", "//! rule\nuse super::ledger::Ledger;\npub trait State {}\n");
    let graph = module_graph(&library_sources(dir.path()));
    let cycle = find_cycle(&graph).expect("the circle is found");
    let text = describe(&cycle, &graph);
    println!("{text}");
    assert!(text.contains("online::ledger -> online::rule (online/ledger.rs:2)"), "{text}");
    assert!(text.contains("online::rule -> online::ledger (online/rule.rs:2)"), "{text}");
}

/// The check itself: made-up sources with a circle hidden behind grouped imports, `super::`, a
/// child module named without `crate::`, and decoys in comments, strings and test modules.
#[test]
fn the_check_finds_circles_and_ignores_decoys() {
    let source = |file: &str, text: &str| Source {
        module: module_of(file),
        file: file.to_string(),
        text: text.to_string(),
    };
    let sources = vec![
        source("lib.rs", "//! root\npub mod a;\npub mod b;\npub mod c;\n"),
        source(
            "a/mod.rs",
            "//! a\npub mod inner;\nuse crate::{b::{self, B as Bee}, c};\n// crate::c::X in a comment\n",
        ),
        source("a/inner.rs", "//! a::inner\npub fn f() { super::super::c::g() }\n"),
        source(
            "b.rs",
            "//! b\nconst S: &str = \"crate::a::x\";\nconst R: &str = r#\"crate::a::y\"#;\nfn l<'x>(c: char) -> bool { c == '\"' }\n",
        ),
        source(
            "c/mod.rs",
            "//! c\npub mod deep;\npub fn g() { deep::h() }\n#[cfg(test)]\nmod tests { use crate::a::inner; }\n",
        ),
        source("c/deep.rs", "//! c::deep\npub fn h() -> u8 { crate::c::g(); 0 }\n"),
    ];
    let graph = module_graph(&sources);
    let m = |s: &str| -> ModPath { s.split("::").map(str::to_string).collect() };
    let targets = |s: &str| graph[&m(s)].keys().cloned().collect::<Vec<_>>();
    assert_eq!(targets("a"), vec![m("b"), m("c")]);
    assert_eq!(targets("a::inner"), vec![m("c")]);
    assert!(targets("b").is_empty(), "strings and chars are not imports: {graph:?}");
    assert_eq!(targets("c"), vec![m("c::deep")], "test modules are not imports");
    assert_eq!(targets("c::deep"), vec![m("c")]);
    // No circle between top-level modules (a -> b, a -> c) ...
    assert!(find_cycle(&top_level(&graph)).is_none());
    // ... but one inside c: c -> c::deep -> c.
    let cycle = find_cycle(&graph).expect("a circle");
    let text = describe(&cycle, &graph);
    assert!(text.contains("c::deep -> c (c/deep.rs:2)"), "{text}");
    // A parent naming its child is its front, not a layer: that pair alone is no circle.
    assert!(find_cycle(&without_facade_edges(&graph)).is_none());
    // One import back from c to a makes a top-level circle too.
    let mut sources = sources;
    sources.push(source("c/back.rs", "//! c::back\nuse crate::a::inner::f;\n"));
    sources[4].text.push_str("pub use back::f;\n");
    let top = top_level(&module_graph(&sources));
    let cycle = find_cycle(&top).expect("a top-level circle");
    assert_eq!(describe(&cycle, &top).lines().next(), Some("import circle a -> c -> a:"));
}
