//! The calls waiting for their answers, by ActionID, and where each decoded message goes:
//! to its call (response, list items, list end) or to the subscribers.
//!
//! Both transports route through here: the TCP client hands over what its
//! [`ami_proto::Connection`] decoded, the HTTP client what its [`ami_proto::Tracker`] made
//! of a reply body. So a reply, a list and a stray message mean the same whichever
//! transport brought them.

use std::collections::HashMap;

use ami_proto::{ActionId, ConnEvent, ListEnd, OwnedMessage};
use tokio::sync::{mpsc, oneshot};

use crate::client::error::Error;
use crate::client::events::ClientEvent;
use crate::client::reply::{ListPart, Reply};

/// Where a call's answer goes.
#[derive(Debug)]
pub(crate) enum Sink {
    /// Collected whole.
    Reply {
        tx: oneshot::Sender<Result<Reply, Error>>,
        response: Option<OwnedMessage>,
        items: Vec<OwnedMessage>,
    },
    /// Response first, then items as they come.
    Stream {
        response: Option<oneshot::Sender<Result<OwnedMessage, Error>>>,
        parts: mpsc::UnboundedSender<Result<ListPart, Error>>,
    },
}

impl Sink {
    /// A sink that collects the whole answer into a [`Reply`].
    pub(crate) fn reply(tx: oneshot::Sender<Result<Reply, Error>>) -> Self {
        Sink::Reply {
            tx,
            response: None,
            items: Vec::new(),
        }
    }

    fn fail(self, error: Error) {
        match self {
            Sink::Reply { tx, .. } => {
                let _ = tx.send(Err(error));
            }
            Sink::Stream { response, parts } => match response {
                Some(response) => {
                    let _ = response.send(Err(error));
                }
                None => {
                    let _ = parts.send(Err(error));
                }
            },
        }
    }

    /// Whether the call's response arrived (it is waiting for the rest of its list).
    #[cfg(feature = "http")]
    fn has_response(&self) -> bool {
        match self {
            Sink::Reply { response, .. } => response.is_some(),
            Sink::Stream { response, .. } => response.is_none(),
        }
    }
}

/// The calls in flight on one connection (TCP) or session (HTTP).
#[derive(Debug, Default)]
pub(crate) struct Calls(HashMap<ActionId, Sink>);

impl Calls {
    pub(crate) fn insert(&mut self, id: ActionId, sink: Sink) {
        self.0.insert(id, sink);
    }

    /// Forgets the call `id`; whether it was there.
    pub(crate) fn remove(&mut self, id: &ActionId) -> bool {
        self.0.remove(id).is_some()
    }

    #[cfg(feature = "http")]
    pub(crate) fn contains(&self, id: &ActionId) -> bool {
        self.0.contains_key(id)
    }

    /// Whether call `id` is there and has its response (it waits for its list's end).
    #[cfg(feature = "http")]
    pub(crate) fn has_response(&self, id: &ActionId) -> bool {
        self.0.get(id).is_some_and(Sink::has_response)
    }

    /// Fails call `id` with `error`, if it is still there.
    #[cfg(feature = "http")]
    pub(crate) fn fail(&mut self, id: &ActionId, error: Error) {
        if let Some(sink) = self.0.remove(id) {
            sink.fail(error);
        }
    }

    /// Fails every call in flight.
    pub(crate) fn fail_all(&mut self, error: &Error) {
        for (_, sink) in self.0.drain() {
            sink.fail(error.clone());
        }
    }

    /// Hands one decoded message (as the connection or tracker classified it) to its call,
    /// or to the subscribers through `items`. The login's events (`Banner`, `LoggedIn`,
    /// `LoginFailed`) concern the TCP driver, which takes them before calling this.
    pub(crate) fn deliver(&mut self, event: ConnEvent, items: &mut Vec<ClientEvent>) {
        match event {
            ConnEvent::Response { id, list, message } => self.response(id, list, message),
            ConnEvent::ListItem { id, message, .. } => self.item(id, message),
            ConnEvent::ListEnd { id, end, message } => self.end(id, end, message),
            ConnEvent::ActionEvent { message, .. } | ConnEvent::Event(message) => {
                items.push(ClientEvent::Event(message))
            }
            ConnEvent::Unmatched(message) => items.push(ClientEvent::Unmatched(message)),
            ConnEvent::Text(text) => items.push(ClientEvent::Text(text)),
            ConnEvent::DecodeError(error) => items.push(ClientEvent::Malformed(error)),
            ConnEvent::Closed { error: Some(error) } => items.push(ClientEvent::Malformed(error)),
            // A clean close, the login's events (`Banner`, `LoggedIn`, `LoginFailed`), which
            // the driver takes first, and any the connection reports in a later version.
            _ => {}
        }
    }

    fn response(&mut self, id: ActionId, list: bool, message: OwnedMessage) {
        if !list {
            match self.0.remove(&id) {
                Some(Sink::Reply { tx, .. }) => {
                    let _ = tx.send(Ok(Reply::single(message)));
                }
                Some(Sink::Stream {
                    response: Some(response),
                    ..
                }) => {
                    let _ = response.send(Ok(message));
                }
                _ => {}
            }
            return;
        }
        match self.0.get_mut(&id) {
            Some(Sink::Reply { response, .. }) => *response = Some(message),
            Some(Sink::Stream { response, .. }) => {
                if let Some(response) = response.take() {
                    let _ = response.send(Ok(message));
                }
            }
            None => {}
        }
    }

    fn item(&mut self, id: ActionId, message: OwnedMessage) {
        match self.0.get_mut(&id) {
            Some(Sink::Reply { items, .. }) => items.push(message),
            Some(Sink::Stream { parts, .. }) => {
                let _ = parts.send(Ok(ListPart::Item(message)));
            }
            None => {}
        }
    }

    fn end(&mut self, id: ActionId, end: ListEnd, last: OwnedMessage) {
        match self.0.remove(&id) {
            Some(Sink::Reply {
                tx,
                response,
                items,
            }) => {
                let response = response.unwrap_or_else(|| last.clone());
                let _ = tx.send(Ok(Reply::list(response, items, end, last)));
            }
            Some(Sink::Stream { parts, .. }) => {
                let _ = parts.send(Ok(ListPart::End { end, last }));
            }
            None => {}
        }
    }
}
