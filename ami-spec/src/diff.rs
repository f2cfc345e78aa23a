//! What changed between two spec folders (`ami spec diff A B`): events, actions, their
//! headers, whether a header is required, and documented values.

use std::fmt;

use crate::model::{Doc, DocKind, Spec, SyntaxLine, SyntaxValue};

/// One difference from spec A to spec B.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// An item only B documents.
    Added(DocKind, String),
    /// An item only A documents.
    Removed(DocKind, String),
    /// A header only B documents for the item.
    FieldAdded(DocKind, String, String),
    /// A header only A documents for the item.
    FieldRemoved(DocKind, String, String),
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
            Change::FieldAdded(k, n, key) => write!(f, "~ {} {n}: + {key}", kind_name(*k)),
            Change::FieldRemoved(k, n, key) => write!(f, "~ {} {n}: - {key}", kind_name(*k)),
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

/// Every change from `a` to `b`, events first, each list in name order.
pub fn diff(a: &Spec, b: &Spec) -> Vec<Change> {
    let mut out = Vec::new();
    for (kind, old, new) in [
        (DocKind::Event, &a.events, &b.events),
        (DocKind::Action, &a.actions, &b.actions),
    ] {
        let mut names: Vec<&str> = old.iter().chain(new).map(|d| d.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        for name in names {
            match (find(old, name), find(new, name)) {
                // A name one side lists only cut to its table's width is not a change.
                (None, Some(_)) if listed_cut(a, kind, name) => {}
                (Some(_), None) if listed_cut(b, kind, name) => {}
                (None, Some(_)) => out.push(Change::Added(kind, name.to_string())),
                (Some(_), None) => out.push(Change::Removed(kind, name.to_string())),
                (Some(x), Some(y)) => item_changes(kind, x, y, &mut out),
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
    docs.iter().find(|d| d.name == name)
}

/// Header lines other than the fixed `Event:`/`Action:` line.
fn headers(doc: &Doc) -> impl Iterator<Item = &SyntaxLine> {
    doc.syntax
        .iter()
        .filter(|l| !matches!(l.value, SyntaxValue::Fixed(_)))
}

fn item_changes(kind: DocKind, a: &Doc, b: &Doc, out: &mut Vec<Change>) {
    let name = || a.name.clone();
    for line in headers(a) {
        match headers(b).find(|l| l.key == line.key) {
            None => out.push(Change::FieldRemoved(kind, name(), line.key.clone())),
            Some(other) if other.value != line.value => out.push(Change::Requirement(
                kind,
                name(),
                line.key.clone(),
                other.value == SyntaxValue::Required,
            )),
            Some(_) => {}
        }
    }
    for line in headers(b).filter(|l| !headers(a).any(|o| o.key == l.key)) {
        out.push(Change::FieldAdded(kind, name(), line.key.clone()));
    }
    for line in headers(a).filter(|l| headers(b).any(|o| o.key == l.key)) {
        let values = |doc: &Doc| -> Vec<String> {
            doc.argument(&line.key)
                .map(|arg| arg.values.iter().map(|v| v.name.clone()).collect())
                .unwrap_or_default()
        };
        let (old, new) = (values(a), values(b));
        for v in old.iter().filter(|v| !new.contains(v)) {
            out.push(Change::ValueRemoved(
                kind,
                name(),
                line.key.clone(),
                v.clone(),
            ));
        }
        for v in new.iter().filter(|v| !old.contains(v)) {
            out.push(Change::ValueAdded(
                kind,
                name(),
                line.key.clone(),
                v.clone(),
            ));
        }
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
                "~ event E: + C",
                "~ event E: S - value \"Down\"",
                "~ event E: S + value \"Ring\"",
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
}
