//! `ami decode` as a user runs it: the JSON Lines schema, `--count`, read sizes, errors.

mod common;

use serde_json::Value;

use common::corpus;

/// Runs `ami` and returns its status and output. Decoding errors belong to the output:
/// standard error stays empty unless the command line or an action is refused.
fn ami(args: &[&str], stdin: &[u8]) -> (i32, String) {
    let run = common::ami(args, stdin);
    if run.code != 2 {
        assert_eq!(run.stderr, "", "ami {args:?}");
    }
    (run.code, run.stdout)
}

fn json_lines(out: &str) -> Vec<Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn json_schema_on_a_real_asterisk_13_capture() {
    let (code, out) = ami(
        &[
            "decode",
            &corpus("asterisk-13.38.3/15_command_manager_show.server.bin"),
        ],
        b"",
    );
    assert_eq!(code, 0);
    let items = json_lines(&out);
    assert_eq!(
        items[0],
        serde_json::json!({"type": "banner", "text": "Asterisk Call Manager/2.10.6"})
    );
    assert_eq!(
        items[1],
        serde_json::json!({"type": "response", "headers": [["Response", "Success"], ["ActionID", "cap-1"], ["Message", "Authentication accepted"]]})
    );
    let with_output: Vec<&Value> = items.iter().filter(|i| i.get("output").is_some()).collect();
    assert_eq!(with_output.len(), 4);
    assert!(with_output[1]["output"]
        .as_str()
        .unwrap()
        .starts_with("\nGlobal Settings:\n"));
    assert!(items.iter().all(|i| i.get("truncated").is_none()));
    for item in &items[1..] {
        for pair in item["headers"].as_array().unwrap() {
            assert_eq!(
                pair.as_array().unwrap().len(),
                2,
                "headers are [key, value] pairs"
            );
        }
    }
}

#[test]
fn read_size_does_not_change_the_output() {
    let file = corpus("asterisk-23.4.1/25_coreshowchannels_up.server.bin");
    let (_, whole) = ami(&["decode", &file], b"");
    for size in ["1", "7", "1460"] {
        let (_, chunked) = ami(&["decode", "--read-size", size, &file], b"");
        assert!(chunked == whole, "read size {size}");
    }
}

#[test]
fn count_line_and_stdin() {
    let bytes = std::fs::read(corpus("asterisk-13.38.3/30_queue.server.bin")).unwrap();
    let (code, out) = ami(&["decode", "--count", "-"], &bytes);
    assert_eq!(code, 0);
    let expected_messages = json_lines(&ami(&["decode", "-"], &bytes).1)
        .iter()
        .filter(|i| !matches!(i["type"].as_str(), Some("banner" | "text" | "error")))
        .count();
    assert_eq!(
        out.trim(),
        format!(
            "messages={expected_messages} events=119 responses=12 actions=0 texts=1 errors=0 bytes={}",
            bytes.len()
        )
    );
}

#[test]
fn errors_text_truncation_and_lossy_bytes() {
    let input = b"Asterisk Call Manager/2.10.6\r\n\
        Event: A\r\nnot a header\r\n\r\n\
        Response: Follows\r\nPrivilege: Command\r\ncut off\n\r\n\
        Event: B\r\nCallerIDName: \xcf\xf0\xe8\r\n\r\n\
        Event: C\r\nPartial: yes";
    let (code, out) = ami(&["decode"], input);
    assert_eq!(code, 1, "errors make the exit status 1");
    let items = json_lines(&out);
    assert_eq!(items[1]["type"], "error");
    assert_eq!(items[1]["offset"], 40);
    assert!(items[1]["error"]
        .as_str()
        .unwrap()
        .contains("not a `Key: Value` header"));
    assert_eq!(items[2]["output"], "cut off\n");
    assert_eq!(items[2]["truncated"], true);
    assert_eq!(items[3]["headers"][1][1], "\u{fffd}\u{fffd}\u{fffd}");
    assert_eq!(items[4]["type"], "error");
    assert!(items[4]["error"].as_str().unwrap().contains("stream ended"));
}

#[test]
fn lenient_mode_reads_bare_lf_requests() {
    let file = corpus("asterisk-13.38.3/55_lf_only.client.bin");
    let (strict_code, _) = ami(&["decode", &file], b"");
    assert_eq!(strict_code, 1, "bare-LF requests are not CRLF messages");
    let (code, out) = ami(&["decode", "--lenient", &file], b"");
    assert_eq!(code, 0);
    let items = json_lines(&out);
    assert!(items
        .iter()
        .any(|i| i["type"] == "action" && i["headers"][0][1] == "Ping"));
}

#[test]
fn typed_output_names_known_fields_and_keeps_the_rest() {
    let (code, out) = ami(
        &[
            "decode",
            "--typed",
            &corpus("asterisk-23.4.1/41_originate_async_app.server.bin"),
        ],
        b"",
    );
    assert_eq!(code, 0);
    let items = json_lines(&out);
    // Every line keeps its type; every event of a real capture is typed.
    assert!(items.iter().all(|i| i["type"].is_string()));
    assert!(items
        .iter()
        .filter(|i| i["type"] == "event")
        .all(|i| i["typed"] == true));
    let booted = items
        .iter()
        .find(|i| i["event"]["Event"] == "FullyBooted")
        .expect("a FullyBooted event");
    assert_eq!(booted["event"]["Status"], "Fully Booted");
    assert_eq!(
        booted["event"]["ExtraHeaders"][0],
        serde_json::json!(["Privilege", "system,all"])
    );
    assert!(items
        .iter()
        .any(|i| i["event"]["Event"] == "OriginateResponse"));
    let reply = items
        .iter()
        .find(|i| i["type"] == "response")
        .expect("a response");
    assert_eq!(reply["typed"], true);
    assert_eq!(reply["response"]["Response"], "Success");
    assert_eq!(reply["response"]["ActionID"], "cap-1");
}

#[test]
fn typed_output_says_what_nothing_describes() {
    let input = b"Asterisk Call Manager/12.0.0\r\n\
        Event: AcmeWidgetTurned\r\nWidget: 7\r\n\r\n\
        Action: Ping\r\nActionID: 1\r\n\r\n\
        Event: Newstate\r\nChannel: PJSIP/1\r\nChannelStateDesc: ringing\r\n\r\n";
    let (code, out) = ami(&["decode", "--typed"], input);
    assert_eq!(code, 0);
    assert_eq!(
        json_lines(&out),
        [
            serde_json::json!({"type": "banner", "text": "Asterisk Call Manager/12.0.0"}),
            serde_json::json!({"type": "event", "typed": false, "headers": [["Event", "AcmeWidgetTurned"], ["Widget", "7"]]}),
            serde_json::json!({"type": "action", "headers": [["Action", "Ping"], ["ActionID", "1"]]}),
            serde_json::json!({"type": "event", "typed": true, "event": {"Event": "Newstate", "Channel": "PJSIP/1", "ChannelStateDesc": "ringing"}}),
        ]
    );
}

#[test]
fn legacy_command_output_in_typed_lines() {
    let (code, out) = ami(
        &[
            "decode",
            "--typed",
            &corpus("asterisk-13.38.3/10_command_core_show_version.server.bin"),
        ],
        b"",
    );
    assert_eq!(code, 0);
    let items = json_lines(&out);
    let follows = items
        .iter()
        .find(|i| i["response"]["Response"] == "Follows")
        .expect("a legacy Command reply");
    assert!(follows["output"]
        .as_str()
        .unwrap()
        .starts_with("Asterisk 13.38.3"));
}

#[test]
fn spec_diff_between_the_committed_versions() {
    let (code, out) = ami(&["spec", "diff", "13.38.3", "23.4.1"], b"");
    assert_eq!(code, 0);
    assert!(
        out.lines().any(|l| l == "~ event AgentLogoff: + Channel"),
        "{}",
        &out[..out.len().min(2000)]
    );
    assert!(
        out.lines()
            .any(|l| l
                == "~ event EndpointDetail: Allowoverlap -> AllowOverlap (spelling: case only)")
    );
    // The legend comes first and explains each sign.
    assert!(
        out.starts_with("# + KIND NAME"),
        "{}",
        &out[..out.len().min(500)]
    );
    for sign in ["# - KIND NAME", "# ~ KIND NAME: + KEY"] {
        assert!(out.contains(sign), "{sign}");
    }
}

#[test]
fn spec_diff_of_a_version_with_itself_is_empty() {
    let (code, out) = ami(&["spec", "diff", "23.4.1", "23.4.1"], b"");
    assert_eq!(code, 0);
    let changes: Vec<&str> = out.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(changes, ["0 changes from 23.4.1 to 23.4.1"]);
}

#[test]
fn encode_writes_wire_bytes_that_decode_back_and_refuses_injection() {
    let (code, out) = ami(
        &[
            "encode",
            "Originate",
            "Channel=Local/100@test",
            "Variable=A=1",
            "Variable=B=2",
        ],
        b"",
    );
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "Action: Originate\r\nChannel: Local/100@test\r\nVariable: A=1\r\nVariable: B=2\r\n\r\n"
    );
    let (_, decoded) = ami(&["decode", "-"], out.as_bytes());
    assert_eq!(
        json_lines(&decoded),
        [
            serde_json::json!({"type": "action", "headers": [["Action", "Originate"], ["Channel", "Local/100@test"], ["Variable", "A=1"], ["Variable", "B=2"]]})
        ]
    );
    let (code, out) = ami(
        &["encode", "Ping", "ActionID=1\r\n\r\nAction: Originate"],
        b"",
    );
    assert_eq!(code, 2);
    assert!(out.is_empty(), "nothing is written for a refused action");
}

#[test]
fn control_bytes_are_escaped_as_before() {
    let input = b"Event: UserEvent\r\nUserEvent: a\x01b\x08c\x0cd\x7fe\"f\\g\tz\r\n\r\n";
    let (code, json) = ami(&["decode"], input);
    assert_eq!(code, 0);
    assert_eq!(
        json,
        "{\"type\":\"event\",\"headers\":[[\"Event\",\"UserEvent\"],\
         [\"UserEvent\",\"a\\u0001b\\u0008c\\u000cd\\u007fe\\\"f\\\\g\\tz\"]]}\n"
    );
    // `--typed` keeps serde_json's own escapes, as it always had.
    let (code, typed) = ami(&["decode", "--typed"], input);
    assert_eq!(code, 0);
    assert!(
        typed.contains("\"a\\u0001b\\bc\\fd\x7fe\\\"f\\\\g\\tz\""),
        "{typed}"
    );
}
