//! What the generated actions are made of: header keys (numbered ones built without
//! allocating) and a `Debug` that hides secrets.

use core::fmt;

use super::view::Lossy;

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

/// `Debug` of a generated action: `Name { Key: "value", ... }` with the values of `Secret`
/// and `Key` shown as `<hidden>` (a login's secret and MD5 key never reach a log).
pub fn debug_action(
    f: &mut fmt::Formatter<'_>,
    name: &str,
    headers: &[(HeaderKey<'_>, &str)],
) -> fmt::Result {
    let mut s = f.debug_struct(name);
    for (key, value) in headers {
        let key = key.as_str();
        let secret = key.eq_ignore_ascii_case("Secret") || key.eq_ignore_ascii_case("Key");
        let value: &[u8] = if secret {
            b"<hidden>"
        } else {
            value.as_bytes()
        };
        s.field(key, &Lossy(value));
    }
    s.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
