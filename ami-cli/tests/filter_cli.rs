//! `ami filter` against a real Asterisk 23.4.1 (`corpus/filter-oracle/`): for every oracle
//! user whose session can be described on the command line (its manager.conf section and
//! its event mask), `ami filter` over the reference session's burst prints exactly what
//! `ami decode` prints of that user's own burst.

mod common;

use std::path::PathBuf;

use serde_json::Value;

fn oracle(name: &str) -> PathBuf {
    PathBuf::from(common::corpus("filter-oracle")).join(name)
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(oracle(name)).unwrap()
}

fn users() -> Vec<Value> {
    let json: Value = serde_json::from_slice(&read("filters.json")).unwrap();
    json["users"].as_array().unwrap().clone()
}

/// A user's burst bytes (from `filters.json`'s offsets).
fn burst(user: &Value) -> Vec<u8> {
    let name = user["user"].as_str().unwrap();
    let offset = |phase: &str| user["offsets"][phase].as_u64().unwrap() as usize;
    read(&format!("{name}.server.bin"))[offset("burst_start")..offset("burst_end")].to_vec()
}

/// The `--events` a session's Login and `Events` actions amount to, or `None` when it sent
/// `Filter` actions (which the command line cannot say).
fn event_mask(user: &Value) -> Option<String> {
    let mut mask = user["login_events"].as_str().unwrap().to_string();
    for action in user["runtime_actions"].as_array().unwrap() {
        if action["action"] != "Events" {
            return None;
        }
        mask = action["headers"][0][1].as_str().unwrap().to_string();
    }
    Some(mask)
}

fn conf() -> String {
    oracle("manager.conf").display().to_string()
}

#[test]
fn every_user_gets_its_burst_from_the_reference() {
    let all = users();
    let reference = all.iter().find(|u| u["user"] == "reference").unwrap();
    let reference_burst = burst(reference);
    // Through files: `common::ami` writes all of standard input before reading the output.
    let dir = std::env::temp_dir().join(format!("ami-filter-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let reference_file = dir.join("reference.burst");
    std::fs::write(&reference_file, &reference_burst).unwrap();
    let reference_file = reference_file.display().to_string();
    let mut checked = Vec::new();
    for user in &all {
        let name = user["user"].as_str().unwrap();
        let Some(mask) = event_mask(user) else {
            continue;
        };
        let run = common::ami(
            &[
                "filter",
                "--conf",
                &conf(),
                "--user",
                name,
                "--events",
                &mask,
                &reference_file,
            ],
            b"",
        );
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        let user_file = dir.join(format!("{name}.burst"));
        std::fs::write(&user_file, burst(user)).unwrap();
        let expected = common::ami(&["decode", &user_file.display().to_string()], b"");
        assert_eq!(expected.code, 0);
        assert!(
            run.stdout == expected.stdout,
            "{name}: {} lines printed, {} expected",
            run.stdout.lines().count(),
            expected.stdout.lines().count()
        );
        checked.push(name.to_string());
    }
    std::fs::remove_dir_all(&dir).unwrap();
    // Every user but the five that sent Filter actions.
    assert_eq!(checked.len(), 55, "{checked:?}");
    assert!(reference_burst.len() > 100_000);
}

#[test]
fn session_messages_pass_and_fully_booted_needs_system() {
    let capture = oracle("reference.server.bin").display().to_string();
    let lines = |name: &str| -> Vec<Value> {
        let run = common::ami(
            &["filter", "--conf", &conf(), "--user", name, &capture],
            b"",
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let named = |lines: &[Value], event: &str| {
        lines
            .iter()
            .filter(|l| l["headers"][0] == serde_json::json!(["Event", event]))
            .count()
    };
    let call = lines("rc_call");
    let system = lines("rc_system");
    for lines in [&call, &system] {
        assert_eq!(lines[0]["type"], "banner");
        // The Login, DBGet and Logoff responses, and the DBGet list's items.
        assert_eq!(lines.iter().filter(|l| l["type"] == "response").count(), 3);
        assert_eq!(named(lines, "DBGetResponse"), 1);
        assert_eq!(named(lines, "DBGetComplete"), 1);
    }
    assert_eq!(named(&call, "FullyBooted"), 0);
    assert_eq!(named(&system, "FullyBooted"), 1);
    assert!(named(&call, "Newchannel") > 10);
    assert_eq!(named(&system, "Newchannel"), 0);
}

#[test]
fn refusals_name_what_is_wrong() {
    let run = common::ami(&["filter", "--conf", &conf(), "--user", "nobody", "-"], b"");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no user `nobody`"), "{}", run.stderr);
    let run = common::ami(
        &[
            "filter",
            "--conf",
            &conf(),
            "--user",
            "rc_all",
            "--asterisk",
            "17",
            "-",
        ],
        b"",
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no filter rules"), "{}", run.stderr);
    let run = common::ami(
        &["filter", "--conf", "no/such.conf", "--user", "x", "-"],
        b"",
    );
    assert_eq!(run.code, 3);
    // The user's own dropped lines are reported, others' are not.
    let run = common::ami(
        &["filter", "--conf", &conf(), "--user", "lf_bad_regex", "-"],
        b"",
    );
    assert_eq!(run.code, 0);
    assert_eq!(
        run.stderr.lines().collect::<Vec<_>>(),
        ["warning: Unable to compile regex filter for 'Event: (Newchannel' (line 283 of manager.conf)"]
    );
    // Asterisk 13 reads `eventfilter(...)` lines as unknown options: af_name_newchannel is
    // then unfiltered.
    let event = b"Event: Hangup\r\nPrivilege: call,all\r\n\r\n";
    let run = common::ami(
        &[
            "filter",
            "--conf",
            &conf(),
            "--user",
            "af_name_newchannel",
            "-",
        ],
        event,
    );
    assert_eq!(run.stdout, "");
    let run = common::ami(
        &[
            "filter",
            "--conf",
            &conf(),
            "--user",
            "af_name_newchannel",
            "--asterisk",
            "13",
            "-",
        ],
        event,
    );
    assert_eq!(run.stdout.lines().count(), 1);
}
