//! `ami encode`: turn an action given as arguments or JSON into the exact bytes to send,
//! through the injection-proof encoder of ami-proto.

use std::ffi::OsString;
use std::fmt;
use std::io::{self, Write};

use ami_proto::ActionWriter;
use clap::builder::{OsStringValueParser, TypedValueParser};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::exit::{self, Error, Exit};
use crate::input::Input;

/// Write an AMI action as wire bytes (CRLF lines, blank line at the end)
///
/// Values holding CR, LF or NUL, keys that are not tokens, a second ActionID, lines over
/// 1024 bytes (CRLF included) or more than 128 lines are refused, naming the header;
/// nothing is written then.
#[derive(Debug, clap::Args)]
#[command(
    verbatim_doc_comment,
    override_usage = "ami encode ACTION [KEY=VALUE]...\n       ami encode --json [JSON|FILE|-]",
    arg_required_else_help = true,
    after_help = exit::HELP
)]
pub struct Args {
    /// Read the action(s) as JSON: inline, from FILE, or from standard input
    ///
    /// The JSON is inline when the argument starts with `{` or `[`; `-` or nothing
    /// reads standard input. Its shapes:
    ///   {"Action":"Originate","Channel":"Local/100@test",
    ///    "Variable":["A=1","B=2"]}       one action; keys in document
    ///                                     order, an array repeats its key
    ///   [{...}, {...}]                    several actions, in order
    ///   [["Action","Ping"],["ActionID","1"]]  one action as ordered pairs
    /// Numbers and booleans are written as their JSON text.
    #[arg(
        long,
        value_name = "JSON|FILE|-",
        num_args = 0..=1,
        default_missing_value = "-",
        value_parser = OsStringValueParser::new().map(Source::from_arg),
        conflicts_with = "action",
        verbatim_doc_comment
    )]
    json: Option<Source>,

    /// The action name (`Action=NAME` is accepted too)
    #[arg(
        value_name = "ACTION",
        required_unless_present = "json",
        value_parser = action_name
    )]
    action: Option<String>,

    /// Headers in order, split at the first `=`
    ///
    /// `Variable=A=1` is the header `Variable: A=1`; repeat a key to send it several
    /// times.
    #[arg(verbatim_doc_comment, value_name = "KEY=VALUE", value_parser = header)]
    headers: Vec<(String, String)>,
}

/// Where `--json` takes its text from.
#[derive(Debug, Clone)]
enum Source {
    /// The argument itself (it starts with `{` or `[`).
    Inline(String),
    /// A file or standard input.
    Input(Input),
}

impl Source {
    fn from_arg(arg: OsString) -> Source {
        match arg.into_string() {
            Ok(text) if text.trim_start().starts_with(['{', '[']) => Source::Inline(text),
            Ok(text) => Source::Input(Input::from_arg(text.as_ref())),
            Err(path) => Source::Input(Input::from_arg(&path)),
        }
    }

    fn read(self) -> Result<Vec<u8>, Error> {
        match self {
            Source::Inline(text) => Ok(text.into_bytes()),
            Source::Input(input) => input.read_all(),
        }
    }
}

/// Runs `ami encode`: every action is checked before anything is written.
pub fn run(args: Args) -> Result<Exit, Error> {
    let actions = match (args.json, args.action) {
        (Some(source), _) => from_json(&source.read()?).map_err(Error::usage)?,
        (None, Some(name)) => vec![Action {
            name,
            headers: args.headers,
        }],
        (None, None) => return Err(Error::usage("missing action name")),
    };
    let mut wire = Vec::new();
    for action in &actions {
        encode(action, &mut wire).map_err(Error::usage)?;
    }
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(&wire)
        .and_then(|()| stdout.flush())
        .map_err(Error::output)?;
    Ok(Exit::Success)
}

/// The actions of one `--json` text (a line of `ami record`'s standard input), checked
/// by the encoder, as actions a client sends.
pub(crate) fn actions_from_json(text: &[u8]) -> Result<Vec<ami_proto::GenericAction>, String> {
    let actions = from_json(text)?;
    for action in &actions {
        encode(action, &mut Vec::new())?;
    }
    Ok(actions
        .into_iter()
        .map(|a| {
            a.headers
                .into_iter()
                .fold(ami_proto::GenericAction::new(a.name), |g, (k, v)| {
                    g.header(k, v)
                })
        })
        .collect())
}

/// One action: its name and headers in order.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Action {
    name: String,
    headers: Vec<(String, String)>,
}

fn encode(action: &Action, out: &mut Vec<u8>) -> Result<(), String> {
    let mut w = ActionWriter::to_vec(&action.name, out);
    for (key, value) in &action.headers {
        w.header(key, value);
    }
    w.finish()
        .map(|_| ())
        .map_err(|e| format!("action `{}` refused: {e}", action.name))
}

/// The first argument: `NAME`, or `Action=NAME`.
pub(crate) fn action_name(arg: &str) -> Result<String, String> {
    match arg.split_once('=') {
        None => Ok(arg.to_owned()),
        Some((key, value)) if key.eq_ignore_ascii_case("Action") => Ok(value.to_owned()),
        Some(_) => Err("the first argument must be the action name".to_owned()),
    }
}

/// `KEY=VALUE`, split at the first `=`.
pub(crate) fn header(arg: &str) -> Result<(String, String), String> {
    arg.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| "expected KEY=VALUE".to_owned())
}

/// One action or several, from `--json`'s text.
fn from_json(text: &[u8]) -> Result<Vec<Action>, String> {
    let json: Json = serde_json::from_slice(text).map_err(|e| format!("invalid JSON: {e}"))?;
    match json {
        Json::Object(fields) => Ok(vec![from_fields(fields)?]),
        Json::Array(items) if items.iter().all(|i| matches!(i, Json::Object(_))) => items
            .into_iter()
            .map(|item| match item {
                Json::Object(fields) => from_fields(fields),
                _ => unreachable!("checked above"),
            })
            .collect(),
        Json::Array(items) => {
            let fields = items
                .into_iter()
                .map(|pair| match pair {
                    Json::Array(kv) if kv.len() == 2 => {
                        let mut kv = kv.into_iter();
                        match (kv.next(), kv.next()) {
                            (Some(Json::Text(k)), Some(v)) => Ok((k, v)),
                            _ => Err("a pair must be [\"Key\", value]".to_owned()),
                        }
                    }
                    _ => {
                        Err("expected an array of objects or of [\"Key\", value] pairs".to_owned())
                    }
                })
                .collect::<Result<_, _>>()?;
            Ok(vec![from_fields(fields)?])
        }
        _ => Err("expected a JSON object or array".to_owned()),
    }
}

/// Fields in document order; `Action` (any case) names the action, arrays repeat a key.
fn from_fields(fields: Vec<(String, Json)>) -> Result<Action, String> {
    let mut name = None;
    let mut headers = Vec::new();
    for (key, value) in fields {
        if key.eq_ignore_ascii_case("Action") {
            if name.is_some() {
                return Err("`Action` given twice".to_owned());
            }
            name = Some(scalar(&key, value)?);
            continue;
        }
        match value {
            Json::Array(values) => {
                for v in values {
                    headers.push((key.clone(), scalar(&key, v)?));
                }
            }
            v => {
                let v = scalar(&key, v)?;
                headers.push((key, v));
            }
        }
    }
    let name = name.ok_or("missing `Action`")?;
    Ok(Action { name, headers })
}

fn scalar(key: &str, value: Json) -> Result<String, String> {
    match value {
        Json::Text(s) | Json::Number(s) => Ok(s),
        Json::Bool(b) => Ok(b.to_string()),
        Json::Null => Err(format!("`{key}` is null (use \"\" for an empty value)")),
        Json::Array(_) | Json::Object(_) => Err(format!("`{key}` must be a string or number")),
    }
}

/// A JSON value that keeps object keys in document order (serde_json's `Value` sorts them
/// unless its `preserve_order` feature is on, which would change every crate's output).
#[derive(Debug, Clone, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Number(String),
    Text(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Number(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Number(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json, E> {
        Ok(Json::Number(v.to_string()))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
        Ok(Json::Text(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Json, E> {
        Ok(Json::Text(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut fields = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Json>()? {
            fields.push((key, value));
        }
        Ok(Json::Object(fields))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(actions: &[Action]) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        for a in actions {
            encode(a, &mut out)?;
        }
        Ok(out)
    }

    /// The action of `ami encode LIST...`, as the argument parser reads it.
    fn from_args(list: &[&str]) -> Result<Action, clap::Error> {
        #[derive(clap::Parser)]
        struct Encode {
            #[command(flatten)]
            args: Args,
        }
        let argv = std::iter::once("encode").chain(list.iter().copied());
        let args = <Encode as clap::Parser>::try_parse_from(argv)?.args;
        Ok(Action {
            name: args.action.expect("an action name"),
            headers: args.headers,
        })
    }

    fn from_json_text(text: &str) -> Result<Vec<Action>, String> {
        from_json(text.as_bytes())
    }

    #[test]
    fn key_value_arguments_keep_order_and_repeats() {
        let a = from_args(&[
            "Originate",
            "ActionID=7",
            "Channel=Local/100@test/n",
            "Variable=A=1",
            "Variable=B=",
            "Data=",
        ])
        .unwrap();
        assert_eq!(
            wire(&[a]).unwrap(),
            b"Action: Originate\r\nActionID: 7\r\nChannel: Local/100@test/n\r\n\
              Variable: A=1\r\nVariable: B=\r\nData: \r\n\r\n"
        );
        let a = from_args(&["Action=Ping"]).unwrap();
        assert_eq!(a.name, "Ping");
        assert!(from_args(&["Ping", "novalue"]).is_err());
        assert!(from_args(&["Key=Ping"]).is_err());
    }

    #[test]
    fn json_object_keeps_document_order() {
        let actions = from_json_text(
            r#"{"ActionID": "1", "Action": "Originate", "Timeout": 30000, "Async": true,
                "Variable": ["A=1", "B=2"], "Channel": "Local/1@t"}"#,
        )
        .unwrap();
        assert_eq!(
            wire(&actions).unwrap(),
            b"Action: Originate\r\nActionID: 1\r\nTimeout: 30000\r\nAsync: true\r\n\
              Variable: A=1\r\nVariable: B=2\r\nChannel: Local/1@t\r\n\r\n"
        );
    }

    #[test]
    fn json_arrays_of_objects_and_of_pairs() {
        let actions =
            from_json_text(r#"[{"Action":"Ping"},{"Action":"Logoff","ActionID":"2"}]"#).unwrap();
        assert_eq!(
            wire(&actions).unwrap(),
            b"Action: Ping\r\n\r\nAction: Logoff\r\nActionID: 2\r\n\r\n"
        );
        let actions = from_json_text(r#"[["Action","UserEvent"],["H","1"],["H","2"]]"#).unwrap();
        assert_eq!(
            wire(&actions).unwrap(),
            b"Action: UserEvent\r\nH: 1\r\nH: 2\r\n\r\n"
        );
    }

    #[test]
    fn refusals_name_the_problem() {
        for (json, needle) in [
            (r#"{"Channel":"x"}"#, "missing `Action`"),
            (r#"{"Action":"Ping","A":null}"#, "null"),
            (r#"{"Action":"Ping","A":{"b":1}}"#, "string or number"),
            (r#"{"Action":"Ping","Action":"Hangup"}"#, "twice"),
            ("[1,2]", "array of objects"),
            ("\"Ping\"", "object or array"),
            ("{", "invalid JSON"),
        ] {
            let err = from_json_text(json).unwrap_err();
            assert!(err.contains(needle), "{json}: {err}");
        }
        let injected =
            from_json_text(r#"{"Action":"Ping","ActionID":"1\r\n\r\nAction: Originate"}"#).unwrap();
        let err = wire(&injected).unwrap_err();
        assert!(err.contains("`ActionID`"), "{err}");
        let mut out = b"kept".to_vec();
        assert!(encode(&injected[0], &mut out).is_err());
        assert_eq!(out, b"kept");
    }
}
