//! The recorded AJAM exchanges of `corpus/http/<version>/`: the rawman bodies the test
//! server answers with, by request name, and the header values it copies (`Server`,
//! `Content-type` per encoding, the `Set-Cookie` and `WWW-authenticate` formats, the 401
//! page).

use std::collections::HashMap;
use std::fs;
use std::path::PathBuf;

use ami_http::Encoding;

/// One version's recordings.
#[derive(Debug)]
pub struct Recorded {
    pub version: String,
    /// `rawman/03_ping` and so on: body and headers.
    exchanges: HashMap<String, (Vec<u8>, String)>,
}

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus/http")
}

impl Recorded {
    /// Every exchange that `requests.tsv` lists for `version`.
    pub fn load(version: &str) -> Recorded {
        let dir = corpus().join(version);
        let tsv = fs::read_to_string(dir.join("requests.tsv")).unwrap();
        let mut exchanges = HashMap::new();
        for line in tsv.lines() {
            let name = line.split('\t').next().unwrap();
            let body = fs::read(dir.join(format!("{name}.body"))).unwrap();
            let headers = fs::read_to_string(dir.join(format!("{name}.headers"))).unwrap();
            exchanges.insert(name.to_string(), (body, headers));
        }
        assert!(exchanges.len() > 60, "{version}: {}", exchanges.len());
        Recorded {
            version: version.to_string(),
            exchanges,
        }
    }

    fn exchange(&self, name: &str) -> &(Vec<u8>, String) {
        self.exchanges
            .get(name)
            .unwrap_or_else(|| panic!("{} has no recorded {name}", self.version))
    }

    /// The body of request `name` (`rawman/03_ping`).
    pub fn body(&self, name: &str) -> &[u8] {
        &self.exchange(name).0
    }

    /// The value of `header` in the last response of request `name` (a digest request
    /// holds the 401 first); `index` picks among the responses (0: first).
    pub fn header(&self, name: &str, header: &str, index: usize) -> String {
        let headers = &self.exchange(name).1;
        let response = headers
            .split("HTTP/1.1 ")
            .filter(|r| !r.is_empty())
            .nth(index)
            .unwrap();
        response
            .split("\r\n")
            .filter_map(|line| line.split_once(": "))
            .find(|(k, _)| k.eq_ignore_ascii_case(header))
            .map(|(_, v)| v.to_string())
            .unwrap_or_else(|| panic!("{name} has no {header}"))
    }

    /// The `Content-type` Asterisk sends with `encoding`.
    pub fn content_type(&self, encoding: Encoding) -> String {
        self.header(&format!("{}/03_ping", encoding.name()), "Content-type", 0)
    }

    /// The messages of rawman body `name`, each as its AMI text with its blank line.
    pub fn messages(&self, name: &str) -> Vec<Vec<u8>> {
        split_messages(self.body(name))
    }
}

/// A rawman body cut after each `\r\n\r\n` (a legacy Command body holds only LF line
/// ends, so the cut falls after its `--END COMMAND--`).
pub fn split_messages(body: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut start = 0;
    while let Some(end) = body[start..].windows(4).position(|w| w == b"\r\n\r\n") {
        out.push(body[start..start + end + 4].to_vec());
        start += end + 4;
    }
    assert_eq!(start, body.len(), "a rawman body ends with a blank line");
    out
}

/// `message` with its `ActionID` set to `id`: the value replaced, or the header put where
/// Asterisk writes it (after the first line, or after `Privilege: Command` in a legacy
/// Command reply).
pub fn with_action_id(message: &[u8], id: &[u8]) -> Vec<u8> {
    let text = &message[..message.len() - 2];
    let mut lines: Vec<Vec<u8>> = text
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect();
    let mut line = b"ActionID: ".to_vec();
    line.extend_from_slice(id);
    line.extend_from_slice(b"\r\n");
    let is_id = |l: &[u8]| l.len() >= 9 && l[..9].eq_ignore_ascii_case(b"ActionID:");
    if let Some(at) = lines.iter().position(|l| is_id(l)) {
        lines[at] = line;
    } else {
        let after = match lines.get(1) {
            Some(l) if l.starts_with(b"Privilege: Command") => 2,
            _ => 1,
        };
        lines.insert(after, line);
    }
    let mut out = lines.concat();
    out.extend_from_slice(b"\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_ids_are_set_where_asterisk_writes_them() {
        assert_eq!(
            with_action_id(b"Response: Success\r\nPing: Pong\r\n\r\n", b"7"),
            b"Response: Success\r\nActionID: 7\r\nPing: Pong\r\n\r\n"
        );
        assert_eq!(
            with_action_id(b"Event: X\r\nActionID: old\r\nA: b\r\n\r\n", b"new"),
            b"Event: X\r\nActionID: new\r\nA: b\r\n\r\n"
        );
        assert_eq!(
            with_action_id(
                b"Response: Follows\r\nPrivilege: Command\r\nout: 1\n--END COMMAND--\r\n\r\n",
                b"c"
            ),
            b"Response: Follows\r\nPrivilege: Command\r\nActionID: c\r\nout: 1\n--END COMMAND--\r\n\r\n"
        );
    }
}
