//! Line-level nom parsers shared by the dump grammars (complete mode: end of input is final).

use nom::branch::alt;
use nom::bytes::complete::{tag, take_until, take_while1};
use nom::character::complete::{char, line_ending, not_line_ending, space0};
use nom::combinator::{eof, map, value, verify};
use nom::multi::many0_count;
use nom::sequence::{delimited, terminated};
use nom::Parser;

use super::error::PErr;
use crate::model::DocKind;

/// Result of a parser over dump text.
pub(crate) type Res<'a, O> = nom::IResult<&'a str, O, PErr<'a>>;

/// The end of a line: a line ending, or the end of the text.
fn eol(i: &str) -> Res<'_, ()> {
    alt((value((), line_ending), value((), eof))).parse(i)
}

/// One whole line without its ending; fails at the end of the text.
pub(crate) fn line(i: &str) -> Res<'_, &str> {
    if i.is_empty() {
        return PErr::soft(i, "expected a line, found the end of the file");
    }
    terminated(not_line_ending, eol).parse(i)
}

/// A line holding only whitespace.
pub(crate) fn blank(i: &str) -> Res<'_, &str> {
    verify(line, |l: &str| l.trim().is_empty()).parse(i)
}

/// Any number of blank lines.
pub(crate) fn blanks(i: &str) -> Res<'_, usize> {
    many0_count(blank).parse(i)
}

/// `  -= Info about Manager Event 'Name' =- ` (or `Command`).
pub(crate) fn title(i: &str) -> Res<'_, (DocKind, &str)> {
    let kind = alt((
        value(DocKind::Event, tag("Event")),
        value(DocKind::Action, tag("Command")),
    ));
    let (i, (_, _, kind, _, name, _, _, _)) = (
        space0,
        tag("-= Info about Manager "),
        kind,
        tag(" '"),
        take_until("' =-"),
        tag("' =-"),
        space0,
        eol,
    )
        .parse(i)?;
    Ok((i, (kind, name)))
}

/// `[Section Name]` alone on its line; returns the name.
pub(crate) fn section_header(i: &str) -> Res<'_, &str> {
    let name = take_while1(|c: char| c.is_ascii_alphabetic() || c == ' ');
    terminated(delimited(char('['), name, char(']')), (space0, eol)).parse(i)
}

/// `Event: Name` at the start of a line: the first line of an event's help.
pub(crate) fn event_marker(i: &str) -> Res<'_, &str> {
    let name = verify(map(not_line_ending, str::trim), |n: &str| {
        !n.is_empty()
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    });
    delimited(tag("Event: "), name, eol).parse(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_line_kinds() {
        let cases: &[(&str, bool, bool, bool)] = &[
            // text, is title, is section header, is event marker
            (
                "  -= Info about Manager Event 'Hangup' =- \n",
                true,
                false,
                false,
            ),
            (
                "  -= Info about Manager Command 'Ping' =- ",
                true,
                false,
                false,
            ),
            ("[Synopsis]\n", false, true, false),
            ("[End List Responses]\n", false, true, false),
            ("[ActionID:] <value>\n", false, false, false),
            ("Event: Newstate\n", false, false, true),
            ("Event: <value>\n", false, false, false),
            ("Channel: <value>\n", false, false, false),
        ];
        for &(text, is_title, is_section, is_marker) in cases {
            assert_eq!(title(text).is_ok(), is_title, "{text:?}");
            assert_eq!(section_header(text).is_ok(), is_section, "{text:?}");
            assert_eq!(event_marker(text).is_ok(), is_marker, "{text:?}");
        }
    }

    #[test]
    fn line_needs_input() {
        assert!(line("").is_err());
        assert_eq!(line("a\nb").unwrap(), ("b", "a"));
        assert_eq!(line("last").unwrap(), ("", "last"));
        assert_eq!(blanks("\n   \n\nx").unwrap(), ("x", 3));
    }
}
