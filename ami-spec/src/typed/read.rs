//! How the generated accessors read a header's value, and how Asterisk reads the values a
//! client sends (for the list actions whose answer depends on a header).

use ami_proto::Message;

/// The value of the first header named `key` (ASCII case ignored), as
/// [`Message::get`](ami_proto::Message::get) gives it; a key spelled as documented (the
/// usual case) is recognised with one `memcmp`.
///
/// ```
/// use ami_proto::{Decoded, Decoder, Item};
///
/// let wire = b"Event: Hangup\r\nchannel: A\r\nChannel: B\r\n\r\n";
/// let mut decoder = Decoder::new();
/// let Decoded::Item { item: Item::Message(m), .. } = decoder.decode(wire) else { panic!() };
/// assert_eq!(ami_spec::typed::lookup(&m, "Channel"), Some(&b"A"[..]));
/// ```
#[inline]
pub fn lookup<'a>(message: &Message<'a>, key: &str) -> Option<&'a [u8]> {
    let key = key.as_bytes();
    message
        .headers()
        .find(|h| h.key.len() == key.len() && (h.key == key || h.key.eq_ignore_ascii_case(key)))
        .map(|h| h.value)
}

/// The value as text: `None` when absent or not UTF-8 (the accessor's `_bytes` twin gives
/// the bytes either way).
///
/// ```
/// assert_eq!(ami_spec::typed::text(Some(b"PJSIP/100")), Some("PJSIP/100"));
/// assert_eq!(ami_spec::typed::text(Some(b"Zo\xeb")), None);
/// ```
pub fn text(value: Option<&[u8]>) -> Option<&str> {
    value.and_then(|v| core::str::from_utf8(v).ok())
}

/// The value as a decimal integer, as Asterisk prints one (`%d`): an optional `-` and
/// digits, nothing else. `None` when absent, empty, not a number or out of range.
///
/// ```
/// use ami_spec::typed::number;
/// assert_eq!(number(Some(b"42")), Some(42));
/// assert_eq!(number(Some(b"-1")), Some(-1));
/// assert_eq!(number(Some(b"")), None);
/// assert_eq!(number(Some(b"4 2")), None);
/// assert_eq!(number(Some(b"99999999999999999999")), None);
/// ```
pub fn number(value: Option<&[u8]>) -> Option<i64> {
    let value = value?;
    let (negative, digits) = match value.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, value),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut n: i64 = 0;
    for &d in digits {
        let d = i64::from(d - b'0');
        n = n.checked_mul(10)?;
        n = if negative {
            n.checked_sub(d)?
        } else {
            n.checked_add(d)?
        };
    }
    Some(n)
}

/// Whether Asterisk reads `value` as true (its `ast_true`): `yes`, `true`, `y`, `t`, `1`
/// or `on`, ASCII case ignored; anything else (empty included) is false.
///
/// ```
/// use ami_spec::typed::ast_true;
/// assert!(ast_true("yes") && ast_true("TRUE") && ast_true("1") && ast_true("On"));
/// assert!(!ast_true("no") && !ast_true("") && !ast_true(" yes") && !ast_true("2"));
/// ```
pub fn ast_true(value: &str) -> bool {
    ["yes", "true", "y", "t", "1", "on"]
        .iter()
        .any(|t| value.eq_ignore_ascii_case(t))
}

/// Whether Asterisk reads `value` as a regular expression where an action takes a name or
/// a `/regex/` (Hangup's `Channel`): it starts with `/`. Asterisk answers such a request
/// with a list, or with an error when the regular expression is malformed.
///
/// ```
/// use ami_spec::typed::is_regex;
/// assert!(is_regex("/^PJSIP\\/100-.*$/"));
/// assert!(!is_regex("PJSIP/100-00000001"));
/// ```
pub fn is_regex(value: &str) -> bool {
    value.starts_with('/')
}
