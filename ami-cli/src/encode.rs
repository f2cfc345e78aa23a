//! `ami encode`: turn an action given as arguments or JSON into the exact bytes to send,
//! through the injection-proof encoder of ami-proto.

use std::fmt;
use std::io::{self, Read, Write};

use ami_proto::ActionWriter;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

const HELP: &str = "\
ami encode: write an AMI action as wire bytes (CRLF lines, blank line at the end)

USAGE:
    ami encode ACTION [KEY=VALUE ...]
    ami encode --json [JSON|FILE|-]

  ACTION [KEY=VALUE ...]  the action name, then headers in order (split at the first `=`:
                          `Variable=A=1` is the header `Variable: A=1`); repeat a key to
                          send it several times
  --json [JSON|FILE|-]    JSON given inline (it starts with `{` or `[`), read from FILE,
                          or from standard input (`-` or nothing):
                            {\"Action\":\"Originate\",\"Channel\":\"Local/100@test\",
                             \"Variable\":[\"A=1\",\"B=2\"]}   one action; keys in document
                                                            order, an array repeats its key
                            [{...}, {...}]                  several actions, in order
                            [[\"Action\",\"Ping\"],[\"ActionID\",\"1\"]]  one action as ordered pairs
                          numbers and booleans are written as their JSON text

Values holding CR, LF or NUL, keys that are not tokens, lines over 1024 bytes (CRLF
included) or more than 128 lines are refused, naming the header; nothing is written then.

Exit status: 0 on success, 2 on a refused action, usage or IO failure.";

/// Runs `ami encode` with its arguments.
pub fn run(args: &[String]) -> Result<(), String> {
    let actions = match args.first().map(String::as_str) {
        None | Some("--help" | "-h") => {
            // A closed pipe (`| head`) is not an error worth a panic.
            let _ = writeln!(io::stdout(), "{HELP}");
            return Ok(());
        }
        Some("--json") => {
            let source = args.get(1).map(String::as_str).unwrap_or("-");
            let inline = source.trim_start().starts_with(['{', '[']);
            let text = if inline {
                source.to_owned()
            } else {
                read_input(source)?
            };
            if args.len() > 2 {
                return Err(format!("unexpected argument `{}`\n\n{HELP}", args[2]));
            }
            from_json(&text)?
        }
        Some(_) => vec![from_args(args)?],
    };
    let mut wire = Vec::new();
    for action in &actions {
        encode(action, &mut wire)?;
    }
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(&wire)
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("writing output: {e}"))
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

fn read_input(path: &str) -> Result<String, String> {
    let mut text = String::new();
    let result = if path == "-" {
        io::stdin().read_to_string(&mut text)
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_string(&mut text))
    };
    result.map_err(|e| format!("reading {path}: {e}"))?;
    Ok(text)
}

/// `ACTION KEY=VALUE ...`; `Action=NAME` is accepted as the first argument too.
fn from_args(args: &[String]) -> Result<Action, String> {
    let (first, rest) = args.split_first().ok_or("missing action name")?;
    let name = match first.split_once('=') {
        None => first.clone(),
        Some((key, value)) if key.eq_ignore_ascii_case("Action") => value.to_owned(),
        Some(_) => {
            return Err(format!(
                "the first argument must be the action name, not `{first}`"
            ))
        }
    };
    let headers = rest
        .iter()
        .map(|arg| {
            arg.split_once('=')
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .ok_or_else(|| format!("`{arg}` is not KEY=VALUE"))
        })
        .collect::<Result<_, _>>()?;
    Ok(Action { name, headers })
}

fn from_json(text: &str) -> Result<Vec<Action>, String> {
    let json: Json = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
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

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn key_value_arguments_keep_order_and_repeats() {
        let a = from_args(&args(&[
            "Originate",
            "ActionID=7",
            "Channel=Local/100@test/n",
            "Variable=A=1",
            "Variable=B=",
            "Data=",
        ]))
        .unwrap();
        assert_eq!(
            wire(&[a]).unwrap(),
            b"Action: Originate\r\nActionID: 7\r\nChannel: Local/100@test/n\r\n\
              Variable: A=1\r\nVariable: B=\r\nData: \r\n\r\n"
        );
        let a = from_args(&args(&["Action=Ping"])).unwrap();
        assert_eq!(a.name, "Ping");
        assert!(from_args(&args(&["Ping", "novalue"])).is_err());
        assert!(from_args(&args(&["Key=Ping"])).is_err());
    }

    #[test]
    fn json_object_keeps_document_order() {
        let actions = from_json(
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
            from_json(r#"[{"Action":"Ping"},{"Action":"Logoff","ActionID":"2"}]"#).unwrap();
        assert_eq!(
            wire(&actions).unwrap(),
            b"Action: Ping\r\n\r\nAction: Logoff\r\nActionID: 2\r\n\r\n"
        );
        let actions = from_json(r#"[["Action","UserEvent"],["H","1"],["H","2"]]"#).unwrap();
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
            let err = from_json(json).unwrap_err();
            assert!(err.contains(needle), "{json}: {err}");
        }
        let injected =
            from_json(r#"{"Action":"Ping","ActionID":"1\r\n\r\nAction: Originate"}"#).unwrap();
        let err = wire(&injected).unwrap_err();
        assert!(err.contains("`ActionID`"), "{err}");
        let mut out = b"kept".to_vec();
        assert!(encode(&injected[0], &mut out).is_err());
        assert_eq!(out, b"kept");
    }
}
