//! Features only add: every item behind a `cfg(feature)` of the crate's source (the
//! generated code included) is a trait impl or something private, and no item exists only
//! without a feature. So one crate turning `serde` on breaks no other user of the types.

use std::fs;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The first line after `at` that is code: not blank, not a comment, not an attribute.
fn item_after(lines: &[&str], at: usize) -> Option<String> {
    lines[at + 1..]
        .iter()
        .map(|l| l.trim())
        .find(|l| !l.is_empty() && !l.starts_with("//") && !l.starts_with("#["))
        .map(str::to_string)
}

/// Why an item a feature gates would change the public API, or `None` when it does not.
fn removes_or_adds_public(gate: &str, item: &str) -> Option<&'static str> {
    if gate.contains("not(") {
        return Some("an item that exists only without a feature");
    }
    let private = item.starts_with("impl")
        || item.starts_with("mod ")
        || item.starts_with("use ")
        || item.starts_with("pub(crate)")
        || item.starts_with("fn ");
    (!private).then_some("a public item only a feature adds")
}

#[test]
fn no_feature_removes_or_adds_a_public_item() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut gates = 0;
    let mut wrong = Vec::new();
    for file in &files {
        let text = fs::read_to_string(file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (at, line) in lines.iter().enumerate() {
            let line = line.trim();
            if !(line.starts_with("#[cfg(") && line.contains("feature")) {
                continue;
            }
            gates += 1;
            let item = item_after(&lines, at).unwrap_or_default();
            if let Some(why) = removes_or_adds_public(line, &item) {
                wrong.push(format!("{}:{}: {why}: {item}", file.display(), at + 1));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    // The generated serde impls are found (the scan reads what it should).
    assert!(gates > 40, "{gates} feature gates");
}

#[test]
fn the_check_tells_additive_gates_from_the_others() {
    let gate = r#"#[cfg(feature = "serde")]"#;
    assert_eq!(
        removes_or_adds_public(gate, "impl serde::Serialize for X<'_> {"),
        None
    );
    assert_eq!(removes_or_adds_public(gate, "mod json;"), None);
    assert!(removes_or_adds_public(gate, "pub fn to_json(&self) -> String {").is_some());
    assert!(removes_or_adds_public(gate, "pub mod codegen;").is_some());
    assert!(removes_or_adds_public(r#"#[cfg(not(feature = "x"))]"#, "impl A for B {}").is_some());
}
