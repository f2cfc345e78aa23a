//! Bad captures: each a clear error naming the file and the line or byte offset.

mod support;

use std::path::{Path, PathBuf};

use ami_replay::{Capture, LoadError, LoadErrorKind};

/// A copy of a corpus capture in `dir`, for spoiling.
fn copy(dir: &Path, version: &str, name: &str) -> PathBuf {
    let from = support::corpus_root().join(version).join(name);
    for suffix in [".server.bin", ".client.bin", ".timeline.jsonl"] {
        let mut source = from.clone().into_os_string();
        source.push(suffix);
        std::fs::copy(&source, dir.join(format!("{name}{suffix}"))).unwrap();
    }
    dir.join(name)
}

fn file(prefix: &Path, suffix: &str) -> PathBuf {
    let mut path = prefix.as_os_str().to_owned();
    path.push(suffix);
    path.into()
}

fn load_err(prefix: &Path) -> LoadError {
    let err = Capture::load(prefix).unwrap_err();
    // Whatever it is, the message starts with the file.
    assert!(
        err.to_string()
            .starts_with(&err.path().display().to_string()),
        "{err}"
    );
    err
}

#[test]
fn a_truncated_server_file() {
    let dir = tempfile::tempdir().unwrap();
    let prefix = copy(dir.path(), "asterisk-23.4.1", "08_ping");
    let server = file(&prefix, ".server.bin");
    let bytes = std::fs::read(&server).unwrap();
    std::fs::write(&server, &bytes[..bytes.len() - 10]).unwrap();
    let err = load_err(&prefix);
    assert_eq!(err.path(), server);
    let LoadErrorKind::Truncated {
        len,
        expected,
        line,
    } = *err.kind()
    else {
        panic!("{err}")
    };
    assert_eq!(
        (len, expected),
        (bytes.len() as u64 - 10, bytes.len() as u64)
    );
    // The last server write is the timeline's last line.
    let lines = std::fs::read_to_string(file(&prefix, ".timeline.jsonl"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(line, lines);
    assert_eq!(err.offset(), Some(bytes.len() as u64 - 10));
    assert!(err.to_string().contains("truncated"), "{err}");
}

#[test]
fn a_timeline_that_disagrees_with_the_client_file() {
    let dir = tempfile::tempdir().unwrap();
    let prefix = copy(
        dir.path(),
        "asterisk-13.38.3",
        "56_pipelined_and_fragmented",
    );
    let client = file(&prefix, ".client.bin");
    let mut bytes = std::fs::read(&client).unwrap();
    let at = bytes.windows(6).position(|w| w == b"frag-4").unwrap() + 2;
    bytes[at] = b'X';
    std::fs::write(&client, &bytes).unwrap();
    let err = load_err(&prefix);
    assert_eq!(err.path(), client);
    assert_eq!(err.offset(), Some(at as u64));
    // That byte was written 5 bytes at a time: the line of the chunk that holds it.
    let timeline = std::fs::read_to_string(file(&prefix, ".timeline.jsonl")).unwrap();
    let line = err.line().unwrap();
    let record = timeline.lines().nth(line - 1).unwrap();
    assert!(
        record.contains("\"c2s\"") && record.contains("\"len\": 5"),
        "{record}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "{}: byte {at} differs from the timeline (timeline line {line})",
            client.display()
        )
    );
}

#[test]
fn bytes_no_timeline_line_holds() {
    let dir = tempfile::tempdir().unwrap();
    let prefix = copy(dir.path(), "asterisk-23.4.1", "58_logoff");
    let server = file(&prefix, ".server.bin");
    let mut bytes = std::fs::read(&server).unwrap();
    let len = bytes.len();
    bytes.extend_from_slice(b"Event: Extra\r\n\r\n");
    std::fs::write(&server, &bytes).unwrap();
    let err = load_err(&prefix);
    assert!(
        matches!(err.kind(), LoadErrorKind::Unlisted { offset } if *offset == len as u64),
        "{err}"
    );
}

#[test]
fn files_of_another_format() {
    let dir = tempfile::tempdir().unwrap();
    // A timeline that is a PNG, then one that is `ami decode` JSON Lines.
    let prefix = copy(dir.path(), "asterisk-23.4.1", "58_logoff");
    let timeline = file(&prefix, ".timeline.jsonl");
    std::fs::write(&timeline, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    let err = load_err(&prefix);
    assert_eq!(err.path(), timeline);
    assert_eq!(err.line(), Some(1));
    assert!(matches!(err.kind(), LoadErrorKind::BadLine { .. }));

    std::fs::write(
        &timeline,
        b"{\"type\":\"banner\",\"text\":\"Asterisk Call Manager/12.0.0\"}\n",
    )
    .unwrap();
    let err = load_err(&prefix);
    assert_eq!(err.line(), Some(1));
    assert!(err.to_string().contains("missing field `t`"), "{err}");

    // A timeline cut inside its last line.
    let prefix = copy(dir.path(), "asterisk-23.4.1", "08_ping");
    let timeline = file(&prefix, ".timeline.jsonl");
    let text = std::fs::read(&timeline).unwrap();
    std::fs::write(&timeline, &text[..text.len() - 20]).unwrap();
    let err = load_err(&prefix);
    let lines = text.iter().filter(|&&b| b == b'\n').count();
    assert_eq!(err.line(), Some(lines));
    assert!(err.to_string().contains("ends inside this line"), "{err}");

    // Server bytes that agree with the timeline but are not AMI.
    let bad =
        b"Asterisk Call Manager/12.0.0\r\nResponse: Success\r\nthis line has no colon\r\n\r\n";
    let line = format!(
        "{{\"t\": 0.1, \"dir\": \"s2c\", \"len\": {}, \"b64\": \"{}\"}}\n",
        bad.len(),
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bad)
    );
    let err = Capture::from_parts("odd", bad, b"", line.as_bytes()).unwrap_err();
    assert_eq!(err.path(), Path::new("odd.server.bin"));
    assert_eq!(err.offset(), Some(49), "the line without a colon");
    assert!(matches!(err.kind(), LoadErrorKind::Malformed(_)));
}

#[test]
fn a_missing_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let prefix = copy(dir.path(), "asterisk-23.4.1", "58_logoff");
    let client = file(&prefix, ".client.bin");
    std::fs::remove_file(&client).unwrap();
    let err = load_err(&prefix);
    assert_eq!(err.path(), client);
    assert!(matches!(err.kind(), LoadErrorKind::Io(e) if e.kind() == std::io::ErrorKind::NotFound));
}

#[test]
fn a_cut_recording_still_loads() {
    // A recording stopped inside a message: the files agree, the last message is cut.
    let server = b"Asterisk Call Manager/12.0.0\r\nResponse: Success\r\nActionID: 1\r\nMess";
    let line = format!(
        "{{\"t\": 0.1, \"dir\": \"s2c\", \"len\": {}, \"b64\": \"{}\"}}\n",
        server.len(),
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, server)
    );
    let capture = Capture::from_parts("cut", server, b"", line.as_bytes()).unwrap();
    assert_eq!(capture.server_bytes().len(), server.len());
}
