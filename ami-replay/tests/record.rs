//! The recorder: a replayed session recorded through `RecordedStream` gives back the
//! capture (server bytes equal once the ActionIDs are restored, reads and writes in the
//! recorded order), never holds a login secret, and loads at every moment.

mod support;

use std::collections::HashMap;

use ami_proto::{Decoded, Decoder, Item};
use ami_replay::{Capture, Direction, EventOrder, Pace, RecordedStream, Recorder, ReplayServer};
use base64::Engine as _;
use support::{all_prefixes, first_difference, load, play_lockstep_on, users};
use tokio::net::TcpStream;

/// `stream` with the ActionIDs of `reverse` (new → old) put back.
fn restore_ids(stream: &[u8], reverse: &HashMap<Vec<u8>, Vec<u8>>) -> Vec<u8> {
    let mut decoder = Decoder::new();
    let (mut base, mut copied) = (0, 0);
    let mut out = Vec::new();
    while let Decoded::Item { item, consumed } = decoder.decode(&stream[base..]) {
        if let Item::Message(m) = item {
            let start = m.as_bytes().as_ptr() as usize - stream.as_ptr() as usize;
            if let Some(value) = m.action_id() {
                let vs = value.as_ptr() as usize - stream.as_ptr() as usize;
                if let Some(old) = reverse.get(value) {
                    out.extend_from_slice(&stream[copied..vs]);
                    out.extend_from_slice(old);
                    copied = vs + value.len();
                }
            }
            let _ = start;
        }
        base += consumed;
    }
    out.extend_from_slice(&stream[copied..]);
    out
}

/// The client stream as the recorder must write it: `Secret` values, and `Key` values in
/// a Login, as `*`s (checked line by line, independently of the recorder's masker).
fn masked_client(client: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut in_login = false;
    for line in client.split_inclusive(|&b| b == b'\n') {
        let text = String::from_utf8_lossy(line);
        let lower = text.to_ascii_lowercase();
        if lower.trim().is_empty() {
            in_login = false;
        }
        if lower.starts_with("action: login") {
            in_login = true;
        }
        let hidden = lower.starts_with("secret:") || (in_login && lower.starts_with("key:"));
        if hidden {
            let colon = line.iter().position(|&b| b == b':').unwrap();
            let mut start = colon + 1;
            while line.get(start) == Some(&b' ') {
                start += 1;
            }
            let end = line.len()
                - line
                    .iter()
                    .rev()
                    .take_while(|&&b| b == b'\r' || b == b'\n')
                    .count();
            out.extend_from_slice(&line[..start]);
            out.extend(std::iter::repeat_n(b'*', end.saturating_sub(start)));
            out.extend_from_slice(&line[end.max(start)..]);
        } else {
            out.extend_from_slice(line);
        }
    }
    out
}

/// For each client write of a capture: how many server bytes came before it.
fn server_bytes_before_writes(capture: &Capture) -> Vec<usize> {
    let mut server = 0;
    let mut out = Vec::new();
    for chunk in capture.timeline() {
        match chunk.direction {
            Direction::ServerToClient => server += chunk.bytes.len(),
            Direction::ClientToServer => out.push(server),
        }
    }
    out
}

#[tokio::test]
async fn round_trip_replay_record_compare() {
    let dir = tempfile::tempdir().unwrap();
    let mut count = 0;
    for prefix in all_prefixes() {
        let original = Capture::load(&prefix).unwrap();
        let server = ReplayServer::builder([original.clone()])
            .users(users())
            .pace(Pace::AsFastAsPossible)
            .event_order(EventOrder::AsRecorded)
            .start()
            .await
            .unwrap();
        let out = dir.path().join(original.name());
        let stream = RecordedStream::new(
            TcpStream::connect(server.addr()).await.unwrap(),
            Recorder::create(&out).unwrap(),
        );
        let played = play_lockstep_on(stream, &original).await;
        assert!(played.received == played.expected, "{}", original.name());

        let recorded = Capture::load(&out).unwrap();
        let renamed = support::rename_ids(original.client_bytes());
        let reverse: HashMap<_, _> = renamed
            .ids
            .iter()
            .map(|(o, n)| (n.clone(), o.clone()))
            .collect();
        // The server bytes, ActionIDs restored, are the original's.
        let server_restored = restore_ids(recorded.server_bytes(), &reverse);
        assert!(
            server_restored == original.server_bytes()[..],
            "{}: {}",
            original.name(),
            first_difference(&server_restored, original.server_bytes())
        );
        // The client bytes are what the client sent, secrets masked.
        assert_eq!(
            recorded.client_bytes()[..],
            masked_client(&renamed.client)[..],
            "{}",
            original.name()
        );
        // Order: every write came after the server bytes that preceded it when recorded
        // (the client waited for them), the same writes in the same order.
        let (before_then, before_now) = (
            server_bytes_before_writes(&original),
            server_bytes_before_writes(&recorded),
        );
        assert_eq!(before_then.len(), before_now.len(), "{}", original.name());
        let map = support::expected_server(&original, &renamed).1;
        for (then, now) in before_then.iter().zip(&before_now) {
            assert!(
                *now >= support::map_server(&map, *then),
                "{}",
                original.name()
            );
        }
        count += 1;
    }
    assert!(count >= 108);
}

/// No file of a recording holds the secret or the MD5 key, in clear or in base64, and the
/// masks keep lengths.
#[tokio::test]
async fn a_recorded_secret_is_never_written() {
    let dir = tempfile::tempdir().unwrap();
    let secret = support::secret("admin");
    for name in [
        "02_login_success",
        "06_challenge_md5",
        "55_lf_only",
        "56_pipelined_and_fragmented",
    ] {
        let capture = match name {
            "55_lf_only" | "56_pipelined_and_fragmented" => load("asterisk-13.38.3", name),
            _ => load("asterisk-23.4.1", name),
        };
        let server = ReplayServer::builder([capture.clone()])
            .users(users())
            .pace(Pace::AsFastAsPossible)
            .event_order(EventOrder::AsRecorded)
            .start()
            .await
            .unwrap();
        let prefix = dir.path().join(name);
        let recorder = Recorder::create(&prefix).unwrap();
        let paths: Vec<_> = recorder.paths().iter().map(|p| p.to_path_buf()).collect();
        let stream =
            RecordedStream::new(TcpStream::connect(server.addr()).await.unwrap(), recorder);
        let played = play_lockstep_on(stream, &capture).await;
        assert!(played.received == played.expected);

        let key = b"5f38a5fec163e9e9e3e7843e2fe0999e";
        let mut forbidden: Vec<Vec<u8>> = vec![secret.as_bytes().to_vec(), key.to_vec()];
        // The base64 of "Secret: <secret>" at each alignment, as a timeline would hold it.
        for pad in 0..3 {
            let mut text = vec![b'x'; pad];
            text.extend_from_slice(format!("Secret: {secret}").as_bytes());
            let b64 = base64::engine::general_purpose::STANDARD.encode(&text);
            forbidden.push(b64.as_bytes()[4..b64.len() - 4].to_vec());
        }
        for path in &paths {
            let bytes = std::fs::read(path).unwrap();
            for needle in &forbidden {
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == &needle[..]),
                    "{}: holds {}",
                    path.display(),
                    String::from_utf8_lossy(needle)
                );
            }
        }
        let recorded = Capture::load(&prefix).unwrap();
        for needle in &forbidden[..2] {
            assert!(!recorded
                .client_bytes()
                .windows(needle.len())
                .any(|w| w == &needle[..]));
        }
        assert_eq!(
            recorded.client_bytes().len(),
            support::rename_ids(capture.client_bytes()).client.len()
        );
        assert!(
            recorded.client_bytes().windows(6).any(|w| w == b"******"),
            "{name}: masked"
        );
    }
}

/// While a session is being recorded, the files load after every read, and hold exactly
/// what went through so far.
#[tokio::test]
async fn a_recording_loads_at_every_moment() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let capture = load("asterisk-23.4.1", "90_event_stream_50_originates");
    let server = ReplayServer::builder([capture.clone()])
        .pace(Pace::AsFastAsPossible)
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("live");
    let mut stream = RecordedStream::new(
        TcpStream::connect(server.addr()).await.unwrap(),
        Recorder::create(&prefix).unwrap(),
    );
    let login = b"Action: Login\r\nUsername: admin\r\nSecret: amp111\r\n\r\n";
    stream.write_all(login).await.unwrap();
    let (mut received, mut reads, mut buf) = (Vec::new(), 0, vec![0; 4096]);
    while received.len() < 300_000 {
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0);
        received.extend_from_slice(&buf[..n]);
        reads += 1;
        let now = Capture::load(&prefix).unwrap_or_else(|e| panic!("after read {reads}: {e}"));
        assert!(now.server_bytes()[..] == received[..], "after read {reads}");
        assert_eq!(now.client_bytes().len(), login.len());
    }
    assert!(reads > 10);
}
