//! The committed generated code is what the generator makes from the committed specs
//! (prost-style: regenerate into a temporary folder, compare, rewrite on drift, fail).

use std::fs;
use std::path::PathBuf;

use ami_spec::codegen::{default_spec_dirs, generate_from_dirs, generated_dir, write_if_changed};

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ami-spec-fresh-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

#[test]
fn generated_code_is_fresh() {
    let files = generate_from_dirs(&default_spec_dirs().unwrap()).unwrap_or_else(|e| panic!("{e}"));
    let temp = temp_dir();
    write_if_changed(&temp, &files).unwrap();
    let committed = generated_dir();
    let mut stale = Vec::new();
    for f in &files {
        let fresh = fs::read_to_string(temp.join(&f.name)).unwrap();
        let old = fs::read_to_string(committed.join(&f.name)).unwrap_or_default();
        if fresh != old {
            stale.push(f.name.clone());
        }
    }
    let mut on_disk: Vec<String> = fs::read_dir(&committed)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut expected: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
    expected.sort();
    let _ = fs::remove_dir_all(&temp);
    if !stale.is_empty() {
        // Leave the tree right for the next build, like prost's bootstrap test.
        write_if_changed(&committed, &files).unwrap();
        panic!("generated code was stale and has been rewritten: {stale:?}; rebuild and commit it");
    }
    assert_eq!(
        on_disk,
        expected,
        "unexpected files in {}",
        committed.display()
    );
}
