//! Typed actions encode through ami-proto into what the decoder reads back.

use ami_proto::{Decoded, Decoder, Item};
use ami_spec::actions::{Originate, Ping, UpdateConfig};
use ami_spec::ACTIONS;

fn decode_pairs(wire: &[u8]) -> Vec<(String, String)> {
    let mut decoder = Decoder::new();
    let Decoded::Item {
        item: Item::Message(m),
        consumed,
    } = decoder.decode(wire)
    else {
        panic!("not one message: {:?}", String::from_utf8_lossy(wire))
    };
    assert_eq!(consumed, wire.len());
    m.headers()
        .map(|h| {
            (
                String::from_utf8(h.key.to_vec()).unwrap(),
                String::from_utf8(h.value.to_vec()).unwrap(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn originate_encodes_in_documented_order_then_extras() {
    let action = Originate {
        action_id: Some("o-1"),
        channel: "PJSIP/101",
        exten: Some("100"),
        context: Some("test"),
        priority: Some("1"),
        r#async: Some("yes"),
        extra: &[("Variable", "A=1"), ("Variable", "B=2")],
        ..Originate::default()
    };
    let mut wire = Vec::new();
    ami_proto::Action::encode_to_vec(&action, &mut wire).unwrap();
    assert_eq!(
        decode_pairs(&wire),
        pairs(&[
            ("Action", "Originate"),
            ("ActionID", "o-1"),
            ("Channel", "PJSIP/101"),
            ("Exten", "100"),
            ("Context", "test"),
            ("Priority", "1"),
            ("Async", "yes"),
            ("Variable", "A=1"),
            ("Variable", "B=2"),
        ])
    );
    let json = serde_json::to_value(action).unwrap();
    assert_eq!(json["Channel"], "PJSIP/101");
    assert!(json.get("Timeout").is_none());
}

#[test]
fn numbered_families_get_their_numbers() {
    let action = UpdateConfig {
        src_filename: "a.conf",
        dst_filename: "b.conf",
        action: &[(0, "NewCat"), (1, "Append")],
        cat: &[(0, "x"), (1, "x")],
        ..UpdateConfig::default()
    };
    let keys: Vec<String> = action
        .headers()
        .iter()
        .map(|(k, _)| k.as_str().to_string())
        .collect();
    assert_eq!(
        keys,
        [
            "SrcFilename",
            "DstFilename",
            "Action-000000",
            "Action-000001",
            "Cat-000000",
            "Cat-000001"
        ]
    );
}

#[test]
fn injection_is_refused_by_the_encoder() {
    let ping = Ping {
        action_id: Some("x\r\nAction: Logoff"),
        ..Ping::default()
    };
    assert!(ami_proto::Action::encode_to_vec(&ping, &mut Vec::new()).is_err());
}

#[test]
fn every_action_has_its_name_first_and_versions() {
    for info in ACTIONS {
        assert!(!info.versions.is_empty(), "{}", info.name);
        assert!(info.fields.iter().all(|f| !f.versions.is_empty()));
    }
    assert_eq!(Originate::NAME, "Originate");
    assert!(ACTIONS
        .iter()
        .any(|a| a.name == "PJSIPShowEndpoint" && a.versions == ["23.4.1"]));
}
