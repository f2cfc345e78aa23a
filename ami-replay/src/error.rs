//! Why a capture could not be loaded: always the file, and the line or byte offset.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// A capture that cannot be served: which file, what is wrong, and where.
///
/// ```
/// use ami_replay::{Capture, LoadErrorKind};
///
/// // The timeline says the server sent 5 bytes; server.bin holds only 3 of them.
/// let timeline = br#"{"t": 0.0, "dir": "s2c", "len": 5, "b64": "QXN0ZXI="}"#;
/// let err = Capture::from_parts("cut", b"Ast", b"", timeline).unwrap_err();
/// assert_eq!(err.path().to_str(), Some("cut.server.bin"));
/// assert!(matches!(err.kind(), LoadErrorKind::Truncated { len: 3, expected: 5, line: 1 }));
/// assert_eq!(err.to_string(),
///     "cut.server.bin: truncated: the file ends at byte 3, the timeline has 5 bytes for it (timeline line 1)");
/// ```
#[derive(Debug)]
pub struct LoadError {
    path: PathBuf,
    kind: LoadErrorKind,
}

/// What is wrong with a capture file.
#[derive(Debug)]
#[non_exhaustive]
pub enum LoadErrorKind {
    /// The file cannot be read.
    Io(io::Error),
    /// A timeline line is not a JSON object with `t`, `dir`, `len` and `b64` as the format
    /// has them (a file of another format fails here, at line 1).
    BadLine {
        /// 1-based line number in the timeline.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// A timeline line's `len` is not the length of its decoded `b64`.
    WrongLength {
        /// 1-based line number in the timeline.
        line: usize,
        /// The `len` field.
        len: u64,
        /// How many bytes `b64` holds.
        decoded: usize,
    },
    /// The file differs from the bytes the timeline lists for it, first at `offset`.
    Differs {
        /// Offset of the first differing byte in the file.
        offset: u64,
        /// The timeline line whose chunk holds that byte.
        line: usize,
    },
    /// The file is shorter than the timeline says: a truncated capture.
    Truncated {
        /// The file's length.
        len: u64,
        /// How many bytes the timeline has for it.
        expected: u64,
        /// The timeline line whose chunk goes past the end of the file.
        line: usize,
    },
    /// The file goes on after every byte the timeline lists for it.
    Unlisted {
        /// Offset of the first byte no timeline line holds.
        offset: u64,
    },
    /// The stream does not decode as AMI (the error has the offset).
    Malformed(ami_proto::Error),
}

impl LoadError {
    pub(crate) fn new(path: impl Into<PathBuf>, kind: LoadErrorKind) -> Self {
        LoadError {
            path: path.into(),
            kind,
        }
    }

    /// The file at fault.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What is wrong with it.
    pub fn kind(&self) -> &LoadErrorKind {
        &self.kind
    }

    /// The byte offset in [`path`](Self::path) where the problem is, when it is about bytes.
    ///
    /// ```
    /// let timeline = br#"{"t": 0.0, "dir": "s2c", "len": 2, "b64": "QUI="}"#;
    /// let err = ami_replay::Capture::from_parts("x", b"AC", b"", timeline).unwrap_err();
    /// assert_eq!(err.offset(), Some(1)); // "AB" in the timeline, "AC" in the file
    /// ```
    pub fn offset(&self) -> Option<u64> {
        match &self.kind {
            LoadErrorKind::Differs { offset, .. } | LoadErrorKind::Unlisted { offset } => {
                Some(*offset)
            }
            LoadErrorKind::Truncated { len, .. } => Some(*len),
            LoadErrorKind::Malformed(error) => Some(error.offset),
            _ => None,
        }
    }

    /// The 1-based timeline line involved, if any.
    ///
    /// ```
    /// let err = ami_replay::Capture::from_parts("x", b"", b"", b"\n\nnot json\n").unwrap_err();
    /// assert_eq!(err.line(), Some(3));
    /// assert_eq!(err.path().to_str(), Some("x.timeline.jsonl"));
    /// ```
    pub fn line(&self) -> Option<usize> {
        match &self.kind {
            LoadErrorKind::BadLine { line, .. }
            | LoadErrorKind::WrongLength { line, .. }
            | LoadErrorKind::Differs { line, .. }
            | LoadErrorKind::Truncated { line, .. } => Some(*line),
            _ => None,
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.path.display())?;
        match &self.kind {
            LoadErrorKind::Io(e) => write!(f, "{e}"),
            LoadErrorKind::BadLine { line, reason } => write!(f, "line {line}: {reason}"),
            LoadErrorKind::WrongLength { line, len, decoded } => write!(
                f,
                "line {line}: \"len\" is {len} but \"b64\" holds {decoded} bytes"
            ),
            LoadErrorKind::Differs { offset, line } => write!(
                f,
                "byte {offset} differs from the timeline (timeline line {line})"
            ),
            LoadErrorKind::Truncated {
                len,
                expected,
                line,
            } => write!(
                f,
                "truncated: the file ends at byte {len}, the timeline has {expected} bytes for it (timeline line {line})"
            ),
            LoadErrorKind::Unlisted { offset } => {
                write!(f, "the bytes from {offset} on are on no timeline line")
            }
            LoadErrorKind::Malformed(error) => write!(f, "not an AMI stream: {error}"),
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            LoadErrorKind::Io(e) => Some(e),
            LoadErrorKind::Malformed(e) => Some(e),
            _ => None,
        }
    }
}
