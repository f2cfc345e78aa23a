//! Decoder throughput: the generated 64 MiB busy-PBX stream and the real 50 MB load capture
//! (whole buffer and socket-sized reads, every header visited, beside two framing
//! baselines, and typed decoding of every event in the same group), large replies in
//! 1460-byte reads, header and typed field lookup, and action encoding.
//!
//! `cargo bench -p benches` (add `-- <group>` to run one group; `AMI_BENCH_CLOCK=cpu` to
//! measure the thread's CPU time instead of wall time).

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use ami_proto::{Decoded, Decoder, Item};
use benches::generate::{
    busy_pbx_stream, event_list_reply, legacy_command_reply, typical_event, DEFAULT_LEN,
};
use benches::visit::{
    copy_in_reads, count_blank_lines, split_lines_and_colons, sum_header_lengths,
    sum_header_lengths_fed, type_and_visit_every_event, type_every_event, Feed,
};
use criterion::measurement::Measurement;
use criterion::{BenchmarkId, Criterion, Throughput};

#[path = "common/cpu_clock.rs"]
mod cpu_clock;
use cpu_clock::ThreadCpuTime;

/// The real load capture, read from `../shared` beside the repository when it is there
/// (or from the path in `AMI_BUSY_CAPTURE`).
const BUSY_CAPTURE: &str = "../../shared/asterisk/23.4.1/load/busy.server.bin";

/// The read sizes a client might use: none (whole buffer), a page, an Ethernet payload, tiny.
const READS: [(&str, usize); 4] = [
    ("whole", usize::MAX),
    ("reads_4096", 4096),
    ("reads_1460", 1460),
    ("reads_64", 64),
];

/// One group over a large stream: the two baselines and the decoder at every read size.
fn stream_group<M: Measurement>(c: &mut Criterion<M>, name: &str, data: &[u8]) {
    let mut group = c.benchmark_group(name);
    group
        .throughput(Throughput::Bytes(data.len() as u64))
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    group.bench_function("baseline_memmem_blank_lines", |b| {
        b.iter(|| count_blank_lines(black_box(data)))
    });
    group.bench_function("baseline_memchr_lines_colons", |b| {
        b.iter(|| split_lines_and_colons(black_box(data)))
    });
    // What the 64-byte read loop costs without decoding (appending and compacting).
    group.bench_function("baseline_copy_reads_64", |b| {
        b.iter(|| copy_in_reads(black_box(data), 64))
    });
    for (label, read_size) in READS {
        group.bench_function(format!("decode_{label}"), |b| {
            b.iter(|| sum_header_lengths(black_box(data), read_size))
        });
    }
    // The decoder's own cost of 64-byte reads: each call sees 64 more bytes of `data`
    // where it lies, nothing copied.
    group.bench_function("decode_inplace_64", |b| {
        b.iter(|| sum_header_lengths_fed(Feed::InPlace, black_box(data), 64))
    });
    // Typed decoding in the same group, so its ratio to `decode_whole` comes from one run:
    // every event typed (name resolved, each documented field one lookup away), and the
    // same with every header visited through the typed view.
    let (events, typed) = type_every_event(data, usize::MAX);
    assert_eq!(events, typed, "{name}: an event nothing describes");
    group.bench_function("typed_whole", |b| {
        b.iter(|| type_every_event(black_box(data), usize::MAX))
    });
    group.bench_function("typed_visit_whole", |b| {
        b.iter(|| type_and_visit_every_event(black_box(data), usize::MAX))
    });
    group.bench_function("typed_reads_4096", |b| {
        b.iter(|| type_every_event(black_box(data), 4096))
    });
    group.finish();
}

/// The generated 64 MiB stream, made once for all groups.
fn stream() -> &'static [u8] {
    static STREAM: OnceLock<Vec<u8>> = OnceLock::new();
    STREAM.get_or_init(|| busy_pbx_stream(DEFAULT_LEN))
}

fn generated_stream<M: Measurement>(c: &mut Criterion<M>) {
    stream_group(c, "generated_64MiB", stream());
}

fn real_capture<M: Measurement>(c: &mut Criterion<M>) {
    let path = match std::env::var_os("AMI_BUSY_CAPTURE") {
        Some(path) => PathBuf::from(path),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join(BUSY_CAPTURE),
    };
    match std::fs::read(&path) {
        Ok(data) => stream_group(c, "real_busy_50MB", &data),
        Err(e) => eprintln!("skipping real_busy_50MB: {} ({e})", path.display()),
    }
}

/// Large replies in 1460-byte reads: the time per byte must not grow with the reply.
fn large_replies<M: Measurement>(c: &mut Criterion<M>) {
    let mut group = c.benchmark_group("legacy_command_1460");
    group.sample_size(10);
    for (label, len) in [("256KiB", 256 << 10), ("1MiB", 1 << 20)] {
        let reply = legacy_command_reply(len);
        group.throughput(Throughput::Bytes(reply.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(label), &reply, |b, reply| {
            b.iter(|| sum_header_lengths(black_box(reply), 1460))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("event_list_1460");
    group.sample_size(10);
    for items in [2_500, 10_000] {
        let reply = event_list_reply(items);
        group.throughput(Throughput::Elements(items as u64));
        group.bench_with_input(BenchmarkId::new("items", items), &reply, |b, reply| {
            b.iter(|| sum_header_lengths(black_box(reply), 1460))
        });
    }
    group.finish();
}

fn lookup<M: Measurement>(c: &mut Criterion<M>) {
    let bytes = typical_event();
    let mut decoder = Decoder::new();
    let Decoded::Item {
        item: Item::Message(message),
        ..
    } = decoder.decode(&bytes)
    else {
        panic!("the typical event is not one message");
    };
    let mut group = c.benchmark_group("lookup");
    group.throughput(Throughput::Elements(1));
    group.bench_function("get_first_Event", |b| {
        b.iter(|| black_box(&message).get(black_box("Event")))
    });
    group.bench_function("get_Uniqueid", |b| {
        b.iter(|| black_box(&message).get(black_box("Uniqueid")))
    });
    group.bench_function("get_missing", |b| {
        b.iter(|| black_box(&message).get(black_box("NoSuchHeader")))
    });
    group.bench_function("get_all_ChanVariable", |b| {
        b.iter(|| {
            black_box(&message)
                .get_all(black_box("ChanVariable"))
                .count()
        })
    });
    // The typed way to the same values: typing the message, then an accessor, which is
    // the header lookup above.
    group.bench_function("typed_from_message", |b| {
        b.iter(|| ami_spec::Event::from_message(black_box(&message)))
    });
    let ami_spec::Event::Newchannel(event) = ami_spec::Event::from_message(&message) else {
        panic!("the typical event is a Newchannel");
    };
    group.bench_function("typed_uniqueid", |b| {
        b.iter(|| black_box(&event).uniqueid())
    });
    group.bench_function("typed_uniqueid_bytes", |b| {
        b.iter(|| black_box(&event).uniqueid_bytes())
    });
    group.bench_function("typed_channel_state", |b| {
        b.iter(|| black_box(&event).channel_state())
    });
    group.finish();
}

fn encode<M: Measurement>(c: &mut Criterion<M>) {
    let headers = [
        ("ActionID", "bench-1"),
        ("Channel", "PJSIP/100"),
        ("Context", "sip-in"),
        ("Exten", "101"),
        ("Priority", "1"),
        ("CallerID", "\"José Müller\" <102>"),
        ("Timeout", "30000"),
        ("Variable", "MYVAR=sip-dial-101"),
        ("Async", "yes"),
    ];
    let mut out = Vec::with_capacity(512);
    let mut group = c.benchmark_group("encode");
    group.throughput(Throughput::Elements(1));
    group.bench_function("originate_to_vec", |b| {
        b.iter(|| {
            out.clear();
            ami_proto::encode_to_vec("Originate", black_box(headers), &mut out).unwrap();
            out.len()
        })
    });
    let mut buf = [0u8; 512];
    group.bench_function("originate_to_slice", |b| {
        b.iter(|| ami_proto::encode("Originate", black_box(headers), &mut buf).unwrap())
    });
    group.finish();
}

/// Every group, with either clock.
fn all<M: Measurement>(c: &mut Criterion<M>) {
    generated_stream(c);
    real_capture(c);
    large_replies(c);
    lookup(c);
    encode(c);
}

fn run<M: Measurement>(c: Criterion<M>) {
    let mut c = c.configure_from_args();
    all(&mut c);
    c.final_summary();
}

fn main() {
    if std::env::var("AMI_BENCH_CLOCK").is_ok_and(|v| v == "cpu") {
        run(Criterion::default().with_measurement(ThreadCpuTime));
    } else {
        run(Criterion::default());
    }
}
