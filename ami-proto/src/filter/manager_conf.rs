//! manager.conf as Asterisk's manager reads it: `[general]` and one section per user.

use alloc::vec::Vec;

use super::class::Classes;
use super::conf::{
    ConfError, ConfFile, ConfWarning, ConfWarningKind, Includes, NoIncludes, Variable,
};
use super::rules::Rules;
use super::text::{atoi, eq_ignore_case, is_true};
use super::user::{AclKind, AclRule, Secret, SetVar, UserConfig};

/// The `[general]` settings that matter to sessions, with Asterisk's defaults.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct General {
    /// `enabled` (default no).
    pub enabled: bool,
    /// `webenabled` (default no).
    pub webenabled: bool,
    /// `displayconnects`: the default of every user's (default yes).
    pub displayconnects: bool,
    /// `allowmultiplelogin`: the default of every user's (default yes).
    pub allowmultiplelogin: bool,
    /// `timestampevents` (default no): whether events carry `Timestamp:`.
    pub timestampevents: bool,
    /// `brokeneventsaction` (default no).
    pub broken_events_action: bool,
    /// `authtimeout` in seconds (default 30).
    pub authtimeout: u32,
    /// `authlimit`: most unauthenticated sessions (default 50).
    pub authlimit: u32,
    /// `httptimeout` in seconds (default 60).
    pub httptimeout: u32,
    /// Every line of the section, in order (port, bindaddr, channelvars, TLS, ...).
    pub variables: Vec<Variable>,
}

impl Default for General {
    fn default() -> General {
        General {
            enabled: false,
            webenabled: false,
            displayconnects: true,
            allowmultiplelogin: true,
            timestampevents: false,
            broken_events_action: false,
            authtimeout: 30,
            authlimit: 50,
            httptimeout: 60,
            variables: Vec::new(),
        }
    }
}

impl General {
    /// The value of the last line named `name` (any case).
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.variables
            .iter()
            .rev()
            .find(|v| eq_ignore_case(&v.name, name.as_bytes()))
            .map(|v| &v.value[..])
    }
}

/// A parsed manager.conf: the general settings, the users in order, and what Asterisk would
/// have logged and skipped.
///
/// ```
/// use ami_proto::filter::{Classes, ManagerConf, Rules};
///
/// let conf = ManagerConf::parse(b"[general]\nenabled = yes\n\n[monitor]\nsecret = s\nread = call\neventfilter = Event: Hangup\nEventFilter = x\n", Rules::Asterisk20).unwrap();
/// let user = conf.user("MONITOR").unwrap();
/// assert_eq!(user.read, Classes::CALL);
/// assert_eq!(user.filters().count(), 1);
/// // Asterisk 20 reads only options that begin with lower-case `eventfilter`.
/// assert_eq!(conf.warnings()[0].to_string(), "EventFilter is an unknown option (line 8 of manager.conf)");
/// ```
#[derive(Debug, Clone)]
pub struct ManagerConf {
    /// `[general]`.
    pub general: General,
    users: Vec<UserConfig>,
    warnings: Vec<ConfWarning>,
}

impl ManagerConf {
    /// Parses manager.conf text with the given rules; `#include` lines are errors (see
    /// [`ManagerConf::parse_with`]).
    pub fn parse(text: &[u8], rules: Rules) -> Result<ManagerConf, ConfError> {
        ManagerConf::parse_with(text, "manager.conf", rules, &mut NoIncludes)
    }

    /// Parses manager.conf text named `file`, reading included files through `includes`.
    pub fn parse_with(
        text: &[u8],
        file: &str,
        rules: Rules,
        includes: &mut dyn Includes,
    ) -> Result<ManagerConf, ConfError> {
        let conf = ConfFile::parse(text, file, includes)?;
        let mut warnings = conf.warnings.clone();
        let general = read_general(conf.category(b"general"), &mut warnings);
        let mut users: Vec<UserConfig> = Vec::new();
        for category in conf.categories.iter().filter(|c| !c.template) {
            if eq_ignore_case(&category.name, b"general") {
                continue;
            }
            // A second section for the same user (any case) goes on with it, without the
            // filters, ACL and setvars of the first.
            let index = match users
                .iter()
                .position(|u| eq_ignore_case(&u.name, &category.name))
            {
                Some(index) => {
                    users[index].restart_section();
                    index
                }
                None => {
                    let mut user = UserConfig::new(&category.name, rules);
                    user.displayconnects = general.displayconnects;
                    user.allowmultiplelogin = general.allowmultiplelogin;
                    user.broken_events_action = general.broken_events_action;
                    users.push(user);
                    users.len() - 1
                }
            };
            for variable in &category.variables {
                read_user_option(&mut users[index], variable, &mut warnings);
            }
        }
        Ok(ManagerConf {
            general,
            users,
            warnings,
        })
    }

    /// The user named `name`, compared in any case as Asterisk does at login.
    pub fn user(&self, name: impl AsRef<[u8]>) -> Option<&UserConfig> {
        self.users
            .iter()
            .find(|u| eq_ignore_case(&u.name, name.as_ref()))
    }

    /// Every user, in the order of their first section.
    pub fn users(&self) -> &[UserConfig] {
        &self.users
    }

    /// Lines Asterisk would skip or log: syntax it ignores, unknown options, invalid
    /// values, dropped filters. Each names its file and line.
    pub fn warnings(&self) -> &[ConfWarning] {
        &self.warnings
    }
}

fn warn(warnings: &mut Vec<ConfWarning>, variable: &Variable, kind: ConfWarningKind) {
    warnings.push(ConfWarning {
        location: variable.location.clone(),
        kind,
    });
}

/// Reads `[general]` as `__init_manager` does (the last line of an option wins).
fn read_general(
    category: Option<&super::conf::Category>,
    warnings: &mut Vec<ConfWarning>,
) -> General {
    let mut general = General::default();
    let Some(category) = category else {
        return general;
    };
    general.variables = category.variables.clone();
    for variable in &category.variables {
        let (name, value) = (&variable.name[..], &variable.value[..]);
        let is = |option: &[u8]| eq_ignore_case(name, option);
        let positive = |value: &[u8]| u32::try_from(atoi(value)).ok().filter(|&n| n >= 1);
        if name.len() >= 3
            && (eq_ignore_case(&name[..3], b"tls") || eq_ignore_case(&name[..3], b"ssl"))
        {
            // TLS settings, kept in `variables`.
        } else if is(b"enabled") {
            general.enabled = is_true(value);
        } else if is(b"webenabled") {
            general.webenabled = is_true(value);
        } else if is(b"brokeneventsaction") {
            general.broken_events_action = is_true(value);
        } else if is(b"allowmultiplelogin") {
            general.allowmultiplelogin = is_true(value);
        } else if is(b"displayconnects") {
            general.displayconnects = is_true(value);
        } else if is(b"timestampevents") {
            general.timestampevents = is_true(value);
        } else if is(b"httptimeout") {
            if let Some(seconds) = positive(value) {
                general.httptimeout = seconds;
            }
        } else if is(b"authtimeout") || is(b"authlimit") {
            match positive(value) {
                Some(n) if is(b"authtimeout") => general.authtimeout = n,
                Some(n) => general.authlimit = n,
                None => warn(
                    warnings,
                    variable,
                    ConfWarningKind::InvalidValue {
                        name: name.to_vec(),
                        value: value.to_vec(),
                    },
                ),
            }
        } else if !(is(b"port")
            || is(b"bindaddr")
            || is(b"debug")
            || is(b"channelvars")
            || is(b"disabledevents"))
        {
            warn(
                warnings,
                variable,
                ConfWarningKind::UnknownOption(name.to_vec()),
            );
        }
    }
    general
}

/// Applies one line of a user's section, in the order Asterisk tests the option names.
fn read_user_option(user: &mut UserConfig, variable: &Variable, warnings: &mut Vec<ConfWarning>) {
    let (name, value) = (&variable.name[..], &variable.value[..]);
    let is = |option: &[u8]| eq_ignore_case(name, option);
    let is_filter = match user.rules {
        Rules::Asterisk13 => is(b"eventfilter"),
        Rules::Asterisk20 => name.starts_with(b"eventfilter"),
    };
    if is(b"secret") {
        user.secret = Some(Secret::new(value));
    } else if is(b"deny") || is(b"permit") || is(b"acl") {
        let kind = if is(b"deny") {
            AclKind::Deny
        } else if is(b"permit") {
            AclKind::Permit
        } else {
            AclKind::Named
        };
        user.acl.push(AclRule {
            kind,
            value: value.to_vec(),
            location: Some(variable.location.clone()),
        });
    } else if is(b"read") {
        user.read = Classes::parse_list(value);
    } else if is(b"write") {
        user.write = Classes::parse_list(value);
    } else if is(b"displayconnects") {
        user.displayconnects = is_true(value);
    } else if is(b"allowmultiplelogin") {
        user.allowmultiplelogin = is_true(value);
    } else if is(b"writetimeout") {
        match u32::try_from(atoi(value)) {
            Ok(ms) if ms >= 100 => user.writetimeout = ms,
            _ => warn(
                warnings,
                variable,
                ConfWarningKind::InvalidValue {
                    name: name.to_vec(),
                    value: value.to_vec(),
                },
            ),
        }
    } else if is(b"setvar") {
        // Asterisk copies the value into a 256-byte buffer first.
        let value = &value[..value.len().min(255)];
        if let Some(eq) = memchr::memchr(b'=', value) {
            user.setvars.push(SetVar {
                name: value[..eq].to_vec(),
                value: value[eq + 1..].to_vec(),
            });
        }
    } else if is_filter {
        if let Err(e) = user.add_filter(name, value) {
            warn(warnings, variable, ConfWarningKind::Filter(e));
        }
    } else {
        warn(
            warnings,
            variable,
            ConfWarningKind::UnknownOption(name.to_vec()),
        );
    }
}
