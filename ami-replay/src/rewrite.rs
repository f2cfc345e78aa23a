//! A recorded reply with the client's ActionID in place of the recorded one.

use ami_proto::{Kind, Span};
use bytes::Bytes;

use crate::script::Part;

/// `part`'s bytes with its ActionID made `id`: the value of its `ActionID` header replaced
/// (of every `ActionID` header with the first one's value, as a `UserEvent` may repeat the
/// client's), or the whole line removed when `id` is `None` (Asterisk writes no ActionID
/// for a request without one). A response without an `ActionID` header gets
/// `ActionID: <id>` after its first line, where Asterisk writes it. Every other byte stays
/// as recorded.
pub(crate) fn with_action_id(part: &Part, id: Option<&[u8]>) -> Bytes {
    let Some(owned) = &part.message else {
        return part.bytes.clone();
    };
    let message = owned.message();
    let bytes = &part.bytes[..];
    let line_end = |from: usize| {
        bytes[from..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| from + i + 1)
    };
    let value = |s: &Span| &bytes[s.value()];
    let ids: Vec<&Span> = message
        .spans()
        .iter()
        .filter(|s| bytes[s.key()].eq_ignore_ascii_case(b"ActionID"))
        .collect();
    let mut out = Vec::with_capacity(bytes.len() + id.map_or(0, <[u8]>::len) + 12);
    match (ids.first(), id) {
        (Some(first), _) => {
            let recorded = value(first);
            if Some(recorded) == id {
                return part.bytes.clone();
            }
            let mut copied = 0;
            for span in ids.iter().filter(|s| value(s) == recorded) {
                match id {
                    Some(id) => {
                        out.extend_from_slice(&bytes[copied..span.value().start]);
                        out.extend_from_slice(id);
                        copied = span.value().end;
                    }
                    None => {
                        out.extend_from_slice(&bytes[copied..span.key().start]);
                        copied = line_end(span.value().end);
                    }
                }
            }
            out.extend_from_slice(&bytes[copied..]);
        }
        (None, Some(id)) if message.kind() == Kind::Response => {
            let first = line_end(message.spans()[0].value().end);
            out.extend_from_slice(&bytes[..first]);
            out.extend_from_slice(b"ActionID: ");
            out.extend_from_slice(id);
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(&bytes[first..]);
        }
        (None, _) => return part.bytes.clone(),
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ami_proto::{Decoded, Decoder, Item, OwnedMessage};
    use std::time::Duration;

    fn part(wire: &'static [u8]) -> Part {
        let mut decoder = Decoder::new();
        let Decoded::Item {
            item: Item::Message(m),
            ..
        } = decoder.decode(wire)
        else {
            panic!()
        };
        Part {
            message: Some(OwnedMessage::new(&m)),
            bytes: Bytes::from_static(wire),
            at: Duration::ZERO,
        }
    }

    #[test]
    fn replaced_removed_or_inserted() {
        let ping = part(b"Response: Success\r\nActionID: cap-2\r\nPing: Pong\r\n\r\n\r\n");
        assert_eq!(
            &with_action_id(&ping, Some(b"client-7"))[..],
            b"Response: Success\r\nActionID: client-7\r\nPing: Pong\r\n\r\n\r\n"
        );
        assert_eq!(
            &with_action_id(&ping, None)[..],
            b"Response: Success\r\nPing: Pong\r\n\r\n\r\n"
        );
        let bare = part(b"Response: Success\r\nPing: Pong\r\n\r\n");
        assert_eq!(
            &with_action_id(&bare, Some(b"9"))[..],
            b"Response: Success\r\nActionID: 9\r\nPing: Pong\r\n\r\n"
        );
        assert_eq!(&with_action_id(&bare, None)[..], &bare.bytes[..]);
        // Events without an ActionID are not given one.
        let event = part(b"Event: FullyBooted\r\n\r\n");
        assert_eq!(&with_action_id(&event, Some(b"9"))[..], &event.bytes[..]);
    }

    #[test]
    fn every_copy_of_the_recorded_id() {
        let event =
            part(b"Event: UserEvent\r\nActionID: a\r\nX: 1\r\nActionID: a\r\nActionID: b\r\n\r\n");
        assert_eq!(
            &with_action_id(&event, Some(b"new"))[..],
            b"Event: UserEvent\r\nActionID: new\r\nX: 1\r\nActionID: new\r\nActionID: b\r\n\r\n"
        );
        assert_eq!(
            &with_action_id(&event, None)[..],
            b"Event: UserEvent\r\nX: 1\r\nActionID: b\r\n\r\n"
        );
    }

    #[test]
    fn last_and_legacy_positions() {
        let db = part(b"Event: DBGetResponse\r\nFamily: f\r\nVal: v\r\nActionID: cap-3\r\n\r\n");
        assert_eq!(
            &with_action_id(&db, Some(b"x"))[..],
            b"Event: DBGetResponse\r\nFamily: f\r\nVal: v\r\nActionID: x\r\n\r\n"
        );
        let follows = part(
            b"Response: Follows\r\nPrivilege: Command\r\nActionID: cap-3\r\nline\n--END COMMAND--\r\n\r\n",
        );
        assert_eq!(
            &with_action_id(&follows, None)[..],
            b"Response: Follows\r\nPrivilege: Command\r\nline\n--END COMMAND--\r\n\r\n"
        );
    }
}
