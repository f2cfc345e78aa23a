//! Shared by the client tests: the corpus, its captures and users, and a client
//! configuration for a local fake Asterisk (`ami-replay`). The AJAM test server is in
//! `ajam/` (used by `http_client.rs` and by ami-cli's `send --http` tests).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use ami_replay::{Capture, Users};
use ami_tokio::ClientConfig;

/// The three transcript folders.
pub const VERSIONS: [&str; 3] = ["asterisk-13.38.3", "asterisk-23.4.1", "asterisk-23.4.1-sip"];

pub fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus")
}

pub fn capture(version: &str, name: &str) -> Capture {
    Capture::load(corpus().join(version).join(name)).unwrap()
}

/// Every transcript of every version, by name.
pub fn all_captures() -> Vec<(String, Capture)> {
    let mut out = Vec::new();
    for version in VERSIONS {
        let dir = corpus().join(version);
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().into_string().unwrap();
                name.strip_suffix(".client.bin").map(str::to_owned)
            })
            .collect();
        names.sort();
        for name in names {
            out.push((
                format!("{version}/{name}"),
                Capture::load(dir.join(&name)).unwrap(),
            ));
        }
    }
    out
}

/// `admin`'s secret: from the shared manager.conf when it is there, else the one that
/// configuration has.
pub fn admin_secret() -> String {
    let conf = corpus().join("../../shared/asterisk/23.4.1/conf/manager.conf");
    let Ok(text) = std::fs::read_to_string(conf) else {
        return "amp111".into();
    };
    let mut in_admin = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_admin = line.starts_with("[admin]");
        } else if let Some(secret) = line.strip_prefix("secret").filter(|_| in_admin) {
            return secret.trim_start_matches([' ', '=']).trim().to_string();
        }
    }
    "amp111".into()
}

/// Users as the captures' server had them (for logins that must be checked).
pub fn users() -> Users {
    Users::new().user("admin", admin_secret())
}

/// A client of `addr` as `admin`, quick to give up and to retry (tests, not production).
pub fn config(addr: impl ToString) -> ClientConfig {
    ClientConfig::new(addr.to_string())
        .credentials("admin", admin_secret())
        .timeout(Duration::from_secs(10))
        .keepalive(None)
        .reconnect(Some(ami_tokio::Reconnect::new(
            Duration::from_millis(10),
            Duration::from_millis(100),
        )))
}
