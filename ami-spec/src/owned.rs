//! Events that own their bytes: kept after the decoder's buffer moves on, and (with the
//! `serde` feature) read back from the JSON the typed events serialize to.

use core::fmt;

use ami_proto::{Message, OwnedMessage};

use crate::Event;

/// An event that owns its bytes: an [`OwnedMessage`] and, on demand, its typed view
/// ([`OwnedEvent::event`], one name lookup).
///
/// With the `serde` feature it serializes like [`Event`] and deserializes from that JSON
/// (documented headers in JSON order, then numbered families, then `ExtraHeaders`; an
/// `Unknown` event's `Headers` list is taken as is).
///
/// ```
/// use ami_spec::{Event, OwnedEvent};
/// let owned = OwnedEvent::from_headers([("Event", "Hangup"), ("Channel", "PJSIP/100-1")]).unwrap();
/// let Event::Hangup(hangup) = owned.event() else { panic!() };
/// assert_eq!(hangup.channel(), Some("PJSIP/100-1"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct OwnedEvent(OwnedMessage);

impl OwnedEvent {
    /// Copies a decoded message.
    pub fn from_message(message: &Message<'_>) -> OwnedEvent {
        OwnedEvent(OwnedMessage::new(message))
    }

    /// Builds an event from headers, the first being `Event: Name`; `None` without headers
    /// or when a key or value could not be one header line (CR, LF, a `:` in a key).
    pub fn from_headers<K: AsRef<[u8]>, V: AsRef<[u8]>>(
        headers: impl IntoIterator<Item = (K, V)>,
    ) -> Option<OwnedEvent> {
        OwnedMessage::from_headers(headers).map(OwnedEvent)
    }

    /// A borrowed view of the message.
    pub fn message(&self) -> Message<'_> {
        self.0.message()
    }

    /// The typed event.
    pub fn event(&self) -> Event<'_> {
        Event::from_message(&self.0.message())
    }

    /// The message in wire form (CRLF lines, blank line at the end).
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// The owned message underneath.
    pub fn as_owned_message(&self) -> &OwnedMessage {
        &self.0
    }
}

/// Keeps an owned message (from the client, the codec or an AJAM decoder) as an event.
impl From<OwnedMessage> for OwnedEvent {
    fn from(message: OwnedMessage) -> Self {
        OwnedEvent(message)
    }
}

impl From<OwnedEvent> for OwnedMessage {
    fn from(event: OwnedEvent) -> Self {
        event.0
    }
}

impl fmt::Debug for OwnedEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.event(), f)
    }
}

#[cfg(feature = "serde")]
mod json {
    use serde::de::{self, Deserializer, MapAccess, Visitor};
    use serde::{Deserialize, Serialize, Serializer};

    use core::fmt;

    use super::OwnedEvent;
    use crate::typed::HeaderKey;
    use crate::Event;

    impl Serialize for OwnedEvent {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            self.event().serialize(s)
        }
    }

    /// One value of the typed JSON: a header, the `Extra`/`Headers` pairs, or a numbered family.
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Entry {
        Text(String),
        Pairs(Vec<(String, String)>),
        Numbered(Vec<NumberedEntry>),
    }

    #[derive(Deserialize)]
    struct NumberedEntry {
        index: u32,
        field: String,
        value: String,
    }

    impl<'de> Deserialize<'de> for OwnedEvent {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<OwnedEvent, D::Error> {
            d.deserialize_map(EventVisitor)
        }
    }

    struct EventVisitor;

    impl<'de> Visitor<'de> for EventVisitor {
        type Value = OwnedEvent;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a typed event as JSON (`{\"Event\": ..., ...}` or `{\"Headers\": [...]}`)")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OwnedEvent, A::Error> {
            let mut name: Option<String> = None;
            let mut headers: Vec<(String, String)> = Vec::new();
            let mut extra: Vec<(String, String)> = Vec::new();
            let mut families: Vec<(String, Vec<NumberedEntry>)> = Vec::new();
            while let Some(key) = map.next_key::<String>()? {
                match (key.as_str(), map.next_value::<Entry>()?) {
                    ("Event", Entry::Text(v)) => name = Some(v),
                    ("Headers", Entry::Pairs(all)) => return from_pairs(all),
                    ("ExtraHeaders", Entry::Pairs(pairs)) => extra = pairs,
                    (_, Entry::Text(v)) => headers.push((key, v)),
                    (_, Entry::Numbered(entries)) => families.push((key, entries)),
                    (_, Entry::Pairs(_)) => {
                        return Err(de::Error::custom(format!("`{key}` is not a list of pairs")))
                    }
                }
            }
            let name = name.ok_or_else(|| de::Error::missing_field("Event"))?;
            let layout = Event::layout_of(name.as_bytes());
            let mut all = vec![("Event".to_string(), name)];
            all.extend(headers);
            for (key, entries) in families {
                // `ReportN` names the family whose prefix is `Report`.
                let prefix = key.strip_suffix('N').unwrap_or(&key);
                let family = layout.and_then(|l| l.families.iter().find(|f| f.prefix == prefix));
                let width = family.and_then(|f| f.width);
                for e in entries {
                    let key = HeaderKey::numbered(prefix, e.index, width, &e.field);
                    all.push((key.as_str().to_string(), e.value));
                }
            }
            all.extend(extra);
            OwnedEvent::from_headers(all)
                .ok_or_else(|| de::Error::custom("a header holds CR or LF, or a key holds `:`"))
        }
    }

    fn from_pairs<E: de::Error>(pairs: Vec<(String, String)>) -> Result<OwnedEvent, E> {
        OwnedEvent::from_headers(pairs).ok_or_else(|| {
            E::custom("`Headers` is empty, a header holds CR or LF, or a key holds `:`")
        })
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn json_round_trip_keeps_every_header() {
            let owned = OwnedEvent::from_headers([
                ("Event", "RTCPSent"),
                ("Privilege", "reporting,all"),
                ("Channel", "PJSIP/100-1"),
                ("PT", "200(SR)"),
                ("Report0SourceSSRC", "0xa"),
                ("Report0LSR", "5"),
                ("ChanVariable", "A=1"),
            ])
            .unwrap();
            let json = serde_json::to_string(&owned).unwrap();
            let back: OwnedEvent = serde_json::from_str(&json).unwrap();
            // JSON puts documented headers first: same headers, new order.
            let mut want: Vec<_> = owned
                .message()
                .headers()
                .map(|h| (h.key, h.value))
                .collect();
            let mut got: Vec<_> = back.message().headers().map(|h| (h.key, h.value)).collect();
            assert_eq!(got[0], (&b"Event"[..], &b"RTCPSent"[..]));
            want.sort();
            got.sort();
            assert_eq!(got, want);
            assert_eq!(serde_json::to_string(&back).unwrap(), json);
        }

        #[test]
        fn unknown_events_round_trip_in_order() {
            let owned =
                OwnedEvent::from_headers([("Event", "NoSuch"), ("B", "1"), ("A", "2")]).unwrap();
            let json = serde_json::to_string(&owned).unwrap();
            let back: OwnedEvent = serde_json::from_str(&json).unwrap();
            assert_eq!(back, owned);
            assert!(serde_json::from_str::<OwnedEvent>("{\"Channel\": \"x\"}").is_err());
            let smuggled = r#"{"Event": "Hangup", "Channel": "x\r\nEvent: Fake"}"#;
            assert!(serde_json::from_str::<OwnedEvent>(smuggled).is_err());
        }
    }
}
