//! The `mansession_id` cookie, and what a reply says about the session it names.
//!
//! On `/rawman`, `/mxml` and `/manager` every reply sets the cookie:
//! `Set-Cookie: mansession_id="d01fb167"; Version=1; Max-Age=60` (Asterisk 13.38.3 and
//! 23.4.1 alike), where `Max-Age` is `manager.conf`'s `httptimeout`. A request whose cookie
//! names no live session (none sent, logged off, after a failed `Login`, or idle longer
//! than `httptimeout`) gets a new session, unauthenticated, under a new id, and any action but
//! `Login` and `Challenge` is answered `Response: Error`, `Message: Permission denied`. The
//! recorded `17_ping_after_logoff` shows exactly this: the cookie of the logged-off session
//! went in, a new id came back with `Permission denied`. So a changed id is how an
//! expired session shows; `Permission denied` with the same id is a user who lacks the
//! permission for that action.

use std::fmt;

/// The cookie's name.
pub const SESSION_COOKIE: &str = "mansession_id";

/// A session cookie from `Set-Cookie`. `Debug` does not show its value: whoever has it can
/// act as the session until it expires.
///
/// ```
/// use ami_http::SessionCookie;
/// let cookie = SessionCookie::parse(br#"mansession_id="d01fb167"; Version=1; Max-Age=60"#)
///     .unwrap()
///     .unwrap();
/// assert_eq!(cookie.id(), "d01fb167");
/// assert_eq!(cookie.max_age(), Some(60));
/// assert_eq!(cookie.header_value(), r#"mansession_id="d01fb167""#);
/// assert!(!format!("{cookie:?}").contains("d01fb167"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SessionCookie {
    /// The value as sent, quotes included (sent back the same way).
    value: String,
    max_age: Option<u64>,
}

/// Why a `mansession_id` cookie could not be read.
///
/// ```
/// use ami_http::{CookieError, SessionCookie};
/// assert_eq!(SessionCookie::parse(b"mansession_id=a\"b"), Err(CookieError::BadValue { at: 15 }));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CookieError {
    /// The value is empty or holds a byte a cookie value may not hold (RFC 6265: no
    /// controls, white space, `"` except around it, `,`, `;` or `\`); `at` is its offset
    /// in the header value.
    BadValue {
        /// Offset of the offending byte (or of the empty value).
        at: usize,
    },
}

impl fmt::Display for CookieError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CookieError::BadValue { at } => {
                write!(
                    f,
                    "the {SESSION_COOKIE} value at byte {at} is not a cookie value"
                )
            }
        }
    }
}

impl std::error::Error for CookieError {}

/// RFC 6265's `cookie-octet`.
fn is_cookie_octet(b: u8) -> bool {
    matches!(b, 0x21 | 0x23..=0x2b | 0x2d..=0x3a | 0x3c..=0x5b | 0x5d..=0x7e)
}

/// `s` without leading and trailing spaces and tabs, and the offset of its start.
fn trim(s: &[u8], at: usize) -> (&[u8], usize) {
    let start = s
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(start, |e| e + 1);
    (&s[start..end], at + start)
}

impl SessionCookie {
    /// Reads one `Set-Cookie` header value: `Ok(None)` when it sets another cookie, an
    /// error when the `mansession_id` value is not a cookie value. Of the attributes only
    /// `Max-Age` is kept (a negative one is `0`, one that is not a number is ignored, as
    /// RFC 6265 says).
    ///
    /// ```
    /// use ami_http::SessionCookie;
    /// assert_eq!(SessionCookie::parse(b"other=1; Path=/"), Ok(None));
    /// let c = SessionCookie::parse(b" mansession_id = 7937ae77 ;max-age=-1").unwrap().unwrap();
    /// assert_eq!((c.id(), c.max_age()), ("7937ae77", Some(0)));
    /// ```
    pub fn parse(set_cookie: &[u8]) -> Result<Option<SessionCookie>, CookieError> {
        let mut parts = set_cookie.split(|&b| b == b';');
        let pair = parts.next().unwrap_or_default();
        let Some(eq) = pair.iter().position(|&b| b == b'=') else {
            return Ok(None);
        };
        if trim(&pair[..eq], 0).0 != SESSION_COOKIE.as_bytes() {
            return Ok(None);
        }
        let (value, at) = trim(&pair[eq + 1..], eq + 1);
        let inner = match value {
            [b'"', inner @ .., b'"'] => inner,
            _ => value,
        };
        let inner_at = at + usize::from(inner.len() != value.len());
        if inner.is_empty() {
            return Err(CookieError::BadValue { at });
        }
        if let Some(bad) = inner.iter().position(|&b| !is_cookie_octet(b)) {
            return Err(CookieError::BadValue { at: inner_at + bad });
        }
        let mut max_age = None;
        for attribute in parts {
            let (attribute, _) = trim(attribute, 0);
            let Some(eq) = attribute.iter().position(|&b| b == b'=') else {
                continue;
            };
            if !trim(&attribute[..eq], 0).0.eq_ignore_ascii_case(b"Max-Age") {
                continue;
            }
            let (seconds, _) = trim(&attribute[eq + 1..], 0);
            let (negative, digits) = match seconds.strip_prefix(b"-") {
                Some(digits) => (true, digits),
                None => (false, seconds),
            };
            if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
                continue;
            }
            // All digits: a too-large number is as good as forever.
            let n = std::str::from_utf8(digits)
                .ok()
                .and_then(|d| d.parse().ok())
                .unwrap_or(u64::MAX);
            max_age = Some(if negative { 0 } else { n });
        }
        // Checked above: ASCII only.
        let value = String::from_utf8(value.to_vec()).expect("cookie octets are ASCII");
        Ok(Some(SessionCookie { value, max_age }))
    }

    /// The session cookie among a reply's `Set-Cookie` header values (the last one, if
    /// there are several; `None` if there is none).
    ///
    /// ```
    /// use ami_http::SessionCookie;
    /// let headers: [&[u8]; 2] = [b"a=b", br#"mansession_id="4d839dd7"; Version=1; Max-Age=60"#];
    /// assert_eq!(SessionCookie::find(headers).unwrap().unwrap().id(), "4d839dd7");
    /// ```
    pub fn find<'h>(
        set_cookies: impl IntoIterator<Item = &'h [u8]>,
    ) -> Result<Option<SessionCookie>, CookieError> {
        let mut found = None;
        for value in set_cookies {
            if let Some(cookie) = SessionCookie::parse(value)? {
                found = Some(cookie);
            }
        }
        Ok(found)
    }

    /// The session id, without quotes (Asterisk writes 8 hex digits).
    ///
    /// ```
    /// let c = ami_http::SessionCookie::parse(b"mansession_id=\"1d8b653a\"").unwrap().unwrap();
    /// assert_eq!(c.id(), "1d8b653a");
    /// ```
    pub fn id(&self) -> &str {
        self.value.trim_matches('"')
    }

    /// `Max-Age` in seconds, if the cookie had one: how long an idle session lives
    /// (`httptimeout`); a poller must send a request (`WaitEvent`) more often than this.
    ///
    /// ```
    /// let c = ami_http::SessionCookie::parse(b"mansession_id=1").unwrap().unwrap();
    /// assert_eq!(c.max_age(), None);
    /// ```
    pub fn max_age(&self) -> Option<u64> {
        self.max_age
    }

    /// The value of the `Cookie` request header that sends the cookie back, as received
    /// (quotes kept, as browsers and curl do).
    ///
    /// ```
    /// let c = ami_http::SessionCookie::parse(b"mansession_id=37a03d5f; Max-Age=60").unwrap().unwrap();
    /// assert_eq!(c.header_value(), "mansession_id=37a03d5f");
    /// ```
    pub fn header_value(&self) -> String {
        format!("{SESSION_COOKIE}={}", self.value)
    }
}

impl fmt::Debug for SessionCookie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionCookie")
            .field("id", &"<hidden>")
            .field("max_age", &self.max_age)
            .finish()
    }
}

/// What a reply on a cookie path says about the session its request was sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionCheck {
    /// The reply names the session the request was sent in.
    Same,
    /// The request had no cookie; the reply starts a session (not logged in yet).
    Started,
    /// The request's session is gone: the server did not know its cookie and started a new
    /// session, which is not logged in. The session expired (idle for longer than
    /// `httptimeout`), was logged off, or the server restarted. If it was logged in: log in
    /// again in the new session and resend the request (its reply was
    /// `Permission denied`).
    Replaced,
    /// The reply set no session cookie (not an AJAM cookie path, or something between
    /// dropped the header): nothing can be told.
    Unknown,
}

/// Compares the cookie a request was sent with and the one its reply set. (The recorded
/// sessions also show that a failed `Login` ends its session: the next request got a new
/// id.)
///
/// ```
/// use ami_http::{check_session, SessionCheck, SessionCookie};
/// let cookie = |v: &str| SessionCookie::parse(v.as_bytes()).unwrap();
/// let logged_in = cookie(r#"mansession_id="d01fb167"; Version=1; Max-Age=60"#);
/// let same = cookie(r#"mansession_id="d01fb167"; Version=1; Max-Age=60"#);
/// let new = cookie(r#"mansession_id="4d839dd7"; Version=1; Max-Age=60"#);
/// assert_eq!(check_session(logged_in.as_ref(), same.as_ref()), SessionCheck::Same);
/// assert_eq!(check_session(logged_in.as_ref(), new.as_ref()), SessionCheck::Replaced);
/// assert_eq!(check_session(None, new.as_ref()), SessionCheck::Started);
/// assert_eq!(check_session(logged_in.as_ref(), None), SessionCheck::Unknown);
/// ```
pub fn check_session(
    sent: Option<&SessionCookie>,
    received: Option<&SessionCookie>,
) -> SessionCheck {
    match (sent, received) {
        (_, None) => SessionCheck::Unknown,
        (None, Some(_)) => SessionCheck::Started,
        (Some(sent), Some(received)) if sent.id() == received.id() => SessionCheck::Same,
        (Some(_), Some(_)) => SessionCheck::Replaced,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        let parse = |v: &[u8]| SessionCookie::parse(v);
        assert_eq!(
            parse(b"mansession_id=").unwrap_err(),
            CookieError::BadValue { at: 14 }
        );
        assert_eq!(
            parse(b"mansession_id=\"\"").unwrap_err(),
            CookieError::BadValue { at: 14 }
        );
        assert_eq!(
            parse(b"mansession_id=a b").unwrap_err(),
            CookieError::BadValue { at: 15 }
        );
        assert_eq!(
            parse(b"mansession_id=\"a,b\"").unwrap_err(),
            CookieError::BadValue { at: 16 }
        );
        assert_eq!(
            parse(b"mansession_id=a\\b").unwrap_err(),
            CookieError::BadValue { at: 15 }
        );
        assert_eq!(
            parse(b"mansession_id=\"ab").unwrap_err(),
            CookieError::BadValue { at: 14 }
        );
        assert_eq!(
            parse(b"mansession_id=a\r\nX: y").unwrap_err(),
            CookieError::BadValue { at: 15 }
        );
        assert_eq!(parse(b"mansession_idx=1"), Ok(None));
        assert_eq!(parse(b"MANSESSION_ID=1"), Ok(None)); // names are case-sensitive
        assert_eq!(parse(b"no pair at all"), Ok(None));
        assert_eq!(parse(b""), Ok(None));
        let c = parse(b"mansession_id=1; Max-Age=abc; Max-Age=5; Version")
            .unwrap()
            .unwrap();
        assert_eq!(c.max_age(), Some(5));
        let c = parse(b"mansession_id=1; Max-Age=99999999999999999999999")
            .unwrap()
            .unwrap();
        assert_eq!(c.max_age(), Some(u64::MAX));
        let c = parse(b"mansession_id=1; Max-Age=-").unwrap().unwrap();
        assert_eq!(c.max_age(), None);
    }
}
