//! Finding an event by its name: a hash table built at compile time from the generated name
//! list, so typing a message costs one hash and usually one comparison.

/// A hash of a name that ignores ASCII case: its length and its first and last eight bytes,
/// each byte with bit 5 set (which makes `A` and `a` equal; the table compares the whole
/// name after a match, so other bytes that bit confuses only cost a comparison).
pub const fn name_hash(name: &[u8]) -> u64 {
    let n = name.len();
    let head = load8(name, 0);
    let tail = load8(name, n.saturating_sub(8));
    let mixed = head ^ tail.rotate_left(29) ^ (n as u64).wrapping_mul(0x9e37_79b9);
    mixed.wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// Up to eight bytes of `name` from `at`, little-endian, each with bit 5 set.
const fn load8(name: &[u8], at: usize) -> u64 {
    if at + 8 <= name.len() {
        // One load for the whole word (the common case: most names have 8 bytes or more).
        let bytes = [
            name[at],
            name[at + 1],
            name[at + 2],
            name[at + 3],
            name[at + 4],
            name[at + 5],
            name[at + 6],
            name[at + 7],
        ];
        return u64::from_le_bytes(bytes) | 0x2020_2020_2020_2020;
    }
    let mut word = 0u64;
    let mut i = 0;
    while i < 8 && at + i < name.len() {
        word |= ((name[at + i] | 0x20) as u64) << (8 * i);
        i += 1;
    }
    word
}

/// Names and a table of `N` slots (a power of two, at least twice the names) holding each
/// name's index + 1 at its hash, the next free slot on a collision.
///
/// ```
/// use ami_spec::typed::NameTable;
/// const NAMES: &[&str] = &["Hangup", "Newchannel", "Newstate"];
/// static TABLE: NameTable<8> = NameTable::new(NAMES);
/// assert_eq!(TABLE.find(b"newstate"), Some(2));
/// assert_eq!(TABLE.find(b"Newstat"), None);
/// ```
#[derive(Debug)]
pub struct NameTable<const N: usize> {
    names: &'static [&'static str],
    slots: [u16; N],
}

impl<const N: usize> NameTable<N> {
    /// Builds the table (at compile time when used in a `static`).
    ///
    /// # Panics
    /// If `N` is not a power of two or has fewer than twice as many slots as names, or if
    /// there are 65,535 names or more.
    pub const fn new(names: &'static [&'static str]) -> Self {
        assert!(N.is_power_of_two() && names.len() * 2 <= N && names.len() < u16::MAX as usize);
        let mut slots = [0u16; N];
        let mut i = 0;
        while i < names.len() {
            let mut at = (name_hash(names[i].as_bytes()) >> 32) as usize & (N - 1);
            while slots[at] != 0 {
                at = (at + 1) & (N - 1);
            }
            slots[at] = (i + 1) as u16;
            i += 1;
        }
        NameTable { names, slots }
    }

    /// The index of `name` in the name list, ASCII case ignored.
    #[inline]
    pub fn find(&self, name: &[u8]) -> Option<usize> {
        let mut at = (name_hash(name) >> 32) as usize & (N - 1);
        loop {
            let index = usize::from(self.slots[at]).checked_sub(1)?;
            let candidate = self.names[index].as_bytes();
            // The wire usually spells the name as documented: one memcmp.
            if candidate == name || candidate.eq_ignore_ascii_case(name) {
                return Some(index);
            }
            at = (at + 1) & (N - 1);
        }
    }

    /// The names, in the order the table indexes them.
    pub fn names(&self) -> &'static [&'static str] {
        self.names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_variants_hash_alike() {
        assert_eq!(name_hash(b"NewExten"), name_hash(b"newexten"));
        assert_eq!(name_hash(b"RTCPSent"), name_hash(b"rtcpsent"));
        assert_ne!(name_hash(b"Newstate"), name_hash(b"Newchannel"));
    }

    #[test]
    fn every_name_is_found_and_nothing_else() {
        const NAMES: &[&str] = &[
            "A",
            "AgentCalled",
            "Hangup",
            "HangupRequest",
            "Newexten",
            "x",
        ];
        static TABLE: NameTable<16> = NameTable::new(NAMES);
        for (i, name) in NAMES.iter().enumerate() {
            assert_eq!(TABLE.find(name.as_bytes()), Some(i));
            assert_eq!(TABLE.find(name.to_ascii_uppercase().as_bytes()), Some(i));
        }
        for missing in ["", "B", "Hangu", "HangupRequestX", "NewExtens", "@"] {
            assert_eq!(TABLE.find(missing.as_bytes()), None, "{missing}");
        }
    }
}
