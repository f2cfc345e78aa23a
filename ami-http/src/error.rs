//! Typed decoding errors, for all three encodings.

use std::fmt;

/// What was wrong with a body.
///
/// ```
/// use ami_http::{decode, DecodeErrorKind, Encoding};
/// let errors: Vec<_> = decode(Encoding::Mxml, b"<html>").filter_map(Result::err).collect();
/// assert_eq!(errors[0].kind, DecodeErrorKind::Expected("`<ajax-response>`"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// rawman: what the AMI decoder of `ami-proto` found (a line that is not a header, a
    /// message cut off at the end of the body, ...).
    Ami(ami_proto::ErrorKind),
    /// mxml or manager: something else was found where this was expected.
    Expected(&'static str),
    /// An `&...;` reference that is not one of XML's five entities or a valid character
    /// reference.
    BadReference,
    /// The body ended inside a section (mxml: before `</ajax-response>`; manager: before
    /// the `<hr>` row that ends a section, or before `</table>`).
    UnexpectedEnd,
    /// A value holds CR or LF outside opaque data: no AMI header can hold it (Asterisk
    /// splits its output at line breaks, so it never writes one there).
    LineBreakInValue,
    /// A key is empty or holds `:`, CR or LF.
    BadKey,
    /// A section without any field (`<generic />`).
    EmptySection,
    /// The opaque data of a `Response: Follows` section cannot be a Command body: it holds
    /// CR or an empty line, which Asterisk never writes there.
    BadOpaqueData,
    /// A field (key and value, as AMI would write the line) is longer than
    /// [`Limits::max_line`](ami_proto::Limits::max_line).
    LineTooLong {
        /// The configured limit.
        limit: usize,
    },
    /// A section is larger than [`Limits::max_message`](ami_proto::Limits::max_message).
    MessageTooLarge {
        /// The configured limit.
        limit: usize,
    },
    /// A section has more fields than
    /// [`Limits::max_headers`](ami_proto::Limits::max_headers).
    TooManyHeaders {
        /// The configured limit.
        limit: usize,
    },
}

/// A decoding error: what went wrong and where, as byte offsets into the body.
///
/// After an error the decoder goes on with the next section (mxml: the next `<response>`
/// element; manager: the row after the next `<hr>` row; rawman: the next blank line), so
/// one bad section costs only itself.
///
/// ```
/// use ami_http::{decode, DecodeErrorKind, Encoding};
/// let body = b"<ajax-response>\n\
///     <response type='object' id='unknown'><generic response='Success' bad='&nbsp;' /></response>\n\
///     <response type='object' id='unknown'><generic event='WaitEventComplete' /></response>\n\
///     </ajax-response>\n";
/// let items: Vec<_> = decode(Encoding::Mxml, body).collect();
/// let error = items[0].as_ref().unwrap_err();
/// assert_eq!(error.kind, DecodeErrorKind::BadReference);
/// assert_eq!(&body[error.offset..error.offset + 6], b"&nbsp;");
/// assert_eq!(error.message_offset, 16);
/// assert!(items[1].is_ok()); // the next section decodes
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeError {
    /// What was wrong.
    pub kind: DecodeErrorKind,
    /// Offset of the offending byte, field or line.
    pub offset: usize,
    /// Offset where the section (message) holding it starts.
    pub message_offset: usize,
}

impl DecodeError {
    pub(crate) fn new(kind: DecodeErrorKind, offset: usize, message_offset: usize) -> Self {
        DecodeError {
            kind,
            offset,
            message_offset,
        }
    }
}

/// The AMI decoder's limit errors become the shared limit kinds, so a caller sees the same
/// kind whichever encoding broke a limit.
impl From<ami_proto::Error> for DecodeError {
    fn from(error: ami_proto::Error) -> Self {
        use ami_proto::ErrorKind;
        let kind = match error.kind {
            ErrorKind::LineTooLong { limit } => DecodeErrorKind::LineTooLong { limit },
            ErrorKind::MessageTooLarge { limit } => DecodeErrorKind::MessageTooLarge { limit },
            ErrorKind::TooManyHeaders { limit } => DecodeErrorKind::TooManyHeaders { limit },
            other => DecodeErrorKind::Ami(other),
        };
        // A body is in memory, so its offsets fit in usize.
        let offset = |o: u64| usize::try_from(o).unwrap_or(usize::MAX);
        DecodeError::new(kind, offset(error.offset), offset(error.message_offset))
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "byte {} (section at byte {}): ",
            self.offset, self.message_offset
        )?;
        match self.kind {
            DecodeErrorKind::Ami(kind) => write!(f, "{kind:?}"),
            DecodeErrorKind::Expected(what) => write!(f, "expected {what}"),
            DecodeErrorKind::BadReference => {
                f.write_str("not an XML entity or character reference")
            }
            DecodeErrorKind::UnexpectedEnd => f.write_str("the body ends inside a section"),
            DecodeErrorKind::LineBreakInValue => f.write_str("a value holds CR or LF"),
            DecodeErrorKind::BadKey => f.write_str("a key is empty or holds `:`, CR or LF"),
            DecodeErrorKind::EmptySection => f.write_str("a section without fields"),
            DecodeErrorKind::BadOpaqueData => {
                f.write_str("opaque data holds CR or an empty line: not a Command body")
            }
            DecodeErrorKind::LineTooLong { limit } => {
                write!(f, "a field is longer than {limit} bytes")
            }
            DecodeErrorKind::MessageTooLarge { limit } => {
                write!(f, "a section is larger than {limit} bytes")
            }
            DecodeErrorKind::TooManyHeaders { limit } => {
                write!(f, "a section has more than {limit} fields")
            }
        }
    }
}

impl std::error::Error for DecodeError {}
