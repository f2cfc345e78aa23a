//! A capture on disk: `NAME.server.bin`, `NAME.client.bin`, `NAME.timeline.jsonl`, read and
//! checked against each other.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;

use crate::error::{LoadError, LoadErrorKind};
use crate::script::Script;
use crate::timeline::{self, Chunk, Direction};

/// A recorded AMI session, checked and ready to serve: every byte the server sent, every
/// byte the client wrote, and the order and times of the socket reads and writes.
///
/// Cloning is cheap (the capture is shared).
///
/// ```
/// # fn main() -> Result<(), ami_replay::LoadError> {
/// let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/../corpus/asterisk-23.4.1");
/// let ping = ami_replay::Capture::load(format!("{corpus}/08_ping"))?;
/// assert_eq!(ping.name(), "08_ping");
/// assert_eq!(ping.banner(), Some(&b"Asterisk Call Manager/12.0.0"[..]));
/// assert!(ping.server_bytes().starts_with(b"Asterisk Call Manager/12.0.0\r\nResponse: Success\r\n"));
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Capture {
    inner: Arc<Inner>,
}

struct Inner {
    name: String,
    server: Bytes,
    client: Bytes,
    timeline: Vec<Chunk>,
    script: Script,
}

/// The three files of a capture.
struct Paths {
    server: PathBuf,
    client: PathBuf,
    timeline: PathBuf,
}

impl Paths {
    fn of(prefix: &Path) -> Paths {
        let with = |suffix: &str| {
            let mut name = OsString::from(prefix.as_os_str());
            name.push(suffix);
            PathBuf::from(name)
        };
        Paths {
            server: with(".server.bin"),
            client: with(".client.bin"),
            timeline: with(".timeline.jsonl"),
        }
    }
}

impl Capture {
    /// Reads `PREFIX.server.bin`, `PREFIX.client.bin` and `PREFIX.timeline.jsonl` and checks
    /// them: every timeline line well-formed, the `.bin` files exactly the bytes the timeline
    /// lists for each direction, both streams decodable as AMI (requests as Asterisk reads
    /// them, with any line ending). A stream may end inside a message (a recording stopped
    /// there); such a last message is served as the raw bytes it is.
    ///
    /// Errors name the file and the line or byte offset.
    ///
    /// ```
    /// let err = ami_replay::Capture::load("/nonexistent/capture").unwrap_err();
    /// assert_eq!(err.path().to_str(), Some("/nonexistent/capture.server.bin"));
    /// ```
    pub fn load(prefix: impl AsRef<Path>) -> Result<Capture, LoadError> {
        let prefix = prefix.as_ref();
        let paths = Paths::of(prefix);
        let read = |path: &Path| {
            std::fs::read(path).map_err(|e| LoadError::new(path, LoadErrorKind::Io(e)))
        };
        let server = read(&paths.server)?;
        let client = read(&paths.client)?;
        let timeline = read(&paths.timeline)?;
        let name = prefix
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Capture::check(name, &paths, server.into(), client.into(), &timeline)
    }

    /// A capture from the contents of its three files; errors name them
    /// `NAME.server.bin`, `NAME.client.bin` and `NAME.timeline.jsonl`.
    ///
    /// ```
    /// let timeline = concat!(
    ///     r#"{"t": 0.001, "dir": "s2c", "len": 30, "b64": "QXN0ZXJpc2sgQ2FsbCBNYW5hZ2VyLzEyLjAuMA0K"}"#, "\n",
    /// );
    /// let capture = ami_replay::Capture::from_parts(
    ///     "banner", b"Asterisk Call Manager/12.0.0\r\n", b"", timeline.as_bytes()).unwrap();
    /// assert_eq!(capture.timeline().len(), 1);
    /// ```
    pub fn from_parts(
        name: &str,
        server: &[u8],
        client: &[u8],
        timeline: &[u8],
    ) -> Result<Capture, LoadError> {
        let paths = Paths::of(Path::new(name));
        Capture::check(
            name.to_owned(),
            &paths,
            Bytes::copy_from_slice(server),
            Bytes::copy_from_slice(client),
            timeline,
        )
    }

    fn check(
        name: String,
        paths: &Paths,
        server: Bytes,
        client: Bytes,
        timeline: &[u8],
    ) -> Result<Capture, LoadError> {
        let (chunks, lines) = timeline::parse(timeline, &paths.timeline)?;
        agree(
            &server,
            &chunks,
            &lines,
            Direction::ServerToClient,
            &paths.server,
        )?;
        agree(
            &client,
            &chunks,
            &lines,
            Direction::ClientToServer,
            &paths.client,
        )?;
        let script = Script::build(&server, &client, &chunks).map_err(|e| {
            let path = match e.direction {
                Direction::ServerToClient => &paths.server,
                Direction::ClientToServer => &paths.client,
            };
            LoadError::new(path, LoadErrorKind::Malformed(e.error))
        })?;
        Ok(Capture {
            inner: Arc::new(Inner {
                name,
                server,
                client,
                timeline: chunks,
                script,
            }),
        })
    }

    /// The capture's name: the last component of its prefix (`08_ping`).
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// Every byte the server sent.
    pub fn server_bytes(&self) -> &Bytes {
        &self.inner.server
    }

    /// Every byte the client wrote.
    pub fn client_bytes(&self) -> &Bytes {
        &self.inner.client
    }

    /// The socket reads and writes, in order.
    pub fn timeline(&self) -> &[Chunk] {
        &self.inner.timeline
    }

    /// The server's first line without its line ending, if it sent one.
    pub fn banner(&self) -> Option<&[u8]> {
        let banner = &self.inner.script.banner[..];
        let line = banner.trim_ascii_start();
        let end = line.iter().position(|&b| b == b'\r' || b == b'\n')?;
        Some(&line[..end])
    }

    pub(crate) fn script(&self) -> &Script {
        &self.inner.script
    }
}

/// Shows the name and sizes only: the client side may hold a login secret.
///
/// ```
/// let c = ami_replay::Capture::from_parts("x", b"", b"", b"").unwrap();
/// assert_eq!(format!("{c:?}"), "Capture { name: \"x\", server: 0, client: 0, chunks: 0 }");
/// ```
impl fmt::Debug for Capture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Capture")
            .field("name", &self.inner.name)
            .field("server", &self.inner.server.len())
            .field("client", &self.inner.client.len())
            .field("chunks", &self.inner.timeline.len())
            .finish()
    }
}

/// Checks that `file` holds exactly the bytes the timeline lists for `direction`.
/// `lines` holds each chunk's timeline line.
fn agree(
    file: &[u8],
    chunks: &[Chunk],
    lines: &[usize],
    direction: Direction,
    path: &Path,
) -> Result<(), LoadError> {
    let expected: u64 = chunks
        .iter()
        .filter(|c| c.direction == direction)
        .map(|c| c.bytes.len() as u64)
        .sum();
    let mut offset = 0usize;
    let fail = |kind| Err(LoadError::new(path, kind));
    for (index, chunk) in chunks.iter().enumerate() {
        if chunk.direction != direction {
            continue;
        }
        let line = lines[index];
        let available = &file[offset.min(file.len())..];
        let common = available.len().min(chunk.bytes.len());
        if let Some(at) = (0..common).find(|&i| available[i] != chunk.bytes[i]) {
            return fail(LoadErrorKind::Differs {
                offset: (offset + at) as u64,
                line,
            });
        }
        if available.len() < chunk.bytes.len() {
            return fail(LoadErrorKind::Truncated {
                len: file.len() as u64,
                expected,
                line,
            });
        }
        offset += chunk.bytes.len();
    }
    if offset < file.len() {
        return fail(LoadErrorKind::Unlisted {
            offset: offset as u64,
        });
    }
    Ok(())
}
