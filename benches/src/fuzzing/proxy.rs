//! `proxy_session`: any bytes a downstream client sends into ami-proxy's `Session`.

use std::net::IpAddr;
use std::sync::{Arc, OnceLock};

use ami_proto::filter::{ManagerConf, Rules};
use ami_proto::{encode_to_vec, Action, Decoded, Decoder, Item, Kind};
use ami_proxy::{required_write_classes, Session, Step};

/// The users the check logs in as: three of `corpus/filter-oracle` (secret `oracle`, so its
/// recorded client sides are seeds), one with few write classes, one only allowed from 10/8.
const USERS: &[u8] = b"[general]
enabled = yes

[reference]
secret = oracle
read = all
write = all

[rt_filter_legacy]
secret = oracle
read = all
write = all
eventfilter = !Event: VarSet

[ev_mask_call]
secret = oracle
read = call,system
write = call
eventfilter(action(exclude),header(Channel),method(ends_with)) = \\;2

[reader]
secret = r3ad
read = call
write = reporting

[remote]
secret = far
read = all
write = all
deny = 0.0.0.0/0.0.0.0
permit = 10.0.0.0/8
";

fn users() -> Arc<ManagerConf> {
    static USERS_CONF: OnceLock<Arc<ManagerConf>> = OnceLock::new();
    USERS_CONF
        .get_or_init(|| Arc::new(ManagerConf::parse(USERS, Rules::default()).unwrap()))
        .clone()
}

/// Read sizes the selector picks from (0: all at once).
const READS: [usize; 8] = [0, 1, 2, 7, 64, 1460, 4096, 0];

/// A step as compared between two feedings; a `Challenge:` value is random and left out.
fn describe(step: &Step) -> String {
    match step {
        Step::Write(bytes) => {
            let text = String::from_utf8_lossy(bytes);
            let kept: Vec<&str> = text
                .split("\r\n")
                .filter(|l| !l.starts_with("Challenge: "))
                .collect();
            format!("Write({kept:?})")
        }
        other => format!("{other:?}"),
    }
}

/// Feeds `input` in reads of `read` bytes (0: at once); every step in order.
fn run(conf: &Arc<ManagerConf>, peer: IpAddr, input: &[u8], read: usize) -> Vec<Step> {
    let mut session = Session::new(conf.clone(), peer);
    let mut steps = Vec::new();
    let size = if read == 0 { input.len().max(1) } else { read };
    for chunk in input.chunks(size) {
        session.handle_input(chunk);
        steps.extend(std::iter::from_fn(|| session.poll_step()));
    }
    if session.is_closed() {
        session.handle_input(b"Action: Ping\r\n\r\n");
        assert!(session.poll_step().is_none(), "a closed session still acts");
    }
    steps
}

/// Byte 0: bits 0-2 a read size, bit 3 the client's address (127.0.0.1 or 10.0.0.1); the
/// rest is what the client sends. Checks: no panic; feeding in any read size gives the same
/// steps; everything written decodes (strict CRLF) to whole responses and events, never an
/// action; a forward happens only after a login, never for the actions the proxy answers
/// itself, only within the user's write classes, and always encodes (nothing can add a
/// header or an action); a refused login is followed by its answer and the close; nothing
/// follows a close.
pub fn proxy_session(input: &[u8]) {
    let Some((&selector, rest)) = input.split_first() else {
        return;
    };
    let conf = users();
    let peer: IpAddr = if selector & 8 == 0 {
        [127, 0, 0, 1].into()
    } else {
        [10, 0, 0, 1].into()
    };
    let steps = run(&conf, peer, rest, READS[usize::from(selector & 7)]);
    let whole = run(&conf, peer, rest, 0);
    let a: Vec<String> = steps.iter().map(describe).collect();
    let b: Vec<String> = whole.iter().map(describe).collect();
    assert_eq!(a, b, "the read size changed the steps");

    let mut user: Option<String> = None;
    let mut closed = false;
    let mut after_refusal = 0;
    for step in &steps {
        assert!(!closed, "a step after the close: {step:?}");
        match step {
            Step::Write(bytes) => {
                let mut decoder = Decoder::new();
                let mut rest = &bytes[..];
                let mut messages = 0;
                while !rest.is_empty() {
                    match decoder.decode(rest) {
                        Decoded::Item {
                            item: Item::Message(m),
                            consumed,
                        } => {
                            assert!(
                                matches!(m.kind(), Kind::Response | Kind::Event),
                                "wrote a {:?}",
                                m.kind()
                            );
                            messages += 1;
                            rest = &rest[consumed..];
                        }
                        other => panic!("wrote bytes that do not decode: {other:?}"),
                    }
                }
                assert_eq!(messages, 1, "one message a write");
                if after_refusal == 1 {
                    after_refusal = 2;
                }
            }
            Step::Forward { action, .. } => {
                let name = action.name();
                assert!(user.is_some(), "forwarded {name} before a login");
                for own in ["Login", "Logoff", "Challenge", "Events", "Filter"] {
                    assert!(!name.eq_ignore_ascii_case(own), "forwarded {name}");
                }
                let write = conf.user(user.as_deref().unwrap()).unwrap().write;
                assert!(write.contains(required_write_classes(name.as_bytes())));
                let mut out = Vec::new();
                let headers: Vec<(&[u8], &[u8])> = action.headers().collect();
                encode_to_vec(name, headers, &mut out).expect("a forwarded action encodes");
                assert!(
                    action.action_id().is_none(),
                    "the client's ActionID went upstream"
                );
            }
            Step::LoggedIn { user: name } => {
                assert!(user.is_none(), "a second login");
                user = Some(name.clone());
            }
            Step::Refused { .. } => {
                assert!(user.is_none());
                after_refusal = 1;
            }
            Step::Close { .. } => closed = true,
        }
    }
    if after_refusal > 0 {
        assert!(
            after_refusal == 2 && closed,
            "a refusal is answered, then closed"
        );
    }
}
