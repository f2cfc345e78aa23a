//! The tracker against every real transcript, in socket order: every request gets its
//! reply, every list its items, and whatever matches nothing is surfaced.

mod replay;

use ami_proto::{ActionId, Correlated, Decoded, Decoder, Item, ListEnd, ListShape, Tracker};
use replay::{Request, Step};
use std::collections::HashMap;

/// What the caller knows: an `Async: yes` Originate ends with one OriginateResponse.
const ASYNC_ORIGINATE: ListShape<'static> = ListShape::new(&[], "OriginateResponse");

fn shape_for(request: &Request) -> Option<ListShape<'static>> {
    let is_async = request
        .get("Async")
        .is_some_and(|v| v.eq_ignore_ascii_case(b"yes") || v.eq_ignore_ascii_case(b"true"));
    (request.name.eq_ignore_ascii_case(b"Originate") && is_async).then_some(ASYNC_ORIGINATE)
}

#[derive(Debug, Default)]
struct Tally {
    actions: usize,
    replies: usize,
    lists: usize,
    items: usize,
    /// Requests without ActionID, or not actions at all: their replies cannot be paired.
    unpairable_requests: usize,
    unknown_responses: usize,
    unknown_events: Vec<String>,
    mismatches: Vec<String>,
    unanswered: Vec<String>,
    /// Replied to, but the final event never came (an Async Originate with events off).
    unfinished: Vec<String>,
    unsolicited: usize,
}

fn replay_one(t: &replay::Transcript) -> Tally {
    let mut tally = Tally::default();
    let mut tracker: Tracker<'static, 64> = Tracker::new();
    let mut names: HashMap<ActionId, String> = HashMap::new();
    let mut items: HashMap<ActionId, u32> = HashMap::new();
    let mut replied = Vec::new();
    let mut decoder = Decoder::new();
    let mut buf: Vec<u8> = Vec::new();
    for step in &t.steps {
        match step {
            Step::Sent(request) => {
                let id = request.get("ActionID").and_then(ActionId::new);
                match (request.is_action, id) {
                    (true, Some(id)) => {
                        tracker.register(id, shape_for(request)).unwrap();
                        names.insert(id, String::from_utf8_lossy(&request.name).into_owned());
                        tally.actions += 1;
                    }
                    _ => tally.unpairable_requests += 1,
                }
            }
            Step::Received(bytes) => {
                buf.extend_from_slice(bytes);
                let mut used = 0;
                loop {
                    match decoder.decode(&buf[used..]) {
                        Decoded::Item { item, consumed } => {
                            used += consumed;
                            let Item::Message(m) = item else { continue };
                            match tracker.handle(&m) {
                                Correlated::Response { id, list } => {
                                    tally.replies += 1;
                                    replied.push(id);
                                    if list {
                                        items.insert(id, 0);
                                    }
                                }
                                Correlated::ListItem { id, index, .. } => {
                                    let n = items.get_mut(&id).expect("item of an open list");
                                    assert_eq!(index, *n, "{}/{}", t.version, t.name);
                                    *n += 1;
                                    tally.items += 1;
                                }
                                Correlated::ListEnd { id, end } => {
                                    let n = items.remove(&id).expect("end of an open list");
                                    assert_eq!(end.seen(), n);
                                    assert!(matches!(end, ListEnd::Complete { .. }), "{end:?}");
                                    tally.lists += 1;
                                    if end.mismatch() {
                                        tally.mismatches.push(format!(
                                            "{}: {end:?}",
                                            String::from_utf8_lossy(m.name())
                                        ));
                                    }
                                }
                                Correlated::UnknownResponse => tally.unknown_responses += 1,
                                Correlated::UnknownEvent => tally
                                    .unknown_events
                                    .push(String::from_utf8_lossy(m.name()).into_owned()),
                                Correlated::Unsolicited => tally.unsolicited += 1,
                                other => panic!("{}/{}: {other:?}", t.version, t.name),
                            }
                        }
                        Decoded::NeedMore { consumed } => {
                            used += consumed;
                            break;
                        }
                        Decoded::Error { error, .. } => panic!("{}/{}: {error}", t.version, t.name),
                    }
                }
                buf.drain(..used);
            }
        }
    }
    for id in tracker.pending() {
        let name = names[&id].clone();
        if replied.contains(&id) {
            tally.unfinished.push(name);
        } else {
            tally.unanswered.push(name);
        }
    }
    tally
}

#[test]
fn every_transcript_pairs_replies_and_lists() {
    let transcripts = replay::all();
    let mut total = Tally::default();
    let mut pairs = HashMap::new();
    for t in &transcripts {
        *pairs.entry(t.version).or_insert(0) += 1;
        let tally = replay_one(t);
        let ctx = format!("{}/{}", t.version, t.name);
        // Known non-replies: IAXnetstats with nothing to show writes a lone CRLF; 13's
        // `Queues` writes raw text without ActionID.
        for name in &tally.unanswered {
            let known =
                name == "IAXnetstats" || (t.version == "asterisk-13.38.3" && name == "Queues");
            assert!(known, "{ctx}: {name} got no reply");
        }
        for name in &tally.unfinished {
            assert_eq!(name, "Originate", "{ctx}: {name} never finished");
        }
        // Replies to requests without ActionID are surfaced, one each (54's lone CRLF
        // also gets one).
        let lone_crlf = usize::from(t.name == "54_no_action_header");
        assert_eq!(
            tally.unknown_responses,
            tally.unpairable_requests + lone_crlf,
            "{ctx}"
        );
        // The only events with an ActionID nobody waits for: UserEvents (the UserEvent
        // action passes its ActionID header into the event, after the reply), and in the
        // monitoring session the OriginateResponses of other sessions' originates (Asterisk
        // sends them, ActionID included, to every session with events on).
        for name in &tally.unknown_events {
            let known = name == "UserEvent"
                || (t.name == "00_monitor_all_events" && name == "OriginateResponse");
            assert!(known, "{ctx}: {name}");
        }
        total.actions += tally.actions;
        total.replies += tally.replies;
        total.lists += tally.lists;
        total.items += tally.items;
        total.unpairable_requests += tally.unpairable_requests;
        total.unknown_responses += tally.unknown_responses;
        total.unknown_events.extend(tally.unknown_events);
        total
            .mismatches
            .extend(tally.mismatches.into_iter().map(|m| format!("{ctx}: {m}")));
        total.unanswered.extend(tally.unanswered);
        total.unfinished.extend(tally.unfinished);
        total.unsolicited += tally.unsolicited;
    }
    eprintln!("transcript pairs per version: {pairs:?}");
    eprintln!(
        "actions {} replies {} lists {} items {} unpairable {} unknown responses {} \
         unknown events {} unanswered {:?} unfinished {:?} unsolicited events {}",
        total.actions,
        total.replies,
        total.lists,
        total.items,
        total.unpairable_requests,
        total.unknown_responses,
        total.unknown_events.len(),
        total.unanswered,
        total.unfinished,
        total.unsolicited
    );
    assert_eq!(transcripts.len(), pairs.values().sum::<usize>());
    assert_eq!(total.replies + total.unanswered.len(), total.actions);
    // 23.4.1's PJSIPShowRegistrationsOutbound counts only its registrations in ListItems,
    // not the AuthDetail events between them: the tracker must report exactly those.
    assert_eq!(total.mismatches.len(), 3, "{:#?}", total.mismatches);
    for m in &total.mismatches {
        assert!(
            m.contains("OutboundRegistrationDetailComplete: Complete { seen: 4, listed: Some(2) }"),
            "{m}"
        );
    }
    assert!(total.lists >= 94, "only {} lists", total.lists);
}

/// Responses that arrive after unrelated events, several actions in flight, lists that
/// interleave, a cancelled list, an error ending a list, and a caller-known list whose
/// reply does not say `EventList: start`.
#[test]
fn interleaved_lists_and_replies() {
    const DBGET: ListShape<'static> = ListShape::new(&["DBGetResponse"], "DBGetComplete");
    let wire: &[u8] = b"\
Event: Newchannel\r\nChannel: X\r\n\r\n\
Response: Success\r\nActionID: b\r\nEventList: start\r\n\r\n\
Response: Success\r\nActionID: a\r\nEventList: Start\r\n\r\n\
Event: Item\r\nActionID: a\r\n\r\n\
Event: Item\r\nActionID: b\r\n\r\n\
Event: VarSet\r\nVariable: x\r\n\r\n\
Event: Item\r\nActionID: a\r\n\r\n\
Event: Done\r\nActionID: b\r\nEventList: Complete\r\nListItems: 1\r\n\r\n\
Response: Success\r\nActionID: c\r\nMessage: Result will follow\r\n\r\n\
Event: DBGetResponse\r\nActionID: c\r\n\r\n\
Event: Surprise\r\nActionID: c\r\n\r\n\
Event: DBGetComplete\r\nActionID: c\r\nListItems: 5\r\n\r\n\
Event: Stop\r\nActionID: a\r\nEventList: cancelled\r\n\r\n\
Response: Success\r\nActionID: d\r\nEventList: start\r\n\r\n\
Response: Error\r\nActionID: d\r\nMessage: gone\r\n\r\n\
Response: Success\r\nActionID: zz\r\n\r\n\
Event: Late\r\nActionID: zz\r\n\r\n\
Response: Pong\r\n\r\n";
    let id = |s: &str| ActionId::new(s.as_bytes()).unwrap();
    let (a, b, c, d) = (id("a"), id("b"), id("c"), id("d"));
    let mut tracker: Tracker<4> = Tracker::new();
    tracker.register(a, None).unwrap();
    tracker.register(b, None).unwrap();
    tracker.register(c, Some(DBGET)).unwrap();
    tracker.register(d, None).unwrap();
    let mut decoder = Decoder::new();
    let mut rest = wire;
    let mut got = Vec::new();
    while let Decoded::Item {
        item: Item::Message(m),
        consumed,
    } = decoder.decode(rest)
    {
        got.push(tracker.handle(&m));
        rest = &rest[consumed..];
    }
    use Correlated as C;
    let want = [
        C::Unsolicited,
        C::Response { id: b, list: true },
        C::Response { id: a, list: true },
        C::ListItem {
            id: a,
            index: 0,
            expected: true,
        },
        C::ListItem {
            id: b,
            index: 0,
            expected: true,
        },
        C::Unsolicited,
        C::ListItem {
            id: a,
            index: 1,
            expected: true,
        },
        C::ListEnd {
            id: b,
            end: ListEnd::Complete {
                seen: 1,
                listed: Some(1),
            },
        },
        C::Response { id: c, list: true },
        C::ListItem {
            id: c,
            index: 0,
            expected: true,
        },
        C::ListItem {
            id: c,
            index: 1,
            expected: false,
        },
        C::ListEnd {
            id: c,
            end: ListEnd::Complete {
                seen: 2,
                listed: Some(5),
            },
        },
        C::ListEnd {
            id: a,
            end: ListEnd::Cancelled { seen: 2 },
        },
        C::Response { id: d, list: true },
        C::ListEnd {
            id: d,
            end: ListEnd::Error { seen: 0 },
        },
        C::UnknownResponse,
        C::UnknownEvent,
        C::UnknownResponse,
    ];
    assert_eq!(got, want);
    assert!(tracker.is_empty());
}

#[test]
fn full_tracker_is_a_clear_error_and_frees_on_reply() {
    let mut tracker: Tracker<2> = Tracker::new();
    let ids: Vec<ActionId> = (0..3)
        .map(|i| ActionId::new(format!("{i}").as_bytes()).unwrap())
        .collect();
    tracker.register(ids[0], None).unwrap();
    tracker.register(ids[1], None).unwrap();
    assert_eq!(
        tracker.register(ids[2], None),
        Err(ami_proto::TrackError::Full { capacity: 2 })
    );
    let mut decoder = Decoder::new();
    let Decoded::Item {
        item: Item::Message(m),
        ..
    } = decoder.decode(b"Response: Success\r\nActionID: 1\r\n\r\n")
    else {
        panic!()
    };
    assert_eq!(
        tracker.handle(&m),
        Correlated::Response {
            id: ids[1],
            list: false
        }
    );
    tracker.register(ids[2], None).unwrap();
    assert_eq!(tracker.len(), 2);
}
