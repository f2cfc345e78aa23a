//! `ami decode --ajam` on every recorded AJAM body (`corpus/http/`): the same request's
//! rawman, mxml and manager bodies print the same JSON Lines wherever the encodings carry
//! the same information, and the one place where mxml cannot is asserted as what it is.

mod common;

use serde_json::Value;

use common::corpus;

/// The JSON lines `ami decode --ajam ENCODING FILE` prints (status 0, nothing on stderr).
fn decode(encoding: &str, file: &str) -> Vec<Value> {
    let run = common::ami(&["decode", "--ajam", encoding, file], b"");
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (0, ""),
        "{encoding} {file}"
    );
    run.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Runs of hex digits holding a digit become `#`: timestamps, unique ids and channel
/// numbers differ between the recorded requests.
fn mask(text: &str) -> String {
    let mut out = String::new();
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_hexdigit() {
            run.push(c);
            continue;
        }
        if run.chars().any(|d| d.is_ascii_digit()) {
            out.push('#');
        } else {
            out.push_str(&run);
        }
        run.clear();
        out.push(c);
    }
    out.pop();
    out
}

/// An mxml attribute name as Asterisk makes it from an AMI key.
fn mangle(key: &str) -> String {
    let mut out = String::new();
    for (i, c) in key.chars().enumerate() {
        if i == 0 && c.is_ascii_digit() {
            out.push('_');
            out.push(c);
        } else if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else {
            out.push('_');
        }
    }
    out
}

/// One line as the encodings can agree on it: type, then each header with its key as
/// `key` makes it and its value without the blanks Asterisk cuts outside rawman, then a
/// legacy Command output line by line, the same way.
fn reading(line: &Value, key: &dyn Fn(&str) -> String) -> Vec<String> {
    let mut out = vec![line["type"].as_str().unwrap().to_string()];
    for pair in line["headers"].as_array().unwrap() {
        let (k, v) = (pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
        out.push(format!("{}={}", mask(&key(k)), mask(v.trim())));
    }
    if let Some(output) = line["output"].as_str() {
        for l in output.lines().filter(|l| !l.trim().is_empty()) {
            out.push(format!("output {}", mask(l.trim_end())));
        }
    }
    out
}

/// The readings of a body's lines, the events after the first line sorted (another
/// request may have brought them in another order).
fn readings(lines: &[Value], key: &dyn Fn(&str) -> String) -> Vec<Vec<String>> {
    let mut all: Vec<Vec<String>> = lines.iter().map(|l| reading(l, key)).collect();
    all[1..].sort();
    all
}

#[test]
fn the_three_encodings_of_one_request_print_the_same_lines() {
    let (mut compared, mut where_mxml_cannot) = (0, 0);
    for version in ["13.38.3", "23.4.1"] {
        let dir = corpus(&format!("http/{version}"));
        let tsv = std::fs::read_to_string(format!("{dir}/requests.tsv")).unwrap();
        for line in tsv.lines() {
            let cols: Vec<&str> = line.split('\t').collect();
            let (kind, name) = cols[0].split_once('/').unwrap();
            if cols[3] != "200" || !matches!(kind, "rawman" | "arawman") {
                continue;
            }
            let a = if kind == "arawman" { "a" } else { "" };
            let file = |encoding: &str| format!("{dir}/{a}{encoding}/{name}.body");
            let rawman = decode("rawman", &file("rawman"));
            let mxml = decode("mxml", &file("mxml"));
            let manager = decode("manager", &file("manager"));
            let what = format!("{version} {kind}/{name}");
            assert!(!rawman.is_empty(), "{what}");
            assert!(rawman.iter().all(|l| l["type"] != "error"), "{what}");

            let same = |k: &str| k.to_string();
            assert_eq!(
                readings(&manager, &same),
                readings(&rawman, &same),
                "{what}"
            );
            let lowered = |k: &str| mangle(k);
            let from_rawman = readings(&rawman, &lowered);
            let from_mxml = readings(&mxml, &same);
            if from_mxml != from_rawman {
                // mxml cannot carry a legacy Command output line that holds a colon and
                // comes first: Asterisk 13's `core show version` line arrives as a field
                // with a made-up key, and the output lacks it.
                let output = rawman[0]["output"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{what}"));
                let first = output.lines().next().unwrap();
                let (key, value) = first.split_once(':').unwrap();
                let field = format!("{}={}", mask(&mangle(key)), mask(value.trim()));
                let mut expected = from_rawman.clone();
                let at = expected[0]
                    .iter()
                    .position(|r| r.starts_with("output "))
                    .unwrap();
                expected[0].remove(at);
                let privilege = expected[0]
                    .iter()
                    .position(|r| r.starts_with("privilege="))
                    .unwrap();
                expected[0].insert(privilege + 1, field);
                assert_eq!(from_mxml, expected, "{what}");
                assert!(
                    first.starts_with(&format!("Asterisk {version} built by")),
                    "{what}"
                );
                where_mxml_cannot += 1;
            }
            compared += 1;
        }
    }
    // 18 cookie and 5 digest requests answered 200, in each version.
    assert_eq!(compared, 2 * (18 + 5));
    // 13.38.3's `core show version`, on the cookie and the digest paths.
    assert_eq!(where_mxml_cannot, 2);
}

#[test]
fn a_401_page_is_not_a_body_of_messages() {
    let run = common::ami(
        &[
            "decode",
            "--ajam",
            "mxml",
            &corpus("http/23.4.1/amxml/00_no_auth.body"),
        ],
        b"",
    );
    assert_eq!(run.code, 1, "decoding errors make the status 1");
    let line: Value = serde_json::from_str(run.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(line["type"], "error");
    assert_eq!(line["offset"], 0);
    assert!(line["error"].as_str().unwrap().contains("<ajax-response>"));
    let run = common::ami(
        &[
            "decode",
            "--ajam",
            "manager",
            "--count",
            &corpus("http/13.38.3/manager/08_coreshowchannels_up.body"),
        ],
        b"",
    );
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.starts_with("messages=4 events=3 responses=1 "),
        "{}",
        run.stdout
    );
}
