//! The hot path does not allocate: with lent header slots never, with owned slots not once
//! they have grown to the largest message. Checked with a counting global allocator.

mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use ami_proto::{Config, Decoded, Decoder, Span};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts calls.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Decodes `bytes` in 1460-byte reads over a buffer that never reallocates; returns the
/// number of messages seen.
fn decode_all_reads(decoder: &mut Decoder<'_>, bytes: &[u8]) -> usize {
    let mut messages = 0;
    let (mut start, mut end) = (0, 0);
    while end < bytes.len() {
        end = (end + 1460).min(bytes.len());
        loop {
            match decoder.decode(&bytes[start..end]) {
                Decoded::Item { item, consumed } => {
                    if let ami_proto::Item::Message(m) = item {
                        messages += 1;
                        assert!(m.headers().all(|h| !h.key.is_empty()));
                    }
                    start += consumed;
                }
                Decoded::Error { error, .. } => panic!("{error}"),
                Decoded::NeedMore { consumed } => {
                    start += consumed;
                    break;
                }
            }
        }
    }
    messages
}

#[test]
fn decoding_allocates_nothing() {
    let captures: Vec<Vec<u8>> = support::server_captures()
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();

    // Lent slots: not a single allocation.
    let mut slots = vec![Span::default(); 4096];
    let mut decoder = Decoder::with_storage(Config::default(), &mut slots);
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let mut messages = 0;
    for bytes in &captures {
        messages += decode_all_reads(&mut decoder, bytes);
        assert!(decoder.finish(&[]).is_none());
    }
    assert_eq!(
        ALLOCATIONS.load(Ordering::Relaxed) - before,
        0,
        "allocations while decoding with lent slots"
    );
    assert!(messages > 5000);

    // Owned slots: they grow during a first pass, then never again.
    let mut decoder = Decoder::new();
    for bytes in &captures {
        decode_all_reads(&mut decoder, bytes);
        assert!(decoder.finish(&[]).is_none());
    }
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for bytes in &captures {
        decode_all_reads(&mut decoder, bytes);
        assert!(decoder.finish(&[]).is_none());
    }
    assert_eq!(
        ALLOCATIONS.load(Ordering::Relaxed) - before,
        0,
        "allocations after warm-up"
    );
}
