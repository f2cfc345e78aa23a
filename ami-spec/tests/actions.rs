//! Typed actions: required headers through `new`, the rest through methods, encoded by
//! ami-proto's injection-proof writer into what the decoder reads back.

use ami_proto::{Action, Decoded, Decoder, Item};
use ami_spec::actions::{CoreShowChannels, Hangup, Login, Originate, Ping, UpdateConfig};
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
fn originate_encodes_in_documented_order_with_repeated_variables() {
    let action = Originate::new("PJSIP/101")
        .r#async("yes")
        .priority("1")
        .variable("A=1")
        .context("test")
        .exten("100")
        .variable("B=2")
        .action_id("o-1")
        .header("X-Custom", "z");
    let mut wire = Vec::new();
    action.encode_to_vec(&mut wire).unwrap();
    assert_eq!(
        decode_pairs(&wire),
        pairs(&[
            ("Action", "Originate"),
            ("ActionID", "o-1"),
            ("Channel", "PJSIP/101"),
            ("Exten", "100"),
            ("Context", "test"),
            ("Priority", "1"),
            ("Variable", "A=1"),
            ("Variable", "B=2"),
            ("Async", "yes"),
            ("X-Custom", "z"),
        ])
    );
    assert_eq!(Action::action_id(&action), Some(&b"o-1"[..]));
    // `headers` lists the same, ActionID first.
    let keys: Vec<String> = action
        .headers()
        .iter()
        .map(|(k, _)| k.as_str().to_string())
        .collect();
    assert_eq!(keys[0], "ActionID");
    assert_eq!(keys.len(), 9);
}

#[test]
fn async_is_read_as_asterisk_reads_a_boolean() {
    for yes in ["yes", "true", "y", "t", "1", "on", "YES", "True", "On"] {
        let shape = Originate::new("PJSIP/1").r#async(yes).list_shape();
        let shape = shape.unwrap_or_else(|| panic!("{yes}"));
        assert!(shape.items.is_empty());
        assert_eq!(shape.final_event, "OriginateResponse");
    }
    for no in ["no", "false", "0", "", "yess", " yes"] {
        assert!(
            Originate::new("PJSIP/1").r#async(no).list_shape().is_none(),
            "{no}"
        );
    }
    assert!(Originate::new("PJSIP/1").list_shape().is_none());
}

#[test]
fn hangup_is_a_list_only_for_a_regex() {
    let shape = Hangup::new("/^PJSIP\\/100-.*$/").list_shape().unwrap();
    assert!(shape.is_item(b"ChannelHungup"));
    assert!(shape.is_final(b"ChannelsHungupListComplete"));
    assert!(Hangup::new("PJSIP/100-00000001").list_shape().is_none());
}

#[test]
fn list_actions_give_their_shape() {
    let shape = CoreShowChannels::new().list_shape().unwrap();
    assert_eq!(shape.items, ["CoreShowChannel"]);
    assert_eq!(shape.final_event, "CoreShowChannelsComplete");
    assert!(Ping::new().list_shape().is_none());
}

#[test]
fn numbered_families_get_their_numbers() {
    let action = UpdateConfig::new("a.conf", "b.conf")
        .action(0, "NewCat")
        .cat(0, "x")
        .action(1, "Append")
        .cat(1, "x");
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
    let ping = Ping::new().action_id("x\r\nAction: Logoff");
    assert!(ping.encode_to_vec(&mut Vec::new()).is_err());
    let originate = Originate::new("PJSIP/1\r\nAction: Originate");
    assert!(originate.encode_to_vec(&mut Vec::new()).is_err());
    let header = Ping::new().header("X\r\nAction", "Logoff");
    assert!(header.encode_to_vec(&mut Vec::new()).is_err());
}

#[test]
fn debug_hides_secrets() {
    let login = Login::new("admin").secret("amp111").key("abcdef");
    let shown = format!("{login:?}");
    assert!(shown.contains("admin"), "{shown}");
    assert!(
        !shown.contains("amp111") && !shown.contains("abcdef"),
        "{shown}"
    );
    assert!(shown.contains("<hidden>"), "{shown}");
}

#[test]
fn every_action_has_its_name_and_versions() {
    for info in ACTIONS {
        assert!(!info.versions.is_empty(), "{}", info.name);
        assert!(info
            .fields
            .iter()
            .all(|f| !f.versions.is_empty() || f.observed));
    }
    assert_eq!(Originate::NAME, "Originate");
    assert!(ACTIONS
        .iter()
        .any(|a| a.name == "PJSIPShowEndpoint" && a.versions == ["23.4.1"]));
}
