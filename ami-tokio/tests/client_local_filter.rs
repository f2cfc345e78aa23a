//! The client's local filter (`ClientConfig::local_filter`) against a real Asterisk 23.4.1
//! (`corpus/filter-oracle/`): a fake Asterisk writes the unfiltered reference session's
//! burst; a client filtering as an oracle user publishes exactly the events Asterisk sent
//! that user, in order, byte for byte.

mod support;

use std::time::Duration;

use ami_proto::filter::{ManagerConf, Rules};
use ami_proto::{Decoded, Decoder, GenericAction, Item, OwnedMessage};
use ami_replay::ReplayServer;
use ami_tokio::{Client, ClientEvent, Events};

fn oracle(name: &str) -> Vec<u8> {
    std::fs::read(support::corpus().join("filter-oracle").join(name)).unwrap()
}

/// A user's burst, from `filters.json`'s offsets.
fn burst(name: &str) -> Vec<u8> {
    let json: serde_json::Value = serde_json::from_slice(&oracle("filters.json")).unwrap();
    let user = json["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["user"] == name)
        .unwrap();
    let offset = |phase: &str| user["offsets"][phase].as_u64().unwrap() as usize;
    oracle(&format!("{name}.server.bin"))[offset("burst_start")..offset("burst_end")].to_vec()
}

fn messages(bytes: &[u8]) -> Vec<OwnedMessage> {
    let (mut decoder, mut rest, mut out) = (Decoder::new(), bytes, Vec::new());
    while let Decoded::Item { item, consumed } = decoder.decode(rest) {
        if let Item::Message(m) = item {
            out.push(OwnedMessage::new(&m));
        }
        rest = &rest[consumed..];
    }
    out
}

async fn next_event(events: &mut Events) -> OwnedMessage {
    loop {
        let event = tokio::time::timeout(Duration::from_secs(20), events.recv())
            .await
            .expect("an event in time")
            .expect("the client is open");
        match event {
            ClientEvent::Event(m) | ClientEvent::Unmatched(m) => return m,
            ClientEvent::Lagged { missed } => panic!("missed {missed}"),
            _ => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oracle_users_get_their_burst() {
    let conf = ManagerConf::parse(&oracle("manager.conf"), Rules::Asterisk20).unwrap();
    let server = ReplayServer::start([support::capture("asterisk-23.4.1", "08_ping")])
        .await
        .unwrap();
    let reference = burst("reference");
    // Read classes, a mask, legacy and advanced lines, includes and excludes.
    for (name, mask) in [
        ("rc_call", None),
        ("rc_dial_user", None),
        ("lf_both", None),
        ("lf_not_chan2", None),
        ("af_combo", None),
        ("af_chanvar", None),
        ("af_mixed_legacy_adv", None),
        ("ev_login_mask", Some("call,user")),
    ] {
        let mut config = support::config(server.addr())
            .local_filter(conf.user(name).unwrap().clone())
            .event_buffer(1 << 16);
        if let Some(mask) = mask {
            config = config.events(mask);
        }
        let (client, mut events) = Client::connect_with_events(config).await.unwrap();
        server.send_raw(reference.clone());
        let expected = messages(&burst(name));
        assert!(!expected.is_empty(), "{name}");
        for (n, want) in expected.iter().enumerate() {
            let got = next_event(&mut events).await;
            assert!(
                got.as_bytes() == want.as_bytes(),
                "{name}: event {n} is {:?}, expected {:?}",
                String::from_utf8_lossy(got.message().name()),
                String::from_utf8_lossy(want.message().name())
            );
        }
        // Nothing more: a Ping's reply comes after anything the burst could still hold.
        assert!(client
            .send(&GenericAction::new("Ping"))
            .await
            .unwrap()
            .is_success());
        let more = tokio::time::timeout(Duration::from_millis(200), next_event(&mut events)).await;
        assert!(more.is_err(), "{name}: an event more: {more:?}");
        client.logoff().await.unwrap();
    }
}
