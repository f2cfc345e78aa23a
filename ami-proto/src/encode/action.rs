//! What an action is to everything that sends one: a name, an optional ActionID, headers
//! written through the injection-proof [`ActionWriter`], and, for list actions, the shape
//! of the list that answers it.
//!
//! The typed actions of `ami-spec` and the dynamic [`GenericAction`] both implement
//! [`Action`], so the [`Connection`](crate::Connection), the tokio codec and the async
//! client take either through the same call.

#[cfg(feature = "alloc")]
use alloc::{string::String, vec::Vec};
#[cfg(feature = "alloc")]
use core::fmt;

use crate::connection::ListShape;
use crate::encode::{ActionWriter, EncodeError};

/// An AMI action.
///
/// Implementors write their headers through the [`ActionWriter`] they are given, which
/// refuses CR, LF and NUL in values, bad keys and Asterisk's limits. They do not write
/// `Action:` (the writer starts with it) and give their ActionID through
/// [`action_id`](Self::action_id), not as a header: whoever sends the action writes the
/// ActionID right after the `Action:` line and refuses a second one.
///
/// ```
/// use ami_proto::{Action, ActionWriter, ListShape};
///
/// /// `QueueStatus` for one queue.
/// struct QueueStatus<'a> { queue: &'a str }
///
/// impl Action for QueueStatus<'_> {
///     fn name(&self) -> &str { "QueueStatus" }
///     fn write_headers(&self, w: &mut ActionWriter<'_>) { w.header("Queue", self.queue); }
///     fn list_shape(&self) -> Option<ListShape<'static>> {
///         Some(ListShape::new(&["QueueParams", "QueueMember", "QueueEntry"], "QueueStatusComplete"))
///     }
/// }
///
/// let mut buf = [0u8; 64];
/// let n = QueueStatus { queue: "support" }.encode(&mut buf).unwrap();
/// assert_eq!(&buf[..n], b"Action: QueueStatus\r\nQueue: support\r\n\r\n");
/// ```
pub trait Action {
    /// The wire name (`Action: <name>`).
    fn name(&self) -> &str;

    /// The caller's own ActionID, if it chose one; otherwise the sender allocates one.
    fn action_id(&self) -> Option<&[u8]> {
        None
    }

    /// Writes the headers after `Action:` and the ActionID, in order.
    fn write_headers(&self, writer: &mut ActionWriter<'_>);

    /// For an action answered by a list of events (or by one later event, as an `Async`
    /// Originate by its `OriginateResponse`): which events are its items and which one
    /// ends it.
    fn list_shape(&self) -> Option<ListShape<'static>> {
        None
    }

    /// Encodes the whole action (with its own ActionID, if any) into `out`; returns its
    /// length.
    ///
    /// ```
    /// use ami_proto::{Action, GenericAction};
    /// let mut buf = [0u8; 64];
    /// let n = GenericAction::new("Ping").header("ActionID", "7").encode(&mut buf).unwrap();
    /// assert_eq!(&buf[..n], b"Action: Ping\r\nActionID: 7\r\n\r\n");
    /// ```
    fn encode(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        let mut writer = ActionWriter::new(self.name(), out);
        write_action(self, self.action_id(), &mut writer);
        writer.finish()
    }

    /// Appends the whole action to `out`; on error `out` is left as it was.
    ///
    /// ```
    /// use ami_proto::{Action, GenericAction};
    /// let mut out = Vec::new();
    /// assert!(GenericAction::new("Ping").header("X", "a\nAction: Hangup").encode_to_vec(&mut out).is_err());
    /// assert!(out.is_empty());
    /// ```
    #[cfg(feature = "alloc")]
    fn encode_to_vec(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut writer = ActionWriter::to_vec(self.name(), out);
        write_action(self, self.action_id(), &mut writer);
        writer.finish().map(|_| ())
    }
}

/// Writes `id` (if any) right after the `Action:` line, then the action's headers.
pub(crate) fn write_action<A: Action + ?Sized>(
    action: &A,
    id: Option<&[u8]>,
    writer: &mut ActionWriter<'_>,
) {
    if let Some(id) = id {
        writer.header("ActionID", id);
    }
    action.write_headers(writer);
}

impl<A: Action + ?Sized> Action for &A {
    fn name(&self) -> &str {
        (**self).name()
    }
    fn action_id(&self) -> Option<&[u8]> {
        (**self).action_id()
    }
    fn write_headers(&self, writer: &mut ActionWriter<'_>) {
        (**self).write_headers(writer)
    }
    fn list_shape(&self) -> Option<ListShape<'static>> {
        (**self).list_shape()
    }
}

/// One header of a [`GenericAction`].
#[cfg(feature = "alloc")]
#[derive(Clone, PartialEq, Eq)]
enum Line {
    Header(Vec<u8>, Vec<u8>),
    Variable(Vec<u8>, Vec<u8>),
}

/// Any action by name and headers, for actions no typed struct describes (third-party
/// modules, a name read from a config file or a command line). Headers keep their order;
/// repeated keys are allowed. Nothing is checked until the action is encoded, and then
/// everything is (see [`ActionWriter`]).
///
/// An `ActionID` header becomes the action's [`action_id`](Action::action_id) (a second one
/// is refused when encoding). `Debug` hides the values of `Secret` and `Key`.
///
/// ```
/// use ami_proto::{Action, GenericAction};
///
/// let originate = GenericAction::new("Originate")
///     .header("Channel", "PJSIP/100")
///     .header("Exten", "200")
///     .variable("CALLER", "crm")
///     .header("Async", "yes")
///     .expect_final("OriginateResponse");
/// let mut out = Vec::new();
/// originate.encode_to_vec(&mut out).unwrap();
/// assert_eq!(out, b"Action: Originate\r\nChannel: PJSIP/100\r\nExten: 200\r\n\
///                   Variable: CALLER=crm\r\nAsync: yes\r\n\r\n");
/// assert_eq!(originate.list_shape().unwrap().final_event, "OriginateResponse");
/// ```
#[cfg(feature = "alloc")]
#[derive(Clone, PartialEq, Eq)]
pub struct GenericAction {
    name: String,
    action_id: Option<Vec<u8>>,
    lines: Vec<Line>,
    shape: Option<ListShape<'static>>,
}

#[cfg(feature = "alloc")]
impl GenericAction {
    /// An action without headers.
    ///
    /// ```
    /// let logoff = ami_proto::GenericAction::new("Logoff");
    /// assert_eq!(logoff.headers().count(), 0);
    /// ```
    pub fn new(name: impl Into<String>) -> Self {
        GenericAction {
            name: name.into(),
            action_id: None,
            lines: Vec::new(),
            shape: None,
        }
    }

    /// Adds `key: value` after the others. The first `ActionID` header sets the ActionID.
    ///
    /// ```
    /// use ami_proto::{Action, GenericAction};
    /// let a = GenericAction::new("Ping").header("ActionID", "7").header("X", "1");
    /// assert_eq!(a.action_id(), Some(&b"7"[..]));
    /// assert_eq!(a.headers().collect::<Vec<_>>(), [(&b"X"[..], &b"1"[..])]);
    /// ```
    pub fn header(mut self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Self {
        let (key, value) = (key.as_ref(), value.as_ref());
        if self.action_id.is_none() && key.eq_ignore_ascii_case(b"ActionID") {
            self.action_id = Some(value.to_vec());
        } else {
            self.lines.push(Line::Header(key.to_vec(), value.to_vec()));
        }
        self
    }

    /// Adds `Variable: name=value`, checked as [`ActionWriter::variable`] checks it.
    ///
    /// ```
    /// use ami_proto::{Action, GenericAction};
    /// let bad = GenericAction::new("Originate").variable("A", "1,B=2");
    /// assert!(bad.encode_to_vec(&mut Vec::new()).is_err());
    /// ```
    pub fn variable(mut self, name: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Self {
        let (name, value) = (name.as_ref(), value.as_ref());
        self.lines
            .push(Line::Variable(name.to_vec(), value.to_vec()));
        self
    }

    /// Says the action is answered by a list: `items` are its item events (empty: any
    /// event with its ActionID) and `final_event` ends it.
    ///
    /// ```
    /// use ami_proto::{Action, GenericAction, ListShape};
    /// let a = GenericAction::new("DBGet").header("Family", "f").header("Key", "k")
    ///     .expect_list(ListShape::new(&["DBGetResponse"], "DBGetComplete"));
    /// assert!(a.list_shape().unwrap().is_final(b"DBGetComplete"));
    /// ```
    pub fn expect_list(mut self, shape: ListShape<'static>) -> Self {
        self.shape = Some(shape);
        self
    }

    /// Says the action is answered later by the one event `final_event` (an `Async`
    /// Originate and its `OriginateResponse`).
    ///
    /// ```
    /// use ami_proto::{Action, GenericAction};
    /// let a = GenericAction::new("Originate").expect_final("OriginateResponse");
    /// assert!(a.list_shape().unwrap().items.is_empty());
    /// ```
    pub fn expect_final(self, final_event: &'static str) -> Self {
        self.expect_list(ListShape::new(&[], final_event))
    }

    /// The headers in order (ActionID and `Variable:` lines not included).
    ///
    /// ```
    /// let a = ami_proto::GenericAction::new("Ping").header("A", "1").header("A", "2");
    /// assert_eq!(a.headers().count(), 2);
    /// ```
    pub fn headers(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.lines.iter().filter_map(|line| match line {
            Line::Header(k, v) => Some((k.as_slice(), v.as_slice())),
            Line::Variable(..) => None,
        })
    }
}

#[cfg(feature = "alloc")]
impl Action for GenericAction {
    fn name(&self) -> &str {
        &self.name
    }

    fn action_id(&self) -> Option<&[u8]> {
        self.action_id.as_deref()
    }

    fn write_headers(&self, writer: &mut ActionWriter<'_>) {
        for line in &self.lines {
            match line {
                Line::Header(k, v) => writer.header(k, v),
                Line::Variable(n, v) => writer.variable(n, v),
            };
        }
    }

    fn list_shape(&self) -> Option<ListShape<'static>> {
        self.shape
    }
}

/// Shows the name and headers with the values of `Secret` and `Key` hidden.
///
/// ```
/// let login = ami_proto::GenericAction::new("Login").header("Username", "admin").header("Secret", "amp111");
/// assert!(!format!("{login:?}").contains("amp111"));
/// ```
#[cfg(feature = "alloc")]
impl fmt::Debug for GenericAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GenericAction({}) ", self.name)?;
        let mut list = f.debug_list();
        if let Some(id) = &self.action_id {
            list.entry(&format_args!("ActionID: {}", id.escape_ascii()));
        }
        for line in &self.lines {
            match line {
                Line::Header(key, value) => {
                    let secret =
                        key.eq_ignore_ascii_case(b"Secret") || key.eq_ignore_ascii_case(b"Key");
                    let value: &[u8] = if secret { b"<hidden>" } else { value };
                    list.entry(&format_args!(
                        "{}: {}",
                        key.escape_ascii(),
                        value.escape_ascii()
                    ))
                }
                Line::Variable(name, value) => list.entry(&format_args!(
                    "Variable: {}={}",
                    name.escape_ascii(),
                    value.escape_ascii()
                )),
            };
        }
        list.finish()
    }
}
