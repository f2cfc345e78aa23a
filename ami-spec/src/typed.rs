//! Building blocks of the generated types: borrowed values, the headers a type does not
//! know, numbered header families, and the static tables describing every item.
//!
//! Decoding borrows from an [`ami_proto::Message`] and allocates nothing: a typed event
//! keeps a copy of the message view (two slices), so its unknown headers and numbered
//! families are found again on demand instead of being collected.

use core::fmt;

use ami_proto::{Header, Headers, Message};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

/// A header value as on the wire (bytes; usually, but not always, UTF-8).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Value<'a>(&'a [u8]);

impl<'a> Value<'a> {
    /// Wraps wire bytes.
    pub const fn new(bytes: &'a [u8]) -> Value<'a> {
        Value(bytes)
    }

    /// The bytes exactly as received.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    /// The value as text, if it is valid UTF-8.
    pub fn as_str(&self) -> Option<&'a str> {
        core::str::from_utf8(self.0).ok()
    }

    /// The value as text, invalid UTF-8 replaced.
    pub fn to_string_lossy(&self) -> std::borrow::Cow<'a, str> {
        String::from_utf8_lossy(self.0)
    }
}

impl fmt::Debug for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_string_lossy(), f)
    }
}

impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_string_lossy())
    }
}

impl Serialize for Value<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string_lossy())
    }
}

/// Orders byte strings as if both were lower-cased (the order of the generated name tables).
pub fn cmp_ignore_ascii_case(a: &[u8], b: &[u8]) -> core::cmp::Ordering {
    a.iter()
        .map(u8::to_ascii_lowercase)
        .cmp(b.iter().map(u8::to_ascii_lowercase))
}

/// A family of numbered keys: `prefix` + decimal index + one of `suffixes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Family {
    /// Text before the index (`Report`).
    pub prefix: &'static str,
    /// Text after the index, one per member field (`SourceSSRC`, `LSR`, ...; or `""`).
    pub suffixes: &'static [&'static str],
    /// Digits of a zero-padded index (`Action-000000` has 6), if padded.
    pub width: Option<u8>,
}

impl Family {
    /// If `key` belongs to the family: its index and the position of its suffix.
    pub fn split(&self, key: &[u8]) -> Option<(u32, usize)> {
        let rest = strip_prefix_ignore_case(key, self.prefix.as_bytes())?;
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 || digits > 9 || self.width.is_some_and(|w| usize::from(w) != digits) {
            return None;
        }
        let (number, suffix) = rest.split_at(digits);
        let index = number
            .iter()
            .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
        let member = self
            .suffixes
            .iter()
            .position(|s| s.as_bytes().eq_ignore_ascii_case(suffix))?;
        Some((index, member))
    }
}

fn strip_prefix_ignore_case<'k>(key: &'k [u8], prefix: &[u8]) -> Option<&'k [u8]> {
    (key.len() >= prefix.len() && key[..prefix.len()].eq_ignore_ascii_case(prefix))
        .then(|| &key[prefix.len()..])
}

/// Which headers a generated type knows: its literal keys (in documented order) and its
/// numbered families.
#[derive(Debug)]
pub struct Layout {
    /// The event or action name.
    pub name: &'static str,
    /// Literal keys; a header's slot is its position here.
    pub keys: &'static [&'static str],
    /// Numbered families; their headers have no slot of their own.
    pub families: &'static [Family],
    /// One bit per [`key_hash`] of the literal keys: most undocumented headers
    /// (`Privilege`, `ChanVariable`) are told apart without comparing strings.
    pub filter: u64,
}

/// A 6-bit hash of a key from its length and its first, middle and last bytes (ASCII case
/// ignored).
pub const fn key_hash(key: &[u8]) -> u32 {
    let n = key.len();
    if n == 0 {
        return 0;
    }
    let first = key[0].to_ascii_lowercase() as u32;
    let middle = key[n / 2].to_ascii_lowercase() as u32;
    let last = key[n - 1].to_ascii_lowercase() as u32;
    let mixed = (n as u32)
        .wrapping_mul(0x9e37_79b9)
        .wrapping_add(first.wrapping_mul(0x85eb_ca6b))
        .wrapping_add(middle.wrapping_mul(0xc2b2_ae35))
        .wrapping_add(last.wrapping_mul(0x27d4_eb2f));
    mixed >> 26
}

impl Layout {
    /// A layout; computes the key filter (usable in constants).
    pub const fn new(
        name: &'static str,
        keys: &'static [&'static str],
        families: &'static [Family],
    ) -> Layout {
        let mut filter = 0u64;
        let mut i = 0;
        while i < keys.len() {
            filter |= 1 << key_hash(keys[i].as_bytes());
            i += 1;
        }
        Layout {
            name,
            keys,
            families,
            filter,
        }
    }
}

/// Where a header goes in a typed value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// The literal key at this position of [`Layout::keys`].
    Key(usize),
    /// A member of the family at this position of [`Layout::families`].
    Family(usize),
    /// Not documented for this item (kept in [`Extras`]).
    Extra,
}

impl Layout {
    /// Classifies `key`, trying the literal keys from `hint` on first: headers usually come
    /// in documented order, so passing the last slot + 1 makes a lookup one comparison.
    #[inline]
    pub fn slot(&self, key: &[u8], hint: usize) -> Slot {
        if self.filter & (1 << key_hash(key)) == 0 {
            return self.family_slot(key);
        }
        let hint = hint.min(self.keys.len());
        // Headers usually come in documented order and exact case: one memcmp.
        if self.keys.get(hint).is_some_and(|k| k.as_bytes() == key) {
            return Slot::Key(hint);
        }
        let (after, before) = (&self.keys[hint..], &self.keys[..hint]);
        let same = |k: &&str| k.len() == key.len() && k.as_bytes().eq_ignore_ascii_case(key);
        if let Some(at) = after.iter().position(same) {
            return Slot::Key(hint + at);
        }
        if let Some(at) = before.iter().position(same) {
            return Slot::Key(at);
        }
        self.family_slot(key)
    }

    fn family_slot(&self, key: &[u8]) -> Slot {
        match self.families.iter().position(|f| f.split(key).is_some()) {
            Some(f) => Slot::Family(f),
            None => Slot::Extra,
        }
    }

    /// Calls `each(slot, header, first)` for every header after the name line, where
    /// `first` tells whether it is the first header with that literal key.
    pub fn walk<'a>(&self, message: &Message<'a>, mut each: impl FnMut(Slot, Header<'a>, bool)) {
        let mut seen = Seen::default();
        let mut hint = 0;
        for header in message.headers().skip(1) {
            let slot = self.slot(header.key, hint);
            let first = match slot {
                Slot::Key(k) => {
                    hint = k + 1;
                    seen.insert(k)
                }
                _ => false,
            };
            each(slot, header, first);
        }
    }
}

/// A small bit set of literal-key slots already seen.
#[derive(Default)]
struct Seen([u64; 8]);

impl Seen {
    /// Marks `k`; true if it was not marked before. Slots past the set's size count as new
    /// (the generator refuses items with that many keys).
    fn insert(&mut self, k: usize) -> bool {
        let Some(word) = self.0.get_mut(k / 64) else {
            return true;
        };
        let bit = 1u64 << (k % 64);
        let new = *word & bit == 0;
        *word |= bit;
        new
    }
}

/// Most literal keys one generated type may have.
pub const MAX_KEYS: usize = 512;

/// Gives the value a typed item holds for a literal-key slot (generated for each type).
pub trait SlotValues<'a> {
    /// The value of the literal key at `slot` of the type's [`Layout`], if set.
    fn slot_value(&self, slot: usize) -> Option<&'a [u8]>;
}

/// The headers of a typed event in wire order: documented headers take their value from
/// the typed fields, everything else comes from the message. Built by the generated
/// `headers()` methods.
pub struct TypedHeaders<'a, 's> {
    headers: Headers<'a>,
    layout: &'static Layout,
    values: &'s dyn SlotValues<'a>,
    seen: Seen,
    hint: usize,
    name_line: bool,
}

impl<'a, 's> TypedHeaders<'a, 's> {
    /// The headers of `message` as seen through `values` (the typed form of it).
    pub fn new(
        message: &Message<'a>,
        layout: &'static Layout,
        values: &'s dyn SlotValues<'a>,
    ) -> TypedHeaders<'a, 's> {
        TypedHeaders {
            headers: message.headers(),
            layout,
            values,
            seen: Seen::default(),
            hint: 0,
            name_line: true,
        }
    }
}

impl<'a> Iterator for TypedHeaders<'a, '_> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let h = self.headers.next()?;
            if core::mem::take(&mut self.name_line) {
                return Some((h.key, h.value));
            }
            if let Slot::Key(k) = self.layout.slot(h.key, self.hint) {
                self.hint = k + 1;
                if self.seen.insert(k) {
                    // A field cleared by the caller drops its header.
                    match self.values.slot_value(k) {
                        Some(v) => return Some((h.key, v)),
                        None => continue,
                    }
                }
            }
            return Some((h.key, h.value));
        }
    }
}

/// No fields: the view used for messages without a type.
pub struct NoSlots;

impl<'a> SlotValues<'a> for NoSlots {
    fn slot_value(&self, _: usize) -> Option<&'a [u8]> {
        None
    }
}

/// The layout of a message without a type: every header is an extra.
pub static UNTYPED: Layout = Layout::new("", &[], &[]);

/// The headers of a message that its typed form has no field for: keys the spec does not
/// document for it (`Privilege`, `Timestamp`, `ChanVariable`, ...) and repeats of
/// documented keys. Found on demand from the message; nothing is copied.
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

    /// The whole message the typed value was decoded from.
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

    /// Whether every header has a field.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }

    /// The first extra header named `key` (ASCII case-insensitive).
    pub fn get(&self, key: &str) -> Option<Value<'a>> {
        self.iter().find(|h| h.is(key)).map(|h| Value(h.value))
    }
}

impl fmt::Debug for Extras<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.iter().map(|h| (Value(h.key), Value(h.value))))
            .finish()
    }
}

impl PartialEq for Extras<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Serialize for Extras<'_> {
    /// As a list of `[key, value]` pairs (keys may repeat).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for h in self.iter() {
            seq.serialize_element(&(Value(h.key), Value(h.value)))?;
        }
        seq.end()
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
    pub key: Value<'a>,
    /// The value.
    pub value: Value<'a>,
}

/// The headers of one numbered family in a message (`Report0SourceSSRC`, ...
/// `Report1DLSR`), found on demand.
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
                key: Value(h.key),
                value: Value(h.value),
            })
        })
    }

    /// The value of member `field` with number `index` (`get(1, "LSR")`).
    pub fn get(&self, index: u32, field: &str) -> Option<Value<'a>> {
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
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq for Group<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Serialize for Group<'_> {
    /// As a list of `{"index": n, "field": "LSR", "value": "..."}` maps.
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
        map.serialize_entry("value", &self.0.value)?;
        map.end()
    }
}

/// A message the spec has no type for, kept whole.
#[derive(Clone, Copy)]
pub struct Untyped<'a>(pub Message<'a>);

impl fmt::Debug for Untyped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.headers().map(|h| (Value(h.key), Value(h.value))))
            .finish()
    }
}

impl Serialize for Untyped<'_> {
    /// As `{"Headers": [[key, value], ...]}`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Pairs<'a>(Headers<'a>);
        impl Serialize for Pairs<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.clone().map(|h| (Value(h.key), Value(h.value))))
            }
        }
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry("Headers", &Pairs(self.0.headers()))?;
        map.end()
    }
}

/// The key of a header an action sends: borrowed, or built for a numbered family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderKey<'a> {
    /// A documented or caller-given key.
    Text(&'a str),
    /// A numbered key (`Action-000003`, `UnitAmount(1)`), built without allocating.
    Built {
        /// The key's bytes; only the first `len` are used.
        bytes: [u8; 64],
        /// Length of the key.
        len: u8,
    },
}

impl HeaderKey<'_> {
    /// `prefix` + `index` (zero-padded to `width` digits) + `suffix`, cut to 64 bytes.
    pub fn numbered(prefix: &str, index: u32, width: Option<u8>, suffix: &str) -> Self {
        let mut bytes = [0u8; 64];
        let mut len = 0;
        let mut digits = [0u8; 10];
        let mut n = index;
        let mut count = 0;
        loop {
            digits[count] = b'0' + (n % 10) as u8;
            count += 1;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        let pad = width.map_or(0, usize::from).saturating_sub(count);
        let number = core::iter::repeat_n(b'0', pad).chain(digits[..count].iter().rev().copied());
        for b in prefix.bytes().chain(number).chain(suffix.bytes()) {
            if len < bytes.len() {
                bytes[len] = b;
                len += 1;
            }
        }
        HeaderKey::Built {
            bytes,
            len: len as u8,
        }
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        match self {
            HeaderKey::Text(t) => t,
            HeaderKey::Built { bytes, len } => {
                core::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or("")
            }
        }
    }
}

impl AsRef<[u8]> for HeaderKey<'_> {
    fn as_ref(&self) -> &[u8] {
        self.as_str().as_bytes()
    }
}

/// What the specs say about one event or action.
#[derive(Debug)]
pub struct ItemInfo {
    /// Wire name.
    pub name: &'static str,
    /// Spec folders (Asterisk versions) that list it.
    pub versions: &'static [&'static str],
    /// The `[Since]` versions, newest spec first.
    pub since: &'static [&'static str],
    /// One-line summary.
    pub synopsis: &'static str,
    /// The documented headers, in documented order.
    pub fields: &'static [FieldInfo],
}

/// What the specs say about one header of an item.
#[derive(Debug)]
pub struct FieldInfo {
    /// Key as documented (`ReportXLSR` for a numbered family).
    pub key: &'static str,
    /// Whether every spec that documents it marks it required.
    pub required: bool,
    /// Spec folders that document it.
    pub versions: &'static [&'static str],
}

/// A list action and the events that answer it (for an EventList tracker).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListAction {
    /// The action name.
    pub action: &'static str,
    /// Events sent once per item (`[List Responses]`).
    pub items: &'static [&'static str],
    /// The event that closes the list (`[Final Response]`).
    pub complete: Option<&'static str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn family_split() {
        let report = Family {
            prefix: "Report",
            suffixes: &["SourceSSRC", "LSR", "DLSR"],
            width: None,
        };
        assert_eq!(report.split(b"Report0SourceSSRC"), Some((0, 0)));
        assert_eq!(report.split(b"Report12DLSR"), Some((12, 2)));
        assert_eq!(report.split(b"ReportCount"), None);
        assert_eq!(report.split(b"Report1Other"), None);
        let padded = Family {
            prefix: "Action-",
            suffixes: &[""],
            width: Some(6),
        };
        assert_eq!(padded.split(b"Action-000007"), Some((7, 0)));
        assert_eq!(padded.split(b"Action-7"), None);
    }

    #[test]
    fn numbered_keys() {
        let cases: &[(&str, u32, Option<u8>, &str, &str)] = &[
            ("Action-", 3, Some(6), "", "Action-000003"),
            ("UnitAmount(", 1, None, ")", "UnitAmount(1)"),
            ("Report", 10, None, "LSR", "Report10LSR"),
            ("Header", 0, None, "", "Header0"),
        ];
        for &(prefix, index, width, suffix, want) in cases {
            assert_eq!(
                HeaderKey::numbered(prefix, index, width, suffix).as_str(),
                want
            );
        }
    }

    #[test]
    fn seen_set() {
        let mut seen = Seen::default();
        assert!(seen.insert(3));
        assert!(!seen.insert(3));
        assert!(seen.insert(300));
        assert!(!seen.insert(300));
    }
}
