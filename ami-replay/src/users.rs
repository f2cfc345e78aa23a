//! Manager users and their secrets, and the login check Asterisk makes (`authenticate()` in
//! `main/manager.c`): with `AuthType: MD5`, a `Key` and a challenge sent on this session,
//! the key must be `hex(md5(challenge + secret))`; otherwise `Secret` must equal the
//! secret. Usernames are looked up ignoring ASCII case, as Asterisk does.

use std::fmt;
use std::io;
use std::path::Path;

use md5::{Digest, Md5};

use crate::requests::Request;

/// The users a [`ReplayServer`](crate::ReplayServer) accepts (without them it accepts any
/// login).
///
/// ```
/// use ami_replay::Users;
///
/// let conf = "[general]\nenabled = yes\n\n[admin]\nsecret = amp111 ; the lab secret\nread = all\n";
/// let users = Users::from_manager_conf(conf).user("ops", "s3cret");
/// assert_eq!(users.names().collect::<Vec<_>>(), ["admin", "ops"]);
/// assert_eq!(format!("{users:?}"), r#"Users { names: ["admin", "ops"] }"#); // no secret
/// ```
#[derive(Clone, Default)]
pub struct Users {
    entries: Vec<(String, Vec<u8>)>,
}

impl Users {
    /// No users yet.
    pub fn new() -> Self {
        Users::default()
    }

    /// Adds (or replaces) a user.
    pub fn user(mut self, name: impl Into<String>, secret: impl Into<Vec<u8>>) -> Self {
        let name = name.into();
        self.entries.retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
        self.entries.push((name, secret.into()));
        self
    }

    /// The users of an Asterisk `manager.conf`: every section but `[general]` and templates
    /// (`[name](!)`), with its `secret`. Comments (`;` to the end of the line) are ignored.
    pub fn from_manager_conf(text: &str) -> Self {
        let mut users = Users::new();
        let mut section: Option<String> = None;
        for line in text.lines() {
            let line = line.split(';').next().unwrap_or("").trim();
            if let Some(rest) = line.strip_prefix('[') {
                let Some((name, options)) = rest.split_once(']') else {
                    section = None;
                    continue;
                };
                let template = options.trim().starts_with("(!");
                section = (!template && !name.trim().eq_ignore_ascii_case("general"))
                    .then(|| name.trim().to_owned());
                continue;
            }
            let Some(user) = &section else { continue };
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let value = value.strip_prefix('>').unwrap_or(value).trim();
            if key.trim().eq_ignore_ascii_case("secret") {
                users = users.user(user.clone(), value);
            }
        }
        users
    }

    /// Reads a `manager.conf` file.
    ///
    /// ```
    /// assert!(ami_replay::Users::load("/nonexistent/manager.conf").is_err());
    /// ```
    pub fn load(path: impl AsRef<Path>) -> io::Result<Self> {
        Ok(Users::from_manager_conf(&std::fs::read_to_string(path)?))
    }

    /// The user names, in the order they were added.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(n, _)| n.as_str())
    }

    fn secret(&self, name: &[u8]) -> Option<&[u8]> {
        self.entries
            .iter()
            .find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(name))
            .map(|(_, s)| s.as_slice())
    }

    /// Whether `login` is good for one of these users, `challenge` being the one this
    /// session was sent, if any.
    pub(crate) fn accept(&self, login: &Request, challenge: Option<&[u8]>) -> bool {
        let Some(secret) = self.secret(login.get("Username").unwrap_or_default()) else {
            return false;
        };
        let key = login.get("Key").filter(|k| !k.is_empty());
        let md5 = login
            .get("AuthType")
            .is_some_and(|t| t.eq_ignore_ascii_case(b"MD5"));
        match (md5, key, challenge.filter(|c| !c.is_empty())) {
            (true, Some(key), Some(challenge)) => {
                let mut digest = Md5::new();
                digest.update(challenge);
                digest.update(secret);
                lower_hex(&digest.finalize()) == key
            }
            _ => login.get("Secret").unwrap_or_default() == secret,
        }
    }
}

/// `bytes` as lower-case hex digits, the form Asterisk compares an MD5 `Key` with.
fn lower_hex(bytes: &[u8]) -> Vec<u8> {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|&b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]])
        .collect()
}

impl fmt::Debug for Users {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Users")
            .field("names", &self.names().collect::<Vec<_>>())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::requests::RequestReader;
    use bytes::BytesMut;

    fn request(wire: &[u8]) -> Request {
        let mut buf = BytesMut::from(wire);
        RequestReader::new(ami_proto::Limits::DEFAULT)
            .next(&mut buf)
            .unwrap()
            .unwrap()
    }

    #[test]
    fn plain_and_md5_as_asterisk_checks_them() {
        let users = Users::new().user("admin", "amp111");
        let plain = |user: &str, secret: &str| {
            request(
                format!("Action: Login\r\nUsername: {user}\r\nSecret: {secret}\r\n\r\n").as_bytes(),
            )
        };
        assert!(users.accept(&plain("admin", "amp111"), None));
        assert!(
            users.accept(&plain("ADMIN", "amp111"), None),
            "names ignore case"
        );
        assert!(
            !users.accept(&plain("admin", "AMP111"), None),
            "secrets do not"
        );
        assert!(!users.accept(&plain("nobody", "amp111"), None));

        // 06_challenge_md5: challenge 39188675, key md5("39188675" + "amp111").
        let md5 = request(b"Action: Login\r\nAuthType: MD5\r\nUsername: admin\r\nKey: 5f38a5fec163e9e9e3e7843e2fe0999e\r\n\r\n");
        assert!(users.accept(&md5, Some(b"39188675")));
        assert!(!users.accept(&md5, Some(b"116273744")));
        assert!(
            !users.accept(&md5, None),
            "without a challenge the Secret is checked"
        );
        let upper = request(b"Action: Login\r\nAuthType: md5\r\nUsername: admin\r\nKey: 5F38A5FEC163E9E9E3E7843E2FE0999E\r\n\r\n");
        assert!(
            !users.accept(&upper, Some(b"39188675")),
            "Asterisk compares lower-case hex"
        );
    }

    #[test]
    fn manager_conf_sections() {
        let users = Users::from_manager_conf(
            "[general]\nsecret=no\n[tmpl](!)\nsecret = t\n[admin](tmpl)\nsecret => a;b\n[reader]\nread=all\nsecret=r\n",
        );
        assert_eq!(users.names().collect::<Vec<_>>(), ["admin", "reader"]);
        assert_eq!(users.secret(b"admin"), Some(&b"a"[..]));
        assert_eq!(users.secret(b"Reader"), Some(&b"r"[..]));
    }
}
