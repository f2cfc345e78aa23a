//! The timeline file: one JSON object a line, `{"t": seconds, "dir": "c2s"|"s2c", "len": n,
//! "b64": base64}`, one per socket read or write, in order. Read by [`Capture`](crate::Capture),
//! written by [`Recorder`](crate::Recorder).

use std::borrow::Cow;
use std::path::Path;
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use serde::Deserialize;

use crate::error::{LoadError, LoadErrorKind};

/// Which way a chunk of bytes went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// The client wrote it (`"c2s"`).
    ClientToServer,
    /// The server sent it (`"s2c"`).
    ServerToClient,
}

impl Direction {
    /// The name in the timeline file.
    ///
    /// ```
    /// assert_eq!(ami_replay::Direction::ServerToClient.as_str(), "s2c");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::ClientToServer => "c2s",
            Direction::ServerToClient => "s2c",
        }
    }
}

/// One socket read or write of a capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// When it happened, from the start of the recording.
    pub at: Duration,
    /// Which way it went.
    pub direction: Direction,
    /// The bytes.
    pub bytes: Bytes,
}

/// One line as the format has it.
#[derive(Deserialize)]
struct Record<'a> {
    t: f64,
    #[serde(borrow)]
    dir: Cow<'a, str>,
    len: u64,
    #[serde(borrow)]
    b64: Cow<'a, str>,
}

/// Parses a whole timeline file; `path` names it in errors. Blank lines are allowed.
/// Returns the chunks and the 1-based line number of each.
pub(crate) fn parse(text: &[u8], path: &Path) -> Result<(Vec<Chunk>, Vec<usize>), LoadError> {
    let bad =
        |line: usize, reason: String| LoadError::new(path, LoadErrorKind::BadLine { line, reason });
    let mut chunks = Vec::new();
    let mut lines = Vec::new();
    let mut previous = 0.0f64;
    let line_count = text.split(|&b| b == b'\n').count();
    for (index, line) in text.split(|&b| b == b'\n').enumerate() {
        let number = index + 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let record: Record<'_> = serde_json::from_slice(line).map_err(|e| {
            let text = e.to_string();
            let what = text.rsplit_once(" at line ").map_or(&text[..], |(w, _)| w);
            let cut = if number == line_count {
                "the file ends inside this line: "
            } else {
                ""
            };
            bad(
                number,
                format!("{cut}not a timeline record: {what} (column {})", e.column()),
            )
        })?;
        if !record.t.is_finite() || record.t < 0.0 {
            return Err(bad(number, format!("\"t\" is {}, not seconds", record.t)));
        }
        if record.t < previous {
            return Err(bad(
                number,
                format!("\"t\" goes back from {previous} to {}", record.t),
            ));
        }
        previous = record.t;
        let direction = match &*record.dir {
            "c2s" => Direction::ClientToServer,
            "s2c" => Direction::ServerToClient,
            other => {
                return Err(bad(
                    number,
                    format!("\"dir\" is {other:?}, not \"c2s\" or \"s2c\""),
                ))
            }
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(record.b64.as_bytes())
            .map_err(|e| bad(number, format!("\"b64\" is not base64: {e}")))?;
        if bytes.len() as u64 != record.len {
            return Err(LoadError::new(
                path,
                LoadErrorKind::WrongLength {
                    line: number,
                    len: record.len,
                    decoded: bytes.len(),
                },
            ));
        }
        chunks.push(Chunk {
            at: Duration::from_secs_f64(record.t),
            direction,
            bytes: bytes.into(),
        });
        lines.push(number);
    }
    Ok((chunks, lines))
}

/// Appends one timeline line (with its newline) for `bytes`.
pub(crate) fn write_line(out: &mut Vec<u8>, at: Duration, direction: Direction, bytes: &[u8]) {
    let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
    let line = format!(
        "{{\"t\": {:.6}, \"dir\": \"{}\", \"len\": {}, \"b64\": \"{b64}\"}}\n",
        at.as_secs_f64(),
        direction.as_str(),
        bytes.len(),
    );
    out.extend_from_slice(line.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_lines_parse_back() {
        let mut out = Vec::new();
        write_line(
            &mut out,
            Duration::from_micros(1_500_042),
            Direction::ServerToClient,
            b"Asterisk Call Manager/12.0.0\r\n",
        );
        write_line(
            &mut out,
            Duration::from_secs(2),
            Direction::ClientToServer,
            b"",
        );
        assert_eq!(
            &out[..out.iter().position(|&b| b == b'\n').unwrap()],
            br#"{"t": 1.500042, "dir": "s2c", "len": 30, "b64": "QXN0ZXJpc2sgQ2FsbCBNYW5hZ2VyLzEyLjAuMA0K"}"#
        );
        let (chunks, lines) = parse(&out, Path::new("t")).unwrap();
        assert_eq!(lines, [1, 2]);
        assert_eq!(chunks.len(), 2);
        assert_eq!(chunks[0].at, Duration::from_micros(1_500_042));
        assert_eq!(&chunks[0].bytes[..], b"Asterisk Call Manager/12.0.0\r\n");
        assert_eq!(chunks[1].direction, Direction::ClientToServer);
    }

    #[test]
    fn bad_lines_say_which_and_why() {
        let reason = |text: &[u8]| {
            let e = parse(text, Path::new("t")).unwrap_err();
            (e.line().unwrap(), e.to_string())
        };
        let (line, text) =
            reason(b"{\"t\": 0, \"dir\": \"s2c\", \"len\": 0, \"b64\": \"\"}\n{\"t\": 1}\n");
        assert_eq!(line, 2);
        assert!(text.contains("missing field `dir`"), "{text}");
        let (_, text) = reason(b"{\"t\": 0, \"dir\": \"up\", \"len\": 0, \"b64\": \"\"}");
        assert!(text.contains("\"dir\" is \"up\""), "{text}");
        let (_, text) = reason(b"{\"t\": 0, \"dir\": \"s2c\", \"len\": 1, \"b64\": \"QQ=!\"}");
        assert!(text.contains("not base64"), "{text}");
        let (_, text) = reason(b"{\"t\": -1, \"dir\": \"s2c\", \"len\": 0, \"b64\": \"\"}");
        assert!(text.contains("not seconds"), "{text}");
        let (line, text) = reason(
            b"{\"t\": 2, \"dir\": \"s2c\", \"len\": 0, \"b64\": \"\"}\n{\"t\": 1, \"dir\": \"s2c\", \"len\": 0, \"b64\": \"\"}",
        );
        assert_eq!(line, 2);
        assert!(text.contains("goes back"), "{text}");
        let (line, text) =
            reason(b"{\"t\": 0, \"dir\": \"s2c\", \"len\": 0, \"b64\": \"\"}\n{\"t\": 0, \"di");
        assert_eq!(line, 2);
        assert!(text.contains("ends inside this line"), "{text}");
        let (line, text) = reason(b"\x89PNG\r\n\x1a\n");
        assert_eq!(line, 1);
        assert!(text.contains("not a timeline record"), "{text}");
    }
}
