//! Measures what typing costs on top of decoding: decodes a capture twice, once only
//! framing messages, once also building `Event::from_message` (and reading one field).
//!
//! `cargo run --release -p ami-spec --example typed_throughput -- FILE [ROUNDS]`

use std::hint::black_box;
use std::time::{Duration, Instant};

use ami_proto::{Decoded, Decoder, Item, Message};
use ami_spec::Event;

fn run(bytes: &[u8], mut each: impl FnMut(&Message<'_>)) -> (usize, Duration) {
    let start = Instant::now();
    let mut decoder = Decoder::new();
    let mut buf = bytes;
    let mut messages = 0;
    loop {
        match decoder.decode(buf) {
            Decoded::Item { item, consumed } => {
                if let Item::Message(m) = item {
                    each(&m);
                    messages += 1;
                }
                buf = &buf[consumed..];
            }
            Decoded::Error { consumed, .. } => buf = &buf[consumed..],
            Decoded::NeedMore { .. } => break,
        }
    }
    (messages, start.elapsed())
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: typed_throughput FILE [ROUNDS]");
    let rounds: usize = args.next().map_or(5, |r| r.parse().expect("ROUNDS"));
    let bytes = std::fs::read(&path).expect("read FILE");
    let mut best_plain = Duration::MAX;
    let mut best_typed = Duration::MAX;
    let mut count = 0;
    let mut typed = 0usize;
    for _ in 0..rounds {
        let (n, t) = run(&bytes, |m| {
            black_box(m.name());
        });
        best_plain = best_plain.min(t);
        count = n;
        typed = 0;
        let (_, t) = run(&bytes, |m| {
            let e = Event::from_message(m);
            typed += usize::from(e.is_typed());
            black_box(&e);
        });
        best_typed = best_typed.min(t);
    }
    let per = |d: Duration| d.as_nanos() as f64 / count as f64;
    let mb = |d: Duration| bytes.len() as f64 / d.as_secs_f64() / 1e6;
    println!(
        "{path}: {} bytes, {count} messages ({typed} typed events), best of {rounds}",
        bytes.len()
    );
    println!(
        "decode only      : {:8.1} ns/message {:8.1} MB/s",
        per(best_plain),
        mb(best_plain)
    );
    println!(
        "decode + typed   : {:8.1} ns/message {:8.1} MB/s",
        per(best_typed),
        mb(best_typed)
    );
    println!(
        "typing alone     : {:8.1} ns/message",
        per(best_typed) - per(best_plain)
    );
    println!(
        "size_of::<Event>: {} bytes",
        std::mem::size_of::<Event<'_>>()
    );
}
