//! Which headers a generated type has accessors for: its literal keys in field order and its
//! numbered families. Extras, JSON and `Debug` walk a message through its layout.

use ami_proto::{Header, Message};

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
    /// Not documented for this item (read through [`Extras`](super::Extras)).
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
pub(crate) struct Seen([u64; 8]);

impl Seen {
    /// Marks `k`; true if it was not marked before. Slots past the set's size count as new
    /// (the generator refuses items with that many keys).
    pub(crate) fn insert(&mut self, k: usize) -> bool {
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
    fn slots_by_key_ignoring_case() {
        static LAYOUT: Layout = Layout::new("E", &["Channel", "Uniqueid"], &[]);
        assert_eq!(LAYOUT.slot(b"Uniqueid", 0), Slot::Key(1));
        assert_eq!(LAYOUT.slot(b"CHANNEL", 2), Slot::Key(0));
        assert_eq!(LAYOUT.slot(b"Privilege", 0), Slot::Extra);
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
