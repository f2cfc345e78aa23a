//! Misbehaviour on purpose, for testing a client against a server that breaks.

use bytes::Bytes;

/// A way for every session of a server to misbehave, given to
/// [`Builder::fault`](crate::Builder::fault) or, for the sessions accepted from then on,
/// [`ReplayServer::set_faults`](crate::ReplayServer::set_faults). For the sessions already
/// open, see [`ReplayServer::send_raw`](crate::ReplayServer::send_raw),
/// [`ReplayServer::go_silent`](crate::ReplayServer::go_silent) and
/// [`ReplayServer::disconnect_all`](crate::ReplayServer::disconnect_all).
///
/// ```
/// use ami_replay::Fault;
/// let faults = [Fault::CloseAfterBytes(100), Fault::SendAfterLogin("Bogus line\r\n\r\n".into())];
/// assert_eq!(faults[0], Fault::CloseAfterBytes(100));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Close the connection when a `Login` arrives, without answering it (what was
    /// written before, the banner, still goes out).
    CloseOnLogin,
    /// Close the connection once this many bytes have been written in the session (the
    /// banner included), wherever that is: inside a message, a line, a list.
    CloseAfterBytes(u64),
    /// In a list reply, write the response and this many of its items, then close.
    CloseMidList {
        /// Items written before the close.
        items: usize,
    },
    /// After answering this many requests (the login included), answer nothing and send
    /// nothing more: the socket stays open and what the client sends is read and dropped.
    GoSilent {
        /// Requests answered first.
        after: usize,
    },
    /// Write these bytes, as they are, right after the login's reply (malformed input for
    /// the client, a burst of events, anything).
    SendAfterLogin(Bytes),
    /// With [`Builder::stream_after_login`](crate::Builder::stream_after_login): close
    /// the connection once the stream is written (a client that reads to the end, such as
    /// `ami listen`, then ends by itself).
    CloseAfterStream,
}

/// The faults of one session, looked up by kind.
#[derive(Debug, Clone, Default)]
pub(crate) struct Faults {
    pub(crate) close_on_login: bool,
    pub(crate) close_after_bytes: Option<u64>,
    pub(crate) close_mid_list: Option<usize>,
    pub(crate) silent_after: Option<usize>,
    pub(crate) after_login: Vec<Bytes>,
    pub(crate) close_after_stream: bool,
}

impl Faults {
    pub(crate) fn new(faults: &[Fault]) -> Faults {
        let mut out = Faults::default();
        for fault in faults {
            match fault {
                Fault::CloseOnLogin => out.close_on_login = true,
                Fault::CloseAfterBytes(n) => {
                    out.close_after_bytes = Some(out.close_after_bytes.map_or(*n, |m| m.min(*n)))
                }
                Fault::CloseMidList { items } => out.close_mid_list = Some(*items),
                Fault::GoSilent { after } => out.silent_after = Some(*after),
                Fault::SendAfterLogin(bytes) => out.after_login.push(bytes.clone()),
                Fault::CloseAfterStream => out.close_after_stream = true,
            }
        }
        out
    }
}
