//! One table row per wire quirk: input bytes, settings, and the items expected, rendered as
//! one line each (see `support::Owned::render`). Every row is also checked fed one byte at
//! a time, so no quirk depends on how the bytes arrive.

mod support;

use ami_proto::{Config, Limits, LineEndings};
use support::{decode_all, decode_chunked};

fn strict() -> Config {
    Config::default()
}

fn lenient() -> Config {
    Config::default().with_line_endings(LineEndings::Lenient)
}

fn small(max_line: usize, max_message: usize, max_headers: usize) -> Config {
    Config::default().with_limits(
        Limits::DEFAULT
            .with_max_line(max_line)
            .with_max_message(max_message)
            .with_max_headers(max_headers),
    )
}

/// (name, settings, input, expected renders)
fn table() -> Vec<(&'static str, Config, &'static [u8], Vec<&'static str>)> {
    vec![
        (
            "banner then a response, no blank line after the banner",
            strict(),
            b"Asterisk Call Manager/2.10.6\r\nResponse: Success\r\nMessage: Authentication accepted\r\n\r\n",
            vec![
                r#"banner "Asterisk Call Manager/2.10.6""#,
                "response Response=Success|Message=Authentication accepted",
            ],
        ),
        (
            "a proxy's banner is any first line that is not a header",
            strict(),
            b"Welcome to my AMI proxy v1\r\nEvent: A\r\n\r\n",
            vec![r#"banner "Welcome to my AMI proxy v1""#, "event Event=A"],
        ),
        (
            "no banner: a stream that starts with a message (client side)",
            strict(),
            b"Action: Login\r\nUsername: admin\r\n\r\n",
            vec!["action Action=Login|Username=admin"],
        ),
        (
            "duplicate keys kept in order, other kinds",
            strict(),
            b"Event: Newchannel\r\nChanVariable: A=1\r\nChanVariable: B=2\r\n\r\nFoo: bar\r\n\r\n",
            vec!["event Event=Newchannel|ChanVariable=A=1|ChanVariable=B=2", "other Foo=bar"],
        ),
        (
            "value split on the first colon only; empty values; leading spaces kept",
            strict(),
            b"Event: UserEvent\r\nHeader2: value: with colon\r\nEmpty: \r\nBare:\r\nOutput:   '7000' => 1\r\n\r\n",
            vec!["event Event=UserEvent|Header2=value: with colon|Empty=|Bare=|Output=  '7000' => 1"],
        ),
        (
            "no space after the colon",
            strict(),
            b"Action:Ping\r\nActionID:1\r\n\r\n",
            vec!["action Action=Ping|ActionID=1"],
        ),
        (
            "a bare LF inside a line is part of the value (multi-line value)",
            strict(),
            b"Event: Agents\r\nTalkingTo: line1\nline2\r\n\r\n",
            vec![r"event Event=Agents|TalkingTo=line1\nline2"],
        ),
        (
            "PJSIP error text ending in a bare LF (23.4.1 PJSIPShowEndpoint)",
            strict(),
            b"Response: Error\r\nActionID: 5\r\nMessage: Unable to retrieve endpoint nosuch\n\r\n\r\nEvent: Next\r\n\r\n",
            vec![r"response Response=Error|ActionID=5|Message=Unable to retrieve endpoint nosuch\n", "event Event=Next"],
        ),
        (
            "the \\r\\n\\n ending some modules write",
            strict(),
            b"Event: CoreShowChannelMap\r\nChannel: a\r\n\nEvent: Next\r\n\r\n",
            vec!["event Event=CoreShowChannelMap|Channel=a", "event Event=Next"],
        ),
        (
            "extra blank lines between messages are ignored",
            strict(),
            b"\r\n\r\nEvent: A\r\n\r\n\r\n\n\r\nEvent: B\r\n\r\n",
            vec!["event Event=A", "event Event=B"],
        ),
        (
            "legacy Command reply: body is exactly the bytes before --END COMMAND--",
            strict(),
            b"Response: Follows\r\nPrivilege: Command\r\nActionID: 2\r\nline one: x \n\n  two\n--END COMMAND--\r\n\r\nEvent: After\r\n\r\n",
            vec![
                r#"response Response=Follows|Privilege=Command|ActionID=2 body="line one: x \n\n  two\n""#,
                "event Event=After",
            ],
        ),
        (
            "legacy body whose first line is blank",
            strict(),
            b"Response: Follows\r\nPrivilege: Command\r\n\nGlobal Settings:\n--END COMMAND--\r\n\r\n",
            vec![r#"response Response=Follows|Privilege=Command body="\nGlobal Settings:\n""#],
        ),
        (
            "legacy body whose first line looks like a header (ends in bare LF)",
            strict(),
            b"Response: Follows\r\nPrivilege: Command\r\nActionID: 4\r\nEvent: Hangup\n[Synopsis]\n--END COMMAND--\r\n\r\n",
            vec![r#"response Response=Follows|Privilege=Command|ActionID=4 body="Event: Hangup\n[Synopsis]\n""#],
        ),
        (
            "legacy body with the marker right after the output (no LF before it)",
            strict(),
            b"Response: Follows\r\nPrivilege: Command\r\nNo such command--END COMMAND--\r\n\r\n",
            vec![r#"response Response=Follows|Privilege=Command body="No such command""#],
        ),
        (
            "legacy body cut off: ends at the first blank line, flagged, next message kept",
            strict(),
            b"Response: Follows\r\nPrivilege: Command\r\npartial output\n\r\nEvent: After\r\n\r\n",
            vec![
                r#"response Response=Follows|Privilege=Command body="partial output\n" truncated"#,
                "event Event=After",
            ],
        ),
        (
            "hybrid: Response: Follows then Output headers and the marker",
            strict(),
            b"Response: Follows\r\nPrivilege: Command\r\nOutput: a\r\nOutput: \r\n--END COMMAND--\r\n\r\n",
            vec![r#"response Response=Follows|Privilege=Command|Output=a|Output= body="""#],
        ),
        (
            "hybrid: Response: Follows then Output headers, ended by a blank line",
            strict(),
            b"Response: Follows\r\nPrivilege: Command\r\nOutput: a\r\n\r\n",
            vec!["response Response=Follows|Privilege=Command|Output=a"],
        ),
        (
            "Asterisk 14+ Command reply: Output lines, blank ones and spaces kept",
            strict(),
            b"Response: Success\r\nMessage: Command output follows\r\nOutput: x\r\nOutput: \r\nOutput:   y  \r\n\r\n",
            vec!["response Response=Success|Message=Command output follows|Output=x|Output=|Output=  y  "],
        ),
        (
            "header-less text block (13 Queues) is a text item, not merged into the next",
            strict(),
            b"Asterisk Call Manager/2.10.6\r\nsupport has 0 calls, W:0, C:1\r\n   Members: \r\n   No Callers\r\n\r\n\r\n\r\nResponse: Goodbye\r\n\r\n",
            vec![
                r#"banner "Asterisk Call Manager/2.10.6""#,
                r#"text "support has 0 calls, W:0, C:1\r\n   Members: \r\n   No Callers\r\n""#,
                "response Response=Goodbye",
            ],
        ),
        (
            "a line that is not a header inside a message: error, then resync",
            strict(),
            b"Event: A\r\nthis is not a header\r\nKey: v\r\n\r\nEvent: B\r\n\r\n",
            vec!["error NotAHeader@10", "event Event=B"],
        ),
        (
            "a key with a space is not a header",
            strict(),
            b"Event: A\r\nBad Key: v\r\n\r\nEvent: B\r\n\r\n",
            vec!["error NotAHeader@10", "event Event=B"],
        ),
        (
            "an empty key is not a header",
            strict(),
            b"Event: A\r\n: v\r\n\r\nEvent: B\r\n\r\n",
            vec!["error NotAHeader@10", "event Event=B"],
        ),
        (
            "line too long: error at the line, resync after the message",
            small(16, 1024, 8),
            b"Event: A\r\nKey: 0123456789abcdef\r\n\r\nEvent: B\r\n\r\n",
            vec!["error LineTooLong { limit: 16 }@10", "event Event=B"],
        ),
        (
            "message too large: error at the message, resync",
            small(64, 32, 8),
            b"Event: A\r\nK1: aaaaaaaa\r\nK2: bbbbbbbb\r\n\r\nEvent: B\r\n\r\n",
            vec!["error MessageTooLarge { limit: 32 }@0", "event Event=B"],
        ),
        (
            "too many headers: error at the first extra line, resync",
            small(64, 1024, 2),
            b"Event: A\r\nK1: a\r\nK2: b\r\n\r\nEvent: B\r\n\r\n",
            vec!["error TooManyHeaders { limit: 2 }@17", "event Event=B"],
        ),
        (
            "legacy body larger than the message limit",
            small(64, 48, 8),
            b"Response: Follows\r\nPrivilege: Command\r\n0123456789\n0123456789\n--END COMMAND--\r\n\r\nEvent: B\r\n\r\n",
            vec!["error MessageTooLarge { limit: 48 }@0", "event Event=B"],
        ),
        (
            "a legacy body line longer than the line limit is output, not an error",
            small(24, 1024, 8),
            b"Response: Follows\r\nPrivilege: Command\r\n0123456789012345678901234567890\n--END COMMAND--\r\n\r\n",
            vec![r#"response Response=Follows|Privilege=Command body="0123456789012345678901234567890\n""#],
        ),
        (
            "a header line of a Follows reply longer than the line limit is an error",
            small(24, 1024, 8),
            b"Response: Follows\r\nPrivilege: Command\r\nActionID: 0123456789012345\r\nx\n--END COMMAND--\r\n\r\nEvent: B\r\n\r\n",
            vec!["error LineTooLong { limit: 24 }@39", "event Event=B"],
        ),
        (
            "garbage without any line end is dropped up to the next boundary",
            small(12, 64, 8),
            b"xxxxxxxxxxxxxxxxxxxxxxxx\r\n\r\nEvent: B\r\n\r\n",
            vec!["error LineTooLong { limit: 12 }@0", "event Event=B"],
        ),
        (
            "a stream cut inside a message ends with UnexpectedEof",
            strict(),
            b"Event: A\r\n\r\nEvent: B\r\nKey: v",
            vec!["event Event=A", "error UnexpectedEof@12"],
        ),
        (
            "lenient: bare LF line endings throughout",
            lenient(),
            b"Asterisk Call Manager/2.10.6\nResponse: Success\nMessage: ok\n\nEvent: A\r\nB: c\r\n\r\n",
            vec![r#"banner "Asterisk Call Manager/2.10.6""#, "response Response=Success|Message=ok", "event Event=A|B=c"],
        ),
        (
            "lenient: legacy body keeps its blank lines, ends at the marker",
            lenient(),
            b"Response: Follows\nPrivilege: Command\nsome text\n\nmore\n--END COMMAND--\n\nEvent: A\n\n",
            vec![r#"response Response=Follows|Privilege=Command body="some text\n\nmore\n""#, "event Event=A"],
        ),
    ]
}

#[test]
fn quirks_whole_buffer() {
    for (name, config, input, expected) in table() {
        let got: Vec<String> = decode_all(input, config)
            .iter()
            .map(|i| i.render())
            .collect();
        assert_eq!(got, expected, "case: {name}");
    }
}

#[test]
fn quirks_one_byte_at_a_time() {
    for (name, config, input, expected) in table() {
        let got: Vec<String> = decode_chunked(input, config, &[1])
            .iter()
            .map(|i| i.render())
            .collect();
        assert_eq!(got, expected, "case (1-byte reads): {name}");
    }
}

#[test]
fn quirks_every_split_point() {
    for (name, config, input, _) in table() {
        let whole = decode_all(input, config);
        for split in 1..input.len() {
            let got = decode_chunked(input, config, &[split, input.len()]);
            assert_eq!(got, whole, "case: {name}, split at {split}");
        }
    }
}
