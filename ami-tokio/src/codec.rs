//! A tokio-util [`Decoder`]/[`Encoder`] for AMI over any byte stream, for programs that
//! want the frames themselves (a proxy, a recorder) rather than the [`Client`](crate::Client).
//!
//! Decoded messages are [`OwnedMessage`]s that share the read buffer's memory (a
//! [`Bytes`] split off it, no copy). Malformed input is an item ([`Frame::Malformed`]),
//! not an error: the AMI decoder resynchronises at the next blank line, and a codec error
//! would end the stream. Errors are IO errors, actions that cannot be encoded, and a
//! stream that ends inside an item.

use std::{fmt, io};

use ami_proto::{Action, Decoder as AmiDecoder, EncodeError, OwnedItem, OwnedMessage};
use bytes::{Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

/// One item read from the server.
///
/// ```
/// use ami_tokio::{AmiCodec, Frame};
/// use tokio_util::codec::Decoder;
///
/// let mut buf = bytes::BytesMut::from(&b"Response: Success\r\nthis is not a header\r\n\r\nEvent: X\r\n\r\n"[..]);
/// let mut codec = AmiCodec::new();
/// assert!(matches!(codec.decode(&mut buf).unwrap(), Some(Frame::Malformed(_))));
/// assert!(matches!(codec.decode(&mut buf).unwrap(), Some(Frame::Message(_)))); // resynchronised
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Frame {
    /// The greeting line, without its line ending.
    Banner(Bytes),
    /// A `Key: Value` message.
    Message(OwnedMessage),
    /// A block of text that is not made of headers (Asterisk 13's `Queues` reply).
    Text(Bytes),
    /// Malformed input; decoding goes on after the next blank line.
    Malformed(ami_proto::Error),
    /// An item of a newer ami-proto that this codec has no frame of its own for, passed on
    /// rather than dropped.
    Unrecognized(OwnedItem),
}

/// Why the codec failed.
///
/// ```
/// use ami_proto::GenericAction;
/// use ami_tokio::{AmiCodec, CodecError};
/// use tokio_util::codec::Encoder;
///
/// let mut out = bytes::BytesMut::new();
/// let bad = GenericAction::new("Ping").header("ActionID", "1\nAction: Originate");
/// assert!(matches!(AmiCodec::new().encode(&bad, &mut out), Err(CodecError::Encode(_))));
/// assert!(out.is_empty());
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum CodecError {
    /// Reading or writing the socket failed.
    Io(io::Error),
    /// The action cannot be encoded safely; nothing of it was written.
    Encode(EncodeError),
    /// The stream ended inside an item.
    Truncated(ami_proto::Error),
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodecError::Io(e) => write!(f, "io: {e}"),
            CodecError::Encode(e) => write!(f, "cannot encode action: {e}"),
            CodecError::Truncated(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for CodecError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CodecError::Io(e) => Some(e),
            CodecError::Encode(e) => Some(e),
            CodecError::Truncated(e) => Some(e),
        }
    }
}

impl From<io::Error> for CodecError {
    fn from(e: io::Error) -> Self {
        CodecError::Io(e)
    }
}

impl From<EncodeError> for CodecError {
    fn from(e: EncodeError) -> Self {
        CodecError::Encode(e)
    }
}

/// The AMI codec: decodes [`Frame`]s, encodes anything that implements [`Action`] (the
/// typed actions of `ami-spec`, [`ami_proto::GenericAction`], a login request).
///
/// ```
/// use ami_proto::GenericAction;
/// use ami_tokio::{AmiCodec, Frame};
/// use tokio_util::codec::{Decoder, Encoder};
///
/// let mut codec = AmiCodec::new();
/// let mut out = bytes::BytesMut::new();
/// codec.encode(&GenericAction::new("Ping").header("ActionID", "1"), &mut out).unwrap();
/// assert_eq!(&out[..], b"Action: Ping\r\nActionID: 1\r\n\r\n");
///
/// let mut input = bytes::BytesMut::from(&b"Asterisk Call Manager/12.0.0\r\nResponse: Su"[..]);
/// assert!(matches!(codec.decode(&mut input).unwrap(), Some(Frame::Banner(_))));
/// assert_eq!(codec.decode(&mut input).unwrap(), None); // needs more
/// input.extend_from_slice(b"ccess\r\nActionID: 1\r\nPing: Pong\r\n\r\n");
/// let Some(Frame::Message(m)) = codec.decode(&mut input).unwrap() else { panic!() };
/// assert_eq!(m.message().action_id(), Some(&b"1"[..]));
/// ```
#[derive(Debug)]
pub struct AmiCodec {
    decoder: AmiDecoder<'static>,
}

impl Default for AmiCodec {
    fn default() -> Self {
        AmiCodec::new()
    }
}

impl AmiCodec {
    /// A codec with the default decoder settings (Asterisk's CRLF framing).
    ///
    /// ```
    /// let _codec = ami_tokio::AmiCodec::new();
    /// ```
    pub fn new() -> Self {
        AmiCodec::with_config(ami_proto::Config::default())
    }

    /// A codec with the given decoder settings (line endings, limits).
    ///
    /// ```
    /// let config = ami_proto::Config::default().with_line_endings(ami_proto::LineEndings::Lenient);
    /// let _codec = ami_tokio::AmiCodec::with_config(config);
    /// ```
    pub fn with_config(config: ami_proto::Config) -> Self {
        AmiCodec {
            decoder: AmiDecoder::with_config(config),
        }
    }
}

impl Decoder for AmiCodec {
    type Item = Frame;
    type Error = CodecError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Frame>, CodecError> {
        Ok(self.decoder.decode_owned(src).map(|item| match item {
            Ok(OwnedItem::Banner(text)) => Frame::Banner(text),
            Ok(OwnedItem::Message(message)) => Frame::Message(message),
            Ok(OwnedItem::Text(text)) => Frame::Text(text),
            Ok(other) => Frame::Unrecognized(other),
            Err(error) => Frame::Malformed(error),
        }))
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<Frame>, CodecError> {
        if let Some(frame) = self.decode(src)? {
            return Ok(Some(frame));
        }
        let rest = src.split();
        match self.decoder.finish(&rest) {
            Some(error) => Err(CodecError::Truncated(error)),
            None => Ok(None),
        }
    }
}

impl<A: Action + ?Sized> Encoder<&A> for AmiCodec {
    type Error = CodecError;

    fn encode(&mut self, action: &A, dst: &mut BytesMut) -> Result<(), CodecError> {
        // Encode into a scratch vector first, so that a refused action leaves `dst` as it was.
        let mut scratch = Vec::new();
        action.encode_to_vec(&mut scratch)?;
        dst.extend_from_slice(&scratch);
        Ok(())
    }
}
