//! A tokio-util [`Decoder`]/[`Encoder`] for the Asterisk Manager Interface, over
//! [`ami_proto`].
//!
//! Decoded items own their bytes (a [`Bytes`] split off the read buffer, no copy) plus the
//! header positions, so they can be sent across tasks. Malformed input is an item
//! ([`Frame::Malformed`]), not an error: the AMI decoder resynchronises at the next blank
//! line, and a tokio codec error would end the stream. Errors are IO errors, actions that
//! cannot be encoded, and a stream that ends inside an item.
//!
//! ```no_run
//! use ami_tokio::{Action, AmiCodec, Frame};
//! use futures_util::{SinkExt, StreamExt};
//! use tokio_util::codec::Framed;
//!
//! # async fn run() -> Result<(), ami_tokio::CodecError> {
//! let stream = tokio::net::TcpStream::connect("127.0.0.1:5038").await?;
//! let mut framed = Framed::new(stream, AmiCodec::new());
//! framed.send(Action::new("Login").header("Username", "admin").header("Secret", "amp111")).await?;
//! while let Some(frame) = framed.next().await {
//!     if let Frame::Message(m) = frame? {
//!         println!("{:?}", m.message().name());
//!     }
//! }
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

use std::ops::Range;
use std::{fmt, io};

use ami_proto::{ActionWriter, Decoded, Decoder as AmiDecoder, EncodeError, Item, Message, Span};
use bytes::{Buf, Bytes, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

/// A decoded message that owns its bytes: a [`Bytes`] view of the read buffer and the
/// header positions.
///
/// ```
/// use ami_tokio::{AmiCodec, Frame};
/// use tokio_util::codec::Decoder;
///
/// let mut buf = bytes::BytesMut::from(&b"Event: Newchannel\r\nChannel: X\r\n\r\n"[..]);
/// let Some(Frame::Message(frame)) = AmiCodec::new().decode(&mut buf).unwrap() else { panic!() };
/// let sent = std::thread::spawn(move || frame.message().name().to_vec()).join().unwrap();
/// assert_eq!(sent, b"Newchannel");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct OwnedFrame {
    bytes: Bytes,
    spans: Vec<Span>,
    body: Option<(u32, u32)>,
    truncated: bool,
}

impl OwnedFrame {
    fn new(message: &Message<'_>, bytes: Bytes) -> Self {
        let body = message.command_body().map(|b| {
            let start = b.as_ptr() as usize - message.as_bytes().as_ptr() as usize;
            (start as u32, (start + b.len()) as u32)
        });
        OwnedFrame {
            bytes,
            spans: message.spans().to_vec(),
            body,
            truncated: message.is_truncated(),
        }
    }

    /// A borrowed view with every [`Message`] accessor.
    ///
    /// ```
    /// use ami_tokio::{AmiCodec, Frame};
    /// use tokio_util::codec::Decoder;
    ///
    /// let mut buf = bytes::BytesMut::from(&b"Event: Hangup\r\nChannel: X\r\n\r\n"[..]);
    /// let Some(Frame::Message(m)) = AmiCodec::new().decode(&mut buf).unwrap() else { panic!() };
    /// assert_eq!(m.message().get("Channel"), Some(&b"X"[..]));
    /// ```
    pub fn message(&self) -> Message<'_> {
        // Copied from a decoded message: the spans are in bounds and never empty.
        Message::from_parts(&self.bytes, &self.spans, self.body, self.truncated)
    }

    /// The message as on the wire, sharing the read buffer's memory.
    ///
    /// ```
    /// use ami_tokio::{AmiCodec, Frame};
    /// use tokio_util::codec::Decoder;
    ///
    /// let mut buf = bytes::BytesMut::from(&b"Response: Success\r\n\r\n"[..]);
    /// let Some(Frame::Message(m)) = AmiCodec::new().decode(&mut buf).unwrap() else { panic!() };
    /// assert_eq!(&m.bytes()[..], b"Response: Success\r\n\r\n");
    /// ```
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }
}

impl fmt::Debug for OwnedFrame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OwnedFrame(\"{}\")", self.bytes.escape_ascii())
    }
}

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
pub enum Frame {
    /// The greeting line, without its line ending.
    Banner(Bytes),
    /// A `Key: Value` message.
    Message(OwnedFrame),
    /// A block of text that is not made of headers (Asterisk 13's `Queues` reply).
    Text(Bytes),
    /// Malformed input; decoding goes on after the next blank line.
    Malformed(ami_proto::Error),
}

/// An action to send: its name and headers in order (repeated keys allowed). Encoding
/// checks it (no CR, LF or NUL, keys are tokens, Asterisk's limits).
///
/// ```
/// let ping = ami_tokio::Action::new("Ping").header("ActionID", "1");
/// assert_eq!(ping.name(), "Ping");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Action {
    name: String,
    headers: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Action {
    /// An action without headers.
    ///
    /// ```
    /// let logoff = ami_tokio::Action::new("Logoff");
    /// assert_eq!(logoff.headers().count(), 0);
    /// ```
    pub fn new(name: impl Into<String>) -> Self {
        Action {
            name: name.into(),
            headers: Vec::new(),
        }
    }

    /// Adds a header after the others.
    ///
    /// ```
    /// let a = ami_tokio::Action::new("Originate").header("Variable", "A=1").header("Variable", "B=2");
    /// assert_eq!(a.headers().count(), 2);
    /// ```
    pub fn header(mut self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Self {
        self.headers
            .push((key.as_ref().to_vec(), value.as_ref().to_vec()));
        self
    }

    /// The action name.
    ///
    /// ```
    /// assert_eq!(ami_tokio::Action::new("Ping").name(), "Ping");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The headers, in order.
    ///
    /// ```
    /// let a = ami_tokio::Action::new("Ping").header("ActionID", "7");
    /// assert_eq!(a.headers().next(), Some((&b"ActionID"[..], &b"7"[..])));
    /// ```
    pub fn headers(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.headers
            .iter()
            .map(|(k, v)| (k.as_slice(), v.as_slice()))
    }
}

/// Shows the headers with the values of `Secret` and `Key` hidden.
///
/// ```
/// let login = ami_tokio::Action::new("Login").header("Username", "admin").header("Secret", "amp111");
/// assert!(!format!("{login:?}").contains("amp111"));
/// ```
impl fmt::Debug for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Action({}) ", self.name)?;
        let mut list = f.debug_list();
        for (key, value) in &self.headers {
            let secret = key.eq_ignore_ascii_case(b"Secret") || key.eq_ignore_ascii_case(b"Key");
            let value = if secret { &b"<hidden>"[..] } else { value };
            list.entry(&format_args!(
                "{}: {}",
                key.escape_ascii(),
                value.escape_ascii()
            ));
        }
        list.finish()
    }
}

/// Why the codec failed.
///
/// ```
/// use ami_tokio::{Action, AmiCodec, CodecError};
/// use tokio_util::codec::Encoder;
///
/// let mut out = bytes::BytesMut::new();
/// let bad = Action::new("Ping").header("ActionID", "1\nAction: Originate");
/// assert!(matches!(AmiCodec::new().encode(bad, &mut out), Err(CodecError::Encode(_))));
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

/// Where a decoded item lies in the read buffer.
enum Found {
    Banner(Range<usize>),
    Text(Range<usize>),
    Message(Range<usize>, OwnedFrame),
}

/// The AMI codec: decodes [`Frame`]s, encodes [`Action`]s.
///
/// ```
/// use ami_tokio::{Action, AmiCodec, Frame};
/// use tokio_util::codec::{Decoder, Encoder};
///
/// let mut codec = AmiCodec::new();
/// let mut out = bytes::BytesMut::new();
/// codec.encode(Action::new("Ping").header("ActionID", "1"), &mut out).unwrap();
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
    /// let config = ami_proto::Config { line_endings: ami_proto::LineEndings::Lenient, ..Default::default() };
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
        let (consumed, found) = match self.decoder.decode(src) {
            Decoded::NeedMore { consumed } => {
                src.advance(consumed);
                return Ok(None);
            }
            Decoded::Error { error, consumed } => {
                src.advance(consumed);
                return Ok(Some(Frame::Malformed(error)));
            }
            Decoded::Item { item, consumed } => {
                // Items borrow `src`: note where they lie, then split those bytes off.
                let range = |part: &[u8]| {
                    let start = part.as_ptr() as usize - src.as_ptr() as usize;
                    start..start + part.len()
                };
                let found = match item {
                    Item::Banner(text) => Found::Banner(range(text)),
                    Item::Text(text) => Found::Text(range(text)),
                    Item::Message(m) => {
                        Found::Message(range(m.as_bytes()), OwnedFrame::new(&m, Bytes::new()))
                    }
                };
                (consumed, found)
            }
        };
        let taken = src.split_to(consumed).freeze();
        Ok(Some(match found {
            Found::Banner(r) => Frame::Banner(taken.slice(r)),
            Found::Text(r) => Frame::Text(taken.slice(r)),
            Found::Message(r, frame) => Frame::Message(OwnedFrame {
                bytes: taken.slice(r),
                ..frame
            }),
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

impl Encoder<&Action> for AmiCodec {
    type Error = CodecError;

    fn encode(&mut self, action: &Action, dst: &mut BytesMut) -> Result<(), CodecError> {
        // Encode into a scratch vector first, so that a refused action leaves `dst` as it was.
        let mut scratch = Vec::new();
        let mut w = ActionWriter::to_vec(&action.name, &mut scratch);
        for (k, v) in action.headers() {
            w.header(k, v);
        }
        w.finish()?;
        dst.extend_from_slice(&scratch);
        Ok(())
    }
}

impl Encoder<Action> for AmiCodec {
    type Error = CodecError;

    fn encode(&mut self, action: Action, dst: &mut BytesMut) -> Result<(), CodecError> {
        self.encode(&action, dst)
    }
}

/// Sends the actions of the [`ami_proto::Login`] state machine (plain or MD5 challenge).
///
/// ```
/// use ami_proto::{ActionId, Credentials, Login};
/// use tokio_util::codec::Encoder;
///
/// let mut login = Login::new(Credentials::md5("admin", "amp111"));
/// let request = login.poll_request(ActionId::new(b"1").unwrap()).unwrap();
/// let mut out = bytes::BytesMut::new();
/// ami_tokio::AmiCodec::new().encode(request, &mut out).unwrap();
/// assert_eq!(&out[..], b"Action: Challenge\r\nActionID: 1\r\nAuthType: MD5\r\n\r\n");
/// ```
impl Encoder<ami_proto::LoginRequest<'_>> for AmiCodec {
    type Error = CodecError;

    fn encode(
        &mut self,
        request: ami_proto::LoginRequest<'_>,
        dst: &mut BytesMut,
    ) -> Result<(), CodecError> {
        let mut scratch = Vec::new();
        request.encode_to_vec(&mut scratch)?;
        dst.extend_from_slice(&scratch);
        Ok(())
    }
}
