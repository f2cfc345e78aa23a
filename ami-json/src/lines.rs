//! The JSON Lines that `ami decode` prints, one object per decoded item (a public
//! contract: see the README's `ami decode` section), written by serde_json. `ami listen`,
//! `ami send` and the bridge's NATS messages use the same objects; the `*_object` writers
//! leave the newline out (one object per NATS message).
//!
//! Strings are the wire bytes; bytes that are not UTF-8 become U+FFFD (the decoder itself
//! keeps them). Control characters are written as `\n`, `\r`, `\t` or `\u00XX`, and DEL as
//! `\u007f` ([`Escapes`]), so that no terminal control byte reaches the output raw.
//! `--typed` lines keep the `type` of every line; an event or a response carries its
//! ami-spec typed form (see [`write_typed`]).

use std::borrow::Cow;
use std::fmt::Display;
use std::io::{self, Write};

use ami_proto::{Item, Kind, Message};
use ami_spec::{Event, Response};
use serde::ser::{Serialize, SerializeStruct, Serializer};
use serde_json::ser::{CharEscape, CompactFormatter, Formatter};

/// Writes one decoded item as a line: `banner`, `text`, or a message (`event`,
/// `response`, `action` or `message`) with its headers and any Command output.
///
/// ```
/// use ami_proto::{Item, OwnedMessage};
/// let hangup = OwnedMessage::from_headers([("Event", "Hangup"), ("Cause", "16")]).unwrap();
/// let mut out = Vec::new();
/// ami_json::write_item(&mut out, &Item::Message(hangup.message())).unwrap();
/// assert_eq!(out, b"{\"type\":\"event\",\"headers\":[[\"Event\",\"Hangup\"],[\"Cause\",\"16\"]]}\n");
/// ```
pub fn write_item(out: &mut impl Write, item: &Item<'_>) -> io::Result<()> {
    write_item_object(out, item)?;
    out.write_all(b"\n")
}

/// [`write_item`] without the newline: the JSON object alone.
///
/// ```
/// use ami_proto::{Item, OwnedMessage};
/// let pong = OwnedMessage::from_headers([("Response", "Success"), ("Ping", "Pong")]).unwrap();
/// let mut out = Vec::new();
/// ami_json::write_item_object(&mut out, &Item::Message(pong.message())).unwrap();
/// assert_eq!(out, br#"{"type":"response","headers":[["Response","Success"],["Ping","Pong"]]}"#);
/// ```
pub fn write_item_object(out: &mut impl Write, item: &Item<'_>) -> io::Result<()> {
    match item {
        Item::Banner(text) => write_object(out, &Text("banner", text)),
        Item::Text(text) => write_object(out, &Text("text", text)),
        Item::Message(message) => write_object(out, &MessageLine(message)),
        other => write_object(out, &Text("item", format!("{other:?}").as_bytes())),
    }
}

/// What a live connection reports besides messages (`ami listen`).
pub enum Status<'a> {
    /// `{"type":"connected","banner":"..."}`: logged in (after each login).
    Connected(&'a [u8]),
    /// `{"type":"disconnected","reason":"..."}`: the connection ended.
    Disconnected(&'a str),
    /// `{"type":"lagged","missed":N}`: the output fell behind and N items were lost.
    Lagged(u64),
}

/// Writes a [`Status`] line.
///
/// ```
/// let mut out = Vec::new();
/// ami_json::write_status(&mut out, &ami_json::Status::Lagged(3)).unwrap();
/// assert_eq!(out, b"{\"type\":\"lagged\",\"missed\":3}\n");
/// ```
pub fn write_status(out: &mut impl Write, status: &Status<'_>) -> io::Result<()> {
    write_object(out, status)?;
    out.write_all(b"\n")
}

impl Serialize for Status<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut line = serializer.serialize_struct("Status", 2)?;
        match self {
            Status::Connected(banner) => {
                line.serialize_field("type", "connected")?;
                line.serialize_field("banner", &Lossy(banner))?;
            }
            Status::Disconnected(reason) => {
                line.serialize_field("type", "disconnected")?;
                line.serialize_field("reason", reason)?;
            }
            Status::Lagged(missed) => {
                line.serialize_field("type", "lagged")?;
                line.serialize_field("missed", missed)?;
            }
        }
        line.end()
    }
}

/// Writes a decoding error as `{"type":"error","offset":N,"error":"..."}`.
pub fn write_error(out: &mut impl Write, error: &ami_proto::Error) -> io::Result<()> {
    write_error_object(out, error)?;
    out.write_all(b"\n")
}

/// [`write_error`] without the newline.
pub fn write_error_object(out: &mut impl Write, error: &ami_proto::Error) -> io::Result<()> {
    write_object(out, &ErrorLine(error.offset, error))
}

/// Writes any other decoding error the same way, `offset` being where it is in its input
/// (an AJAM body's, for instance).
///
/// ```
/// let mut out = Vec::new();
/// ami_json::write_error_at(&mut out, 7, &"bad tag").unwrap();
/// assert_eq!(out, b"{\"type\":\"error\",\"offset\":7,\"error\":\"bad tag\"}\n");
/// ```
pub fn write_error_at(out: &mut impl Write, offset: u64, error: &impl Display) -> io::Result<()> {
    write_object(out, &ErrorLine(offset, error))?;
    out.write_all(b"\n")
}

/// Writes a message for `--typed`:
///
/// - an event a spec or an observed entry describes:
///   `{"type":"event","typed":true,"event":{...}}`, the object being ami-spec's JSON of
///   the event (`"Event"`, the documented headers present in field order, numbered families,
///   `"ExtraHeaders"`);
/// - an event nothing describes: `{"type":"event","typed":false,"headers":[...]}`, the
///   `--json` line with `"typed":false`;
/// - a response: `{"type":"response","typed":true,"response":{...}}` (`"Response"`,
///   `"ActionID"`, `"Message"`, `"EventList"`, `"ExtraHeaders"`), plus `"output"` and
///   `"truncated"` for a legacy Command reply as in `--json`;
/// - anything else: its `--json` line.
///
/// These lines keep serde_json's own escapes (`\b`, `\f`, DEL raw) as they always have:
/// `Escapes` would change them and scan every typed string once more for DEL.
pub fn write_typed(out: &mut impl Write, message: &Message<'_>) -> io::Result<()> {
    write_typed_object(out, message)?;
    out.write_all(b"\n")
}

/// [`write_typed`] without the newline.
///
/// ```
/// use ami_proto::OwnedMessage;
/// let hangup = OwnedMessage::from_headers([("Event", "Hangup"), ("Cause", "16")]).unwrap();
/// let mut out = Vec::new();
/// ami_json::write_typed_object(&mut out, &hangup.message()).unwrap();
/// assert!(out.starts_with(br#"{"type":"event","typed":true,"event":{"Event":"Hangup""#));
/// ```
pub fn write_typed_object(out: &mut impl Write, message: &Message<'_>) -> io::Result<()> {
    match message.kind() {
        Kind::Event => match Event::from_message(message) {
            Event::Unknown(_) => serde_json::to_writer(&mut *out, &UntypedEvent(message))?,
            event => serde_json::to_writer(&mut *out, &TypedLine::Event(event))?,
        },
        Kind::Response => match Response::from_message(message) {
            Some(response) => serde_json::to_writer(&mut *out, &TypedLine::Response(response))?,
            None => serde_json::to_writer(&mut *out, &MessageLine(message))?,
        },
        _ => serde_json::to_writer(&mut *out, &MessageLine(message))?,
    }
    Ok(())
}

/// A typed `--typed` line.
enum TypedLine<'a> {
    Event(Event<'a>),
    Response(Response<'a>),
}

impl Serialize for TypedLine<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut line = serializer.serialize_struct("TypedLine", 5)?;
        match self {
            TypedLine::Event(event) => {
                line.serialize_field("type", "event")?;
                line.serialize_field("typed", &true)?;
                line.serialize_field("event", event)?;
            }
            TypedLine::Response(response) => {
                line.serialize_field("type", "response")?;
                line.serialize_field("typed", &true)?;
                line.serialize_field("response", response)?;
                let message = response.as_message();
                if let Some(body) = message.command_body() {
                    line.serialize_field("output", &Lossy(body))?;
                    if message.is_truncated() {
                        line.serialize_field("truncated", &true)?;
                    }
                }
            }
        }
        line.end()
    }
}

/// `{"type":"event","typed":false,"headers":[...]}`.
struct UntypedEvent<'m, 'a>(&'m Message<'a>);

impl Serialize for UntypedEvent<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut line = serializer.serialize_struct("UntypedEvent", 3)?;
        line.serialize_field("type", "event")?;
        line.serialize_field("typed", &false)?;
        line.serialize_field("headers", &Headers(self.0))?;
        line.end()
    }
}

/// Writes `value` as compact JSON with [`Escapes`].
fn write_object(out: &mut impl Write, value: &impl Serialize) -> io::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(&mut *out, Escapes);
    value.serialize(&mut serializer)?;
    Ok(())
}

/// serde_json's compact output, but with every control character as `\u00XX` except `\n`,
/// `\r` and `\t` (serde_json writes `\b` and `\f`), and DEL (0x7F, which JSON allows raw)
/// as `\u007f`.
struct Escapes;

impl Formatter for Escapes {
    fn write_char_escape<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        escape: CharEscape,
    ) -> io::Result<()> {
        let escape = match escape {
            CharEscape::Backspace => CharEscape::AsciiControl(0x08),
            CharEscape::FormFeed => CharEscape::AsciiControl(0x0c),
            other => other,
        };
        CompactFormatter.write_char_escape(writer, escape)
    }

    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        for (i, piece) in fragment.as_bytes().split(|&b| b == 0x7f).enumerate() {
            if i > 0 {
                writer.write_all(b"\\u007f")?;
            }
            writer.write_all(piece)?;
        }
        Ok(())
    }
}

/// Wire bytes as a JSON string, U+FFFD for bytes that are not UTF-8.
struct Lossy<'a>(&'a [u8]);

impl Serialize for Lossy<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text: Cow<'_, str> = String::from_utf8_lossy(self.0);
        serializer.serialize_str(&text)
    }
}

/// `{"type":TYPE,"text":"..."}`: the banner, or a block that is not headers.
struct Text<'a>(&'static str, &'a [u8]);

impl Serialize for Text<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut line = serializer.serialize_struct("Text", 2)?;
        line.serialize_field("type", self.0)?;
        line.serialize_field("text", &Lossy(self.1))?;
        line.end()
    }
}

/// `{"type":KIND,"headers":[["Key","Value"],...]}`, plus `"output"` (and `"truncated"`)
/// for a legacy `Response: Follows` Command reply.
struct MessageLine<'m, 'a>(&'m Message<'a>);

impl Serialize for MessageLine<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let message = self.0;
        let kind = match message.kind() {
            Kind::Event => "event",
            Kind::Response => "response",
            Kind::Action => "action",
            _ => "message",
        };
        let mut line = serializer.serialize_struct("Message", 4)?;
        line.serialize_field("type", kind)?;
        line.serialize_field("headers", &Headers(message))?;
        if let Some(body) = message.command_body() {
            line.serialize_field("output", &Lossy(body))?;
            if message.is_truncated() {
                line.serialize_field("truncated", &true)?;
            }
        }
        line.end()
    }
}

/// The headers in wire order as `[key, value]` pairs.
struct Headers<'m, 'a>(&'m Message<'a>);

impl Serialize for Headers<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(
            self.0
                .headers()
                .map(|header| (Lossy(header.key), Lossy(header.value))),
        )
    }
}

/// `{"type":"error","offset":N,"error":"..."}`.
struct ErrorLine<'e, E: ?Sized>(u64, &'e E);

impl<E: Display + ?Sized> Serialize for ErrorLine<'_, E> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut line = serializer.serialize_struct("Error", 3)?;
        line.serialize_field("type", "error")?;
        line.serialize_field("offset", &self.0)?;
        line.serialize_field("error", &Displayed(self.1))?;
        line.end()
    }
}

/// A value written as its `Display` text, without an intermediate `String`.
struct Displayed<'a, T: ?Sized>(&'a T);

impl<T: Display + ?Sized> Serialize for Displayed<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(bytes: &[u8]) -> String {
        let mut out = Vec::new();
        write_item(&mut out, &Item::Text(bytes)).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes_controls_quotes_and_replaces_bad_utf8() {
        assert_eq!(
            line(b"a\"b\\c\r\n\t\x01\x08\x0c\x1f\x7f/d\x7f"),
            "{\"type\":\"text\",\"text\":\"a\\\"b\\\\c\\r\\n\\t\\u0001\\u0008\\u000c\\u001f\\u007f/d\\u007f\"}\n"
        );
        assert_eq!(
            line(b"Zo\xc3\xab"),
            "{\"type\":\"text\",\"text\":\"Zo\u{eb}\"}\n"
        );
        assert_eq!(
            line(b"\xcf\xf0\xe8"),
            "{\"type\":\"text\",\"text\":\"\u{fffd}\u{fffd}\u{fffd}\"}\n"
        );
    }

    #[test]
    fn every_byte_value_reads_back_as_its_lossy_text() {
        let all: Vec<u8> = (0..=255).collect();
        let out = line(&all);
        assert!(
            out[..out.len() - 1].bytes().all(|b| b >= 0x20 && b != 0x7f),
            "no raw control byte in {out:?}"
        );
        let value: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(value["text"], *String::from_utf8_lossy(&all));
    }
}
