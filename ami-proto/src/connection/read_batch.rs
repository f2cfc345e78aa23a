//! What one [`Connection::handle_input`](crate::Connection::handle_input) call produces,
//! kept in order until the call ends, so that the messages of one read share one copy of
//! its bytes and one header table: two allocations a read instead of two a message.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::ops::Range;

use bytes::Bytes;

use crate::connection::ConnEvent;
use crate::connection::ListEnd;
use crate::connection::LoginFailure;
use crate::encode::ActionId;
use crate::message::owned::body_offsets;
use crate::message::OwnedMessage;
use crate::message::{Message, Span};

/// What a message turned out to be, before it has its owned bytes.
pub(crate) enum Routed {
    LoginFailed(LoginFailure),
    Response { id: ActionId, list: bool },
    ListItem { id: ActionId, index: u32 },
    ListEnd { id: ActionId, end: ListEnd },
    ActionEvent { id: ActionId },
    Event,
    Unmatched,
}

impl Routed {
    fn with(self, message: OwnedMessage) -> ConnEvent {
        match self {
            Routed::LoginFailed(why) => ConnEvent::LoginFailed(why, Some(message)),
            Routed::Response { id, list } => ConnEvent::Response { id, list, message },
            Routed::ListItem { id, index } => ConnEvent::ListItem { id, index, message },
            Routed::ListEnd { id, end } => ConnEvent::ListEnd { id, end, message },
            Routed::ActionEvent { id } => ConnEvent::ActionEvent { id, message },
            Routed::Event => ConnEvent::Event(message),
            Routed::Unmatched => ConnEvent::Unmatched(message),
        }
    }
}

/// Where a message lies in the read.
struct Located {
    bytes: Range<usize>,
    spans: (u32, u32),
    body: Option<(u32, u32)>,
    truncated: bool,
}

enum Pending {
    Ready(ConnEvent),
    Message(Routed, Located),
}

/// The events of one read, in order (kept between reads only for its capacity).
#[derive(Default)]
pub(crate) struct ReadBatch {
    pending: Vec<Pending>,
    spans: Vec<Span>,
}

impl ReadBatch {
    /// An event that carries no message of this read.
    pub(crate) fn push(&mut self, event: ConnEvent) {
        self.pending.push(Pending::Ready(event));
    }

    /// `message`, which lies in the read buffer starting at address `base`.
    pub(crate) fn push_message(&mut self, routed: Routed, message: &Message<'_>, base: usize) {
        let start = message.as_bytes().as_ptr() as usize - base;
        let first = self.spans.len() as u32;
        self.spans.extend_from_slice(message.spans());
        let located = Located {
            bytes: start..start + message.as_bytes().len(),
            spans: (first, self.spans.len() as u32),
            body: body_offsets(message),
            truncated: message.is_truncated(),
        };
        self.pending.push(Pending::Message(routed, located));
    }

    /// Moves the events to `out`, their messages sharing one copy of `read` (the bytes
    /// the messages were decoded from) and one header table.
    pub(crate) fn finish(&mut self, read: &[u8], out: &mut impl Extend<ConnEvent>) {
        let any_message = self
            .pending
            .iter()
            .any(|p| matches!(p, Pending::Message(..)));
        let (bytes, spans): (Bytes, Arc<[Span]>) = if any_message {
            (Bytes::copy_from_slice(read), self.spans.as_slice().into())
        } else {
            (Bytes::new(), Arc::from([]))
        };
        out.extend(self.pending.drain(..).map(|pending| match pending {
            Pending::Ready(event) => event,
            Pending::Message(routed, at) => routed.with(OwnedMessage::in_read(
                &bytes,
                at.bytes,
                &spans,
                at.spans,
                at.body,
                at.truncated,
            )),
        }));
        self.spans.clear();
    }
}

#[cfg(test)]
mod tests {
    use crate::{ConnEvent, Connection};

    #[test]
    fn the_messages_of_one_read_share_its_bytes_and_keep_their_order() {
        let mut conn: Connection = Connection::new();
        conn.handle_input(
            b"Asterisk Call Manager/12.0.0\r\nEvent: A\r\nX: 1\r\n\r\nno colon here\r\n\r\nEvent: B\r\n\r\n",
        );
        assert!(matches!(conn.poll_event(), Some(ConnEvent::Banner(_))));
        let Some(ConnEvent::Event(a)) = conn.poll_event() else {
            panic!("A first")
        };
        // A block without headers is text, surfaced between the two in order.
        assert!(matches!(conn.poll_event(), Some(ConnEvent::Text(_))));
        let Some(ConnEvent::Event(b)) = conn.poll_event() else {
            panic!("then B")
        };
        assert_eq!(conn.poll_event(), None);
        assert_eq!(a.message().get_str("X"), Some("1"));
        assert_eq!(b.message().name(), b"B");
        assert_eq!(b.message().headers().count(), 1);
        // One buffer: B lies after A (and the text) in the same allocation.
        let gap = b.as_bytes().as_ptr() as usize - a.as_bytes().as_ptr() as usize;
        assert_eq!(gap, a.as_bytes().len() + b"no colon here\r\n\r\n".len());
        // A detached copy is equal and stands alone.
        let kept = b.detached();
        assert_eq!(kept, b);
        assert_ne!(kept.as_bytes().as_ptr(), b.as_bytes().as_ptr());
    }
}
