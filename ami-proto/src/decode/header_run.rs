//! The fast path for what most of the bytes are: runs of plain `Key: Value` lines of a
//! message. It classifies 64 bytes at a time into bitmasks (simdjson-style) and walks the
//! line ends, so a line costs a few bit operations instead of a scan of its bytes.
//!
//! It only ever accepts a line that the general path in `decoder/mod.rs` would accept with
//! the same span (tests and the `decode_chunked` fuzz target compare the two, see
//! `fuzzing::disable_fast_path`). Whatever it is unsure of (a blank line, a bare LF, a line
//! without a valid colon, a limit) it leaves to the general path by stopping at the start
//! of that line. A line cut off by the end of the buffer is left too, with a [`RunStart`]
//! that lets the next call go on from the first byte not yet classified.

use crate::message::Span;
pub(crate) use crate::scan::classify::WINDOW;
use crate::scan::classify::{prefetch, Classify, PREFETCH_AHEAD};

/// Bytes ahead of the run above which it prefetches: a buffer this large may not be in
/// the cache, a socket read's is.
const PREFETCH_ABOVE: usize = 64 * 1024;

/// Where the first `:`, space or tab of a line is, once the run has seen one: a position,
/// or [`FirstStop::NOT_SEEN`], which is `usize::MAX` so that the run can take the minimum
/// of it and a position, or compare it with the line's end, as a plain number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FirstStop(usize);

impl FirstStop {
    /// No stop byte in the bytes of the line seen so far.
    pub(crate) const NOT_SEEN: FirstStop = FirstStop(usize::MAX);

    /// The position, or `usize::MAX` when not seen: above every position in the buffer.
    #[inline(always)]
    fn or_max(self) -> usize {
        self.0
    }
}

/// What the run may do.
pub(crate) struct RunLimits {
    pub(crate) max_line: usize,
    pub(crate) max_message: usize,
    /// Accept bare-LF line ends too (lenient mode).
    pub(crate) lenient: bool,
}

/// Where a run starts: at a line start, or where an earlier run on the same line ran out of
/// bytes, so that a line arriving in many reads is classified only once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RunStart {
    /// The start of the current line.
    pub(crate) line: usize,
    /// Where to classify from: `line`, or the end of the bytes an earlier run saw.
    pub(crate) scan_from: usize,
    /// The first `:`, space or tab in `line..scan_from`; there is no LF in those bytes.
    pub(crate) first_stop: FirstStop,
}

impl RunStart {
    /// A run from the start of the line at `line`.
    pub(crate) fn at_line(line: usize) -> Self {
        RunStart {
            line,
            scan_from: line,
            first_stop: FirstStop::NOT_SEEN,
        }
    }
}

/// Where a run stopped.
pub(crate) struct RunEnd {
    /// The start of the first line the run did not take.
    pub(crate) at: usize,
    /// Set when the run read to the end of the buffer (`b[at..]` holds no LF at all): the
    /// first `:`, space or tab in `b[at..]`, which a later run with more bytes needs to go
    /// on from here (see [`RunEnd::left`]).
    pub(crate) ran_out: Option<FirstStop>,
}

impl RunEnd {
    /// Stopped at the line starting at `at`, which the general path must read.
    fn before_line(at: usize) -> Self {
        RunEnd { at, ran_out: None }
    }

    /// What this run, over the buffer `b`, leaves for the next one on the same message.
    ///
    /// The run hands back this small struct rather than a [`RunLeft`], which is larger: a
    /// small read would wait for the copy of a larger one out of memory just written.
    pub(crate) fn left(&self, b: &[u8]) -> RunLeft {
        match self.ran_out {
            Some(first_stop) => RunLeft::Resume(RunStart {
                line: self.at,
                scan_from: b.len(),
                first_stop,
            }),
            None => RunLeft::Stopped(self.at),
        }
    }
}

/// What a run left at the line it ended in, kept by the decoder for the next run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RunLeft {
    /// It ran out of bytes in the line `RunStart::line`: a later run goes on from here.
    Resume(RunStart),
    /// It stopped at the start of this line, which the general path must read: running
    /// again there would only stop again.
    Stopped(usize),
}

/// A run of the fast path: it reads complete header lines of the message in `b` from
/// `start` (the start of a line that is not blank, or of a later line of the message),
/// appending their spans to `slots[*len..]`.
pub(crate) struct HeaderRun<'r> {
    pub(crate) b: &'r [u8],
    pub(crate) start: RunStart,
    pub(crate) slots: &'r mut [Span],
    pub(crate) len: &'r mut usize,
    pub(crate) limits: &'r RunLimits,
}

impl HeaderRun<'_> {
    /// Reads with `classifier`, in code already compiled for it.
    #[inline(always)]
    pub(crate) fn read<C: Classify>(self, classifier: C) -> RunEnd {
        // One copy per line-ending mode keeps the mode test out of the loop.
        if self.limits.lenient {
            run::<C, true>(
                classifier,
                self.b,
                self.start,
                self.slots,
                self.len,
                self.limits,
            )
        } else {
            run::<C, false>(
                classifier,
                self.b,
                self.start,
                self.slots,
                self.len,
                self.limits,
            )
        }
    }
}

/// [`HeaderRun::read`]; `LENIENT` is `limits.lenient`.
#[inline(always)]
fn run<C: Classify, const LENIENT: bool>(
    classifier: C,
    b: &[u8],
    start: RunStart,
    slots: &mut [Span],
    len: &mut usize,
    limits: &RunLimits,
) -> RunEnd {
    let mut line = start.line;
    let mut n = *len;
    // First `:`, space or tab of the current line if it was seen in an earlier window.
    let mut carried_stop = start.first_stop.or_max();
    let mut block = start.scan_from;
    // Bit 0 set when the byte before `block` is a CR (of the current line).
    let mut cr_before = u64::from(block > line && b[block - 1] == b'\r');
    let far = b.len() - block > PREFETCH_ABOVE;
    let end = 'run: {
        while block < b.len() {
            if far {
                prefetch(b, block + PREFETCH_AHEAD);
            }
            // The window that reaches the buffer's end, often the only one of a small
            // read, is classified from the buffer's last 64 bytes (`classify_end`).
            let m = match b.get(block..block + WINDOW) {
                Some(window) if block + WINDOW < b.len() => {
                    classifier.classify(window.try_into().expect("a full window"))
                }
                _ => classifier.classify_end(b, block),
            };
            let crlf = m.lf & ((m.cr << 1) | cr_before);
            let line_ends = if LENIENT { m.lf } else { crlf };
            // A bare LF is value text or a legacy body: the general path decides, so only
            // the line ends before the first one are taken here.
            let bare = m.lf & !line_ends;
            let mut ends = line_ends & (bare & bare.wrapping_neg()).wrapping_sub(1);
            // Whether no line that ends in this window can break a limit: then one test
            // covers every line of the window.
            let window_end = block + WINDOW;
            let within_limits =
                window_end <= limits.max_message && window_end - line <= limits.max_line;
            // The stop bytes of this window from the current line on; those of each line
            // taken are cleared with it.
            let mut stops = m.stop & (u64::MAX << line.saturating_sub(block));
            while ends != 0 {
                let bit = ends.trailing_zeros() as usize;
                ends &= ends - 1;
                let lf = block + bit;
                let end = if LENIENT {
                    lf - ((crlf >> bit) & 1) as usize
                } else {
                    lf - 1
                };
                let next = lf + 1;
                if n >= slots.len()
                    || !within_limits
                        && (next - line > limits.max_line || next > limits.max_message)
                {
                    // A limit to report.
                    break 'run RunEnd::before_line(line);
                }
                // The line's first stop byte: carried from an earlier window, else the first
                // one left in this window (`block + 64` if none).
                let stop_at = carried_stop.min(block + stops.trailing_zeros() as usize);
                if stop_at >= end || stop_at == line || b[stop_at] != b':' {
                    // Not a `Key: Value` line, or a blank one (the message end).
                    break 'run RunEnd::before_line(line);
                }
                let space = usize::from(stop_at + 1 < end && b[stop_at + 1] == b' ');
                slots[n] = Span {
                    key_start: line as u32,
                    key_end: stop_at as u32,
                    value_start: (stop_at + 1 + space) as u32,
                    value_end: end as u32,
                };
                n += 1;
                line = next;
                carried_stop = FirstStop::NOT_SEEN.or_max();
                stops &= (u64::MAX << bit) << 1;
            }
            if bare != 0 {
                break 'run RunEnd::before_line(line);
            }
            // The current line goes on into the next window: carry its first stop byte
            // (`stops` holds only its stop bytes now).
            if stops != 0 {
                carried_stop = carried_stop.min(block + stops.trailing_zeros() as usize);
            }
            cr_before = m.cr >> 63;
            block += WINDOW;
        }
        // Every line end was taken and no bare LF seen: none is left after `line`.
        RunEnd {
            at: line,
            ran_out: Some(FirstStop(carried_stop)),
        }
    };
    *len = n;
    end
}
