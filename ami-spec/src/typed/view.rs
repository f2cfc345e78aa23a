//! What a typed event is made of: a copy of the message view (two slices) read through the
//! event's layout. Nothing is collected while typing; the headers a type has no accessor
//! for, numbered families and `Debug` are found again from the message on demand.

use core::fmt;

use ami_proto::{Header, Message};

use super::layout::{Family, Layout, Seen, Slot};

/// Writes the inherent items every generated event view shares (name, layout, the message,
/// the extras) and its `Debug` and `Serialize` impls.
macro_rules! event_type {
    ($ty:ident, $name:literal, $keys:expr, $families:expr) => {
        impl<'a> $ty<'a> {
            #[doc = concat!("The wire name (`Event: ", $name, "`).")]
            pub const NAME: &'static str = $name;

            /// The headers this type has accessors for, in field order (the JSON order).
            pub const LAYOUT: &'static crate::typed::Layout =
                &crate::typed::Layout::new($name, $keys, $families);

            /// Views `message` as this event without checking its name
            /// ([`Event::from_message`](crate::Event::from_message) checks it).
            pub const fn from_message(message: &::ami_proto::Message<'a>) -> Self {
                $ty(*message)
            }

            /// The message this view reads.
            pub const fn as_message(&self) -> &::ami_proto::Message<'a> {
                &self.0
            }

            /// The headers this type has no accessor for (`Privilege`, `Timestamp`,
            /// `ChanVariable`, ...) and repeats of those it has, in wire order.
            pub fn extra(&self) -> crate::typed::Extras<'a> {
                crate::typed::Extras::new(self.0, Self::LAYOUT)
            }
        }

        /// Shows the documented headers present, the numbered families and the extras.
        impl ::core::fmt::Debug for $ty<'_> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                crate::typed::debug_view(f, &self.0, Self::LAYOUT)
            }
        }

        /// `{"Event": name, documented headers in field order, numbered families as
        /// `"PrefixN": [{"index", "field", "value"}]`, "ExtraHeaders": [[key, value], ...]}`.
        #[cfg(feature = "serde")]
        impl ::serde::Serialize for $ty<'_> {
            fn serialize<S: ::serde::Serializer>(
                &self,
                s: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                crate::json::serialize_view(&self.0, Self::LAYOUT, s)
            }
        }
    };
}
pub(crate) use event_type;

/// Bytes shown as text in `Debug` (invalid UTF-8 replaced).
pub(crate) struct Lossy<'a>(pub(crate) &'a [u8]);

impl fmt::Debug for Lossy<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&String::from_utf8_lossy(self.0), f)
    }
}

/// For each literal key of `layout`, the value of its first header in `message`.
pub(crate) fn first_values<'a>(message: &Message<'a>, layout: &Layout) -> Vec<Option<&'a [u8]>> {
    let mut values = vec![None; layout.keys.len()];
    layout.walk(message, |slot, header, first| {
        if let (Slot::Key(k), true) = (slot, first) {
            values[k] = Some(header.value);
        }
    });
    values
}

/// `Debug` of a generated view: `Name { Key: "value", ..., ReportN: [...], extra: [...] }`.
pub fn debug_view(
    f: &mut fmt::Formatter<'_>,
    message: &Message<'_>,
    layout: &'static Layout,
) -> fmt::Result {
    let mut s = f.debug_struct(layout.name);
    for (key, value) in layout.keys.iter().zip(first_values(message, layout)) {
        if let Some(value) = value {
            s.field(key, &Lossy(value));
        }
    }
    for family in layout.families {
        let group = Group::new(*message, family);
        if !group.is_empty() {
            s.field(family.prefix, &group);
        }
    }
    let extra = Extras::new(*message, layout);
    if !extra.is_empty() {
        s.field("extra", &extra);
    }
    s.finish()
}

/// The headers of a message that its typed view has no accessor for: keys the spec does
/// not document for it (`Privilege`, `Timestamp`, `ChanVariable`, ...) and repeats of
/// documented keys (an accessor reads the first). Found on demand; nothing is copied.
///
/// ```
/// use ami_proto::{Decoded, Decoder, Item};
/// use ami_spec::Event;
///
/// let wire = b"Event: Hangup\r\nPrivilege: call,all\r\nChannel: A\r\nChannel: B\r\n\r\n";
/// let mut decoder = Decoder::new();
/// let Decoded::Item { item: Item::Message(m), .. } = decoder.decode(wire) else { panic!() };
/// let extra = Event::from_message(&m).extra();
/// let keys: Vec<&[u8]> = extra.iter().map(|h| h.key).collect();
/// assert_eq!(keys, [&b"Privilege"[..], b"Channel"]);
/// assert_eq!(extra.get("channel"), Some(&b"B"[..]));
/// ```
#[derive(Clone, Copy)]
pub struct Extras<'a> {
    message: Message<'a>,
    layout: &'static Layout,
}

impl<'a> Extras<'a> {
    /// The extras of `message` under `layout`.
    pub fn new(message: Message<'a>, layout: &'static Layout) -> Extras<'a> {
        Extras { message, layout }
    }

    /// The whole message.
    pub fn message(&self) -> &Message<'a> {
        &self.message
    }

    /// The extra headers in wire order.
    pub fn iter(&self) -> impl Iterator<Item = Header<'a>> + '_ {
        let mut seen = Seen::default();
        let mut hint = 0;
        self.message
            .headers()
            .skip(1)
            .filter(move |h| match self.layout.slot(h.key, hint) {
                Slot::Key(k) => {
                    hint = k + 1;
                    !seen.insert(k)
                }
                Slot::Family(_) => false,
                Slot::Extra => true,
            })
    }

    /// Whether every header has an accessor.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }

    /// The value of the first extra header named `key` (ASCII case ignored).
    pub fn get(&self, key: &str) -> Option<&'a [u8]> {
        self.iter().find(|h| h.is(key)).map(|h| h.value)
    }

    /// [`get`](Self::get) as text, if it is UTF-8.
    pub fn get_str(&self, key: &str) -> Option<&'a str> {
        self.get(key).and_then(|v| core::str::from_utf8(v).ok())
    }
}

impl fmt::Debug for Extras<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.iter().map(|h| (Lossy(h.key), Lossy(h.value))))
            .finish()
    }
}

/// One header of a numbered family, e.g. `Report1LSR: 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Numbered<'a> {
    /// The number in the key (`1`).
    pub index: u32,
    /// The documented field after the number (`LSR`; empty for `Action-000001`).
    pub field: &'static str,
    /// The key as on the wire.
    pub key: &'a [u8],
    /// The value as on the wire.
    pub value: &'a [u8],
}

/// The headers of one numbered family in a message (`Report0SourceSSRC`, ...
/// `Report1DLSR`), found on demand.
///
/// ```
/// use ami_proto::{Decoded, Decoder, Item};
/// use ami_spec::Event;
///
/// let wire = b"Event: RTCPSent\r\nReportCount: 2\r\nReport0LSR: 5\r\nReport1LSR: 6\r\n\r\n";
/// let mut decoder = Decoder::new();
/// let Decoded::Item { item: Item::Message(m), .. } = decoder.decode(wire) else { panic!() };
/// let Event::RtcpSent(rtcp) = Event::from_message(&m) else { panic!() };
/// assert_eq!(rtcp.report().count(), 2);
/// assert_eq!(rtcp.report().get(1, "LSR"), Some(&b"6"[..]));
/// ```
#[derive(Clone, Copy)]
pub struct Group<'a> {
    message: Message<'a>,
    family: &'static Family,
}

impl<'a> Group<'a> {
    /// The members of `family` in `message`.
    pub fn new(message: Message<'a>, family: &'static Family) -> Group<'a> {
        Group { message, family }
    }

    /// The family's key pattern.
    pub fn family(&self) -> &'static Family {
        self.family
    }

    /// Every member header in wire order.
    pub fn iter(&self) -> impl Iterator<Item = Numbered<'a>> + '_ {
        self.message.headers().filter_map(|h| {
            let (index, member) = self.family.split(h.key)?;
            Some(Numbered {
                index,
                field: self.family.suffixes[member],
                key: h.key,
                value: h.value,
            })
        })
    }

    /// The value of member `field` with number `index` (`get(1, "LSR")`), ASCII case
    /// ignored.
    pub fn get(&self, index: u32, field: &str) -> Option<&'a [u8]> {
        self.iter()
            .find(|n| n.index == index && n.field.eq_ignore_ascii_case(field))
            .map(|n| n.value)
    }

    /// Number of distinct indexes present (the count of report blocks, ...).
    pub fn count(&self) -> usize {
        let mut seen = Seen::default();
        self.iter()
            .filter(|n| seen.insert(n.index as usize))
            .count()
    }

    /// Whether no member header is present.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }
}

impl fmt::Debug for Group<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.iter().map(|n| (n.index, n.field, Lossy(n.value))))
            .finish()
    }
}

/// A message nothing describes, kept whole (`Event::Unknown`).
#[derive(Clone, Copy)]
pub struct Untyped<'a>(pub Message<'a>);

impl fmt::Debug for Untyped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.headers().map(|h| (Lossy(h.key), Lossy(h.value))))
            .finish()
    }
}

/// The layout of a message without a type: every header after the name is an extra.
pub static UNTYPED: Layout = Layout::new("", &[], &[]);
