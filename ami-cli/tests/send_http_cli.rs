//! `ami send --http` against ami-tokio's AJAM test server, which answers like Asterisk
//! from the recorded replies: every encoding, cookie and digest, the exit statuses, and
//! that a value from the command line reaches Asterisk as exactly one parameter.

mod common;

// The server of ami-tokio's tests (without its TLS helper).
#[allow(dead_code, unused_imports)]
#[path = "../../ami-tokio/tests/support/ajam"]
mod support {
    pub mod digest;
    pub mod params;
    pub mod recorded;
    pub mod server;
}

use serde_json::Value;

use common::{ami_with_env, Run};
use support::server::{AsteriskHttp, Options};

/// A server running on a runtime of its own while the test runs `ami` processes.
struct Running {
    server: AsteriskHttp,
    _runtime: tokio::runtime::Runtime,
}

fn start(options: Options) -> Running {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(AsteriskHttp::start(options));
    Running {
        server,
        _runtime: runtime,
    }
}

fn send(url: &str, extra: &[&str], action: &[&str], secret: &str) -> Run {
    let mut args = vec!["send", "--http", "--timeout", "5"];
    args.extend_from_slice(extra);
    args.push(url);
    args.extend_from_slice(action);
    ami_with_env(&args, &[("AMI_SECRET", secret)], b"")
}

fn json_lines(out: &str) -> Vec<Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// The value of header `key` (ASCII case-insensitive: mxml keys are lower case) of a line.
fn header<'v>(line: &'v Value, key: &str) -> Option<&'v str> {
    line["headers"].as_array().unwrap().iter().find_map(|pair| {
        pair[0]
            .as_str()
            .unwrap()
            .eq_ignore_ascii_case(key)
            .then(|| pair[1].as_str().unwrap())
    })
}

#[test]
fn send_over_http_in_every_encoding_with_cookie_and_digest() {
    let running = start(Options::default());
    let url = running.server.url();
    for encoding in ["rawman", "mxml", "manager"] {
        for digest in [false, true] {
            let mut extra = vec!["--ajam", encoding];
            if digest {
                extra.push("--digest");
            }
            let what = format!("{encoding} digest={digest}");
            let run = send(&url, &extra, &["Ping"], "amp111");
            assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{what}");
            let lines = json_lines(&run.stdout);
            assert_eq!(lines.len(), 1, "{what}");
            assert_eq!(lines[0]["type"], "response");
            assert_eq!(header(&lines[0], "Ping"), Some("Pong"), "{what}");

            let run = send(&url, &extra, &["CoreShowChannels"], "amp111");
            assert_eq!(run.code, 0, "{what}: {}", run.stderr);
            let lines = json_lines(&run.stdout);
            let events: Vec<&str> = lines[1..]
                .iter()
                .map(|l| header(l, "Event").unwrap())
                .collect();
            assert_eq!(
                events,
                [
                    "CoreShowChannel",
                    "CoreShowChannel",
                    "CoreShowChannelsComplete"
                ],
                "{what}"
            );

            // Response: Error is status 1, and still printed.
            let run = send(&url, &extra, &["NoSuchAction"], "amp111");
            assert_eq!(run.code, 1, "{what}");
            assert_eq!(
                header(&json_lines(&run.stdout)[0], "Response"),
                Some("Error")
            );

            // A wrong secret: status 3, one line on stderr.
            let run = send(&url, &extra, &["Ping"], "wrong");
            assert_eq!((run.code, run.stdout.as_str()), (3, ""), "{what}");
            assert!(
                run.stderr
                    .starts_with(&format!("error: {url}: login refused")),
                "{what}: {}",
                run.stderr
            );
            assert_eq!(run.stderr.lines().count(), 1);
        }
    }
    let received = running.server.received();
    let cookie_logins = received.iter().filter(|r| r.action() == "login").count();
    assert_eq!(cookie_logins, 3 * 4, "one Login POST per cookie run");
    // Every run logged off (the wrong-secret runs never logged in).
    let logoffs = received.iter().filter(|r| r.action() == "logoff").count();
    assert_eq!(logoffs, 3 * 2 * 3);
}

#[test]
fn a_value_from_the_command_line_is_exactly_one_parameter() {
    let running = start(Options {
        prefix: "/asterisk",
        ..Options::default()
    });
    let url = running.server.url();
    let run = send(
        &url,
        &["--ajam", "mxml"],
        &[
            "UserEvent",
            "UserEvent=x&Action=Hangup&Channel=SIP/1",
            "Body=a+b%20c#d?e",
            "Variable=V=1&2",
        ],
        "amp111",
    );
    assert_eq!(
        run.code, 1,
        "an unknown action to the test server: {}",
        run.stderr
    );
    let received = running.server.received();
    let sent = received.iter().find(|r| r.action() == "userevent").unwrap();
    let names: Vec<&[u8]> = sent.params.iter().map(|(k, _)| &k[..]).collect();
    assert_eq!(
        names,
        [
            &b"Action"[..],
            b"ActionID",
            b"UserEvent",
            b"Body",
            b"Variable"
        ]
    );
    assert_eq!(sent.params[2].1, b"x&Action=Hangup&Channel=SIP/1");
    assert_eq!(sent.params[3].1, b"a+b%20c#d?e");
    assert_eq!(sent.params[4].1, b"V=1&2");
    assert!(sent
        .target
        .starts_with("/asterisk/mxml?Action=UserEvent&ActionID="));
    // The secret travelled once, in the login's POST body.
    for r in &received {
        assert!(!r.target.contains("amp111"));
        let in_body = r.body.windows(6).any(|w| w == b"amp111");
        assert_eq!(in_body, r.action() == "login", "{}", r.target);
    }
}

#[test]
fn usage_and_connection_errors() {
    let usage = |args: &[&str], needle: &str| {
        let run = ami_with_env(args, &[("AMI_SECRET", "amp111")], b"");
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(needle), "{args:?}: {}", run.stderr);
    };
    usage(&["send", "--ajam", "mxml", "pbx", "Ping"], "--http");
    usage(&["send", "--digest", "pbx", "Ping"], "--http");
    usage(&["send", "--http", "--tls", "http://pbx", "Ping"], "--tls");
    usage(
        &["send", "--http", "--auth", "md5", "http://pbx", "Ping"],
        "--auth",
    );
    usage(
        &["send", "--http", "--ajam", "xml", "http://pbx", "Ping"],
        "xml",
    );
    usage(&["send", "http://pbx:8088", "Ping"], "add --http");
    usage(&["send", "--http", "pbx:8088", "Ping"], "URL");
    usage(
        &["send", "--http", "--insecure", "http://pbx", "Ping"],
        "https://",
    );
    usage(
        &["send", "--http", "http://pbx/x?action=login", "Ping"],
        "query",
    );
    // The password of a URL is refused and never repeated.
    let run = ami_with_env(
        &["send", "--http", "http://admin:hunter2@pbx", "Ping"],
        &[("AMI_SECRET", "amp111")],
        b"",
    );
    assert_eq!(run.code, 2);
    assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);
    // No secret in the environment: a usage error before any connection.
    let run = ami_with_env(&["send", "--http", "http://127.0.0.1:1", "Ping"], &[], b"");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("AMI_SECRET"), "{}", run.stderr);

    let running = start(Options::default());
    let url = format!("{}/nosuchprefix", running.server.url());
    let run = send(&url, &[], &["Ping"], "amp111");
    assert_eq!(run.code, 3);
    assert!(run.stderr.contains("HTTP status 404"), "{}", run.stderr);
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let run = send(&url, &[], &["Ping"], "amp111");
    assert_eq!(run.code, 3);
    assert!(run.stderr.contains("cannot connect"), "{}", run.stderr);
}
