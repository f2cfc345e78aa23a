//! `[Syntax]` lines and the numbered key families they may stand for.

use nom::branch::alt;
use nom::bytes::complete::{tag, take_till1};
use nom::character::complete::space0;
use nom::combinator::{all_consuming, map, rest, verify};
use nom::sequence::{delimited, preceded, terminated};
use nom::Parser;

use super::error::PErr;
use super::lines::Res;
use crate::model::{KeyPattern, SyntaxLine, SyntaxValue};

/// Parses one non-blank syntax line: `[Key:] <value>`, `Key: <value>` or `Key: Fixed`.
pub(crate) fn syntax_line(text: &str) -> Res<'_, SyntaxLine> {
    let key = || take_till1(|c: char| c == ':' || c == ']' || c == '[' || c == ' ');
    let placeholder = || (space0, tag("<value>"), space0);
    let optional = map(
        delimited(tag("["), key(), (tag(":]"), placeholder())),
        |k| (k, SyntaxValue::Optional),
    );
    let required = map(terminated(key(), (tag(":"), placeholder())), |k| {
        (k, SyntaxValue::Required)
    });
    let fixed = map(
        (
            key(),
            preceded(
                tag(": "),
                verify(map(rest, str::trim), |v: &str| !v.is_empty()),
            ),
        ),
        |(k, v)| (k, SyntaxValue::Fixed(v.to_string())),
    );
    let (i, (key, value)) = all_consuming(alt((optional, required, fixed))).parse(text)?;
    Ok((
        i,
        SyntaxLine {
            key: key.to_string(),
            pattern: key_pattern(key),
            value,
        },
    ))
}

/// Recognises the documentation's ways of writing a numbered key family.
///
/// `Name-000000` (zero-padded), `Name(0)`, `PrefixXSuffix` (an `X` between a lower-case letter
/// and an upper-case one) and `NameN`. Any other key is literal.
pub(crate) fn key_pattern(key: &str) -> KeyPattern {
    let b = key.as_bytes();
    if let Some(prefix) = key.strip_suffix("(0)") {
        return numbered(&format!("{prefix}("), ")", None);
    }
    if let Some(dash) = key.rfind('-') {
        let zeros = &key[dash + 1..];
        if !zeros.is_empty() && zeros.bytes().all(|c| c == b'0') && dash > 0 {
            return numbered(&key[..=dash], "", Some(zeros.len()));
        }
    }
    for at in 1..b.len().saturating_sub(1) {
        if b[at] == b'X' && b[at - 1].is_ascii_lowercase() && b[at + 1].is_ascii_uppercase() {
            return numbered(&key[..at], &key[at + 1..], None);
        }
    }
    if b.len() >= 2 && b[b.len() - 1] == b'N' && b[b.len() - 2].is_ascii_lowercase() {
        return numbered(&key[..b.len() - 1], "", None);
    }
    KeyPattern::Literal
}

fn numbered(prefix: &str, suffix: &str, width: Option<usize>) -> KeyPattern {
    KeyPattern::Numbered {
        prefix: prefix.to_string(),
        suffix: suffix.to_string(),
        width,
    }
}

/// Folds literal examples of a numbered family (`Header1` next to `HeaderN`) into it.
pub(crate) fn fold_examples(lines: &mut [SyntaxLine]) {
    let families: Vec<KeyPattern> = lines
        .iter()
        .filter(|l| l.pattern != KeyPattern::Literal)
        .map(|l| l.pattern.clone())
        .collect();
    for line in lines
        .iter_mut()
        .filter(|l| l.pattern == KeyPattern::Literal)
    {
        if let Some(family) = families.iter().find(|f| pattern_matches(f, &line.key)) {
            line.pattern = family.clone();
        }
    }
}

/// Whether a wire key belongs to a numbered family.
pub fn pattern_matches(pattern: &KeyPattern, key: &str) -> bool {
    match pattern {
        KeyPattern::Literal => false,
        KeyPattern::Numbered {
            prefix,
            suffix,
            width,
        } => {
            let Some(middle) = key
                .strip_prefix(prefix.as_str())
                .and_then(|k| k.strip_suffix(suffix.as_str()))
            else {
                return false;
            };
            !middle.is_empty()
                && middle.bytes().all(|c| c.is_ascii_digit())
                && width.is_none_or(|w| middle.len() == w)
        }
    }
}

/// Parses a whole `[Syntax]` body; a line that fits no form is an error at that line.
pub(crate) fn syntax_body<'a>(lines: &[&'a str]) -> Result<Vec<SyntaxLine>, nom::Err<PErr<'a>>> {
    let mut out = Vec::new();
    for &l in lines.iter().filter(|l| !l.trim().is_empty()) {
        match syntax_line(l.trim_end()) {
            Ok((_, line)) => out.push(line),
            Err(_) => return PErr::fail(l, format!("unrecognised [Syntax] line {l:?}")),
        }
    }
    fold_examples(&mut out);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit() -> KeyPattern {
        KeyPattern::Literal
    }

    #[test]
    fn syntax_line_forms() {
        let (_, l) = syntax_line("[ActionID:] <value>").unwrap();
        assert_eq!(
            (l.key.as_str(), l.value),
            ("ActionID", SyntaxValue::Optional)
        );
        let (_, l) = syntax_line("Channel: <value>").unwrap();
        assert_eq!(
            (l.key.as_str(), l.value),
            ("Channel", SyntaxValue::Required)
        );
        let (_, l) = syntax_line("Event: Newstate").unwrap();
        assert_eq!(l.value, SyntaxValue::Fixed("Newstate".into()));
        let (_, l) = syntax_line("[UnitAmount(0):] <value>").unwrap();
        assert_eq!(l.key, "UnitAmount(0)");
        assert!(syntax_line("Channel <value>").is_err());
        assert!(syntax_line("Key:").is_err());
    }

    #[test]
    fn key_patterns() {
        let cases: &[(&str, KeyPattern)] = &[
            ("Channel", lit()),
            ("Channel1", lit()),
            ("RtpIpv6", lit()),
            ("ReportXSourceSSRC", numbered("Report", "SourceSSRC", None)),
            ("Action-000000", numbered("Action-", "", Some(6))),
            ("UnitAmount(0)", numbered("UnitAmount(", ")", None)),
            ("HeaderN", numbered("Header", "", None)),
            ("Call-ID", lit()),
        ];
        for (key, want) in cases {
            assert_eq!(&key_pattern(key), want, "{key}");
        }
    }

    #[test]
    fn family_membership() {
        let report = numbered("Report", "LSR", None);
        assert!(pattern_matches(&report, "Report0LSR"));
        assert!(pattern_matches(&report, "Report12LSR"));
        assert!(!pattern_matches(&report, "ReportLSR"));
        assert!(!pattern_matches(&report, "Report0DLSR"));
        let action = numbered("Action-", "", Some(6));
        assert!(pattern_matches(&action, "Action-000001"));
        assert!(!pattern_matches(&action, "Action-1"));
    }

    #[test]
    fn examples_fold_into_families() {
        let mut lines = syntax_body(&[
            "Action: UserEvent",
            "[Header1:] <value>",
            "[HeaderN:] <value>",
            "Channel1: <value>",
        ])
        .unwrap();
        fold_examples(&mut lines);
        assert_eq!(lines[1].pattern, numbered("Header", "", None));
        assert_eq!(lines[3].pattern, lit());
    }
}
