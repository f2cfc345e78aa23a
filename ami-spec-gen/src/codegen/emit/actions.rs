//! `generated/actions.rs`: a builder per action (its required headers are the constructor's
//! arguments), the action table and the list actions.

use std::fmt::Write;

use super::type_names;
use super::{family_paragraphs, field_paragraphs, header, info_table, item_doc, str_slice};
use crate::codegen::catalog::{Catalog, Item};
use crate::codegen::names::{code, doc_lines, lit, snake};
use crate::model::ListCondition;

pub(crate) fn actions(catalog: &Catalog, sources: &[String]) -> String {
    let mut out = header(
        sources,
        "Typed actions: one builder per documented action, with its headers in documented order.",
    );
    out.push_str("use crate::typed::HeaderKey;\n");
    let names = type_names(&catalog.actions);
    for (item, ty) in catalog.actions.iter().zip(&names) {
        out.push('\n');
        out.push_str(&action_struct(item, ty, catalog));
    }
    out.push_str(&info_table(
        "ACTIONS",
        "Every action of every spec, sorted by name ignoring ASCII case.",
        &catalog.actions,
    ));
    out.push_str("\n/// Every list action: its name, the events sent per item, the event that closes the\n/// list (from `[List Responses]` and `[Final Response]` of the dumps and the observed\n/// entries) and when the answer is a list at all.\npub static LIST_ACTIONS: &[crate::typed::ListAction] = &[\n");
    for item in catalog
        .actions
        .iter()
        .filter(|i| !i.list_items.is_empty() || i.list_complete.is_some())
    {
        let condition = match &item.list_condition {
            None => "None".to_string(),
            Some(ListCondition::True(key)) => {
                format!("Some(crate::typed::ListCondition::True({}))", lit(key))
            }
            Some(ListCondition::Regex(key)) => {
                format!("Some(crate::typed::ListCondition::Regex({}))", lit(key))
            }
        };
        let _ = writeln!(
            out,
            "    crate::typed::ListAction {{ action: {}, items: {}, complete: {:?}, condition: {condition} }},",
            lit(&item.name),
            str_slice(&item.list_items),
            item.list_complete
        );
    }
    out.push_str("];\n");
    out
}

/// How a field of an action struct holds its value.
#[derive(PartialEq)]
enum Shape {
    /// `&str`, set by the constructor.
    Required,
    /// `Option<&str>`, set by its method.
    Optional,
    /// `Vec<&str>`: each call adds a header.
    Repeated,
    /// `Vec<(u32, &str)>`: a numbered family member, each call adds `KEY<n>`.
    Numbered {
        prefix: String,
        width: Option<usize>,
        suffix: String,
    },
}

/// A field of an action struct: a literal key or one member of a numbered family.
struct ActionField {
    ident: String,
    key: String,
    shape: Shape,
    /// Required repeatable headers: the constructor takes the first value.
    required: bool,
    doc: Vec<String>,
}

fn action_fields(item: &Item) -> Vec<ActionField> {
    let mut out = Vec::new();
    for f in &item.fields {
        // Required only when every version that has the action requires it.
        let required = f.required && f.versions == item.versions;
        let shape = match (f.repeatable, required) {
            (true, _) => Shape::Repeated,
            (false, true) => Shape::Required,
            (false, false) => Shape::Optional,
        };
        out.push(ActionField {
            ident: f.ident.clone(),
            key: f.key.clone(),
            shape,
            required,
            doc: field_paragraphs(f, item),
        });
    }
    for fam in &item.families {
        for (suffix, key, _) in &fam.members {
            let ident = if fam.members.len() == 1 {
                fam.ident.clone()
            } else {
                format!("{}_{}", fam.ident.trim_start_matches("r#"), snake(suffix))
            };
            out.push(ActionField {
                ident,
                key: key.clone(),
                shape: Shape::Numbered {
                    prefix: fam.prefix.clone(),
                    width: fam.width,
                    suffix: suffix.clone(),
                },
                required: false,
                doc: family_paragraphs(fam, item, "Sent as numbered headers"),
            });
        }
    }
    out
}

fn action_struct(item: &Item, ty: &str, catalog: &Catalog) -> String {
    let fields = action_fields(item);
    let mut out = item_doc(item, &catalog.versions);
    out.push_str("///\n/// Built with [`new`](Self::new), which takes the headers every version requires, and a\n/// method per optional header; sent through [`ami_proto::Action`].\n");
    let _ = writeln!(
        out,
        "#[derive(Clone, PartialEq, Eq)]\npub struct {ty}<'a> {{"
    );
    for f in &fields {
        let field_ty = match f.shape {
            Shape::Required => "&'a str",
            Shape::Optional => "Option<&'a str>",
            Shape::Repeated => "Vec<&'a str>",
            Shape::Numbered { .. } => "Vec<(u32, &'a str)>",
        };
        let _ = writeln!(out, "    {}: {field_ty},", f.ident);
    }
    out.push_str("    extra: Vec<(&'a str, &'a str)>,\n}\n\n");

    let _ = writeln!(out, "impl<'a> {ty}<'a> {{");
    let _ = writeln!(
        out,
        "    /// The wire name (`Action: {}`).\n    pub const NAME: &'static str = {};\n",
        item.name,
        lit(&item.name)
    );
    let _ = writeln!(out, "    /// Events sent once per item of the answer (`[List Responses]`).\n    pub const LIST_ITEMS: &'static [&'static str] = {};\n", str_slice(&item.list_items));
    let _ = writeln!(out, "    /// The event that closes the answer's list (`[Final Response]`).\n    pub const LIST_COMPLETE: Option<&'static str> = {:?};\n", item.list_complete);

    let required: Vec<&ActionField> = fields.iter().filter(|f| f.required).collect();
    let params: Vec<String> = required
        .iter()
        .map(|f| format!("{}: &'a str", f.ident))
        .collect();
    let mut new_doc = vec![format!(
        "A `{}` action with the headers every version requires{}.",
        item.name,
        if required.is_empty() {
            String::new()
        } else {
            let keys: Vec<String> = required.iter().map(|f| code(&f.key)).collect();
            format!(" ({})", keys.join(", "))
        }
    )];
    new_doc.push("Set the other headers with the methods below.".to_string());
    out.push_str(&doc_lines("    ", &new_doc));
    let _ = writeln!(
        out,
        "    pub fn new({}) -> Self {{\n        {ty} {{",
        params.join(", ")
    );
    for f in &fields {
        let init = match (&f.shape, f.required) {
            (Shape::Required, _) => f.ident.clone(),
            (Shape::Repeated, true) => format!("vec![{}]", f.ident),
            (Shape::Optional, _) => "None".to_string(),
            (Shape::Repeated, false) | (Shape::Numbered { .. }, _) => "Vec::new()".to_string(),
        };
        if init == f.ident {
            let _ = writeln!(out, "            {},", f.ident);
        } else {
            let _ = writeln!(out, "            {}: {init},", f.ident);
        }
    }
    out.push_str("            extra: Vec::new(),\n        }\n    }\n");

    for f in fields.iter().filter(|f| f.shape != Shape::Required) {
        out.push('\n');
        let mut doc = f.doc.clone();
        let (params, body) = match &f.shape {
            Shape::Optional => ("value: &'a str", format!("self.{} = Some(value);", f.ident)),
            Shape::Repeated => {
                doc.push(format!(
                    "The header may repeat: each call adds one {} header.",
                    code(&f.key)
                ));
                ("value: &'a str", format!("self.{}.push(value);", f.ident))
            }
            Shape::Numbered { .. } => {
                doc.push("Each call adds the header numbered `index`.".to_string());
                (
                    "index: u32, value: &'a str",
                    format!("self.{}.push((index, value));", f.ident),
                )
            }
            Shape::Required => unreachable!("filtered out"),
        };
        out.push_str(&doc_lines("    ", &doc));
        let _ = writeln!(
            out,
            "    pub fn {}(mut self, {params}) -> Self {{\n        {body}\n        self\n    }}",
            f.ident
        );
    }
    out.push_str("\n    /// Adds a header no method covers (a third-party module's option); headers added\n    /// this way are sent after the documented ones, in the order added.\n    pub fn header(mut self, key: &'a str, value: &'a str) -> Self {\n        self.extra.push((key, value));\n        self\n    }\n\n");
    out.push_str("    /// The headers after `Action:`, in the order they are sent (the ActionID first).\n    pub fn headers(&self) -> Vec<(HeaderKey<'a>, &'a str)> {\n        let mut out = Vec::new();\n        self.each_header(true, |key, value| out.push((key, value)));\n        out\n    }\n\n");
    out.push_str("    fn each_header(&self, with_id: bool, mut each: impl FnMut(HeaderKey<'a>, &'a str)) {\n");
    for f in &fields {
        let key = lit(&f.key);
        let line = match &f.shape {
            Shape::Required => format!("        each(HeaderKey::Text({key}), self.{});", f.ident),
            Shape::Optional => format!(
                "        if let Some(value) = self.{} {{\n            each(HeaderKey::Text({key}), value);\n        }}",
                f.ident
            ),
            Shape::Repeated => format!(
                "        for &value in &self.{} {{\n            each(HeaderKey::Text({key}), value);\n        }}",
                f.ident
            ),
            Shape::Numbered {
                prefix,
                width,
                suffix,
            } => {
                let width = width.map_or("None".to_string(), |w| format!("Some({w})"));
                format!(
                    "        for &(index, value) in &self.{} {{\n            each(HeaderKey::numbered({}, index, {width}, {}), value);\n        }}",
                    f.ident,
                    lit(prefix),
                    lit(suffix)
                )
            }
        };
        if is_action_id(f) {
            let _ = writeln!(
                out,
                "        if with_id {{\n    {}\n        }}",
                line.replace('\n', "\n    ")
            );
        } else {
            let _ = writeln!(out, "{line}");
        }
    }
    if !fields.iter().any(is_action_id) {
        out.push_str("        let _ = with_id;\n");
    }
    out.push_str("        for &(key, value) in &self.extra {\n            each(HeaderKey::Text(key), value);\n        }\n    }\n}\n\n");

    let _ = writeln!(out, "/// Shows the headers, with the values of `Secret` and `Key` hidden.\nimpl ::core::fmt::Debug for {ty}<'_> {{\n    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {{\n        crate::typed::debug_action(f, Self::NAME, &self.headers())\n    }}\n}}\n");
    out.push_str(&action_impl(item, ty, &fields));
    out
}

fn is_action_id(f: &ActionField) -> bool {
    f.ident == "action_id" && matches!(f.shape, Shape::Optional)
}

/// `impl ami_proto::Action`.
fn action_impl(item: &Item, ty: &str, fields: &[ActionField]) -> String {
    let mut out = format!("/// Sent through [`ami_proto::Action`]: the ActionID (if set) right after `Action:`, then\n/// the other headers in [`{ty}::headers`] order.\nimpl ami_proto::Action for {ty}<'_> {{\n");
    out.push_str("    fn name(&self) -> &str {\n        Self::NAME\n    }\n\n");
    if fields.iter().any(is_action_id) {
        out.push_str("    fn action_id(&self) -> Option<&[u8]> {\n        self.action_id.map(str::as_bytes)\n    }\n\n");
    }
    out.push_str("    fn write_headers(&self, writer: &mut ami_proto::ActionWriter<'_>) {\n        self.each_header(false, |key, value| {\n            writer.header(key, value);\n        });\n    }\n");
    if let Some(complete) = &item.list_complete {
        out.push_str("\n    fn list_shape(&self) -> Option<ami_proto::ListShape<'static>> {\n");
        let _ = writeln!(
            out,
            "        let shape = ami_proto::ListShape::new(Self::LIST_ITEMS, {});",
            lit(complete)
        );
        match &item.list_condition {
            None => out.push_str("        Some(shape)\n"),
            Some(condition) => {
                let field = fields
                    .iter()
                    .find(|f| f.key.eq_ignore_ascii_case(condition.key()))
                    .unwrap_or_else(|| {
                        panic!(
                            "{}: [List Condition] reads `{}`, which the action has no field for",
                            item.name,
                            condition.key()
                        )
                    });
                let test = match condition {
                    ListCondition::True(_) => "crate::typed::ast_true",
                    ListCondition::Regex(_) => "crate::typed::is_regex",
                };
                let when = match field.shape {
                    Shape::Required => format!("{test}(self.{})", field.ident),
                    Shape::Optional => format!("self.{}.is_some_and({test})", field.ident),
                    Shape::Repeated => {
                        format!("self.{}.first().is_some_and(|v| {test}(v))", field.ident)
                    }
                    Shape::Numbered { .. } => {
                        panic!("{}: [List Condition] reads a numbered header", item.name)
                    }
                };
                let _ = writeln!(
                    out,
                    "        // {}\n        {when}.then_some(shape)",
                    match condition {
                        ListCondition::True(k) =>
                            format!("A list (one final event) only when `{k}` is true as Asterisk reads it."),
                        ListCondition::Regex(k) =>
                            format!("A list only when `{k}` is a `/regex/`."),
                    }
                );
            }
        }
        out.push_str("    }\n");
    }
    out.push_str("}\n");
    out
}
