//! Every recorded AJAM body of Asterisk 13.38.3 and 23.4.1 (`corpus/http/`, see
//! `requests.tsv`) decodes to the messages it holds.
//!
//! rawman bodies are checked against a plain reader that shares no code with the crate.
//! mxml and manager bodies are checked against their rawman twin (the same request, in
//! the same set, a few seconds apart), through the losses the crate documents
//! (`support::expected`). The twins come from different runs, so values that differ
//! between runs (timestamps, unique ids, channel and session numbers) are compared with
//! their digit runs masked, and the events after the reply, which another run may give in
//! another order (a `WaitEvent`'s queue, a list of channels), are compared as a multiset;
//! everything without run-dependent values is compared byte for byte.

mod support;

use std::fs;

use ami_http::{decode, render::render, DigestChallenge, Encoding};
use ami_proto::{Kind, ListMarker, OwnedMessage};
use support::{decode_ok, exchanges, expected, split_rawman, Exchange, Plain};

/// The output lines a Command reply is expected to have: its body's lines, or its
/// `Output` headers.
fn output_lines(plain: &Plain) -> Vec<Vec<u8>> {
    match &plain.body {
        Some(body) if body.is_empty() => Vec::new(),
        Some(body) => body
            .strip_suffix(b"\n")
            .unwrap_or(body)
            .split(|&b| b == b'\n')
            .map(<[u8]>::to_vec)
            .collect(),
        None => plain
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(b"Output"))
            .map(|(_, v)| v.clone())
            .collect(),
    }
}

/// Counts, keys, values, Command output and list items of `decoded` against `want` (the
/// rawman twin through the documented losses). Returns how many messages matched byte
/// for byte (the rest matched with run-dependent values masked).
fn check_file(e: &Exchange, decoded: &[OwnedMessage], want: &[Plain]) -> usize {
    let id = e.id();
    assert_eq!(decoded.len(), want.len(), "{id}: message count");
    let got: Vec<Plain> = decoded.iter().map(Plain::of).collect();
    let masked = |v: &[Plain]| v.iter().map(Plain::masked).collect::<Vec<_>>();
    let (mut got_m, mut want_m) = (masked(&got), masked(want));
    let show = |v: &[Plain]| v.iter().map(Plain::render).collect::<Vec<_>>().join("\n");
    if got_m != want_m {
        // The reply comes first; the events after it may come in another order in another
        // run (queued events of a WaitEvent; channels of a list, which Asterisk walks in
        // hash order).
        assert_eq!(got_m[0], want_m[0], "{id}: the reply differs");
        got_m.sort();
        want_m.sort();
        assert_eq!(show(&got_m), show(&want_m), "{id}: events differ");
    }
    // What holds nothing run-dependent is the same byte for byte.
    for w in want.iter().filter(|w| w.masked() == **w) {
        assert!(got.contains(w), "{id}: {} not found", w.render());
    }
    // The accessors read the same whatever the encoding: kind, Response, Command output,
    // list items.
    for (m, w) in decoded.iter().zip(want) {
        let kind = Kind::from_first_key(&w.headers[0].0);
        if got_m == want_m {
            assert_eq!(m.message().kind(), kind, "{id}");
        }
    }
    let first = decoded[0].message();
    assert_eq!(first.kind(), Kind::Response, "{id}: the reply comes first");
    assert_eq!(
        first.get("Response").map(support::mask),
        want[0]
            .masked()
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(b"Response"))
            .map(|(_, v)| v.clone()),
        "{id}"
    );
    let output: Vec<Vec<u8>> = first.command_output().map(<[u8]>::to_vec).collect();
    assert_eq!(output, output_lines(&want[0]), "{id}: Command output");
    if ListMarker::of(&first) == Some(ListMarker::Start) {
        let last = decoded.last().unwrap().message();
        assert_eq!(ListMarker::of(&last), Some(ListMarker::Complete), "{id}");
        let items = &decoded[1..decoded.len() - 1];
        assert!(
            items.iter().all(|m| m.message().kind() == Kind::Event),
            "{id}"
        );
        let listed = last.get_str("ListItems").unwrap().parse::<usize>().unwrap();
        assert_eq!(listed, items.len(), "{id}: ListItems");
        if let Some(id_header) = first.action_id() {
            assert!(
                items
                    .iter()
                    .all(|m| m.message().action_id() == Some(id_header)),
                "{id}"
            );
        }
    }
    got.iter().zip(want).filter(|(g, w)| g == w).count()
}

#[test]
fn every_body_is_listed_in_requests_tsv() {
    let all = exchanges();
    let mut files = 0;
    for version in ["13.38.3", "23.4.1"] {
        for kind in fs::read_dir(support::corpus().join(version)).unwrap() {
            let kind = kind.unwrap().path();
            if kind.is_dir() {
                files += fs::read_dir(&kind)
                    .unwrap()
                    .filter(|f| f.as_ref().unwrap().path().extension().unwrap() == "body")
                    .count();
            }
        }
    }
    assert_eq!(files, all.len());
    assert_eq!(all.len(), 150);
}

#[test]
fn every_rawman_body_decodes_to_its_messages() {
    let mut checked = 0;
    for e in exchanges()
        .iter()
        .filter(|e| e.encoding() == Encoding::Rawman && e.status == 200)
    {
        let decoded = decode_ok(Encoding::Rawman, &e.body, &e.id());
        let plain: Vec<Plain> = decoded.iter().map(Plain::of).collect();
        assert_eq!(plain, split_rawman(&e.body), "{}", e.id());
        // The whole body is these messages, nothing dropped.
        let joined: Vec<u8> = decoded
            .iter()
            .flat_map(|m| m.as_bytes().iter().copied())
            .collect();
        assert_eq!(joined, e.body, "{}", e.id());
        checked += 1;
    }
    assert_eq!(checked, 2 * (18 + 5));
}

#[test]
fn every_mxml_and_manager_body_decodes_to_the_messages_of_its_rawman_twin() {
    let all = exchanges();
    let (mut files, mut messages, mut exact) = (0, 0, 0);
    for e in all
        .iter()
        .filter(|e| e.encoding() != Encoding::Rawman && e.status == 200)
    {
        let twin = e.twin(&all);
        let want: Vec<Plain> = split_rawman(&twin.body)
            .iter()
            .map(|p| {
                expected(p, e.encoding()).unwrap_or_else(|| panic!("{}: not modelled", twin.id()))
            })
            .collect();
        let decoded = decode_ok(e.encoding(), &e.body, &e.id());
        exact += check_file(e, &decoded, &want);
        messages += decoded.len();
        files += 1;
    }
    println!(
        "{files} bodies, {messages} messages, {exact} identical to the twin's without masking"
    );
    assert_eq!(files, 2 * 2 * (18 + 5));
}

/// A 401 page is no AMI: it decodes to no message, only an error, and its challenge is
/// the one `DigestChallenge` reads.
#[test]
fn unauthorized_pages_hold_no_messages() {
    let mut pages = 0;
    for e in exchanges().iter().filter(|e| e.status == 401) {
        assert!(e.digest(), "{}", e.id());
        let items: Vec<_> = decode(e.encoding(), &e.body).collect();
        assert!(
            !items.is_empty() && items.iter().all(Result::is_err),
            "{}: {items:?}",
            e.id()
        );
        for challenge in e.all_headers("WWW-authenticate") {
            DigestChallenge::parse(challenge.as_bytes()).unwrap();
        }
        pages += 1;
    }
    assert_eq!(pages, 2 * 3 * 2);
}

/// The sections of a rendered or recorded body: mxml `<response>` lines, or the rows of
/// the manager page from its first field row up to `</table>`, split after each `<hr>`
/// row.
fn sections(encoding: Encoding, body: &[u8]) -> Vec<Vec<u8>> {
    let text = String::from_utf8_lossy(body).into_owned();
    let parts: Vec<String> = match encoding {
        Encoding::Mxml => text
            .split_inclusive("</response>\n")
            .filter(|s| s.starts_with("<response") || s.contains("\n<response"))
            .map(|s| s[s.find("<response").unwrap()..].to_string())
            .collect(),
        _ => {
            let start = text.find("<tr><td>").unwrap();
            let end = text.rfind("</table>").unwrap();
            text[start..end]
                .split_inclusive("<hr></td></tr>\r\n")
                .map(str::to_string)
                .collect()
        }
    };
    parts.into_iter().map(String::into_bytes).collect()
}

/// `render` (the crate's model of Asterisk's translation) turns each rawman twin into the
/// recorded mxml and manager bodies, byte for byte where the runs agree.
#[test]
fn render_reproduces_every_recorded_body() {
    let all = exchanges();
    let (mut identical, mut masked_only, mut total) = (0, 0, 0);
    for e in all
        .iter()
        .filter(|e| e.encoding() != Encoding::Rawman && e.status == 200)
    {
        let rendered = render(e.encoding(), &e.twin(&all).body);
        let mut want = sections(e.encoding(), &rendered);
        let mut got = sections(e.encoding(), &e.body);
        assert_eq!(got.len(), want.len(), "{}", e.id());
        if e.encoding() == Encoding::Mxml {
            assert!(
                e.body.starts_with(b"<ajax-response>\n") && e.body.ends_with(b"</ajax-response>\n")
            );
        }
        if got
            .iter()
            .map(|s| support::mask(s))
            .ne(want.iter().map(|s| support::mask(s)))
        {
            got.sort_by_key(|s| support::mask(s));
            want.sort_by_key(|s| support::mask(s));
        }
        for (g, w) in got.iter().zip(&want) {
            total += 1;
            if g == w {
                identical += 1;
            } else {
                // Only what differs between runs may differ.
                assert_ne!(support::mask(w), *w, "{}: {}", e.id(), w.escape_ascii());
                assert_eq!(
                    support::mask(g).escape_ascii().to_string(),
                    support::mask(w).escape_ascii().to_string(),
                    "{}",
                    e.id()
                );
                masked_only += 1;
            }
        }
    }
    println!("{total} sections: {identical} identical, {masked_only} equal with run-dependent values masked");
    assert_eq!(total, identical + masked_only);
}
