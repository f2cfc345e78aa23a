//! What a capture means to a server: which server bytes answer which request, and which
//! came on their own (events), each with its recorded time.
//!
//! The server stream is cut into parts (the banner, each message, each text block, blank
//! bytes between them) and every part goes to exactly one place, so the script gives back
//! the capture's server bytes exactly ([`Script::recorded_stream`]):
//! - a message whose `ActionID` is that of a request the client had sent before it belongs
//!   to that request (its reply, list items, `OriginateResponse`, `UserEvent`);
//! - a response or text block without one (`Ping` without ActionID, 13's `Queues`) answers
//!   the earliest request not answered yet, a request without ActionID first;
//! - blank bytes that start a server write answer a request that nothing else answers
//!   (`IAXnetstats` with nothing to show writes only `\r\n`); other blank bytes, and a last
//!   item cut off by the end of the capture, go with the part before them;
//! - everything else (events, responses to other sessions' actions) is unsolicited.
//!
//! A request's reply is its first part and its parts right after it (for a list, the one
//! that says `EventList: start`, up to the one that ends the list). Its parts that came
//! later (an `Async` Originate's `OriginateResponse`) keep their delay after the reply.

use std::time::Duration;

use ami_proto::{Decoded, Decoder, Item, Kind, Limits, OwnedMessage};
use bytes::{Bytes, BytesMut};

use crate::requests::RequestReader;
use crate::timeline::{Chunk, Direction};

/// Where a stream failed to decode: which side and the error.
#[derive(Debug)]
pub(crate) struct ScriptError {
    pub(crate) direction: Direction,
    pub(crate) error: ami_proto::Error,
}

/// Bytes the server wrote: a message (with any blank bytes after it) or raw bytes.
#[derive(Debug, Clone)]
pub(crate) struct Part {
    /// The message the part starts with, if it is one.
    pub(crate) message: Option<OwnedMessage>,
    /// All the part's bytes: the message's, then any blank bytes after it.
    pub(crate) bytes: Bytes,
    /// When the server wrote its first byte, from the start of the recording.
    pub(crate) at: Duration,
}

impl Part {
    /// An event (not a reply or a list item): Asterisk sends it only to sessions whose
    /// event mask and filters let it through.
    pub(crate) fn is_event(&self) -> bool {
        self.message
            .as_ref()
            .is_some_and(|m| m.message().kind() == Kind::Event)
    }
}

/// A request as the capture's client sent it.
#[derive(Debug, Clone)]
pub(crate) struct RecordedRequest {
    /// The `Action` value; `None` for a request without one.
    pub(crate) action: Option<Bytes>,
    /// The `ActionID` value, if any.
    pub(crate) action_id: Option<Bytes>,
    /// The other headers, in order.
    pub(crate) arguments: Vec<(Bytes, Bytes)>,
}

/// A part that answered a request after other traffic.
#[derive(Debug, Clone)]
pub(crate) struct Later {
    /// How long after the reply's first part.
    pub(crate) after: Duration,
    pub(crate) part: Part,
}

/// A recorded request and everything the server sent because of it.
#[derive(Debug, Clone)]
pub(crate) struct Exchange {
    pub(crate) request: RecordedRequest,
    /// Written at once when the request comes (empty: the server never answered it).
    pub(crate) reply: Vec<Part>,
    /// The reply is a list (`EventList: start`): its first part is the response, the
    /// others are its items and end.
    pub(crate) list: bool,
    /// Parts that came later, in order.
    pub(crate) later: Vec<Later>,
}

impl Exchange {
    /// When the reply's first part was written (`None` for an unanswered request).
    pub(crate) fn reply_at(&self) -> Option<Duration> {
        self.reply.first().map(|p| p.at)
    }

    /// The first part is `Response: <status>`.
    pub(crate) fn responds(&self, status: &str) -> bool {
        self.reply
            .first()
            .and_then(|p| p.message.as_ref())
            .is_some_and(|m| {
                let m = m.message();
                m.kind() == Kind::Response && m.name().eq_ignore_ascii_case(status.as_bytes())
            })
    }
}

/// One step of the server stream after the banner, in recorded order.
#[derive(Debug, Clone)]
pub(crate) enum Slot {
    /// Unsolicited bytes (an event, most often).
    Unsolicited(Part),
    /// Exchange `.0`'s reply goes here.
    Reply(usize),
    /// Part `index` of exchange `exchange`'s `later` goes here.
    Later { exchange: usize, index: usize },
}

/// A capture, as a server plays it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Script {
    /// The first line (with its line ending and any blank lines around it); may be empty.
    pub(crate) banner: Bytes,
    pub(crate) exchanges: Vec<Exchange>,
    pub(crate) slots: Vec<Slot>,
    /// The recorded successful `Login`, if any.
    pub(crate) login: Option<usize>,
    /// Events are timed from here: when the successful login's reply was written.
    pub(crate) origin: Duration,
    /// When the last chunk of the recording was read or written.
    pub(crate) duration: Duration,
}

/// What a part of the server stream is.
#[derive(Debug)]
enum PartKind {
    Banner,
    Message(OwnedMessage),
    Text,
    /// Blank bytes between items, or an item cut off by the end of the stream.
    Raw,
}

#[derive(Debug)]
struct Piece {
    start: usize,
    end: usize,
    kind: PartKind,
    /// Timeline index of the chunk holding the first byte.
    chunk: usize,
    owner: Option<usize>,
}

/// A request the client sent, and when.
struct Sent {
    request: RecordedRequest,
    /// Timeline index of the chunk that held its last byte.
    chunk: usize,
}

/// Offsets where each chunk of one direction ends in its stream, and its timeline index.
struct ChunkMap {
    ends: Vec<usize>,
    index: Vec<usize>,
    starts: Vec<usize>,
}

impl ChunkMap {
    fn new(timeline: &[Chunk], direction: Direction) -> Self {
        let mut map = ChunkMap {
            ends: Vec::new(),
            index: Vec::new(),
            starts: Vec::new(),
        };
        let mut end = 0;
        for (i, chunk) in timeline.iter().enumerate() {
            if chunk.direction == direction && !chunk.bytes.is_empty() {
                map.starts.push(end);
                end += chunk.bytes.len();
                map.ends.push(end);
                map.index.push(i);
            }
        }
        map
    }

    /// The timeline index of the chunk that holds byte `offset`.
    fn chunk_of(&self, offset: usize) -> usize {
        let i = self.ends.partition_point(|&end| end <= offset);
        self.index
            .get(i)
            .or(self.index.last())
            .copied()
            .unwrap_or(0)
    }

    /// Whether a chunk starts at `offset`.
    fn starts_chunk(&self, offset: usize) -> bool {
        self.starts.binary_search(&offset).is_ok()
    }
}

impl Script {
    /// Builds the script of a capture whose files already agree with `timeline`.
    pub(crate) fn build(
        server: &Bytes,
        client: &Bytes,
        timeline: &[Chunk],
    ) -> Result<Script, ScriptError> {
        let sent = read_requests(client, timeline)?;
        let mut pieces = cut(server, timeline)?;
        attribute(&mut pieces, &sent);
        Ok(assemble(server, timeline, pieces, sent))
    }

    /// The server bytes again, from the parts in recorded order: the capture's
    /// `server.bin` exactly (a test and the fuzz target check it).
    pub(crate) fn recorded_stream(&self) -> Vec<u8> {
        let mut out = self.banner.to_vec();
        for slot in &self.slots {
            match slot {
                Slot::Unsolicited(part) => out.extend_from_slice(&part.bytes),
                Slot::Reply(k) => {
                    for part in &self.exchanges[*k].reply {
                        out.extend_from_slice(&part.bytes);
                    }
                }
                Slot::Later { exchange, index } => {
                    out.extend_from_slice(&self.exchanges[*exchange].later[*index].part.bytes)
                }
            }
        }
        out
    }

    /// When slot `i` was written, from the start of the recording.
    pub(crate) fn slot_at(&self, i: usize) -> Duration {
        match &self.slots[i] {
            Slot::Unsolicited(part) => part.at,
            Slot::Reply(k) => self.exchanges[*k].reply_at().unwrap_or_default(),
            Slot::Later { exchange, index } => self.exchanges[*exchange].later[*index].part.at,
        }
    }

    /// The slot where exchange `k`'s reply goes.
    pub(crate) fn reply_slot(&self, k: usize) -> Option<usize> {
        self.slots
            .iter()
            .position(|s| matches!(s, Slot::Reply(j) if *j == k))
    }
}

/// The client's requests, with the chunk that completed each.
fn read_requests(client: &Bytes, timeline: &[Chunk]) -> Result<Vec<Sent>, ScriptError> {
    let map = ChunkMap::new(timeline, Direction::ClientToServer);
    let mut reader = RequestReader::new(Limits::DEFAULT);
    let mut buf = BytesMut::from(&client[..]);
    let mut sent = Vec::new();
    while let Some(request) = reader.next(&mut buf) {
        let request = request.map_err(|error| ScriptError {
            direction: Direction::ClientToServer,
            error,
        })?;
        let end = reader.position() as usize;
        let owned = |b: &[u8]| Bytes::copy_from_slice(b);
        sent.push(Sent {
            request: RecordedRequest {
                action: request.action().map(owned),
                action_id: request.action_id().map(owned),
                arguments: request
                    .arguments()
                    .into_iter()
                    .map(|(k, v)| (owned(k), owned(v)))
                    .collect(),
            },
            chunk: map.chunk_of(end.saturating_sub(1)),
        });
    }
    // A request the recording cut off was never answered: it plays no part.
    Ok(sent)
}

/// Cuts the server stream into pieces, every byte in exactly one.
fn cut(server: &Bytes, timeline: &[Chunk]) -> Result<Vec<Piece>, ScriptError> {
    let map = ChunkMap::new(timeline, Direction::ServerToClient);
    let mut decoder = Decoder::new();
    let mut pieces = Vec::new();
    let mut push = |start: usize, end: usize, kind: PartKind| {
        if start < end {
            pieces.push(Piece {
                start,
                end,
                kind,
                chunk: map.chunk_of(start),
                owner: None,
            });
        }
    };
    let mut base = 0;
    loop {
        let rest = &server[base..];
        match decoder.decode(rest) {
            Decoded::Item { item, consumed } => {
                let offset = |part: &[u8]| base + (part.as_ptr() as usize - rest.as_ptr() as usize);
                let (start, kind) = match item {
                    Item::Banner(text) => (offset(text), PartKind::Banner),
                    Item::Text(text) => (offset(text), PartKind::Text),
                    Item::Message(m) => {
                        let owned = OwnedMessage::slice_of(server, &m)
                            .expect("a decoded message lies inside the buffer it came from");
                        (offset(m.as_bytes()), PartKind::Message(owned))
                    }
                    // An item kind of a later ami-proto: its bytes stay, as raw bytes.
                    _ => (base + consumed, PartKind::Raw),
                };
                push(base, start, PartKind::Raw);
                push(start, base + consumed, kind);
                base += consumed;
            }
            Decoded::NeedMore { consumed } => {
                push(base, base + consumed, PartKind::Raw);
                base += consumed;
                break;
            }
            Decoded::Error { error, .. } => {
                return Err(ScriptError {
                    direction: Direction::ServerToClient,
                    error,
                })
            }
        }
    }
    // What is left is blank bytes or an item the recording cut off: raw bytes either way.
    push(base, server.len(), PartKind::Raw);
    Ok(pieces)
}

/// Gives each piece its owner (the request it answers), see the module docs.
fn attribute(pieces: &mut [Piece], sent: &[Sent]) {
    let mut answered = vec![false; sent.len()];
    for piece in pieces.iter_mut() {
        let before = |r: &&Sent| r.chunk < piece.chunk;
        let owner = match &piece.kind {
            PartKind::Message(m) => {
                let m = m.message();
                let by_id = m.action_id().and_then(|id| {
                    sent.iter()
                        .enumerate()
                        .filter(|(_, r)| before(r))
                        .filter(|(_, r)| r.request.action_id.as_deref() == Some(id))
                        .map(|(i, _)| i)
                        .next_back()
                });
                match by_id {
                    Some(i) => Some(i),
                    None if m.action_id().is_none() && m.kind() != Kind::Event => {
                        earliest_unanswered(sent, &answered, piece.chunk)
                    }
                    None => None,
                }
            }
            PartKind::Text => earliest_unanswered(sent, &answered, piece.chunk),
            PartKind::Banner | PartKind::Raw => None,
        };
        if let Some(i) = owner {
            answered[i] = true;
        }
        piece.owner = owner;
    }
}

/// The earliest request sent before chunk `chunk` that has no answer yet, one without an
/// ActionID first.
fn earliest_unanswered(sent: &[Sent], answered: &[bool], chunk: usize) -> Option<usize> {
    let open: Vec<usize> = (0..sent.len())
        .filter(|&i| !answered[i] && sent[i].chunk < chunk)
        .collect();
    open.iter()
        .copied()
        .find(|&i| sent[i].request.action_id.is_none())
        .or(open.first().copied())
}

/// Turns the attributed pieces into the script.
fn assemble(server: &Bytes, timeline: &[Chunk], pieces: Vec<Piece>, sent: Vec<Sent>) -> Script {
    let map = ChunkMap::new(timeline, Direction::ServerToClient);
    let at = |chunk: usize| timeline.get(chunk).map(|c| c.at).unwrap_or_default();
    // Raw pieces: a reply of their own, or merged into the piece before them.
    let mut has_answer = vec![false; sent.len()];
    for piece in &pieces {
        if let Some(i) = piece.owner {
            has_answer[i] = true;
        }
    }
    let mut merged: Vec<Piece> = Vec::with_capacity(pieces.len());
    for mut piece in pieces {
        if matches!(piece.kind, PartKind::Banner) {
            // Blank lines before the banner are part of it.
            if let Some(blank) = merged.pop_if(|p| p.owner.is_none()) {
                piece.start = blank.start;
                piece.chunk = blank.chunk;
            }
        }
        if matches!(piece.kind, PartKind::Raw) {
            let alone = map
                .starts_chunk(piece.start)
                .then(|| (0..sent.len()).find(|&i| !has_answer[i] && sent[i].chunk < piece.chunk));
            if let Some(Some(i)) = alone {
                has_answer[i] = true;
                piece.owner = Some(i);
            } else if let Some(previous) = merged.last_mut() {
                previous.end = piece.end;
                continue;
            }
        }
        merged.push(piece);
    }

    let mut script = Script::default();
    let mut iter = merged.into_iter().peekable();
    if let Some(first) = iter.next_if(|p| matches!(p.kind, PartKind::Banner)) {
        script.banner = server.slice(first.start..first.end);
    }
    let pieces: Vec<Piece> = iter.collect();
    let part = |piece: &Piece| Part {
        message: match &piece.kind {
            PartKind::Message(m) => Some(m.clone()),
            _ => None,
        },
        bytes: server.slice(piece.start..piece.end),
        at: at(piece.chunk),
    };

    // Each request's pieces, in order: the reply block, then the later ones.
    let mut owned: Vec<Vec<usize>> = vec![Vec::new(); sent.len()];
    for (i, piece) in pieces.iter().enumerate() {
        if let Some(r) = piece.owner {
            owned[r].push(i);
        }
    }
    /// Where a piece goes.
    #[derive(Clone, Copy)]
    enum Role {
        Unsolicited,
        ReplyStart(usize),
        InReply,
        Later(usize, usize),
    }
    let mut roles = vec![Role::Unsolicited; pieces.len()];
    for (r, (request, indices)) in sent.into_iter().zip(owned).enumerate() {
        let mut exchange = Exchange {
            request: request.request,
            reply: Vec::new(),
            list: false,
            later: Vec::new(),
        };
        if let Some((&first, rest)) = indices.split_first() {
            roles[first] = Role::ReplyStart(r);
            exchange.reply.push(part(&pieces[first]));
            exchange.list =
                event_list(&pieces[first]).is_some_and(|v| v.eq_ignore_ascii_case(b"start"));
            // The reply is the run of its parts that follow each other in the stream (a
            // list's ends with the part that ends the list); an unrelated part in between
            // (never seen, but allowed) makes the rest come later, at their places.
            let mut block_open = true;
            let mut previous = first;
            for &i in rest {
                if block_open && i == previous + 1 {
                    roles[i] = Role::InReply;
                    exchange.reply.push(part(&pieces[i]));
                    if exchange.list {
                        block_open =
                            event_list(&pieces[i]).is_none_or(|v| v.eq_ignore_ascii_case(b"start"));
                    }
                    previous = i;
                } else {
                    block_open = false;
                    roles[i] = Role::Later(r, exchange.later.len());
                    let p = part(&pieces[i]);
                    exchange.later.push(Later {
                        after: p.at.saturating_sub(exchange.reply[0].at),
                        part: p,
                    });
                }
            }
        }
        script.exchanges.push(exchange);
    }
    for (piece, role) in pieces.iter().zip(roles) {
        match role {
            Role::Unsolicited => script.slots.push(Slot::Unsolicited(part(piece))),
            Role::ReplyStart(r) => script.slots.push(Slot::Reply(r)),
            Role::InReply => {}
            Role::Later(exchange, index) => script.slots.push(Slot::Later { exchange, index }),
        }
    }
    script.login = script.exchanges.iter().position(|e| {
        e.request
            .action
            .as_deref()
            .is_some_and(|a| a.eq_ignore_ascii_case(b"Login"))
            && e.responds("Success")
    });
    script.duration = timeline.last().map(|c| c.at).unwrap_or_default();
    script.origin = script
        .login
        .and_then(|k| script.exchanges[k].reply_at())
        .unwrap_or_default();
    script
}

/// The `EventList` header of a message piece.
fn event_list(piece: &Piece) -> Option<&[u8]> {
    match &piece.kind {
        PartKind::Message(m) => m.message().get("EventList"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::Capture;

    fn corpus() -> Vec<Capture> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus");
        let mut out = Vec::new();
        for version in ["asterisk-13.38.3", "asterisk-23.4.1", "asterisk-23.4.1-sip"] {
            let mut names: Vec<_> = std::fs::read_dir(root.join(version))
                .unwrap()
                .filter_map(|e| {
                    let n = e.unwrap().file_name().into_string().unwrap();
                    n.strip_suffix(".client.bin").map(str::to_owned)
                })
                .collect();
            names.sort();
            for name in names {
                out.push(Capture::load(root.join(version).join(name)).unwrap());
            }
        }
        out
    }

    #[test]
    fn every_server_byte_has_exactly_one_place() {
        let all = corpus();
        assert!(all.len() >= 108);
        for capture in all {
            let script = capture.script();
            assert!(
                script.recorded_stream() == capture.server_bytes()[..],
                "{}",
                capture.name()
            );
        }
    }
}
