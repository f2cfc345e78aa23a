//! The properties the fuzz targets check, as plain functions.
//!
//! The cargo-fuzz targets in `fuzz/` are one-line wrappers around these, and
//! `tests/regressions.rs` replays every saved input of `corpus/fuzz/regressions/` through
//! them, so a crash found by the fuzzer stays a failing `cargo test` until it is fixed.
//! Every function panics when a property does not hold.

use ami_proto::{
    Config, Decoded, Decoder, Error, ErrorKind, Item, Kind, Limits, LineEndings, Message,
    OwnedItem, Span,
};
use arbitrary::{Arbitrary, Unstructured};

/// `ajam_decode`: ami-http's mxml and manager readers and its `WWW-Authenticate` and
/// `Set-Cookie` parsers (the check lives in `ami_http::fuzzing`, next to what it checks).
pub use ami_http::fuzzing::ajam_decode;

mod filter;
mod json_action;
mod proxy;

pub use filter::{filter_line, manager_conf};
pub use json_action::json_action;
pub use proxy::proxy_session;

/// Read sizes that [`decode_stream`] picks from (0 = the whole input at once).
const READ_SIZES: [usize; 16] = [
    0, 1, 2, 3, 5, 7, 16, 31, 64, 100, 255, 512, 1460, 4096, 65536, 0,
];

/// Decoder settings picked by one selector byte: bit 0 the line-ending policy, bits 1-2 the
/// limits (defaults, or three small sets so that every limit is hit), bit 3 lent storage.
pub fn config_from_selector(selector: u8) -> (Config, bool) {
    let line_endings = if selector & 1 == 0 {
        LineEndings::Crlf
    } else {
        LineEndings::Lenient
    };
    let limits = match (selector >> 1) & 3 {
        0 => Limits::DEFAULT,
        1 => Limits::DEFAULT
            .with_max_line(16)
            .with_max_message(64)
            .with_max_headers(4),
        2 => Limits::DEFAULT
            .with_max_line(80)
            .with_max_message(600)
            .with_max_headers(12),
        _ => Limits::DEFAULT
            .with_max_line(1)
            .with_max_message(3)
            .with_max_headers(1),
    };
    let config = Config::default()
        .with_line_endings(line_endings)
        .with_limits(limits);
    (config, selector & 8 != 0)
}

/// Header slots lent to the decoder when a selector asks for lent storage: fewer than the
/// default limit, so [`ami_proto::ErrorKind::StorageFull`] is reachable too.
const LENT_SLOTS: usize = 8;

/// Runs `f` with a decoder made from `selector` (see [`config_from_selector`]).
fn with_decoder<R>(selector: u8, f: impl FnOnce(&mut Decoder<'_>) -> R) -> R {
    let (config, lent) = config_from_selector(selector);
    let mut slots = [Span::default(); LENT_SLOTS];
    let mut decoder = if lent {
        Decoder::with_storage(config, &mut slots)
    } else {
        Decoder::with_config(config)
    };
    f(&mut decoder)
}

/// `decode_stream`: the first byte picks the settings (see [`config_from_selector`]) and,
/// in its high nibble, a read size; the rest is fed to the decoder in reads of that size,
/// as a network client would. Checks that the decoder never panics, never consumes more
/// than it was given, always makes progress, keeps its stream position, and never asks
/// the caller to keep more unconsumed bytes than `max_message` allows.
pub fn decode_stream(input: &[u8]) {
    let Some((&selector, data)) = input.split_first() else {
        return;
    };
    let (config, lent) = config_from_selector(selector);
    let read_size = match READ_SIZES[usize::from(selector >> 4)] {
        0 => data.len().max(1),
        n => n,
    };
    with_decoder(selector, |decoder| {
        let mut buf: Vec<u8> = Vec::new();
        let mut fed = 0;
        let mut zero_steps = 0;
        loop {
            let read = read_size.min(data.len() - fed);
            buf.extend_from_slice(&data[fed..fed + read]);
            fed += read;
            // Decode everything this read made complete.
            loop {
                let before = decoder.position();
                let result = decoder.decode(&buf);
                let consumed = result.consumed();
                assert!(
                    consumed <= buf.len(),
                    "consumed {consumed} of {}",
                    buf.len()
                );
                let need_more = matches!(result, Decoded::NeedMore { .. });
                match result {
                    Decoded::Item { item, .. } => check_item(&item, &config, lent),
                    Decoded::Error { error, .. } => {
                        assert!(error.offset >= error.message_offset, "{error:?}");
                        assert!(error.offset <= fed as u64, "{error:?} past {fed}");
                        assert_eq!(error.message_offset, before + consumed as u64);
                    }
                    Decoded::NeedMore { .. } => {}
                }
                assert_eq!(decoder.position(), before + consumed as u64);
                buf.drain(..consumed);
                if need_more {
                    // All a client has to keep is bounded by the limits.
                    let kept = buf.len();
                    assert!(
                        kept <= config.limits.max_message.max(2),
                        "kept {kept} bytes with max_message {}",
                        config.limits.max_message
                    );
                    break;
                }
                // An item or error that used no bytes must be followed by progress.
                if consumed == 0 {
                    zero_steps += 1;
                    assert!(zero_steps < 2, "two calls in a row without progress");
                } else {
                    zero_steps = 0;
                }
            }
            zero_steps = 0;
            if fed == data.len() {
                break;
            }
        }
        if let Some(error) = decoder.finish(&buf) {
            assert_eq!(error.kind, ErrorKind::UnexpectedEof);
        }
        assert_eq!(decoder.position(), data.len() as u64);
    });
}

/// Checks the invariants of one decoded item against the limits in force.
fn check_item(item: &Item<'_>, config: &Config, lent: bool) {
    let limits = config.limits;
    match item {
        Item::Banner(line) => {
            assert!(line.len() <= limits.max_line, "banner of {}", line.len());
            assert!(!line.contains(&b'\n'));
        }
        Item::Text(text) => assert!(text.len() <= limits.max_message),
        Item::Message(message) => {
            let bytes = message.as_bytes();
            assert!(
                bytes.len() <= limits.max_message,
                "message of {}",
                bytes.len()
            );
            assert!(!message.is_empty());
            assert!(message.len() <= limits.max_headers);
            if lent {
                assert!(message.len() <= LENT_SLOTS);
            }
            assert_eq!(message.headers().count(), message.len());
            let first = message.header_at(0);
            assert_eq!(message.kind(), Kind::from_first_key(first.key));
            assert_eq!(message.name(), first.value);
            for header in message.headers() {
                assert!(!header.key.is_empty());
                assert!(header.key.len() + header.value.len() < bytes.len());
                assert!(!header.key.contains(&b':'));
                if config.line_endings == LineEndings::Lenient {
                    assert!(!header.value.contains(&b'\n'));
                }
            }
            if let Some(body) = message.command_body() {
                assert!(message.is_follows());
                assert!(body.len() < bytes.len());
            }
            let output_lines = message.command_output().count();
            assert!(output_lines <= bytes.len());
        }
        other => panic!("an item kind this check does not know: {other:?}"),
    }
}

/// An owned copy of everything one decoding step reported, to compare two decodings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owned {
    /// A [`Decoded::Item`].
    Item(OwnedItem),
    /// A [`Decoded::Error`].
    Error(Error),
    /// What [`Decoder::finish`] said at the end of the stream.
    Finish(Option<Error>),
}

impl Owned {
    /// The message, if this is one.
    pub fn message(&self) -> Option<Message<'_>> {
        match self {
            Owned::Item(OwnedItem::Message(m)) => Some(m.message()),
            _ => None,
        }
    }
}

/// Decodes `data` in reads whose sizes cycle through `reads` (an empty list = one read of
/// everything), returning every item, error and the final [`Decoder::finish`] result.
pub fn decode_in_reads(decoder: &mut Decoder<'_>, data: &[u8], reads: &[usize]) -> Vec<Owned> {
    let mut out = Vec::new();
    let mut buf: Vec<u8> = Vec::new();
    let mut fed = 0;
    let mut sizes = reads.iter().copied().cycle();
    loop {
        let size = sizes.next().unwrap_or(data.len()).max(1);
        let read = size.min(data.len() - fed);
        buf.extend_from_slice(&data[fed..fed + read]);
        fed += read;
        loop {
            match decoder.decode(&buf) {
                Decoded::Item { item, consumed } => {
                    out.push(Owned::Item(OwnedItem::new(&item)));
                    buf.drain(..consumed);
                }
                Decoded::Error { error, consumed } => {
                    out.push(Owned::Error(error));
                    buf.drain(..consumed);
                }
                Decoded::NeedMore { consumed } => {
                    buf.drain(..consumed);
                    break;
                }
            }
        }
        if fed == data.len() {
            break;
        }
    }
    out.push(Owned::Finish(decoder.finish(&buf)));
    out
}

/// Input of `decode_chunked`: a settings selector, read sizes and the stream.
///
/// Its [`Arbitrary`] layout is deliberately simple so seeds can be written by hand: byte 0
/// is the selector, byte 1 (mod 17) the number of read sizes, then one byte per read size
/// (a read of `byte + 1` bytes; the list repeats), and the rest is the stream.
#[derive(Debug, Clone)]
pub struct ChunkedInput {
    /// Settings, see [`config_from_selector`].
    pub selector: u8,
    /// Read sizes, cycled; empty means one read.
    pub reads: Vec<usize>,
    /// The bytes the server sent.
    pub data: Vec<u8>,
}

impl<'a> Arbitrary<'a> for ChunkedInput {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let selector = u8::arbitrary(u)?;
        let count = usize::from(u8::arbitrary(u)? % 17);
        let reads = u
            .bytes(count)?
            .iter()
            .map(|&b| usize::from(b) + 1)
            .collect();
        let data = u.bytes(u.len())?.to_vec();
        Ok(ChunkedInput {
            selector,
            reads,
            data,
        })
    }
}

impl ChunkedInput {
    /// Builds the raw fuzzer input that [`Arbitrary`] turns back into `self` (for seeds).
    /// Read sizes must be in `1..=256` and at most 16 of them.
    pub fn to_bytes(&self) -> Vec<u8> {
        assert!(self.reads.len() <= 16);
        let mut out = vec![self.selector, self.reads.len() as u8];
        for &r in &self.reads {
            assert!((1..=256).contains(&r));
            out.push((r - 1) as u8);
        }
        out.extend_from_slice(&self.data);
        out
    }
}

/// `decode_chunked`: decoding in the given reads gives exactly the items, errors and end
/// result of decoding the whole stream in one buffer, and so does the general path alone
/// (the fast path for header lines turned off).
pub fn decode_chunked(input: &ChunkedInput) {
    let whole = with_decoder(input.selector, |d| decode_in_reads(d, &input.data, &[]));
    let general = with_decoder(input.selector, |d| {
        ami_proto::fuzzing::disable_fast_path(d);
        decode_in_reads(d, &input.data, &[])
    });
    compare("the general path", &whole, &general);
    let chunked = with_decoder(input.selector, |d| {
        decode_in_reads(d, &input.data, &input.reads)
    });
    compare(&format!("reads {:?}", input.reads), &whole, &chunked);
}

/// Panics, showing the first difference, unless `other` (decoded as `what` says) equals
/// the whole-buffer result.
fn compare(what: &str, whole: &[Owned], other: &[Owned]) {
    if whole != other {
        let at = whole
            .iter()
            .zip(other)
            .position(|(a, b)| a != b)
            .unwrap_or(whole.len().min(other.len()));
        panic!(
            "{what} differs from one buffer at item {at}:\n whole: {}\n other: {}",
            describe(whole.get(at)),
            describe(other.get(at)),
        );
    }
}

/// A short readable form of one decoding result for failure messages.
fn describe(owned: Option<&Owned>) -> String {
    let text = |b: &[u8]| {
        let s = b.escape_ascii().to_string();
        match s.char_indices().nth(200) {
            Some((i, _)) => format!("{}...", &s[..i]),
            None => s,
        }
    };
    match owned {
        None => "nothing".to_string(),
        Some(Owned::Item(OwnedItem::Banner(b))) => format!("banner \"{}\"", text(b)),
        Some(Owned::Item(OwnedItem::Text(b))) => format!("text \"{}\"", text(b)),
        Some(Owned::Item(OwnedItem::Message(m))) => {
            let m = m.message();
            format!(
                "message \"{}\" (body: {}, truncated: {})",
                text(m.as_bytes()),
                m.command_body().map_or(0, <[u8]>::len),
                m.is_truncated()
            )
        }
        Some(other) => format!("{other:?}"),
    }
}

/// Input of `encode_roundtrip`: an action name and its headers.
///
/// [`Arbitrary`] layout (simple, so seeds can be made from real requests): one length
/// byte and the action name (lossy UTF-8), then until the input ends, per header: one
/// length byte and the key, two length bytes (big-endian) and the value. A length longer
/// than what is left takes what is left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodeInput {
    /// The action name.
    pub action: String,
    /// `(key, value)` pairs in order.
    pub headers: Vec<(Vec<u8>, Vec<u8>)>,
}

impl<'a> Arbitrary<'a> for EncodeInput {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        fn take<'a>(u: &mut Unstructured<'a>, len: usize) -> arbitrary::Result<&'a [u8]> {
            u.bytes(len.min(u.len()))
        }
        let len = usize::from(u8::arbitrary(u)?);
        let action = String::from_utf8_lossy(take(u, len)?).into_owned();
        let mut headers = Vec::new();
        while !u.is_empty() {
            let len = usize::from(u8::arbitrary(u)?);
            let key = take(u, len)?.to_vec();
            let len = take(u, 2)?.iter().fold(0, |n, &b| n << 8 | usize::from(b));
            let value = take(u, len)?.to_vec();
            headers.push((key, value));
        }
        Ok(EncodeInput { action, headers })
    }
}

impl EncodeInput {
    /// Builds the raw fuzzer input that [`Arbitrary`] turns back into `self` (for seeds).
    /// Names and keys must be shorter than 256 bytes, values than 65,536.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![u8::try_from(self.action.len()).expect("action name too long")];
        out.extend_from_slice(self.action.as_bytes());
        for (key, value) in &self.headers {
            out.push(u8::try_from(key.len()).expect("key too long"));
            out.extend_from_slice(key);
            let len = u16::try_from(value.len()).expect("value too long");
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(value);
        }
        out
    }
}

/// `encode_roundtrip`: an action either encodes and decodes back to exactly its headers
/// (one message, in both line-ending modes, the same bytes as encoding into a slice), or is
/// refused without writing anything. An action with CR or LF anywhere is always refused, so
/// nothing refused or accepted can inject a second header line or message.
pub fn encode_roundtrip(input: &EncodeInput) {
    let prefix = b"Action: Previous\r\n\r\n";
    let mut out = prefix.to_vec();
    let headers = || input.headers.iter().map(|(k, v)| (k, v));
    let result = ami_proto::encode_to_vec(&input.action, headers(), &mut out);
    let breaks_line = |b: &[u8]| b.contains(&b'\r') || b.contains(&b'\n');
    let has_line_break = breaks_line(input.action.as_bytes())
        || input
            .headers
            .iter()
            .any(|(k, v)| breaks_line(k) || breaks_line(v));
    if result.is_err() {
        assert_eq!(&out[..], &prefix[..], "a refused action changed the output");
        return;
    }
    assert!(
        !has_line_break,
        "encoded an action with CR or LF: {input:?}"
    );
    let wire = &out[prefix.len()..];

    let mut slice = vec![0u8; wire.len()];
    let n = ami_proto::encode(&input.action, headers(), &mut slice).expect("fits exactly");
    assert_eq!(&slice[..n], wire, "encode and encode_to_vec disagree");

    let mut expected = vec![(b"Action".to_vec(), input.action.as_bytes().to_vec())];
    expected.extend(input.headers.iter().cloned());
    for line_endings in [LineEndings::Crlf, LineEndings::Lenient] {
        let config = Config::default()
            .with_line_endings(line_endings)
            .with_limits(Limits::DEFAULT);
        let items = decode_in_reads(&mut Decoder::with_config(config), wire, &[]);
        let action = match &items[..] {
            [item, Owned::Finish(None)] => item
                .message()
                .filter(|m| m.kind() == Kind::Action && m.command_body().is_none()),
            _ => None,
        };
        let Some(action) = action else {
            panic!("{line_endings:?}: not one action: {items:?}");
        };
        let headers: Vec<(Vec<u8>, Vec<u8>)> = action
            .headers()
            .map(|h| (h.key.to_vec(), h.value.to_vec()))
            .collect();
        assert_eq!(headers, expected, "{line_endings:?}");
    }
}

/// `spec_dump`: any text into the `manager show` dump parsers of ami-spec-gen (a single
/// doc or observed entry, the event table, the action table): no panic, and errors can be
/// displayed.
pub fn spec_dump(input: &[u8]) {
    let text = String::from_utf8_lossy(input);
    if let Err(e) = ami_spec_gen::dump::parse_doc(&text) {
        let _ = e.to_string();
    }
    if let Err(e) = ami_spec_gen::dump::parse_event_list(&text) {
        let _ = e.to_string();
    }
    if let Err(e) = ami_spec_gen::dump::parse_action_list(&text) {
        let _ = e.to_string();
    }
}

/// `typed_event`: the first byte picks decoder settings (see [`config_from_selector`]), the
/// rest is decoded; every message goes through ami-spec's typed decoders
/// (`Event::from_message`, `Response::from_message`). Checks: no panic, the typed value
/// views the same message, an event is typed exactly when its name is one the spec lists,
/// and every header after the name is read by exactly one of an accessor, a numbered
/// family or the extras.
pub fn typed_event(input: &[u8]) {
    let Some((&selector, data)) = input.split_first() else {
        return;
    };
    with_decoder(selector, |decoder| {
        let mut rest = data;
        loop {
            match decoder.decode(rest) {
                Decoded::Item { item, consumed } => {
                    if let Item::Message(message) = item {
                        check_typed(&message);
                    }
                    rest = &rest[consumed..];
                }
                Decoded::Error { consumed, .. } => rest = &rest[consumed..],
                Decoded::NeedMore { .. } => break,
            }
        }
    });
}

fn check_typed(message: &ami_proto::Message<'_>) {
    let event = ami_spec::Event::from_message(message);
    assert_eq!(event.as_message().as_bytes(), message.as_bytes());
    if message.kind() == Kind::Event {
        let listed = ami_spec::EVENT_NAMES
            .iter()
            .any(|n| message.name().eq_ignore_ascii_case(n.as_bytes()));
        assert_eq!(
            event.is_typed(),
            listed,
            "{:?}",
            message.name().escape_ascii()
        );
        let layout = event.layout();
        let keys = layout
            .keys
            .iter()
            .filter(|k| message.get(k).is_some())
            .count();
        let family: usize = layout
            .families
            .iter()
            .map(|f| ami_spec::typed::Group::new(*message, f).iter().count())
            .sum();
        let extra = event.extra().iter().count();
        assert_eq!(
            1 + keys + family + extra,
            message.len(),
            "a header is read twice or not at all"
        );
    } else {
        assert!(!event.is_typed());
    }
    match ami_spec::Response::from_message(message) {
        Some(response) => {
            assert_eq!(message.kind(), Kind::Response);
            assert_eq!(response.as_message().name(), message.name());
            assert!(response.extra().iter().count() < message.len());
        }
        None => assert_ne!(message.kind(), Kind::Response),
    }
}

/// `session`: the first byte picks the login (none, plain, MD5) and a read size, the rest is
/// what the server sends to ami-proto's sans-IO [`ami_proto::Connection`], which has sent
/// a login and a few actions with ActionIDs `cap-1`, `cap-2`, ... (as in the real
/// transcripts). Checks: no panic; feeding the bytes in reads gives exactly the events and
/// transmitted bytes of one read; everything transmitted decodes to actions only; replies
/// and list items name only ActionIDs that were sent; list items count up from 0; the
/// stream ends with one `Closed` event and the state `Closed`.
pub fn session(input: &[u8]) {
    let Some((&selector, data)) = input.split_first() else {
        return;
    };
    let read_size = match READS_FOR_SESSION[usize::from(selector >> 4)] {
        0 => data.len().max(1),
        n => n,
    };
    let whole = run_session(selector, data, data.len().max(1));
    let chunked = run_session(selector, data, read_size);
    assert_eq!(
        whole, chunked,
        "reads of {read_size} bytes change the session"
    );
}

/// Read sizes for [`session`] (0 = one read).
const READS_FOR_SESSION: [usize; 16] =
    [0, 1, 2, 3, 7, 16, 64, 100, 512, 1460, 4096, 0, 5, 11, 33, 0];

/// What one session run did: the events and every transmitted byte string.
#[derive(Debug, PartialEq)]
struct SessionLog {
    events: Vec<ami_proto::ConnEvent>,
    sent: Vec<Vec<u8>>,
}

fn run_session(selector: u8, data: &[u8], read_size: usize) -> SessionLog {
    use ami_proto::{ActionIdAllocator, ConnEvent, ConnState, Connection, Credentials};
    use std::collections::HashMap;

    let ids = ActionIdAllocator::new("cap-").expect("a valid prefix");
    let mut conn: Connection<'static, 8> = Connection::with_ids(ids);
    let mut log = SessionLog {
        events: Vec::new(),
        sent: Vec::new(),
    };
    match selector & 3 {
        0 => {}
        1 => conn.login(Credentials::plain("admin", "amp111")).unwrap(),
        _ => conn
            .login(Credentials::md5("admin", "amp111").with_events("on"))
            .unwrap(),
    }
    let mut sent_ids = Vec::new();
    for (action, headers) in [
        ("Ping", &[][..]),
        ("CoreShowChannels", &[][..]),
        ("Command", &[("Command", "core show channels")][..]),
    ] {
        let action = headers
            .iter()
            .fold(ami_proto::GenericAction::new(action), |a, (k, v)| {
                a.header(k, v)
            });
        if let Ok(id) = conn.send(&action) {
            sent_ids.push(id);
        }
    }
    let mut list_index: HashMap<Vec<u8>, u32> = HashMap::new();
    let mut drain = |conn: &mut Connection<'static, 8>, log: &mut SessionLog| {
        while let Some(bytes) = conn.poll_transmit() {
            let items = decode_in_reads(&mut Decoder::new(), &bytes, &[]);
            for item in &items {
                let is_action = item.message().is_some_and(|m| m.kind() == Kind::Action);
                if !is_action && *item != Owned::Finish(None) {
                    panic!("transmitted something that is not an action: {item:?}");
                }
            }
            log.sent.push(bytes);
        }
        while let Some(event) = conn.poll_event() {
            assert!(
                !matches!(log.events.last(), Some(ConnEvent::Closed { .. })),
                "an event after Closed: {event:?}"
            );
            if let ConnEvent::ListItem { id, index, .. } = &event {
                let next = list_index.entry(id.as_bytes().to_vec()).or_insert(0);
                assert_eq!(*index, *next, "list items out of order");
                *next += 1;
            }
            if let ConnEvent::Response { id, .. }
            | ConnEvent::ListItem { id, .. }
            | ConnEvent::ListEnd { id, .. }
            | ConnEvent::ActionEvent { id, .. } = &event
            {
                let ours = id.as_bytes().starts_with(b"cap-");
                assert!(ours, "an event for an ActionID never sent: {id:?}");
            }
            log.events.push(event);
        }
    };
    drain(&mut conn, &mut log);
    for read in data.chunks(read_size) {
        conn.handle_input(read);
        drain(&mut conn, &mut log);
    }
    conn.handle_eof();
    drain(&mut conn, &mut log);
    assert_eq!(conn.state(), ConnState::Closed);
    assert!(matches!(log.events.last(), Some(ConnEvent::Closed { .. })));
    log
}

/// `capture_load`: a capture's three files through `ami_replay::Capture` and, when they
/// load, through the script a replay server plays and a session fed the capture's own
/// client side (see `ami_replay::fuzzing::check_capture` for what is checked).
///
/// Byte 0 picks the layout. Even: the files as they are: two big-endian `u16` lengths, the
/// server file, the client file, and the rest is the timeline. Odd: socket reads and writes,
/// from which three files that agree are written, so that the fuzzer gets past the checks
/// of agreement: per chunk one byte (bit 0: the server sent it; bits 1-7: milliseconds
/// since the previous chunk), a big-endian `u16` length, the bytes.
pub fn capture_load(input: &[u8]) {
    let (server, client, timeline) = capture_files(input);
    ami_replay::fuzzing::check_capture(&server, &client, &timeline);
}

/// The three files a `capture_load` input stands for: (server, client, timeline).
pub fn capture_files(input: &[u8]) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let Some((&layout, rest)) = input.split_first() else {
        return Default::default();
    };
    let take = |data: &mut &[u8], n: usize| {
        let n = n.min(data.len());
        let (head, tail) = data.split_at(n);
        *data = tail;
        head.to_vec()
    };
    let mut data = rest;
    let u16_of = |data: &mut &[u8]| {
        let b = take(data, 2);
        b.iter().fold(0usize, |n, &x| n << 8 | usize::from(x))
    };
    if layout % 2 == 0 {
        let server_len = u16_of(&mut data);
        let client_len = u16_of(&mut data);
        let server = take(&mut data, server_len);
        let client = take(&mut data, client_len);
        return (server, client, data.to_vec());
    }
    let (mut server, mut client, mut timeline) = (Vec::new(), Vec::new(), String::new());
    let mut millis = 0u64;
    while let Some((&head, tail)) = data.split_first() {
        data = tail;
        let len = u16_of(&mut data);
        let bytes = take(&mut data, len);
        millis += u64::from(head >> 1);
        let dir = if head & 1 == 1 { "s2c" } else { "c2s" };
        if head & 1 == 1 {
            server.extend_from_slice(&bytes);
        } else {
            client.extend_from_slice(&bytes);
        }
        timeline.push_str(&format!(
            "{{\"t\": {}.{:03}, \"dir\": \"{dir}\", \"len\": {}, \"b64\": \"{}\"}}\n",
            millis / 1000,
            millis % 1000,
            bytes.len(),
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &bytes)
        ));
    }
    (server, client, timeline.into_bytes())
}

/// A `capture_load` input in the first layout: the three files as they are.
pub fn capture_input_files(server: &[u8], client: &[u8], timeline: &[u8]) -> Vec<u8> {
    let mut out = vec![0];
    for part in [server, client] {
        let len = u16::try_from(part.len()).expect("a seed file fits in 64 KiB");
        out.extend_from_slice(&len.to_be_bytes());
    }
    out.extend_from_slice(server);
    out.extend_from_slice(client);
    out.extend_from_slice(timeline);
    out
}

/// A `capture_load` input in the second layout: (server sent it, milliseconds since the
/// previous chunk, bytes) for each socket read or write.
pub fn capture_input_chunks(chunks: &[(bool, u64, &[u8])]) -> Vec<u8> {
    let mut out = vec![1];
    for &(server, millis, bytes) in chunks {
        out.push((millis.min(127) as u8) << 1 | u8::from(server));
        let len = u16::try_from(bytes.len()).expect("a seed chunk fits in 64 KiB");
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(bytes);
    }
    out
}

/// Runs the check of fuzz target `target` on one raw fuzzer input, as the fuzz target would
/// (inputs that the target's [`Arbitrary`] type rejects are skipped). Returns false for an
/// unknown target name.
pub fn replay(target: &str, input: &[u8]) -> bool {
    match target {
        "decode_stream" => decode_stream(input),
        "decode_chunked" => {
            if let Ok(input) = ChunkedInput::arbitrary_take_rest(Unstructured::new(input)) {
                decode_chunked(&input);
            }
        }
        "encode_roundtrip" => {
            if let Ok(input) = EncodeInput::arbitrary_take_rest(Unstructured::new(input)) {
                encode_roundtrip(&input);
            }
        }
        "spec_dump" => spec_dump(input),
        "typed_event" => typed_event(input),
        "session" => session(input),
        "ajam_decode" => ajam_decode(input),
        "capture_load" => capture_load(input),
        "filter_line" => filter_line(input),
        "manager_conf" => manager_conf(input),
        "json_action" => json_action(input),
        "proxy_session" => proxy_session(input),
        _ => return false,
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use ami_proto::ConnEvent;

    /// Both `capture_load` layouts give back the files of a real capture, and they load.
    #[test]
    fn capture_layouts_give_back_a_real_capture() {
        let prefix = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../corpus/asterisk-23.4.1/08_ping"
        );
        let capture = ami_replay::Capture::load(prefix).unwrap();
        let read = |suffix: &str| std::fs::read(format!("{prefix}{suffix}")).unwrap();
        let (server, client, timeline) = (
            read(".server.bin"),
            read(".client.bin"),
            read(".timeline.jsonl"),
        );
        let files = capture_files(&capture_input_files(&server, &client, &timeline));
        assert_eq!(files, (server.clone(), client.clone(), timeline));
        let chunks: Vec<(bool, u64, &[u8])> = capture
            .timeline()
            .iter()
            .map(|c| {
                (
                    c.direction == ami_replay::Direction::ServerToClient,
                    1,
                    &c.bytes[..],
                )
            })
            .collect();
        let (s, c, t) = capture_files(&capture_input_chunks(&chunks));
        assert_eq!((&s, &c), (&server, &client));
        assert!(ami_replay::Capture::from_parts("x", &s, &c, &t).is_ok());
        capture_load(&capture_input_chunks(&chunks));
    }

    /// The session check sees real routing, not only `Unmatched` events: with a plain login
    /// the real `08_ping` transcript logs in and answers our `Ping` (`cap-2`).
    #[test]
    fn session_routes_a_real_transcript() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../corpus/asterisk-23.4.1/08_ping.server.bin"
        );
        let data = std::fs::read(path).unwrap();
        let log = run_session(1, &data, 7);
        assert!(
            log.events.contains(&ConnEvent::LoggedIn),
            "{:?}",
            log.events
        );
        let ping_answered = log
            .events
            .iter()
            .any(|e| matches!(e, ConnEvent::Response { id, .. } if id.as_bytes() == b"cap-2"));
        assert!(ping_answered, "{:?}", log.events);
        let sent = decode_in_reads(&mut Decoder::new(), &log.sent.concat(), &[]);
        let actions = sent.iter().filter(|o| o.message().is_some()).count();
        assert_eq!(actions, 4, "Login, Ping, CoreShowChannels, Command");
    }

    /// The typed check accepts real events and rejects nothing it should not.
    #[test]
    fn typed_check_types_real_events() {
        let event =
            b"Event: Newstate\r\nChannel: PJSIP/100-0001\r\nChannelStateDesc: Ringing\r\n\r\n";
        let mut decoder = Decoder::new();
        let Decoded::Item {
            item: Item::Message(message),
            ..
        } = decoder.decode(event)
        else {
            panic!("not a message");
        };
        assert!(ami_spec::Event::from_message(&message).is_typed());
        check_typed(&message);
    }
}
