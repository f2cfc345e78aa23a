//! Digest authentication: the RFC example vectors, and every challenge Asterisk 13.38.3
//! and 23.4.1 sent in the recorded exchanges (`corpus/http/*/a*/`), answered and checked
//! by a verifier written here the way Asterisk checks (`auth_http_callback`: parse the
//! `key="value"` list, recompute the response from the user's secret).
//!
//! The recordings hold only the server's side (curl's `Authorization` headers, with their
//! random client nonces, were not kept), so the answers are checked by the verifier, and
//! the recorded fact that Asterisk accepted curl's RFC 7616 answers (200 after the 401)
//! and refused a wrong password (401 twice) is what the verifier has to agree with.

mod support;

use ami_http::{Algorithm, DigestAuth, DigestChallenge};
use md5::{Digest, Md5};
use support::exchanges;

fn md5_hex(s: &str) -> String {
    Md5::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The `key=value` / `key="value"` list after `Digest `, as a server reads it.
fn fields(header: &str) -> Vec<(String, String)> {
    let mut rest = header.strip_prefix("Digest ").expect("a Digest answer");
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (key, after) = rest.split_once('=').unwrap();
        let (value, after) = if let Some(quoted) = after.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let end = loop {
                match chars.next().unwrap() {
                    (_, '\\') => value.push(chars.next().unwrap().1),
                    (i, '"') => break i + 1,
                    (_, c) => value.push(c),
                }
            };
            (value, &quoted[end..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].to_string(), &after[end..])
        };
        out.push((key.trim().to_string(), value));
        rest = after.trim_start_matches(',').trim_start();
    }
    out
}

/// Whether `header` proves knowledge of `secret` for `method` and `nonce`, RFC 2617/7616
/// with MD5 (and RFC 2069 without `qop`).
fn verify(header: &str, secret: &str, method: &str, nonce: &str) -> bool {
    let f = fields(header);
    let get = |k: &str| f.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    if get("nonce") != Some(nonce) {
        return false;
    }
    let ha1 = md5_hex(&format!(
        "{}:{}:{secret}",
        get("username").unwrap(),
        get("realm").unwrap()
    ));
    let ha2 = md5_hex(&format!("{method}:{}", get("uri").unwrap()));
    let expected = match get("qop") {
        Some(qop) => md5_hex(&format!(
            "{ha1}:{nonce}:{}:{}:{qop}:{ha2}",
            get("nc").unwrap(),
            get("cnonce").unwrap()
        )),
        None => md5_hex(&format!("{ha1}:{nonce}:{ha2}")),
    };
    get("response") == Some(expected.as_str())
}

#[test]
fn rfc_2617_example() {
    // RFC 2617, section 3.5.
    let challenge = DigestChallenge::parse(
        br#"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#,
    )
    .unwrap();
    let mut auth = DigestAuth::new(challenge);
    let header = auth
        .authorization(
            "Mufasa",
            "Circle Of Life",
            "GET",
            "/dir/index.html",
            "0a4f113b",
        )
        .unwrap();
    assert_eq!(
        header,
        r#"Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41", algorithm=MD5"#
    );
    assert!(verify(
        &header,
        "Circle Of Life",
        "GET",
        "dcd98b7102dd2f0e8b11d0f600bfb0c093"
    ));
    assert!(!verify(
        &header,
        "Circle of Life",
        "GET",
        "dcd98b7102dd2f0e8b11d0f600bfb0c093"
    ));
}

#[test]
fn rfc_7616_md5_example() {
    // RFC 7616, section 3.9.1 (the MD5 half of the example).
    let challenge = DigestChallenge::parse(
        br#"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#,
    )
    .unwrap();
    let header = DigestAuth::new(challenge)
        .authorization(
            "Mufasa",
            "Circle of Life",
            "GET",
            "/dir/index.html",
            "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
        )
        .unwrap();
    assert!(
        header.contains(r#"response="8ca523f5e9506fed4657c9700eebdbec""#),
        "{header}"
    );
}

#[test]
fn without_qop_and_with_md5_sess() {
    let plain = DigestChallenge::parse(b"Digest realm=\"r\", nonce=\"abc\"").unwrap();
    let header = DigestAuth::new(plain)
        .authorization("u", "s", "POST", "/amxml", "c1")
        .unwrap();
    assert!(
        !header.contains("qop=") && !header.contains("cnonce="),
        "{header}"
    );
    assert!(verify(&header, "s", "POST", "abc"));
    assert!(!verify(&header, "s", "GET", "abc"));
    let sess =
        DigestChallenge::parse(b"Digest realm=r, nonce=n, qop=auth, algorithm=MD5-sess").unwrap();
    assert_eq!(sess.algorithm(), Algorithm::Md5Sess);
    let header = DigestAuth::new(sess)
        .authorization("u", "s", "GET", "/x", "cn")
        .unwrap();
    // HA1 = MD5(MD5(u:r:s):n:cn).
    let ha1 = md5_hex(&format!("{}:n:cn", md5_hex("u:r:s")));
    let ha2 = md5_hex("GET:/x");
    let response = md5_hex(&format!("{ha1}:n:00000001:cn:auth:{ha2}"));
    assert!(
        header.contains(&format!("response=\"{response}\"")),
        "{header}"
    );
}

#[test]
fn every_recorded_challenge_is_answered_so_that_the_server_accepts_it() {
    let mut challenges = 0;
    for e in exchanges().iter().filter(|e| e.digest()) {
        let offered = e.all_headers("WWW-authenticate");
        // Each exchange began with a 401; a right password then got 200, a wrong one or
        // none the 401 again.
        assert!(!offered.is_empty(), "{}", e.id());
        let path = &e.request;
        for value in &offered {
            let challenge = DigestChallenge::parse(value.as_bytes()).unwrap();
            assert_eq!(challenge.realm(), "asterisk");
            assert_eq!(challenge.algorithm(), Algorithm::Md5);
            assert!(challenge.offers_qop_auth() && !challenge.is_stale());
            assert_eq!(challenge.opaque(), Some(challenge.nonce()));
            assert!(
                challenge.nonce().len() == 8
                    && challenge.nonce().bytes().all(|b| b.is_ascii_hexdigit())
            );
            let mut auth = DigestAuth::new(challenge.clone());
            for n in 1..=3 {
                let cnonce = format!("{n:016x}");
                let header = auth
                    .authorization("admin", "amp111", "GET", path, &cnonce)
                    .unwrap();
                assert!(header.contains(&format!("nc={n:08x}")));
                assert!(header.contains(&format!("uri=\"{path}\"")));
                assert!(
                    verify(&header, "amp111", "GET", challenge.nonce()),
                    "{}: {header}",
                    e.id()
                );
                assert!(!verify(&header, "wrong", "GET", challenge.nonce()));
            }
            challenges += 1;
        }
        match e.name.as_str() {
            "00_no_auth" => assert_eq!((e.status, offered.len()), (401, 1)),
            "01_bad_password" => assert_eq!((e.status, offered.len()), (401, 2)),
            _ => assert_eq!((e.status, offered.len()), (200, 1)),
        }
        // Digest paths keep no cookie session.
        assert!(e.all_headers("Set-Cookie").is_empty(), "{}", e.id());
    }
    // 3 kinds x (1 + 2 + 5) challenges, two versions.
    assert_eq!(challenges, 2 * 3 * 8);
}

#[test]
fn a_new_challenge_starts_counting_again() {
    let first = DigestChallenge::parse(b"Digest realm=r, nonce=\"1\", qop=auth").unwrap();
    let mut auth = DigestAuth::new(first);
    auth.authorization("u", "s", "GET", "/a", "x").unwrap();
    auth.authorization("u", "s", "GET", "/a", "y").unwrap();
    assert_eq!(auth.nonce_count(), 2);
    let stale =
        DigestChallenge::parse(b"Digest realm=r, nonce=\"2\", qop=auth, stale=true").unwrap();
    assert!(stale.is_stale());
    let mut auth = DigestAuth::new(stale);
    let header = auth.authorization("u", "s", "GET", "/a", "z").unwrap();
    assert!(header.contains("nc=00000001") && verify(&header, "s", "GET", "2"));
}
