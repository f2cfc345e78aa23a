//! One manager user: what a `[name]` section of manager.conf sets (or what code sets), as
//! Asterisk copies it into each session that logs in as this user.

use alloc::vec::Vec;
use core::fmt;

use super::class::Classes;
use super::conf::Location;
use super::event_filter::{EventFilter, FilterError};
use super::filter_set::FilterSet;
use super::rules::Rules;

/// A secret. `Debug` never shows it.
///
/// ```
/// let secret = ami_proto::filter::Secret::new(b"oracle");
/// assert_eq!(secret.expose(), b"oracle");
/// assert_eq!(format!("{secret:?}"), "Secret(<hidden>)");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// A secret from its bytes.
    pub fn new(bytes: &[u8]) -> Secret {
        Secret(bytes.to_vec())
    }

    /// The secret itself, for comparing with a Login's `Secret:` or computing an MD5 key.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<hidden>)")
    }
}

/// Which ACL option a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::exhaustive_enums)] // Complete: an ACL entry permits or denies, as in Asterisk's ha.c.
pub enum AclKind {
    /// `permit = address/mask`.
    Permit,
    /// `deny = address/mask`.
    Deny,
    /// `acl = name` (a named ACL of acl.conf).
    Named,
}

/// One `permit`, `deny` or `acl` line, kept as written (Asterisk applies them in order:
/// the last rule that matches an address decides, and an address no rule matches is
/// allowed).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AclRule {
    /// Which option.
    pub kind: AclKind,
    /// Its value, as written.
    pub value: Vec<u8>,
    /// Where, when read from a file.
    pub location: Option<Location>,
}

impl AclRule {
    /// A rule not read from a file (no location).
    ///
    /// ```
    /// use ami_proto::filter::{AclKind, AclRule};
    /// let rule = AclRule::new(AclKind::Permit, b"10.0.0.0/255.0.0.0".to_vec());
    /// assert_eq!((rule.kind, rule.location), (AclKind::Permit, None));
    /// ```
    pub fn new(kind: AclKind, value: Vec<u8>) -> AclRule {
        AclRule {
            kind,
            value,
            location: None,
        }
    }
}

/// One `setvar = NAME=value` line: a channel variable set on channels this user originates.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SetVar {
    /// The variable name.
    pub name: Vec<u8>,
    /// Its value.
    pub value: Vec<u8>,
}

/// A manager user's settings.
///
/// Built by [`ManagerConf`](super::ManagerConf) from manager.conf, or in code:
///
/// ```
/// use ami_proto::filter::{Classes, Rules, UserConfig};
///
/// let mut user = UserConfig::new(b"monitor", Rules::default());
/// user.read = Classes::parse_list(b"call,user");
/// user.add_filter(b"eventfilter", b"!Event: VarSet").unwrap();
/// assert!(user.add_filter(b"eventfilter(method(bogus))", b"x").is_err());
/// assert_eq!(user.filters().count(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct UserConfig {
    /// The user name (the section name; Asterisk compares it in any case).
    pub name: Vec<u8>,
    /// `secret`.
    pub secret: Option<Secret>,
    /// `permit`, `deny` and `acl` lines in order.
    pub acl: Vec<AclRule>,
    /// `read`: the classes of events this user may receive (none by default).
    pub read: Classes,
    /// `write`: the classes of actions this user may send (none by default).
    pub write: Classes,
    /// `displayconnects` (default: that of `[general]`, itself yes by default).
    pub displayconnects: bool,
    /// `allowmultiplelogin` (default: that of `[general]`, itself yes by default).
    pub allowmultiplelogin: bool,
    /// `writetimeout` in milliseconds (default 100; values below 100 are refused).
    pub writetimeout: u32,
    /// `setvar` lines in order.
    pub setvars: Vec<SetVar>,
    /// `brokeneventsaction` of `[general]`: when set, the `Events` action answers nothing
    /// for a mask of every class and for an invalid mask.
    pub broken_events_action: bool,
    /// The rules the filters were read with and that sessions follow.
    pub rules: Rules,
    filters: FilterSet,
}

impl UserConfig {
    /// A user with Asterisk's defaults: no classes, no filters, no secret.
    pub fn new(name: &[u8], rules: Rules) -> UserConfig {
        UserConfig {
            name: name.to_vec(),
            secret: None,
            acl: Vec::new(),
            read: Classes::NONE,
            write: Classes::NONE,
            displayconnects: true,
            allowmultiplelogin: true,
            writetimeout: 100,
            setvars: Vec::new(),
            broken_events_action: false,
            rules,
            filters: FilterSet::default(),
        }
    }

    /// Adds an event filter as an `eventfilter` line of manager.conf would: `criteria` is
    /// the option name (`eventfilter` or `eventfilter(...)`), `pattern` its value. A filter
    /// Asterisk would drop is an error and is not added.
    pub fn add_filter(&mut self, criteria: &[u8], pattern: &[u8]) -> Result<(), FilterError> {
        self.filters
            .add(EventFilter::parse(criteria, pattern, self.rules)?);
        Ok(())
    }

    /// The filters, includes first.
    pub fn filters(&self) -> impl Iterator<Item = &EventFilter> {
        self.filters.iter()
    }

    pub(crate) fn filter_set(&self) -> &FilterSet {
        &self.filters
    }

    /// Forgets the filters, ACL and `setvar` lines: what Asterisk does when a user's
    /// section appears a second time.
    pub(crate) fn restart_section(&mut self) {
        self.filters.clear();
        self.acl.clear();
        self.setvars.clear();
    }
}
