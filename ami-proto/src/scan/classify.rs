//! Classifying 64 bytes at once into bitmasks: bit `i` of a mask is set when byte `i` of the
//! window is of that class. This file holds the crate's only `unsafe` code (SSE2, which
//! every x86_64 CPU has); [`classify_portable`] is the reference it must equal, which the
//! unit tests below and the fuzz targets check byte for byte.

/// Bytes classified at once.
pub const WINDOW: usize = 64;

/// The classes of a window's bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Masks {
    /// `\n` (line ends).
    pub lf: u64,
    /// `\r` (the first half of a CRLF line end).
    pub cr: u64,
    /// `:`, space or tab: whatever ends a header key.
    pub stop: u64,
}

/// Reference classification, one byte at a time.
pub fn classify_portable(window: &[u8; WINDOW]) -> Masks {
    let mut masks = Masks::default();
    for (i, &b) in window.iter().enumerate() {
        masks.lf |= u64::from(b == b'\n') << i;
        masks.cr |= u64::from(b == b'\r') << i;
        masks.stop |= u64::from(matches!(b, b':' | b' ' | b'\t')) << i;
    }
    masks
}

/// Classification with SSE2 where available, else [`classify_portable`].
#[inline]
pub fn classify(window: &[u8; WINDOW]) -> Masks {
    #[cfg(target_arch = "x86_64")]
    {
        sse2::classify(window)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        classify_portable(window)
    }
}

#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod sse2 {
    use super::{Masks, WINDOW};
    use core::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };

    #[inline(always)]
    pub(super) fn classify(window: &[u8; WINDOW]) -> Masks {
        let mut masks = Masks::default();
        for (chunk, bytes) in window.chunks_exact(16).enumerate() {
            // SAFETY: `bytes` is 16 readable bytes (chunks_exact of a 64-byte array);
            // `_mm_loadu_si128` has no alignment requirement; SSE2 is part of the x86_64
            // baseline, so every intrinsic here is available on every x86_64 CPU.
            let (lf, cr, stop) = unsafe {
                let v = _mm_loadu_si128(bytes.as_ptr().cast::<__m128i>());
                let lf = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8));
                let cr = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\r' as i8));
                let colon = _mm_cmpeq_epi8(v, _mm_set1_epi8(b':' as i8));
                let space = _mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8));
                let tab = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\t' as i8));
                let stop = _mm_or_si128(_mm_or_si128(colon, space), tab);
                (
                    _mm_movemask_epi8(lf) as u16,
                    _mm_movemask_epi8(cr) as u16,
                    _mm_movemask_epi8(stop) as u16,
                )
            };
            masks.lf |= u64::from(lf) << (16 * chunk);
            masks.cr |= u64::from(cr) << (16 * chunk);
            masks.stop |= u64::from(stop) << (16 * chunk);
        }
        masks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simd_equals_portable_for_every_byte_at_every_position() {
        for byte in 0..=255u8 {
            for pos in 0..WINDOW {
                let mut window = [b'a'; WINDOW];
                window[pos] = byte;
                window[(pos * 7 + 3) % WINDOW] = b'\n';
                assert_eq!(
                    classify(&window),
                    classify_portable(&window),
                    "byte {byte} at {pos}"
                );
            }
        }
    }

    #[test]
    fn portable_classes() {
        let mut window = [0u8; WINDOW];
        window[..12].copy_from_slice(b"Key: v\tx\r\n:\n");
        let m = classify_portable(&window);
        assert_eq!(m.lf, (1 << 9) | (1 << 11));
        assert_eq!(m.cr, 1 << 8);
        assert_eq!(m.stop, (1 << 3) | (1 << 4) | (1 << 6) | (1 << 10));
    }
}
