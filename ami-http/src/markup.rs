//! Text inside Asterisk's markup: the references Asterisk writes for `<`, `>`, `&`, `'` and
//! `"` (and XML's numeric character references), and, in the manager page, the `<br>` that
//! joins the lines of opaque data.

use memchr::memchr2;

use crate::error::DecodeErrorKind;

/// Which markup a text comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Markup {
    /// An mxml attribute value: a raw `<` is not allowed, line breaks are kept as they are
    /// (Asterisk means them as line breaks, so XML's attribute-value normalisation, which
    /// would turn them into spaces, is not applied).
    Xml,
    /// A manager table cell: `<br>` followed by LF is a line break; no other tag may appear.
    Html,
}

/// Decodes `raw`, which starts at body offset `at`. On error, returns what was wrong and
/// the body offset of the reference or tag at fault.
pub(crate) fn unescape(
    raw: &[u8],
    at: usize,
    markup: Markup,
) -> Result<Vec<u8>, (DecodeErrorKind, usize)> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(found) = memchr2(b'&', b'<', &raw[i..]) {
        let p = i + found;
        out.extend_from_slice(&raw[i..p]);
        if raw[p] == b'<' {
            match markup {
                Markup::Html if raw[p..].starts_with(b"<br>\n") => {
                    out.push(b'\n');
                    i = p + b"<br>\n".len();
                    continue;
                }
                Markup::Html => return Err((DecodeErrorKind::Expected("text or `<br>`"), at + p)),
                Markup::Xml => return Err((DecodeErrorKind::Expected("`&lt;` for `<`"), at + p)),
            }
        }
        let bad = (DecodeErrorKind::BadReference, at + p);
        // The longest reference is `&#x10FFFF;` (10 bytes); allow leading zeros up to 16.
        let end = raw[p..]
            .iter()
            .take(16)
            .position(|&b| b == b';')
            .ok_or(bad)?;
        let name = &raw[p + 1..p + end];
        match name {
            b"lt" => out.push(b'<'),
            b"gt" => out.push(b'>'),
            b"amp" => out.push(b'&'),
            b"apos" => out.push(b'\''),
            b"quot" => out.push(b'"'),
            _ => {
                let c = char_reference(name).ok_or(bad)?;
                let mut utf8 = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
            }
        }
        i = p + end + 1;
    }
    out.extend_from_slice(&raw[i..]);
    Ok(out)
}

/// `#65` or `#x41` as the character it names; `None` for anything else, NUL included.
fn char_reference(name: &[u8]) -> Option<char> {
    let digits = name.strip_prefix(b"#")?;
    let (digits, radix) = match digits
        .strip_prefix(b"x")
        .or_else(|| digits.strip_prefix(b"X"))
    {
        Some(hex) => (hex, 16),
        None => (digits, 10),
    };
    if digits.is_empty() {
        return None;
    }
    let mut value: u32 = 0;
    for &d in digits {
        let digit = (d as char).to_digit(radix)?;
        value = value.checked_mul(radix)?.checked_add(digit)?;
    }
    char::from_u32(value).filter(|&c| c != '\0')
}

/// XML's white space between markup.
pub(crate) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// The offset of the first byte at or after `from` that is not white space.
pub(crate) fn skip_space(body: &[u8], from: usize) -> usize {
    body[from..]
        .iter()
        .position(|&b| !is_space(b))
        .map_or(body.len(), |n| from + n)
}

/// The offset of the first of `tags` at or after `from`, looking only at `<` bytes, in one
/// pass (so that going on after errors stays linear in the body).
pub(crate) fn find_tag(body: &[u8], from: usize, tags: &[&[u8]]) -> Option<usize> {
    memchr::memchr_iter(b'<', &body[from..])
        .map(|i| from + i)
        .find(|&p| tags.iter().any(|tag| body[p..].starts_with(tag)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        let ok = |raw: &[u8]| unescape(raw, 0, Markup::Xml).unwrap();
        assert_eq!(ok(b"&lt;unknown&gt;"), b"<unknown>");
        assert_eq!(ok(b"a&amp;b&apos;c&quot;"), b"a&b'c\"");
        assert_eq!(ok(b"&#65;&#x42;&#X43;&#0000067;"), b"ABCC");
        assert_eq!(ok("&#xE9;&#9742;".as_bytes()), "é☎".as_bytes());
        assert_eq!(ok(b"line\nline"), b"line\nline");
        let err = |raw: &[u8]| unescape(raw, 10, Markup::Xml).unwrap_err();
        assert_eq!(err(b"x&nbsp;"), (DecodeErrorKind::BadReference, 11));
        assert_eq!(err(b"&#0;").0, DecodeErrorKind::BadReference);
        assert_eq!(err(b"&#xD800;").0, DecodeErrorKind::BadReference);
        assert_eq!(err(b"&#x110000;").0, DecodeErrorKind::BadReference);
        assert_eq!(err(b"&#99999999999999;").0, DecodeErrorKind::BadReference);
        assert_eq!(err(b"&amp").0, DecodeErrorKind::BadReference);
        assert_eq!(err(b"&;").0, DecodeErrorKind::BadReference);
        assert_eq!(err(b"&#;").0, DecodeErrorKind::BadReference);
        assert_eq!(err(b"&#x;").0, DecodeErrorKind::BadReference);
        assert_eq!(err(b"a<b").1, 11);
    }

    #[test]
    fn html_line_breaks() {
        let html = |raw: &[u8]| unescape(raw, 0, Markup::Html);
        assert_eq!(
            html(b"a<br>\nb<br>\n--END COMMAND--").unwrap(),
            b"a\nb\n--END COMMAND--"
        );
        assert_eq!(html(b"a<br>b").unwrap_err().1, 1);
        assert_eq!(html(b"<b>x</b>").unwrap_err().1, 0);
        assert!(unescape(b"a<br>\nb", 0, Markup::Xml).is_err());
    }
}
