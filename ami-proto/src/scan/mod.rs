//! Byte scanning: the general way to find a line's end and a header's colon, and the
//! 64-byte classification ([`classify`]) that the decoder's fast path reads lines from.

pub(crate) mod classify;

/// Position of the first `\n` in `buf[from..]`.
#[inline]
pub(crate) fn find_lf(buf: &[u8], from: usize) -> Option<usize> {
    memchr::memchr(b'\n', &buf[from..]).map(|i| from + i)
}

/// If `buf[start..end]` is a header line, the position of its colon.
///
/// A header has a non-empty key before the first colon, and the key holds no space or tab
/// (so CLI text such as `support has 0 calls ..., W:0` is not a header).
#[inline]
pub(crate) fn header_colon(buf: &[u8], start: usize, end: usize) -> Option<usize> {
    for (i, &b) in buf[start..end].iter().enumerate() {
        match b {
            b':' => return if i == 0 { None } else { Some(start + i) },
            b' ' | b'\t' => return None,
            _ => {}
        }
    }
    None
}
