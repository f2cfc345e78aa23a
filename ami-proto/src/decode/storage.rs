//! Where the decoder keeps the header positions of the message being decoded.

#[cfg(feature = "alloc")]
use alloc::vec::Vec;

use crate::decode::ErrorKind;
use crate::message::Span;

/// Header slots: owned and grown on demand (`alloc`), or lent by the caller (no allocator).
#[derive(Debug)]
enum Slots<'s> {
    #[cfg(feature = "alloc")]
    Owned(Vec<Span>),
    Lent(&'s mut [Span]),
}

/// The spans of the current message: `slots[..len]`.
#[derive(Debug)]
pub(crate) struct Storage<'s> {
    slots: Slots<'s>,
    len: usize,
}

impl<'s> Storage<'s> {
    #[cfg(feature = "alloc")]
    pub(crate) fn owned() -> Self {
        Storage {
            slots: Slots::Owned(Vec::new()),
            len: 0,
        }
    }

    pub(crate) fn lent(slots: &'s mut [Span]) -> Self {
        Storage {
            slots: Slots::Lent(slots),
            len: 0,
        }
    }

    #[inline]
    pub(crate) fn clear(&mut self) {
        self.len = 0;
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    #[inline]
    pub(crate) fn as_slice(&self) -> &[Span] {
        &self.all()[..self.len]
    }

    #[inline]
    fn all(&self) -> &[Span] {
        match &self.slots {
            #[cfg(feature = "alloc")]
            Slots::Owned(v) => v,
            Slots::Lent(s) => s,
        }
    }

    /// Appends one span, growing owned slots; the error says which limit stopped it.
    pub(crate) fn push(&mut self, span: Span, max_headers: usize) -> Result<(), ErrorKind> {
        if self.len >= max_headers {
            return Err(ErrorKind::TooManyHeaders { limit: max_headers });
        }
        let (slots, len) = self.spare(max_headers);
        match slots.get_mut(*len) {
            Some(slot) => {
                *slot = span;
                *len += 1;
                Ok(())
            }
            None => Err(ErrorKind::StorageFull {
                capacity: slots.len(),
            }),
        }
    }

    /// The slots (at most `max_headers` of them) and the count in use, with owned slots
    /// grown so that at least one is free unless the limit is reached. The fast path fills
    /// them directly.
    #[inline]
    pub(crate) fn spare(&mut self, max_headers: usize) -> (&mut [Span], &mut usize) {
        let slots: &mut [Span] = match &mut self.slots {
            #[cfg(feature = "alloc")]
            Slots::Owned(v) => {
                if v.len() <= self.len && self.len < max_headers {
                    let grown = (v.len() * 2).max(64).min(max_headers);
                    v.resize(grown, Span::default());
                }
                v
            }
            Slots::Lent(s) => s,
        };
        let usable = slots.len().min(max_headers);
        (&mut slots[..usable], &mut self.len)
    }
}

#[cfg(all(test, feature = "alloc"))]
mod tests {
    use super::*;
    use alloc::vec;

    fn span(i: u32) -> Span {
        Span {
            key_start: i,
            key_end: i,
            value_start: i,
            value_end: i,
        }
    }

    #[test]
    fn owned_grows_up_to_the_limit() {
        let mut s = Storage::owned();
        for i in 0..100 {
            s.push(span(i), 100).unwrap();
        }
        assert_eq!(
            s.push(span(100), 100),
            Err(ErrorKind::TooManyHeaders { limit: 100 })
        );
        assert_eq!(s.as_slice().len(), 100);
        assert_eq!(s.as_slice()[99], span(99));
    }

    #[test]
    fn lent_reports_storage_full() {
        let mut slots = vec![Span::default(); 2];
        let mut s = Storage::lent(&mut slots);
        s.push(span(1), 10).unwrap();
        s.push(span(2), 10).unwrap();
        assert_eq!(
            s.push(span(3), 10),
            Err(ErrorKind::StorageFull { capacity: 2 })
        );
        s.clear();
        assert_eq!(s.as_slice(), &[]);
    }
}
