//! HTTP digest authentication as Asterisk asks for it on `/arawman`, `/amxml` and
//! `/amanager`: RFC 7616 with MD5 and `qop=auth` (the RFC 2617 computation).
//!
//! Both recorded versions challenge the same way, with an 8-hex-digit nonce that is also
//! the opaque value:
//!
//! ```text
//! HTTP/1.1 401 Unauthorized
//! WWW-authenticate: Digest algorithm=MD5, realm="asterisk", nonce="018b82b9", qop="auth", opaque="018b82b9"
//! ```
//!
//! The client answers every request with an `Authorization` header computed from the
//! user's secret, the method, the request target, the nonce, a nonce count (`nc`, one
//! more for every request under the same nonce) and a client nonce (`cnonce`, random,
//! drawn by the caller: this crate has no randomness). A wrong secret gets the 401 again;
//! a nonce the server no longer accepts gets a new challenge, which a client answers with
//! the same secret (RFC 7616 marks it `stale=true`).

use std::fmt;

use md5::{Digest, Md5};

/// The digest algorithms this client computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// `MD5` (also what a challenge without `algorithm` means; Asterisk's choice).
    Md5,
    /// `MD5-sess`: the secret's hash is combined with the nonce and client nonce.
    Md5Sess,
}

impl Algorithm {
    fn name(self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Md5Sess => "MD5-sess",
        }
    }
}

/// Why a challenge could not be read or answered.
///
/// ```
/// use ami_http::{DigestChallenge, DigestError};
/// assert_eq!(DigestChallenge::parse(b"Basic realm=\"x\""), Err(DigestError::NotDigest));
/// assert_eq!(DigestChallenge::parse(b"Digest realm=\"x\""), Err(DigestError::Missing("nonce")));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DigestError {
    /// The header holds no `Digest` challenge.
    NotDigest,
    /// The header is not a list of challenges (`at`: offset of the fault), or a value
    /// that goes back into the `Authorization` header holds a control byte.
    Syntax {
        /// Offset in the header value.
        at: usize,
    },
    /// The `Digest` challenge lacks this parameter.
    Missing(&'static str),
    /// A parameter appears twice in the `Digest` challenge.
    Duplicate {
        /// Offset of the second one.
        at: usize,
    },
    /// The `Digest` challenges ask only for algorithms other than MD5 and MD5-sess.
    UnsupportedAlgorithm,
    /// The `Digest` challenge offers `qop` values, none of them `auth`.
    UnsupportedQop,
    /// An input cannot be written into the `Authorization` header: this one (`username`
    /// with a control byte, `method` not a token, `uri` with a control byte, space, `"`
    /// or `\`, `cnonce` not made of letters, digits and `+/=._~-`).
    BadInput(&'static str),
}

impl fmt::Display for DigestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DigestError::NotDigest => f.write_str("no Digest challenge"),
            DigestError::Syntax { at } => write!(f, "malformed challenge at byte {at}"),
            DigestError::Missing(name) => write!(f, "the Digest challenge has no {name}"),
            DigestError::Duplicate { at } => write!(f, "a repeated parameter at byte {at}"),
            DigestError::UnsupportedAlgorithm => f.write_str("no MD5 or MD5-sess Digest challenge"),
            DigestError::UnsupportedQop => {
                f.write_str("the Digest challenge does not offer qop=auth")
            }
            DigestError::BadInput(what) => {
                write!(f, "the {what} cannot go into an Authorization header")
            }
        }
    }
}

impl std::error::Error for DigestError {}

/// A `Digest` challenge from a `WWW-Authenticate` header.
///
/// ```
/// use ami_http::{Algorithm, DigestChallenge};
/// let c = DigestChallenge::parse(
///     br#"Digest algorithm=MD5, realm="asterisk", nonce="018b82b9", qop="auth", opaque="018b82b9""#,
/// ).unwrap();
/// assert_eq!((c.realm(), c.nonce(), c.opaque()), ("asterisk", "018b82b9", Some("018b82b9")));
/// assert_eq!(c.algorithm(), Algorithm::Md5);
/// assert!(c.offers_qop_auth() && !c.is_stale());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestChallenge {
    realm: String,
    nonce: String,
    opaque: Option<String>,
    algorithm: Algorithm,
    qop_auth: bool,
    stale: bool,
}

/// A parameter of a challenge: name, value (unquoted), offset of the name.
type Param = (Vec<u8>, Vec<u8>, usize);

/// A challenge: its scheme and parameters.
type Challenge = (Vec<u8>, Vec<Param>);

/// RFC 9110's `tchar`.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn is_ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// The list elements of a header value, split at commas outside quoted strings, each
/// with its offset.
fn elements(value: &[u8]) -> Result<Vec<(&[u8], usize)>, DigestError> {
    let mut out = Vec::new();
    let (mut start, mut i, mut quoted) = (0, 0, None);
    while i < value.len() {
        match (value[i], quoted) {
            (b'"', None) => quoted = Some(i),
            (b'"', Some(_)) => quoted = None,
            (b'\\', Some(_)) => i += 1,
            (b',', None) => {
                out.push((&value[start..i], start));
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if let Some(at) = quoted {
        return Err(DigestError::Syntax { at });
    }
    out.push((&value[start..], start));
    Ok(out)
}

/// `token BWS "=" BWS (token / quoted-string)` at `s[p..]`, `s` starting at offset `at`;
/// the value unquoted. `None` when `s[p..]` is not a parameter.
fn param(s: &[u8], mut p: usize, at: usize) -> Result<Option<Param>, DigestError> {
    let name_start = p;
    while p < s.len() && is_tchar(s[p]) {
        p += 1;
    }
    let name = &s[name_start..p];
    while p < s.len() && is_ows(s[p]) {
        p += 1;
    }
    if name.is_empty() || s.get(p) != Some(&b'=') {
        return Ok(None);
    }
    p += 1;
    while p < s.len() && is_ows(s[p]) {
        p += 1;
    }
    let mut value = Vec::new();
    if s.get(p) == Some(&b'"') {
        p += 1;
        loop {
            match s.get(p) {
                None => return Err(DigestError::Syntax { at: at + p }),
                Some(b'"') => break,
                Some(b'\\') => {
                    value.push(*s.get(p + 1).ok_or(DigestError::Syntax { at: at + p })?);
                    p += 2;
                }
                Some(&b) => {
                    value.push(b);
                    p += 1;
                }
            }
        }
        p += 1;
    } else {
        while p < s.len() && is_tchar(s[p]) {
            value.push(s[p]);
            p += 1;
        }
    }
    if s[p..].iter().any(|&b| !is_ows(b)) {
        return Err(DigestError::Syntax { at: at + p });
    }
    Ok(Some((name.to_vec(), value, at + name_start)))
}

/// RFC 9110's `token68` (what `Basic`, `Negotiate` and the like carry instead of
/// parameters).
fn is_token68(s: &[u8]) -> bool {
    let body = s.iter().position(|&b| b == b'=').unwrap_or(s.len());
    body > 0
        && s[..body]
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
        && s[body..].iter().all(|&b| b == b'=')
}

/// The challenges of a header value: scheme and parameters (a `token68` is dropped: no
/// scheme used here has one).
fn challenges(value: &[u8]) -> Result<Vec<Challenge>, DigestError> {
    let mut out: Vec<Challenge> = Vec::new();
    for (element, at) in elements(value)? {
        let start = element
            .iter()
            .position(|&b| !is_ows(b))
            .unwrap_or(element.len());
        if start == element.len() {
            continue; // an empty list element
        }
        if let Some(p) = param(element, start, at)? {
            match out.last_mut() {
                Some((_, params)) => params.push(p),
                None => return Err(DigestError::Syntax { at: at + start }),
            }
            continue;
        }
        // `scheme [1*SP (auth-param / token68)]`: a new challenge.
        let mut p = start;
        while p < element.len() && is_tchar(element[p]) {
            p += 1;
        }
        if p == start || element.get(p).is_some_and(|&b| !is_ows(b)) {
            return Err(DigestError::Syntax { at: at + p });
        }
        let scheme = element[start..p].to_vec();
        let mut params = Vec::new();
        let rest = p + element[p..].iter().take_while(|&&b| is_ows(b)).count();
        if rest < element.len() && !is_token68(element[rest..].trim_ascii_end()) {
            match param(element, rest, at)? {
                Some(first) => params.push(first),
                None => return Err(DigestError::Syntax { at: at + rest }),
            }
        }
        out.push((scheme, params));
    }
    Ok(out)
}

/// A value that goes back into the `Authorization` header, checked for control bytes.
fn text(value: Vec<u8>, at: usize) -> Result<String, DigestError> {
    if value.iter().any(|&b| b < 0x20 || b == 0x7f) {
        return Err(DigestError::Syntax { at });
    }
    String::from_utf8(value).map_err(|_| DigestError::Syntax { at })
}

impl DigestChallenge {
    /// Reads a `WWW-Authenticate` header value and returns its first `Digest` challenge
    /// that uses MD5 or MD5-sess. Scheme, parameter names and `algorithm`, `qop`, `stale`
    /// values are compared ignoring case; values may be tokens or quoted strings; other
    /// schemes and unknown parameters are passed over. For several `WWW-Authenticate`
    /// headers, call it for each.
    ///
    /// ```
    /// use ami_http::{Algorithm, DigestChallenge};
    /// let c = DigestChallenge::parse(
    ///     b"Basic realm=\"x\", DIGEST Realm = \"a \\\"b\\\"\" ,nonce=abc, algorithm=md5-sess, qop=\"auth-int, auth\", stale=TRUE",
    /// ).unwrap();
    /// assert_eq!((c.realm(), c.nonce(), c.opaque()), ("a \"b\"", "abc", None));
    /// assert_eq!(c.algorithm(), Algorithm::Md5Sess);
    /// assert!(c.offers_qop_auth() && c.is_stale());
    /// ```
    pub fn parse(www_authenticate: &[u8]) -> Result<DigestChallenge, DigestError> {
        let mut first_error = None;
        for (scheme, params) in challenges(www_authenticate)? {
            if !scheme.eq_ignore_ascii_case(b"Digest") {
                continue;
            }
            match DigestChallenge::from_params(params) {
                Ok(challenge) => return Ok(challenge),
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        Err(first_error.unwrap_or(DigestError::NotDigest))
    }

    fn from_params(params: Vec<Param>) -> Result<DigestChallenge, DigestError> {
        let mut realm = None;
        let mut nonce = None;
        let mut opaque = None;
        let mut algorithm = None;
        let mut qop = None;
        let mut stale = None;
        for (name, value, at) in params {
            let slot = match name.to_ascii_lowercase().as_slice() {
                b"realm" => &mut realm,
                b"nonce" => &mut nonce,
                b"opaque" => &mut opaque,
                b"algorithm" => &mut algorithm,
                b"qop" => &mut qop,
                b"stale" => &mut stale,
                _ => continue,
            };
            if slot.is_some() {
                return Err(DigestError::Duplicate { at });
            }
            *slot = Some((value, at));
        }
        let algorithm = match algorithm {
            None => Algorithm::Md5,
            Some((a, _)) if a.eq_ignore_ascii_case(b"MD5") => Algorithm::Md5,
            Some((a, _)) if a.eq_ignore_ascii_case(b"MD5-sess") => Algorithm::Md5Sess,
            Some(_) => return Err(DigestError::UnsupportedAlgorithm),
        };
        let qop_auth = match qop {
            None => false,
            Some((list, _)) => {
                let auth = list
                    .split(|&b| b == b',')
                    .any(|q| q.trim_ascii().eq_ignore_ascii_case(b"auth"));
                if !auth {
                    return Err(DigestError::UnsupportedQop);
                }
                true
            }
        };
        let (realm, at) = realm.ok_or(DigestError::Missing("realm"))?;
        let realm = text(realm, at)?;
        let (nonce, at) = nonce.ok_or(DigestError::Missing("nonce"))?;
        let nonce = text(nonce, at)?;
        let opaque = opaque.map(|(o, at)| text(o, at)).transpose()?;
        let stale = stale.is_some_and(|(s, _)| s.eq_ignore_ascii_case(b"true"));
        Ok(DigestChallenge {
            realm,
            nonce,
            opaque,
            algorithm,
            qop_auth,
            stale,
        })
    }

    /// The realm (Asterisk: `asterisk`).
    ///
    /// ```
    /// let c = ami_http::DigestChallenge::parse(b"Digest realm=\"asterisk\", nonce=\"1\"").unwrap();
    /// assert_eq!(c.realm(), "asterisk");
    /// ```
    pub fn realm(&self) -> &str {
        &self.realm
    }

    /// The server nonce.
    ///
    /// ```
    /// let c = ami_http::DigestChallenge::parse(b"Digest realm=r, nonce=\"4cb566b1\"").unwrap();
    /// assert_eq!(c.nonce(), "4cb566b1");
    /// ```
    pub fn nonce(&self) -> &str {
        &self.nonce
    }

    /// The opaque value, sent back unchanged.
    ///
    /// ```
    /// let c = ami_http::DigestChallenge::parse(b"Digest realm=r, nonce=n").unwrap();
    /// assert_eq!(c.opaque(), None);
    /// ```
    pub fn opaque(&self) -> Option<&str> {
        self.opaque.as_deref()
    }

    /// The algorithm.
    ///
    /// ```
    /// let c = ami_http::DigestChallenge::parse(b"Digest realm=r, nonce=n").unwrap();
    /// assert_eq!(c.algorithm(), ami_http::Algorithm::Md5);
    /// ```
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// Whether the challenge offers `qop=auth`; without `qop` the answer is RFC 2069's
    /// (no `nc`, no `cnonce`).
    ///
    /// ```
    /// let c = ami_http::DigestChallenge::parse(b"Digest realm=r, nonce=n").unwrap();
    /// assert!(!c.offers_qop_auth());
    /// ```
    pub fn offers_qop_auth(&self) -> bool {
        self.qop_auth
    }

    /// `stale=true`: the secret was right, only the nonce was too old; answer the new
    /// challenge without asking for the secret again.
    ///
    /// ```
    /// let c = ami_http::DigestChallenge::parse(b"Digest realm=r, nonce=n, stale=true").unwrap();
    /// assert!(c.is_stale());
    /// ```
    pub fn is_stale(&self) -> bool {
        self.stale
    }
}

/// The client side of one server nonce: computes the `Authorization` header of each
/// request, counting requests (`nc`) as RFC 7616 asks. After a new challenge (a 401,
/// stale or not), start a new one.
///
/// ```
/// use ami_http::{DigestAuth, DigestChallenge};
/// let challenge = DigestChallenge::parse(
///     br#"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#,
/// ).unwrap();
/// let mut auth = DigestAuth::new(challenge);
/// // RFC 2617, section 3.5.
/// let header = auth.authorization("Mufasa", "Circle Of Life", "GET", "/dir/index.html", "0a4f113b").unwrap();
/// assert!(header.contains(r#"response="6629fae49393a05397450978507c4ef1""#));
/// assert!(header.contains("nc=00000001"));
/// assert_eq!(auth.nonce_count(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestAuth {
    challenge: DigestChallenge,
    nc: u32,
}

/// Lower-case hex of an MD5 digest of `parts` joined by `:`.
fn md5_hex(parts: &[&[u8]]) -> String {
    let mut hasher = Md5::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hasher.update(b":");
        }
        hasher.update(part);
    }
    let mut hex = String::with_capacity(32);
    for byte in hasher.finalize() {
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte & 15)]));
    }
    hex
}

/// Appends `"value"` with `"` and `\` escaped (RFC 9110 `quoted-string`).
fn push_quoted(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

impl DigestAuth {
    /// Starts answering `challenge`; the first request gets `nc=00000001`.
    ///
    /// ```
    /// let c = ami_http::DigestChallenge::parse(b"Digest realm=r, nonce=n").unwrap();
    /// assert_eq!(ami_http::DigestAuth::new(c).nonce_count(), 0);
    /// ```
    pub fn new(challenge: DigestChallenge) -> Self {
        DigestAuth { challenge, nc: 0 }
    }

    /// The challenge being answered.
    ///
    /// ```
    /// let c = ami_http::DigestChallenge::parse(b"Digest realm=r, nonce=n").unwrap();
    /// assert_eq!(ami_http::DigestAuth::new(c.clone()).challenge(), &c);
    /// ```
    pub fn challenge(&self) -> &DigestChallenge {
        &self.challenge
    }

    /// Requests answered so far under this nonce.
    ///
    /// ```
    /// # let c = ami_http::DigestChallenge::parse(b"Digest realm=r, nonce=n, qop=auth").unwrap();
    /// let mut auth = ami_http::DigestAuth::new(c);
    /// auth.authorization("u", "s", "GET", "/arawman?Action=Ping", "abc").unwrap();
    /// auth.authorization("u", "s", "GET", "/arawman?Action=Ping", "abd").unwrap();
    /// assert_eq!(auth.nonce_count(), 2);
    /// ```
    pub fn nonce_count(&self) -> u32 {
        self.nc
    }

    /// The `Authorization` header value for one request: `method` (`GET` or `POST`), `uri`
    /// its exact request target (see [`Endpoint::target`](crate::Endpoint::target)), and
    /// `cnonce` a fresh random client nonce (for example 16 random bytes in hex). The
    /// secret is used only in the hash; no input can add a parameter or a header line.
    ///
    /// ```
    /// use ami_http::{DigestAuth, DigestChallenge, DigestError};
    /// let c = DigestChallenge::parse(br#"Digest algorithm=MD5, realm="asterisk", nonce="2fadb8d8", qop="auth", opaque="2fadb8d8""#).unwrap();
    /// let mut auth = DigestAuth::new(c);
    /// let header = auth.authorization("admin", "amp111", "GET", "/arawman?Action=Ping", "0123abcd").unwrap();
    /// assert!(header.starts_with(r#"Digest username="admin", realm="asterisk", nonce="2fadb8d8", uri="/arawman?Action=Ping", "#));
    /// assert!(header.ends_with(r#"opaque="2fadb8d8", algorithm=MD5"#));
    /// assert_eq!(auth.authorization("admin\r\nX: y", "s", "GET", "/", "1"), Err(DigestError::BadInput("username")));
    /// ```
    pub fn authorization(
        &mut self,
        username: &str,
        secret: &str,
        method: &str,
        uri: &str,
        cnonce: &str,
    ) -> Result<String, DigestError> {
        if username.bytes().any(|b| b < 0x20 || b == 0x7f) {
            return Err(DigestError::BadInput("username"));
        }
        if method.is_empty() || !method.bytes().all(is_tchar) {
            return Err(DigestError::BadInput("method"));
        }
        if uri.is_empty()
            || !uri
                .bytes()
                .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
        {
            return Err(DigestError::BadInput("uri"));
        }
        let cnonce_ok = |b: u8| b.is_ascii_alphanumeric() || b"+/=._~-".contains(&b);
        if cnonce.is_empty() || !cnonce.bytes().all(cnonce_ok) {
            return Err(DigestError::BadInput("cnonce"));
        }
        let c = &self.challenge;
        let (user, realm, nonce) = (username.as_bytes(), c.realm.as_bytes(), c.nonce.as_bytes());
        let mut ha1 = md5_hex(&[user, realm, secret.as_bytes()]);
        if c.algorithm == Algorithm::Md5Sess {
            ha1 = md5_hex(&[ha1.as_bytes(), nonce, cnonce.as_bytes()]);
        }
        let ha2 = md5_hex(&[method.as_bytes(), uri.as_bytes()]);
        self.nc = self.nc.wrapping_add(1);
        let nc = format!("{:08x}", self.nc);
        let response = if c.qop_auth {
            let parts: [&[u8]; 6] = [
                ha1.as_bytes(),
                nonce,
                nc.as_bytes(),
                cnonce.as_bytes(),
                b"auth",
                ha2.as_bytes(),
            ];
            md5_hex(&parts)
        } else {
            md5_hex(&[ha1.as_bytes(), nonce, ha2.as_bytes()])
        };
        let mut out = String::from("Digest username=");
        push_quoted(&mut out, username);
        out.push_str(", realm=");
        push_quoted(&mut out, &c.realm);
        out.push_str(", nonce=");
        push_quoted(&mut out, &c.nonce);
        out.push_str(", uri=");
        push_quoted(&mut out, uri);
        if c.qop_auth {
            out.push_str(", qop=auth, nc=");
            out.push_str(&nc);
            out.push_str(", cnonce=");
            push_quoted(&mut out, cnonce);
        }
        out.push_str(", response=");
        push_quoted(&mut out, &response);
        if let Some(opaque) = &c.opaque {
            out.push_str(", opaque=");
            push_quoted(&mut out, opaque);
        }
        out.push_str(", algorithm=");
        out.push_str(c.algorithm.name());
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_lists() {
        let parse = DigestChallenge::parse;
        // Unknown parameters, empty elements, token and quoted values.
        let c = parse(b",Digest  realm=r ,, nonce=\"n\", domain=\"/a /b\", charset=UTF-8").unwrap();
        assert_eq!((c.realm(), c.nonce()), ("r", "n"));
        // The first usable Digest challenge wins.
        let c =
            parse(b"Digest realm=a, nonce=1, algorithm=SHA-256, Digest realm=b, nonce=2").unwrap();
        assert_eq!(c.realm(), "b");
        assert_eq!(
            parse(b"Digest realm=a, nonce=1, algorithm=SHA-512-256"),
            Err(DigestError::UnsupportedAlgorithm)
        );
        assert_eq!(
            parse(b"Digest realm=a, nonce=1, qop=auth-int"),
            Err(DigestError::UnsupportedQop)
        );
        assert_eq!(
            parse(b"Digest realm=a, realm=b, nonce=1"),
            Err(DigestError::Duplicate { at: 16 })
        );
        assert_eq!(parse(b"Digest nonce=1"), Err(DigestError::Missing("realm")));
        assert_eq!(parse(b"Negotiate abc=="), Err(DigestError::NotDigest));
        assert_eq!(
            parse(b"Negotiate abc==, Digest realm=r, nonce=n")
                .unwrap()
                .realm(),
            "r"
        );
        assert_eq!(parse(b"Digest realm r"), Err(DigestError::Syntax { at: 7 }));
        assert_eq!(parse(b""), Err(DigestError::NotDigest));
        assert_eq!(
            parse(b"Digest realm=\"a"),
            Err(DigestError::Syntax { at: 13 })
        );
        assert_eq!(
            parse(b"realm=a, Digest nonce=1"),
            Err(DigestError::Syntax { at: 0 })
        );
        assert_eq!(
            parse(b"Digest realm=\"a\"x, nonce=1"),
            Err(DigestError::Syntax { at: 16 })
        );
        assert_eq!(
            parse(b"Digest realm=\"a\\"),
            Err(DigestError::Syntax { at: 13 })
        );
        // A control byte in a value that goes back into the Authorization header.
        assert_eq!(
            parse(b"Digest realm=\"a\r\nX: y\", nonce=1"),
            Err(DigestError::Syntax { at: 7 })
        );
    }

    #[test]
    fn inputs_that_cannot_go_into_the_header() {
        let c = DigestChallenge::parse(b"Digest realm=r, nonce=n, qop=auth").unwrap();
        let mut auth = DigestAuth::new(c);
        let mut try_it =
            |u: &str, m: &str, uri: &str, cn: &str| auth.authorization(u, "s", m, uri, cn);
        assert_eq!(
            try_it("a\u{7f}", "GET", "/", "1"),
            Err(DigestError::BadInput("username"))
        );
        assert_eq!(
            try_it("a", "GE T", "/", "1"),
            Err(DigestError::BadInput("method"))
        );
        assert_eq!(
            try_it("a", "", "/", "1"),
            Err(DigestError::BadInput("method"))
        );
        assert_eq!(
            try_it("a", "GET", "/\"", "1"),
            Err(DigestError::BadInput("uri"))
        );
        assert_eq!(
            try_it("a", "GET", "/ x", "1"),
            Err(DigestError::BadInput("uri"))
        );
        assert_eq!(
            try_it("a", "GET", "", "1"),
            Err(DigestError::BadInput("uri"))
        );
        assert_eq!(
            try_it("a", "GET", "/", "a\"b"),
            Err(DigestError::BadInput("cnonce"))
        );
        assert_eq!(
            try_it("a", "GET", "/", ""),
            Err(DigestError::BadInput("cnonce"))
        );
        // A refused request does not count.
        assert_eq!(auth.nonce_count(), 0);
        let header = auth.authorization("a\"b\\c", "s", "GET", "/", "1").unwrap();
        assert!(header.starts_with(r#"Digest username="a\"b\\c", "#));
    }
}
