//! The source files of both crates import each other without cycles.
//!
//! A cycle between files means neither can be read, tested or moved without the other; shared
//! types belong in a module that imports none of its users. The test reads every .rs file
//! under `src/` and `crates/core/src/`, maps each `crate::…` and `super::…` path (in `use`
//! declarations and in code) to the module file it names, and looks for strongly connected
//! components. A parent's `mod child;` and its relative `use child::…` are ownership, not
//! imports; a child naming its parent or a sibling is an import.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[test]
fn no_file_level_import_cycles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cycles = Vec::new();
    for src in [root.join("src"), root.join("crates/core/src")] {
        let graph = import_graph(&src);
        for component in strongly_connected(&graph) {
            let files: Vec<String> =
                component.iter().map(|m| format!("{}", src.strip_prefix(root).unwrap().join(graph[m].0.clone()).display())).collect();
            cycles.push(files.join(" ↔ "));
        }
    }
    assert!(
        cycles.is_empty(),
        "file-level import cycles (move the shared items to a module that imports none of its users):\n  {}",
        cycles.join("\n  ")
    );
}

/// The cycle finder itself: a two-file cycle, a child importing its parent, and a parent's
/// `mod` and relative `use` (not imports).
#[test]
fn the_cycle_finder_sees_cycles_and_ignores_ownership() {
    let dir = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("lib.rs", "mod a;\nmod b;\nmod c;\n");
    write("a.rs", "use crate::b::Thing;\n");
    write("b.rs", "pub struct Thing;\nfn f() { crate::a::g() }\n");
    write("c/mod.rs", "mod d;\npub use d::X;\n// crate::a is a comment\nconst S: &str = \"crate::b\";\n");
    write("c/d.rs", "pub struct X;\n#[cfg(test)]\nmod tests {\n    use super::*;\n}\n");
    let graph = import_graph(dir.path());
    let cycles: Vec<Vec<&Path>> = strongly_connected(&graph).iter().map(|c| c.iter().map(|m| graph[m].0.as_path()).collect()).collect();
    assert_eq!(cycles, [vec![Path::new("a.rs"), Path::new("b.rs")]]);

    write("c/d.rs", "use super::Y;\npub struct X;\n");
    write("c/mod.rs", "mod d;\npub struct Y;\nfn f() { crate::c::d::X; }\n");
    let graph = import_graph(dir.path());
    let cycles = strongly_connected(&graph);
    assert_eq!(cycles.len(), 2, "{cycles:?}");
}

/// A module path (`["report", "json"]`; the crate root is `[]`).
type Module = Vec<String>;

/// Each module: its file (relative to `src`) and the modules it imports.
type Graph = BTreeMap<Module, (PathBuf, BTreeSet<Module>)>;

fn import_graph(src: &Path) -> Graph {
    let mut files = BTreeMap::new();
    collect_files(src, src, &mut files);
    let modules: BTreeSet<Module> = files.keys().cloned().collect();
    files
        .into_iter()
        .map(|(module, path)| {
            let text = std::fs::read_to_string(src.join(&path)).unwrap();
            let imports =
                references(&text).into_iter().filter_map(|reference| resolve(&module, &reference, &modules)).filter(|m| *m != module).collect();
            (module, (path, imports))
        })
        .collect()
}

/// Every .rs file under `dir`, by the module it is (`foo/mod.rs` and `foo.rs` are `foo`).
/// Files that are not modules (`main.rs` beside `lib.rs`, binaries under `bin/`) are a crate
/// root of their own and name this crate's modules only through its name, so they import
/// nothing here.
fn collect_files(src: &Path, dir: &Path, files: &mut BTreeMap<Module, PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_files(src, &path, files);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let relative = path.strip_prefix(src).unwrap().to_owned();
        let mut module: Module = relative.with_extension("").iter().map(|c| c.to_string_lossy().into_owned()).collect();
        if module.last().is_some_and(|l| l == "mod") || module == ["lib"] {
            module.pop();
        }
        if module == ["main"] || module.first().is_some_and(|f| f == "bin") {
            continue;
        }
        files.insert(module, relative);
    }
}

/// A path the file names: how it starts and its segments.
#[derive(Debug)]
struct Reference {
    /// `None` for `crate::`; else the number of `super::` and the inline modules the path
    /// was written in (`super::` inside `mod tests { … }` is the file itself).
    supers: Option<(usize, usize)>,
    segments: Vec<String>,
}

/// The `crate::…` and `super::…` paths of a file's code (comments and string literals
/// removed), with `use` groups (`use crate::a::{b, c::d}`) expanded.
fn references(text: &str) -> Vec<Reference> {
    let code = strip_comments_and_strings(text);
    let tokens = tokenize(&code);
    let mut out = Vec::new();
    // Inline modules open at the current brace depth: `mod tests {`.
    let mut inline: Vec<usize> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i].as_str();
        match t {
            "{" => depth += 1,
            "}" => {
                depth = depth.saturating_sub(1);
                if inline.last() == Some(&depth) {
                    inline.pop();
                }
            }
            "mod" if tokens.get(i + 2).is_some_and(|t| t == "{") => {
                inline.push(depth);
            }
            "crate" | "super" if tokens.get(i + 1).is_some_and(|t| t == "::") && (i == 0 || tokens[i - 1] != "::") => {
                let mut supers = 0;
                let mut j = i;
                if t == "crate" {
                    j += 2;
                } else {
                    while tokens.get(j).is_some_and(|t| t == "super") && tokens.get(j + 1).is_some_and(|t| t == "::") {
                        supers += 1;
                        j += 2;
                    }
                }
                let prefix = Vec::new();
                let (paths, end) = path_tree(&tokens, j, prefix);
                for segments in paths {
                    out.push(Reference { supers: (t == "super").then_some((supers, inline.len())), segments });
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Reads `a::b::{c, d::e}` from `tokens[start]`: every full path, and where it ended.
fn path_tree(tokens: &[String], start: usize, prefix: Vec<String>) -> (Vec<Vec<String>>, usize) {
    let mut path = prefix;
    let mut i = start;
    loop {
        match tokens.get(i).map(String::as_str) {
            Some("{") => {
                let mut paths = Vec::new();
                i += 1;
                while let Some(t) = tokens.get(i) {
                    match t.as_str() {
                        "}" => {
                            i += 1;
                            break;
                        }
                        "," => i += 1,
                        _ => {
                            let (inner, end) = path_tree(tokens, i, path.clone());
                            paths.extend(inner);
                            // Skip `as name` and anything else up to the item's end.
                            i = end;
                            while tokens.get(i).is_some_and(|t| t != "," && t != "}") {
                                i += 1;
                            }
                        }
                    }
                }
                return (paths, i);
            }
            Some(t) if is_ident(t) => {
                path.push(t.to_owned());
                i += 1;
                if tokens.get(i).is_some_and(|t| t == "::") {
                    i += 1;
                    continue;
                }
                return (vec![path], i);
            }
            // `*`, `<`, anything else: the path so far.
            _ => return (vec![path], i),
        }
    }
}

/// The module file a reference lands in: the longest prefix of its path that is a module.
fn resolve(from: &Module, reference: &Reference, modules: &BTreeSet<Module>) -> Option<Module> {
    let mut path: Module = match reference.supers {
        None => Vec::new(),
        Some((supers, inline)) => {
            // `super::` in an inline module first climbs out of it, within the same file.
            let levels = supers.checked_sub(inline)?;
            if levels == 0 {
                return None;
            }
            from.get(..from.len().checked_sub(levels)?)?.to_vec()
        }
    };
    let mut found = path.clone();
    for segment in &reference.segments {
        if segment == "self" {
            continue;
        }
        path.push(segment.clone());
        if modules.contains(&path) {
            found = path.clone();
        } else {
            break;
        }
    }
    modules.contains(&found).then_some(found)
}

fn is_ident(t: &str) -> bool {
    t.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_') && t.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// Identifiers, `::`, and single punctuation characters.
fn tokenize(code: &str) -> Vec<String> {
    let chars: Vec<char> = code.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push(chars[start..i].iter().collect());
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            tokens.push("::".to_owned());
            i += 2;
        } else {
            tokens.push(c.to_string());
            i += 1;
        }
    }
    tokens
}

/// The code with comments, string and character literals blanked (a path in a doc comment or
/// a message is no import). Lifetimes (`'a`) are kept.
fn strip_comments_and_strings(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut nesting = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    nesting += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    nesting -= 1;
                    i += 2;
                    if nesting == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && (i == 0 || !is_ident_char(chars[i - 1])) {
            // A raw string: r"…", r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            while j < chars.len() {
                if chars[j] == '"' && (0..hashes).all(|h| chars.get(j + 1 + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            i = j;
            out.push_str("\"\"");
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' {
            // A character literal ('x', '\n', '\'') or a lifetime ('a).
            if next == Some('\\') {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
                out.push_str("' '");
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
                out.push_str("' '");
            } else {
                out.push(c);
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Tarjan's algorithm: the components of more than one module, each sorted, in module order.
fn strongly_connected(graph: &Graph) -> Vec<Vec<Module>> {
    struct State<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g Module, usize>,
        low: BTreeMap<&'g Module, usize>,
        stack: Vec<&'g Module>,
        on_stack: BTreeSet<&'g Module>,
        components: Vec<Vec<Module>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g Module) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in &s.graph[v].1 {
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            loop {
                let w = s.stack.pop().unwrap();
                s.on_stack.remove(w);
                component.push(w.clone());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.components.push(component);
            }
        }
    }
    let mut state =
        State { graph, index: BTreeMap::new(), low: BTreeMap::new(), stack: Vec::new(), on_stack: BTreeSet::new(), components: Vec::new() };
    for v in graph.keys() {
        if !state.index.contains_key(v) {
            visit(&mut state, v);
        }
    }
    state.components.sort();
    state.components
}
