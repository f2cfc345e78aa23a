//! The codec over real TCP on 127.0.0.1: an in-process fake server replays every real
//! transcript (its reads and writes in the recorded order) and checks that the client's
//! encoded actions are byte for byte what the real client sent; the client checks that the
//! frames it decodes are the messages of the real server stream.

use ami_proto::GenericAction;
use ami_proto::{Config, Decoded, Decoder, Item, LineEndings};
use ami_tokio::{AmiCodec, Frame};
use futures_util::{SinkExt, StreamExt};
use std::path::PathBuf;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::codec::Framed;

/// One socket write of either side, in recorded order.
enum Chunk {
    ToServer(Vec<u8>),
    ToClient(Vec<u8>),
}

struct Transcript {
    name: String,
    client: Vec<u8>,
    server: Vec<u8>,
    chunks: Vec<Chunk>,
}

fn transcripts() -> Vec<Transcript> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus");
    let mut out = Vec::new();
    for version in ["asterisk-13.38.3", "asterisk-23.4.1", "asterisk-23.4.1-sip"] {
        let dir = root.join(version);
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| {
                let n = e.unwrap().file_name().into_string().unwrap();
                n.strip_suffix(".client.bin").map(str::to_owned)
            })
            .collect();
        names.sort();
        for name in names {
            let read = |ext: &str| std::fs::read(dir.join(format!("{name}.{ext}"))).unwrap();
            let timeline = String::from_utf8(read("timeline.jsonl")).unwrap();
            let chunks = timeline
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| {
                    let bytes = base64(field(l, "b64"));
                    match field(l, "dir") {
                        "c2s" => Chunk::ToServer(bytes),
                        _ => Chunk::ToClient(bytes),
                    }
                })
                .collect();
            out.push(Transcript {
                name: format!("{version}/{name}"),
                client: read("client.bin"),
                server: read("server.bin"),
                chunks,
            });
        }
    }
    out
}

fn field<'a>(line: &'a str, key: &str) -> &'a str {
    let tag = format!("\"{key}\": \"");
    let start = line.find(&tag).unwrap() + tag.len();
    &line[start..start + line[start..].find('"').unwrap()]
}

fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("bad base64"),
    };
    let mut out = Vec::new();
    for chunk in text.as_bytes().chunks(4) {
        let data: Vec<u8> = chunk.iter().copied().filter(|&c| c != b'=').collect();
        let n =
            data.iter().fold(0u32, |n, &c| n << 6 | u32::from(value(c))) << (6 * (4 - data.len()));
        out.extend_from_slice(&n.to_be_bytes()[1..data.len()]);
    }
    out
}

/// The requests of a client stream as actions (name, headers), or `None` if some request
/// cannot be written by an encoder as the client wrote it (no Action header, bare LFs).
fn actions_of(client: &[u8]) -> Option<Vec<GenericAction>> {
    let mut d = Decoder::with_config(Config::default().with_line_endings(LineEndings::Lenient));
    let mut rest = client;
    let mut out = Vec::new();
    while let Decoded::Item { item, consumed } = d.decode(rest) {
        let Item::Message(m) = item else { return None };
        let first = m.header_at(0);
        if !first.is("Action") || !m.as_bytes().ends_with(b"\r\n\r\n") {
            return None;
        }
        let mut action = GenericAction::new(std::str::from_utf8(first.value).ok()?);
        for h in m.headers().skip(1) {
            action = action.header(h.key, h.value);
        }
        out.push(action);
        rest = &rest[consumed..];
    }
    Some(out)
}

/// Every frame of a server stream decoded in one go, as comparable values.
fn frames_of(server: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut d = Decoder::new();
    let mut rest = server;
    let mut out = Vec::new();
    loop {
        match d.decode(rest) {
            Decoded::Item { item, consumed } => {
                out.push(match item {
                    Item::Banner(b) => (b'B', b.to_vec()),
                    Item::Text(b) => (b'T', b.to_vec()),
                    Item::Message(m) => (b'M', m.as_bytes().to_vec()),
                    other => panic!("an item kind this test does not know: {other:?}"),
                });
                rest = &rest[consumed..];
            }
            Decoded::NeedMore { .. } => break,
            Decoded::Error { error, .. } => panic!("{error}"),
        }
    }
    out
}

/// Plays the server side: writes its chunks, reads (and checks) the client's when
/// `check_client` is set, then closes.
async fn serve(listener: TcpListener, chunks: Vec<Chunk>, check_client: bool) -> Vec<u8> {
    let (mut socket, peer) = listener.accept().await.unwrap();
    assert!(peer.ip().is_loopback());
    let mut received = Vec::new();
    for chunk in chunks {
        match chunk {
            Chunk::ToClient(bytes) => socket.write_all(&bytes).await.unwrap(),
            Chunk::ToServer(bytes) if check_client => {
                let mut buf = vec![0; bytes.len()];
                socket.read_exact(&mut buf).await.unwrap();
                received.extend_from_slice(&buf);
            }
            Chunk::ToServer(_) => {}
        }
    }
    socket.shutdown().await.unwrap();
    received
}

#[tokio::test]
async fn codec_replays_every_transcript_over_loopback() {
    let all = transcripts();
    let (mut pairs, mut encoded, mut frames) = (0, 0, 0);
    for t in all {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let actions = actions_of(&t.client);
        let server = tokio::spawn(serve(listener, t.chunks, actions.is_some()));

        let stream = TcpStream::connect(addr).await.unwrap();
        let mut framed = Framed::new(stream, AmiCodec::new());
        if let Some(actions) = &actions {
            for action in actions {
                framed.send(action).await.unwrap();
            }
        }
        let mut got = Vec::new();
        while let Some(frame) = framed.next().await {
            got.push(match frame.unwrap() {
                Frame::Banner(b) => (b'B', b.to_vec()),
                Frame::Text(b) => (b'T', b.to_vec()),
                Frame::Message(m) => {
                    // The owned frame still answers like a borrowed message.
                    assert_eq!(m.message().as_bytes(), &m.bytes()[..]);
                    (b'M', m.bytes().to_vec())
                }
                Frame::Malformed(e) => panic!("{}: {e}", t.name),
                other => panic!("{}: {other:?}", t.name),
            });
        }
        let want = frames_of(&t.server);
        assert_eq!(got.len(), want.len(), "{}", t.name);
        assert!(got == want, "{}: frames differ", t.name);
        frames += got.len();

        let received = server.await.unwrap();
        if actions.is_some() {
            assert!(
                received == t.client,
                "{}: encoded actions differ from the real client's",
                t.name
            );
            encoded += 1;
        }
        pairs += 1;
    }
    eprintln!("{pairs} transcript pairs replayed over 127.0.0.1, {encoded} client streams re-encoded byte for byte, {frames} frames");
    assert!(pairs >= 108);
}

#[tokio::test]
async fn refused_action_writes_nothing_and_truncated_stream_is_an_error() {
    use tokio_util::codec::{Decoder as _, Encoder as _};
    let mut codec = AmiCodec::new();
    let mut out = bytes::BytesMut::from(&b"kept"[..]);
    let err = codec
        .encode(
            &GenericAction::new("Ping").header("ActionID", "1\r\nAction: Originate"),
            &mut out,
        )
        .unwrap_err();
    assert!(matches!(err, ami_tokio::CodecError::Encode(_)));
    assert_eq!(&out[..], b"kept");

    let mut input = bytes::BytesMut::from(&b"Response: Success\r\nActionID: 1\r\n"[..]);
    assert!(codec.decode(&mut input).unwrap().is_none());
    assert!(matches!(
        codec.decode_eof(&mut input),
        Err(ami_tokio::CodecError::Truncated(_))
    ));

    let io: ami_tokio::CodecError = std::io::Error::other("x").into();
    assert!(matches!(io, ami_tokio::CodecError::Io(_)));
}
