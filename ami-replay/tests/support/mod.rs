//! Shared by the tests: the transcripts of `corpus/`, the users they logged in as, and a
//! client that plays a transcript's requests with its own ActionIDs, in the recorded order
//! of reads and writes.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ami_proto::{Config, Decoded, Decoder, Item, LineEndings};
use ami_replay::{Capture, Direction, Users};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

/// The three transcript folders.
pub const VERSIONS: [&str; 3] = ["asterisk-13.38.3", "asterisk-23.4.1", "asterisk-23.4.1-sip"];

pub fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus")
}

/// Every transcript prefix of every version, sorted.
pub fn all_prefixes() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for version in VERSIONS {
        let dir = corpus_root().join(version);
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().into_string().unwrap();
                name.strip_suffix(".client.bin").map(str::to_owned)
            })
            .collect();
        names.sort();
        out.extend(names.into_iter().map(|n| dir.join(n)));
    }
    out
}

pub fn load(version: &str, name: &str) -> Capture {
    Capture::load(corpus_root().join(version).join(name)).unwrap()
}

/// The users the transcripts logged in as: from `manager.conf` in `../shared/asterisk`
/// when it is there, else the secrets that configuration has (`shared/asterisk/README.md`).
pub fn users() -> Users {
    let conf = corpus_root().join("../../shared/asterisk/23.4.1/conf/manager.conf");
    match Users::load(conf) {
        Ok(users) if users.names().count() > 0 => users,
        _ => Users::new()
            .user("admin", "amp111")
            .user("reader", "reader111"),
    }
}

/// The secret of `user` among [`users`], for a client to log in with.
pub fn secret(user: &str) -> String {
    let conf = corpus_root().join("../../shared/asterisk/23.4.1/conf/manager.conf");
    if let Ok(text) = std::fs::read_to_string(conf) {
        let mut section = "";
        for line in text.lines().map(str::trim) {
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = name;
            } else if let Some((key, value)) = line.split_once('=') {
                if section == user && key.trim() == "secret" {
                    return value.trim().to_owned();
                }
            }
        }
    }
    match user {
        "admin" => "amp111".to_owned(),
        "reader" => "reader111".to_owned(),
        other => panic!("no secret for {other}"),
    }
}

/// A transcript's client stream with every ActionID changed (`cap-3` becomes `t3-cap-3+`,
/// a different length), and the mapping of old ActionIDs to new ones.
pub struct Renamed {
    pub client: Vec<u8>,
    pub ids: HashMap<Vec<u8>, Vec<u8>>,
    /// Where the first request with each old ActionID ends in the recorded client stream.
    pub sent_at: HashMap<Vec<u8>, usize>,
    /// (old offset, new offset) at the start and end of each replaced value.
    marks: Vec<(usize, usize, usize)>,
}

impl Renamed {
    /// Where byte `old` of the recorded client stream is in the renamed one.
    pub fn offset(&self, old: usize) -> usize {
        let mut shift: isize = 0;
        for &(start, old_len, new_len) in &self.marks {
            if old <= start {
                break;
            }
            if old < start + old_len {
                let into = (old - start).min(new_len);
                return (start as isize + shift) as usize + into;
            }
            shift += new_len as isize - old_len as isize;
        }
        (old as isize + shift) as usize
    }
}

/// Renames the ActionIDs of `client` (requests read as Asterisk reads them).
pub fn rename_ids(client: &[u8]) -> Renamed {
    let mut decoder =
        Decoder::with_config(Config::default().with_line_endings(LineEndings::Lenient));
    let mut base = 0;
    let mut out = Vec::new();
    let mut copied = 0;
    let mut ids = HashMap::new();
    let mut sent_at = HashMap::new();
    let mut marks = Vec::new();
    let mut n = 0;
    while let Decoded::Item { item, consumed } = decoder.decode(&client[base..]) {
        if let Item::Message(m) = item {
            let start = m.as_bytes().as_ptr() as usize - client.as_ptr() as usize;
            if let Some(span) = m
                .spans()
                .iter()
                .find(|s| m.as_bytes()[s.key()].eq_ignore_ascii_case(b"ActionID"))
            {
                let (vs, ve) = (start + span.value().start, start + span.value().end);
                let old = client[vs..ve].to_vec();
                if !old.is_empty() {
                    n += 1;
                    sent_at
                        .entry(old.clone())
                        .or_insert(start + m.as_bytes().len());
                    let new = ids
                        .entry(old.clone())
                        .or_insert_with(|| {
                            let mut new = format!("t{n}-").into_bytes();
                            new.extend_from_slice(&old);
                            new.push(b'+');
                            new
                        })
                        .clone();
                    out.extend_from_slice(&client[copied..vs]);
                    out.extend_from_slice(&new);
                    copied = ve;
                    marks.push((vs, old.len(), new.len()));
                }
            }
        }
        base += consumed;
    }
    out.extend_from_slice(&client[copied..]);
    Renamed {
        client: out,
        ids,
        sent_at,
        marks,
    }
}

/// The timeline index of the chunk of `direction` that holds byte `offset` of its stream.
fn chunk_index(capture: &Capture, direction: Direction, offset: usize) -> usize {
    let mut end = 0;
    for (i, chunk) in capture.timeline().iter().enumerate() {
        if chunk.direction == direction {
            end += chunk.bytes.len();
            if offset < end {
                return i;
            }
        }
    }
    usize::MAX
}

/// The server stream a client with renamed ActionIDs must receive: every message whose
/// ActionID is that of a request the client had sent before it carries the new one
/// (others are replies to other sessions, like an `OriginateResponse` in a monitor).
pub fn expected_server(capture: &Capture, renamed: &Renamed) -> (Vec<u8>, Vec<(usize, usize)>) {
    let server = &capture.server_bytes()[..];
    let ids = &renamed.ids;
    let mut decoder = Decoder::new();
    let mut base = 0;
    let mut out = Vec::new();
    let mut copied = 0;
    // (old offset, new offset) after each replaced value, to map offsets.
    let mut marks = Vec::new();
    loop {
        match decoder.decode(&server[base..]) {
            Decoded::Item { item, consumed } => {
                if let Item::Message(m) = item {
                    let start = m.as_bytes().as_ptr() as usize - server.as_ptr() as usize;
                    let id = m
                        .spans()
                        .iter()
                        .find(|s| m.as_bytes()[s.key()].eq_ignore_ascii_case(b"ActionID"));
                    if let Some(span) = id {
                        let (vs, ve) = (start + span.value().start, start + span.value().end);
                        let old = &server[vs..ve];
                        let sent_before = renamed.sent_at.get(old).is_some_and(|&end| {
                            chunk_index(capture, Direction::ClientToServer, end - 1)
                                < chunk_index(capture, Direction::ServerToClient, start)
                        });
                        if let Some(new) = ids.get(old).filter(|_| sent_before) {
                            out.extend_from_slice(&server[copied..vs]);
                            out.extend_from_slice(new);
                            copied = ve;
                            marks.push((ve, out.len()));
                        }
                    }
                }
                base += consumed;
            }
            Decoded::NeedMore { .. } => break,
            Decoded::Error { error, .. } => panic!("{error}"),
        }
    }
    out.extend_from_slice(&server[copied..]);
    (out, marks)
}

/// Where byte `old` of the recorded server stream ends up in the expected one.
pub fn map_server(marks: &[(usize, usize)], old: usize) -> usize {
    let mut shift: isize = 0;
    for &(old_end, new_end) in marks {
        if old_end > old {
            break;
        }
        shift = new_end as isize - old_end as isize;
    }
    (old as isize + shift) as usize
}

/// What a lockstep client saw.
pub struct Played {
    pub received: Vec<u8>,
    pub expected: Vec<u8>,
}

/// Plays `capture`'s client side against the server at `addr`, with renamed ActionIDs:
/// each recorded write is sent once everything the server had sent before it (as
/// recorded) has arrived. At the end, closes its side if the server has not, and reads
/// until the server closes.
pub async fn play_lockstep(addr: std::net::SocketAddr, capture: &Capture) -> Played {
    let stream = TcpStream::connect(addr).await.unwrap();
    play_lockstep_on(stream, capture).await
}

/// [`play_lockstep`] over any stream (a recorded one, say).
pub async fn play_lockstep_on<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    capture: &Capture,
) -> Played {
    let renamed = rename_ids(capture.client_bytes());
    let (expected, marks) = expected_server(capture, &renamed);
    let mut received = Vec::new();
    let (mut server_at, mut client_at) = (0usize, 0usize);
    let mut buf = vec![0u8; 64 * 1024];
    for chunk in capture.timeline() {
        match chunk.direction {
            Direction::ServerToClient => server_at += chunk.bytes.len(),
            Direction::ClientToServer => {
                let want = map_server(&marks, server_at);
                if !read_until(&mut stream, &mut received, &mut buf, want).await {
                    // Stalled: the comparison will show where.
                    return Played { received, expected };
                }
                let (from, to) = (
                    renamed.offset(client_at),
                    renamed.offset(client_at + chunk.bytes.len()),
                );
                client_at += chunk.bytes.len();
                if stream.write_all(&renamed.client[from..to]).await.is_err() {
                    break;
                }
            }
        }
    }
    if !read_until(&mut stream, &mut received, &mut buf, expected.len()).await {
        return Played { received, expected };
    }
    let _ = stream.shutdown().await;
    loop {
        match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => received.extend_from_slice(&buf[..n]),
            Err(_) => panic!("{}: the server did not close", capture.name()),
        }
    }
    Played { received, expected }
}

/// Reads until `want` bytes are in; false if nothing came for 5 s.
async fn read_until<S: AsyncRead + Unpin>(
    stream: &mut S,
    received: &mut Vec<u8>,
    buf: &mut [u8],
    want: usize,
) -> bool {
    while received.len() < want {
        match tokio::time::timeout(Duration::from_secs(5), stream.read(buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(n)) => received.extend_from_slice(&buf[..n]),
            Err(_) => return false,
        }
    }
    true
}

/// The first position where two byte strings differ, with some context, for messages.
pub fn first_difference(a: &[u8], b: &[u8]) -> String {
    let at = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let from = at.saturating_sub(200);
    format!(
        "differ at byte {at} (lengths {} and {}):\n--- got ---\n{}\n--- want ---\n{}",
        a.len(),
        b.len(),
        String::from_utf8_lossy(&a[from..(at + 200).min(a.len())]),
        String::from_utf8_lossy(&b[from..(at + 200).min(b.len())]),
    )
}
