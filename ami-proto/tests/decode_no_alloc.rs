//! The hot path does not allocate: with lent header slots never, with owned slots not once
//! they have grown to the largest message. Checked with a counting global allocator.
//!
//! Only allocations on the decoding thread count: the decoder runs on its caller's thread,
//! and the test harness's own thread may allocate at any time while a test runs.

mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use ami_proto::{Config, Decoded, Decoder, Span};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Whether this thread's allocations are counted (const-initialised and without a
    /// destructor, so reading it never allocates).
    static COUNTED: Cell<bool> = const { Cell::new(false) };
}

/// Allocations made on this thread while `f` runs.
fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    COUNTED.with(|c| c.set(true));
    f();
    COUNTED.with(|c| c.set(false));
    ALLOCATIONS.load(Ordering::Relaxed) - before
}

// SAFETY: forwards to the system allocator unchanged; only counts calls.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTED.try_with(Cell::get).unwrap_or(false) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
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
    let mut messages = 0;
    let allocations = allocations_during(|| {
        for bytes in &captures {
            messages += decode_all_reads(&mut decoder, bytes);
            assert!(decoder.finish(&[]).is_none());
        }
    });
    assert_eq!(allocations, 0, "allocations while decoding with lent slots");
    assert!(messages > 5000);

    // Owned slots: they grow during a first pass, then never again.
    let mut decoder = Decoder::new();
    let first_pass = allocations_during(|| {
        for bytes in &captures {
            decode_all_reads(&mut decoder, bytes);
            assert!(decoder.finish(&[]).is_none());
        }
    });
    assert!(
        first_pass > 0,
        "the owned slots did not grow: nothing was counted"
    );
    let allocations = allocations_during(|| {
        for bytes in &captures {
            decode_all_reads(&mut decoder, bytes);
            assert!(decoder.finish(&[]).is_none());
        }
    });
    assert_eq!(allocations, 0, "allocations after warm-up");
}
