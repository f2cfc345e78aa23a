//! Channel variables in every real server capture: both shapes resolve to a channel, name
//! and value.

mod replay;

use ami_proto::{chan_vars, Decoded, Decoder, Item};

#[test]
fn every_chan_variable_in_the_corpus_resolves() {
    let (mut keyed, mut prefixed, mut roles) = (0, 0, std::collections::BTreeSet::new());
    for t in replay::all() {
        let mut decoder = Decoder::new();
        let mut rest = &t.server[..];
        while let Decoded::Item { item, consumed } = decoder.decode(rest) {
            rest = &rest[consumed..];
            let Item::Message(m) = item else { continue };
            let raw = m
                .headers()
                .filter(|h| {
                    let k = h.key.to_ascii_lowercase();
                    k.windows(12).any(|w| w == b"chanvariable")
                })
                .count();
            let vars: Vec<_> = chan_vars(&m).collect();
            assert_eq!(vars.len(), raw, "{}/{}", t.version, t.name);
            for v in vars {
                let channel = v
                    .channel
                    .unwrap_or_else(|| panic!("{}/{}: no channel for {:?}", t.version, t.name, v));
                assert!(!channel.is_empty());
                assert!(!v.name.is_empty() && !v.name.contains(&b'='));
                let header = m
                    .headers()
                    .find(|h| h.value.ends_with(v.value) && h.value.starts_with(v.name))
                    .unwrap();
                if header.key.contains(&b'(') {
                    keyed += 1;
                    // The keyed shape names the message's own channel in 13 and 23.
                    assert_eq!(Some(channel), m.get("Channel"), "{}/{}", t.version, t.name);
                } else {
                    prefixed += 1;
                    roles.insert(String::from_utf8_lossy(v.role).into_owned());
                }
            }
        }
    }
    eprintln!("ChanVariable(channel): {keyed}, <Role>ChanVariable: {prefixed}, roles {roles:?}");
    assert!(keyed > 50, "{keyed}");
    assert!(prefixed > 1000, "{prefixed}");
    assert!(roles.contains("") && roles.contains("Dest"), "{roles:?}");
}
