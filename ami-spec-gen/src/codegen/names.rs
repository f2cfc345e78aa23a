//! Rust identifiers and doc comments from documentation text.

/// Words of a key or value: runs of letters/digits, split at case changes
/// (`CallerIDNum` -> `Caller`, `ID`, `Num`; `T38Udptl` -> `T38`, `Udptl`).
fn words(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let boundary = c.is_ascii_uppercase()
            && prev.is_some_and(|p| {
                p.is_ascii_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
            });
        if boundary && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        current.push(c);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "box", "break", "const", "continue", "crate", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop",
    "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "self",
    "static", "struct", "super", "trait", "true", "try", "type", "typeof", "unsafe", "unsized",
    "use", "virtual", "where", "while", "yield", "abstract", "become",
];

/// `snake_case` field name; keywords get `r#`, a leading digit gets `h_`.
pub(crate) fn snake(text: &str) -> String {
    let joined = words(text)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_");
    if joined.is_empty() {
        return "unnamed".to_string();
    }
    if joined.starts_with(|c: char| c.is_ascii_digit()) {
        return format!("h_{joined}");
    }
    if joined == "self" || joined == "super" || joined == "crate" {
        return format!("{joined}_");
    }
    if KEYWORDS.contains(&joined.as_str()) {
        return format!("r#{joined}");
    }
    joined
}

/// `CamelCase` type or variant name; a leading digit gets `N`, a leading minus `Minus`.
pub(crate) fn camel(text: &str) -> String {
    let mut out: String = words(text)
        .iter()
        .map(|w| {
            let mut chars = w.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first
                .into_iter()
                .chain(chars.map(|c| c.to_ascii_lowercase()))
                .collect::<String>()
        })
        .collect();
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'N');
    }
    if text.trim_start().starts_with('-') && !out.is_empty() {
        out.insert_str(0, "Minus");
    }
    out
}

/// Escapes text for a Markdown doc comment (the dumps contain `<Extension>`, `[...]`, `*`).
pub(crate) fn doc_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `` `text` `` for a wire name in a doc comment.
pub(crate) fn code(text: &str) -> String {
    format!("`{}`", text.replace('`', "'"))
}

/// `///` lines (at `indent`) for already escaped paragraphs; empty ones are skipped.
pub(crate) fn doc_lines(indent: &str, paragraphs: &[String]) -> String {
    let mut out = String::new();
    for (n, p) in paragraphs
        .iter()
        .filter(|p| !p.trim().is_empty())
        .enumerate()
    {
        if n > 0 {
            out.push_str(&format!("{indent}///\n"));
        }
        for line in p.lines() {
            let line = line.trim_end();
            if line.is_empty() {
                out.push_str(&format!("{indent}///\n"));
            } else {
                out.push_str(&format!("{indent}/// {line}\n"));
            }
        }
    }
    out
}

/// A Rust string literal.
pub(crate) fn lit(text: &str) -> String {
    format!("{text:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        let cases = [
            ("CallerIDNum", "caller_id_num", "CallerIdNum"),
            ("ChannelStateDesc", "channel_state_desc", "ChannelStateDesc"),
            ("SSRC", "ssrc", "Ssrc"),
            ("T38UdptlNat", "t38_udptl_nat", "T38UdptlNat"),
            ("Call-ID", "call_id", "CallId"),
            ("100rel", "h_100rel", "N100rel"),
            ("Type", "r#type", "Type"),
            ("Dialing Offhook", "dialing_offhook", "DialingOffhook"),
            ("200(SR)", "h_200_sr", "N200Sr"),
            ("InUse&Ringing", "in_use_ringing", "InUseRinging"),
            ("-1", "h_1", "MinusN1"),
        ];
        for (text, s, c) in cases {
            assert_eq!(
                (snake(text).as_str(), camel(text).as_str()),
                (s, c),
                "{text}"
            );
        }
    }

    #[test]
    fn docs_are_escaped() {
        assert_eq!(doc_text("<Extension>/[x]*"), "\\<Extension\\>/\\[x\\]\\*");
        assert_eq!(
            doc_lines("", &["a\nb".into(), "c".into()]),
            "/// a\n/// b\n///\n/// c\n"
        );
    }
}
