//! One translated section back into a message: the fields of an mxml `<generic>` element,
//! or the rows between two `<hr>` rows of the manager page.
//!
//! Asterisk makes a section from each block of AMI text (what rawman sends as is): every
//! line `Key: value` becomes a field; a repeated key gets a counter (`output`,
//! `output-2`, ...); the first line without a colon, and every line after it up to the end
//! of the block, becomes one field of opaque data (`opaque_data` in mxml, `Opaque-data` in
//! the manager page), its lines joined by LF (`<br>` + LF in the page). Here the counters
//! are taken off again, and opaque data becomes:
//! - in a `Response: Follows` section (Asterisk 13's Command reply), the Command body, so
//!   that [`Message::command_output`](ami_proto::Message::command_output) reads it as on
//!   TCP (with the fields whose key cannot be an AMI key put back in front of it);
//! - elsewhere, one header per line, under the key the markup gives it.

use std::collections::HashMap;

use ami_proto::{Config, Decoded, Decoder, Item, Limits, LineEndings, OwnedMessage};

use crate::error::{DecodeError, DecodeErrorKind};
use crate::markup::Markup;

/// One field of a section, its key and value already unescaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Field {
    pub(crate) key: Vec<u8>,
    pub(crate) value: Vec<u8>,
    /// Body offset of the field (attribute or row).
    pub(crate) offset: usize,
}

/// The key Asterisk gives opaque data.
fn opaque_key(markup: Markup) -> &'static [u8] {
    match markup {
        Markup::Xml => b"opaque_data",
        Markup::Html => b"Opaque-data",
    }
}

/// `base` and `n` when `key` is `base-n` with `n >= 2` written without leading zeros.
fn split_counter(key: &[u8]) -> Option<(&[u8], usize)> {
    let dash = key.iter().rposition(|&b| b == b'-')?;
    let (base, digits) = (&key[..dash], &key[dash + 1..]);
    if base.is_empty() || digits.is_empty() || digits.len() > 9 || digits[0] == b'0' {
        return None;
    }
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = std::str::from_utf8(digits).ok()?.parse().ok()?;
    (n >= 2).then_some((base, n))
}

/// Takes Asterisk's counters off repeated keys, in place.
///
/// mxml replaces every byte of a key that is not a letter or digit by `_`, so a `-n` at the
/// end of an mxml key is always a counter. The manager page keeps keys as they are, so
/// there `Key-n` is a counter only when exactly `n - 1` fields named `Key` (compared
/// byte for byte, as Asterisk counts) came before it in the section.
fn remove_counters(fields: &mut [Field], markup: Markup) {
    let mut seen: HashMap<Vec<u8>, usize> = HashMap::new();
    for field in fields {
        if let Some((base, n)) = split_counter(&field.key) {
            let counted = markup == Markup::Xml || seen.get(base).copied() == Some(n - 1);
            if counted {
                field.key.truncate(base.len());
            }
        }
        *seen.entry(field.key.clone()).or_default() += 1;
    }
}

/// Checks that `key: value` can be one header line within `limits`.
fn check_header(field: &Field, limits: &Limits, section: usize) -> Result<(), DecodeError> {
    let error = |kind| Err(DecodeError::new(kind, field.offset, section));
    let breaks = |b: &u8| matches!(b, b'\r' | b'\n');
    if field.key.is_empty() || field.key.iter().any(|b| breaks(b) || *b == b':') {
        return error(DecodeErrorKind::BadKey);
    }
    if field.value.iter().any(breaks) {
        return error(DecodeErrorKind::LineBreakInValue);
    }
    // As AMI would write it: `Key: value` and CRLF.
    if field.key.len() + field.value.len() + 4 > limits.max_line {
        return error(DecodeErrorKind::LineTooLong {
            limit: limits.max_line,
        });
    }
    Ok(())
}

/// The message a section holds. `section` is the section's body offset.
pub(crate) fn build(
    mut fields: Vec<Field>,
    markup: Markup,
    section: usize,
    limits: &Limits,
) -> Result<OwnedMessage, DecodeError> {
    if fields.is_empty() {
        return Err(DecodeError::new(
            DecodeErrorKind::EmptySection,
            section,
            section,
        ));
    }
    remove_counters(&mut fields, markup);
    // Opaque data runs to the end of the block Asterisk translated, so only the last field
    // of that name can be it: an earlier one was a line `Opaque-data: ...` (or, in mxml,
    // any key that lower-cases and mangles to `opaque_data`).
    let opaque = fields.iter().rposition(|f| f.key == opaque_key(markup));
    let follows = fields[0].key.eq_ignore_ascii_case(b"Response")
        && fields[0].value.eq_ignore_ascii_case(b"Follows");
    let fields = match opaque {
        _ if follows => return with_command_body(fields, opaque, section, limits),
        Some(index) => {
            // Opaque data outside a Command reply: one header per line, same key.
            let opaque = fields.remove(index);
            let mut offset = opaque.offset;
            let lines = opaque.value.split(|&b| b == b'\n').map(|line| {
                let field = Field {
                    key: opaque.key.clone(),
                    value: line.to_vec(),
                    offset,
                };
                offset += line.len() + 1;
                field
            });
            let after = fields.split_off(index);
            fields.extend(lines);
            fields.extend(after);
            fields
        }
        None => fields,
    };
    if fields.len() > limits.max_headers {
        let offset = fields[limits.max_headers].offset;
        return Err(DecodeError::new(
            DecodeErrorKind::TooManyHeaders {
                limit: limits.max_headers,
            },
            offset,
            section,
        ));
    }
    for field in &fields {
        check_header(field, limits, section)?;
    }
    let message = OwnedMessage::from_headers(fields.iter().map(|f| (&f.key, &f.value)));
    // Every key and value was checked above, and there is at least one field.
    Ok(message.expect("checked fields make a message"))
}

/// Whether `key` can be an AMI header key: `ami-proto` (like Asterisk's own reader) takes
/// no key with a space or tab, which is how CLI text such as `... W:0, C:0` is told from
/// headers.
fn is_header_key(key: &[u8]) -> bool {
    !key.iter().any(|&b| b == b' ' || b == b'\t')
}

/// A `Response: Follows` section (Asterisk 13's Command reply), rebuilt as its TCP form and
/// read back by `ami-proto`'s decoder, so the message is what a TCP client gets:
/// - the fields up to the first one whose key cannot be a header key are the headers;
/// - that field and the ones after it were output lines Asterisk split at their colon
///   (the manager page keeps such keys as they were, spaces and all): they are output
///   again, as `key:value` (blanks that stood around the colon are lost);
/// - the opaque data (at `opaque`) is the rest of the output and its `--END COMMAND--`.
fn with_command_body(
    mut fields: Vec<Field>,
    opaque: Option<usize>,
    section: usize,
    limits: &Limits,
) -> Result<OwnedMessage, DecodeError> {
    let opaque = opaque.map(|index| fields.remove(index));
    let output_start = fields
        .iter()
        .position(|f| !is_header_key(&f.key))
        .unwrap_or(fields.len());
    let output = fields.split_off(output_start);
    let headers = fields;
    if headers.len() > limits.max_headers {
        let offset = headers[limits.max_headers].offset;
        return Err(DecodeError::new(
            DecodeErrorKind::TooManyHeaders {
                limit: limits.max_headers,
            },
            offset,
            section,
        ));
    }
    let mut text = Vec::new();
    for field in &headers {
        check_header(field, limits, section)?;
        text.extend_from_slice(&field.key);
        text.extend_from_slice(b": ");
        text.extend_from_slice(&field.value);
        text.extend_from_slice(b"\r\n");
    }
    let mut body = Vec::new();
    for (i, field) in output.iter().enumerate() {
        if i > 0 {
            body.push(b'\n');
        }
        body.extend_from_slice(&field.key);
        body.push(b':');
        body.extend_from_slice(&field.value);
    }
    // Offset for errors in the body: where it starts in the section.
    let body_at = output
        .first()
        .or(opaque.as_ref())
        .map_or(section, |f| f.offset);
    if let Some(opaque) = &opaque {
        if !body.is_empty() {
            body.push(b'\n');
        }
        body.extend_from_slice(&opaque.value);
    }
    // Asterisk splits its output at every CR and LF and ends a section at an empty line,
    // so its output never holds CR or an empty line; with one, the text below would not
    // decode as this one message.
    let bad = DecodeError::new(DecodeErrorKind::BadOpaqueData, body_at, section);
    if body.contains(&b'\r')
        || (!body.is_empty() && body.split(|&b| b == b'\n').any(<[u8]>::is_empty))
    {
        return Err(bad);
    }
    // As on TCP: the output lines end in LF, then `--END COMMAND--` and CRLF, then the
    // blank line; output without the marker was cut off and ends at the blank line.
    text.extend_from_slice(&body);
    if body.ends_with(b"--END COMMAND--") {
        text.extend_from_slice(b"\r\n\r\n");
    } else if !body.is_empty() {
        text.extend_from_slice(b"\n\r\n");
    } else {
        text.extend_from_slice(b"\r\n");
    }
    let mut decoder = Decoder::with_config(
        Config::default()
            .with_line_endings(LineEndings::Crlf)
            .with_limits(*limits),
    );
    match decoder.decode(&text) {
        Decoded::Item {
            item: Item::Message(message),
            consumed,
        } if consumed == text.len() && message.len() == headers.len() => {
            Ok(OwnedMessage::new(&message))
        }
        Decoded::Error { error, .. } => {
            let kind = DecodeError::from(error).kind;
            let limit = matches!(
                kind,
                DecodeErrorKind::LineTooLong { .. }
                    | DecodeErrorKind::MessageTooLarge { .. }
                    | DecodeErrorKind::TooManyHeaders { .. }
            );
            Err(if limit {
                DecodeError::new(kind, section, section)
            } else {
                bad
            })
        }
        _ => Err(bad),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Vec<Field> {
        pairs
            .iter()
            .enumerate()
            .map(|(i, (k, v))| Field {
                key: k.as_bytes().to_vec(),
                value: v.as_bytes().to_vec(),
                offset: i * 10,
            })
            .collect()
    }

    fn keys(markup: Markup, pairs: &[(&str, &str)]) -> Vec<String> {
        let mut f = fields(pairs);
        remove_counters(&mut f, markup);
        f.iter()
            .map(|f| String::from_utf8(f.key.clone()).unwrap())
            .collect()
    }

    #[test]
    fn counters() {
        assert_eq!(split_counter(b"output-12"), Some((&b"output"[..], 12)));
        assert_eq!(split_counter(b"output-1"), None);
        assert_eq!(split_counter(b"output-02"), None);
        assert_eq!(split_counter(b"-2"), None);
        assert_eq!(split_counter(b"a-2x"), None);
        assert_eq!(split_counter(b"a-"), None);
        let xml = [("output", ""), ("output-2", ""), ("x-3", "")];
        assert_eq!(keys(Markup::Xml, &xml), ["output", "output", "x"]);
        // The page keeps keys, so only a count that fits is a counter.
        let html = [
            ("ChanVariable", ""),
            ("ChanVariable-2", ""),
            ("Report-2", ""),
            ("A-B-2", ""),
            ("A-B", ""),
            ("A-B-2", ""),
            ("ChanVariable-3", ""),
            ("chanvariable-4", ""),
        ];
        assert_eq!(
            keys(Markup::Html, &html),
            [
                "ChanVariable",
                "ChanVariable",
                "Report-2",
                "A-B-2",
                "A-B",
                "A-B",
                "ChanVariable",
                "chanvariable-4"
            ]
        );
    }

    #[test]
    fn opaque_data_outside_follows_is_one_header_per_line() {
        let f = fields(&[("event", "X"), ("opaque_data", "a\nb: c"), ("z", "1")]);
        let m = build(f, Markup::Xml, 0, &Limits::DEFAULT).unwrap();
        assert_eq!(
            m.as_bytes(),
            b"event: X\r\nopaque_data: a\r\nopaque_data: b: c\r\nz: 1\r\n\r\n"
        );
    }

    #[test]
    fn follows_opaque_data_is_the_command_body() {
        let f = fields(&[
            ("response", "Follows"),
            ("privilege", "Command"),
            ("opaque_data", "Event: Hangup\n  indented\n--END COMMAND--"),
        ]);
        let m = build(f, Markup::Xml, 0, &Limits::DEFAULT).unwrap();
        let m = m.message();
        assert!(m.is_follows());
        assert_eq!(m.len(), 2);
        assert_eq!(m.command_body(), Some(&b"Event: Hangup\n  indented\n"[..]));
        assert!(!m.is_truncated());
        // Without the marker the body is cut off, as on TCP.
        let f = fields(&[("Response", "Follows"), ("Opaque-data", "no marker")]);
        let m = build(f, Markup::Html, 0, &Limits::DEFAULT).unwrap();
        assert!(m.message().is_truncated());
        assert_eq!(
            m.message().command_output().collect::<Vec<_>>(),
            [b"no marker"]
        );
        // A first line that looks like a header is body all the same (on TCP too: a body
        // line ends in a bare LF).
        let f = fields(&[
            ("response", "Follows"),
            ("opaque_data", "x: y\n--END COMMAND--"),
        ]);
        let m = build(f, Markup::Xml, 0, &Limits::DEFAULT).unwrap();
        assert_eq!(m.message().len(), 1);
        assert_eq!(m.message().command_body(), Some(&b"x: y\n"[..]));
    }

    /// A line `Opaque-data: y` comes out under the opaque data's own key, counted; the
    /// opaque data is the last field of that name (a fuzzed page that went through
    /// `render` twice moved `--END COMMAND--` while the first one was taken).
    #[test]
    fn a_field_named_like_opaque_data_before_it_is_a_header() {
        for (markup, key, counted) in [
            (Markup::Html, "Opaque-data", "Opaque-data-2"),
            (Markup::Xml, "opaque_data", "opaque_data-2"),
        ] {
            let f = fields(&[
                ("Response", "Follows"),
                (key, "y"),
                (counted, "no colon\n--END COMMAND--"),
            ]);
            let m = build(f, markup, 0, &Limits::DEFAULT).unwrap();
            let m = m.message();
            assert_eq!(m.len(), 2, "{markup:?}");
            assert_eq!(m.get(key), Some(&b"y"[..]), "{markup:?}");
            assert_eq!(m.command_body(), Some(&b"no colon\n"[..]), "{markup:?}");
            assert!(!m.is_truncated());
            // Outside a Command reply too: the last one is split into lines.
            let f = fields(&[("Event", "X"), (key, "a\nb"), (counted, "c\nd")]);
            let m = build(f, markup, 0, &Limits::DEFAULT);
            assert_eq!(
                m.unwrap_err().kind,
                DecodeErrorKind::LineBreakInValue,
                "{markup:?}: only the last field of that name is opaque data"
            );
            let f = fields(&[("Event", "X"), (key, "a"), (counted, "c\nd")]);
            let m = build(f, markup, 0, &Limits::DEFAULT).unwrap();
            let values: Vec<&[u8]> = m.message().get_all(key).collect();
            assert_eq!(values, [&b"a"[..], b"c", b"d"], "{markup:?}");
        }
    }

    #[test]
    fn opaque_data_that_is_no_command_body() {
        for bad in ["a\r\nb", "a\n\nb", "\na", "a\n"] {
            let f = fields(&[("response", "Follows"), ("opaque_data", bad)]);
            let err = build(f, Markup::Xml, 5, &Limits::DEFAULT).unwrap_err();
            assert_eq!(err.kind, DecodeErrorKind::BadOpaqueData, "{bad:?}");
            assert_eq!((err.offset, err.message_offset), (10, 5));
        }
    }

    #[test]
    fn fields_that_are_no_headers() {
        let err = |pairs: &[(&str, &str)], limits: Limits| {
            build(fields(pairs), Markup::Html, 0, &limits).unwrap_err()
        };
        let d = Limits::DEFAULT;
        assert_eq!(err(&[], d).kind, DecodeErrorKind::EmptySection);
        assert_eq!(
            err(&[("A", "1"), ("B:C", "2")], d).kind,
            DecodeErrorKind::BadKey
        );
        assert_eq!(err(&[("A", "1"), ("B:C", "2")], d).offset, 10);
        assert_eq!(err(&[("", "1")], d).kind, DecodeErrorKind::BadKey);
        assert_eq!(
            err(&[("A", "1\r")], d).kind,
            DecodeErrorKind::LineBreakInValue
        );
        let small = Limits::DEFAULT
            .with_max_line(8)
            .with_max_message(100)
            .with_max_headers(2);
        // `A: 123` and CRLF are 8 bytes.
        assert_eq!(
            err(&[("A", "1234")], small).kind,
            DecodeErrorKind::LineTooLong { limit: 8 }
        );
        assert!(build(fields(&[("A", "123")]), Markup::Html, 0, &small).is_ok());
        let three = [("A", "1"), ("B", "2"), ("C", "3")];
        assert_eq!(
            err(&three, small).kind,
            DecodeErrorKind::TooManyHeaders { limit: 2 }
        );
        assert_eq!(err(&three, small).offset, 20);
    }
}
