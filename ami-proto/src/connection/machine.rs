//! One AMI client connection as a sans-IO state machine (in the manner of quinn-proto):
//! you hand it the bytes you read ([`Connection::handle_input`]), write out what
//! [`Connection::poll_transmit`] gives you, and read what happened from
//! [`Connection::poll_event`]. It drives the banner, the login, ActionID correlation and
//! EventLists; it has no sockets, no clock and no randomness.

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use bytes::Bytes;

use super::lists::ListEnd;
use super::login::{AuthMethod, Credentials, Login, LoginEvent, LoginFailure};
use super::read_batch::{ReadBatch, Routed};
use super::tracker::{Correlated, TrackError, Tracker};
use crate::decode::{Config, Decoded, Decoder, Error, Item};
use crate::encode::{write_action, Action, ActionId, ActionIdAllocator, ActionWriter, EncodeError};
use crate::message::{Message, OwnedMessage};

/// How many actions a [`Connection`] tracks at once unless told otherwise.
///
/// ```
/// let conn: ami_proto::Connection = ami_proto::Connection::new();
/// assert_eq!(conn.pending().count(), 0); // room for DEFAULT_PENDING actions
/// assert_eq!(ami_proto::DEFAULT_PENDING, 64);
/// ```
pub const DEFAULT_PENDING: usize = 64;

/// Where the connection is.
///
/// ```
/// use ami_proto::{ConnState, Connection};
/// let mut conn: Connection = Connection::new();
/// conn.handle_input(b"Asterisk Call Manager/12.0.0\r\n");
/// assert_eq!(conn.state(), ConnState::Connected);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnState {
    /// Nothing received yet.
    AwaitingBanner,
    /// Banner (or a first message) received, not logged in.
    Connected,
    /// A login is in flight.
    LoggingIn,
    /// The login was accepted.
    LoggedIn,
    /// The login was refused (Asterisk closes the connection).
    LoginFailed,
    /// [`Connection::handle_eof`] was called.
    Closed,
}

/// Something that happened on the connection.
///
/// ```
/// use ami_proto::{ConnEvent, Connection};
/// let mut conn: Connection = Connection::new();
/// conn.handle_input(b"Event: FullyBooted\r\nStatus: Fully Booted\r\n\r\n");
/// assert!(matches!(conn.poll_event(), Some(ConnEvent::Event(_))));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnEvent {
    /// The server's greeting line (`Asterisk Call Manager/12.0.0`).
    Banner(Bytes),
    /// The login was accepted.
    LoggedIn,
    /// The login failed; the reply that said so, if any.
    LoginFailed(LoginFailure, Option<OwnedMessage>),
    /// The reply to an action. With `list`, [`ConnEvent::ListItem`]s and a
    /// [`ConnEvent::ListEnd`] follow.
    Response {
        /// The action.
        id: ActionId,
        /// A list follows.
        list: bool,
        /// The reply.
        message: OwnedMessage,
    },
    /// One item of a list.
    ListItem {
        /// The action.
        id: ActionId,
        /// 0 for the first item.
        index: u32,
        /// The item event.
        message: OwnedMessage,
    },
    /// The end of a list (check [`ListEnd::mismatch`]).
    ListEnd {
        /// The action.
        id: ActionId,
        /// How it ended.
        end: ListEnd,
        /// The final event, or the error reply.
        message: OwnedMessage,
    },
    /// An event with the ActionID of an action still waiting for its reply.
    ActionEvent {
        /// The action.
        id: ActionId,
        /// The event.
        message: OwnedMessage,
    },
    /// An event without ActionID.
    Event(OwnedMessage),
    /// A reply or event whose ActionID (or lack of one) matches no pending action, or a
    /// message that is neither: surfaced, never dropped.
    Unmatched(OwnedMessage),
    /// A block of text that is not made of headers (13's `Queues` reply).
    Text(Bytes),
    /// Malformed input; decoding goes on after the next blank line.
    DecodeError(Error),
    /// The stream ended ([`Connection::handle_eof`]); `error` if it ended inside an item.
    Closed {
        /// The cut-off item, if any.
        error: Option<Error>,
    },
}

/// Why an action was not sent.
///
/// ```
/// use ami_proto::{Connection, SendError};
/// let mut conn: Connection = Connection::new();
/// assert!(matches!(conn.send(&ami_proto::GenericAction::new("Ping").header("ActionID", "")), Err(SendError::BadActionId)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SendError {
    /// The action is not encodable (injection attempt, limits).
    Encode(EncodeError),
    /// Too many actions pending, or the ActionID is already pending.
    Track(TrackError),
    /// The action's own ActionID is not one [`ActionId::new`] accepts: empty, longer than
    /// [`ActionId::MAX_LEN`] bytes, or holding CR, LF or NUL.
    BadActionId,
    /// A login is already in progress or done.
    LoginStarted,
    /// The connection is closed.
    Closed,
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::Encode(e) => write!(f, "cannot encode the action: {e}"),
            SendError::Track(e) => write!(f, "cannot track the action: {e}"),
            SendError::BadActionId => {
                write!(
                    f,
                    "the action's ActionID is empty, longer than {} bytes or holds CR, LF or NUL",
                    ActionId::MAX_LEN
                )
            }
            SendError::LoginStarted => f.write_str("a login was already started"),
            SendError::Closed => f.write_str("the connection is closed"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for SendError {}

/// A client connection. `N` bounds the actions awaiting replies.
///
/// ```
/// use ami_proto::{ConnEvent, Connection, Credentials};
///
/// let mut conn: Connection = Connection::new();
/// conn.login(Credentials::plain("admin", "amp111")).unwrap();
/// let ping = conn.send(&ami_proto::GenericAction::new("Ping").header("Data", "x")).unwrap();
/// let wire = conn.poll_transmit().unwrap();
/// assert!(wire.starts_with(b"Action: Login\r\nActionID: ami-1\r\nUsername: admin\r\n"));
/// assert!(wire.ends_with(b"Action: Ping\r\nActionID: ami-2\r\nData: x\r\n\r\n"));
///
/// conn.handle_input(b"Asterisk Call Manager/12.0.0\r\nResponse: Success\r\nActionID: ami-1\r\n\
///                     Message: Authentication accepted\r\n\r\nResponse: Success\r\n\
///                     ActionID: ami-2\r\nPing: Pong\r\n\r\n");
/// assert_eq!(conn.poll_event(), Some(ConnEvent::Banner(b"Asterisk Call Manager/12.0.0"[..].into())));
/// assert_eq!(conn.poll_event(), Some(ConnEvent::LoggedIn));
/// let Some(ConnEvent::Response { id, list: false, .. }) = conn.poll_event() else { panic!() };
/// assert_eq!(id, ping);
/// assert_eq!(conn.poll_event(), None);
/// ```
pub struct Connection<'a, const N: usize = DEFAULT_PENDING> {
    decoder: Decoder<'static>,
    input: Vec<u8>,
    output: Vec<u8>,
    ids: ActionIdAllocator,
    tracker: Tracker<'a, N>,
    login: Option<(Login, StoredCredentials)>,
    state: ConnState,
    events: VecDeque<ConnEvent>,
    /// The events of the read being handled.
    batch: ReadBatch,
}

/// Shows the state and buffer sizes, never the buffered bytes (the unsent Login action
/// holds the secret).
impl<const N: usize> fmt::Debug for Connection<'_, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("state", &self.state)
            .field("pending", &self.tracker.len())
            .field("input_bytes", &self.input.len())
            .field("output_bytes", &self.output.len())
            .field("events", &self.events.len())
            .finish_non_exhaustive()
    }
}

impl Default for Connection<'_> {
    fn default() -> Self {
        Connection::new()
    }
}

impl Connection<'_> {
    /// A connection with ActionIDs `ami-1`, `ami-2`, ... and room for
    /// [`DEFAULT_PENDING`] pending actions.
    ///
    /// ```
    /// let conn: ami_proto::Connection = ami_proto::Connection::new();
    /// assert_eq!(conn.state(), ami_proto::ConnState::AwaitingBanner);
    /// ```
    pub fn new() -> Self {
        Connection::with_ids(ActionIdAllocator::default())
    }
}

impl<'a, const N: usize> Connection<'a, N> {
    /// A connection that takes its ActionIDs from `ids`.
    ///
    /// ```
    /// use ami_proto::{ActionIdAllocator, Connection};
    /// let mut conn: Connection<'_, 4> = Connection::with_ids(ActionIdAllocator::new("x-").unwrap());
    /// assert_eq!(conn.send(&ami_proto::GenericAction::new("Ping").header("A", "b")).unwrap().as_bytes(), b"x-1");
    /// ```
    pub fn with_ids(ids: ActionIdAllocator) -> Self {
        Connection::with_config(ids, Config::default())
    }

    /// A connection that takes its ActionIDs from `ids` and decodes what the server sends
    /// with `config`: its limits, or bare-LF line endings for a proxy or a test server.
    ///
    /// ```
    /// use ami_proto::{ActionIdAllocator, Config, ConnEvent, Connection, LineEndings};
    /// let config = Config::default().with_line_endings(LineEndings::Lenient);
    /// let mut conn: Connection = Connection::with_config(ActionIdAllocator::default(), config);
    /// conn.handle_input(b"Asterisk Call Manager/12.0.0\nEvent: FullyBooted\n\n");
    /// assert!(matches!(conn.poll_event(), Some(ConnEvent::Banner(_))));
    /// assert!(matches!(conn.poll_event(), Some(ConnEvent::Event(_))));
    /// ```
    pub fn with_config(ids: ActionIdAllocator, config: Config) -> Self {
        Connection {
            decoder: Decoder::with_config(config),
            input: Vec::new(),
            output: Vec::new(),
            ids,
            tracker: Tracker::new(),
            login: None,
            state: ConnState::AwaitingBanner,
            batch: ReadBatch::default(),
            events: VecDeque::new(),
        }
    }

    /// Where the connection is.
    ///
    /// ```
    /// let conn: ami_proto::Connection = ami_proto::Connection::new();
    /// assert_eq!(conn.state(), ami_proto::ConnState::AwaitingBanner);
    /// ```
    pub fn state(&self) -> ConnState {
        self.state
    }

    /// The actions still waiting for a reply or for the end of their list.
    ///
    /// ```
    /// let mut conn: ami_proto::Connection = ami_proto::Connection::new();
    /// let id = conn.send(&ami_proto::GenericAction::new("Ping").header("A", "b")).unwrap();
    /// assert_eq!(conn.pending().collect::<Vec<_>>(), [id]);
    /// ```
    pub fn pending(&self) -> impl Iterator<Item = ActionId> + '_ {
        self.tracker.pending()
    }

    /// Starts logging in (plain or MD5 challenge) with a copy of `credentials` (kept until
    /// the connection is dropped, never shown by `Debug`); its actions are queued for
    /// [`poll_transmit`](Self::poll_transmit) and its outcome arrives as
    /// [`ConnEvent::LoggedIn`] or [`ConnEvent::LoginFailed`].
    ///
    /// ```
    /// use ami_proto::{ConnEvent, ConnState, Connection, Credentials};
    /// let mut conn: Connection = Connection::new();
    /// conn.login(Credentials::md5("admin", "amp111")).unwrap();
    /// assert!(conn.poll_transmit().unwrap().starts_with(b"Action: Challenge\r\n"));
    /// conn.handle_input(b"Response: Success\r\nActionID: ami-1\r\nChallenge: 39188675\r\n\r\n");
    /// let login = conn.poll_transmit().unwrap();
    /// assert!(login.windows(37).any(|w| w == b"Key: 5f38a5fec163e9e9e3e7843e2fe0999e"));
    /// conn.handle_input(b"Response: Error\r\nActionID: ami-2\r\nMessage: Authentication failed\r\n\r\n");
    /// assert!(matches!(conn.poll_event(), Some(ConnEvent::LoginFailed(..))));
    /// assert_eq!(conn.state(), ConnState::LoginFailed);
    /// ```
    pub fn login(&mut self, credentials: Credentials<'_>) -> Result<(), SendError> {
        if self.state == ConnState::Closed {
            return Err(SendError::Closed);
        }
        if self.login.is_some() {
            return Err(SendError::LoginStarted);
        }
        self.login = Some((Login::new(), StoredCredentials::copy(&credentials)));
        self.state = ConnState::LoggingIn;
        self.poll_login()
    }

    /// Queues `action` and starts tracking it (with the action's
    /// [`list_shape`](Action::list_shape), if any). The ActionID is the action's own if it
    /// has one, else the next allocated one; either way it is written right after the
    /// `Action:` line. Nothing of a refused action is queued.
    ///
    /// ```
    /// use ami_proto::Connection;
    /// let mut conn: Connection = Connection::new();
    /// let id = conn.send(&ami_proto::GenericAction::new("Ping").header("ActionID", "mine")).unwrap();
    /// assert_eq!(id.as_bytes(), b"mine");
    /// assert_eq!(conn.poll_transmit().unwrap(), b"Action: Ping\r\nActionID: mine\r\n\r\n");
    /// assert!(conn.send(&ami_proto::GenericAction::new("Ping").header("X", "a\r\nAction: Originate")).is_err());
    /// assert_eq!(conn.poll_transmit(), None); // nothing of a refused action is sent
    /// ```
    pub fn send<A: Action + ?Sized>(&mut self, action: &A) -> Result<ActionId, SendError> {
        if self.state == ConnState::Closed {
            return Err(SendError::Closed);
        }
        let id = match action.action_id() {
            Some(own) => ActionId::new(own).ok_or(SendError::BadActionId)?,
            None => self.ids.next_id(),
        };
        self.tracker
            .register(id, action.list_shape())
            .map_err(SendError::Track)?;
        let mut writer = ActionWriter::to_vec(action.name(), &mut self.output);
        write_action(action, Some(id.as_bytes()), &mut writer);
        if let Err(e) = writer.finish() {
            self.tracker.forget(&id);
            return Err(SendError::Encode(e));
        }
        Ok(id)
    }

    /// Whether another action can be tracked now (fewer than `N` are pending). A sender
    /// with more actions queues them until replies free a slot.
    ///
    /// ```
    /// use ami_proto::Connection;
    /// let mut conn: Connection<'_, 1> = Connection::with_ids(Default::default());
    /// assert!(conn.has_room());
    /// conn.send(&ami_proto::GenericAction::new("Ping")).unwrap();
    /// assert!(!conn.has_room());
    /// ```
    pub fn has_room(&self) -> bool {
        self.tracker.len() < self.tracker.capacity()
    }

    /// Stops waiting for `id` (for example after the caller's own timeout); its late reply
    /// will be [`ConnEvent::Unmatched`].
    ///
    /// ```
    /// use ami_proto::{ConnEvent, Connection};
    /// let mut conn: Connection = Connection::new();
    /// let id = conn.send(&ami_proto::GenericAction::new("Ping").header("A", "b")).unwrap();
    /// assert!(conn.forget(&id));
    /// conn.handle_input(b"Response: Success\r\nActionID: ami-1\r\n\r\n");
    /// assert!(matches!(conn.poll_event(), Some(ConnEvent::Unmatched(_))));
    /// ```
    pub fn forget(&mut self, id: &ActionId) -> bool {
        self.tracker.forget(id)
    }

    /// Feeds bytes read from the server; events become available from
    /// [`poll_event`](Self::poll_event).
    ///
    /// ```
    /// use ami_proto::{ConnEvent, Connection};
    /// let mut conn: Connection = Connection::new();
    /// conn.handle_input(b"Asterisk Call Man");
    /// assert_eq!(conn.poll_event(), None); // any chunking: waits for the rest
    /// conn.handle_input(b"ager/2.10.6\r\n");
    /// assert!(matches!(conn.poll_event(), Some(ConnEvent::Banner(_))));
    /// ```
    pub fn handle_input(&mut self, bytes: &[u8]) {
        if self.state == ConnState::Closed {
            return;
        }
        self.input.extend_from_slice(bytes);
        let base = self.input.as_ptr() as usize;
        let mut used = 0;
        loop {
            let decoded = self.decoder.decode(&self.input[used..]);
            used += decoded.consumed();
            match decoded {
                Decoded::NeedMore { .. } => break,
                Decoded::Error { error, .. } => self.batch.push(ConnEvent::DecodeError(error)),
                Decoded::Item { item, .. } => {
                    if self.state == ConnState::AwaitingBanner {
                        self.state = ConnState::Connected;
                    }
                    match item {
                        Item::Banner(text) => self
                            .batch
                            .push(ConnEvent::Banner(Bytes::copy_from_slice(text))),
                        Item::Text(text) => self
                            .batch
                            .push(ConnEvent::Text(Bytes::copy_from_slice(text))),
                        Item::Message(m) => {
                            match Self::route(&mut self.login, &mut self.tracker, &m) {
                                Some(Ok(routed)) => self.batch.push_message(routed, &m, base),
                                Some(Err(event)) => self.batch.push(event),
                                None => {}
                            }
                        }
                    }
                }
            }
            // Queue the login's next request (and its ActionID) right after the reply
            // that asked for it, not after the whole read: otherwise how the bytes were
            // split would decide whether a later reply is the login's.
            self.after_login_event();
        }
        self.batch.finish(&self.input[..used], &mut self.events);
        self.input.drain(..used);
    }

    /// Tells the connection the server closed the stream.
    ///
    /// ```
    /// use ami_proto::{ConnEvent, Connection};
    /// let mut conn: Connection = Connection::new();
    /// conn.handle_input(b"Response: Succ");
    /// conn.handle_eof();
    /// assert!(matches!(conn.poll_event(), Some(ConnEvent::Closed { error: Some(_) })));
    /// ```
    pub fn handle_eof(&mut self) {
        if self.state == ConnState::Closed {
            return;
        }
        let error = self.decoder.finish(&self.input);
        self.input.clear();
        self.state = ConnState::Closed;
        self.events.push_back(ConnEvent::Closed { error });
    }

    /// Whether [`poll_transmit`](Self::poll_transmit) has bytes to give: an IO loop
    /// wakes its writer only then.
    ///
    /// ```
    /// let mut conn: ami_proto::Connection = ami_proto::Connection::new();
    /// assert!(!conn.has_transmit());
    /// conn.send(&ami_proto::GenericAction::new("Ping")).unwrap();
    /// assert!(conn.has_transmit());
    /// ```
    #[must_use]
    pub fn has_transmit(&self) -> bool {
        !self.output.is_empty()
    }

    /// Bytes to write to the server, if any.
    ///
    /// ```
    /// let mut conn: ami_proto::Connection = ami_proto::Connection::new();
    /// assert_eq!(conn.poll_transmit(), None);
    /// conn.send(&ami_proto::GenericAction::new("Ping").header("ActionID", "1")).unwrap();
    /// assert_eq!(conn.poll_transmit().unwrap(), b"Action: Ping\r\nActionID: 1\r\n\r\n");
    /// ```
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        if self.output.is_empty() {
            None
        } else {
            Some(core::mem::take(&mut self.output))
        }
    }

    /// The next thing that happened, if any.
    ///
    /// ```
    /// let mut conn: ami_proto::Connection = ami_proto::Connection::new();
    /// assert_eq!(conn.poll_event(), None);
    /// ```
    #[must_use]
    pub fn poll_event(&mut self) -> Option<ConnEvent> {
        self.events.pop_front()
    }

    /// Pairs one message with the login or the tracker: what it is (`Ok`), an event
    /// without the message (`Err`: the login was accepted), or `None` for the reply to the
    /// login's `Challenge`, which concerns nobody else.
    fn route(
        login: &mut Option<(Login, StoredCredentials)>,
        tracker: &mut Tracker<'a, N>,
        m: &Message<'_>,
    ) -> Option<Result<Routed, ConnEvent>> {
        if let Some(event) = login.as_mut().and_then(|(l, _)| l.handle(m)) {
            return match event {
                LoginEvent::Accepted => Some(Err(ConnEvent::LoggedIn)),
                LoginEvent::Rejected(why) => Some(Ok(Routed::LoginFailed(why))),
                LoginEvent::Challenged => None,
            };
        }
        Some(Ok(match tracker.handle(m) {
            Correlated::Response { id, list } => Routed::Response { id, list },
            Correlated::ListItem { id, index, .. } => Routed::ListItem { id, index },
            Correlated::ListEnd { id, end } => Routed::ListEnd { id, end },
            Correlated::ActionEvent { id } => Routed::ActionEvent { id },
            Correlated::Unsolicited => Routed::Event,
            Correlated::UnknownResponse | Correlated::UnknownEvent | Correlated::Other => {
                Routed::Unmatched
            }
        }))
    }

    /// After replies: queue the login's next action and update the state.
    fn after_login_event(&mut self) {
        let Some((login, _)) = &self.login else {
            return;
        };
        self.state = match login.outcome() {
            Some(true) => ConnState::LoggedIn,
            Some(false) => ConnState::LoginFailed,
            None => ConnState::LoggingIn,
        };
        if self.state == ConnState::LoggingIn {
            // An encoding failure here means bad credentials (a CR in the user name):
            // report it as a failed login rather than sending anything.
            if self.poll_login().is_err() {
                self.state = ConnState::LoginFailed;
                self.batch
                    .push(ConnEvent::LoginFailed(LoginFailure::Refused, None));
            }
        }
    }

    fn poll_login(&mut self) -> Result<(), SendError> {
        let Some((login, credentials)) = self.login.as_mut().filter(|(l, _)| l.has_request())
        else {
            return Ok(());
        };
        let request = login.poll_request(self.ids.next_id(), &credentials.view());
        match request {
            Some(request) => request
                .encode_to_vec(&mut self.output)
                .map_err(SendError::Encode),
            None => Ok(()),
        }
    }
}

/// The connection's own copy of the login credentials, so that the caller's strings need
/// not outlive the call to [`Connection::login`].
struct StoredCredentials {
    username: String,
    secret: String,
    method: AuthMethod,
    events: Option<String>,
}

impl StoredCredentials {
    fn copy(credentials: &Credentials<'_>) -> Self {
        StoredCredentials {
            username: credentials.username.into(),
            secret: credentials.secret().into(),
            method: credentials.method,
            events: credentials.events.map(Into::into),
        }
    }

    fn view(&self) -> Credentials<'_> {
        let credentials = match self.method {
            AuthMethod::Plain => Credentials::plain(&self.username, &self.secret),
            AuthMethod::Md5 => Credentials::md5(&self.username, &self.secret),
        };
        match &self.events {
            Some(events) => credentials.with_events(events),
            None => credentials,
        }
    }
}
