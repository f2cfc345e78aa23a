//! What changed between two spec folders (`ami spec diff A B`): events, actions, their
//! headers, whether a header is required, and documented values.
//!
//! Names and keys are compared ignoring ASCII case, as Asterisk and the generated types
//! read them: a key whose spelling changed only in case (`Allowoverlap` -> `AllowOverlap`)
//! is one change of spelling, not a removal and an addition. A key a dump lists twice
//! (23.4.1 `RequestBadFormat` lists `AccountID` as required and again as optional) is one
//! header, required only if every line says so; a folder compared with itself has no
//! changes.

use std::fmt;

use crate::model::{Doc, DocKind, Spec, SyntaxValue};

/// What the first character of each line of [`diff`]'s output means.
pub const LEGEND: &str = "\
+ KIND NAME              only B has the event or action
- KIND NAME              only A has it
~ KIND NAME: + KEY       only B documents the header
~ KIND NAME: - KEY       only A documents it
~ KIND NAME: KEY ...     the header changed (required/optional, spelling, a value added
                         (+ value) or removed (- value))
~ KIND OLD -> NEW        the name's spelling changed (ASCII case only)";

/// One difference from spec A to spec B.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// An item only B documents.
    Added(DocKind, String),
    /// An item only A documents.
    Removed(DocKind, String),
    /// An item whose name B spells in another case (A's spelling, B's spelling).
    NameCase(DocKind, String, String),
    /// A header only B documents for the item.
    FieldAdded(DocKind, String, String),
    /// A header only A documents for the item.
    FieldRemoved(DocKind, String, String),
    /// A header B spells in another case (item, A's spelling, B's spelling).
    KeyCase(DocKind, String, String, String),
    /// A header changed between required and optional (`true` = required in B).
    Requirement(DocKind, String, String, bool),
    /// A documented value only B lists for the header.
    ValueAdded(DocKind, String, String, String),
    /// A documented value only A lists for the header.
    ValueRemoved(DocKind, String, String, String),
}

fn kind_name(kind: DocKind) -> &'static str {
    match kind {
        DocKind::Event => "event",
        DocKind::Action => "action",
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Added(k, n) => write!(f, "+ {} {n}", kind_name(*k)),
            Change::Removed(k, n) => write!(f, "- {} {n}", kind_name(*k)),
            Change::NameCase(k, a, b) => {
                write!(f, "~ {} {a} -> {b} (spelling: case only)", kind_name(*k))
            }
            Change::FieldAdded(k, n, key) => write!(f, "~ {} {n}: + {key}", kind_name(*k)),
            Change::FieldRemoved(k, n, key) => write!(f, "~ {} {n}: - {key}", kind_name(*k)),
            Change::KeyCase(k, n, a, b) => {
                write!(
                    f,
                    "~ {} {n}: {a} -> {b} (spelling: case only)",
                    kind_name(*k)
                )
            }
            Change::Requirement(k, n, key, required) => {
                let (from, to) = if *required {
                    ("optional", "required")
                } else {
                    ("required", "optional")
                };
                write!(f, "~ {} {n}: {key} {from} -> {to}", kind_name(*k))
            }
            Change::ValueAdded(k, n, key, v) => {
                write!(f, "~ {} {n}: {key} + value {v:?}", kind_name(*k))
            }
            Change::ValueRemoved(k, n, key, v) => {
                write!(f, "~ {} {n}: {key} - value {v:?}", kind_name(*k))
            }
        }
    }
}

/// Every change from `a` to `b`, events first, each list in name order (ASCII case
/// ignored).
pub fn diff(a: &Spec, b: &Spec) -> Vec<Change> {
    let mut out = Vec::new();
    for (kind, old, new) in [
        (DocKind::Event, &a.events, &b.events),
        (DocKind::Action, &a.actions, &b.actions),
    ] {
        let mut names: Vec<&str> = old.iter().chain(new).map(|d| d.name.as_str()).collect();
        names.sort_unstable_by_key(|n| (n.to_ascii_lowercase(), *n));
        names.dedup_by(|x, y| x.eq_ignore_ascii_case(y));
        for name in names {
            match (find(old, name), find(new, name)) {
                // A name one side lists only cut to its table's width is not a change.
                (None, Some(_)) if listed_cut(a, kind, name) => {}
                (Some(_), None) if listed_cut(b, kind, name) => {}
                (None, Some(y)) => out.push(Change::Added(kind, y.name.clone())),
                (Some(x), None) => out.push(Change::Removed(kind, x.name.clone())),
                (Some(x), Some(y)) => {
                    if x.name != y.name {
                        out.push(Change::NameCase(kind, x.name.clone(), y.name.clone()));
                    }
                    item_changes(kind, x, y, &mut out);
                }
                (None, None) => {}
            }
        }
    }
    out
}

/// Whether `spec` lists `name` cut to its table's column width (13.x `ChallengeResponseFai`).
fn listed_cut(spec: &Spec, kind: DocKind, name: &str) -> bool {
    let list = match kind {
        DocKind::Event => &spec.event_list,
        DocKind::Action => &spec.action_list,
    };
    list.names
        .iter()
        .any(|n| list.may_be_truncated(n) && name.starts_with(n.as_str()))
}

fn find<'d>(docs: &'d [Doc], name: &str) -> Option<&'d Doc> {
    docs.iter().find(|d| d.name.eq_ignore_ascii_case(name))
}

/// One documented header: its first spelling, whether every line listing it says it is
/// required, and its documented values.
struct Header {
    key: String,
    required: bool,
    values: Vec<String>,
}

/// The headers of a definition other than the fixed `Event:`/`Action:` line, each once.
fn headers(doc: &Doc) -> Vec<Header> {
    let mut out: Vec<Header> = Vec::new();
    for line in &doc.syntax {
        let required = match line.value {
            SyntaxValue::Fixed(_) => continue,
            SyntaxValue::Required => true,
            SyntaxValue::Optional => false,
        };
        match out
            .iter_mut()
            .find(|h| h.key.eq_ignore_ascii_case(&line.key))
        {
            Some(header) => header.required &= required,
            None => out.push(Header {
                key: line.key.clone(),
                required,
                values: doc
                    .argument(&line.key)
                    .map(|arg| arg.values.iter().map(|v| v.name.clone()).collect())
                    .unwrap_or_default(),
            }),
        }
    }
    out
}

fn item_changes(kind: DocKind, a: &Doc, b: &Doc, out: &mut Vec<Change>) {
    let name = || b.name.clone();
    let (old, new) = (headers(a), headers(b));
    let find = |list: &[Header], key: &str| -> Option<usize> {
        list.iter().position(|h| h.key.eq_ignore_ascii_case(key))
    };
    for header in &old {
        let Some(at) = find(&new, &header.key) else {
            out.push(Change::FieldRemoved(kind, name(), header.key.clone()));
            continue;
        };
        let other = &new[at];
        if other.key != header.key {
            out.push(Change::KeyCase(
                kind,
                name(),
                header.key.clone(),
                other.key.clone(),
            ));
        }
        if other.required != header.required {
            out.push(Change::Requirement(
                kind,
                name(),
                other.key.clone(),
                other.required,
            ));
        }
        for v in header.values.iter().filter(|v| !other.values.contains(v)) {
            out.push(Change::ValueRemoved(
                kind,
                name(),
                other.key.clone(),
                v.clone(),
            ));
        }
        for v in other.values.iter().filter(|v| !header.values.contains(v)) {
            out.push(Change::ValueAdded(
                kind,
                name(),
                other.key.clone(),
                v.clone(),
            ));
        }
    }
    for header in new.iter().filter(|h| find(&old, &h.key).is_none()) {
        out.push(Change::FieldAdded(kind, name(), header.key.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dump::parse_doc;
    use crate::model::DocFile;

    fn spec(event: &str) -> Spec {
        let DocFile::Found(docs) = parse_doc(event).unwrap() else {
            panic!("not found")
        };
        Spec {
            events: docs,
            ..Spec::default()
        }
    }

    #[test]
    fn field_value_and_item_changes() {
        let a = spec("Event: E\n[Synopsis]\nx\n\n[Syntax]\nEvent: E\nA: <value>\n[B:] <value>\nS: <value>\n\n[Arguments]\nS\n    Up\n    Down\n");
        let b = spec("Event: E\n[Synopsis]\nx\n\n[Syntax]\nEvent: E\n[A:] <value>\nC: <value>\nS: <value>\n\n[Arguments]\nS\n    Up\n    Ring\n");
        let lines: Vec<String> = diff(&a, &b).iter().map(|c| c.to_string()).collect();
        assert_eq!(
            lines,
            [
                "~ event E: A required -> optional",
                "~ event E: - B",
                "~ event E: S - value \"Down\"",
                "~ event E: S + value \"Ring\"",
                "~ event E: + C",
            ]
        );
        let empty = Spec::default();
        assert_eq!(diff(&empty, &a)[0].to_string(), "+ event E");
        assert_eq!(diff(&a, &empty)[0].to_string(), "- event E");
        assert!(diff(&a, &a).is_empty());
        // Listed only under a cut name: not added.
        let mut cut = Spec::default();
        cut.event_list.names.push("E".into());
        cut.event_list.column_width = 1;
        assert!(diff(&cut, &b).is_empty());
        assert_eq!(diff(&b, &cut).len(), 0);
    }

    #[test]
    fn a_key_listed_twice_is_one_header() {
        // 23.4.1 RequestBadFormat: `AccountID: <value>` and later `[AccountID:] <value>`.
        let twice = spec("Event: E\n[Synopsis]\nx\n\n[Syntax]\nEvent: E\nAccountID: <value>\nB: <value>\n[AccountID:] <value>\n");
        assert!(diff(&twice, &twice).is_empty());
        let once = spec(
            "Event: E\n[Synopsis]\nx\n\n[Syntax]\nEvent: E\n[AccountID:] <value>\nB: <value>\n",
        );
        assert!(diff(&twice, &once).is_empty());
    }

    #[test]
    fn case_only_changes_are_spelling_changes() {
        let a = spec(
            "Event: Newexten\n[Synopsis]\nx\n\n[Syntax]\nEvent: Newexten\nAllowoverlap: <value>\n",
        );
        let b = spec(
            "Event: NewExten\n[Synopsis]\nx\n\n[Syntax]\nEvent: NewExten\nAllowOverlap: <value>\n",
        );
        let lines: Vec<String> = diff(&a, &b).iter().map(|c| c.to_string()).collect();
        assert_eq!(
            lines,
            [
                "~ event Newexten -> NewExten (spelling: case only)",
                "~ event NewExten: Allowoverlap -> AllowOverlap (spelling: case only)",
            ]
        );
    }

    #[test]
    fn the_legend_explains_every_sign() {
        for sign in [
            "+ KIND",
            "- KIND",
            "~ KIND NAME: + KEY",
            "~ KIND NAME: - KEY",
            "~ KIND OLD -> NEW",
        ] {
            assert!(LEGEND.contains(sign), "{sign}");
        }
    }
}
