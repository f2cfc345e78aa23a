//! The committed generated code is what the generator makes from the committed spec
//! folders. On drift the test prints where the files differ and the command that
//! regenerates them, and fails; it never writes the source tree.

use std::fs;

use ami_spec_gen::codegen::generate_from_dirs;
use ami_spec_gen::workspace::{generated_dir, spec_dirs};

/// The command that rewrites `src/generated/` from the spec folders.
const REGENERATE: &str = "cargo run -p ami-cli -- spec generate";

/// The first lines where `old` and `new` differ, as a short unified-style excerpt.
fn first_difference(old: &str, new: &str) -> String {
    let (old, new): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    let Some(at) = (0..old.len().max(new.len())).find(|&i| old.get(i) != new.get(i)) else {
        return "(the files differ only in their last line ending)".to_string();
    };
    let mut out = format!("@@ line {} @@\n", at + 1);
    for line in old.iter().skip(at).take(6) {
        out.push_str(&format!("-{line}\n"));
    }
    for line in new.iter().skip(at).take(6) {
        out.push_str(&format!("+{line}\n"));
    }
    out
}

#[test]
fn generated_code_is_fresh() {
    let files = generate_from_dirs(&spec_dirs().unwrap()).unwrap_or_else(|e| panic!("{e}"));
    let committed = generated_dir();
    let mut report = String::new();
    for f in &files {
        let old = fs::read_to_string(committed.join(&f.name)).unwrap_or_default();
        if old != f.content {
            report.push_str(&format!(
                "--- src/generated/{0} (committed)\n+++ src/generated/{0} (generated)\n{1}\n",
                f.name,
                first_difference(&old, &f.content)
            ));
        }
    }
    let mut on_disk: Vec<String> = fs::read_dir(&committed)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut expected: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
    expected.sort();
    if on_disk != expected {
        report.push_str(&format!(
            "files in src/generated: {on_disk:?}, the generator writes {expected:?}\n"
        ));
    }
    assert!(
        report.is_empty(),
        "src/generated is stale; regenerate it with `{REGENERATE}` and commit it:\n\n{report}"
    );
}

#[test]
fn drift_is_reported_with_its_place() {
    let shown = first_difference("a\nb\nc\n", "a\nB\nc\n");
    assert!(shown.starts_with("@@ line 2 @@\n-b\n"), "{shown}");
    assert!(shown.contains("\n+B\n"), "{shown}");
}
