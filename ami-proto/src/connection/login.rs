//! The login exchange as a small state machine: plain (`Login` with `Secret`) or MD5
//! challenge (`Challenge` with `AuthType: MD5`, then `Login` with
//! `Key: hex(md5(challenge + secret))`, so the secret never crosses the wire).
//!
//! It tells the caller what to send ([`Login::poll_request`]) and reads the replies
//! ([`Login::handle`]); it does no IO. Asterisk closes the connection after a failed login.

use core::fmt;

use crate::encode::Action;
use crate::encode::ActionId;
use crate::encode::ActionWriter;
use crate::message::{Kind, Message};

/// How to prove who we are.
///
/// ```
/// use ami_proto::{AuthMethod, Credentials};
/// assert_eq!(Credentials::plain("a", "b").method, AuthMethod::Plain);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthMethod {
    /// `Secret: <secret>` in the Login action (the secret travels in clear text).
    Plain,
    /// `Challenge`, then `Key: hex(md5(challenge + secret))`.
    Md5,
}

/// A user name and secret. `Debug` never shows the secret.
///
/// ```
/// use ami_proto::Credentials;
///
/// let creds = Credentials::md5("admin", "amp111").with_events("off");
/// assert!(!format!("{creds:?}").contains("amp111"));
/// ```
#[derive(Clone, Copy)]
pub struct Credentials<'a> {
    /// The `[user]` section name in manager.conf.
    pub username: &'a str,
    secret: &'a str,
    /// Plain or MD5 challenge.
    pub method: AuthMethod,
    /// The `Events:` header of the Login action (`on`, `off`, or an event mask); none by
    /// default, which means the user's configured read permissions.
    pub events: Option<&'a str>,
}

impl<'a> Credentials<'a> {
    /// Plain login.
    ///
    /// ```
    /// let creds = ami_proto::Credentials::plain("admin", "amp111");
    /// assert_eq!(creds.method, ami_proto::AuthMethod::Plain);
    /// ```
    pub fn plain(username: &'a str, secret: &'a str) -> Self {
        Credentials {
            username,
            secret,
            method: AuthMethod::Plain,
            events: None,
        }
    }

    /// MD5 challenge login.
    ///
    /// ```
    /// let creds = ami_proto::Credentials::md5("admin", "amp111");
    /// assert_eq!(creds.method, ami_proto::AuthMethod::Md5);
    /// ```
    pub fn md5(username: &'a str, secret: &'a str) -> Self {
        Credentials {
            method: AuthMethod::Md5,
            ..Credentials::plain(username, secret)
        }
    }

    /// The secret, for whoever keeps credentials of its own (never shown by `Debug`).
    ///
    /// ```
    /// assert_eq!(ami_proto::Credentials::plain("admin", "amp111").secret(), "amp111");
    /// ```
    pub fn secret(&self) -> &'a str {
        self.secret
    }

    /// Adds `Events: <events>` to the Login action.
    ///
    /// ```
    /// let creds = ami_proto::Credentials::plain("admin", "amp111").with_events("off");
    /// assert_eq!(creds.events, Some("off"));
    /// ```
    pub fn with_events(self, events: &'a str) -> Self {
        Credentials {
            events: Some(events),
            ..self
        }
    }
}

impl fmt::Debug for Credentials<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("secret", &"<hidden>")
            .field("method", &self.method)
            .field("events", &self.events)
            .finish()
    }
}

/// Longest challenge kept (Asterisk sends a decimal `long`).
const MAX_CHALLENGE: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Start,
    ChallengeSent(ActionId),
    Challenged {
        challenge: [u8; MAX_CHALLENGE],
        len: u8,
    },
    LoginSent(ActionId),
    Accepted,
    Rejected(LoginFailure),
}

/// Why a login failed.
///
/// ```
/// use ami_proto::{ActionId, Credentials, Decoded, Decoder, Item, Login, LoginEvent, LoginFailure};
/// let credentials = Credentials::plain("admin", "wrong");
/// let mut login = Login::new();
/// let _ = login.poll_request(ActionId::new(b"1").unwrap(), &credentials);
/// let mut d = Decoder::new();
/// let wire = b"Response: Error\r\nActionID: 1\r\nMessage: Authentication failed\r\n\r\n";
/// let Decoded::Item { item: Item::Message(m), .. } = d.decode(wire) else { panic!() };
/// assert_eq!(login.handle(&m), Some(LoginEvent::Rejected(LoginFailure::Refused)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoginFailure {
    /// The `Challenge` action got an error reply.
    ChallengeRefused,
    /// The `Challenge` reply had no usable `Challenge:` header.
    BadChallenge,
    /// The `Login` action got an error reply (`Authentication failed`); Asterisk closes
    /// the connection.
    Refused,
}

/// What a reply did to the login.
///
/// ```
/// use ami_proto::{Action, ActionId, Credentials, Decoded, Decoder, Item, Login, LoginEvent};
/// let credentials = Credentials::plain("admin", "amp111");
/// let mut login = Login::new();
/// let _ = login.poll_request(ActionId::new(b"1").unwrap(), &credentials);
/// let mut d = Decoder::new();
/// let wire = b"Response: Success\r\nActionID: 1\r\nMessage: Authentication accepted\r\n\r\n";
/// let Decoded::Item { item: Item::Message(m), .. } = d.decode(wire) else { panic!() };
/// assert_eq!(login.handle(&m), Some(LoginEvent::Accepted));
/// assert_eq!(login.outcome(), Some(true));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoginEvent {
    /// The reply to `Challenge` arrived; call [`Login::poll_request`] for the `Login`.
    Challenged,
    /// `Authentication accepted`.
    Accepted,
    /// The login failed.
    Rejected(LoginFailure),
}

/// The login state machine.
///
/// ```
/// use ami_proto::{Action, ActionId, Credentials, Decoded, Decoder, Item, Login, LoginEvent};
///
/// let credentials = Credentials::md5("admin", "amp111").with_events("off");
/// let mut login = Login::new();
/// let mut buf = [0u8; 256];
///
/// let request = login.poll_request(ActionId::new(b"cap-1").unwrap(), &credentials).unwrap();
/// let n = request.encode(&mut buf).unwrap();
/// assert_eq!(&buf[..n], b"Action: Challenge\r\nActionID: cap-1\r\nAuthType: MD5\r\n\r\n");
///
/// let reply = b"Response: Success\r\nActionID: cap-1\r\nChallenge: 39188675\r\n\r\n";
/// let mut decoder = Decoder::new();
/// let Decoded::Item { item: Item::Message(m), .. } = decoder.decode(reply) else { panic!() };
/// assert_eq!(login.handle(&m), Some(LoginEvent::Challenged));
///
/// let request = login.poll_request(ActionId::new(b"cap-2").unwrap(), &credentials).unwrap();
/// let n = request.encode(&mut buf).unwrap();
/// assert_eq!(
///     &buf[..n],
///     &b"Action: Login\r\nActionID: cap-2\r\nAuthType: MD5\r\nUsername: admin\r\n\
///        Key: 5f38a5fec163e9e9e3e7843e2fe0999e\r\nEvents: off\r\n\r\n"[..]
/// );
/// ```
#[derive(Debug, Clone)]
pub struct Login {
    state: State,
}

impl Default for Login {
    fn default() -> Self {
        Login::new()
    }
}

impl Login {
    /// A login that has sent nothing yet.
    ///
    /// ```
    /// let login = ami_proto::Login::new();
    /// assert!(!login.is_done());
    /// ```
    pub fn new() -> Self {
        Login {
            state: State::Start,
        }
    }

    /// The next action to send, if one is due now; it will carry ActionID `id` (unused
    /// when this returns `None`) and is built from `credentials` (pass the same ones on
    /// every call: the login keeps only its progress, so its owner may keep the secret
    /// however it likes).
    ///
    /// ```
    /// use ami_proto::{ActionId, Credentials, Login};
    ///
    /// let credentials = Credentials::plain("admin", "amp111");
    /// let mut login = Login::new();
    /// let id = ActionId::new(b"1").unwrap();
    /// assert_eq!(ami_proto::Action::name(&login.poll_request(id, &credentials).unwrap()), "Login");
    /// assert!(login.poll_request(id, &credentials).is_none()); // now waiting for the reply
    /// ```
    #[must_use]
    pub fn poll_request<'c>(
        &mut self,
        id: ActionId,
        credentials: &Credentials<'c>,
    ) -> Option<LoginRequest<'c>> {
        let credentials = *credentials;
        let (next, kind) = match self.state {
            State::Start => match credentials.method {
                AuthMethod::Plain => (State::LoginSent(id), RequestKind::Plain),
                AuthMethod::Md5 => (State::ChallengeSent(id), RequestKind::Challenge),
            },
            State::Challenged { challenge, len } => {
                let key = challenge_key(&challenge[..len as usize], credentials.secret);
                (State::LoginSent(id), RequestKind::Md5(key))
            }
            _ => return None,
        };
        self.state = next;
        Some(LoginRequest {
            id,
            credentials,
            kind,
        })
    }

    /// Reads a decoded message; only the reply to the request in flight (same ActionID)
    /// counts, anything else gives `None`.
    ///
    /// ```
    /// use ami_proto::{ActionId, Credentials, Decoded, Decoder, Item, Login};
    /// let credentials = Credentials::plain("admin", "amp111");
    /// let mut login = Login::new();
    /// let _ = login.poll_request(ActionId::new(b"1").unwrap(), &credentials);
    /// let mut d = Decoder::new();
    /// let wire = b"Response: Success\r\nActionID: 2\r\n\r\n"; // someone else's reply
    /// let Decoded::Item { item: Item::Message(m), .. } = d.decode(wire) else { panic!() };
    /// assert_eq!(login.handle(&m), None);
    /// ```
    pub fn handle(&mut self, message: &Message<'_>) -> Option<LoginEvent> {
        if message.kind() != Kind::Response {
            return None;
        }
        let (State::ChallengeSent(id) | State::LoginSent(id)) = self.state else {
            return None;
        };
        if message.action_id() != Some(id.as_bytes()) {
            return None;
        }
        let success = message.name().eq_ignore_ascii_case(b"Success");
        let event = match self.state {
            State::ChallengeSent(_) if !success => {
                LoginEvent::Rejected(LoginFailure::ChallengeRefused)
            }
            State::ChallengeSent(_) => match message.get("Challenge") {
                Some(c) if !c.is_empty() && c.len() <= MAX_CHALLENGE => {
                    let mut challenge = [0; MAX_CHALLENGE];
                    challenge[..c.len()].copy_from_slice(c);
                    self.state = State::Challenged {
                        challenge,
                        len: c.len() as u8,
                    };
                    return Some(LoginEvent::Challenged);
                }
                _ => LoginEvent::Rejected(LoginFailure::BadChallenge),
            },
            _ if success => LoginEvent::Accepted,
            _ => LoginEvent::Rejected(LoginFailure::Refused),
        };
        self.state = match event {
            LoginEvent::Rejected(failure) => State::Rejected(failure),
            _ => State::Accepted,
        };
        Some(event)
    }

    /// True when [`poll_request`](Self::poll_request) has an action to send now.
    ///
    /// ```
    /// use ami_proto::{ActionId, Credentials, Login};
    /// let credentials = Credentials::plain("a", "b");
    /// let mut login = Login::new();
    /// assert!(login.has_request());
    /// let _ = login.poll_request(ActionId::new(b"1").unwrap(), &credentials);
    /// assert!(!login.has_request());
    /// ```
    pub fn has_request(&self) -> bool {
        matches!(self.state, State::Start | State::Challenged { .. })
    }

    /// True once the login was accepted or rejected.
    ///
    /// ```
    /// let login = ami_proto::Login::new();
    /// assert!(!login.is_done());
    /// ```
    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Accepted | State::Rejected(_))
    }

    /// `Some(true)` when accepted, `Some(false)` when rejected, `None` while in progress.
    ///
    /// ```
    /// let login = ami_proto::Login::new();
    /// assert_eq!(login.outcome(), None);
    /// ```
    pub fn outcome(&self) -> Option<bool> {
        match self.state {
            State::Accepted => Some(true),
            State::Rejected(_) => Some(false),
            _ => None,
        }
    }
}

#[derive(Clone, Copy)]
enum RequestKind {
    Challenge,
    Plain,
    Md5([u8; 32]),
}

/// One action the login wants sent. `Debug` shows neither secret nor key.
///
/// ```
/// use ami_proto::{ActionId, Credentials, Login};
///
/// let credentials = Credentials::plain("admin", "amp111");
/// let mut login = Login::new();
/// let request = login.poll_request(ActionId::new(b"1").unwrap(), &credentials).unwrap();
/// assert!(!format!("{request:?}").contains("amp111"));
/// ```
#[derive(Clone, Copy)]
pub struct LoginRequest<'a> {
    id: ActionId,
    credentials: Credentials<'a>,
    kind: RequestKind,
}

impl LoginRequest<'_> {
    /// The ActionID it carries.
    ///
    /// ```
    /// use ami_proto::{ActionId, Credentials, Login};
    /// let id = ActionId::new(b"9").unwrap();
    /// let credentials = Credentials::plain("admin", "amp111");
    /// let mut login = Login::new();
    /// assert_eq!(login.poll_request(id, &credentials).unwrap().id(), id);
    /// ```
    pub fn id(&self) -> ActionId {
        self.id
    }
}

/// `Challenge` or `Login`, with the request's ActionID.
///
/// ```
/// use ami_proto::{Action, ActionId, Credentials, Login};
/// let credentials = Credentials::plain("admin", "amp111");
/// let mut login = Login::new();
/// let request = login.poll_request(ActionId::new(b"1").unwrap(), &credentials).unwrap();
/// assert_eq!(request.name(), "Login");
/// let mut buf = [0u8; 128];
/// let n = request.encode(&mut buf).unwrap();
/// assert_eq!(&buf[..n], b"Action: Login\r\nActionID: 1\r\nUsername: admin\r\nSecret: amp111\r\n\r\n");
/// ```
impl Action for LoginRequest<'_> {
    fn name(&self) -> &str {
        match self.kind {
            RequestKind::Challenge => "Challenge",
            RequestKind::Plain | RequestKind::Md5(_) => "Login",
        }
    }

    fn action_id(&self) -> Option<&[u8]> {
        Some(self.id.as_bytes())
    }

    fn write_headers(&self, w: &mut ActionWriter<'_>) {
        let c = &self.credentials;
        match &self.kind {
            RequestKind::Challenge => {
                w.header("AuthType", "MD5");
                return;
            }
            RequestKind::Plain => {
                w.header("Username", c.username).header("Secret", c.secret);
            }
            RequestKind::Md5(key) => {
                w.header("AuthType", "MD5")
                    .header("Username", c.username)
                    .header("Key", key);
            }
        }
        if let Some(events) = c.events {
            w.header("Events", events);
        }
    }
}

impl fmt::Debug for LoginRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginRequest")
            .field("action", &self.name())
            .field("id", &self.id)
            .field("username", &self.credentials.username)
            .finish_non_exhaustive()
    }
}

/// The `Key:` of an MD5 login: `md5(challenge + secret)` as 32 lowercase hex digits.
fn challenge_key(challenge: &[u8], secret: &str) -> [u8; 32] {
    use md5::Digest as _;
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut md5 = md5::Md5::new();
    md5.update(challenge);
    md5.update(secret.as_bytes());
    let mut key = [0; 32];
    for (pair, byte) in key.chunks_exact_mut(2).zip(md5.finalize()) {
        pair[0] = DIGITS[usize::from(byte >> 4)];
        pair[1] = DIGITS[usize::from(byte & 15)];
    }
    key
}

#[cfg(test)]
mod tests {
    use super::challenge_key;

    /// RFC 1321's test suite (appendix A.5), split between challenge and secret anywhere;
    /// the real exchanges are in `tests/login.rs`.
    #[test]
    fn challenge_key_is_hex_md5_of_challenge_then_secret() {
        let cases: [(&str, &[u8; 32]); 4] = [
            ("", b"d41d8cd98f00b204e9800998ecf8427e"),
            ("abc", b"900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", b"f96b697d7cb7938d525a2f31aaf161d0"),
            (
                "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
                b"57edf4a22be3c955ac49da2e2107b67a",
            ),
        ];
        for (input, want) in cases {
            for split in 0..=input.len() {
                let (challenge, secret) = input.split_at(split);
                assert_eq!(
                    &challenge_key(challenge.as_bytes(), secret),
                    want,
                    "{input:?} split at {split}"
                );
            }
        }
    }
}
