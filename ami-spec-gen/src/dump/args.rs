//! `[Arguments]`: header names at column 0, their help indented below.
//!
//! Asterisk renders its XML documentation as text wrapped before column 80: paragraphs and
//! `<enum>` values come out as indented lines with nothing marking which is which. A value
//! is recognised as a short line (`Up`, `Dialing Offhook`, `200(SR)`) or a `NAME - text`
//! line that starts a new line of output rather than continuing a wrapped one.

use crate::model::{Argument, ValueDoc};

/// The renderer never prints a line longer than this.
const WRAP_WIDTH: usize = 79;

/// Groups the lines of an `[Arguments]` body into arguments.
///
/// Returns the index of the first line that is neither a name nor indented help.
pub(crate) fn arguments(lines: &[&str]) -> Result<Vec<Argument>, usize> {
    let mut out: Vec<(String, Vec<&str>)> = Vec::new();
    for (n, &l) in lines.iter().enumerate() {
        if l.trim().is_empty() || l.starts_with(' ') {
            match out.last_mut() {
                Some((_, body)) => body.push(l),
                None if l.trim().is_empty() => {}
                None => return Err(n),
            }
        } else if l.trim_end().contains(' ') {
            return Err(n);
        } else {
            out.push((l.trim_end().to_string(), Vec::new()));
        }
    }
    Ok(out
        .into_iter()
        .map(|(name, body)| argument(name, &body))
        .collect())
}

/// A line of output after joining wrapped continuation lines.
struct Logical {
    indent: usize,
    text: String,
}

fn logical_lines(body: &[&str]) -> Vec<Logical> {
    let mut out: Vec<Logical> = Vec::new();
    let mut previous: Option<&str> = None;
    for &raw in body {
        let text = raw.trim();
        if text.is_empty() {
            previous = None;
            continue;
        }
        let indent = raw.len() - raw.trim_start().len();
        let first_word = text.split(' ').next().unwrap_or("");
        // A `NAME - text` line starts a value even after a long line (23.4.1 Cdr: `NO
        // ANSWER - ... disposition.` then `FAILED - ...`).
        let starts_value = as_value(text).is_some_and(|(_, doc)| !doc.is_empty());
        let continues = !starts_value
            && previous.is_some_and(|p| {
                let p = p.trim_end();
                p.len() - p.trim_start().len() == indent
                    && p.len() + 1 + first_word.len() > WRAP_WIDTH
            });
        match out.last_mut() {
            Some(last) if continues => {
                last.text.push(' ');
                last.text.push_str(text);
            }
            _ => out.push(Logical {
                indent,
                text: text.to_string(),
            }),
        }
        previous = Some(raw);
    }
    out
}

/// Splits a line into a value name and its meaning, if it reads like an `<enum>` entry.
fn as_value(text: &str) -> Option<(&str, &str)> {
    let (name, doc) = match text.split_once(" - ") {
        Some((name, doc)) => (name.trim(), doc.trim()),
        None => match text.strip_suffix(" -") {
            Some(name) => (name.trim(), ""),
            None => (text.trim(), ""),
        },
    };
    let words = name.split(' ').count();
    let value_like = !name.is_empty()
        && name.len() <= 40
        && words <= 2
        && !name.ends_with(['.', ':', ','])
        && name.split(' ').all(|w| {
            w.chars()
                .next()
                .is_some_and(|c| !c.is_ascii_lowercase() || words == 1)
        });
    value_like.then_some((name, doc))
}

fn append(doc: &mut String, text: &str) {
    if !doc.is_empty() {
        doc.push(' ');
    }
    doc.push_str(text);
}

fn argument(name: String, body: &[&str]) -> Argument {
    let lines = logical_lines(body);
    let base = lines.iter().map(|l| l.indent).min().unwrap_or(0);
    let mut arg = Argument {
        name,
        ..Argument::default()
    };
    for line in lines {
        let value = as_value(&line.text);
        if line.indent == base {
            match value {
                Some((name, doc)) => arg.values.push(ValueDoc {
                    name: name.to_string(),
                    doc: doc.to_string(),
                    children: Vec::new(),
                }),
                None => match arg.values.last_mut() {
                    Some(last) => append(&mut last.doc, &line.text),
                    None => arg.paragraphs.push(line.text),
                },
            }
            continue;
        }
        // Deeper: an option list under the last value, or more text about it.
        let Some(parent) = arg.values.last_mut() else {
            arg.paragraphs.push(line.text);
            continue;
        };
        match value {
            Some((name, doc)) => parent.children.push(ValueDoc {
                name: name.to_string(),
                doc: doc.to_string(),
                children: Vec::new(),
            }),
            None => match parent.children.last_mut() {
                Some(child) => append(&mut child.doc, &line.text),
                None => append(&mut parent.doc, &line.text),
            },
        }
    }
    // A lone short line is a one-line paragraph, not a list of one value.
    if arg.values.len() == 1 && arg.values[0].doc.is_empty() && arg.values[0].children.is_empty() {
        let lone = arg.values.pop().map(|v| v.name).unwrap_or_default();
        arg.paragraphs.push(lone);
    }
    arg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(values: &[ValueDoc]) -> Vec<&str> {
        values.iter().map(|v| v.name.as_str()).collect()
    }

    #[test]
    fn enum_values_and_paragraphs() {
        let text = "ChannelState
    A numeric code for the channel's current state, related to
    DestChannelStateDesc
ChannelStateDesc
    Down
    Dialing Offhook
    Pre-ring
DialStatus
    The result of the dial operation.
    ABORT - The call was aborted.
    CONTINUE - The dial completed, but the caller elected to continue in the
    dialplan.
    GOTO - The dial completed, but the caller jumped to a dialplan location.
    If known, the location the caller is jumping to will be appended to the
    result following a \":\".
    NOANSWER - The called party failed to answer.
PT
    The type of packet for this RTCP report.
    200(SR)
    201(RR)
Forward
    If the call was forwarded, where the call was forwarded to.
";
        let lines: Vec<&str> = text.lines().collect();
        let args = arguments(&lines).unwrap();
        assert_eq!(args.len(), 5);
        assert!(args[0].values.is_empty());
        assert_eq!(
            args[0].paragraphs,
            ["A numeric code for the channel's current state, related to DestChannelStateDesc"]
        );
        assert_eq!(
            names(&args[1].values),
            ["Down", "Dialing Offhook", "Pre-ring"]
        );
        assert_eq!(
            names(&args[2].values),
            ["ABORT", "CONTINUE", "GOTO", "NOANSWER"]
        );
        assert_eq!(args[2].paragraphs, ["The result of the dial operation."]);
        assert!(args[2].values[1].doc.ends_with("continue in the dialplan."));
        assert!(args[2].values[2].doc.contains("If known"));
        assert_eq!(names(&args[3].values), ["200(SR)", "201(RR)"]);
        assert!(args[4].values.is_empty());
    }

    #[test]
    fn a_value_after_a_long_line_is_a_value() {
        // 23.4.1 Cdr: the first value's line is long enough that `FAILED` would not have
        // fit after it, yet `FAILED - ...` starts the next value.
        let text = "Disposition
    The final known disposition of the CDR.
    NO ANSWER - The channel was not answered. This is the default disposition.
    FAILED - The channel attempted to dial but the call failed.
    NOTE: The congestion setting in \"cdr.conf\" can result in the
    'AST_CAUSE_CONGESTION' hang up cause or the 'CONGESTION' dial status to map
    to this disposition. 
    BUSY - The channel attempted to dial but the remote party was busy.
    ANSWERED - The channel was answered. The hang up cause will no longer
    impact the disposition of the CDR.
";
        let lines: Vec<&str> = text.lines().collect();
        let args = arguments(&lines).unwrap();
        assert_eq!(
            names(&args[0].values),
            ["NO ANSWER", "FAILED", "BUSY", "ANSWERED"]
        );
        assert!(args[0].values[1].doc.contains("NOTE: The congestion"));
        assert!(args[0].values[3].doc.ends_with("disposition of the CDR."));
    }

    #[test]
    fn nested_option_lists() {
        let text = "Options-000000
    A comma separated list of action-specific options.
    NewCat - One or more of the following... 
        allowdups - Allow duplicate category names.
        template - This category is a template.
     
    Insert -  
        catfilter=\"<expression>[,...]\" -  
        A comma separated list of expressions.
";
        let lines: Vec<&str> = text.lines().collect();
        let args = arguments(&lines).unwrap();
        assert_eq!(names(&args[0].values), ["NewCat", "Insert"]);
        assert_eq!(
            names(&args[0].values[0].children),
            ["allowdups", "template"]
        );
        assert_eq!(args[0].values[1].children.len(), 1);
    }

    #[test]
    fn text_at_column_zero_with_spaces_is_an_error() {
        let lines = ["Channel", "    The channel.", "not an argument name"];
        assert_eq!(arguments(&lines).unwrap_err(), 2);
    }
}
