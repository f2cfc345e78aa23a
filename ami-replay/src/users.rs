//! Manager users and their secrets, and the login check Asterisk makes (`authenticate()` in
//! `main/manager.c`): with `AuthType: MD5`, a `Key` and a challenge sent on this session,
//! the key must be `hex(md5(challenge + secret))`; otherwise `Secret` must equal the
//! secret. Usernames are looked up ignoring ASCII case, as Asterisk does.

use std::fmt;
use std::io;
use std::path::Path;

use ami_proto::filter::{Classes, ConfError, ManagerConf, Rules, Secret, UserConfig};
use md5::{Digest, Md5};

use crate::requests::Request;

/// The users a [`ReplayServer`](crate::ReplayServer) accepts (without them it accepts any
/// login, and every session reads every event).
///
/// Each user is a manager.conf section as Asterisk reads it (ami-proto's
/// [`ManagerConf`]): its `secret`, and what its sessions receive, its `read` classes and
/// `eventfilter` lines. A user added in code ([`user`](Self::user)) reads every class.
///
/// ```
/// use ami_replay::Users;
///
/// let conf = "[general]\nenabled = yes\n\n[admin]\nsecret = amp111 ; the lab secret\nread = all\n";
/// let users = Users::from_manager_conf(conf).unwrap().user("ops", "s3cret");
/// assert_eq!(users.names().collect::<Vec<_>>(), ["admin", "ops"]);
/// assert_eq!(format!("{users:?}"), r#"Users { names: ["admin", "ops"] }"#); // no secret
/// ```
#[derive(Clone, Default)]
pub struct Users {
    entries: Vec<UserConfig>,
}

impl Users {
    /// No users yet.
    pub fn new() -> Self {
        Users::default()
    }

    /// Adds (or replaces) a user that reads every class of events, without filters.
    pub fn user(self, name: impl Into<String>, secret: impl Into<Vec<u8>>) -> Self {
        let mut user = UserConfig::new(name.into().as_bytes(), Rules::default());
        user.secret = Some(Secret::new(&secret.into()));
        user.read = Classes::ALL;
        user.write = Classes::ALL;
        self.with(user)
    }

    /// Adds (or replaces) a user with all its settings.
    pub fn with(mut self, user: UserConfig) -> Self {
        self.entries
            .retain(|u| !u.name.eq_ignore_ascii_case(&user.name));
        self.entries.push(user);
        self
    }

    /// The users of an Asterisk `manager.conf`, read as Asterisk 20+ reads it (every
    /// section but `[general]` and templates; `#include` lines are refused).
    pub fn from_manager_conf(text: &str) -> Result<Self, ConfError> {
        let conf = ManagerConf::parse(text.as_bytes(), Rules::default())?;
        Ok(Users::from(&conf))
    }

    /// Reads a `manager.conf` file; an error names the file (and the line).
    ///
    /// ```
    /// assert!(ami_replay::Users::load("/nonexistent/manager.conf").is_err());
    /// ```
    pub fn load(path: impl AsRef<Path>) -> io::Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read(path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        let name = path.display().to_string();
        let mut includes = ami_proto::filter::NoIncludes;
        let conf = ManagerConf::parse_with(&text, &name, Rules::default(), &mut includes)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
        Ok(Users::from(&conf))
    }

    /// The user names, in the order they were added.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .map(|u| std::str::from_utf8(&u.name).unwrap_or("?"))
    }

    fn find(&self, name: &[u8]) -> Option<&UserConfig> {
        self.entries
            .iter()
            .find(|u| u.name.eq_ignore_ascii_case(name))
    }

    /// The user `login` is good for, if any, `challenge` being the one this session was
    /// sent.
    pub(crate) fn accept(&self, login: &Request, challenge: Option<&[u8]>) -> Option<&UserConfig> {
        let user = self.find(login.get("Username").unwrap_or_default())?;
        let secret = user.secret.as_ref().map_or(&b""[..], Secret::expose);
        let key = login.get("Key").filter(|k| !k.is_empty());
        let md5 = login
            .get("AuthType")
            .is_some_and(|t| t.eq_ignore_ascii_case(b"MD5"));
        let good = match (md5, key, challenge.filter(|c| !c.is_empty())) {
            (true, Some(key), Some(challenge)) => {
                let mut digest = Md5::new();
                digest.update(challenge);
                digest.update(secret);
                lower_hex(&digest.finalize()) == key
            }
            _ => login.get("Secret").unwrap_or_default() == secret,
        };
        good.then_some(user)
    }
}

impl From<&ManagerConf> for Users {
    fn from(conf: &ManagerConf) -> Users {
        conf.users()
            .iter()
            .fold(Users::new(), |users, user| users.with(user.clone()))
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
        assert!(users.accept(&plain("admin", "amp111"), None).is_some());
        assert!(
            users.accept(&plain("ADMIN", "amp111"), None).is_some(),
            "names ignore case"
        );
        assert!(
            users.accept(&plain("admin", "AMP111"), None).is_none(),
            "secrets do not"
        );
        assert!(users.accept(&plain("nobody", "amp111"), None).is_none());

        // 06_challenge_md5: challenge 39188675, key md5("39188675" + "amp111").
        let md5 = request(b"Action: Login\r\nAuthType: MD5\r\nUsername: admin\r\nKey: 5f38a5fec163e9e9e3e7843e2fe0999e\r\n\r\n");
        assert!(users.accept(&md5, Some(b"39188675")).is_some());
        assert!(users.accept(&md5, Some(b"116273744")).is_none());
        assert!(
            users.accept(&md5, None).is_none(),
            "without a challenge the Secret is checked"
        );
        let upper = request(b"Action: Login\r\nAuthType: md5\r\nUsername: admin\r\nKey: 5F38A5FEC163E9E9E3E7843E2FE0999E\r\n\r\n");
        assert!(
            users.accept(&upper, Some(b"39188675")).is_none(),
            "Asterisk compares lower-case hex"
        );
    }

    #[test]
    fn manager_conf_sections() {
        let users = Users::from_manager_conf(
            "[general]\nsecret=no\n[tmpl](!)\nsecret = t\n[admin](tmpl)\nsecret => a;b\n[reader]\nread=system,call\nsecret=r\n",
        )
        .unwrap();
        assert_eq!(users.names().collect::<Vec<_>>(), ["admin", "reader"]);
        let secret = |name: &[u8]| users.find(name).and_then(|u| u.secret.clone());
        assert_eq!(secret(b"admin"), Some(Secret::new(b"a")));
        assert_eq!(secret(b"Reader"), Some(Secret::new(b"r")));
        let reader = users.find(b"reader").unwrap();
        assert_eq!(reader.read, Classes::SYSTEM | Classes::CALL);
        assert!(Users::from_manager_conf("[a\nsecret=x\n").is_err());
    }
}
