//! Small reads that only complete plain header lines.
//!
//! Such a read changes nothing a caller can see: the decoder would take the lines and
//! answer "need more". So instead of a fast-path run, whose setup costs more than the few
//! lines a 64-byte read holds, the decoder checks the read with a few bit operations,
//! answers "need more", and leaves the lines to the next run, which takes them together
//! with whatever else has arrived.
//!
//! The check accepts only what the run accepts without a doubt (CRLF line ends, a key, and
//! a colon as the key's first stop byte), and the decoder uses it only while no limit can
//! be reached, so every call returns exactly what it would have returned without it
//! (`decode_chunked` fuzzes that, call by call).

use crate::scan::classify::{dispatch, Classify, Masks, WithClassifier, WINDOW};

use super::header_run::RunStart;

/// What the bytes read since the last fast-path run end in. Every line they complete
/// was checked to be one the run takes.
///
/// The decoder keeps one in place and the check reads and writes its fields one by one:
/// copying it whole from memory just written by the previous call stalled small reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Checked {
    /// End of the bytes checked (the buffer's length at the last check); `usize::MAX`
    /// when nothing is being checked.
    pub(crate) end: usize,
    /// Start of the line that `end` is in.
    pub(crate) line: usize,
    /// Whether that line's key is known: its first stop byte was seen and is a colon.
    pub(crate) keyed: bool,
    /// Whether the byte before `end` is a CR of that line.
    pub(crate) cr_before: bool,
}

impl Checked {
    /// Nothing checked.
    pub(crate) const NONE: Checked = Checked {
        end: usize::MAX,
        line: 0,
        keyed: false,
        cr_before: false,
    };

    /// Whether nothing is being checked.
    #[inline(always)]
    pub(crate) fn is_none(&self) -> bool {
        self.end == usize::MAX
    }

    /// Starts checking after a run that ran out of bytes at `r`; `false` if the line it
    /// ran out in already has a first stop byte that does not end a key.
    pub(crate) fn start_after(&mut self, b: &[u8], r: RunStart) -> bool {
        let keyed = r.first_stop != usize::MAX;
        if keyed && (r.first_stop == r.line || b.get(r.first_stop) != Some(&b':')) {
            return false;
        }
        *self = Checked {
            end: r.scan_from,
            line: r.line,
            keyed,
            cr_before: r.scan_from > r.line && b.get(r.scan_from - 1) == Some(&b'\r'),
        };
        true
    }

    /// Checks the bytes of `b` after `end` (at most one window) and, if every line they
    /// complete is a plain header line, moves past them. `false` otherwise (nothing
    /// changes), or if there are none.
    #[inline(always)]
    pub(crate) fn check_read(&mut self, b: &[u8]) -> bool {
        match b.get(self.end..) {
            Some(new) if !new.is_empty() && new.len() <= WINDOW => dispatch(Check { new, c: self }),
            _ => false,
        }
    }

    /// [`check_read`](Self::check_read) on the masks of its `len` new bytes.
    #[inline(always)]
    fn take(&mut self, m: Masks, len: usize) -> bool {
        // Every LF ends a CRLF line (a bare LF is for the general path).
        if m.lf & !((m.cr << 1) | u64::from(self.cr_before)) != 0 {
            return false;
        }
        // No key is empty: no colon at a line start.
        let starts = (m.lf << 1) | u64::from(self.end == self.line);
        if m.colon & starts != 0 {
            return false;
        }
        // For each line whose key is not yet known, its first stop byte or, if it has
        // none, its LF: the borrow of subtracting a line's start bit runs up to the first
        // of those bits and stops there, before the next line starts.
        let seeking = (m.lf << 1) | u64::from(!self.keyed);
        let ends = m.stop | m.lf;
        let firsts = ends & (ends ^ ends.wrapping_sub(seeking));
        // Each must be a colon (a LF there is a line without a key, or a blank line).
        if firsts & !m.colon != 0 {
            return false;
        }
        if m.lf == 0 {
            self.keyed |= firsts != 0;
        } else {
            let last = (u64::BITS - 1 - m.lf.leading_zeros()) as usize;
            self.line = self.end + last + 1;
            self.keyed = (firsts >> last) >> 1 != 0;
        }
        self.end += len;
        self.cr_before = (m.cr >> (len - 1)) & 1 != 0;
        true
    }
}

/// The most lines the check can have taken in `b[from..to]`: such a line is at least 4
/// bytes (`k:\r\n`), and the first may have started before `from`.
pub(crate) fn max_lines(from: usize, to: usize) -> usize {
    1 + to.saturating_sub(from) / 4
}

/// The arguments of [`Checked::check_read`], to run with the CPU's best classifier.
struct Check<'b> {
    new: &'b [u8],
    c: &'b mut Checked,
}

impl WithClassifier for Check<'_> {
    type Output = bool;

    #[inline(always)]
    fn run<C: Classify>(self) -> bool {
        let m = match self.new.try_into() {
            Ok(window) => C::classify(window),
            Err(_) => C::classify_tail(self.new),
        };
        self.c.take(m, self.new.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the check should say, line by line: `Some((partial line start, partial line
    /// keyed))` when every line completed in `b[from..]` is CRLF-ended and has a non-empty
    /// key ended by a colon, and the partial line's first stop byte, if any, is a colon
    /// after a key.
    fn reference(b: &[u8], line: usize, from: usize) -> Option<(usize, bool)> {
        let mut start = line;
        let key_ok = |line: &[u8]| {
            let first_stop = line.iter().position(|c| b": \t".contains(c));
            first_stop.map(|i| i > 0 && line[i] == b':')
        };
        for (i, &byte) in b.iter().enumerate().skip(from) {
            if byte == b'\n' {
                if i == start || b[i - 1] != b'\r' || key_ok(&b[start..i]) != Some(true) {
                    return None;
                }
                start = i + 1;
            }
        }
        match key_ok(&b[start..]) {
            Some(false) => None,
            keyed => Some((start, keyed == Some(true))),
        }
    }

    /// Runs the check the way the decoder does: from a run that ran out at `line` after
    /// seeing `b[..from]`, then one read per `step` bytes.
    fn checked(b: &[u8], line: usize, from: usize, step: usize) -> Option<(usize, bool)> {
        let first_stop = b[line..from]
            .iter()
            .position(|c| b": \t".contains(c))
            .map_or(usize::MAX, |i| line + i);
        let mut c = Checked::NONE;
        let r = RunStart {
            line,
            scan_from: from,
            first_stop,
        };
        if !c.start_after(b, r) {
            return None;
        }
        while c.end < b.len() {
            let end = (c.end + step).min(b.len());
            let before = c;
            if !c.check_read(&b[..end]) {
                assert_eq!(c, before, "a refused read changes nothing");
                return None;
            }
            assert_eq!(c.cr_before, b[end - 1] == b'\r' && end > c.line);
        }
        Some((c.line, c.keyed))
    }

    #[test]
    fn accepts_only_plain_header_lines() {
        let cases: &[&[u8]] = &[
            b"Event: Newchannel\r\nChannel: PJSIP/1\r\nUniq",
            b"Event: Newchannel\r\nChannel: PJSIP/1\r\n",
            b"Key:value\r\nK: v\r\nK",
            b"Key: a b: c\r\nNext",
            b"Key: v\r\n\r\n",
            b"Key: v\r\n\r",
            b"Key: v\r\n: v\r\n",
            b"Key v: x\r\n",
            b"Key\tv: x\r\n",
            b"Key: v\nmore\r\n",
            b"Key\r\n",
            b"Key: v\r\nNo colon here\r\n",
            b"Key: v\r\nPartial key",
            b"Key: v\r\nPartial key: x",
            b"Key: v\r\n:",
            b"Key: a\rb\r\n",
            b"\r\n",
            b"K: v\r\n\n",
        ];
        for case in cases {
            for from in 0..case.len() {
                for step in [1, 2, 3, 7, 64] {
                    // The run ran out at the start of the line `from` is in.
                    let line = case[..from]
                        .iter()
                        .rposition(|&c| c == b'\n')
                        .map_or(0, |i| i + 1);
                    let expected = reference(case, line, from);
                    let got = checked(case, line, from, step);
                    let shown = case.escape_ascii();
                    assert_eq!(got, expected, "{shown} from {from} by {step}");
                }
            }
        }
    }

    #[test]
    fn refuses_reads_larger_than_a_window_or_empty() {
        let b = [b"K: v\r\n".as_slice(); 12].concat();
        let mut c = Checked::NONE;
        assert!(!c.check_read(&b[..WINDOW]), "nothing is being checked");
        assert!(c.start_after(&b, RunStart::at_line(0)));
        assert!(!c.check_read(&b[..0]));
        assert!(!c.check_read(&b[..WINDOW + 1]));
        assert!(c.check_read(&b[..WINDOW]));
        assert_eq!((c.end, c.line, c.keyed), (WINDOW, 60, true));
    }

    #[test]
    fn a_line_whose_first_stop_is_no_colon_is_left_to_the_run() {
        let b = b"Bad key: v";
        let r = RunStart {
            line: 0,
            scan_from: 5,
            first_stop: 3,
        };
        assert!(!Checked::NONE.clone().start_after(b, r));
    }

    /// The decoder takes the check for reads that complete plain header lines, and a run
    /// for the read that brings the blank line.
    #[test]
    fn the_decoder_checks_small_reads_and_runs_at_the_message_end() {
        use crate::{Decoded, Decoder, Item};
        let stream = b"Event: Newchannel\r\nChannel: PJSIP/1\r\nUniqueid: 1\r\nLinkedid: 1\r\n\r\n";
        let mut decoder = Decoder::new();
        let mut checked_reads = 0;
        let mut items = 0;
        for end in (8..stream.len()).step_by(8).chain([stream.len()]) {
            match decoder.decode(&stream[..end]) {
                Decoded::NeedMore { consumed: 0 } => {
                    checked_reads += usize::from(!decoder.checked.is_none());
                }
                Decoded::Item {
                    item: Item::Message(m),
                    consumed,
                } => {
                    assert_eq!((m.len(), consumed), (4, stream.len()));
                    items += 1;
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(items, 1);
        assert!(checked_reads >= 4, "{checked_reads} reads checked");
        assert!(decoder.checked.is_none());
    }
}
