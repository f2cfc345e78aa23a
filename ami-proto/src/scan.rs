//! Finding line ends and header colons: the innermost loop of the decoder.
//!
//! This is the portable scalar path (memchr for line ends, a short loop for the key).

/// Finds line ends and header separators in the caller's buffer.
#[derive(Debug, Clone)]
pub(crate) struct Scanner;

impl Scanner {
    /// A scanner with nothing cached.
    pub(crate) fn new() -> Self {
        Scanner
    }

    /// Position of the first `\n` in `buf[from..]`.
    #[inline]
    pub(crate) fn find_lf(&mut self, buf: &[u8], from: usize) -> Option<usize> {
        memchr::memchr(b'\n', &buf[from..]).map(|i| from + i)
    }

    /// If `buf[start..end]` is a header line, the position of its colon.
    ///
    /// A header has a non-empty key before the first colon, and the key holds no space or
    /// tab (so CLI text such as `support has 0 calls ..., W:0` is not a header).
    #[inline]
    pub(crate) fn header_colon(&mut self, buf: &[u8], start: usize, end: usize) -> Option<usize> {
        header_colon(&buf[start..end]).map(|i| start + i)
    }
}

/// The colon of a header line, see [`Scanner::header_colon`].
#[inline]
pub(crate) fn header_colon(line: &[u8]) -> Option<usize> {
    for (i, &b) in line.iter().enumerate() {
        match b {
            b':' => return if i == 0 { None } else { Some(i) },
            b' ' | b'\t' => return None,
            _ => {}
        }
    }
    None
}
