//! The samples committed under `corpus/bench/` are exactly what the generator makes now.

use std::path::Path;

use benches::samples::samples;

#[test]
fn committed_samples_are_up_to_date() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/bench");
    for (name, bytes) in samples() {
        let committed = std::fs::read(dir.join(name)).unwrap_or_default();
        assert!(
            committed == bytes,
            "corpus/bench/{name} is stale: run `cargo run -p benches --example bench_samples`"
        );
    }
}
