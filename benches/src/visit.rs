//! Decoding loops shared by the benchmarks and the tests, and the two framing baselines
//! the decoder is compared with.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use ami_proto::{Decoded, Decoder, Item, Kind};
use memchr::{memchr, memmem};

/// Decodes `data` as a client would read it from a socket, `read_size` bytes a read
/// (`read_size >= data.len()` decodes the whole buffer in place, without copying), calling
/// `visit` for every item. Returns the number of decoder errors (including one from
/// [`Decoder::finish`] for a cut-off stream).
///
/// Reads are appended to one growing buffer; consumed bytes are dropped from its front only
/// once they are at least half of it, so copying stays linear in the input.
pub fn decode_in_reads(data: &[u8], read_size: usize, mut visit: impl FnMut(&Item<'_>)) -> usize {
    if read_size >= data.len() {
        return decode_in_place(data, read_size, visit);
    }
    let mut decoder = Decoder::new();
    let mut errors = 0;
    let mut buf: Vec<u8> = Vec::with_capacity(read_size.max(64 * 1024) * 2);
    let mut start = 0;
    for read in data.chunks(read_size.max(1)) {
        append_read(&mut buf, &mut start, read);
        start += decode_pending(&mut decoder, &buf[start..], &mut errors, &mut visit);
    }
    errors + usize::from(decoder.finish(&buf[start..]).is_some())
}

/// Decodes `data` where it lies, as if `read_size` more bytes of it had arrived before each
/// call: the decoder sees `data[start..end]`, and nothing is copied. With a small
/// `read_size` this is the decoder's own cost for reads of that size, without the read
/// loop's copying (see [`copy_in_reads`]). Returns the number of decoder errors, as
/// [`decode_in_reads`] does.
pub fn decode_in_place(data: &[u8], read_size: usize, mut visit: impl FnMut(&Item<'_>)) -> usize {
    let mut decoder = Decoder::new();
    let mut errors = 0;
    let (mut start, mut end) = (0, 0);
    while end < data.len() {
        end = end.saturating_add(read_size.max(1)).min(data.len());
        start += decode_pending(&mut decoder, &data[start..end], &mut errors, &mut visit);
    }
    errors + usize::from(decoder.finish(&data[start..]).is_some())
}

/// Decodes every item in `pending`, calling `visit` for each and counting errors, until the
/// decoder needs more bytes. Returns how many bytes of `pending` it consumed.
#[inline(always)]
fn decode_pending(
    decoder: &mut Decoder,
    pending: &[u8],
    errors: &mut usize,
    visit: &mut impl FnMut(&Item<'_>),
) -> usize {
    let mut start = 0;
    loop {
        match decoder.decode(&pending[start..]) {
            Decoded::Item { item, consumed } => {
                visit(&item);
                start += consumed;
            }
            Decoded::Error { consumed, .. } => {
                *errors += 1;
                start += consumed;
            }
            Decoded::NeedMore { consumed } => return start + consumed,
        }
    }
}

/// Appends one read to `buf`, whose first `*start` bytes are consumed: they are dropped
/// only once they are at least half of it, so copying stays linear in the input.
#[inline(always)]
fn append_read(buf: &mut Vec<u8>, start: &mut usize, read: &[u8]) {
    if *start > 0 && *start * 2 >= buf.len() {
        buf.drain(..*start);
        *start = 0;
    }
    buf.extend_from_slice(read);
}

/// Baseline for the read loop of [`decode_in_reads`]: the same appending and compacting
/// of `read_size`-byte reads, with a stand-in "decoder" that consumes everything up to the
/// last LF of the buffer. Returns the bytes consumed.
pub fn copy_in_reads(data: &[u8], read_size: usize) -> usize {
    let mut buf: Vec<u8> = Vec::with_capacity(read_size.max(64 * 1024) * 2);
    let mut start = 0;
    let mut total = 0;
    for read in data.chunks(read_size.max(1)) {
        append_read(&mut buf, &mut start, read);
        if let Some(lf) = memchr::memrchr(b'\n', &buf[start..]) {
            start += lf + 1;
            total += lf + 1;
        }
    }
    total
}

/// The hot path the benchmarks measure: decode in reads of `read_size` and touch every
/// header, returning the total length of all keys, values and Command bodies.
pub fn sum_header_lengths(data: &[u8], read_size: usize) -> usize {
    sum_header_lengths_fed(Feed::Reads, data, read_size)
}

/// How the timed loops hand the input to the decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    /// Copied into a read buffer, as a client does ([`decode_in_reads`]).
    Reads,
    /// Where it lies, growing by a read each call ([`decode_in_place`]).
    InPlace,
}

/// [`sum_header_lengths`] with the input fed as `feed` says.
pub fn sum_header_lengths_fed(feed: Feed, data: &[u8], read_size: usize) -> usize {
    let mut total = 0;
    let visit = |item: &Item<'_>| {
        if let Item::Message(message) = item {
            for header in message.headers() {
                total += header.key.len() + header.value.len();
            }
            total += message.command_body().map_or(0, <[u8]>::len);
        }
    };
    let errors = match feed {
        Feed::Reads => decode_in_reads(data, read_size, visit),
        Feed::InPlace => decode_in_place(data, read_size, visit),
    };
    assert_eq!(errors, 0, "benchmark input does not decode cleanly");
    total
}

/// Typed decoding: decode in reads of `read_size` and type every event with ami-spec's
/// `Event::from_message` (its name resolved; every documented field is then one header
/// lookup away). Returns (events, typed events).
pub fn type_every_event(data: &[u8], read_size: usize) -> (usize, usize) {
    let mut events = 0;
    let mut typed = 0;
    let errors = decode_in_reads(data, read_size, |item| {
        if let Item::Message(message) = item {
            if message.kind() == Kind::Event {
                events += 1;
                let event = ami_spec::Event::from_message(message);
                typed += usize::from(event.is_typed());
            }
        }
    });
    assert_eq!(errors, 0, "benchmark input does not decode cleanly");
    (events, typed)
}

/// Typed decoding that also visits every header, through the typed view: the work of
/// [`sum_header_lengths`] plus typing every event. Returns the same total.
pub fn type_and_visit_every_event(data: &[u8], read_size: usize) -> usize {
    let mut total = 0;
    let errors = decode_in_reads(data, read_size, |item| {
        if let Item::Message(message) = item {
            let event = ami_spec::Event::from_message(message);
            let message = event.as_message();
            for header in message.headers() {
                total += header.key.len() + header.value.len();
            }
            total += message.command_body().map_or(0, <[u8]>::len);
        }
    });
    assert_eq!(errors, 0, "benchmark input does not decode cleanly");
    total
}

/// Runs the loop named `mode` once over `data` and returns its result, for the examples
/// that time or count one loop: `read` (nothing, the length), `memmem`, `lines`, `whole`,
/// `reads:N` (decode in reads of N bytes), `inplace:N` (the same without copying the reads,
/// see [`decode_in_place`]), `copy:N` (the read loop alone), `typed` (typed events),
/// `typed_visit` (typed events, every header visited). Panics on any other name.
pub fn run_loop(mode: &str, data: &[u8]) -> usize {
    let size = |n: &str| n.parse().expect("a read size N");
    match mode.split_once(':') {
        Some(("reads", n)) => sum_header_lengths(data, size(n)),
        Some(("inplace", n)) => sum_header_lengths_fed(Feed::InPlace, data, size(n)),
        Some(("copy", n)) => copy_in_reads(data, size(n)),
        _ => match mode {
            "read" => data.len(),
            "memmem" => count_blank_lines(data),
            "lines" => split_lines_and_colons(data),
            "whole" => sum_header_lengths(data, usize::MAX),
            "typed" => type_every_event(data, usize::MAX).1,
            "typed_visit" => type_and_visit_every_event(data, usize::MAX),
            other => panic!("unknown mode {other}"),
        },
    }
}

/// Baseline: count the blank lines (`\r\n\r\n`) that end messages with `memchr::memmem`,
/// the least work any framing must do.
pub fn count_blank_lines(data: &[u8]) -> usize {
    memmem::find_iter(data, b"\r\n\r\n").count()
}

/// Baseline: the cheapest framing that still splits keys and values: `memchr` for every LF
/// and for the colon of every line, summing key and value lengths, no allocation and no
/// state (no Command bodies, no limits, no chunking).
pub fn split_lines_and_colons(data: &[u8]) -> usize {
    let mut total = 0;
    let mut rest = data;
    while let Some(lf) = memchr(b'\n', rest) {
        let line = &rest[..lf];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if let Some(colon) = memchr(b':', line) {
            let value = &line[colon + 1..];
            let value = value.strip_prefix(b" ").unwrap_or(value);
            total += colon + value.len();
        }
        rest = &rest[lf + 1..];
    }
    total
}

/// What a decoded stream holds, for the generator's tests.
#[derive(Debug, Default)]
pub struct Summary {
    /// Decoder errors.
    pub errors: usize,
    /// Banner lines.
    pub banners: usize,
    /// Messages.
    pub messages: usize,
    /// Distinct `Event:` names.
    pub event_names: BTreeSet<String>,
    /// Events per name.
    pub event_counts: BTreeMap<String, usize>,
    /// `ChanVariable` headers.
    pub chan_variables: usize,
    /// Headers whose key starts with `Report0`.
    pub report0_keys: usize,
    /// `CallerIDName` values that are not ASCII but valid UTF-8.
    pub utf8_caller_names: usize,
    /// Responses with `EventList: start`.
    pub list_starts: usize,
    /// Events with `EventList: Complete`.
    pub list_completes: usize,
    /// Whether every completion event's `ListItems` equals the items seen with its ActionID.
    pub list_items_match: bool,
    /// Legacy `Response: Follows` replies with a body.
    pub follows_bodies: usize,
    /// Total length of the legacy bodies.
    pub body_bytes: usize,
    /// Bodies cut off without `--END COMMAND--`.
    pub truncated: usize,
    /// `Output:` headers.
    pub output_lines: usize,
    /// Responses that are neither lists nor Command replies.
    pub plain_responses: usize,
}

impl Summary {
    /// How many events named `name` were seen.
    pub fn events_named(&self, name: &str) -> usize {
        self.event_counts.get(name).copied().unwrap_or(0)
    }
}

/// Decodes `data` in reads of `read_size` and counts what it holds.
pub fn decode_all(data: &[u8], read_size: usize) -> Summary {
    let mut s = Summary {
        list_items_match: true,
        ..Summary::default()
    };
    let mut open_lists: HashMap<Vec<u8>, usize> = HashMap::new();
    let errors = decode_in_reads(data, read_size, |item| {
        let message = match item {
            Item::Banner(_) => {
                s.banners += 1;
                return;
            }
            Item::Message(message) => message,
            _ => return,
        };
        s.messages += 1;
        s.chan_variables += message.get_all("ChanVariable").count();
        s.output_lines += message.get_all("Output").count();
        s.report0_keys += message
            .headers()
            .filter(|h| h.key.starts_with(b"Report0"))
            .count();
        if let Some(name) = message.get_str("CallerIDName") {
            s.utf8_caller_names += usize::from(!name.is_ascii());
        }
        let action_id = message.action_id().unwrap_or_default().to_vec();
        let list = message.get("EventList");
        match message.kind() {
            Kind::Event => {
                let name = String::from_utf8_lossy(message.name()).into_owned();
                *s.event_counts.entry(name.clone()).or_default() += 1;
                s.event_names.insert(name);
                if list.is_some_and(|v| v.eq_ignore_ascii_case(b"Complete")) {
                    s.list_completes += 1;
                    let seen = open_lists.remove(&action_id);
                    let said = message.get_str("ListItems").and_then(|v| v.parse().ok());
                    if seen.is_none() || seen != said {
                        s.list_items_match = false;
                    }
                } else if let Some(count) = open_lists.get_mut(&action_id) {
                    *count += 1;
                }
            }
            Kind::Response => {
                if list.is_some_and(|v| v.eq_ignore_ascii_case(b"start")) {
                    s.list_starts += 1;
                    open_lists.insert(action_id, 0);
                } else if let Some(body) = message.command_body() {
                    s.follows_bodies += 1;
                    s.body_bytes += body.len();
                    s.truncated += usize::from(message.is_truncated());
                } else if message.get("Output").is_none() {
                    s.plain_responses += 1;
                }
            }
            _ => {}
        }
    });
    s.errors = errors;
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const STREAM: &[u8] = b"Asterisk Call Manager/12.0.0\r\nEvent: A\r\nK: v\r\n\r\nResponse: Follows\r\nActionID: 1\r\nline: one\nline two\n--END COMMAND--\r\n\r\n";

    #[test]
    fn every_read_size_sees_the_same_headers() {
        let whole = sum_header_lengths(STREAM, STREAM.len());
        assert_eq!(
            whole,
            "EventAKv".len() + "ResponseFollowsActionID1".len() + 19
        );
        for read_size in 1..STREAM.len() {
            assert_eq!(sum_header_lengths(STREAM, read_size), whole, "{read_size}");
            let in_place = sum_header_lengths_fed(Feed::InPlace, STREAM, read_size);
            assert_eq!(in_place, whole, "{read_size} in place");
        }
    }

    #[test]
    fn baselines_count_what_they_say() {
        assert_eq!(count_blank_lines(STREAM), 2);
        // Keys and values of every line with a colon, body lines included.
        let expected = "EventAKvResponseFollowsActionID1lineone".len();
        assert_eq!(split_lines_and_colons(STREAM), expected);
    }

    #[test]
    fn copy_baseline_consumes_whole_lines() {
        assert_eq!(copy_in_reads(STREAM, 7), STREAM.len());
        assert_eq!(copy_in_reads(b"ab\ncd", 2), 3);
    }

    #[test]
    fn every_generated_event_is_typed() {
        let stream = crate::generate::busy_pbx_stream(1 << 20);
        let (events, typed) = type_every_event(&stream, 4096);
        assert!(events > 1000);
        assert_eq!(
            typed, events,
            "the generator sends an event the spec does not know"
        );
    }

    #[test]
    fn errors_are_counted() {
        assert_eq!(
            decode_in_reads(b"Event: A\r\nnot a header\r\n\r\n", 4, |_| {}),
            1
        );
        assert_eq!(decode_in_reads(b"Event: A\r\n", 100, |_| {}), 1);
        assert_eq!(decode_in_place(b"Event: A\r\nx\r\n\r\n", 3, |_| {}), 1);
        assert_eq!(decode_in_place(b"Event: A\r\n", 4, |_| {}), 1);
    }
}
