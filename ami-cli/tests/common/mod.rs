//! Running the `ami` binary as a user does, for the CLI tests.
#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Stdio};

/// What one run of `ami` left behind.
pub struct Run {
    /// The exit status (a signal is a test failure).
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// A file of the repository's `corpus/`.
pub fn corpus(path: &str) -> String {
    format!("{}/../corpus/{path}", env!("CARGO_MANIFEST_DIR"))
}

/// Runs `ami ARGS...` with `stdin` as its standard input.
pub fn ami(args: &[&str], stdin: &[u8]) -> Run {
    ami_with_env(args, &[], stdin)
}

/// [`ami`] with environment variables set (`AMI_SECRET`); the test's own `AMI_SECRET`
/// is never passed on.
pub fn ami_with_env(args: &[&str], env: &[(&str, &str)], stdin: &[u8]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ami"))
        .args(args)
        .env_remove("AMI_SECRET")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // `ami` may stop before reading its input (a usage error): a closed pipe is fine.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().expect("ami ended by a signal"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}
