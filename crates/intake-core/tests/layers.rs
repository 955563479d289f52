//! The core's modules are layered, lowest first: a module may use the modules below it, never
//! one above it, so no two modules depend on each other and each can be read (and tested) with
//! only what is under it. This test reads the core's own source and names every file and line
//! that refers (`crate::module`) to a module above its own, tests included: a test that needs
//! a module above belongs with that module.

#![allow(
    clippy::expect_used,
    reason = "in tests, a panic is how a failed precondition fails the test"
)]

use std::{
    collections::BTreeSet,
    fs,
    path::{Path, PathBuf},
};

/// The core's top-level modules, lowest first.
const LAYERS: [&str; 10] = [
    "clock",
    "fhirpath",
    "domain",
    "forms",
    "terminology",
    "engine",
    "populate",
    "mapping",
    "summary",
    "scenario",
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn no_module_refers_to_a_module_above_it() {
    let mut wrong = Vec::new();
    for (rank, module) in LAYERS.iter().enumerate() {
        for file in files_of(module) {
            let text = fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file:?}: {e}"));
            for (line, used) in references(&text) {
                let shown = file.strip_prefix(src()).unwrap_or(&file).display();
                match LAYERS.iter().position(|m| *m == used) {
                    Some(above) if above > rank => wrong.push(format!(
                        "src/{shown}:{line}: `{module}` refers to `{used}`, which is above it"
                    )),
                    Some(_) => {}
                    None => wrong.push(format!(
                        "src/{shown}:{line}: `crate::{used}` is not a module of the core"
                    )),
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "modules refer upward (layers, lowest first: {}):\n{}",
        LAYERS.join(" → "),
        wrong.join("\n")
    );
}

#[test]
fn every_module_of_the_crate_has_a_layer() {
    let lib = fs::read_to_string(src().join("lib.rs")).expect("lib.rs");
    let declared: BTreeSet<&str> = lib
        .lines()
        .filter_map(|l| {
            l.strip_prefix("pub mod ")
                .or_else(|| l.strip_prefix("mod "))
        })
        .map(|l| l.trim_end_matches(';'))
        .collect();
    assert_eq!(declared, BTreeSet::from(LAYERS));
}

#[test]
fn references_are_found_in_paths_and_in_use_groups() {
    let text = "use crate::{\n    engine::{Answer, evaluate},\n    forms::Form,\n};\n\
                let x = crate::mapping::extract(); // $crate::macro, other_crate::x\n\
                /// [`crate::summary::photos`]\n";
    assert_eq!(
        references(text),
        [(2, "engine"), (3, "forms"), (5, "mapping"), (6, "summary")]
    );
}

/// The source files of a top-level module: `module.rs` and everything under `module/`.
fn files_of(module: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let single = src().join(format!("{module}.rs"));
    if single.is_file() {
        files.push(single);
    }
    let mut folders = vec![src().join(module)];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = fs::read_dir(&folder) else {
            continue;
        };
        for path in entries.map(|e| e.expect("a folder entry").path()) {
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    assert!(!files.is_empty(), "no source for module `{module}`");
    files.sort();
    files
}

/// Each top-level module named after `crate::`, with its line: `crate::engine::…`, and each
/// of `use crate::{engine::…, forms::…}` (doc links and comments count: they name it too).
fn references(text: &str) -> Vec<(usize, &str)> {
    let mut found = Vec::new();
    let line_of = |at: usize| text[..at].matches('\n').count() + 1;
    for (at, _) in text.match_indices("crate::") {
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| c == '$' || c == '_' || c.is_alphanumeric()) {
            continue;
        }
        let rest = &text[at + "crate::".len()..];
        let start = at + "crate::".len();
        if rest.starts_with('{') {
            let mut depth = 0;
            let mut segment_start = start + 1;
            for (offset, c) in rest.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' | ',' if depth == 1 => {
                        let segment = &text[segment_start..start + offset];
                        let name = identifier(segment.trim_start());
                        if !name.is_empty() {
                            let leading = segment.len() - segment.trim_start().len();
                            found.push((line_of(segment_start + leading), name));
                        }
                        segment_start = start + offset + 1;
                        if c == '}' {
                            break;
                        }
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
        } else {
            let name = identifier(rest);
            if !name.is_empty() {
                found.push((line_of(at), name));
            }
        }
    }
    found
}

/// The identifier `text` starts with.
fn identifier(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c == '_' || c.is_ascii_alphanumeric()))
        .unwrap_or(text.len());
    &text[..end]
}
