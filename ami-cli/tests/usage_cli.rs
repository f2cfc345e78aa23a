//! The command line itself: `--version`, `--help`, usage errors (status 2), file errors
//! that name the file (status 3), and a reader that goes away.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use common::{ami, corpus};

/// Asserts a usage error: status 2, clap's `error:` line holding `needle`, a usage line,
/// and nothing on standard output.
#[track_caller]
fn assert_usage_error(args: &[&str], needle: &str) {
    let run = ami(args, b"");
    assert_eq!(run.code, 2, "ami {args:?}: {}", run.stderr);
    assert!(
        run.stderr.starts_with("error: ") && run.stderr.contains(needle),
        "ami {args:?}: {}",
        run.stderr
    );
    assert!(run.stderr.contains("--help"), "{}", run.stderr);
    assert_eq!(run.stdout, "", "ami {args:?} wrote output");
}

/// A fresh folder for one test under cargo's scratch folder for integration tests.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn version_everywhere() {
    let version = env!("CARGO_PKG_VERSION");
    for (args, name) in [
        (&["--version"][..], "ami"),
        (&["-V"], "ami"),
        (&["decode", "--version"], "ami-decode"),
        (&["encode", "-V"], "ami-encode"),
        (&["spec", "diff", "--version"], "ami-spec-diff"),
    ] {
        let run = ami(args, b"");
        assert_eq!(run.code, 0, "{args:?}");
        assert_eq!(run.stdout, format!("{name} {version}\n"), "{args:?}");
    }
}

#[test]
fn help_lists_the_subcommands_and_the_exit_statuses() {
    let run = ami(&["--help"], b"");
    assert_eq!(run.code, 0);
    for needle in [
        "Usage: ami <COMMAND>",
        "decode",
        "encode",
        "spec",
        "--version",
    ] {
        assert!(run.stdout.contains(needle), "{needle}: {}", run.stdout);
    }
    let exit_statuses = [
        "Exit status:",
        "  0  success",
        "  1  the input was read but held errors",
        "  2  usage error",
        "  3  a file, standard input or standard output could not be opened",
    ];
    for args in [
        &["--help"][..],
        &["decode", "--help"],
        &["decode", "-h"],
        &["encode", "--help"],
        &["spec", "--help"],
        &["spec", "generate", "--help"],
        &["spec", "diff", "--help"],
        &["help", "decode"],
    ] {
        let run = ami(args, b"");
        assert_eq!(run.code, 0, "{args:?}");
        for needle in exit_statuses {
            assert!(run.stdout.contains(needle), "{args:?}: {}", run.stdout);
        }
    }
    let decode = ami(&["decode", "--help"], b"").stdout;
    for needle in [
        "Usage: ami decode [--json|--typed|--count] [--lenient] [--read-size N] [FILE|-]",
        r#"{"type":"error","offset":N,"error":"..."}"#,
        "1 to 16777216",
    ] {
        assert!(decode.contains(needle), "{needle}: {decode}");
    }
    let encode = ami(&["encode", "--help"], b"").stdout;
    assert!(
        encode.contains("ami encode --json [JSON|FILE|-]"),
        "{encode}"
    );
}

#[test]
fn no_arguments_shows_help_as_a_usage_error() {
    for args in [&[][..], &["encode"], &["spec"]] {
        let run = ami(args, b"");
        assert_eq!(run.code, 2, "{args:?}");
        assert!(
            run.stderr.contains("Usage: ami"),
            "{args:?}: {}",
            run.stderr
        );
        assert_eq!(run.stdout, "");
    }
}

#[test]
fn unknown_flags_are_refused_by_every_subcommand() {
    let file = corpus("asterisk-13.38.3/08_ping.server.bin");
    for args in [
        &["--bogus"][..],
        &["decode", "--bogus"],
        &["decode", &file, "--bogus"],
        &["decode", "-x", &file],
        // Before clap, these encoded actions named `--bogus` and `-x`.
        &["encode", "--bogus"],
        &["encode", "-x"],
        &["encode", "Ping", "--bogus"],
        &["encode", "--json", r#"{"Action":"Ping"}"#, "--bogus"],
        &["spec", "--bogus"],
        &["spec", "generate", "--bogus"],
        &["spec", "diff", "--bogus", "13.38.3", "23.4.1"],
    ] {
        assert_usage_error(args, "unexpected argument '-");
    }
    assert_usage_error(&["bogus"], "unrecognized subcommand 'bogus'");
    assert_usage_error(&["spec", "bogus"], "unrecognized subcommand 'bogus'");
}

#[test]
fn a_second_input_file_is_refused() {
    let a = corpus("asterisk-13.38.3/08_ping.server.bin");
    let b = corpus("asterisk-23.4.1/08_ping.server.bin");
    assert_usage_error(&["decode", &a, &b], "unexpected argument");
    assert_usage_error(&["decode", "-", &b], "unexpected argument");
    assert_usage_error(
        &["encode", "--json", r#"{"Action":"Ping"}"#, &a],
        "cannot be used with",
    );
    assert_usage_error(
        &["spec", "diff", "13.38.3", "23.4.1", "23.4.1"],
        "unexpected",
    );
}

#[test]
fn read_size_is_bounded() {
    for size in ["100000000000", "16777217", "0"] {
        assert_usage_error(
            &["decode", "--read-size", size, "-"],
            &format!("invalid value '{size}' for '--read-size <N>': {size} is not in 1..=16777216"),
        );
    }
    assert_usage_error(&["decode", "--read-size", "-1", "-"], "--read-size");
    assert_usage_error(&["decode", "--read-size", "lots", "-"], "invalid digit");
    assert_usage_error(&["decode", "--read-size"], "a value is required");
    // Both ends of the range are accepted.
    let file = corpus("asterisk-13.38.3/08_ping.server.bin");
    let whole = ami(&["decode", &file], b"");
    for size in ["1", "16777216"] {
        let run = ami(&["decode", "--read-size", size, &file], b"");
        assert_eq!((run.code, &run.stdout), (0, &whole.stdout), "{size}");
    }
}

#[test]
fn file_errors_name_the_file_with_status_3() {
    let dir = scratch("file_errors");
    let missing = dir.join("no such capture.bin");
    let missing = missing.to_str().unwrap();
    for args in [&["decode", missing][..], &["encode", "--json", missing]] {
        let run = ami(args, b"");
        assert_eq!(run.code, 3, "{args:?}");
        assert_eq!(
            run.stderr.lines().collect::<Vec<_>>(),
            [format!(
                "error: cannot open `{missing}`: No such file or directory (os error 2)"
            )],
            "{args:?}"
        );
        assert_eq!(run.stdout, "");
    }
    // A folder opens, then fails at the first read.
    let folder = dir.to_str().unwrap();
    for args in [&["decode", folder][..], &["encode", "--json", folder]] {
        let run = ami(args, b"");
        assert_eq!(run.code, 3, "{args:?}");
        assert!(
            run.stderr
                .starts_with(&format!("error: cannot read `{folder}`: ")),
            "{args:?}: {}",
            run.stderr
        );
    }
}

#[test]
fn spec_errors_name_the_file_and_line() {
    let dir = scratch("spec_errors");
    let out = dir.join("generated");
    let out = out.to_str().unwrap();
    let missing = dir.join("asterisk-0.1");
    let run = ami(
        &["spec", "generate", "--out", out, missing.to_str().unwrap()],
        b"",
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.starts_with(&format!(
            "error: cannot read `{}`: ",
            missing.join("events.txt").display()
        )),
        "{}",
        run.stderr
    );
    let broken = dir.join("asterisk-0.2");
    std::fs::create_dir(&broken).unwrap();
    std::fs::write(broken.join("events.txt"), "Events: yes\nnot a dump\n").unwrap();
    let run = ami(&["spec", "diff", broken.to_str().unwrap(), "23.4.1"], b"");
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.starts_with(&format!(
            "error: {}:1: ",
            broken.join("events.txt").display()
        )),
        "{}",
        run.stderr
    );
    assert!(!std::path::Path::new(out).exists(), "nothing was written");
    let run = ami(&["spec", "diff", "0.0.0", "23.4.1"], b"");
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "error: `0.0.0` is neither a folder nor a committed spec version\n"
    );
}

#[test]
fn encode_refusals_are_usage_errors() {
    assert_usage_error(&["encode", "Ping", "novalue"], "expected KEY=VALUE");
    assert_usage_error(
        &["encode", "Key=Ping"],
        "the first argument must be the action name",
    );
    for (args, needle) in [
        (&["encode", "--json", "{"][..], "error: invalid JSON: "),
        (&["encode", "--json", "-"], "error: invalid JSON: "),
        (
            &["encode", "Ping", "ActionID=1\r\nAction: Originate"],
            "error: action `Ping` refused: ",
        ),
    ] {
        let run = ami(args, b"not json");
        assert_eq!(run.code, 2, "{args:?}");
        assert!(run.stderr.starts_with(needle), "{args:?}: {}", run.stderr);
        assert_eq!(run.stdout, "");
    }
    // `--` still lets an argument that starts with `-` through, as clap's tip says.
    let run = ami(&["encode", "--", "Ping", "-X=1"], b"");
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout, "Action: Ping\r\n-X: 1\r\n\r\n");
}

#[test]
fn the_last_output_flag_wins_as_before() {
    let file = corpus("asterisk-13.38.3/30_queue.server.bin");
    let count = ami(&["decode", "--count", &file], b"");
    let json = ami(&["decode", &file], b"");
    assert!(
        count.stdout.starts_with("messages=131 "),
        "{}",
        count.stdout
    );
    for args in [
        &["decode", "--json", "--count", &file][..],
        &["decode", "--count", "--count", &file],
        &["decode", "--typed", "--json", "--count", &file],
    ] {
        assert_eq!(ami(args, b"").stdout, count.stdout, "{args:?}");
    }
    let run = ami(
        &[
            "decode",
            "--count",
            "--json",
            "--read-size",
            "9",
            "--read-size",
            "7",
            &file,
        ],
        b"",
    );
    assert_eq!(run.stdout, json.stdout);
}

#[test]
fn a_reader_that_goes_away_ends_decode_quietly() {
    // Well over a pipe's buffer of JSON Lines, so `ami` is still writing when the reader
    // closes its end.
    let mut stream = b"Asterisk Call Manager/2.10.6\r\n".to_vec();
    for i in 0..40_000 {
        stream.extend_from_slice(format!("Event: Newexten\r\nUniqueid: {i}\r\n\r\n").as_bytes());
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_ami"))
        .args(["decode", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        // `ami` may stop reading once its output is closed.
        let _ = stdin.write_all(&stream);
    });
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(
        first,
        "{\"type\":\"banner\",\"text\":\"Asterisk Call Manager/2.10.6\"}\n"
    );
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}
