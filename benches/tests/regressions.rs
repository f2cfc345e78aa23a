//! Replays every saved fuzz input in `corpus/fuzz/regressions/<target>/` through the
//! check of `<target>` (see `benches::fuzzing`), so a crash the fuzzer found once stays
//! covered by `cargo test`.
//!
//! Inputs named in `corpus/fuzz/regressions/OPEN` (one `target/file  reason` a line) still
//! fail because the bug is not fixed yet: the normal run skips them and says so, and
//! `cargo test -p benches --test regressions -- --ignored` replays them alone.

use std::fs;
use std::panic;
use std::path::{Path, PathBuf};

use benches::fuzzing::{replay, ChunkedInput};

fn regressions_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/fuzz/regressions")
}

/// The `target/file` names listed in `OPEN`.
fn open_inputs() -> Vec<String> {
    let list = fs::read_to_string(regressions_dir().join("OPEN")).unwrap_or_default();
    list.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect()
}

/// Every saved input as (`target/file`, target, bytes).
fn saved_inputs() -> Vec<(String, String, Vec<u8>)> {
    let mut out = Vec::new();
    for target in fs::read_dir(regressions_dir()).expect("corpus/fuzz/regressions") {
        let target = target.unwrap().path();
        if !target.is_dir() {
            continue;
        }
        let name = target.file_name().unwrap().to_string_lossy().to_string();
        for file in fs::read_dir(&target).unwrap() {
            let file = file.unwrap().path();
            let id = format!("{name}/{}", file.file_name().unwrap().to_string_lossy());
            out.push((id, name.clone(), fs::read(&file).unwrap()));
        }
    }
    out.sort();
    out
}

/// Replays the inputs `select`ed, returning the ids of those whose check panicked.
fn replay_all(select: impl Fn(&str) -> bool) -> (usize, Vec<String>) {
    let mut failed = Vec::new();
    let mut ran = 0;
    for (id, target, bytes) in saved_inputs() {
        if !select(&id) {
            continue;
        }
        ran += 1;
        let result = panic::catch_unwind(|| replay(&target, &bytes));
        match result {
            Ok(true) => {}
            Ok(false) => panic!("{id}: no fuzz target named {target}"),
            Err(_) => failed.push(id),
        }
    }
    (ran, failed)
}

#[test]
fn saved_fuzz_inputs_pass() {
    let open = open_inputs();
    for id in &open {
        println!("skipped (listed in OPEN, bug not fixed yet): {id}");
    }
    assert!(!saved_inputs().is_empty(), "no saved inputs found");
    let (_, failed) = replay_all(|id| !open.iter().any(|o| o == id));
    assert!(
        failed.is_empty(),
        "saved fuzz inputs fail again: {failed:?}"
    );
}

#[test]
#[ignore = "known open bugs: see corpus/fuzz/regressions/OPEN"]
fn open_fuzz_inputs_pass() {
    let open = open_inputs();
    let (ran, failed) = replay_all(|id| open.iter().any(|o| o == id));
    assert_eq!(ran, open.len(), "OPEN names a missing file");
    assert!(failed.is_empty(), "still failing: {failed:?}");
}

/// The seeds are real data: every check must hold on them (and this runs every check in
/// `cargo test`, not only under the fuzzer).
#[test]
fn every_seed_passes_its_check() {
    let seeds = regressions_dir().join("..");
    let mut targets = 0;
    for target in fs::read_dir(&seeds).unwrap() {
        let target = target.unwrap().path();
        let name = target.file_name().unwrap().to_string_lossy().to_string();
        if name == "regressions" || !target.is_dir() {
            continue;
        }
        targets += 1;
        for file in fs::read_dir(&target).unwrap() {
            let file = file.unwrap().path();
            let bytes = fs::read(&file).unwrap();
            assert!(replay(&name, &bytes), "no fuzz target named {name}");
        }
    }
    assert!(targets >= 4, "only {targets} seed folders");
}

#[test]
fn open_list_names_existing_files() {
    for id in open_inputs() {
        assert!(regressions_dir().join(&id).is_file(), "OPEN names {id}");
    }
}

/// The comparison is not vacuous: losing the last item is a difference.
#[test]
fn comparison_sees_a_missing_item() {
    let input = ChunkedInput {
        selector: 0,
        reads: vec![1],
        data: b"Event: A\r\n\r\nEvent: B\r\n\r\n".to_vec(),
    };
    assert!(replay("decode_chunked", &input.to_bytes()));
    let mut decoder = ami_proto::Decoder::new();
    let whole = benches::fuzzing::decode_in_reads(&mut decoder, &input.data, &[]);
    let mut decoder = ami_proto::Decoder::new();
    let cut = benches::fuzzing::decode_in_reads(&mut decoder, &input.data[..12], &[1]);
    assert_ne!(whole, cut);
}
