//! Typed decoding errors.

use core::fmt;

/// What was wrong with the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A line is longer than [`Limits::max_line`](crate::Limits::max_line).
    LineTooLong {
        /// The configured limit.
        limit: usize,
    },
    /// A message is larger than [`Limits::max_message`](crate::Limits::max_message).
    MessageTooLarge {
        /// The configured limit.
        limit: usize,
    },
    /// A message has more headers than [`Limits::max_headers`](crate::Limits::max_headers).
    TooManyHeaders {
        /// The configured limit.
        limit: usize,
    },
    /// A line inside a message is not of the form `Key: Value`.
    NotAHeader,
    /// The stream ended in the middle of an item.
    UnexpectedEof,
    /// The header storage lent with [`Decoder::with_storage`](crate::Decoder::with_storage)
    /// is too small for this message.
    StorageFull {
        /// Capacity of the lent storage.
        capacity: usize,
    },
}

/// A decoding error: what went wrong and where.
///
/// Offsets count bytes from the start of the stream (every byte ever consumed by the
/// decoder), so they point into the capture file a user is looking at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Error {
    /// What was wrong.
    pub kind: ErrorKind,
    /// Stream offset of the offending line (or of the message, for size limits).
    pub offset: u64,
    /// Stream offset where the bad message started; the decoder resumes after its end.
    pub message_offset: u64,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ErrorKind::LineTooLong { limit } => {
                write!(f, "line at byte {} is longer than {limit} bytes", self.offset)
            }
            ErrorKind::MessageTooLarge { limit } => write!(
                f,
                "message at byte {} is larger than {limit} bytes",
                self.offset
            ),
            ErrorKind::TooManyHeaders { limit } => write!(
                f,
                "message at byte {} has more than {limit} headers (line at byte {})",
                self.message_offset, self.offset
            ),
            ErrorKind::NotAHeader => write!(
                f,
                "line at byte {} is not a `Key: Value` header (message at byte {})",
                self.offset, self.message_offset
            ),
            ErrorKind::UnexpectedEof => write!(
                f,
                "stream ended inside the item that starts at byte {}",
                self.offset
            ),
            ErrorKind::StorageFull { capacity } => write!(
                f,
                "message at byte {} needs more than the {capacity} header slots lent to the decoder",
                self.message_offset
            ),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}
