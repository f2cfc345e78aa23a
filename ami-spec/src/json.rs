//! The JSON form of typed values (the `serde` feature).
//!
//! An event is `{"Event": "<name as received>", "<Key>": "<value>", ..., "<Prefix>N":
//! [{"index": n, "field": "LSR", "value": "..."}], "ExtraHeaders": [["Key", "value"], ...]}`:
//! the documented headers present, in field order, each under its documented spelling with
//! the first value the wire gave; numbered families; then every other header (undocumented
//! keys and repeats) in wire order. Values are strings exactly as received (invalid UTF-8
//! replaced by U+FFFD), numbers included: the text is what Asterisk sent. An event nothing
//! describes is `{"Headers": [["Key", "value"], ...]}`.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use ami_proto::{Headers, Message};

use crate::typed::{first_values, Extras, Group, Layout, Numbered, Untyped};

/// Bytes as a JSON string (invalid UTF-8 replaced).
struct Text<'a>(&'a [u8]);

impl Serialize for Text<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&String::from_utf8_lossy(self.0))
    }
}

/// Serializes a typed event view (see the module docs).
pub(crate) fn serialize_view<S: Serializer>(
    message: &Message<'_>,
    layout: &'static Layout,
    s: S,
) -> Result<S::Ok, S::Error> {
    serialize_named("Event", message, layout, s)
}

/// Serializes a response view like an event, under `Response`.
pub(crate) fn serialize_response<S: Serializer>(
    message: &Message<'_>,
    layout: &'static Layout,
    s: S,
) -> Result<S::Ok, S::Error> {
    serialize_named("Response", message, layout, s)
}

fn serialize_named<S: Serializer>(
    name_key: &str,
    message: &Message<'_>,
    layout: &'static Layout,
    s: S,
) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(None)?;
    map.serialize_entry(name_key, &Text(message.name()))?;
    for (key, value) in layout.keys.iter().zip(first_values(message, layout)) {
        if let Some(value) = value {
            map.serialize_entry(key, &Text(value))?;
        }
    }
    for family in layout.families {
        let group = Group::new(*message, family);
        if !group.is_empty() {
            map.serialize_entry(&format!("{}N", family.prefix), &group)?;
        }
    }
    let extra = Extras::new(*message, layout);
    if !extra.is_empty() {
        map.serialize_entry("ExtraHeaders", &extra)?;
    }
    map.end()
}

impl Serialize for Extras<'_> {
    /// As a list of `[key, value]` pairs (keys may repeat).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for h in self.iter() {
            seq.serialize_element(&(Text(h.key), Text(h.value)))?;
        }
        seq.end()
    }
}

impl Serialize for Group<'_> {
    /// As a list of `{"index": n, "field": "LSR", "value": "..."}` maps, in wire order.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for n in self.iter() {
            seq.serialize_element(&NumberedJson(n))?;
        }
        seq.end()
    }
}

struct NumberedJson<'a>(Numbered<'a>);

impl Serialize for NumberedJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(3))?;
        map.serialize_entry("index", &self.0.index)?;
        map.serialize_entry("field", self.0.field)?;
        map.serialize_entry("value", &Text(self.0.value))?;
        map.end()
    }
}

impl Serialize for Untyped<'_> {
    /// As `{"Headers": [[key, value], ...]}`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Pairs<'a>(Headers<'a>);
        impl Serialize for Pairs<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.clone().map(|h| (Text(h.key), Text(h.value))))
            }
        }
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry("Headers", &Pairs(self.0.headers()))?;
        map.end()
    }
}
