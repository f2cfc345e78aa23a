//! mxml (`/mxml`, `/amxml`): Asterisk's XML.
//!
//! ```text
//! <ajax-response>
//! <response type='object' id='unknown'><generic response='Success' actionid='csc-1' eventlist='start' message='Channels will follow' /></response>
//! <response type='object' id='unknown'><generic event='CoreShowChannelsComplete' actionid='csc-1' eventlist='Complete' listitems='0' /></response>
//! </ajax-response>
//! ```
//!
//! Each `<response>` element holds one section (one AMI message) as the attributes of one
//! element (`generic` unless the request set `ajaxobjtype`; `id` is the request's
//! `ajaxdest`; neither is part of the message). Keys are what Asterisk made of the AMI
//! keys: lower-cased, every byte that is not an ASCII letter or digit replaced by `_`, an
//! `_` put before a leading digit, and `-n` added to the `n`-th repeat. Values use XML's
//! five entities. This reader takes the counters off and keeps everything else as the XML
//! gives it (see the crate docs for what cannot be restored).
//!
//! It is a reader for this one shape, not a general XML parser: no DTD, no comments, no
//! CDATA, no namespaces; an XML declaration at the start is allowed. Attribute values may
//! be quoted with `'` (as Asterisk does) or `"`.

use ami_proto::{Config, OwnedItem};
use memchr::{memchr, memmem};

use crate::error::{DecodeError, DecodeErrorKind};
use crate::markup::{find_tag, is_space, skip_space, unescape, Markup};
use crate::section::{build, Field};

const ROOT_OPEN: &[u8] = b"<ajax-response>";
const ROOT_CLOSE: &[u8] = b"</ajax-response>";
const SECTION_OPEN: &[u8] = b"<response";
const SECTION_CLOSE: &[u8] = b"</response>";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before `<ajax-response>`.
    Start,
    /// Between sections.
    Sections,
    Done,
}

/// The messages of one mxml body.
#[derive(Debug)]
pub(crate) struct Items<'b> {
    body: &'b [u8],
    pos: usize,
    state: State,
    config: Config,
}

impl<'b> Items<'b> {
    pub(crate) fn new(body: &'b [u8], config: Config) -> Self {
        Items {
            body,
            pos: 0,
            state: State::Start,
            config,
        }
    }

    fn error(&self, kind: DecodeErrorKind, at: usize) -> DecodeError {
        DecodeError::new(kind, at, at)
    }

    /// Reads up to `<ajax-response>`.
    fn start(&mut self) -> Result<(), DecodeError> {
        let mut p = skip_space(self.body, 0);
        if self.body[p..].starts_with(b"<?xml") {
            let Some(end) = memmem::find(&self.body[p..], b"?>") else {
                return Err(self.error(DecodeErrorKind::UnexpectedEnd, p));
            };
            p = skip_space(self.body, p + end + 2);
        }
        if !self.body[p..].starts_with(ROOT_OPEN) {
            return Err(self.error(DecodeErrorKind::Expected("`<ajax-response>`"), p));
        }
        self.pos = p + ROOT_OPEN.len();
        Ok(())
    }

    /// After `error` in the section that starts at `start`: goes on at the next section or
    /// the end of the document after the error (nothing is read twice), or stops when the
    /// body ended inside the section.
    fn resync(&mut self, start: usize, error: &DecodeError) {
        let from = (start + 1).max(error.offset).min(self.body.len());
        let next = find_tag(self.body, from, &[SECTION_OPEN, ROOT_CLOSE]);
        match next {
            Some(p) if error.kind != DecodeErrorKind::UnexpectedEnd => self.pos = p,
            _ => {
                self.pos = self.body.len();
                self.state = State::Done;
            }
        }
    }

    /// The next section or the end of the document.
    fn section(&mut self) -> Option<Result<OwnedItem, DecodeError>> {
        let p = skip_space(self.body, self.pos);
        let rest = &self.body[p..];
        if rest.is_empty() {
            self.state = State::Done;
            return Some(Err(self.error(DecodeErrorKind::UnexpectedEnd, p)));
        }
        if rest.starts_with(ROOT_CLOSE) {
            self.state = State::Done;
            let end = skip_space(self.body, p + ROOT_CLOSE.len());
            return (end < self.body.len())
                .then(|| Err(self.error(DecodeErrorKind::Expected("the end of the body"), end)));
        }
        let parsed = if rest.starts_with(SECTION_OPEN) {
            self.parse_section(p)
        } else {
            Err(self.error(
                DecodeErrorKind::Expected("`<response` or `</ajax-response>`"),
                p,
            ))
        };
        match parsed {
            Ok((message, end)) => {
                self.pos = end;
                Some(Ok(OwnedItem::Message(message)))
            }
            Err(error) => {
                self.resync(p, &error);
                Some(Err(error))
            }
        }
    }

    /// Reads `<response ...><NAME attr='value' ... /></response>` at `start`.
    fn parse_section(&self, start: usize) -> Result<(ami_proto::OwnedMessage, usize), DecodeError> {
        let body = self.body;
        let limits = &self.config.limits;
        let error = |kind, at| DecodeError::new(kind, at, start);
        // `<response type='object' id='...'>`: its attributes say nothing about the message.
        let mut p = start + SECTION_OPEN.len();
        let mut ignored = Vec::new();
        p = attributes(body, p, start, usize::MAX, &mut ignored)?;
        if body.get(p) != Some(&b'>') {
            return Err(error(DecodeErrorKind::Expected("`>`"), p));
        }
        p = skip_space(body, p + 1);
        // `<generic` (or the request's `ajaxobjtype`).
        if body.get(p) != Some(&b'<') || body.get(p + 1) == Some(&b'/') {
            return Err(error(DecodeErrorKind::Expected("an element"), p));
        }
        let name_end = p + 1 + name_len(&body[p + 1..]);
        if name_end == p + 1 {
            return Err(error(DecodeErrorKind::Expected("an element name"), p + 1));
        }
        let mut fields = Vec::new();
        p = attributes(body, name_end, start, limits.max_headers, &mut fields)?;
        if !body[p..].starts_with(b"/>") {
            return Err(error(DecodeErrorKind::Expected("`/>`"), p));
        }
        p = skip_space(body, p + 2);
        if !body[p..].starts_with(SECTION_CLOSE) {
            return Err(error(DecodeErrorKind::Expected("`</response>`"), p));
        }
        let end = p + SECTION_CLOSE.len();
        if end - start > limits.max_message {
            return Err(error(
                DecodeErrorKind::MessageTooLarge {
                    limit: limits.max_message,
                },
                start,
            ));
        }
        let message = build(fields, Markup::Xml, start, limits)?;
        Ok((message, end))
    }
}

/// Length of the XML name at the start of `s` (letters, digits, `_`, `-`, `.`, `:`, and
/// any byte of a non-ASCII character).
fn name_len(s: &[u8]) -> usize {
    s.iter()
        .position(|&b| {
            !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':') || b >= 0x80)
        })
        .unwrap_or(s.len())
}

/// Reads `name='value'` attributes from `p` into `out` (at most `max`), up to the first
/// byte that starts none (`>` or `/>`); returns its offset. `section` is for errors.
fn attributes(
    body: &[u8],
    mut p: usize,
    section: usize,
    max: usize,
    out: &mut Vec<Field>,
) -> Result<usize, DecodeError> {
    let error = |kind, at| DecodeError::new(kind, at, section);
    loop {
        let after_space = skip_space(body, p);
        match body.get(after_space) {
            None => return Err(error(DecodeErrorKind::UnexpectedEnd, after_space)),
            Some(b'>' | b'/') => return Ok(after_space),
            Some(_) if after_space == p => {
                return Err(error(DecodeErrorKind::Expected("white space"), p));
            }
            Some(_) => {}
        }
        p = after_space;
        let name = name_len(&body[p..]);
        if name == 0 {
            return Err(error(DecodeErrorKind::Expected("an attribute name"), p));
        }
        let field = p;
        let key = body[p..p + name].to_vec();
        p = skip_space(body, p + name);
        if body.get(p) != Some(&b'=') {
            return Err(error(DecodeErrorKind::Expected("`=`"), p));
        }
        p = skip_space(body, p + 1);
        let quote = match body.get(p) {
            Some(&q @ (b'\'' | b'"')) => q,
            _ => return Err(error(DecodeErrorKind::Expected("a quoted value"), p)),
        };
        let Some(len) = memchr(quote, &body[p + 1..]) else {
            return Err(error(DecodeErrorKind::UnexpectedEnd, body.len()));
        };
        let raw = &body[p + 1..p + 1 + len];
        let value = unescape(raw, p + 1, Markup::Xml).map_err(|(kind, at)| error(kind, at))?;
        if out.len() == max {
            return Err(error(DecodeErrorKind::TooManyHeaders { limit: max }, field));
        }
        out.push(Field {
            key,
            value,
            offset: field,
        });
        p += len + 2;
        if body
            .get(p)
            .is_some_and(|&b| !is_space(b) && b != b'>' && b != b'/')
        {
            return Err(error(DecodeErrorKind::Expected("white space"), p));
        }
    }
}

impl Items<'_> {
    pub(crate) fn offset(&self) -> usize {
        self.pos
    }
}

impl Iterator for Items<'_> {
    type Item = Result<OwnedItem, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.state {
                State::Done => return None,
                State::Start => match self.start() {
                    Ok(()) => self.state = State::Sections,
                    Err(error) => {
                        self.state = State::Done;
                        return Some(Err(error));
                    }
                },
                State::Sections => return self.section(),
            }
        }
    }
}
