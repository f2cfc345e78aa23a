//! What Asterisk does to AMI text to answer in mxml or as the manager page: a model of
//! `xml_translate` in `main/manager.c` (Asterisk 13.38.3 and 23.4.1), for test servers
//! that answer like Asterisk and for round-trip tests. The tests check it byte for byte
//! against the recorded replies.
//!
//! The translation works line by line on the text rawman would send:
//! - A line ends at CR or LF; a LF right after either is part of the same break. So CRLF
//!   is one break, and so is LF LF: a single blank line inside LF-terminated text (a
//!   legacy Command body) disappears, while one after a CRLF line ends the section.
//! - Bytes below `!` (spaces, tabs, controls) are cut from the end of every line. An empty
//!   line ends the section (one AMI message).
//! - `Key: value` becomes a field: the key without the blanks before the colon, the value
//!   without the blanks after it. The `n`-th field with the same key (compared byte for
//!   byte) gets `-n` after its key.
//! - The first line without a colon starts opaque data (key `Opaque-data`), to which every
//!   further line of the section is added, joined by LF (mxml) or `<br>` and LF (page).
//! - mxml keys are lower-cased, every byte that is not an ASCII letter or digit becomes
//!   `_`, and a leading digit gets an `_` before it. Keys in the page and all values keep
//!   their bytes, with `<`, `>`, `"`, `'` and `&` written as entities.
//!
//! The text ends at its first NUL, as it does for Asterisk's C code. Sections are
//! `<response type='object' id='unknown'><generic .../></response>` (the defaults of the
//! `ajaxdest` and `ajaxobjtype` parameters) inside `<ajax-response>`; the page's rows are
//! put in a bare `<table>`, without Asterisk's title, heading and test form.

use std::collections::HashMap;

use crate::Encoding;

/// Appends `text` with XML's five special characters as entities.
fn escape(text: &[u8], out: &mut Vec<u8>) {
    for &b in text {
        match b {
            b'<' => out.extend_from_slice(b"&lt;"),
            b'>' => out.extend_from_slice(b"&gt;"),
            b'"' => out.extend_from_slice(b"&quot;"),
            b'\'' => out.extend_from_slice(b"&apos;"),
            b'&' => out.extend_from_slice(b"&amp;"),
            _ => out.push(b),
        }
    }
}

/// Appends an mxml attribute name made from `key`.
fn xml_name(key: &[u8], out: &mut Vec<u8>) {
    for (i, &b) in key.iter().enumerate() {
        if i == 0 && b.is_ascii_digit() {
            out.push(b'_');
            out.push(b);
        } else if b.is_ascii_alphanumeric() {
            out.push(b.to_ascii_lowercase());
        } else {
            out.push(b'_');
        }
    }
}

/// Splits `text` into lines the way Asterisk does (see the module docs).
fn lines(text: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < text.len() {
        if matches!(text[i], b'\r' | b'\n') {
            out.push(&text[start..i]);
            i += 1;
            if text.get(i) == Some(&b'\n') {
                i += 1;
            }
            start = i;
        } else {
            i += 1;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// `s` without the bytes below `!` at its end.
fn trim_end(s: &[u8]) -> &[u8] {
    let end = s.iter().rposition(|&b| b > b' ').map_or(0, |e| e + 1);
    &s[..end]
}

/// `s` without the bytes below `!` at its start.
fn trim_start(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&b| b > b' ').unwrap_or(s.len());
    &s[start..]
}

/// The body Asterisk sends for `text` (AMI text, as rawman sends it) in `encoding`.
///
/// ```
/// use ami_http::{render::render, Encoding};
/// let text = b"Response: Success\r\nChanVariable: A=1\r\nChanVariable: B=<2>\r\n\r\n";
/// assert_eq!(
///     render(Encoding::Mxml, text),
///     b"<ajax-response>\n<response type='object' id='unknown'><generic response='Success' \
///       chanvariable='A=1' chanvariable-2='B=&lt;2&gt;' /></response>\n</ajax-response>\n"
/// );
/// let page = render(Encoding::Manager, text);
/// assert!(page.ends_with(b"<tr><td>ChanVariable-2</td><td>B=&lt;2&gt;</td></tr>\n\
///     <tr><td colspan=\"2\"><hr></td></tr>\r\n</table>\r\n"));
/// assert_eq!(render(Encoding::Rawman, text), text);
/// ```
pub fn render(encoding: Encoding, text: &[u8]) -> Vec<u8> {
    let text = &text[..memchr::memchr(0, text).unwrap_or(text.len())];
    let xml = match encoding {
        Encoding::Rawman => return text.to_vec(),
        Encoding::Mxml => true,
        Encoding::Manager => false,
    };
    let mut out = Vec::with_capacity(text.len() * 2);
    out.extend_from_slice(if xml {
        b"<ajax-response>\n"
    } else {
        b"<table>\r\n"
    });
    let close_opaque: &[u8] = if xml { b"'" } else { b"</td></tr>\n" };
    let close_section: &[u8] = if xml {
        b" /></response>\n"
    } else {
        b"<tr><td colspan=\"2\"><hr></td></tr>\r\n"
    };
    let mut in_section = false;
    let mut in_opaque = false;
    let mut counts: HashMap<&[u8], usize> = HashMap::new();
    for line in lines(text) {
        let line = trim_end(line);
        if line.is_empty() {
            if std::mem::take(&mut in_opaque) {
                out.extend_from_slice(close_opaque);
            }
            if std::mem::take(&mut in_section) {
                out.extend_from_slice(close_section);
                counts.clear();
            }
            continue;
        }
        if !in_section {
            if xml {
                out.extend_from_slice(b"<response type='object' id='unknown'><generic");
            }
            in_section = true;
        }
        if in_opaque {
            out.extend_from_slice(if xml { b"\n" } else { b"<br>\n" });
            escape(line, &mut out);
            continue;
        }
        let (key, value): (&[u8], &[u8]) = match line.iter().position(|&b| b == b':') {
            Some(colon) => (trim_end(&line[..colon]), trim_start(&line[colon + 1..])),
            None => {
                in_opaque = true;
                (b"Opaque-data", line)
            }
        };
        let count = counts.entry(key).or_default();
        *count += 1;
        out.extend_from_slice(if xml { b" " } else { b"<tr><td>" });
        if xml {
            xml_name(key, &mut out);
        } else {
            escape(key, &mut out);
        }
        if *count > 1 {
            out.extend_from_slice(format!("-{count}").as_bytes());
        }
        out.extend_from_slice(if xml { b"='" } else { b"</td><td>" });
        escape(value, &mut out);
        if !in_opaque {
            out.extend_from_slice(if xml { b"'" } else { b"</td></tr>\n" });
        }
    }
    if in_opaque {
        out.extend_from_slice(close_opaque);
    }
    if in_section {
        out.extend_from_slice(close_section);
    }
    out.extend_from_slice(if xml {
        b"</ajax-response>\n"
    } else {
        b"</table>\r\n"
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks() {
        assert_eq!(
            lines(b"a\r\nb\n\nc\n\n\nd\re\r\n\nf"),
            [&b"a"[..], b"b", b"c", b"", b"d", b"e", b"", b"f"]
        );
        assert_eq!(lines(b"a\r\n\r\n"), [&b"a"[..], b""]);
    }

    #[test]
    fn keys_and_blanks() {
        let text = b"Event: X\r\n9Key (a): \t v \r\nOutput:\r\nOutput:   x\r\n";
        assert_eq!(
            render(Encoding::Mxml, text),
            b"<ajax-response>\n<response type='object' id='unknown'><generic event='X' _9key__a_='v' \
              output='' output-2='x' /></response>\n</ajax-response>\n"
        );
    }

    #[test]
    fn opaque_data() {
        let text = b"Response: Follows\r\nPrivilege: Command\r\nA: b\nno colon\nc: d\n--END COMMAND--\r\n\r\n";
        assert_eq!(
            render(Encoding::Mxml, text),
            b"<ajax-response>\n<response type='object' id='unknown'><generic response='Follows' \
              privilege='Command' a='b' opaque_data='no colon\nc: d\n--END COMMAND--' /></response>\n\
              </ajax-response>\n"
        );
        // Text that ends inside opaque data still gets its quote closed.
        assert_eq!(
            render(Encoding::Mxml, b"x\ny"),
            b"<ajax-response>\n<response type='object' id='unknown'><generic opaque_data='x\ny' /></response>\n</ajax-response>\n"
        );
        assert_eq!(
            render(Encoding::Mxml, b"\r\n"),
            b"<ajax-response>\n</ajax-response>\n"
        );
        assert_eq!(
            render(Encoding::Mxml, b"a: b\0c: d"),
            render(Encoding::Mxml, b"a: b")
        );
    }
}
