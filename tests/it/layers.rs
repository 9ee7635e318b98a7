//! The layering of ARCHITECTURE.md, checked on the source: each top-level module of the crate
//! uses only modules of a lower layer, so there are no cycles and nothing reaches up; nothing
//! below `http` mentions actix; nothing uses an item of the crate root (which wires the layers
//! together and so sits above all of them); and no source file is over 400 lines. Not about a
//! backend.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Top-level modules, lowest layer first. A module may use modules of lower layers only; two
/// modules of one layer may not use each other.
const LAYERS: &[&[&str]] = &[
    &["metrics"],
    &["config", "error"],
    &["db"],
    &["engine"],
    &["portals"],
    &["auth"],
    &["goals", "crm"],
    &["attainment", "quotas"],
    &["pipedrive"],
    &["jobs"],
    &["webhooks"],
    &["http"],
];

/// Crate-root names a module may still use: the hidden export behind `db::with_conn!`, which
/// must live at the root so the tests and the benchmark binary can invoke it.
const ROOT_EXPORTS: &[&str] = &["__with_conn"];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without its comments (a doc comment may name any module).
fn code(path: &Path) -> String {
    std::fs::read_to_string(path)
        .expect("read source")
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every first path segment after `crate::`, including each of a `crate::{a, b::c}` group.
fn crate_refs(code: &str) -> BTreeSet<String> {
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut refs = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = &group[..group.find('}').unwrap_or(group.len())];
            refs.extend(inner.split(',').map(ident).filter(|s| !s.is_empty()));
        } else {
            refs.insert(ident(rest));
        }
    }
    refs
}

#[test]
fn modules_use_only_lower_layers_and_nothing_below_http_knows_actix() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut problems = Vec::new();
    let mut modules = BTreeSet::new();
    for entry in std::fs::read_dir(&src).expect("read src") {
        let path = entry.expect("entry").path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if ["lib", "main", "bin"].contains(&name.as_str()) {
            continue;
        }
        let Some(own) = layer(&name) else {
            problems.push(format!(
                "src/{name}: a top-level module missing from LAYERS"
            ));
            continue;
        };
        modules.insert(name.clone());
        let mut files = Vec::new();
        if path.is_dir() {
            rust_files(&path, &mut files);
        } else {
            files.push(path.clone());
        }
        for file in files {
            let shown = file.strip_prefix(&src).unwrap().display().to_string();
            let text = code(&file);
            for used in crate_refs(&text) {
                if used == name || ROOT_EXPORTS.contains(&used.as_str()) {
                    continue;
                }
                match layer(&used) {
                    Some(l) if l < own => {}
                    Some(_) => {
                        problems.push(format!("{shown} uses crate::{used}: not a lower layer"))
                    }
                    None => {
                        problems.push(format!("{shown} uses crate::{used} from the crate root"))
                    }
                }
            }
            if name != "http" && text.contains("actix") {
                problems.push(format!("{shown} mentions actix below http"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "layering broken:\n{}",
        problems.join("\n")
    );
    // The check must have seen the layers it guards.
    assert!(["db", "engine", "goals", "http"]
        .iter()
        .all(|m| modules.contains(*m)));
}

#[test]
fn the_scan_finds_an_upward_use_in_each_form() {
    let refs = crate_refs(
        "use crate::http::x;\nuse crate::{db, engine::store};\nfn f() { crate::AppState }",
    );
    let want: BTreeSet<String> = ["http", "db", "engine", "AppState"]
        .map(String::from)
        .into();
    assert_eq!(refs, want);
}

/// Source files a reader can hold: none over 400 lines (split along a real seam instead).
#[test]
fn no_source_file_is_over_400_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "tests/it"] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 50, "the scan must see the sources");
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let n = std::fs::read_to_string(f).expect("read").lines().count();
            (n > 400).then(|| format!("{} ({n} lines)", f.strip_prefix(root).unwrap().display()))
        })
        .collect();
    assert!(long.is_empty(), "files over 400 lines: {long:?}");
}
