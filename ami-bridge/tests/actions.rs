//! Actions by NATS request/reply, end to end: a client publishes a request on
//! `ami.<server>.action` to a real nats-server, the bridge sends it through its AMI client
//! to a fake Asterisk playing real captures, and the reply (with a list's items) comes
//! back. Requests that would inject a header or that the allow-list refuses are answered
//! `refused`, and the fake Asterisk receives nothing.

mod support;

use std::time::Duration;

use ami_replay::{Pace, ReplayServer};
use bytes::Bytes;
use serde_json::Value;
use support::*;

async fn request(nats: &async_nats::Client, server: &str, body: &str) -> Value {
    let reply = tokio::time::timeout(
        Duration::from_secs(20),
        nats.request(format!("ami.{server}.action"), Bytes::from(body.to_owned())),
    )
    .await
    .expect("an answer in time")
    .expect("an answer");
    serde_json::from_slice(&reply.payload).unwrap()
}

/// The value of `key` among a JSON Lines object's `headers` pairs.
fn header<'v>(object: &'v Value, key: &str) -> Option<&'v str> {
    object["headers"]
        .as_array()?
        .iter()
        .find(|pair| pair[0] == key)
        .and_then(|pair| pair[1].as_str())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actions_round_trip_and_refusals_reach_nothing() {
    logs();
    let nats = NatsServer::start().unwrap();
    let replay = ReplayServer::builder([capture("23_dbput_dbget")])
        .fallback([capture("08_ping")])
        .pace(Pace::AsFastAsPossible)
        .start()
        .await
        .unwrap();
    let secret = secret_file("amp111");
    let text = config_text(
        &nats.url(),
        secret.path(),
        &[("pbx", replay.addr().to_string())],
        "allow_write = \"reporting\"\nallow_actions = [\"Ping\"]\n",
        "",
    );
    let bridge = start(&text).await;
    let client = async_nats::connect(nats.url()).await.unwrap();

    // A list: DBGetTree is system,reporting; its items and final event come back whole,
    // with the requester's own ActionID beside them (the bridge sends its own).
    let reply = request(
        &client,
        "pbx",
        r#"{"Action":"DBGetTree","ActionID":"mine-1","Family":"amitest"}"#,
    )
    .await;
    assert_eq!(reply["type"], "reply", "{reply}");
    assert_eq!(reply["server"], "pbx");
    assert_eq!(reply["action_id"], "mine-1");
    assert_eq!(reply["success"], true);
    assert_eq!(header(&reply["response"], "EventList"), Some("start"));
    let items = reply["items"].as_array().unwrap();
    assert!(!items.is_empty(), "{reply}");
    assert!(items
        .iter()
        .all(|i| header(i, "Event") == Some("DBGetTreeResponse")));
    assert_eq!(reply["end"]["list"], "complete");
    assert_eq!(reply["end"]["seen"], items.len());
    assert_eq!(reply["end"]["listed"], items.len());
    assert_eq!(header(&reply["last"], "Event"), Some("DBGetTreeComplete"));

    // A <none> action allowed by name.
    let reply = request(&client, "pbx", r#"{"Action":"Ping"}"#).await;
    assert_eq!(header(&reply["response"], "Ping"), Some("Pong"), "{reply}");
    assert!(reply.get("items").is_none());

    let sent = replay.stats().requests;
    // Injections: CR/LF in a value, in a key, in the action name; and a second action.
    for body in [
        r#"{"Action":"Ping","ActionID":"1\r\n\r\nAction: Originate\r\nChannel: Local/1@x"}"#,
        r#"{"Action":"Ping","Variable":"A=1\nAction: Hangup"}"#,
        r#"{"Action":"Ping","X\r\nAction: Hangup\r\nY":"1"}"#,
        r#"{"Action":"Ping\r\nChannel: Local/1@x"}"#,
        r#"{"Action":"Ping","Data":"a\u0000b"}"#,
        r#"[{"Action":"Ping"},{"Action":"Ping"}]"#,
        r#"{"Action":"Ping","action":"Originate"}"#,
        "not json",
    ] {
        let reply = request(&client, "pbx", body).await;
        assert_eq!(reply["type"], "refused", "{body}: {reply}");
    }
    // The allow-list: Originate (originate class), the bridge's own session, an action
    // the tables do not know, a <none> action not named.
    for (body, why) in [
        (
            r#"{"Action":"Originate","Channel":"Local/1@x","Application":"Wait","Data":"1"}"#,
            "originate",
        ),
        (r#"{"Action":"Logoff"}"#, "own AMI session"),
        (
            r#"{"Action":"Filter","Filter":"Event: X"}"#,
            "own AMI session",
        ),
        (r#"{"Action":"MyModuleAction"}"#, "not in the action table"),
        (
            r#"{"Action":"BridgeDestroy","BridgeUniqueid":"x"}"#,
            "<none>",
        ),
    ] {
        let reply = request(&client, "pbx", body).await;
        assert_eq!(reply["type"], "refused", "{body}: {reply}");
        let error = reply["error"].as_str().unwrap();
        assert!(error.contains(why), "{body}: {error}");
    }
    assert_eq!(
        replay.stats().requests,
        sent,
        "no refused request reached Asterisk"
    );
    // The connection is still the first one: nothing a request said disturbed it.
    let reply = request(&client, "pbx", r#"{"Action":"Ping","ActionID":"after"}"#).await;
    assert_eq!(reply["action_id"], "after");
    assert_eq!(replay.stats().logged_in, 1);
    assert_eq!(replay.stats().requests, sent + 1);
    bridge.shutdown(Duration::from_secs(5)).await;
}
