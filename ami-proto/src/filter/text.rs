//! The C string habits of Asterisk's manager code that decide what a filter sees: text ends
//! at the first NUL, "blanks" are all bytes below 33, lines end at LF with one CR before it
//! dropped, and event names are compared through a 32-bit hash.

/// The bytes before the first NUL: what a C string holding `bytes` would contain.
pub(crate) fn until_nul(bytes: &[u8]) -> &[u8] {
    match memchr::memchr(0, bytes) {
        Some(end) => &bytes[..end],
        None => bytes,
    }
}

/// Whether `byte` is one that `ast_skip_blanks`/`ast_trim_blanks` drop: every control
/// character and the space (bytes below 33), not only space and tab.
pub(crate) fn is_blank(byte: u8) -> bool {
    byte < 33
}

/// `bytes` without its leading blanks (`ast_skip_blanks`).
pub(crate) fn skip_blanks(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|&b| !is_blank(b))
        .unwrap_or(bytes.len());
    &bytes[start..]
}

/// `bytes` without its trailing blanks (`ast_trim_blanks`).
pub(crate) fn trim_blanks(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .rposition(|&b| !is_blank(b))
        .map_or(0, |i| i + 1);
    &bytes[..end]
}

/// `bytes` without leading and trailing blanks (`ast_strip`).
pub(crate) fn strip(bytes: &[u8]) -> &[u8] {
    trim_blanks(skip_blanks(bytes))
}

/// The lines of an event text as `ast_read_line_from_buffer` cuts them: at each LF, with
/// one CR just before the LF removed. A text that ends in LF has no empty line after it.
pub(crate) fn lines(text: &[u8]) -> Lines<'_> {
    Lines { rest: text }
}

/// Iterator of [`lines`].
pub(crate) struct Lines<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.rest.is_empty() {
            return None;
        }
        let (line, rest) = match memchr::memchr(b'\n', self.rest) {
            Some(lf) => (&self.rest[..lf], &self.rest[lf + 1..]),
            None => (self.rest, &self.rest[self.rest.len()..]),
        };
        self.rest = rest;
        Some(line.strip_suffix(b"\r").unwrap_or(line))
    }
}

/// `ast_str_hash`: the djb2 variant (`hash * 33 ^ byte`, wrapping 32-bit arithmetic) of the
/// bytes before the first NUL, then its absolute value (which leaves `i32::MIN` as is).
///
/// Asterisk compares event names by this hash alone, so two names with the same hash are
/// the same name to a `name()` filter; a name whose hash is 0 selects every event.
pub(crate) fn name_hash(name: &[u8]) -> u32 {
    let mut hash: i32 = 5381;
    for &byte in until_nul(name) {
        hash = hash.wrapping_mul(33) ^ i32::from(byte);
    }
    hash.wrapping_abs() as u32
}

/// Case-insensitive ASCII comparison, as `strcasecmp` in the C locale.
pub(crate) fn eq_ignore_case(a: &[u8], b: &[u8]) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// `ast_true`: `yes`, `true`, `y`, `t`, `1`, `on` in any case.
pub(crate) fn is_true(value: &[u8]) -> bool {
    [&b"yes"[..], b"true", b"y", b"t", b"1", b"on"]
        .iter()
        .any(|word| eq_ignore_case(value, word))
}

/// `ast_false`: `no`, `false`, `n`, `f`, `0`, `off` in any case.
pub(crate) fn is_false(value: &[u8]) -> bool {
    [&b"no"[..], b"false", b"n", b"f", b"0", b"off"]
        .iter()
        .any(|word| eq_ignore_case(value, word))
}

/// `atoi` in the C library: optional blanks (space, `\t\n\v\f\r`), an optional sign, then
/// digits; the value as `strtol` computes it (saturating at the 64-bit range), truncated to
/// 32 bits as the `int` result is.
pub(crate) fn atoi(bytes: &[u8]) -> i32 {
    let mut rest = bytes;
    while let [b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r', tail @ ..] = rest {
        rest = tail;
    }
    let negative = match rest {
        [b'-', tail @ ..] => {
            rest = tail;
            true
        }
        [b'+', tail @ ..] => {
            rest = tail;
            false
        }
        _ => false,
    };
    let mut value: i64 = 0;
    for &byte in rest {
        if !byte.is_ascii_digit() {
            break;
        }
        let digit = i64::from(byte - b'0');
        value = if negative {
            value.saturating_mul(10).saturating_sub(digit)
        } else {
            value.saturating_mul(10).saturating_add(digit)
        };
    }
    value as i32
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn lines_drop_one_cr_before_each_lf() {
        let text = b"Event: A\r\nX: 1\n\r\r\nlast";
        let got: Vec<&[u8]> = lines(text).collect();
        assert_eq!(got, [&b"Event: A"[..], b"X: 1", b"\r", b"last"]);
        let got: Vec<&[u8]> = lines(b"Event: A\r\n\r\n").collect();
        assert_eq!(got, [&b"Event: A"[..], b""]);
    }

    #[test]
    fn blanks_are_every_byte_below_33() {
        assert_eq!(strip(b"\x01\t x y \x1f\r"), b"x y");
        assert_eq!(skip_blanks(b"   "), b"");
        assert_eq!(trim_blanks(b""), b"");
    }

    #[test]
    fn name_hash_is_asterisks_djb2_variant() {
        // 5381 * 33 ^ 'A' computed by hand.
        assert_eq!(name_hash(b"A"), ((5381i32 * 33) ^ 65) as u32);
        assert_eq!(name_hash(b"Newchannel\0ignored"), name_hash(b"Newchannel"));
        assert_ne!(name_hash(b"Newchannel"), name_hash(b"newchannel"));
    }

    #[test]
    fn atoi_follows_strtol() {
        assert_eq!(atoi(b"5000"), 5000);
        assert_eq!(atoi(b" -12x"), -12);
        assert_eq!(atoi(b"abc"), 0);
        assert_eq!(atoi(b"4294967297"), 1);
        assert_eq!(atoi(b"99999999999999999999999"), -1);
    }
}
