//! The action encoder: writes `Action: Name`, the caller's headers in order, and the blank
//! line, refusing anything that could smuggle a second header or a second action.
//!
//! Asterisk's `main/manager.c` reads a request line by line into a 1025-byte buffer
//! (`inbuf`, 1024 usable bytes): a line whose end (LF, or CRLF) is not within those 1024
//! bytes is discarded with "Line too long". A message keeps at most 128 header lines
//! (`AST_MAX_MANHEADERS`); the `Action:` line is one of them and the rest are silently
//! dropped. Both limits are errors here, never truncation:
//!
//! - [`MAX_REQUEST_LINE`]: a line may be 1024 bytes **counting its CRLF**, so `Key: Value` itself
//!   may be at most 1022 bytes.
//! - [`MAX_REQUEST_HEADERS`]: 128 lines counting the `Action:` line, so 127 caller headers.
//!
//! Values are written after `": "` exactly as given (empty values as `Key: `, the space
//! kept, as Asterisk writes them). Note that Asterisk itself skips blanks at the start of a
//! request value when it reads it, so leading spaces survive only for other readers.

mod action;
mod action_id;

#[cfg(feature = "alloc")]
use alloc::vec::Vec;
use core::fmt;

#[cfg(feature = "alloc")]
pub(crate) use action::write_action;
pub use action::Action;
#[cfg(feature = "alloc")]
pub use action::GenericAction;
pub use action_id::{ActionId, ActionIdAllocator};

/// Longest request line Asterisk reads, in bytes, counting the CRLF that ends it.
///
/// ```
/// let value = "v".repeat(ami_proto::MAX_REQUEST_LINE - "K: \r\n".len());
/// assert!(ami_proto::encode("Ping", [("K", &value)], &mut [0u8; 2048]).is_ok());
/// let value = value + "v";
/// assert!(ami_proto::encode("Ping", [("K", &value)], &mut [0u8; 2048]).is_err());
/// ```
pub const MAX_REQUEST_LINE: usize = 1024;

/// Most header lines Asterisk keeps in one request, counting the `Action:` line.
///
/// ```
/// let headers = vec![("K", "v"); ami_proto::MAX_REQUEST_HEADERS - 1]; // + the Action line
/// assert!(ami_proto::encode("Ping", headers, &mut [0u8; 2048]).is_ok());
/// ```
pub const MAX_REQUEST_HEADERS: usize = 128;

/// How many bytes of a bad key an [`EncodeError`] keeps to name it.
const KEY_NAME_LEN: usize = 32;

/// What was wrong with an action.
///
/// ```
/// use ami_proto::{encode, EncodeErrorKind};
/// let err = encode("Ping", [("Bad Key", "v")], &mut [0u8; 64]).unwrap_err();
/// assert_eq!(err.kind, EncodeErrorKind::NotAToken { byte: b' ', at: 3 });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncodeErrorKind {
    /// The action name is empty.
    EmptyAction,
    /// A key is empty.
    EmptyKey,
    /// A key (or the action name) holds a byte that is not allowed in a token: only
    /// printable ASCII without space and `:` is (`at` is its position in the key).
    NotAToken {
        /// The offending byte.
        byte: u8,
        /// Its position in the key or action name.
        at: usize,
    },
    /// A value holds CR, LF or NUL: a CR or LF would end the line (Asterisk treats a lone
    /// LF as a line end) and let the rest be read as new headers or a new action.
    ForbiddenByte {
        /// The offending byte.
        byte: u8,
        /// Its position in the value.
        at: usize,
    },
    /// A caller header is named `Action`: the action name is given separately.
    DuplicateAction,
    /// A second `ActionID` header: Asterisk answers with the first one only, so a caller
    /// waiting on the second would never see its reply.
    DuplicateActionId,
    /// A `Variable:` name is empty or holds `=`, or a name or value holds `,`, which
    /// Asterisk would read as the start of another variable.
    BadVariable {
        /// The offending byte (`0` when the name is empty).
        byte: u8,
        /// Its position in the name or value.
        at: usize,
    },
    /// A line is longer than [`MAX_REQUEST_LINE`] bytes, CRLF included.
    LineTooLong {
        /// Its length with CRLF.
        len: usize,
        /// [`MAX_REQUEST_LINE`].
        limit: usize,
    },
    /// The action has more than [`MAX_REQUEST_HEADERS`] lines.
    TooManyHeaders {
        /// [`MAX_REQUEST_HEADERS`].
        limit: usize,
    },
    /// The output slice is too small; nothing usable was written.
    BufferTooSmall {
        /// Bytes the whole action needs.
        needed: usize,
        /// Bytes the slice has.
        capacity: usize,
    },
}

/// Why an action could not be encoded, and which header was at fault.
///
/// ```
/// use ami_proto::{encode, EncodeErrorKind};
///
/// let mut buf = [0u8; 256];
/// let err = encode("Originate", [("Channel", "x\r\nAction: Hangup")], &mut buf).unwrap_err();
/// assert_eq!(err.header, 1);
/// assert_eq!(err.key(), b"Channel");
/// assert!(matches!(err.kind, EncodeErrorKind::ForbiddenByte { byte: b'\r', at: 1 }));
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct EncodeError {
    /// What was wrong.
    pub kind: EncodeErrorKind,
    /// Which line: `0` is the `Action:` line, `n` the caller's `n`-th header.
    pub header: usize,
    key: [u8; KEY_NAME_LEN],
    key_len: u8,
}

impl EncodeError {
    fn new(kind: EncodeErrorKind, header: usize, key: &[u8]) -> Self {
        let len = key.len().min(KEY_NAME_LEN);
        let mut stored = [0; KEY_NAME_LEN];
        stored[..len].copy_from_slice(&key[..len]);
        EncodeError {
            kind,
            header,
            key: stored,
            key_len: len as u8,
        }
    }

    /// The key of the faulty header (its first 32 bytes), `Action` for the action line.
    ///
    /// ```
    /// let err = ami_proto::encode("", [("A", "b")], &mut [0u8; 64]).unwrap_err();
    /// assert_eq!(err.key(), b"Action");
    /// ```
    pub fn key(&self) -> &[u8] {
        &self.key[..self.key_len as usize]
    }
}

impl fmt::Debug for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncodeError")
            .field("kind", &self.kind)
            .field("header", &self.header)
            .field("key", &self.key().escape_ascii())
            .finish()
    }
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "header {} (`{}`): ",
            self.header,
            self.key().escape_ascii()
        )?;
        match self.kind {
            EncodeErrorKind::EmptyAction => f.write_str("the action name is empty"),
            EncodeErrorKind::EmptyKey => f.write_str("the key is empty"),
            EncodeErrorKind::NotAToken { byte, at } => write!(
                f,
                "byte '{}' at {at} is not allowed in a key",
                [byte].escape_ascii()
            ),
            EncodeErrorKind::ForbiddenByte { byte, at } => write!(
                f,
                "the value holds '{}' at {at} (CR, LF and NUL would end the line)",
                [byte].escape_ascii()
            ),
            EncodeErrorKind::DuplicateAction => {
                f.write_str("`Action` is not a header: pass the action name instead")
            }
            EncodeErrorKind::DuplicateActionId => {
                f.write_str("a second `ActionID`: Asterisk answers with the first one only")
            }
            EncodeErrorKind::BadVariable { byte: 0, .. } => {
                f.write_str("the variable name is empty")
            }
            EncodeErrorKind::BadVariable { byte, at } => write!(
                f,
                "byte '{}' at {at} would split the variable",
                [byte].escape_ascii()
            ),
            EncodeErrorKind::LineTooLong { len, limit } => write!(
                f,
                "the line is {len} bytes with CRLF, Asterisk reads at most {limit}"
            ),
            EncodeErrorKind::TooManyHeaders { limit } => {
                write!(f, "Asterisk keeps at most {limit} lines per action")
            }
            EncodeErrorKind::BufferTooSmall { needed, capacity } => write!(
                f,
                "the action needs {needed} bytes, the buffer has {capacity}"
            ),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for EncodeError {}

/// Where the bytes go.
#[derive(Debug)]
enum Out<'o> {
    /// A caller's slice; bytes past its end are counted, not written.
    Slice(&'o mut [u8]),
    /// A vector; `start` is its length before this action, restored on error.
    #[cfg(feature = "alloc")]
    Vec { vec: &'o mut Vec<u8>, start: usize },
}

/// Writes one action, line by line, checking each line before writing it.
///
/// Use it when a header is built from parts ([`variable`](Self::variable),
/// [`channel_regex`](Self::channel_regex)) or comes from several places. After an error
/// the writer is poisoned: later calls and [`finish`](Self::finish) return that error, so
/// a half-written action is never handed out (with a `Vec`, its bytes are removed).
///
/// ```
/// use ami_proto::ActionWriter;
///
/// let mut buf = [0u8; 256];
/// let mut w = ActionWriter::new("Originate", &mut buf);
/// w.header("Channel", "Local/100@test/n")
///     .variable("A", "1")
///     .variable("B", "two words")
///     .header("Async", "yes");
/// let n = w.finish().unwrap();
/// assert_eq!(
///     &buf[..n],
///     b"Action: Originate\r\nChannel: Local/100@test/n\r\nVariable: A=1\r\n\
///       Variable: B=two words\r\nAsync: yes\r\n\r\n"
/// );
/// ```
#[derive(Debug)]
#[must_use = "call finish() to learn whether the action was written"]
pub struct ActionWriter<'o> {
    out: Out<'o>,
    /// Bytes of this action so far (written or, past a slice's end, only counted).
    len: usize,
    /// Lines so far, the `Action:` line included.
    lines: usize,
    /// An `ActionID` header was written.
    has_action_id: bool,
    error: Option<EncodeError>,
    /// The blank line was written: the action is whole.
    finished: bool,
}

/// A writer dropped before [`finish`](ActionWriter::finish) removes its partial action
/// from a `Vec`, so an abandoned action is never sent by mistake.
impl Drop for ActionWriter<'_> {
    fn drop(&mut self) {
        #[cfg(feature = "alloc")]
        if let Out::Vec { vec, start } = &mut self.out {
            if !self.finished || self.error.is_some() {
                vec.truncate(*start);
            }
        }
    }
}

impl<'o> ActionWriter<'o> {
    /// Starts an action in `out`.
    ///
    /// ```
    /// let mut buf = [0u8; 32];
    /// let n = ami_proto::ActionWriter::new("Ping", &mut buf).finish().unwrap();
    /// assert_eq!(&buf[..n], b"Action: Ping\r\n\r\n");
    /// ```
    pub fn new(action: &str, out: &'o mut [u8]) -> Self {
        Self::start(action, Out::Slice(out))
    }

    /// Starts an action appended to `out`.
    ///
    /// ```
    /// let mut out = b"Action: Ping\r\n\r\n".to_vec();
    /// let mut w = ami_proto::ActionWriter::to_vec("Logoff", &mut out);
    /// w.header("Bad", "a\nb");
    /// assert!(w.finish().is_err());
    /// assert_eq!(out, b"Action: Ping\r\n\r\n"); // the bad action left nothing behind
    ///
    /// let mut w = ami_proto::ActionWriter::to_vec("Logoff", &mut out);
    /// w.header("ActionID", "2");
    /// drop(w); // abandoned before finish(): removed as well
    /// assert_eq!(out, b"Action: Ping\r\n\r\n");
    /// ```
    #[cfg(feature = "alloc")]
    pub fn to_vec(action: &str, out: &'o mut Vec<u8>) -> Self {
        let start = out.len();
        Self::start(action, Out::Vec { vec: out, start })
    }

    fn start(action: &str, out: Out<'o>) -> Self {
        let mut w = ActionWriter {
            out,
            len: 0,
            lines: 0,
            has_action_id: false,
            error: None,
            finished: false,
        };
        let name = action.as_bytes();
        let checked = if name.is_empty() {
            Err(EncodeErrorKind::EmptyAction)
        } else {
            check_token(name)
        };
        match checked {
            Ok(()) => w.line(b"Action", &[name]),
            Err(kind) => w.fail(EncodeError::new(kind, 0, b"Action")),
        }
        w
    }

    /// Adds `key: value`. Repeated keys are kept, in order, except `ActionID`: a second
    /// one is an [`EncodeErrorKind::DuplicateActionId`] error.
    ///
    /// ```
    /// let mut buf = [0u8; 64];
    /// let mut w = ami_proto::ActionWriter::new("UserEvent", &mut buf);
    /// w.header("UserEvent", "Ev").header("H", "").header("H", "a: b");
    /// let n = w.finish().unwrap();
    /// assert_eq!(&buf[..n], b"Action: UserEvent\r\nUserEvent: Ev\r\nH: \r\nH: a: b\r\n\r\n");
    ///
    /// let mut w = ami_proto::ActionWriter::new("Ping", &mut buf);
    /// w.header("ActionID", "1").header("actionid", "2");
    /// assert!(w.finish().is_err());
    /// ```
    pub fn header(&mut self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> &mut Self {
        let (key, value) = (key.as_ref(), value.as_ref());
        if self.error.is_none() {
            let action_id = key.eq_ignore_ascii_case(b"ActionID");
            let checked = if action_id && self.has_action_id {
                Err(EncodeErrorKind::DuplicateActionId)
            } else {
                check_key(key).and_then(|()| check_value(value))
            };
            self.has_action_id |= action_id;
            match checked {
                Ok(()) => self.line(key, &[value]),
                Err(kind) => self.fail(EncodeError::new(kind, self.lines, key)),
            }
        }
        self
    }

    /// Adds `Variable: name=value` (Originate, Setvar-like actions).
    ///
    /// Asterisk splits a `Variable:` value at commas into several variables and each at
    /// its first `=`, so a name must be non-empty without `=` or `,` and a value without
    /// `,`; otherwise this is an [`EncodeErrorKind::BadVariable`] error. (Asterisk also
    /// treats `"` and `\` specially there; they are passed through.)
    ///
    /// ```
    /// let mut buf = [0u8; 64];
    /// let mut w = ami_proto::ActionWriter::new("Originate", &mut buf);
    /// w.variable("X", "1,CDR(userfield)=free");
    /// assert!(w.finish().is_err());
    /// ```
    pub fn variable(&mut self, name: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> &mut Self {
        let (name, value) = (name.as_ref(), value.as_ref());
        if self.error.is_none() {
            match check_variable(name, value) {
                Ok(()) => self.line(b"Variable", &[name, b"=", value]),
                Err(kind) => self.fail(EncodeError::new(kind, self.lines, b"Variable")),
            }
        }
        self
    }

    /// Adds one `Variable:` line per `(name, value)` pair, see [`variable`](Self::variable).
    ///
    /// ```
    /// let mut buf = [0u8; 64];
    /// let mut w = ami_proto::ActionWriter::new("Originate", &mut buf);
    /// w.variables([("A", "1"), ("B", "2")]);
    /// let n = w.finish().unwrap();
    /// assert_eq!(&buf[..n], b"Action: Originate\r\nVariable: A=1\r\nVariable: B=2\r\n\r\n");
    /// ```
    pub fn variables<N, V>(&mut self, pairs: impl IntoIterator<Item = (N, V)>) -> &mut Self
    where
        N: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        for (name, value) in pairs {
            self.variable(name, value);
        }
        self
    }

    /// Adds `Channel: /pattern/`, the form that makes `Hangup` hang up every channel whose
    /// name matches the regular expression `pattern`.
    ///
    /// ```
    /// let mut buf = [0u8; 64];
    /// let mut w = ami_proto::ActionWriter::new("Hangup", &mut buf);
    /// w.channel_regex("^PJSIP/101-.*$");
    /// let n = w.finish().unwrap();
    /// assert_eq!(&buf[..n], b"Action: Hangup\r\nChannel: /^PJSIP/101-.*$/\r\n\r\n");
    /// ```
    pub fn channel_regex(&mut self, pattern: impl AsRef<[u8]>) -> &mut Self {
        let pattern = pattern.as_ref();
        if self.error.is_none() {
            match check_value(pattern) {
                Ok(()) => self.line(b"Channel", &[b"/", pattern, b"/"]),
                Err(kind) => self.fail(EncodeError::new(kind, self.lines, b"Channel")),
            }
        }
        self
    }

    /// Ends the action with its blank line. Returns the action's length in bytes, or the
    /// first error met.
    ///
    /// ```
    /// use ami_proto::{ActionWriter, EncodeErrorKind};
    /// let mut small = [0u8; 8];
    /// let err = ActionWriter::new("Ping", &mut small).finish().unwrap_err();
    /// assert_eq!(err.kind, EncodeErrorKind::BufferTooSmall { needed: 16, capacity: 8 });
    /// ```
    pub fn finish(mut self) -> Result<usize, EncodeError> {
        if let Some(error) = self.error {
            return Err(error);
        }
        self.put(b"\r\n");
        self.finished = true;
        match self.out {
            Out::Slice(ref s) if self.len > s.len() => Err(EncodeError::new(
                EncodeErrorKind::BufferTooSmall {
                    needed: self.len,
                    capacity: s.len(),
                },
                0,
                b"Action",
            )),
            _ => Ok(self.len),
        }
    }

    /// Writes one checked line made of `parts` after `key: `.
    fn line(&mut self, key: &[u8], parts: &[&[u8]]) {
        let len = key.len() + 2 + parts.iter().map(|p| p.len()).sum::<usize>() + 2;
        if len > MAX_REQUEST_LINE {
            let kind = EncodeErrorKind::LineTooLong {
                len,
                limit: MAX_REQUEST_LINE,
            };
            return self.fail(EncodeError::new(kind, self.lines, key));
        }
        if self.lines >= MAX_REQUEST_HEADERS {
            let kind = EncodeErrorKind::TooManyHeaders {
                limit: MAX_REQUEST_HEADERS,
            };
            return self.fail(EncodeError::new(kind, self.lines, key));
        }
        self.lines += 1;
        self.put(key);
        self.put(b": ");
        for part in parts {
            self.put(part);
        }
        self.put(b"\r\n");
    }

    fn put(&mut self, bytes: &[u8]) {
        match &mut self.out {
            Out::Slice(s) => {
                if let Some(dst) = s.get_mut(self.len..self.len + bytes.len()) {
                    dst.copy_from_slice(bytes);
                }
            }
            #[cfg(feature = "alloc")]
            Out::Vec { vec, .. } => vec.extend_from_slice(bytes),
        }
        self.len += bytes.len();
    }

    fn fail(&mut self, error: EncodeError) {
        if self.error.is_none() {
            self.error = Some(error);
            #[cfg(feature = "alloc")]
            if let Out::Vec { vec, start } = &mut self.out {
                vec.truncate(*start);
            }
        }
    }
}

/// A key: a non-empty token other than `Action`.
fn check_key(key: &[u8]) -> Result<(), EncodeErrorKind> {
    if key.is_empty() {
        return Err(EncodeErrorKind::EmptyKey);
    }
    check_token(key)?;
    if key.eq_ignore_ascii_case(b"Action") {
        return Err(EncodeErrorKind::DuplicateAction);
    }
    Ok(())
}

/// Printable ASCII without space or colon: what every reader takes as one key.
fn check_token(token: &[u8]) -> Result<(), EncodeErrorKind> {
    match token
        .iter()
        .position(|&b| !(b'!'..=b'~').contains(&b) || b == b':')
    {
        Some(at) => Err(EncodeErrorKind::NotAToken {
            byte: token[at],
            at,
        }),
        None => Ok(()),
    }
}

/// Any bytes but CR, LF and NUL.
fn check_value(value: &[u8]) -> Result<(), EncodeErrorKind> {
    match value
        .iter()
        .position(|&b| matches!(b, b'\r' | b'\n' | b'\0'))
    {
        Some(at) => Err(EncodeErrorKind::ForbiddenByte {
            byte: value[at],
            at,
        }),
        None => Ok(()),
    }
}

fn check_variable(name: &[u8], value: &[u8]) -> Result<(), EncodeErrorKind> {
    if name.is_empty() {
        return Err(EncodeErrorKind::BadVariable { byte: 0, at: 0 });
    }
    check_value(name)?;
    check_value(value)?;
    if let Some(at) = name.iter().position(|&b| b == b'=' || b == b',') {
        return Err(EncodeErrorKind::BadVariable { byte: name[at], at });
    }
    if let Some(at) = value.iter().position(|&b| b == b',') {
        return Err(EncodeErrorKind::BadVariable { byte: b',', at });
    }
    Ok(())
}

/// Encodes `Action: action`, then `headers` in order, then the blank line, into `out`.
/// Returns the number of bytes written. Never allocates.
///
/// Fails, naming the header, on an empty action name, a key that is not a token, a CR, LF
/// or NUL anywhere, a key named `Action`, a line over [`MAX_REQUEST_LINE`] or more than
/// [`MAX_REQUEST_HEADERS`] lines; [`EncodeErrorKind::BufferTooSmall`] says how much room is needed.
/// On error the contents of `out` are unspecified: send nothing.
///
/// ```
/// let mut buf = [0u8; 128];
/// let n = ami_proto::encode("Login", [("Username", "admin"), ("Secret", "amp111")], &mut buf)?;
/// assert_eq!(&buf[..n], b"Action: Login\r\nUsername: admin\r\nSecret: amp111\r\n\r\n");
/// # Ok::<(), ami_proto::EncodeError>(())
/// ```
pub fn encode<K, V>(
    action: &str,
    headers: impl IntoIterator<Item = (K, V)>,
    out: &mut [u8],
) -> Result<usize, EncodeError>
where
    K: AsRef<[u8]>,
    V: AsRef<[u8]>,
{
    let mut w = ActionWriter::new(action, out);
    for (key, value) in headers {
        w.header(key, value);
    }
    w.finish()
}

/// Like [`encode`], appending to `out`. On error `out` is left as it was.
///
/// ```
/// let mut out = Vec::new();
/// ami_proto::encode_to_vec("Ping", [("ActionID", "1")], &mut out)?;
/// assert_eq!(out, b"Action: Ping\r\nActionID: 1\r\n\r\n");
/// # Ok::<(), ami_proto::EncodeError>(())
/// ```
#[cfg(feature = "alloc")]
pub fn encode_to_vec<K, V>(
    action: &str,
    headers: impl IntoIterator<Item = (K, V)>,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError>
where
    K: AsRef<[u8]>,
    V: AsRef<[u8]>,
{
    let mut w = ActionWriter::to_vec(action, out);
    for (key, value) in headers {
        w.header(key, value);
    }
    w.finish().map(|_| ())
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;

    fn enc(action: &str, headers: &[(&str, &str)]) -> Result<usize, EncodeError> {
        encode(action, headers.iter().copied(), &mut [0u8; 4096])
    }

    #[test]
    fn rejects_table() {
        use EncodeErrorKind as K;
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], K, usize);
        let cases: &[Case] = &[
            ("", &[], K::EmptyAction, 0),
            ("Pi ng", &[], K::NotAToken { byte: b' ', at: 2 }, 0),
            ("Ping\r\n", &[], K::NotAToken { byte: b'\r', at: 4 }, 0),
            ("Ping", &[("", "x")], K::EmptyKey, 1),
            (
                "Ping",
                &[("A", "1"), ("B:", "x")],
                K::NotAToken { byte: b':', at: 1 },
                2,
            ),
            (
                "Ping",
                &[("A\n", "x")],
                K::NotAToken { byte: b'\n', at: 1 },
                1,
            ),
            (
                "Ping",
                &[("A", "x\ny")],
                K::ForbiddenByte { byte: b'\n', at: 1 },
                1,
            ),
            (
                "Ping",
                &[("A", "\r")],
                K::ForbiddenByte { byte: b'\r', at: 0 },
                1,
            ),
            (
                "Ping",
                &[("A", "a\0")],
                K::ForbiddenByte { byte: 0, at: 1 },
                1,
            ),
            ("Ping", &[("action", "Originate")], K::DuplicateAction, 1),
        ];
        for (action, headers, kind, header) in cases {
            let err = enc(action, headers).unwrap_err();
            assert_eq!(
                (err.kind, err.header),
                (*kind, *header),
                "{action:?} {headers:?}"
            );
        }
    }

    #[test]
    fn line_limit_counts_crlf() {
        // "K: " + value + CRLF == 1024 is the longest line Asterisk reads.
        let ok = "v".repeat(MAX_REQUEST_LINE - 5);
        assert!(enc("Ping", &[("K", &ok)]).is_ok());
        let long = "v".repeat(MAX_REQUEST_LINE - 4);
        let err = enc("Ping", &[("K", &long)]).unwrap_err();
        assert_eq!(
            err.kind,
            EncodeErrorKind::LineTooLong {
                len: MAX_REQUEST_LINE + 1,
                limit: MAX_REQUEST_LINE
            }
        );
    }

    #[test]
    fn header_limit_counts_action_line() {
        let headers = [("K", "v"); MAX_REQUEST_HEADERS - 1];
        assert!(encode("Ping", headers, &mut [0u8; 4096]).is_ok());
        let headers = [("K", "v"); MAX_REQUEST_HEADERS];
        let err = encode("Ping", headers, &mut [0u8; 4096]).unwrap_err();
        assert_eq!(err.header, MAX_REQUEST_HEADERS);
        assert_eq!(
            err.kind,
            EncodeErrorKind::TooManyHeaders {
                limit: MAX_REQUEST_HEADERS
            }
        );
    }

    #[test]
    fn buffer_too_small_says_how_much() {
        for cap in 0..16 {
            let err = encode("Ping", [("A", "b")], &mut [0u8; 32][..cap]).unwrap_err();
            assert_eq!(
                err.kind,
                EncodeErrorKind::BufferTooSmall {
                    needed: 22,
                    capacity: cap
                }
            );
        }
        assert_eq!(encode("Ping", [("A", "b")], &mut [0u8; 22]), Ok(22));
    }

    #[test]
    fn error_names_header_in_display() {
        let err = enc(
            "Ping",
            &[("Good", "x"), ("Channel", "a\r\nAction: Originate")],
        )
        .unwrap_err();
        let text = std::format!("{err}");
        assert_eq!(
            text,
            "header 2 (`Channel`): the value holds '\\r' at 1 (CR, LF and NUL would end the line)"
        );
    }
}
