//! The layout of `src/`: every module imports only modules of lower layers,
//! and no two modules of one directory import each other.
//!
//! Read from the source text: the `crate::` paths and `super::` paths of
//! each file, outside comments and outside its test module (tests may use
//! anything). The layers are the pipeline's stages, from the bytes of a
//! line up to the command line; docs/architecture.md explains them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::util;

/// The top-level modules by layer, lowest first. A module may import any
/// module of a lower layer, none of its own or a higher one.
const LAYERS: &[&[&str]] = &[
    // Bytes, times, errors and numbers in messages: no knowledge of the
    // pipeline.
    &["error", "time", "parse", "numbers"],
    // What a line means; journald's JSON export turned into log lines.
    &["classify", "journald"],
    // Reading inputs: files, streams, compressed data. The counts of
    // refusals and of trouble (what a tally holds besides deliveries). The
    // rows of the events export and their ordered writing.
    &["input", "refusals", "problems", "events"],
    // Searching pieces for lines; the states and counts they feed; finding
    // a window in a file.
    &["search", "messages", "tally", "seek"],
    // One scan thread: everything an event goes through.
    &["worker"],
    // The run's settings, as the command line gave them.
    &["config"],
    // The scan of every input; the reports; `explain`.
    &["scan", "report", "explain"],
    // Writing: the formats and the summary on stderr.
    &["format", "summary"],
    // The crate root and the binary.
    &["lib", "cli", "main"],
];

/// The source of a file without its test module and without comments.
fn code_of(path: &Path) -> String {
    let text = util::read(path);
    let code = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => &text[..],
    };
    code.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// Every `.rs` file under `dir`, with its module path (`classify::rules`).
fn modules(dir: &Path, prefix: &str, out: &mut Vec<(String, std::path::PathBuf)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            let inner = if prefix.is_empty() { name } else { format!("{prefix}::{name}") };
            modules(&path, &inner, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let module = match (prefix.is_empty(), name.as_str()) {
                (true, _) => name,
                (false, "mod") => prefix.to_string(),
                (false, _) => format!("{prefix}::{name}"),
            };
            out.push((module, path));
        }
    }
}

/// The names that follow `marker` in `code` (`crate::` → `parse`, `scan`...).
fn paths_after<'a>(code: &'a str, marker: &str) -> BTreeSet<&'a str> {
    code.match_indices(marker)
        .filter(|(at, _)| !code[..*at].ends_with(|c: char| c.is_alphanumeric() || c == '_'))
        .map(|(at, _)| {
            let rest = &code[at + marker.len()..];
            &rest[..rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len())]
        })
        .filter(|name| !name.is_empty() && name.starts_with(|c: char| c.is_lowercase()))
        .collect()
}

fn all_modules() -> Vec<(String, std::path::PathBuf)> {
    let mut out = Vec::new();
    modules(&util::root().join("src"), "", &mut out);
    out
}

fn layer_of(module: &str) -> usize {
    LAYERS
        .iter()
        .position(|layer| layer.contains(&module))
        .unwrap_or_else(|| panic!("src/{module}: a new top-level module; put it in a layer in tests/architecture.rs"))
}

#[test]
fn lower_layers_never_import_higher_ones() {
    let mut wrong = Vec::new();
    for (module, path) in all_modules() {
        let top = module.split("::").next().unwrap().to_string();
        let layer = layer_of(&top);
        for used in paths_after(&code_of(&path), "crate::") {
            if used == top {
                continue;
            }
            let theirs = layer_of(used);
            if theirs >= layer {
                wrong.push(format!("{module} (layer {layer}) imports {used} (layer {theirs})"));
            }
        }
    }
    assert!(wrong.is_empty(), "imports against the layers:\n{}", wrong.join("\n"));
}

/// Within a directory (`classify/`, `messages/`...), the files form no
/// cycle either: one of two siblings may use the other, not both ways.
#[test]
fn no_two_sibling_modules_import_each_other() {
    let modules = all_modules();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, path) in &modules {
        let Some((parent, _)) = module.rsplit_once("::") else { continue };
        let code = code_of(path);
        let mut used: BTreeSet<String> = paths_after(&code, "super::").into_iter().map(str::to_string).collect();
        let own = format!("crate::{parent}::");
        used.extend(paths_after(&code, &own).into_iter().map(str::to_string));
        for name in used {
            let sibling = format!("{parent}::{name}");
            if modules.iter().any(|(m, _)| *m == sibling) {
                edges.entry(module.clone()).or_default().insert(sibling);
            }
        }
    }
    // A cycle of any length: a module that reaches itself.
    for start in edges.keys() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&String> = edges[start].iter().collect();
        while let Some(next) = stack.pop() {
            assert_ne!(next, start, "{start} imports itself back through its siblings: {edges:?}");
            if seen.insert(next) {
                stack.extend(edges.get(next).into_iter().flatten());
            }
        }
    }
}

/// The checks above read the source as text: make sure they see imports.
#[test]
fn the_reading_of_imports_sees_them() {
    let code =
        "use crate::tally::Tally;\n// crate::report in a comment\nlet x = crate::time::now();\nuse super::dialect;";
    let code: String = code.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
    assert_eq!(paths_after(&code, "crate::").into_iter().collect::<Vec<_>>(), ["tally", "time"]);
    assert_eq!(paths_after(&code, "super::").into_iter().collect::<Vec<_>>(), ["dialect"]);
    assert!(all_modules().iter().any(|(m, _)| m == "parse::dialect"));
    assert_eq!(layer_of("worker"), 4);
}
