//! ActionIDs: the only reliable way to pair a reply with its action (replies are matched by
//! ActionID, never by order), kept inline so that tracking them needs no allocation.

use core::fmt;

/// An `ActionID` value: 1 to [`ActionId::MAX_LEN`] bytes without CR, LF or NUL, stored
/// inline (`Copy`, no allocation).
///
/// ```
/// use ami_proto::ActionId;
///
/// let id = ActionId::new(b"cap-7").unwrap();
/// assert_eq!(id.as_bytes(), b"cap-7");
/// assert!(ActionId::new(b"x\r\nAction: Originate").is_none());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ActionId {
    bytes: [u8; ActionId::MAX_LEN],
    len: u8,
}

impl ActionId {
    /// Longest ActionID kept; longer ones seen on the wire belong to nobody we track.
    ///
    /// ```
    /// assert!(ami_proto::ActionId::new(&[b'x'; ami_proto::ActionId::MAX_LEN]).is_some());
    /// assert!(ami_proto::ActionId::new(&[b'x'; ami_proto::ActionId::MAX_LEN + 1]).is_none());
    /// ```
    pub const MAX_LEN: usize = 48;

    /// An ActionID from its bytes; `None` if empty, too long, or holding CR, LF or NUL.
    ///
    /// ```
    /// assert!(ami_proto::ActionId::new(b"").is_none());
    /// ```
    pub fn new(bytes: &[u8]) -> Option<ActionId> {
        if bytes.is_empty()
            || bytes.len() > Self::MAX_LEN
            || bytes.iter().any(|b| matches!(b, b'\r' | b'\n' | 0))
        {
            return None;
        }
        let mut id = ActionId {
            bytes: [0; Self::MAX_LEN],
            len: bytes.len() as u8,
        };
        id.bytes[..bytes.len()].copy_from_slice(bytes);
        Some(id)
    }

    /// The bytes to put after `ActionID: `.
    ///
    /// ```
    /// let id = ami_proto::ActionId::new(b"a-1").unwrap();
    /// assert_eq!(id.as_bytes(), b"a-1");
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }
}

impl AsRef<[u8]> for ActionId {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl fmt::Debug for ActionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ActionId(\"{}\")", self.as_bytes().escape_ascii())
    }
}

impl fmt::Display for ActionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.as_bytes().escape_ascii())
    }
}

/// Hands out ActionIDs unique for one connection: a fixed prefix and a counter
/// (`ami-1`, `ami-2`, ...). No allocation, no randomness, no clock.
///
/// ```
/// use ami_proto::ActionIdAllocator;
///
/// let mut ids = ActionIdAllocator::new("cap-").unwrap();
/// assert_eq!(ids.next_id().as_bytes(), b"cap-1");
/// assert_eq!(ids.next_id().as_bytes(), b"cap-2");
/// ```
#[derive(Debug, Clone)]
pub struct ActionIdAllocator {
    prefix: [u8; ActionIdAllocator::MAX_PREFIX],
    prefix_len: u8,
    next: u64,
}

impl Default for ActionIdAllocator {
    /// The prefix `ami-`, starting at 1.
    fn default() -> Self {
        ActionIdAllocator::new("ami-").unwrap_or(ActionIdAllocator {
            prefix: [0; Self::MAX_PREFIX],
            prefix_len: 0,
            next: 1,
        })
    }
}

impl ActionIdAllocator {
    /// Longest prefix: room is kept for the 20 digits of any `u64`.
    ///
    /// ```
    /// use ami_proto::ActionIdAllocator;
    /// assert!(ActionIdAllocator::new(&"p".repeat(ActionIdAllocator::MAX_PREFIX)).is_some());
    /// ```
    pub const MAX_PREFIX: usize = ActionId::MAX_LEN - 20;

    /// Counts from 1 after `prefix`; `None` if the prefix is too long or holds CR, LF or NUL.
    ///
    /// ```
    /// assert!(ami_proto::ActionIdAllocator::new("bad\n").is_none());
    /// ```
    pub fn new(prefix: &str) -> Option<Self> {
        Self::starting_at(prefix, 1)
    }

    /// Counts from `first` after `prefix` (to continue a numbering).
    ///
    /// ```
    /// let mut ids = ami_proto::ActionIdAllocator::starting_at("x", 9).unwrap();
    /// assert_eq!(ids.next_id().as_bytes(), b"x9");
    /// assert_eq!(ids.next_id().as_bytes(), b"x10");
    /// ```
    pub fn starting_at(prefix: &str, first: u64) -> Option<Self> {
        let p = prefix.as_bytes();
        if p.len() > Self::MAX_PREFIX || p.iter().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
            return None;
        }
        let mut stored = [0; Self::MAX_PREFIX];
        stored[..p.len()].copy_from_slice(p);
        Some(ActionIdAllocator {
            prefix: stored,
            prefix_len: p.len() as u8,
            next: first,
        })
    }

    /// The next ActionID. After `u64::MAX` ids the counter wraps to 0.
    ///
    /// ```
    /// let mut ids = ami_proto::ActionIdAllocator::default();
    /// assert_ne!(ids.next_id(), ids.next_id());
    /// ```
    pub fn next_id(&mut self) -> ActionId {
        let n = self.next;
        self.next = self.next.wrapping_add(1);
        let mut bytes = [0u8; ActionId::MAX_LEN];
        let p = self.prefix_len as usize;
        bytes[..p].copy_from_slice(&self.prefix[..p]);
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        let mut rest = n;
        loop {
            i -= 1;
            digits[i] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        let d = &digits[i..];
        bytes[p..p + d.len()].copy_from_slice(d);
        ActionId {
            bytes,
            len: (p + d.len()) as u8,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_decimal() {
        let mut ids = ActionIdAllocator::starting_at("p", u64::MAX - 1).unwrap();
        assert_eq!(ids.next_id().as_bytes(), b"p18446744073709551614");
        assert_eq!(ids.next_id().as_bytes(), b"p18446744073709551615");
        assert_eq!(ids.next_id().as_bytes(), b"p0");
        let mut ids = ActionIdAllocator::new("").unwrap();
        let first = ids.next_id();
        for _ in 0..1000 {
            assert_ne!(ids.next_id(), first);
        }
    }

    #[test]
    fn longest_prefix_still_fits_every_number() {
        let prefix = "a".repeat(ActionIdAllocator::MAX_PREFIX);
        let mut ids = ActionIdAllocator::starting_at(&prefix, u64::MAX).unwrap();
        assert_eq!(ids.next_id().as_bytes().len(), ActionId::MAX_LEN);
        assert!(ActionIdAllocator::new(&(prefix + "a")).is_none());
    }
}
