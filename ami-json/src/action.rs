//! Actions written as JSON, the form `ami encode --json` reads and the bridge takes on
//! NATS: an object whose keys are the headers in document order, or `["Key", value]`
//! pairs. Parsing only reads the JSON; everything AMI forbids (CR, LF or NUL in a value,
//! a key that is not a token, a second `ActionID`, Asterisk's limits) is refused by
//! ami-proto's encoder when the action is written.

use std::fmt;

use ami_proto::{ActionWriter, EncodeError, GenericAction};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// One action: its name and its headers in order (an `ActionID` among them stays at its
/// place).
///
/// ```
/// let actions = ami_json::parse_actions(br#"{"Action":"Ping","ActionID":"7"}"#).unwrap();
/// let mut wire = Vec::new();
/// actions[0].encode(&mut wire).unwrap();
/// assert_eq!(wire, b"Action: Ping\r\nActionID: 7\r\n\r\n");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonAction {
    /// The action name (the value of `Action`).
    pub name: String,
    /// The other headers, in document order; a JSON array gave one header per element.
    pub headers: Vec<(String, String)>,
}

impl JsonAction {
    /// Appends the action's wire bytes to `out`: `Action:` first, then the headers in
    /// order. Refused as a whole (nothing appended) when ami-proto's encoder refuses any
    /// part of it.
    ///
    /// ```
    /// let actions = ami_json::parse_actions(br#"{"Action":"Ping","X":"1\r\nAction: Hangup"}"#).unwrap();
    /// let mut wire = Vec::new();
    /// assert!(actions[0].encode(&mut wire).is_err());
    /// assert!(wire.is_empty());
    /// ```
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let mut w = ActionWriter::to_vec(&self.name, out);
        for (key, value) in &self.headers {
            w.header(key, value);
        }
        w.finish().map(|_| ())
    }

    /// The action as a [`GenericAction`] without its `ActionID` headers, and the value of
    /// the first of them: for a sender that allocates ActionIDs itself (several requesters
    /// must never collide) and hands the caller's back beside the reply.
    ///
    /// ```
    /// use ami_proto::Action;
    /// let json = ami_json::parse_actions(br#"{"Action":"Ping","ActionID":"mine","X":"1"}"#).unwrap();
    /// let (action, id) = json[0].to_generic_without_id();
    /// assert_eq!(id.as_deref(), Some("mine"));
    /// assert_eq!(action.action_id(), None);
    /// let mut wire = Vec::new();
    /// action.encode_to_vec(&mut wire).unwrap();
    /// assert_eq!(wire, b"Action: Ping\r\nX: 1\r\n\r\n");
    /// ```
    pub fn to_generic_without_id(&self) -> (GenericAction, Option<String>) {
        let mut id = None;
        let mut action = GenericAction::new(&self.name);
        for (key, value) in &self.headers {
            if key.eq_ignore_ascii_case("ActionID") {
                id.get_or_insert_with(|| value.clone());
            } else {
                action = action.header(key, value);
            }
        }
        (action, id)
    }
}

/// Why JSON text is not an action.
///
/// ```
/// let err = ami_json::parse_actions(br#"{"Channel":"x"}"#).unwrap_err();
/// assert_eq!(err.to_string(), "missing `Action`");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonActionError(String);

impl fmt::Display for JsonActionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for JsonActionError {}

fn refuse<T>(why: impl Into<String>) -> Result<T, JsonActionError> {
    Err(JsonActionError(why.into()))
}

/// One action or several, from JSON text:
/// - `{"Action":"Originate","Channel":"Local/100@test","Variable":["A=1","B=2"]}`: one
///   action; keys in document order, an array repeats its key;
/// - `[{...}, {...}]`: several actions, in order;
/// - `[["Action","Ping"],["ActionID","1"]]`: one action as ordered pairs.
///
/// Numbers and booleans are written as their JSON text; `null`, objects and nested arrays
/// are refused, as is a second `Action` (any case).
///
/// ```
/// let a = ami_json::parse_actions(br#"{"Action":"Originate","Timeout":30000,"Variable":["A=1","B=2"]}"#).unwrap();
/// assert_eq!(a[0].name, "Originate");
/// assert_eq!(a[0].headers, [("Timeout".into(), "30000".into()), ("Variable".into(), "A=1".into()), ("Variable".into(), "B=2".into())]);
/// assert!(ami_json::parse_actions(br#"{"Action":"Ping","action":"Hangup"}"#).is_err());
/// ```
pub fn parse_actions(text: &[u8]) -> Result<Vec<JsonAction>, JsonActionError> {
    let json: Json = match serde_json::from_slice(text) {
        Ok(json) => json,
        Err(e) => return refuse(format!("invalid JSON: {e}")),
    };
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
                            _ => refuse("a pair must be [\"Key\", value]"),
                        }
                    }
                    _ => refuse("expected an array of objects or of [\"Key\", value] pairs"),
                })
                .collect::<Result<_, _>>()?;
            Ok(vec![from_fields(fields)?])
        }
        _ => refuse("expected a JSON object or array"),
    }
}

/// Fields in document order; `Action` (any case) names the action, arrays repeat a key.
fn from_fields(fields: Vec<(String, Json)>) -> Result<JsonAction, JsonActionError> {
    let mut name = None;
    let mut headers = Vec::new();
    for (key, value) in fields {
        if key.eq_ignore_ascii_case("Action") {
            if name.is_some() {
                return refuse("`Action` given twice");
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
    match name {
        Some(name) => Ok(JsonAction { name, headers }),
        None => refuse("missing `Action`"),
    }
}

fn scalar(key: &str, value: Json) -> Result<String, JsonActionError> {
    match value {
        Json::Text(s) | Json::Number(s) => Ok(s),
        Json::Bool(b) => Ok(b.to_string()),
        Json::Null => refuse(format!("`{key}` is null (use \"\" for an empty value)")),
        Json::Array(_) | Json::Object(_) => refuse(format!("`{key}` must be a string or number")),
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

    fn wire(actions: &[JsonAction]) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::new();
        for a in actions {
            a.encode(&mut out)?;
        }
        Ok(out)
    }

    fn parse(text: &str) -> Result<Vec<JsonAction>, String> {
        parse_actions(text.as_bytes()).map_err(|e| e.to_string())
    }

    #[test]
    fn json_object_keeps_document_order() {
        let actions = parse(
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
        let actions = parse(r#"[{"Action":"Ping"},{"Action":"Logoff","ActionID":"2"}]"#).unwrap();
        assert_eq!(
            wire(&actions).unwrap(),
            b"Action: Ping\r\n\r\nAction: Logoff\r\nActionID: 2\r\n\r\n"
        );
        let actions = parse(r#"[["Action","UserEvent"],["H","1"],["H","2"]]"#).unwrap();
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
            (r#"[["Action","Ping"],["ACTION","Hangup"]]"#, "twice"),
            ("[1,2]", "array of objects"),
            ("\"Ping\"", "object or array"),
            ("{", "invalid JSON"),
        ] {
            let err = parse(json).unwrap_err();
            assert!(err.contains(needle), "{json}: {err}");
        }
        let injected =
            parse(r#"{"Action":"Ping","ActionID":"1\r\n\r\nAction: Originate"}"#).unwrap();
        let err = wire(&injected).unwrap_err().to_string();
        assert!(err.contains("`ActionID`"), "{err}");
        let mut out = b"kept".to_vec();
        assert!(injected[0].encode(&mut out).is_err());
        assert_eq!(out, b"kept");
    }

    #[test]
    fn without_id_keeps_the_first_id_and_every_other_header() {
        let json =
            parse(r#"[["Action","Ping"],["A","1"],["actionid","x"],["ActionID","y"],["B","2"]]"#)
                .unwrap();
        let (action, id) = json[0].to_generic_without_id();
        assert_eq!(id.as_deref(), Some("x"));
        let headers: Vec<_> = action.headers().collect();
        assert_eq!(headers, [(&b"A"[..], &b"1"[..]), (&b"B"[..], &b"2"[..])]);
    }
}
