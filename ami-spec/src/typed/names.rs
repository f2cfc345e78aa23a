//! Finding an event by its name: a hash table built at compile time from the generated name
//! list, so typing a message costs one hash and usually one comparison.

/// A hash of a name that ignores ASCII case: its length and its first and last eight bytes,
/// each byte with bit 5 set (which makes `A` and `a` equal; the table compares the whole
/// name after a match, so other bytes that bit confuses only cost a comparison).
#[inline(always)]
pub const fn name_hash(name: &[u8]) -> u64 {
    let n = name.len();
    let head = fold(load(name, 0), n);
    let tail = if n > 8 {
        fold(load(name, n - 8), 8)
    } else {
        head
    };
    let mixed = head ^ tail.rotate_left(29) ^ (n as u64).wrapping_mul(0x9e37_79b9);
    mixed.wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// Bit 5 set in each of the first `n` bytes of `word` (all eight when `n >= 8`).
#[inline(always)]
const fn fold(word: u64, n: usize) -> u64 {
    const MASK: u64 = 0x2020_2020_2020_2020;
    match n {
        0 => 0,
        1..=7 => word | (MASK >> (8 * (8 - n))),
        _ => word | MASK,
    }
}

/// Up to eight bytes of `name` from `at`, little-endian, in at most two loads: a short tail
/// is read as two overlapping halves (bytes read twice are the same bytes).
#[inline(always)]
const fn load(name: &[u8], at: usize) -> u64 {
    let n = name.len() - at;
    match n {
        0 => 0,
        1 => name[at] as u64,
        2 | 3 => {
            let lo = u16::from_le_bytes([name[at], name[at + 1]]) as u64;
            let hi = u16::from_le_bytes([name[at + n - 2], name[at + n - 1]]) as u64;
            lo | hi << (8 * (n - 2))
        }
        4..=7 => {
            let lo =
                u32::from_le_bytes([name[at], name[at + 1], name[at + 2], name[at + 3]]) as u64;
            let hi = u32::from_le_bytes([
                name[at + n - 4],
                name[at + n - 3],
                name[at + n - 2],
                name[at + n - 1],
            ]) as u64;
            lo | hi << (8 * (n - 4))
        }
        _ => u64::from_le_bytes([
            name[at],
            name[at + 1],
            name[at + 2],
            name[at + 3],
            name[at + 4],
            name[at + 5],
            name[at + 6],
            name[at + 7],
        ]),
    }
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
            if candidate.len() == name.len()
                && (same(candidate, name) || candidate.eq_ignore_ascii_case(name))
            {
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

/// Whether two names of the same length are byte for byte equal (the wire usually spells a
/// name as documented); 8 to 16 bytes are compared as two overlapping words, without a call
/// to `memcmp`.
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if (8..=16).contains(&n) && b.len() == n {
        let word = |s: &[u8], at: usize| {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(&s[at..at + 8]);
            u64::from_le_bytes(bytes)
        };
        word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8)
    } else {
        a == b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_loads_are_the_bytes() {
        for len in 0..=12 {
            let name: Vec<u8> = (1..=len as u8).collect();
            for at in 0..=len.min(4) {
                let want = name[at..]
                    .iter()
                    .take(8)
                    .enumerate()
                    .fold(0u64, |w, (i, &b)| w | u64::from(b) << (8 * i));
                assert_eq!(load(&name, at), want, "{len} {at}");
            }
        }
    }

    #[test]
    fn case_variants_hash_alike() {
        assert_eq!(name_hash(b"NewExten"), name_hash(b"newexten"));
        assert_eq!(name_hash(b"RTCPSent"), name_hash(b"rtcpsent"));
        assert_ne!(name_hash(b"Newstate"), name_hash(b"Newchannel"));
    }

    #[test]
    fn words_compare_like_bytes() {
        for (a, b) in [
            ("Newstate", "Newstate"),
            ("Newstate", "Newstatf"),
            ("DeviceStateChange", "DeviceStateChange"),
            ("QueueMemberAdded", "QueueMemberAddee"),
            ("QueueMemberAdded", "RueueMemberAdded"),
            ("Hangup", "Hangup"),
            ("Hangup", "Hangun"),
        ] {
            assert_eq!(same(a.as_bytes(), b.as_bytes()), a == b, "{a} {b}");
        }
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
