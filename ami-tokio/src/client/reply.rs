//! What a call returns: the response, and for a list action its items and how it ended.

use std::pin::Pin;
use std::task::{Context, Poll};

use ami_proto::{ListEnd, Message, OwnedMessage};
use futures_core::Stream;
use tokio::sync::mpsc;

use crate::client::error::Error;

/// The answer to one action: its response and, for a list action (an `EventList`, or an
/// `Async` Originate and its `OriginateResponse`), the list.
///
/// A `Response: Error` is a reply too: check [`is_success`](Self::is_success).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    response: OwnedMessage,
    list: Option<List>,
}

/// The items of a list reply and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
struct List {
    items: Vec<OwnedMessage>,
    end: ListEnd,
    last: OwnedMessage,
}

impl Reply {
    pub(crate) fn single(response: OwnedMessage) -> Self {
        Reply {
            response,
            list: None,
        }
    }

    pub(crate) fn list(
        response: OwnedMessage,
        items: Vec<OwnedMessage>,
        end: ListEnd,
        last: OwnedMessage,
    ) -> Self {
        Reply {
            response,
            list: Some(List { items, end, last }),
        }
    }

    /// The response message (`Response: ...`).
    ///
    /// ```
    /// # let reply = ami_tokio::Reply::doc_example();
    /// assert_eq!(reply.response().message().get_str("Ping"), Some("Pong"));
    /// ```
    pub fn response(&self) -> &OwnedMessage {
        &self.response
    }

    /// A view of the response, with every [`Message`] accessor.
    ///
    /// ```
    /// # let reply = ami_tokio::Reply::doc_example();
    /// assert_eq!(reply.message().name(), b"Success");
    /// ```
    pub fn message(&self) -> Message<'_> {
        self.response.message()
    }

    /// False for `Response: Error`, and for a list that was cancelled or ended by an
    /// error; true otherwise (`Success`, `Follows`, `Goodbye`).
    ///
    /// ```
    /// # let reply = ami_tokio::Reply::doc_example();
    /// assert!(reply.is_success());
    /// ```
    pub fn is_success(&self) -> bool {
        let refused = self.message().name().eq_ignore_ascii_case(b"Error");
        let list_ok = self
            .list
            .as_ref()
            .is_none_or(|l| matches!(l.end, ListEnd::Complete { .. }));
        !refused && list_ok
    }

    /// The list's items (empty for a reply that is not a list).
    ///
    /// ```
    /// # let reply = ami_tokio::Reply::doc_example();
    /// assert!(reply.items().is_empty());
    /// ```
    pub fn items(&self) -> &[OwnedMessage] {
        self.list.as_ref().map_or(&[], |l| &l.items)
    }

    /// How the list ended (`None` for a reply that is not a list).
    ///
    /// ```
    /// # let reply = ami_tokio::Reply::doc_example();
    /// assert_eq!(reply.list_end(), None);
    /// ```
    pub fn list_end(&self) -> Option<ListEnd> {
        self.list.as_ref().map(|l| l.end)
    }

    /// The event that ended the list (`...Complete`, `OriginateResponse`), or the error
    /// reply that cut it short.
    ///
    /// ```
    /// # let reply = ami_tokio::Reply::doc_example();
    /// assert!(reply.last().is_none());
    /// ```
    pub fn last(&self) -> Option<&OwnedMessage> {
        self.list.as_ref().map(|l| &l.last)
    }

    #[doc(hidden)]
    pub fn doc_example() -> Reply {
        let response = OwnedMessage::from_headers([
            ("Response", "Success"),
            ("ActionID", "1"),
            ("Ping", "Pong"),
        ]);
        Reply::single(response.expect("valid headers"))
    }
}

/// One part of a list streamed by [`Client::send_streaming`](crate::Client::send_streaming).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ListPart {
    /// One item.
    Item(OwnedMessage),
    /// The end: how the list ended and its final event (or the error reply).
    End {
        /// How it ended.
        end: ListEnd,
        /// The final event.
        last: OwnedMessage,
    },
}

/// The items of one list reply as they arrive, then its end (see
/// [`Client::send_streaming`](crate::Client::send_streaming)). It ends after
/// [`ListPart::End`], at once if the response opened no list, or with an error if the
/// connection is lost.
#[derive(Debug)]
pub struct ListStream {
    pub(crate) parts: mpsc::UnboundedReceiver<Result<ListPart, Error>>,
    pub(crate) done: bool,
    /// Keeps the call registered; dropping the stream forgets its ActionID.
    pub(crate) _call: crate::client::CallGuard,
}

impl Stream for ListStream {
    type Item = Result<ListPart, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        let polled = self.parts.poll_recv(cx);
        if let Poll::Ready(part) = &polled {
            self.done = match part {
                None | Some(Err(_)) | Some(Ok(ListPart::End { .. })) => true,
                Some(Ok(_)) => false,
            };
        }
        polled
    }
}
