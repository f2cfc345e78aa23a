//! The server's side of HTTP digest (RFC 7616 with MD5 and `qop=auth`, the RFC 2617
//! computation), written apart from `ami_http` so that it checks the client instead of
//! agreeing with it: the `Authorization` fields read, the response recomputed from the
//! secret and the request's real method and target.

use md5::{Digest, Md5};

fn md5_hex(text: &str) -> String {
    Md5::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The `key=value` / `key="value"` fields after `Digest `, or `None` if the header is not
/// a digest answer.
pub fn fields(header: &str) -> Option<Vec<(String, String)>> {
    let mut rest = header.strip_prefix("Digest ")?;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (key, after) = rest.split_once('=')?;
        let (value, after) = match after.strip_prefix('"') {
            Some(quoted) => {
                let mut value = String::new();
                let mut chars = quoted.char_indices();
                let end = loop {
                    match chars.next()? {
                        (_, '\\') => value.push(chars.next()?.1),
                        (i, '"') => break i + 1,
                        (_, c) => value.push(c),
                    }
                };
                (value, &quoted[end..])
            }
            None => {
                let end = after.find(',').unwrap_or(after.len());
                (after[..end].to_string(), &after[end..])
            }
        };
        out.push((key.trim().to_string(), value));
        rest = after.trim_start_matches(',').trim_start();
    }
    Some(out)
}

/// A digest answer whose response is right for the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answered {
    pub nonce: u32,
    pub nc: u64,
}

/// Checks `header` for a request `method target` by `username` with `secret` in `realm`:
/// the fields must be complete, name the right user, realm and the exact target, and the
/// response must prove the secret. `None` when anything is wrong.
pub fn verify(
    header: &str,
    method: &str,
    target: &str,
    username: &str,
    secret: &str,
    realm: &str,
) -> Option<Answered> {
    let f = fields(header)?;
    let get = |k: &str| f.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    if get("username")? != username || get("realm")? != realm || get("uri")? != target {
        return None;
    }
    if get("qop")? != "auth" || get("algorithm").is_some_and(|a| a != "MD5") {
        return None;
    }
    let nonce = get("nonce")?;
    if get("opaque") != Some(nonce) {
        return None;
    }
    let nc = get("nc")?;
    let cnonce = get("cnonce")?;
    let ha1 = md5_hex(&format!("{username}:{realm}:{secret}"));
    let ha2 = md5_hex(&format!("{method}:{target}"));
    let expected = md5_hex(&format!("{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}"));
    if get("response")? != expected {
        return None;
    }
    Some(Answered {
        nonce: u32::from_str_radix(nonce, 16).ok()?,
        nc: u64::from_str_radix(nc, 16).ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 2617 section 3.5's example.
    #[test]
    fn the_rfc_example_verifies() {
        let header = r#"Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b71", uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", response="RESPONSE", opaque="dcd98b71""#;
        let ha1 = md5_hex("Mufasa:testrealm@host.com:Circle Of Life");
        let ha2 = md5_hex("GET:/dir/index.html");
        let response = md5_hex(&format!("{ha1}:dcd98b71:00000001:0a4f113b:auth:{ha2}"));
        let header = header.replace("RESPONSE", &response);
        let check = |target: &str, secret: &str| {
            verify(
                &header,
                "GET",
                target,
                "Mufasa",
                secret,
                "testrealm@host.com",
            )
        };
        assert_eq!(
            check("/dir/index.html", "Circle Of Life"),
            Some(Answered {
                nonce: 0xdcd98b71,
                nc: 1
            })
        );
        assert_eq!(check("/dir/index.html", "wrong"), None);
        assert_eq!(check("/dir/other.html", "Circle Of Life"), None);
    }
}
