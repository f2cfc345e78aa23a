//! Decoding: [`Decoder`] turns the bytes you read into [`Item`]s (the banner, messages,
//! text between them), as set by a [`Config`], and reports malformed input as an [`Error`].
//!
//! The decoder is a state machine over the caller's buffer that keeps its place as
//! offsets, so no byte is scanned twice however the input is chunked.

mod config;
mod error;
mod header_run;
mod storage;

pub use config::{Config, Limits, LineEndings};
pub use error::{Error, ErrorKind};

use memchr::memmem;

use crate::message::{Kind, Message, Span};
use crate::scan::classify::{dispatch, Classify, WithClassifier};
use crate::scan::{find_lf, header_colon};
use header_run::{HeaderRun, RunLeft, RunLimits, RunStart};
use storage::Storage;

/// The end of a legacy Command body.
const END_COMMAND: &[u8] = b"--END COMMAND--";

/// One thing found in the stream.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Item<'a> {
    /// The greeting line, without its line ending (`Asterisk Call Manager/2.10.6`).
    Banner(&'a [u8]),
    /// A `Key: Value` message.
    Message(Message<'a>),
    /// A block of text that is not made of headers (Asterisk 13's `Queues` reply): its lines
    /// with their line endings, without the blank line that ended it.
    Text(&'a [u8]),
}

/// The result of one [`Decoder::decode`] call. Every variant says how many bytes at the
/// front of the buffer the decoder is done with: drop exactly that many before the next
/// call (keep the rest, append new bytes after it).
#[derive(Debug)]
#[must_use]
#[allow(clippy::exhaustive_enums)] // Complete: the three outcomes of a decode call: an item, an error, or more bytes needed.
pub enum Decoded<'a> {
    /// A complete item.
    Item {
        /// The item, borrowing the buffer and the decoder.
        item: Item<'a>,
        /// Bytes used, including blank lines skipped before the item.
        consumed: usize,
    },
    /// Malformed input. The decoder now skips to the next message boundary; keep calling.
    Error {
        /// What and where.
        error: Error,
        /// Bytes used before the bad item started.
        consumed: usize,
    },
    /// The buffer ends inside an item (never an error): append more bytes and call again.
    NeedMore {
        /// Bytes used anyway (blank lines, or bad bytes skipped while resynchronising).
        consumed: usize,
    },
}

impl Decoded<'_> {
    /// How many bytes to drop from the front of the buffer.
    pub fn consumed(&self) -> usize {
        match *self {
            Decoded::Item { consumed, .. }
            | Decoded::Error { consumed, .. }
            | Decoded::NeedMore { consumed } => consumed,
        }
    }
}

/// Where the decoder is inside the current item. All positions are offsets from the first
/// byte of the item, which is the first byte of the buffer passed to `decode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Start of the stream: the first non-blank line may be a banner.
    Banner,
    /// Between items.
    Idle,
    /// Reading header lines (the current one starts at `Decoder::line_start`).
    Headers,
    /// Reading the raw body of a `Response: Follows` reply that starts at `start`; what
    /// ends it is searched for from `search_from` (the bytes before hold no end).
    Body { start: usize, search_from: usize },
    /// Reading a header-less text block; its blank line is searched for from
    /// `search_from`.
    Text { search_from: usize },
    /// Dropping bytes up to the next message boundary after an error.
    Skip,
}

/// What one step of the state machine found.
enum Step {
    /// `n` bytes at the front can go (nothing partial is held).
    Skip(usize),
    NeedMore,
    Error(Error),
    Banner(usize, usize),
    Text(usize, usize),
    Message {
        end: usize,
        body: Option<(u32, u32)>,
        truncated: bool,
    },
}

/// [`Decoder::fast_path`] as a job to run with each classifier.
struct FastPath<'d, 's, 'b> {
    decoder: &'d mut Decoder<'s>,
    buf: &'b [u8],
}

impl WithClassifier for FastPath<'_, '_, '_> {
    type Output = bool;

    #[inline(always)]
    fn run<C: Classify>(self, classifier: C) -> bool {
        let FastPath { decoder, buf } = self;
        match decoder.run_start(buf) {
            Some(start) => matches!(
                decoder.run_headers(buf, start, classifier),
                Some(Step::NeedMore)
            ),
            None => false,
        }
    }
}

/// The AMI push decoder. See the [crate docs](crate) for the calling convention.
#[derive(Debug)]
pub struct Decoder<'s> {
    config: Config,
    storage: Storage<'s>,
    state: State,
    /// Stream offset of the first byte of the buffer passed to the next `decode` call.
    stream_pos: u64,
    /// Start of the header line being read (in `State::Headers`; 0 otherwise).
    line_start: usize,
    /// Where to resume looking for the current line's LF (bare LFs already passed over).
    lf_from: usize,
    /// What the fast path's last run left at the line it ended in (it applies only while
    /// that line is the current one).
    last_run: Option<RunLeft>,
    /// The message is a `Response: Follows` reply.
    follows: bool,
    kind: Kind,
    blank_finder: memmem::Finder<'static>,
    /// Whether header lines may take the fast path (off only to test it against the
    /// general path, see [`crate::fuzzing::disable_fast_path`]).
    fast_path: bool,
}

#[cfg(feature = "alloc")]
impl Default for Decoder<'static> {
    fn default() -> Self {
        Decoder::new()
    }
}

#[cfg(feature = "alloc")]
impl Decoder<'static> {
    /// A decoder with the default [`Config`] that owns its header storage.
    pub fn new() -> Self {
        Decoder::with_config(Config::default())
    }

    /// A decoder with the given settings that owns its header storage (it grows to the
    /// largest message seen, up to `limits.max_headers`, and is reused).
    pub fn with_config(config: Config) -> Self {
        Decoder::from_storage(config, Storage::owned())
    }
}

impl<'s> Decoder<'s> {
    /// A decoder that stores header positions in `slots` and never allocates: a message
    /// with more headers than `slots.len()` is an [`ErrorKind::StorageFull`] error.
    pub fn with_storage(config: Config, slots: &'s mut [Span]) -> Self {
        Decoder::from_storage(config, Storage::lent(slots))
    }

    fn from_storage(mut config: Config, storage: Storage<'s>) -> Self {
        config.limits.max_message = config.limits.max_message.min(u32::MAX as usize);
        Decoder {
            config,
            storage,
            state: State::Banner,
            stream_pos: 0,
            line_start: 0,
            lf_from: 0,
            last_run: None,
            follows: false,
            kind: Kind::Other,
            blank_finder: memmem::Finder::new(b"\n\r\n"),
            fast_path: true,
        }
    }

    /// Turns the fast path off, for [`crate::fuzzing::disable_fast_path`].
    pub(crate) fn disable_fast_path(&mut self) {
        self.fast_path = false;
    }

    /// The settings in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Stream offset of the first byte the next `decode` call will see.
    pub fn position(&self) -> u64 {
        self.stream_pos
    }

    /// Decodes the next item from `buf`, which must hold the bytes not yet consumed (the
    /// same ones as last time, plus any new ones after them).
    #[inline]
    pub fn decode<'a>(&'a mut self, buf: &'a [u8]) -> Decoded<'a> {
        // The lane most reads take: header lines, through the fast path alone. A small
        // read usually ends inside a header line, and then the answer is "need more"
        // without the state machine; so the lane costs little more than the fast path
        // itself, and what is inlined into the caller is only the choice of classifier
        // and one call. Whatever else happens, the state machine goes on from where the
        // fast path left.
        let lane = match self.state {
            State::Headers => true,
            // A message starts at the buffer's first byte (it is not a blank line's).
            State::Idle if buf.first().is_some_and(|&c| c != b'\r' && c != b'\n') => {
                self.begin_message();
                true
            }
            _ => false,
        };
        if lane && self.fast_path(buf) {
            return Decoded::NeedMore { consumed: 0 };
        }
        self.decode_items(buf)
    }

    /// [`decode`](Self::decode) through the state machine. Not inlined, to keep the lane
    /// in front of it short. It enters the fast path at the other places where header
    /// lines may follow: a message found after blank lines or as the stream's first line,
    /// and the line after one the general path read.
    #[inline(never)]
    fn decode_items<'a>(&'a mut self, buf: &'a [u8]) -> Decoded<'a> {
        let mut base = 0;
        loop {
            let rest = &buf[base..];
            match self.step(rest) {
                Step::Skip(n) => {
                    base += n;
                    self.stream_pos += n as u64;
                }
                Step::NeedMore => return Decoded::NeedMore { consumed: base },
                Step::Error(error) => {
                    self.begin_skip();
                    return Decoded::Error {
                        error,
                        consumed: base,
                    };
                }
                Step::Banner(end, consumed) => {
                    self.finish_item(consumed);
                    return Decoded::Item {
                        item: Item::Banner(&rest[..end]),
                        consumed: base + consumed,
                    };
                }
                Step::Text(end, consumed) => {
                    self.finish_item(consumed);
                    return Decoded::Item {
                        item: Item::Text(&rest[..end]),
                        consumed: base + consumed,
                    };
                }
                Step::Message {
                    end,
                    body,
                    truncated,
                } => {
                    self.finish_item(end);
                    let message = Message {
                        bytes: &rest[..end],
                        spans: self.storage.as_slice(),
                        kind: self.kind,
                        body,
                        truncated,
                    };
                    return Decoded::Item {
                        item: Item::Message(message),
                        consumed: base + end,
                    };
                }
            }
        }
    }

    /// Call at the end of the stream with the bytes never consumed: an error if they hold
    /// the start of an item (a cut-off message), `None` if they are only blank lines or
    /// bytes being skipped after an error. Resets the decoder to read a new item.
    pub fn finish(&mut self, rest: &[u8]) -> Option<Error> {
        let skipping = self.state == State::Skip;
        self.state = State::Idle;
        self.line_start = 0;
        self.lf_from = 0;
        self.last_run = None;
        if skipping || rest.iter().all(|&b| b == b'\r' || b == b'\n') {
            self.stream_pos += rest.len() as u64;
            return None;
        }
        let offset = self.stream_pos;
        self.stream_pos += rest.len() as u64;
        Some(Error {
            kind: ErrorKind::UnexpectedEof,
            offset,
            message_offset: offset,
        })
    }

    fn finish_item(&mut self, consumed: usize) {
        self.stream_pos += consumed as u64;
        self.state = State::Idle;
        self.line_start = 0;
        self.lf_from = 0;
        self.last_run = None;
    }

    /// Starts reading a message's headers at the first byte of the buffer.
    #[inline]
    fn begin_message(&mut self) {
        self.storage.clear();
        self.follows = false;
        self.state = State::Headers;
    }

    fn begin_skip(&mut self) {
        self.state = State::Skip;
        self.line_start = 0;
        self.lf_from = 0;
        self.last_run = None;
    }

    fn error(&self, kind: ErrorKind, at: usize) -> Step {
        Step::Error(Error {
            kind,
            offset: self.stream_pos + at as u64,
            message_offset: self.stream_pos,
        })
    }

    /// The limit error, if any, once `reached` bytes of the item are known to belong to it
    /// and the current line (if any) started at `line_start`.
    ///
    /// A limit counts terminators, so the byte at which a limit is broken is the same
    /// whether the item is complete or still arriving: when both limits are broken, the one
    /// broken at the earlier byte wins. That makes errors independent of chunking.
    fn exceeded(&self, line_start: Option<usize>, reached: usize) -> Option<Step> {
        let Limits {
            max_line,
            max_message,
            ..
        } = self.config.limits;
        let line_breaks_at =
            line_start.map_or(usize::MAX, |p| p.saturating_add(max_line).saturating_add(1));
        let message_breaks_at = max_message + 1;
        if reached >= line_breaks_at && line_breaks_at <= message_breaks_at {
            let p = line_start.unwrap_or(0);
            return Some(self.error(ErrorKind::LineTooLong { limit: max_line }, p));
        }
        if reached >= message_breaks_at {
            return Some(self.error(ErrorKind::MessageTooLarge { limit: max_message }, 0));
        }
        None
    }

    /// The line start to apply the line limit from while a line is incomplete, if any.
    ///
    /// In a Follows reply a line may turn out to be raw output, which has no line limit
    /// (only the message limit): until its end is seen, only the message limit applies.
    fn line_limited(&self, p: usize, in_message: bool) -> Option<usize> {
        (!(self.follows && in_message)).then_some(p)
    }

    /// The limit error for a complete header line `b[p..next]`, if any; consistent with
    /// what [`line_limited`](Self::line_limited) reports while the line is incomplete.
    fn complete_line_exceeded(&self, p: usize, next: usize, in_message: bool) -> Option<Step> {
        match self.line_limited(p, in_message) {
            Some(p) => self.exceeded(Some(p), next),
            None => self.exceeded(None, next).or_else(|| {
                let max_line = self.config.limits.max_line;
                (next - p > max_line)
                    .then(|| self.error(ErrorKind::LineTooLong { limit: max_line }, p))
            }),
        }
    }

    /// The buffer ends inside the item: a limit error if the bytes so far already break
    /// one, else "need more".
    fn need_more(&self, b: &[u8], line_start: Option<usize>) -> Step {
        self.exceeded(line_start, b.len()).unwrap_or(Step::NeedMore)
    }

    fn step(&mut self, b: &[u8]) -> Step {
        loop {
            match self.state {
                State::Banner | State::Idle => {
                    // Blank lines between items are skipped.
                    match line_ending(b) {
                        LineEnding::TooShort => return Step::NeedMore,
                        LineEnding::Of(n) => return Step::Skip(n),
                        LineEnding::No => {}
                    }
                    if self.state == State::Banner {
                        if let Some(step) = self.banner(b) {
                            return step;
                        }
                    }
                    self.begin_message();
                    if self.fast_path(b) {
                        return Step::NeedMore;
                    }
                }
                State::Headers => match self.headers(b) {
                    Some(step) => return step,
                    None => continue,
                },
                State::Body { start, search_from } => return self.body(b, start, search_from),
                State::Text { search_from } => return self.text(b, search_from),
                State::Skip => return self.skip(b),
            }
        }
    }

    /// The first line of the stream: a banner unless it is a header. `None` means "not a
    /// banner, read it as a message".
    fn banner(&mut self, b: &[u8]) -> Option<Step> {
        let Some(lf) = find_lf(b, self.lf_from) else {
            self.lf_from = b.len();
            return Some(self.need_more(b, Some(0)));
        };
        let end = if lf > 0 && b[lf - 1] == b'\r' {
            lf - 1
        } else {
            lf
        };
        if let Some(step) = self.exceeded(Some(0), lf + 1) {
            return Some(step);
        }
        self.lf_from = 0;
        self.state = State::Idle;
        if header_colon(b, 0, end).is_some() {
            return None;
        }
        Some(Step::Banner(end, lf + 1))
    }

    /// Reads header lines with the general path, from a line the fast path has just
    /// stopped at (or does not take). `None` means the state changed (to Body or Text):
    /// step again.
    #[inline]
    fn headers(&mut self, b: &[u8]) -> Option<Step> {
        let lenient = self.config.line_endings == LineEndings::Lenient;
        let max_headers = self.config.limits.max_headers;
        loop {
            let p = self.line_start;
            let in_message = self.storage.len() > 0;
            if in_message {
                // A blank line (or the `\r\n\n` ending some modules write) ends the message;
                // in a Follows reply a line that starts with a bare LF starts the body.
                match b.get(p) {
                    None => return Some(self.need_more(b, None)),
                    Some(b'\n') if self.follows && !lenient => {
                        self.begin_body(p);
                        return None;
                    }
                    Some(b'\n') => return Some(self.message_end(p + 1)),
                    Some(b'\r') => match b.get(p + 1) {
                        None => return Some(self.need_more(b, None)),
                        Some(b'\n') => return Some(self.message_end(p + 2)),
                        Some(_) => {}
                    },
                    Some(_) => {}
                }
            }
            // The general path: one line, whatever it holds.
            let (end, next) = match self.line_end(b, p, in_message) {
                Ok(line) => line,
                Err(step) => return step,
            };
            let colon = header_colon(b, p, end);
            if let Some(step) = self.complete_line_exceeded(p, next, in_message) {
                return Some(step);
            }
            let Some(colon) = colon else {
                if !in_message {
                    self.state = State::Text { search_from: 0 };
                    self.line_start = 0;
                    return None;
                }
                if self.follows {
                    self.begin_body(p);
                    return None;
                }
                return Some(self.error(ErrorKind::NotAHeader, p));
            };
            let value_start = if colon + 1 < end && b[colon + 1] == b' ' {
                colon + 2
            } else {
                colon + 1
            };
            let span = Span {
                key_start: p as u32,
                key_end: colon as u32,
                value_start: value_start as u32,
                value_end: end as u32,
            };
            if let Err(kind) = self.storage.push(span, max_headers) {
                return Some(self.error(kind, p));
            }
            if !in_message {
                self.classify_message(b);
            }
            self.line_start = next;
            self.lf_from = next;
            if self.fast_path(b) {
                return Some(Step::NeedMore);
            }
        }
    }

    /// The raw body of a Follows reply starts at `p`.
    fn begin_body(&mut self, p: usize) {
        self.state = State::Body {
            start: p,
            search_from: p,
        };
        self.line_start = 0;
    }

    /// The fast path, from the line at `line_start` (or from where it ran out of bytes in
    /// it): it takes every plain header line it can, then leaves the rest of the message to
    /// the general path, which goes on from `line_start`. `true` when the buffer ends
    /// inside the message's headers with every complete line taken and no limit broken:
    /// the answer is "need more".
    ///
    /// The decoder's only way into the fast path: one [`dispatch`], which runs it with the
    /// fastest classifier the CPU has, in a copy compiled for that classifier.
    #[inline(always)]
    fn fast_path(&mut self, buf: &[u8]) -> bool {
        dispatch(FastPath { decoder: self, buf })
    }

    /// Where the fast path may start on the line at `line_start`: where it ran out of
    /// bytes last time, or else the line start. Not at a line where its last run stopped
    /// (it would stop there again), nor when the general path already scanned more than one
    /// window of the line (rescanning a long line at every read would make the cost
    /// quadratic).
    #[inline]
    fn run_start(&self, b: &[u8]) -> Option<RunStart> {
        let p = self.line_start;
        match self.last_run {
            _ if !self.fast_path => None,
            Some(RunLeft::Resume(r)) if r.line == p && r.scan_from <= b.len() => Some(r),
            Some(RunLeft::Stopped(line)) if line == p => None,
            _ => (self.lf_from <= p + header_run::WINDOW).then(|| RunStart::at_line(p)),
        }
    }

    /// Takes every plain header line it can from `start` with the fast path, leaving the
    /// rest of the message to the general path. `Some` when the buffer ends inside a line
    /// that is still arriving (no LF after it, and it does not start with what may be a
    /// blank line's CR) or right after a line end: the usual ends of a small read.
    #[inline(always)]
    fn run_headers<C: Classify>(
        &mut self,
        b: &[u8],
        start: RunStart,
        classifier: C,
    ) -> Option<Step> {
        let limits = self.config.limits;
        let run_limits = RunLimits {
            max_line: limits.max_line,
            max_message: limits.max_message,
            lenient: self.config.line_endings == LineEndings::Lenient,
        };
        let had_headers = self.storage.len() > 0;
        let (slots, len) = self.storage.spare(limits.max_headers);
        let end = HeaderRun {
            b,
            start,
            slots,
            len,
            limits: &run_limits,
        }
        .read(classifier);
        let p = end.at;
        self.line_start = p;
        let left = end.left(b);
        self.last_run = Some(left);
        // When the run saw every byte, the general path need not look for a LF.
        let ran_out = matches!(left, RunLeft::Resume(_));
        self.lf_from = if ran_out { b.len() } else { p };
        let in_message = self.storage.len() > 0;
        if !had_headers && in_message {
            self.classify_message(b);
        }
        // The general path would say the same of a line not begun (no byte of it yet).
        if ran_out && b.get(p).is_none_or(|&c| c != b'\r') {
            return Some(self.need_more(b, self.line_limited(p, in_message)));
        }
        None
    }

    /// Sets the message kind, and whether it is a legacy Command reply, from its first
    /// header.
    fn classify_message(&mut self, b: &[u8]) {
        let first = self.storage.as_slice()[0];
        self.kind = Kind::from_first_key(&b[first.key_start as usize..first.key_end as usize]);
        self.follows = self.kind == Kind::Response
            && b[first.value_start as usize..first.value_end as usize]
                .eq_ignore_ascii_case(b"Follows");
    }

    /// The general way to the end of the line at `p`: `(end of content, start of next
    /// line)`. In CRLF mode a bare LF is part of the value, except in a Follows reply, where
    /// it starts the raw body (`Err(None)`: the state changed, step again).
    fn line_end(
        &mut self,
        b: &[u8],
        p: usize,
        in_message: bool,
    ) -> Result<(usize, usize), Option<Step>> {
        let mut from = self.lf_from.max(p);
        loop {
            let Some(lf) = find_lf(b, from) else {
                self.lf_from = b.len();
                return Err(Some(self.need_more(b, self.line_limited(p, in_message))));
            };
            if lf > p && b[lf - 1] == b'\r' {
                return Ok((lf - 1, lf + 1));
            }
            if self.config.line_endings == LineEndings::Lenient {
                return Ok((lf, lf + 1));
            }
            if self.follows && in_message {
                // Legacy Command output: its lines end in bare LF.
                self.begin_body(p);
                return Err(None);
            }
            from = lf + 1;
        }
    }

    fn message_end(&mut self, end: usize) -> Step {
        if let Some(step) = self.exceeded(None, end) {
            return step;
        }
        Step::Message {
            end,
            body: None,
            truncated: false,
        }
    }

    /// The raw body of a `Response: Follows` reply, up to `--END COMMAND--` (or, when the
    /// marker is missing, up to the first blank line, flagged as truncated).
    fn body(&mut self, b: &[u8], start: usize, from: usize) -> Step {
        if self.config.line_endings == LineEndings::Lenient {
            return self.body_lenient(b, start, from);
        }
        let Some(i) = self.blank_finder.find(&b[from..]) else {
            // The last two bytes may begin the blank line.
            self.state = State::Body {
                start,
                search_from: b.len().saturating_sub(2).max(start),
            };
            return self.need_more(b, None);
        };
        // `q` is the LF that ends the last body line; a CRLF blank line follows it.
        let q = from + i;
        let end = q + 3;
        if let Some(step) = self.exceeded(None, end) {
            return step;
        }
        // The body ends with the marker line `--END COMMAND--\r\n` when it is there.
        let marker_line = END_COMMAND.len() + 2;
        let (body_end, truncated) = if q + 1 >= start + marker_line
            && &b[q + 1 - marker_line..q - 1] == END_COMMAND
            && b[q - 1] == b'\r'
        {
            (q + 1 - marker_line, false)
        } else {
            (q + 1, true)
        };
        Step::Message {
            end,
            body: Some((start as u32, body_end as u32)),
            truncated,
        }
    }

    /// Lenient-mode body: only the `--END COMMAND--` line ends it (blank lines are output).
    fn body_lenient(&mut self, b: &[u8], start: usize, mut from: usize) -> Step {
        loop {
            let Some(i) = memmem::find(&b[from..], END_COMMAND) else {
                // The last bytes may begin the marker.
                self.state = State::Body {
                    start,
                    search_from: b.len().saturating_sub(END_COMMAND.len() - 1).max(start),
                };
                return self.need_more(b, None);
            };
            let m = from + i;
            let after_marker = m + END_COMMAND.len();
            let after_line = match line_ending(&b[after_marker..]) {
                LineEnding::TooShort => {
                    self.state = State::Body {
                        start,
                        search_from: m,
                    };
                    return self.need_more(b, None);
                }
                LineEnding::No => {
                    from = m + 1;
                    continue;
                }
                LineEnding::Of(n) => after_marker + n,
            };
            let end = match line_ending(&b[after_line..]) {
                LineEnding::TooShort => {
                    self.state = State::Body {
                        start,
                        search_from: m,
                    };
                    return self.need_more(b, None);
                }
                LineEnding::Of(n) => after_line + n,
                LineEnding::No => after_line,
            };
            if let Some(step) = self.exceeded(None, end) {
                return step;
            }
            return Step::Message {
                end,
                body: Some((start as u32, m as u32)),
                truncated: false,
            };
        }
    }

    /// A header-less block, up to its blank line.
    fn text(&mut self, b: &[u8], from: usize) -> Step {
        match self.find_blank(b, from) {
            Some((content_end, end)) => {
                if let Some(step) = self.exceeded(None, end) {
                    return step;
                }
                Step::Text(content_end, end)
            }
            None => {
                // The last two bytes may begin the blank line.
                self.state = State::Text {
                    search_from: b.len().saturating_sub(2),
                };
                self.need_more(b, None)
            }
        }
    }

    /// After an error: drop bytes up to and including the next blank line.
    fn skip(&mut self, b: &[u8]) -> Step {
        match self.find_blank(b, 0) {
            Some((_, end)) => {
                self.state = State::Idle;
                Step::Skip(end)
            }
            None => {
                // Keep the last two bytes: they may begin a boundary.
                let keep = b.len().min(2);
                match b.len() - keep {
                    0 => Step::NeedMore,
                    n => Step::Skip(n),
                }
            }
        }
    }

    /// The first blank line at or after `from`: (end of the content before it, end of the
    /// blank line).
    fn find_blank(&self, b: &[u8], from: usize) -> Option<(usize, usize)> {
        match self.config.line_endings {
            LineEndings::Crlf => self
                .blank_finder
                .find(&b[from..])
                .map(|i| (from + i + 1, from + i + 3)),
            LineEndings::Lenient => {
                let mut at = from;
                while let Some(i) = memchr::memchr(b'\n', &b[at..]) {
                    let q = at + i;
                    match line_ending(&b[q + 1..]) {
                        LineEnding::TooShort => return None,
                        LineEnding::Of(n) => return Some((q + 1, q + 1 + n)),
                        LineEnding::No => at = q + 1,
                    }
                }
                None
            }
        }
    }
}

/// What the bytes at the start of a buffer are, as a line ending (`\r\n` or `\n`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineEnding {
    /// Too few bytes to tell (none, or a lone CR).
    TooShort,
    /// A line ending of this many bytes.
    Of(usize),
    /// Not a line ending.
    No,
}

#[inline]
fn line_ending(b: &[u8]) -> LineEnding {
    match b {
        [] | [b'\r'] => LineEnding::TooShort,
        [b'\n', ..] => LineEnding::Of(1),
        [b'\r', b'\n', ..] => LineEnding::Of(2),
        _ => LineEnding::No,
    }
}
