//! The check of the `json_action` fuzz target: a request as `ami bridge` takes it on NATS
//! (and `ami encode --json` on its input), read by ami-json and written by ami-proto's
//! encoder.

use ami_proto::{Decoded, Decoder, Item, Kind};

/// `json_action`: any bytes as JSON action text. Whatever ami-json accepts and the encoder
/// writes must decode back as exactly that action, one message, each header as given: no
/// value, key or name can add a header, an action or a line; a refused action writes
/// nothing.
pub fn json_action(input: &[u8]) {
    let Ok(actions) = ami_json::parse_actions(input) else {
        return;
    };
    for action in &actions {
        let mut wire = b"kept".to_vec();
        if action.encode(&mut wire).is_err() {
            assert_eq!(wire, b"kept", "a refused action wrote bytes");
            continue;
        }
        let wire = &wire[4..];
        let mut decoder = Decoder::new();
        let Decoded::Item {
            item: Item::Message(message),
            consumed,
        } = decoder.decode(wire)
        else {
            panic!("the encoder's output does not decode: {wire:?}");
        };
        assert_eq!(consumed, wire.len(), "one action, one message");
        assert_eq!(message.kind(), Kind::Action);
        let headers: Vec<(&[u8], &[u8])> = message.headers().map(|h| (h.key, h.value)).collect();
        assert_eq!(headers.len(), action.headers.len() + 1);
        assert_eq!(headers[0], (&b"Action"[..], action.name.as_bytes()));
        for ((key, value), (want_key, want_value)) in headers[1..].iter().zip(&action.headers) {
            assert_eq!(*key, want_key.as_bytes());
            assert_eq!(*value, want_value.as_bytes());
        }
    }
}
