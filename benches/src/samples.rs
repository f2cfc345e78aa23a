//! The small generated samples committed under `corpus/bench/`.

use crate::generate::{busy_pbx_stream, event_list_reply, legacy_command_reply, typical_event};

/// Every sample as (file name in `corpus/bench/`, bytes). Regenerate the files with
/// `cargo run -p benches --example bench_samples`; a test checks they are up to date.
pub fn samples() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("busy-pbx-256KiB.ami", busy_pbx_stream(256 << 10)),
        ("legacy-command-16KiB.ami", legacy_command_reply(16 << 10)),
        ("event-list-50.ami", event_list_reply(50)),
        ("typical-event.ami", typical_event()),
    ]
}
