//! `generated/values.rs`: one open enum per distinct documented value list.

use std::fmt::Write;

use super::{header, str_slice, value_line};
use crate::codegen::catalog::{Catalog, EnumDef};
use crate::codegen::names::{camel, doc_lines, doc_text, lit};

pub(crate) fn values(catalog: &Catalog, sources: &[String]) -> String {
    let mut out = header(
        sources,
        "Open enums for documented header values: values no spec lists are kept.",
    );
    // Paths are spelled out: an enum may be called `Result` or `Value`.
    for def in &catalog.enums {
        out.push('\n');
        out.push_str(&enum_def(def));
    }
    out
}

fn enum_def(def: &EnumDef) -> String {
    let mut out = String::new();
    let users = if def.users.len() > 6 {
        format!(
            "{} and {} more",
            def.users[..6].join(", "),
            def.users.len() - 6
        )
    } else {
        def.users.join(", ")
    };
    let compare = if def.case_sensitive {
        "Read with the case of the wire (two documented values differ only in case)."
    } else {
        "Read ignoring ASCII case, as Asterisk compares values (`ringing` is `Ringing`)."
    };
    out.push_str(&doc_lines(
        "",
        &[
            format!("A documented value of {}.", doc_text(&users)),
            format!("{compare} A value no spec lists is kept as `Unrecognized`; `as_str` gives a documented value's documented spelling, `Display` the same, `into_owned` a `'static` copy."),
        ],
    ));
    let name = &def.name;
    let _ = writeln!(
        out,
        "#[derive(Debug, Clone, PartialEq, Eq, Hash)]\n#[non_exhaustive]\npub enum {name}<'a> {{"
    );
    for v in &def.values {
        out.push_str(&doc_lines("    ", &[value_line("", v)]));
        let _ = writeln!(out, "    {},", camel(&v.name));
    }
    out.push_str("    /// A value no spec lists, as received.\n    Unrecognized(::std::borrow::Cow<'a, str>),\n}\n\n");
    let names: Vec<String> = def.values.iter().map(|v| v.name.clone()).collect();
    let _ = writeln!(out, "impl<'a> {name}<'a> {{");
    let _ = writeln!(
        out,
        "    /// Every documented value, in documented order.\n    pub const KNOWN: &'static [&'static str] = {};\n",
        str_slice(&names)
    );
    let _ = writeln!(
        out,
        "    /// Reads a wire value. {compare}\n    pub fn parse(text: &'a str) -> Self {{"
    );
    let test = if def.case_sensitive {
        "text == "
    } else {
        "text.eq_ignore_ascii_case("
    };
    for v in &def.values {
        let close = if def.case_sensitive { "" } else { ")" };
        let _ = writeln!(
            out,
            "        if {test}{}{close} {{\n            return Self::{};\n        }}",
            lit(&v.name),
            camel(&v.name)
        );
    }
    out.push_str("        Self::Unrecognized(::std::borrow::Cow::Borrowed(text))\n    }\n\n");
    out.push_str("    /// The documented spelling, or the text of an unrecognised value.\n    pub fn as_str(&self) -> &str {\n        match self {\n");
    for v in &def.values {
        let _ = writeln!(
            out,
            "            Self::{} => {},",
            camel(&v.name),
            lit(&v.name)
        );
    }
    out.push_str("            Self::Unrecognized(text) => text,\n        }\n    }\n\n");
    let _ = writeln!(out, "    /// The same value, owning an unrecognised value's text.\n    pub fn into_owned(self) -> {name}<'static> {{\n        match self {{");
    for v in &def.values {
        let variant = camel(&v.name);
        let _ = writeln!(out, "            Self::{variant} => {name}::{variant},");
    }
    let _ = writeln!(out, "            Self::Unrecognized(text) => {name}::Unrecognized(::std::borrow::Cow::Owned(text.into_owned())),\n        }}\n    }}\n}}\n");
    let _ = writeln!(out, "impl ::core::fmt::Display for {name}<'_> {{\n    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {{\n        f.write_str(self.as_str())\n    }}\n}}\n");
    let _ = writeln!(out, "impl<'a> ::core::convert::From<&'a str> for {name}<'a> {{\n    fn from(text: &'a str) -> Self {{\n        Self::parse(text)\n    }}\n}}\n");
    let _ = writeln!(out, "#[cfg(feature = \"serde\")]\nimpl ::serde::Serialize for {name}<'_> {{\n    fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {{\n        s.serialize_str(self.as_str())\n    }}\n}}");
    out
}
