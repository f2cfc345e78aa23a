//! One downstream client, without IO: the bytes it sends go in, and out come what to write
//! back, what to forward to Asterisk, and when to close. The proxy answers Login, Challenge,
//! Logoff, Events and Filter itself, as Asterisk would for the user of its manager.conf,
//! and refuses what the user's write classes do not allow; everything else is re-encoded
//! through ami-proto's encoder (which refuses CR, LF and NUL in any header) without the
//! client's ActionID, which the proxy keeps to put back on the replies.

use std::collections::VecDeque;
use std::net::IpAddr;
use std::sync::Arc;

use ami_proto::filter::{Broadcast, Classes, EventGate, ManagerConf, UserConfig};
use ami_proto::{
    encode_to_vec, Config, Decoded, Decoder, GenericAction, Limits, LineEndings, Message,
};

use crate::acl::acl_allows;
use crate::reply;
use crate::write_class::required_write_classes;

/// Most bytes a client may send in one request before it is refused: Asterisk reads at most
/// 128 lines of at most 1,024 bytes.
pub const REQUEST_LIMITS: Limits = Limits::DEFAULT
    .with_max_line(8 * 1024)
    .with_max_message(256 * 1024)
    .with_max_headers(1024);

/// What the IO side must do next for a session, in order.
#[derive(Debug)]
pub enum Step {
    /// Write these bytes to the client.
    Write(Vec<u8>),
    /// Send `action` to Asterisk; put `action_id` (the client's, if it gave one) back on
    /// every reply and list item.
    Forward {
        /// The client's ActionID.
        action_id: Option<Vec<u8>>,
        /// The action, without ActionID.
        action: GenericAction,
    },
    /// The client logged in as `user`.
    LoggedIn {
        /// The user name as configured.
        user: String,
    },
    /// A login was refused (after the IO side's delay, write the reply that follows and
    /// close).
    Refused {
        /// The user name given.
        user: String,
        /// Why, for the log (the client is only told `Authentication failed`).
        reason: &'static str,
    },
    /// Close the connection once everything before this step is written.
    Close {
        /// Why, for the log.
        reason: &'static str,
    },
}

enum State {
    Connected,
    LoggedIn {
        user: Arc<UserConfig>,
        gate: EventGate,
    },
    Closed,
}

/// A downstream client's session.
///
/// ```
/// use std::sync::Arc;
/// use ami_proto::filter::{ManagerConf, Rules};
/// use ami_proxy::{Session, Step};
///
/// let conf = Arc::new(ManagerConf::parse(b"[ops]\nsecret = s\nread = call\nwrite = call\n", Rules::default()).unwrap());
/// let mut session = Session::new(conf, "127.0.0.1".parse().unwrap());
/// session.handle_input(b"Action: Login\r\nActionID: 1\r\nUsername: ops\r\nSecret: s\r\n\r\n");
/// assert!(matches!(session.poll_step(), Some(Step::Write(w)) if w == b"Response: Success\r\nActionID: 1\r\nMessage: Authentication accepted\r\n\r\n"));
/// assert!(matches!(session.poll_step(), Some(Step::LoggedIn { .. })));
/// session.handle_input(b"Action: Originate\r\nActionID: 2\r\nChannel: Local/1@x\r\n\r\n");
/// assert!(matches!(session.poll_step(), Some(Step::Write(w)) if w == b"Response: Error\r\nActionID: 2\r\nMessage: Permission denied\r\n\r\n"));
/// session.handle_input(b"Action: Hangup\r\nActionID: 3\r\nChannel: Local/1@x\r\n\r\n");
/// assert!(matches!(session.poll_step(), Some(Step::Write(_)))); // Hangup needs system too
/// ```
pub struct Session {
    conf: Arc<ManagerConf>,
    peer: IpAddr,
    logins: Arc<Logins>,
    /// This session's entry in `logins` once logged in.
    login: Option<LoginEntry>,
    decoder: Decoder<'static>,
    /// Bytes received and not yet decoded.
    pending: Vec<u8>,
    state: State,
    /// The challenge given by `Challenge`, for an MD5 login.
    challenge: Option<Vec<u8>>,
    steps: VecDeque<Step>,
}

impl Session {
    /// A new client connected from `peer`; users and their settings from `conf`.
    pub fn new(conf: Arc<ManagerConf>, peer: IpAddr) -> Session {
        Session::with_logins(conf, peer, Arc::new(Logins::default()))
    }

    /// A new client, whose login is refused for a user with `allowmultiplelogin = no`
    /// while `logins` holds another session of that user.
    pub fn with_logins(conf: Arc<ManagerConf>, peer: IpAddr, logins: Arc<Logins>) -> Session {
        Session {
            conf,
            peer,
            logins,
            login: None,
            // Asterisk reads client lines ending in LF alone too.
            decoder: Decoder::with_config(
                Config::DEFAULT
                    .with_line_endings(LineEndings::Lenient)
                    .with_limits(REQUEST_LIMITS),
            ),
            pending: Vec::new(),
            state: State::Connected,
            challenge: None,
            steps: VecDeque::new(),
        }
    }

    /// The next thing to do, if any.
    pub fn poll_step(&mut self) -> Option<Step> {
        self.steps.pop_front()
    }

    /// The logged-in user, if any.
    pub fn user(&self) -> Option<&UserConfig> {
        match &self.state {
            State::LoggedIn { user, .. } => Some(user),
            _ => None,
        }
    }

    /// Whether the session ended (Logoff, a refused login): input is then ignored.
    pub fn is_closed(&self) -> bool {
        matches!(self.state, State::Closed)
    }

    /// Whether the client gets this event that Asterisk queued for every session (never
    /// before it logged in). The event is prepared once for all sessions: its classes and
    /// the text the filters search do not depend on who receives it.
    pub fn admits(&self, event: &Broadcast<'_>) -> bool {
        match &self.state {
            State::LoggedIn { gate, .. } => gate.admits(event),
            _ => false,
        }
    }

    /// Takes bytes the client sent.
    pub fn handle_input(&mut self, bytes: &[u8]) {
        if self.is_closed() {
            return;
        }
        self.pending.extend_from_slice(bytes);
        let mut at = 0;
        while !self.is_closed() {
            match self.decoder.decode(&self.pending[at..]) {
                Decoded::Item { item, consumed } => {
                    if let ami_proto::Item::Message(message) = item {
                        let owned = ami_proto::OwnedMessage::new(&message);
                        self.request(&owned.message());
                    }
                    at += consumed;
                }
                Decoded::Error { error, consumed } => {
                    // The request could not be read (a line or a request over the limits,
                    // a line that is no header): refused whole, and reading goes on
                    // after its end.
                    at += consumed;
                    let message = format!("Malformed request: {error}");
                    self.write(reply::error(None, message.as_bytes()));
                }
                Decoded::NeedMore { consumed } => {
                    at += consumed;
                    break;
                }
            }
        }
        self.pending.drain(..at.min(self.pending.len()));
    }

    fn write(&mut self, bytes: Vec<u8>) {
        self.steps.push_back(Step::Write(bytes));
    }

    fn close(&mut self, reason: &'static str) {
        self.state = State::Closed;
        self.steps.push_back(Step::Close { reason });
    }

    /// One request.
    fn request(&mut self, request: &Message<'_>) {
        let id = request.action_id().filter(|id| !id.is_empty());
        let Some(name) = request.get("Action").filter(|n| !n.is_empty()) else {
            self.write(reply::error(id, b"Missing action in request"));
            return;
        };
        let is = |n: &str| name.eq_ignore_ascii_case(n.as_bytes());
        if is("Login") {
            return self.login(request, id);
        }
        if is("Challenge") {
            return self.challenge(request, id);
        }
        if is("Logoff") {
            self.write(reply::goodbye(id));
            return self.close("logoff");
        }
        let State::LoggedIn { user, gate } = &mut self.state else {
            return self.write(reply::error(id, b"Permission denied"));
        };
        if !user.write.contains(required_write_classes(name)) {
            return self.write(reply::error(id, b"Permission denied"));
        }
        if is("Events") {
            if let Some(answer) = gate.handle_events_action(request) {
                self.write(answer.into_bytes());
            }
            return;
        }
        if is("Filter") {
            let answer = gate.handle_filter_action(request).reply;
            return self.write(answer.into_bytes());
        }
        self.forward(request, name, id);
    }

    fn forward(&mut self, request: &Message<'_>, name: &[u8], id: Option<&[u8]>) {
        let Ok(name) = std::str::from_utf8(name) else {
            return self.write(reply::error(id, b"Invalid/unknown command"));
        };
        let headers: Vec<(&[u8], &[u8])> = request
            .headers()
            .filter(|h| !h.is("Action") && !h.is("ActionID"))
            .map(|h| (h.key, h.value))
            .collect();
        // The encoder refuses what could add a header or an action (CR, LF, NUL, a bad
        // key, an oversized line): refused here, before anything reaches Asterisk.
        if let Err(error) = encode_to_vec(name, headers.iter().copied(), &mut Vec::new()) {
            let message = format!("Refused by the proxy: {error}");
            return self.write(reply::error(id, message.as_bytes()));
        }
        let mut action = GenericAction::new(name);
        for (key, value) in headers {
            action = action.header(key, value);
        }
        self.steps.push_back(Step::Forward {
            action_id: id.map(<[u8]>::to_vec),
            action,
        });
    }

    fn challenge(&mut self, request: &Message<'_>, id: Option<&[u8]>) {
        let md5 = request
            .get("AuthType")
            .is_some_and(|t| t.eq_ignore_ascii_case(b"MD5"));
        if !md5 {
            return self.write(reply::error(id, b"Must specify AuthType"));
        }
        let challenge = self
            .challenge
            .get_or_insert_with(|| random_challenge().into_bytes())
            .clone();
        self.write(reply::response(
            b"Success",
            id,
            &[(b"Challenge", &challenge)],
        ));
    }

    fn login(&mut self, request: &Message<'_>, id: Option<&[u8]>) {
        if let State::LoggedIn { .. } = self.state {
            return self.write(reply::response(
                b"Success",
                id,
                &[(b"Message", b"Already authenticated")],
            ));
        }
        let name = request.get("Username").unwrap_or(b"");
        let shown = String::from_utf8_lossy(name).into_owned();
        let refused = match self.authenticate(request, name) {
            Ok(user) => {
                let gate = EventGate::login(&user, request);
                let greeted = gate.fully_booted();
                let configured = String::from_utf8_lossy(&user.name).into_owned();
                self.login = Some(LoginEntry::new(self.logins.clone(), &user.name));
                self.state = State::LoggedIn { user, gate };
                self.write(reply::response(
                    b"Success",
                    id,
                    &[(b"Message", b"Authentication accepted")],
                ));
                self.steps.push_back(Step::LoggedIn { user: configured });
                if greeted {
                    self.write(reply::FULLY_BOOTED.to_vec());
                }
                return;
            }
            Err(reason) => reason,
        };
        self.steps.push_back(Step::Refused {
            user: shown,
            reason: refused,
        });
        self.write(reply::error(id, b"Authentication failed"));
        self.close("login refused");
    }

    /// The user, if the request proves to be it; else why not.
    fn authenticate(
        &self,
        request: &Message<'_>,
        name: &[u8],
    ) -> Result<Arc<UserConfig>, &'static str> {
        let user = self.conf.user(name).ok_or("no such user")?;
        if !acl_allows(&user.acl, self.peer) {
            return Err("address denied by the user's ACL");
        }
        let secret = user.secret.as_ref().ok_or("the user has no secret")?;
        let md5 = request
            .get("AuthType")
            .is_some_and(|t| t.eq_ignore_ascii_case(b"MD5"));
        let proven = if md5 {
            let challenge = self
                .challenge
                .as_deref()
                .ok_or("MD5 login without a Challenge")?;
            let key = request.get("Key").unwrap_or(b"");
            constant_time_eq(&md5_key(challenge, secret.expose()), key)
        } else {
            let given = request.get("Secret").unwrap_or(b"");
            constant_time_eq(secret.expose(), given)
        };
        if !proven {
            return Err(if md5 { "wrong key" } else { "wrong secret" });
        }
        if !user.allowmultiplelogin && self.logins.count(&user.name) > 0 {
            return Err("already logged in elsewhere (allowmultiplelogin = no)");
        }
        Ok(Arc::new(user.clone()))
    }

    /// Classes the session's user may write (none before login).
    pub fn write_classes(&self) -> Classes {
        self.user().map_or(Classes::NONE, |u| u.write)
    }
}

/// Who is logged in, shared by the sessions of one proxy (for `allowmultiplelogin = no`).
#[derive(Debug, Default)]
pub struct Logins(std::sync::Mutex<std::collections::HashMap<Vec<u8>, usize>>);

impl Logins {
    fn key(name: &[u8]) -> Vec<u8> {
        name.to_ascii_lowercase()
    }

    /// How many sessions are logged in as `name` (any case).
    pub fn count(&self, name: &[u8]) -> usize {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(&Logins::key(name)).copied().unwrap_or(0)
    }
}

/// One logged-in session in [`Logins`], for as long as the session lives.
struct LoginEntry {
    logins: Arc<Logins>,
    key: Vec<u8>,
}

impl LoginEntry {
    fn new(logins: Arc<Logins>, name: &[u8]) -> LoginEntry {
        let key = Logins::key(name);
        *logins
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(key.clone())
            .or_default() += 1;
        LoginEntry { logins, key }
    }
}

impl Drop for LoginEntry {
    fn drop(&mut self) {
        let mut map = self.logins.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = map.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                map.remove(&self.key);
            }
        }
    }
}

/// `hex(md5(challenge + secret))`, lower case, as Asterisk computes the expected key.
fn md5_key(challenge: &[u8], secret: &[u8]) -> Vec<u8> {
    use md5::Digest as _;
    let mut md5 = md5::Md5::new();
    md5.update(challenge);
    md5.update(secret);
    let digest = md5.finalize();
    let mut hex = Vec::with_capacity(32);
    for byte in digest {
        hex.extend_from_slice(format!("{byte:02x}").as_bytes());
    }
    hex
}

/// Equal bytes, in a time that does not depend on where they first differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A challenge as Asterisk gives one (a decimal number), from the standard library's
/// randomly keyed hasher (seeded from the operating system).
fn random_challenge() -> String {
    use std::hash::BuildHasher;
    let bits = std::collections::hash_map::RandomState::new().hash_one(0u8);
    (bits % 1_000_000_000).to_string()
}

#[doc(hidden)]
pub fn md5_key_for_tests(challenge: &[u8], secret: &[u8]) -> Vec<u8> {
    md5_key(challenge, secret)
}
