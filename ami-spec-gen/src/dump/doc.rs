//! The grammar of one `manager show event NAME` / `manager show command NAME` file.
//!
//! ```text
//! file     = blank* (not-found | item+) blank* EOF
//! item     = ["Event: NAME" blank*] [title blank*] section+
//! section  = "[Name]" body            (an unknown name is an error)
//! list     = "[List Responses]" ("None" | item+) ["[End List Responses]"]   (same for Final)
//! ```
//! A body runs until the next section header, title, or (outside `[Syntax]`) `Event:` line:
//! that is how 13.x, which has no end markers, separates the events embedded in a list.
//!
//! Two sections exist only in observed entries (`specs/observed/`), which we write from
//! captures: `[Observed In]` (one `Asterisk VERSION: CAPTURE` line per capture) and
//! `[List Condition]` (`Key: true` or `Key: /regex/`).

use nom::branch::alt;
use nom::bytes::complete::{tag, take_until};
use nom::character::complete::space0;
use nom::combinator::{eof, value};
use nom::sequence::{delimited, preceded};
use nom::Parser;

use super::args::arguments;
use super::error::PErr;
use super::lines::{blanks, event_marker, line, section_header, title, Res};
use super::syntax::syntax_body;
use crate::model::{Doc, DocFile, DocKind, ListCondition, Sighting, SyntaxValue};

/// What the dump prints for an empty section.
const NOT_AVAILABLE: &str = "Not available";

/// Parses a whole file.
pub(crate) fn doc_file(i: &str) -> Res<'_, DocFile> {
    let (i, _) = blanks(i)?;
    let (i, file) = match not_found(i) {
        Ok(done) => done,
        Err(nom::Err::Error(_)) => {
            let (i, docs) = items(false, i)?;
            (i, DocFile::Found(docs))
        }
        Err(e) => return Err(e),
    };
    let (i, _) = blanks(i)?;
    if eof::<_, PErr<'_>>(i).is_err() {
        let (_, l) = line(i)?;
        return PErr::fail(i, format!("unexpected line {l:?}"));
    }
    Ok((i, file))
}

/// `Could not find event 'NAME'`: the CLI's answer for an undocumented name.
fn not_found(i: &str) -> Res<'_, DocFile> {
    let kind = alt((
        value(DocKind::Event, tag("event")),
        value(DocKind::Action, alt((tag("command"), tag("action")))),
    ));
    let (i, (kind, name)) = (
        preceded(tag("Could not find "), kind),
        delimited(tag(" '"), take_until("'"), (tag("'"), space0)),
    )
        .parse(i)?;
    let (i, _) = line(i).unwrap_or((i, ""));
    Ok((
        i,
        DocFile::NotFound {
            kind,
            name: name.to_string(),
        },
    ))
}

/// One or more items.
fn items(nested: bool, mut i: &str) -> Res<'_, Vec<Doc>> {
    let mut docs = Vec::new();
    loop {
        match item(nested, i) {
            Ok((rest, doc)) => {
                docs.push(doc);
                i = rest;
            }
            Err(nom::Err::Error(e)) if docs.is_empty() => return Err(nom::Err::Error(e)),
            Err(nom::Err::Error(_)) => return Ok((i, docs)),
            Err(e) => return Err(e),
        }
    }
}

/// One definition: optional `Event:` line, optional title, then its sections.
fn item(nested: bool, start: &str) -> Res<'_, Doc> {
    let (i, _) = blanks(start)?;
    let (i, marker) = match event_marker(i) {
        Ok((rest, name)) => (blanks(rest)?.0, Some(name)),
        Err(_) => (i, None),
    };
    let (mut i, heading) = match title(i) {
        Ok((rest, heading)) => (blanks(rest)?.0, Some(heading)),
        Err(_) => (i, None),
    };
    let mut doc = Doc::default();
    let mut sections = 0;
    loop {
        let (at, _) = blanks(i)?;
        let Ok((after, name)) = section_header(at) else {
            break;
        };
        let (rest, mut body) = body(name == "Syntax", after)?;
        if body.len() == 1 && body[0].trim() == NOT_AVAILABLE {
            body.clear();
        }
        match name {
            "Synopsis" => doc.synopsis = paragraph(&body),
            "Provided By" => doc.provided_by = paragraph(&body),
            "Since" => doc.since = split_list(&body),
            "Description" => doc.description = text(&body),
            "Syntax" => doc.syntax = syntax_body(&body)?,
            "Arguments" => {
                doc.arguments = arguments(&body).or_else(|n| {
                    PErr::fail(
                        body[n],
                        format!("unrecognised [Arguments] line {:?}", body[n]),
                    )
                })?
            }
            "Privilege" => doc.privilege = split_list(&body),
            "Observed In" => doc.observed_in = sightings(&body)?,
            "List Condition" => doc.list_condition = Some(list_condition(&body)?),
            "See Also" => doc.see_also = split_list(&body),
            "List Responses" | "Final Response" if !nested => {
                let end = if name == "List Responses" {
                    "End List Responses"
                } else {
                    "End Final Response"
                };
                let (rest, embedded) = embedded(after, end)?;
                if name == "List Responses" {
                    doc.list_responses = embedded;
                } else {
                    doc.final_response = embedded;
                }
                i = rest;
                sections += 1;
                continue;
            }
            "List Responses" | "Final Response" | "End List Responses" | "End Final Response" => {
                break
            }
            other => return PErr::fail(at, format!("unknown section [{other}]")),
        }
        i = rest;
        sections += 1;
    }
    if sections == 0 {
        return PErr::soft(start, "expected a [Section]");
    }
    let (kind, name) = identify(&doc, marker, heading).map_or_else(
        || {
            PErr::fail(
                start,
                "a definition without a name (no title, Event: or fixed syntax line)".into(),
            )
        },
        Ok,
    )?;
    doc.kind = kind;
    doc.name = name;
    Ok((i, doc))
}

/// The name and kind, from the title, else the `Event:` line, else the first syntax line.
fn identify(
    doc: &Doc,
    marker: Option<&str>,
    heading: Option<(DocKind, &str)>,
) -> Option<(DocKind, String)> {
    if let Some((kind, name)) = heading {
        return Some((kind, name.to_string()));
    }
    if let Some(name) = marker {
        return Some((DocKind::Event, name.to_string()));
    }
    let first = doc.syntax.first()?;
    let SyntaxValue::Fixed(name) = &first.value else {
        return None;
    };
    let kind = if first.key.eq_ignore_ascii_case("Action") {
        DocKind::Action
    } else {
        DocKind::Event
    };
    Some((kind, name.clone()))
}

/// `None` or the embedded events of a list section, then its optional end marker.
fn embedded<'a>(i: &'a str, end: &str) -> Res<'a, Vec<Doc>> {
    let (i, _) = blanks(i)?;
    let (i, docs) = match line(i) {
        Ok((rest, l)) if l.trim() == "None" => (rest, Vec::new()),
        _ => items(true, i)?,
    };
    let (at, _) = blanks(i)?;
    match section_header(at) {
        Ok((rest, name)) if name == end => Ok((rest, docs)),
        _ => Ok((i, docs)),
    }
}

/// The lines of a section body, up to the next header, title or embedded `Event:` line.
fn body(syntax: bool, mut i: &str) -> Res<'_, Vec<&str>> {
    let mut lines = Vec::new();
    while !i.is_empty()
        && section_header(i).is_err()
        && title(i).is_err()
        && (syntax || event_marker(i).is_err())
    {
        let (rest, l) = line(i)?;
        lines.push(l);
        i = rest;
    }
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    while lines.first().is_some_and(|l| l.trim().is_empty()) {
        lines.remove(0);
    }
    Ok((i, lines))
}

/// `[Observed In]`: `Asterisk 23.4.1: corpus/asterisk-23.4.1/30_queue.server.bin` lines.
fn sightings<'a>(lines: &[&'a str]) -> Result<Vec<Sighting>, nom::Err<PErr<'a>>> {
    let mut out = Vec::new();
    for &l in lines.iter().filter(|l| !l.trim().is_empty()) {
        let parsed = l
            .trim()
            .strip_prefix("Asterisk ")
            .and_then(|rest| rest.split_once(": "))
            .filter(|(version, capture)| {
                !version.is_empty()
                    && version.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                    && !capture.trim().is_empty()
                    && !capture.contains(char::is_whitespace)
            });
        match parsed {
            Some((version, capture)) => out.push(Sighting {
                version: version.to_string(),
                capture: capture.to_string(),
            }),
            None => {
                return PErr::fail(
                    l,
                    format!("expected `Asterisk VERSION: CAPTURE` in [Observed In], found {l:?}"),
                )
            }
        }
    }
    Ok(out)
}

/// `[List Condition]`: one `Key: true` or `Key: /regex/` line.
fn list_condition<'a>(lines: &[&'a str]) -> Result<ListCondition, nom::Err<PErr<'a>>> {
    let filled: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| !l.trim().is_empty())
        .collect();
    let condition = match filled.as_slice() {
        [l] => match l.trim().split_once(": ") {
            Some((key, "true")) if valid_key(key) => Some(ListCondition::True(key.to_string())),
            Some((key, "/regex/")) if valid_key(key) => Some(ListCondition::Regex(key.to_string())),
            _ => None,
        },
        _ => None,
    };
    match (condition, filled.first()) {
        (Some(c), _) => Ok(c),
        (None, at) => PErr::fail(
            at.copied().unwrap_or(""),
            "expected one `Key: true` or `Key: /regex/` line in [List Condition]".into(),
        ),
    }
}

fn valid_key(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The body as text with its line breaks; `None` for `Not available` or nothing.
fn text(lines: &[&str]) -> Option<String> {
    let joined = lines
        .iter()
        .map(|l| l.trim_end())
        .collect::<Vec<_>>()
        .join("\n");
    (!joined.is_empty() && joined != NOT_AVAILABLE).then_some(joined)
}

/// The body as one paragraph (wrapped lines joined by spaces).
fn paragraph(lines: &[&str]) -> Option<String> {
    let joined = lines.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ");
    (!joined.is_empty() && joined != NOT_AVAILABLE).then_some(joined)
}

/// A comma-separated body (`[Since]`, `[Privilege]`, `[See Also]`).
fn split_list(lines: &[&str]) -> Vec<String> {
    paragraph(lines)
        .map(|p| {
            p.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::super::parse_doc;
    use crate::model::{DocFile, DocKind, SyntaxValue};

    #[test]
    fn unknown_section_names_its_line() {
        let text = "Event: X\n[Synopsis]\nHello.\n\n[Frobnicate]\nstuff\n";
        let err = parse_doc(text).unwrap_err();
        assert_eq!(err.line, 5);
        assert!(err.message.contains("[Frobnicate]"), "{}", err.message);
        let err = parse_doc(text).unwrap_err().in_file("x.txt");
        assert!(err.to_string().starts_with("x.txt:5:"), "{err}");
    }

    #[test]
    fn bad_syntax_and_stray_lines_are_errors() {
        let err = parse_doc("[Syntax]\nAction: Ping\nthis is not a header\n").unwrap_err();
        assert_eq!(err.line, 3);
        let err = parse_doc("Some text before anything\n").unwrap_err();
        assert_eq!(err.line, 1);
    }

    #[test]
    fn both_layouts() {
        // 13.x: the syntax names an action; no title.
        let old = "[Syntax]\nAction: Ping\n[ActionID:] <value>\n\n[Synopsis]\nKeepalive command.\n\n[List Responses]\nNone\n\n[Final Response]\nNone\n";
        let DocFile::Found(docs) = parse_doc(old).unwrap() else {
            panic!()
        };
        assert_eq!(
            (docs[0].kind, docs[0].name.as_str()),
            (DocKind::Action, "Ping")
        );
        assert_eq!(docs[0].syntax[1].value, SyntaxValue::Optional);
        assert!(docs[0].list_responses.is_empty());
        // 23.x: blank line, title, `Not available` placeholders.
        let new = "\n  -= Info about Manager Command 'Ping' =- \n\n[Synopsis]\nKeepalive command. \n\n[Provided By]\nbuiltin\n\n[Since]\n1.0.0, 1.2.0\n\n[Description]\nNot available\n\n[Syntax]\nAction: Ping\n\n[See Also]\nNot available\n\n[List Responses]\nNone\n\n[End List Responses]\n";
        let DocFile::Found(docs) = parse_doc(new).unwrap() else {
            panic!()
        };
        assert_eq!(docs[0].since, ["1.0.0", "1.2.0"]);
        assert_eq!(docs[0].description, None);
        assert!(docs[0].see_also.is_empty());
        assert_eq!(docs[0].provided_by.as_deref(), Some("builtin"));
        assert_eq!(
            parse_doc("Could not find event 'Foo'\n").unwrap(),
            DocFile::NotFound {
                kind: DocKind::Event,
                name: "Foo".into()
            }
        );
    }
}
