//! An action as an AJAM request: where to send it ([`Endpoint`]) and its parameters as a
//! URL query or a form body ([`ActionParams`]).
//!
//! Asterisk turns every request parameter `name=value` into the AMI header `name: value`
//! (in order, up to 128 of them), after decoding `%XX` and, as HTML forms do, `+` as a
//! space. So the parameters are built from exactly the headers the action writes through
//! an [`ActionWriter`] (with all its checks: no CR, LF or NUL in a value, keys are tokens,
//! at most 128 lines of at most 1024 bytes), and every byte other than an ASCII letter,
//! digit, `-`, `.`, `_` or `~` is percent-encoded, in keys too: `&`, `=`, `+`, `#`, `?`,
//! `%`, spaces, controls and non-ASCII bytes can neither end a parameter nor start
//! another, whatever a caller passes.

use std::fmt;

use ami_proto::{Action, ActionWriter, Decoded, Decoder, EncodeError, Item};

use crate::Encoding;

/// The `Content-Type` of a POST body made by [`ActionParams::query`]: Asterisk reads the
/// parameters of a POST only with this type.
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// Appends `bytes` to `out`, percent-encoded: ASCII letters, digits, `-`, `.`, `_` and `~`
/// as they are, every other byte as `%XX` (upper-case hex).
///
/// ```
/// let mut out = String::new();
/// ami_http::percent_encode(b"a b&c=d+e%\r\n\xff", &mut out);
/// assert_eq!(out, "a%20b%26c%3Dd%2Be%25%0D%0A%FF");
/// ```
pub fn percent_encode(bytes: &[u8], out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
}

/// The parameters of one action, in the order AMI would send its headers: `Action`, the
/// ActionID (if any), then the action's own headers.
///
/// `Debug` hides the values of `Secret` and `Key`. A login's secret is in the query
/// string of a GET, which web servers and proxies tend to log: send logins as a POST
/// body, or use digest authentication, where the secret never travels.
///
/// ```
/// use ami_http::ActionParams;
/// use ami_proto::GenericAction;
///
/// let originate = GenericAction::new("Originate")
///     .header("Channel", "Local/600@test/n")
///     .header("Application", "Wait")
///     .variable("NOTE", "a&b=c");
/// let params = ActionParams::new(&originate, Some(b"orig-1")).unwrap();
/// assert_eq!(
///     params.query(),
///     "Action=Originate&ActionID=orig-1&Channel=Local%2F600%40test%2Fn&Application=Wait&Variable=NOTE%3Da%26b%3Dc"
/// );
/// // The writer's checks apply: nothing can become a second header or parameter.
/// let bad = GenericAction::new("Ping").header("X", "1\r\nAction: Hangup");
/// assert!(ActionParams::new(&bad, None).is_err());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ActionParams {
    pairs: Vec<(Vec<u8>, Vec<u8>)>,
}

impl ActionParams {
    /// The parameters of `action`, with `action_id` written right after `Action` (the
    /// action's own [`action_id`](Action::action_id), or one the sender allocated; a
    /// second `ActionID` among the action's headers is refused, as on TCP).
    ///
    /// ```
    /// use ami_proto::{Action, GenericAction};
    /// let ping = GenericAction::new("Ping").header("ActionID", "p-1");
    /// let params = ami_http::ActionParams::new(&ping, ping.action_id()).unwrap();
    /// assert_eq!(params.action_id(), Some(&b"p-1"[..]));
    /// ```
    pub fn new<A: Action + ?Sized>(
        action: &A,
        action_id: Option<&[u8]>,
    ) -> Result<Self, EncodeError> {
        let mut wire = Vec::new();
        let mut writer = ActionWriter::to_vec(action.name(), &mut wire);
        if let Some(id) = action_id {
            writer.header("ActionID", id);
        }
        action.write_headers(&mut writer);
        writer.finish()?;
        // The writer made one well-formed action; read its headers back with the decoder.
        let mut decoder = Decoder::new();
        let pairs = match decoder.decode(&wire) {
            Decoded::Item {
                item: Item::Message(message),
                consumed,
            } if consumed == wire.len() => message
                .headers()
                .map(|h| (h.key.to_vec(), h.value.to_vec()))
                .collect(),
            other => unreachable!("ActionWriter output decodes as one action: {other:?}"),
        };
        Ok(ActionParams { pairs })
    }

    /// The parameters as `(name, value)`, in order.
    ///
    /// ```
    /// let params = ami_http::ActionParams::new(&ami_proto::GenericAction::new("Ping"), None).unwrap();
    /// assert_eq!(params.pairs().collect::<Vec<_>>(), [(&b"Action"[..], &b"Ping"[..])]);
    /// ```
    pub fn pairs(&self) -> impl ExactSizeIterator<Item = (&[u8], &[u8])> {
        self.pairs.iter().map(|(k, v)| (&k[..], &v[..]))
    }

    /// The ActionID written after `Action`, if any.
    ///
    /// ```
    /// let params = ami_http::ActionParams::new(&ami_proto::GenericAction::new("Ping"), Some(b"7")).unwrap();
    /// assert_eq!(params.action_id(), Some(&b"7"[..]));
    /// ```
    pub fn action_id(&self) -> Option<&[u8]> {
        self.pairs
            .get(1)
            .filter(|(k, _)| k == b"ActionID")
            .map(|(_, v)| &v[..])
    }

    /// `name=value&...`, every byte percent-encoded but ASCII letters, digits and `-._~`:
    /// the query string of a GET, or the body of a POST sent with [`FORM_CONTENT_TYPE`].
    ///
    /// ```
    /// use ami_proto::GenericAction;
    /// let command = GenericAction::new("Command").header("Command", "core show channels");
    /// let params = ami_http::ActionParams::new(&command, None).unwrap();
    /// assert_eq!(params.query(), "Action=Command&Command=core%20show%20channels");
    /// ```
    pub fn query(&self) -> String {
        let mut out = String::new();
        for (i, (key, value)) in self.pairs.iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            percent_encode(key, &mut out);
            out.push('=');
            percent_encode(value, &mut out);
        }
        out
    }
}

/// Shows the parameters, with the values of `Secret` and `Key` hidden.
///
/// ```
/// use ami_proto::GenericAction;
/// let login = GenericAction::new("Login").header("Username", "admin").header("Secret", "amp111");
/// let params = ami_http::ActionParams::new(&login, None).unwrap();
/// assert_eq!(format!("{params:?}"), r#"ActionParams("Action=Login&Username=admin&Secret=<hidden>")"#);
/// ```
impl fmt::Debug for ActionParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = String::new();
        for (i, (key, value)) in self.pairs.iter().enumerate() {
            if i > 0 {
                shown.push('&');
            }
            percent_encode(key, &mut shown);
            shown.push('=');
            let secret = key.eq_ignore_ascii_case(b"Secret") || key.eq_ignore_ascii_case(b"Key");
            if secret {
                shown.push_str("<hidden>");
            } else {
                percent_encode(value, &mut shown);
            }
        }
        f.debug_tuple("ActionParams").field(&shown).finish()
    }
}

/// How requests are authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Auth {
    /// A `Login` action, then the `mansession_id` cookie (`/rawman`, `/mxml`,
    /// `/manager`).
    Cookie,
    /// HTTP digest on every request (`/arawman`, `/amxml`, `/amanager`).
    Digest,
}

/// A prefix that [`Endpoint::with_prefix`] refuses.
///
/// ```
/// use ami_http::{Auth, Encoding, Endpoint};
/// let err = Endpoint::with_prefix("x?action=hangup", Encoding::Rawman, Auth::Cookie).unwrap_err();
/// assert_eq!((err.byte, err.at), (b'?', 1));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrefixError {
    /// The byte refused.
    pub byte: u8,
    /// Its position in the prefix.
    pub at: usize,
}

impl fmt::Display for PrefixError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "byte '{}' at {} is not allowed in a path prefix (letters, digits, `-._~` and `/` are)",
            [self.byte].escape_ascii(),
            self.at
        )
    }
}

impl std::error::Error for PrefixError {}

/// Where an encoding is served: `/rawman`, `/arawman`, or with `http.conf`'s `prefix`,
/// `/asterisk/rawman`.
///
/// ```
/// use ami_http::{ActionParams, Auth, Encoding, Endpoint};
/// let endpoint = Endpoint::new(Encoding::Mxml, Auth::Digest);
/// assert_eq!(endpoint.path(), "/amxml");
/// let ping = ActionParams::new(&ami_proto::GenericAction::new("Ping"), Some(b"1")).unwrap();
/// assert_eq!(endpoint.target(&ping), "/amxml?Action=Ping&ActionID=1");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Endpoint {
    path: String,
    encoding: Encoding,
    auth: Auth,
}

impl Endpoint {
    /// The endpoint without a prefix.
    ///
    /// ```
    /// use ami_http::{Auth, Encoding, Endpoint};
    /// assert_eq!(Endpoint::new(Encoding::Manager, Auth::Cookie).path(), "/manager");
    /// ```
    pub fn new(encoding: Encoding, auth: Auth) -> Self {
        Endpoint::with_prefix("", encoding, auth).expect("an empty prefix is valid")
    }

    /// The endpoint under `prefix` (`http.conf`'s `prefix`, slashes around it optional).
    /// Only ASCII letters, digits, `-._~` and `/` are allowed, so that a prefix can add
    /// neither a query nor a fragment.
    ///
    /// ```
    /// use ami_http::{Auth, Encoding, Endpoint};
    /// let e = Endpoint::with_prefix("/asterisk/", Encoding::Rawman, Auth::Digest).unwrap();
    /// assert_eq!(e.path(), "/asterisk/arawman");
    /// ```
    pub fn with_prefix(prefix: &str, encoding: Encoding, auth: Auth) -> Result<Self, PrefixError> {
        if let Some((at, &byte)) = prefix.as_bytes().iter().enumerate().find(|(_, &b)| {
            !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/'))
        }) {
            return Err(PrefixError { byte, at });
        }
        let mut path = String::from("/");
        for segment in prefix.split('/').filter(|s| !s.is_empty()) {
            path.push_str(segment);
            path.push('/');
        }
        if auth == Auth::Digest {
            path.push('a');
        }
        path.push_str(encoding.name());
        Ok(Endpoint {
            path,
            encoding,
            auth,
        })
    }

    /// The path, e.g. `/arawman`.
    ///
    /// ```
    /// # use ami_http::{Auth, Encoding, Endpoint};
    /// assert_eq!(Endpoint::new(Encoding::Rawman, Auth::Cookie).path(), "/rawman");
    /// ```
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The encoding of its replies.
    ///
    /// ```
    /// # use ami_http::{Auth, Encoding, Endpoint};
    /// assert_eq!(Endpoint::new(Encoding::Mxml, Auth::Cookie).encoding(), Encoding::Mxml);
    /// ```
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// How it authenticates.
    ///
    /// ```
    /// # use ami_http::{Auth, Encoding, Endpoint};
    /// assert_eq!(Endpoint::new(Encoding::Mxml, Auth::Digest).auth(), Auth::Digest);
    /// ```
    pub fn auth(&self) -> Auth {
        self.auth
    }

    /// The request target of a GET: `path?query`. With digest, this exact string is the
    /// `uri` of the `Authorization` header.
    ///
    /// ```
    /// # use ami_http::{ActionParams, Auth, Encoding, Endpoint};
    /// let logoff = ActionParams::new(&ami_proto::GenericAction::new("Logoff"), None).unwrap();
    /// assert_eq!(Endpoint::new(Encoding::Rawman, Auth::Cookie).target(&logoff), "/rawman?Action=Logoff");
    /// ```
    pub fn target(&self, params: &ActionParams) -> String {
        format!("{}?{}", self.path, params.query())
    }
}
