//! `generated/events.rs`: a zero-copy view per event, the `Event` enum over all of them,
//! the name table and the event table.

use std::fmt::Write;

use super::{family_lit, family_paragraphs, field_paragraphs, header, info_table, item_doc};
use super::{str_slice, type_names, MAX_KEYS};
use crate::codegen::catalog::{Catalog, Field, FieldKind, Item};
use crate::codegen::names::{code, doc_lines, lit};

pub(crate) fn events(catalog: &Catalog, sources: &[String]) -> String {
    let mut out = header(
        sources,
        "Typed events: one zero-copy view per documented or observed event, and `Event` over all of them.",
    );
    // Paths are spelled out: an event may be called `Message` or `Layout`.
    out.push_str("use super::values;\n");
    let names = type_names(&catalog.events);
    for (item, ty) in catalog.events.iter().zip(&names) {
        out.push('\n');
        out.push_str(&event_struct(item, ty, catalog));
    }
    out.push_str(&event_enum(catalog, &names));
    out.push_str(&info_table(
        "EVENTS",
        "Every event of every spec and observed entry, sorted by name ignoring ASCII case.",
        &catalog.events,
    ));
    out
}

fn event_struct(item: &Item, ty: &str, catalog: &Catalog) -> String {
    assert!(
        item.fields.len() <= MAX_KEYS,
        "{} has too many headers",
        item.name
    );
    let mut out = item_doc(item, &catalog.versions);
    out.push_str("///\n/// A view of the message: each accessor looks its header up when called (the first\n/// header with that key, ASCII case ignored) and gives `None` when it is absent. Servers\n/// leave out documented headers; \"required\" in an accessor's doc is what the spec says.\n");
    let _ = writeln!(
        out,
        "#[derive(Clone, Copy)]\npub struct {ty}<'a>(::ami_proto::Message<'a>);\n"
    );
    let keys: Vec<String> = item.fields.iter().map(|f| f.key.clone()).collect();
    let families: Vec<String> = item.families.iter().map(family_lit).collect();
    let _ = writeln!(
        out,
        "crate::typed::event_type!({ty}, {}, {}, &[{}]);\n",
        lit(&item.name),
        str_slice(&keys),
        families
            .iter()
            .map(|f| format!("crate::typed::{f}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if item.fields.is_empty() && item.families.is_empty() {
        return out;
    }
    let _ = writeln!(out, "impl<'a> {ty}<'a> {{");
    for (n, field) in item.fields.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        out.push_str(&accessor(field, item));
    }
    for (n, family) in item.families.iter().enumerate() {
        out.push('\n');
        out.push_str(&doc_lines(
            "    ",
            &family_paragraphs(family, item, "Numbered headers"),
        ));
        let _ = writeln!(
            out,
            "    pub fn {}(&self) -> crate::typed::Group<'a> {{\n        crate::typed::Group::new(self.0, &Self::LAYOUT.families[{n}])\n    }}",
            family.ident
        );
    }
    out.push_str("}\n");
    out
}

/// The accessor of one field and its `_bytes` twin.
fn accessor(field: &Field, item: &Item) -> String {
    let mut paragraphs = field_paragraphs(field, item);
    let bytes = format!("{}_bytes", field.ident.trim_start_matches("r#"));
    let (ty, body, note) = match &field.kind {
        FieldKind::Text => (
            "&'a str".to_string(),
            format!("crate::typed::text(crate::typed::lookup(&self.0, {}))", lit(&field.key)),
            format!("`None` when the header is absent or not UTF-8 ([`{bytes}`](Self::{bytes}) has the bytes)."),
        ),
        FieldKind::Number => (
            "i64".to_string(),
            format!("crate::typed::number(crate::typed::lookup(&self.0, {}))", lit(&field.key)),
            format!("Its documentation says it is a number: read as one, `None` when absent or not a decimal integer ([`{bytes}`](Self::{bytes}) has the text)."),
        ),
        FieldKind::Enum(name) => (
            format!("values::{name}<'a>"),
            format!(
                "crate::typed::text(crate::typed::lookup(&self.0, {})).map(values::{name}::parse)",
                lit(&field.key)
            ),
            format!("Read as [`values::{name}`]; `None` when absent or not UTF-8 ([`{bytes}`](Self::{bytes}) has the bytes)."),
        ),
    };
    paragraphs.push(note);
    let mut out = doc_lines("    ", &paragraphs);
    let _ = writeln!(
        out,
        "    pub fn {}(&self) -> Option<{ty}> {{\n        {body}\n    }}\n",
        field.ident
    );
    let _ = writeln!(
        out,
        "    /// The value of {} as received.\n    pub fn {bytes}(&self) -> Option<&'a [u8]> {{\n        crate::typed::lookup(&self.0, {})\n    }}",
        code(&field.key),
        lit(&field.key)
    );
    out
}

fn event_enum(catalog: &Catalog, names: &[String]) -> String {
    let mut out = String::from(
        "\n/// Any event: typed when a spec or an observed entry describes its name, else `Unknown`.\n///\n/// Each variant is a view of the message (no copy, no allocation): the enum is the message\n/// view and its tag, whatever the event.\n",
    );
    out.push_str("#[derive(Debug, Clone, Copy)]\n#[non_exhaustive]\npub enum Event<'a> {\n");
    for (item, ty) in catalog.events.iter().zip(names) {
        let _ = writeln!(out, "    /// `{}`.\n    {ty}({ty}<'a>),", item.name);
    }
    out.push_str("    /// A message that is not an event or whose name nothing describes.\n    Unknown(crate::typed::Untyped<'a>),\n}\n\n");
    let all: Vec<String> = catalog.events.iter().map(|i| i.name.clone()).collect();
    let _ = writeln!(out, "const NAMES: &[&str] = {};\n", str_slice(&all));
    out.push_str("/// Names of the typed events, sorted ignoring ASCII case.\npub static EVENT_NAMES: &[&str] = NAMES;\n\n");
    let slots = (all.len() * 4).next_power_of_two().max(16);
    let _ = writeln!(out, "/// Each name's index in [`EVENT_NAMES`], by hash.\nstatic TABLE: crate::typed::NameTable<{slots}> = crate::typed::NameTable::new(NAMES);\n");
    out.push_str("/// The layout of each typed event, in [`EVENT_NAMES`] order.\npub static EVENT_LAYOUTS: &[&crate::typed::Layout] = &[\n");
    for ty in names {
        let _ = writeln!(out, "    {ty}::LAYOUT,");
    }
    out.push_str("];\n\n");
    out.push_str("impl<'a> Event<'a> {\n");
    out.push_str("    /// Types a message by its name (ASCII case ignored): a hash lookup, no allocation.\n    /// Anything that is not an event, or an event nothing describes, is `Unknown`.\n");
    out.push_str("    pub fn from_message(message: &::ami_proto::Message<'a>) -> Event<'a> {\n        let m = *message;\n        if m.kind() != ::ami_proto::Kind::Event {\n            return Event::Unknown(crate::typed::Untyped(m));\n        }\n        match TABLE.find(m.name()) {\n");
    for (n, ty) in names.iter().enumerate() {
        let _ = writeln!(out, "            Some({n}) => Event::{ty}({ty}(m)),");
    }
    out.push_str(
        "            _ => Event::Unknown(crate::typed::Untyped(m)),\n        }\n    }\n\n",
    );
    out.push_str("    /// The layout of the event named `name` (ASCII case ignored), if it is typed.\n    pub fn layout_of(name: &[u8]) -> Option<&'static crate::typed::Layout> {\n        TABLE.find(name).map(|i| EVENT_LAYOUTS[i])\n    }\n\n");
    out.push_str("    /// The message this view reads.\n    pub fn as_message(&self) -> &::ami_proto::Message<'a> {\n        match self {\n");
    for ty in names {
        let _ = writeln!(out, "            Event::{ty}(e) => &e.0,");
    }
    out.push_str("            Event::Unknown(m) => &m.0,\n        }\n    }\n\n");
    out.push_str("    /// The headers the typed view has accessors for (none for `Unknown`).\n    pub fn layout(&self) -> &'static crate::typed::Layout {\n        match self {\n");
    for ty in names {
        let _ = writeln!(out, "            Event::{ty}(_) => {ty}::LAYOUT,");
    }
    out.push_str("            Event::Unknown(_) => &crate::typed::UNTYPED,\n        }\n    }\n\n");
    out.push_str("    /// Whether a spec or an observed entry describes this event (it is not `Unknown`).\n    pub fn is_typed(&self) -> bool {\n        !matches!(self, Event::Unknown(_))\n    }\n\n");
    out.push_str("    /// The headers the typed view has no accessor for, in wire order (every header after\n    /// the name for `Unknown`).\n    pub fn extra(&self) -> crate::typed::Extras<'a> {\n        crate::typed::Extras::new(*self.as_message(), self.layout())\n    }\n}\n\n");
    out.push_str("/// Like each typed view; `Unknown` as `{\"Headers\": [[key, value], ...]}`.\n#[cfg(feature = \"serde\")]\nimpl ::serde::Serialize for Event<'_> {\n    fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {\n        match self {\n            Event::Unknown(m) => m.serialize(s),\n            other => crate::json::serialize_view(other.as_message(), other.layout(), s),\n        }\n    }\n}\n");
    out
}
