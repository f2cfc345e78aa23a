//! The recorded AJAM exchanges of `corpus/http/`, a plain reader of rawman bodies that
//! shares no code with the crate, and the documented losses of mxml and the manager page
//! written out as a function of the rawman text.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use ami_http::{decode, Encoding};
use ami_proto::{OwnedItem, OwnedMessage};

pub fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/http")
}

/// One request of `requests.tsv` and what the server answered.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub version: String,
    /// `rawman`, `amxml`, ...
    pub kind: String,
    /// `09_waitevent`, ...
    pub name: String,
    /// Path and query (or the POST body's parameters, for curl's `--data`).
    pub request: String,
    pub curl: String,
    pub status: u16,
    pub body: Vec<u8>,
    /// Status lines and headers of every response (a digest exchange has the 401 first).
    pub headers: String,
}

impl Exchange {
    pub fn id(&self) -> String {
        format!("{}/{}/{}", self.version, self.kind, self.name)
    }

    pub fn encoding(&self) -> Encoding {
        let name = if self.digest() {
            &self.kind[1..]
        } else {
            &self.kind[..]
        };
        Encoding::from_name(name).unwrap_or_else(|| panic!("kind {}", self.kind))
    }

    /// `arawman`, `amxml`, `amanager`: digest authentication instead of the cookie.
    pub fn digest(&self) -> bool {
        self.kind.starts_with('a')
    }

    /// The rawman request of the same name in the same set (cookie or digest).
    pub fn twin<'a>(&self, all: &'a [Exchange]) -> &'a Exchange {
        let kind = if self.digest() { "arawman" } else { "rawman" };
        all.iter()
            .find(|e| e.version == self.version && e.kind == kind && e.name == self.name)
            .unwrap_or_else(|| panic!("no twin of {}", self.id()))
    }

    /// Values of header `name` (ASCII case-insensitive) in the final response.
    pub fn final_header(&self, name: &str) -> Vec<String> {
        let last = self.headers.rsplit("HTTP/1.1 ").next().unwrap();
        header_values(last, name)
    }

    /// Values of header `name` in every response of the exchange.
    pub fn all_headers(&self, name: &str) -> Vec<String> {
        header_values(&self.headers, name)
    }
}

fn header_values(text: &str, name: &str) -> Vec<String> {
    text.split("\r\n")
        .filter_map(|line| line.split_once(": "))
        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.to_string())
        .collect()
}

/// Every exchange of both versions, in `requests.tsv` order.
pub fn exchanges() -> Vec<Exchange> {
    let mut out = Vec::new();
    for version in ["13.38.3", "23.4.1"] {
        let dir = corpus().join(version);
        let tsv = fs::read_to_string(dir.join("requests.tsv")).unwrap();
        for line in tsv.lines() {
            let cols: Vec<&str> = line.split('\t').collect();
            let (kind, name) = cols[0].split_once('/').unwrap();
            let read = |ext: &str| fs::read(dir.join(kind).join(format!("{name}.{ext}"))).unwrap();
            let headers = String::from_utf8(read("headers")).unwrap();
            let status = cols[3].parse().unwrap();
            let last_status = headers.rsplit("HTTP/1.1 ").next().unwrap()[..3]
                .parse::<u16>()
                .unwrap();
            assert_eq!(status, last_status, "{version}/{}", cols[0]);
            out.push(Exchange {
                version: version.to_string(),
                kind: kind.to_string(),
                name: name.to_string(),
                request: cols[2].to_string(),
                curl: cols[1].to_string(),
                status,
                body: read("body"),
                headers,
            });
        }
    }
    out
}

/// The messages of a body that must decode without an error or a text block.
pub fn decode_ok(encoding: Encoding, body: &[u8], what: &str) -> Vec<OwnedMessage> {
    decode(encoding, body)
        .map(|item| match item {
            Ok(OwnedItem::Message(m)) => m,
            other => panic!("{what}: {other:?}"),
        })
        .collect()
}

/// A message as plain data: headers in order and the legacy Command body.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Plain {
    pub headers: Vec<(Vec<u8>, Vec<u8>)>,
    pub body: Option<Vec<u8>>,
}

impl Plain {
    pub fn of(m: &OwnedMessage) -> Plain {
        let m = m.message();
        Plain {
            headers: m
                .headers()
                .map(|h| (h.key.to_vec(), h.value.to_vec()))
                .collect(),
            body: m.command_body().map(<[u8]>::to_vec),
        }
    }

    /// Keys and values masked with [`mask`], for messages of different runs (mxml keys
    /// hold channel names: `chanvariable_local_600_test_00000044_1_`).
    pub fn masked(&self) -> Plain {
        Plain {
            headers: self
                .headers
                .iter()
                .map(|(k, v)| (mask(k), mask(v)))
                .collect(),
            body: self.body.as_deref().map(mask),
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        for (k, v) in &self.headers {
            out.push_str(&format!("{}={}|", k.escape_ascii(), v.escape_ascii()));
        }
        if let Some(body) = &self.body {
            out.push_str(&format!("body={}", body.escape_ascii()));
        }
        out
    }
}

/// A plain reader of rawman bodies as Asterisk writes them: messages end at CRLF CRLF,
/// header lines at CRLF, and the one line that holds bare LFs is a legacy Command body
/// ending in `--END COMMAND--`.
pub fn split_rawman(body: &[u8]) -> Vec<Plain> {
    let text = body
        .strip_suffix(b"\r\n\r\n")
        .expect("a rawman body ends with a blank line");
    let mut out = Vec::new();
    for block in split(text, b"\r\n\r\n") {
        let mut plain = Plain {
            headers: Vec::new(),
            body: None,
        };
        for line in split(block, b"\r\n") {
            if line.contains(&b'\n') {
                let body = line
                    .strip_suffix(b"--END COMMAND--")
                    .expect("a Command body");
                plain.body = Some(body.to_vec());
                continue;
            }
            assert!(plain.body.is_none(), "a header after the Command body");
            let colon = line.iter().position(|&b| b == b':').expect("a header");
            let value = &line[colon + 1..];
            let value = value.strip_prefix(b" ").unwrap_or(value);
            plain.headers.push((line[..colon].to_vec(), value.to_vec()));
        }
        out.push(plain);
    }
    out
}

fn split<'a>(s: &'a [u8], sep: &[u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.windows(sep.len()).position(|w| w == sep) {
        out.push(&rest[..i]);
        rest = &rest[i + sep.len()..];
    }
    out.push(rest);
    out
}

/// Replaces every run of hex digits that holds a decimal digit by `#`: what differs
/// between two runs of the same request (timestamps, unique ids, channel and session
/// numbers, ports), while words stay.
pub fn mask(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < value.len() {
        let run = value[i..]
            .iter()
            .take_while(|b| b.is_ascii_hexdigit())
            .count();
        if run > 0 && value[i..i + run].iter().any(u8::is_ascii_digit) {
            out.push(b'#');
            i += run;
        } else if run > 0 {
            out.extend_from_slice(&value[i..i + run]);
            i += run;
        } else {
            out.push(value[i]);
            i += 1;
        }
    }
    out
}

/// An mxml attribute name as Asterisk makes it from an AMI key.
pub fn mangle(key: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, &b) in key.iter().enumerate() {
        if i == 0 && b.is_ascii_digit() {
            out.extend_from_slice(&[b'_', b]);
        } else if b.is_ascii_alphanumeric() {
            out.push(b.to_ascii_lowercase());
        } else {
            out.push(b'_');
        }
    }
    out
}

/// `s` without bytes below `!` at both ends (what Asterisk cuts from a value).
pub fn trim(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&b| b > b' ').unwrap_or(s.len());
    let end = s.iter().rposition(|&b| b > b' ').map_or(start, |e| e + 1);
    &s[start..end]
}

/// `s` without bytes below `!` at its end.
pub fn trim_end(s: &[u8]) -> &[u8] {
    let end = s.iter().rposition(|&b| b > b' ').map_or(0, |e| e + 1);
    &s[..end]
}

/// What decoding `encoding` gives for a message whose rawman form is `plain`, by the
/// losses the crate documents: mxml keys mangled, values without blanks around them; in a
/// legacy Command body, the lines with a colon before the first line without one are
/// fields in mxml, and in the manager page too until the first one whose key holds a
/// space or tab (which, like every line after it, stays output, as `key:value`).
/// `None` when the message holds what the simple model does not cover (a LF inside a
/// value, blank lines in a Command body).
pub fn expected(plain: &Plain, encoding: Encoding) -> Option<Plain> {
    let key = |k: &[u8]| match encoding {
        Encoding::Mxml => mangle(trim_end(k)),
        _ => trim_end(k).to_vec(),
    };
    if encoding == Encoding::Rawman {
        return Some(plain.clone());
    }
    let mut headers = Vec::new();
    for (k, v) in &plain.headers {
        // A line break inside a value splits the line; at its end it is cut with the
        // blanks (PJSIP's `Message: Unable to retrieve endpoint nosuch\n`).
        if trim_end(v).contains(&b'\n') || trim_end(v).contains(&b'\r') {
            return None;
        }
        headers.push((key(k), trim(v).to_vec()));
    }
    let Some(body) = &plain.body else {
        return Some(Plain {
            headers,
            body: None,
        });
    };
    let lines: Vec<&[u8]> = body
        .strip_suffix(b"\n")
        .unwrap_or(body)
        .split(|&b| b == b'\n')
        .collect();
    if body.is_empty() {
        return Some(Plain {
            headers,
            body: Some(Vec::new()),
        });
    }
    if lines.iter().any(|l| trim_end(l).is_empty()) {
        return None;
    }
    let first_plain = lines
        .iter()
        .position(|l| !l.contains(&b':'))
        .unwrap_or(lines.len());
    let mut output: Vec<Vec<u8>> = Vec::new();
    for line in &lines[..first_plain] {
        let line = trim_end(line);
        let colon = line.iter().position(|&b| b == b':').unwrap();
        let (k, v) = (trim_end(&line[..colon]), trim(&line[colon + 1..]));
        let spaced = k.iter().any(|&b| b == b' ' || b == b'\t');
        if encoding == Encoding::Manager && (spaced || !output.is_empty()) {
            output.push([k, b":", v].concat());
        } else {
            headers.push((key(k), v.to_vec()));
        }
    }
    output.extend(lines[first_plain..].iter().map(|l| trim_end(l).to_vec()));
    let mut text = Vec::new();
    for line in output {
        text.extend_from_slice(&line);
        text.push(b'\n');
    }
    Some(Plain {
        headers,
        body: Some(text),
    })
}
