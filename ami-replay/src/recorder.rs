//! Writes a live session in the capture format, as it happens.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::mask::SecretMask;
use crate::timeline::{self, Direction};

/// Writes both directions of a session to `PREFIX.server.bin`, `PREFIX.client.bin` and
/// `PREFIX.timeline.jsonl`, the format [`Capture::load`](crate::Capture::load) reads.
///
/// Every call writes straight through to the files (no buffering in the process): after
/// each one the three files agree and load as a capture, so a recording stopped at any
/// moment (Ctrl-C, a crash between calls) is complete. Within one call the `.bin` file is
/// written before the timeline line. Writes are blocking and small (one read's bytes).
///
/// The client side never holds a login secret: the value of every `Secret` header, and of
/// `Key` in a `Login`, is written as `*`s of the same length, in both the `.bin` file and
/// the timeline (see [`client_sent`](Self::client_sent)).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = tempfile::tempdir()?;
/// let prefix = dir.path().join("session");
/// let mut recorder = ami_replay::Recorder::create(&prefix)?;
/// recorder.server_sent(b"Asterisk Call Manager/12.0.0\r\n")?;
/// recorder.client_sent(b"Action: Login\r\nUsername: admin\r\nSecret: amp111\r\n\r\n")?;
/// let capture = ami_replay::Capture::load(&prefix)?;
/// assert_eq!(&capture.client_bytes()[..], b"Action: Login\r\nUsername: admin\r\nSecret: ******\r\n\r\n");
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Recorder {
    server: File,
    client: File,
    timeline: File,
    paths: [PathBuf; 3],
    started: Instant,
    mask: SecretMask,
    line: Vec<u8>,
}

impl Recorder {
    /// Creates (or empties) the three files; times in the timeline count from now.
    pub fn create(prefix: impl AsRef<Path>) -> io::Result<Recorder> {
        let prefix = prefix.as_ref().as_os_str();
        let path = |suffix: &str| {
            let mut name = prefix.to_owned();
            name.push(suffix);
            PathBuf::from(name)
        };
        let paths = [
            path(".server.bin"),
            path(".client.bin"),
            path(".timeline.jsonl"),
        ];
        let open = |p: &PathBuf| {
            File::create(p).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", p.display())))
        };
        Ok(Recorder {
            server: open(&paths[0])?,
            client: open(&paths[1])?,
            timeline: open(&paths[2])?,
            paths,
            started: Instant::now(),
            mask: SecretMask::default(),
            line: Vec::new(),
        })
    }

    /// The files: server side, client side, timeline.
    pub fn paths(&self) -> [&Path; 3] {
        [&self.paths[0], &self.paths[1], &self.paths[2]]
    }

    /// Records bytes read from the server.
    pub fn server_sent(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.record(Direction::ServerToClient, bytes)
    }

    /// Records bytes the client wrote, with login secrets masked (the bytes on the wire
    /// are the caller's business: this changes only what is written to the files).
    pub fn client_sent(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.record(Direction::ClientToServer, bytes)
    }

    /// Records one read or write.
    pub fn record(&mut self, direction: Direction, bytes: &[u8]) -> io::Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        let at = self.started.elapsed();
        let mut masked;
        let bytes = match direction {
            Direction::ServerToClient => bytes,
            Direction::ClientToServer => {
                masked = bytes.to_vec();
                self.mask.apply(&mut masked);
                &masked[..]
            }
        };
        let (file, path) = match direction {
            Direction::ServerToClient => (&mut self.server, &self.paths[0]),
            Direction::ClientToServer => (&mut self.client, &self.paths[1]),
        };
        let named = |e: io::Error, path: &Path| {
            io::Error::new(e.kind(), format!("{}: {e}", path.display()))
        };
        file.write_all(bytes).map_err(|e| named(e, path))?;
        self.line.clear();
        timeline::write_line(&mut self.line, at, direction, bytes);
        self.timeline
            .write_all(&self.line)
            .map_err(|e| named(e, &self.paths[2]))
    }
}

/// A stream (the client's connection to Asterisk) whose every read and write is recorded:
/// what is read from it as the server's bytes, what is written to it as the client's.
///
/// A proxy that records an application's session (`ami record --proxy`) is this around
/// the connection to Asterisk, copied both ways with the application's:
///
/// ```no_run
/// # async fn proxy(app: tokio::net::TcpStream, asterisk: tokio::net::TcpStream) -> std::io::Result<()> {
/// let mut app = app;
/// let mut asterisk = ami_replay::RecordedStream::new(asterisk, ami_replay::Recorder::create("session")?);
/// tokio::io::copy_bidirectional(&mut app, &mut asterisk).await?;
/// # Ok(())
/// # }
/// ```
///
/// A failure to record is returned as the IO error of the read or write (whose bytes have
/// then already gone through).
#[derive(Debug)]
pub struct RecordedStream<S> {
    inner: S,
    recorder: Recorder,
}

impl<S> RecordedStream<S> {
    /// Records everything that goes through `inner`.
    pub fn new(inner: S, recorder: Recorder) -> Self {
        RecordedStream { inner, recorder }
    }

    /// The stream inside.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Back to the stream and the recorder.
    pub fn into_parts(self) -> (S, Recorder) {
        (self.inner, self.recorder)
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for RecordedStream<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let result = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = result {
            this.recorder.server_sent(&buf.filled()[before..])?;
        }
        result
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for RecordedStream<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = result {
            this.recorder.client_sent(&buf[..n])?;
        }
        result
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
