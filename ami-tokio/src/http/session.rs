//! The session's credentials on each request, and what each answer says about the
//! session: the `mansession_id` cookie on `/rawman`, `/mxml` and `/manager` (taken from
//! the login's reply, sent back, and noticed when the server replaced it), or HTTP digest
//! on `/arawman`, `/amxml` and `/amanager` (every `401` challenge answered, nonce uses
//! counted). The logic is `ami_http`'s; this keeps its state between requests.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use ami_http::{
    check_session, ActionParams, Auth, DigestAuth, DigestChallenge, Endpoint, SessionCheck,
    SessionCookie,
};
use ami_proto::LoginFailure;
use http::header::{HeaderValue, AUTHORIZATION, COOKIE, SET_COOKIE, WWW_AUTHENTICATE};
use http::{Method, StatusCode};

use crate::client::{Error, LoginError, Secret};
use crate::http::error::HttpError;
use crate::http::transport::{Answer, Outgoing};

/// The credentials and what the server gave back for them.
#[derive(Debug)]
pub(crate) struct Session {
    endpoint: Endpoint,
    username: String,
    secret: Secret,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// The logged-in session's cookie, and which login (generation) it came from.
    cookie: Option<(SessionCookie, u64)>,
    /// The challenge being answered (digest).
    digest: Option<DigestAuth>,
}

/// What a request carried, to judge its answer.
#[derive(Debug)]
pub(crate) struct Sent {
    cookie: Option<(SessionCookie, u64)>,
    authorization: bool,
}

/// What an answer means.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// It is the reply to the request: decode its body.
    Reply,
    /// A new digest challenge came: send the request again, answering it.
    Retry,
    /// The session of login `generation` is gone (the cookie was replaced); the body is
    /// `Permission denied`.
    Expired {
        /// The login whose cookie the request carried.
        generation: u64,
    },
}

impl Session {
    pub(crate) fn new(endpoint: Endpoint, username: String, secret: Secret) -> Self {
        Session {
            endpoint,
            username,
            secret,
            state: Mutex::new(State::default()),
        }
    }

    pub(crate) fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Forgets the session cookie (the session is gone; the next login starts afresh).
    pub(crate) fn forget_cookie(&self) {
        self.lock().cookie = None;
    }

    /// The request that sends `params`, with the session's credentials.
    ///
    /// Actions go as a GET with the parameters in the query, the way AJAM clients send
    /// them; the cookie paths' `Login` (`login`) goes as a POST form, so that its secret
    /// stays out of the request line, which servers and proxies log. Not everything is POSTed: Asterisk
    /// reads at most 1024 bytes of a POST body (`MAX_POST_CONTENT` in `main/http.c`).
    /// A login sends no cookie: Asterisk starts a new session for it.
    pub(crate) fn request(
        &self,
        params: &ActionParams,
        login: bool,
    ) -> Result<(Outgoing, Sent), Error> {
        let post = login && self.endpoint.auth() == Auth::Cookie;
        let (method, target, form) = if post {
            (
                Method::POST,
                self.endpoint.path().to_string(),
                Some(params.query()),
            )
        } else {
            (Method::GET, self.endpoint.target(params), None)
        };
        let mut headers = Vec::new();
        let mut sent = Sent {
            cookie: None,
            authorization: false,
        };
        let mut state = self.lock();
        match self.endpoint.auth() {
            Auth::Cookie if !login && state.cookie.is_none() => {
                return Err(Error::Disconnected {
                    reason: "the session is gone and not logged in again yet".into(),
                })
            }
            Auth::Cookie => {
                if let Some((cookie, generation)) = state.cookie.as_ref().filter(|_| !login) {
                    let value = HeaderValue::from_str(&cookie.header_value())
                        .expect("cookie octets are header bytes");
                    headers.push((COOKIE, value));
                    sent.cookie = Some((cookie.clone(), *generation));
                }
            }
            Auth::Digest => {
                if let Some(digest) = state.digest.as_mut() {
                    let authorization = digest
                        .authorization(
                            &self.username,
                            self.secret.expose(),
                            method.as_str(),
                            &target,
                            &cnonce(),
                        )
                        .map_err(|e| Error::Http(HttpError::Digest(e)))?;
                    let value = HeaderValue::from_str(&authorization).map_err(|_| {
                        Error::Http(HttpError::Digest(ami_http::DigestError::BadInput(
                            "username",
                        )))
                    })?;
                    headers.push((AUTHORIZATION, value));
                    sent.authorization = true;
                }
            }
        }
        let outgoing = Outgoing {
            method,
            target,
            headers,
            form,
        };
        Ok((outgoing, sent))
    }

    /// Judges the answer to a request that carried `sent`; `login` is the generation a
    /// cookie login starts (its cookie is kept).
    pub(crate) fn judge(
        &self,
        answer: &Answer,
        sent: &Sent,
        login: Option<u64>,
    ) -> Result<Verdict, Error> {
        let digest = self.endpoint.auth() == Auth::Digest;
        if digest && answer.status == StatusCode::UNAUTHORIZED {
            let challenge = challenge(answer)?;
            if sent.authorization && !challenge.is_stale() {
                // The answer to a fresh challenge was refused: wrong user or secret.
                return Err(Error::Login {
                    reason: LoginError::Refused(LoginFailure::Refused),
                    reply: None,
                });
            }
            self.lock().digest = Some(DigestAuth::new(challenge));
            return Ok(Verdict::Retry);
        }
        if answer.status != StatusCode::OK {
            return Err(Error::Http(HttpError::Status(answer.status.as_u16())));
        }
        if digest {
            return Ok(Verdict::Reply);
        }
        let received = SessionCookie::find(answer.header_values(&SET_COOKIE))
            .map_err(|e| Error::Http(HttpError::Cookie(e)))?;
        if let Some(generation) = login {
            let cookie = received.ok_or(Error::Http(HttpError::NoSessionCookie))?;
            self.lock().cookie = Some((cookie, generation));
            return Ok(Verdict::Reply);
        }
        let (sent_cookie, generation) = match &sent.cookie {
            Some((cookie, generation)) => (Some(cookie), *generation),
            None => (None, 0),
        };
        Ok(match check_session(sent_cookie, received.as_ref()) {
            SessionCheck::Replaced => Verdict::Expired { generation },
            SessionCheck::Same | SessionCheck::Started | SessionCheck::Unknown => Verdict::Reply,
        })
    }
}

/// The first digest challenge this client can answer among a `401`'s
/// `WWW-Authenticate` headers.
fn challenge(answer: &Answer) -> Result<DigestChallenge, Error> {
    let mut first_error = None;
    for value in answer.header_values(&WWW_AUTHENTICATE) {
        match DigestChallenge::parse(value) {
            Ok(challenge) => return Ok(challenge),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    let error = first_error.unwrap_or(ami_http::DigestError::NotDigest);
    Err(Error::Http(HttpError::Digest(error)))
}

/// A fresh client nonce: 128 bits in hex, from the standard library's randomly keyed
/// hasher (keys drawn from the operating system once per thread, then hashed with a
/// counter): unpredictable to others, without a generator to carry.
fn cnonce() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut out = String::with_capacity(32);
    for _ in 0..2 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        out.push_str(&format!("{:016x}", RandomState::new().hash_one(n)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ami_http::Encoding;
    use ami_proto::GenericAction;
    use bytes::Bytes;
    use http::HeaderMap;

    fn answer(status: u16, headers: &[(&str, &str)]) -> Answer {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(
                http::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        Answer {
            status: StatusCode::from_u16(status).unwrap(),
            headers: map,
            body: Bytes::new(),
        }
    }

    fn params(name: &str) -> ActionParams {
        ActionParams::new(&GenericAction::new(name), Some(b"1")).unwrap()
    }

    const COOKIE_A: &str = r#"mansession_id="d01fb167"; Version=1; Max-Age=60"#;
    const COOKIE_B: &str = r#"mansession_id="4d839dd7"; Version=1; Max-Age=60"#;

    #[test]
    fn the_cookie_is_kept_sent_and_its_replacement_noticed() {
        let endpoint = Endpoint::new(Encoding::Rawman, Auth::Cookie);
        let session = Session::new(endpoint, "admin".into(), Secret::from("amp111"));
        let (login, sent) = session.request(&params("Login"), true).unwrap();
        assert_eq!(login.method, Method::POST);
        assert_eq!(login.target, "/rawman");
        assert!(login.headers.is_empty());
        let ok = answer(200, &[("set-cookie", COOKIE_A)]);
        assert_eq!(session.judge(&ok, &sent, Some(1)).unwrap(), Verdict::Reply);

        let (ping, sent) = session.request(&params("Ping"), false).unwrap();
        assert_eq!((ping.method, ping.form), (Method::GET, None));
        assert_eq!(ping.target, "/rawman?Action=Ping&ActionID=1");
        assert_eq!(
            ping.headers,
            [(
                COOKIE,
                HeaderValue::from_static(r#"mansession_id="d01fb167""#)
            )]
        );
        assert_eq!(session.judge(&ok, &sent, None).unwrap(), Verdict::Reply);
        let replaced = answer(200, &[("set-cookie", COOKIE_B)]);
        assert_eq!(
            session.judge(&replaced, &sent, None).unwrap(),
            Verdict::Expired { generation: 1 }
        );
        let missing = answer(200, &[]);
        assert!(matches!(
            session.judge(&missing, &sent, Some(2)),
            Err(Error::Http(HttpError::NoSessionCookie))
        ));
        let bad = answer(200, &[("set-cookie", "mansession_id=a\\b")]);
        assert!(matches!(
            session.judge(&bad, &sent, None),
            Err(Error::Http(HttpError::Cookie(_)))
        ));
        assert!(matches!(
            session.judge(&answer(404, &[]), &sent, None),
            Err(Error::Http(HttpError::Status(404)))
        ));
        session.forget_cookie();
        assert!(matches!(
            session.request(&params("Ping"), false),
            Err(Error::Disconnected { .. })
        ));
    }

    #[test]
    fn digest_challenges_are_answered_and_a_refusal_is_a_login_error() {
        let endpoint = Endpoint::new(Encoding::Mxml, Auth::Digest);
        let session = Session::new(endpoint, "admin".into(), Secret::from("amp111"));
        // The login on a digest path is a plain GET: no secret in it.
        let (first, sent) = session.request(&params("Ping"), true).unwrap();
        assert_eq!((first.method, first.form), (Method::GET, None));
        assert!(first.headers.is_empty());
        let challenge = answer(
            401,
            &[(
                "www-authenticate",
                r#"Digest algorithm=MD5, realm="asterisk", nonce="3ccaa45e", qop="auth", opaque="3ccaa45e""#,
            )],
        );
        assert_eq!(
            session.judge(&challenge, &sent, None).unwrap(),
            Verdict::Retry
        );
        let (second, sent) = session.request(&params("Ping"), false).unwrap();
        let (name, value) = &second.headers[0];
        assert_eq!(name, AUTHORIZATION);
        let value = value.to_str().unwrap();
        assert!(
            value.contains(r#"uri="/amxml?Action=Ping&ActionID=1""#),
            "{value}"
        );
        assert!(value.contains("nc=00000001"), "{value}");
        assert!(!value.contains("amp111"));
        // Refused again without `stale`: the secret is wrong.
        assert!(matches!(
            session.judge(&challenge, &sent, None),
            Err(Error::Login { reply: None, .. })
        ));
        // A stale nonce is answered again.
        let stale = answer(
            401,
            &[(
                "www-authenticate",
                r#"Digest algorithm=MD5, realm="asterisk", nonce="5da1782a", qop="auth", opaque="5da1782a", stale=true"#,
            )],
        );
        assert_eq!(session.judge(&stale, &sent, None).unwrap(), Verdict::Retry);
        let (third, _) = session.request(&params("Ping"), false).unwrap();
        assert!(third.headers[0]
            .1
            .to_str()
            .unwrap()
            .contains(r#"nonce="5da1782a""#));
        let basic = answer(401, &[("www-authenticate", r#"Basic realm="x""#)]);
        assert!(matches!(
            session.judge(&basic, &sent, None),
            Err(Error::Http(HttpError::Digest(
                ami_http::DigestError::NotDigest
            )))
        ));
    }

    #[test]
    fn client_nonces_differ() {
        let a = cnonce();
        let b = cnonce();
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }
}
