//! The session cookie and how an expired session shows, on the recorded cookie sessions
//! (`rawman/`, `mxml/`, `manager/`: one curl cookie jar each, requests 00 to 17 in order).

mod support;

use ami_http::{check_session, decode, SessionCheck, SessionCookie};
use ami_proto::{Kind, OwnedItem};
use support::{exchanges, Exchange};

fn set_cookie(e: &Exchange) -> Option<SessionCookie> {
    let values = e.final_header("Set-Cookie");
    SessionCookie::find(values.iter().map(|v| v.as_bytes())).unwrap()
}

/// The `Response` and `Message` of a body's first message, whatever its encoding.
fn reply(e: &Exchange) -> (String, String) {
    let first = decode(e.encoding(), &e.body).next().unwrap().unwrap();
    let OwnedItem::Message(m) = first else {
        panic!()
    };
    let m = m.message();
    assert_eq!(m.kind(), Kind::Response);
    (
        m.get_str("Response").unwrap().into(),
        m.get_str("Message").unwrap_or("").into(),
    )
}

#[test]
fn every_cookie_reply_sets_the_session_cookie() {
    let mut replies = 0;
    for e in exchanges().iter().filter(|e| !e.digest()) {
        let cookie = set_cookie(e).unwrap_or_else(|| panic!("{}", e.id()));
        assert_eq!(cookie.id().len(), 8, "{}", e.id());
        assert!(cookie.id().bytes().all(|b| b.is_ascii_hexdigit()));
        // Max-Age is manager.conf's httptimeout (60 in the recorded configuration).
        assert_eq!(cookie.max_age(), Some(60));
        assert_eq!(
            cookie.header_value(),
            format!("mansession_id=\"{}\"", cookie.id())
        );
        replies += 1;
    }
    assert_eq!(replies, 2 * 3 * 18);
}

/// Walks each recorded session as curl's cookie jar did (each request sent the cookie of
/// the reply before it): the session changes exactly after a failed login (Asterisk
/// destroys that session) and after the logoff, and a request in a session that is gone
/// is answered `Permission denied`, the same body an expired session gets.
#[test]
fn a_replaced_session_is_how_expiry_shows() {
    let all = exchanges();
    let mut sessions = 0;
    for version in ["13.38.3", "23.4.1"] {
        for kind in ["rawman", "mxml", "manager"] {
            let run: Vec<&Exchange> = all
                .iter()
                .filter(|e| e.version == version && e.kind == kind)
                .collect();
            assert_eq!(run.len(), 18);
            let mut jar: Option<SessionCookie> = None;
            let mut logged_in = false;
            for e in &run {
                let received = set_cookie(e);
                let check = check_session(jar.as_ref(), received.as_ref());
                let (response, message) = reply(e);
                match e.name.as_str() {
                    "00_ping_before_login" => {
                        assert_eq!(check, SessionCheck::Started);
                        assert_eq!(
                            (response.as_str(), message.as_str()),
                            ("Error", "Permission denied")
                        );
                    }
                    "02_login" => {
                        // The failed login of 01 ended that session.
                        assert_eq!(check, SessionCheck::Replaced, "{}", e.id());
                        assert_eq!(message, "Authentication accepted");
                        logged_in = true;
                    }
                    "17_ping_after_logoff" => {
                        assert!(logged_in);
                        assert_eq!(check, SessionCheck::Replaced, "{}", e.id());
                        assert_eq!(
                            (response.as_str(), message.as_str()),
                            ("Error", "Permission denied")
                        );
                    }
                    _ => {
                        assert_eq!(check, SessionCheck::Same, "{}", e.id());
                        assert_ne!(message, "Permission denied", "{}", e.id());
                    }
                }
                jar = received;
            }
            sessions += 1;
        }
    }
    assert_eq!(sessions, 6);
}
