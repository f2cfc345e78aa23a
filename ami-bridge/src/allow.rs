//! Which actions requests may send to a server: a write-class allow-list applied as
//! Asterisk applies a manager.conf user's `write =` classes.
//!
//! Asterisk runs an action for a user whose write classes share at least one class with
//! the action's `[Privilege]` (the classes `manager show command` prints, in ami-spec's
//! action table), and for anyone when the privilege is `<none>`. The bridge applies the
//! same rule with the server's `allow_write` as the user's classes (read by ami-proto's
//! [`Classes::parse_list`], the parser of `write =`), with two differences that keep a
//! shared NATS from reaching more than the configuration names:
//!
//! - a `<none>` action (`Ping`, `QueueStatus`, `BridgeDestroy`) is sent only when
//!   `allow_actions` names it;
//! - an action the table does not know (a third-party module's, a newer Asterisk's) is
//!   sent only when `allow_actions` names it.
//!
//! The actions of the bridge's own session ([`SESSION_ACTIONS`]) are always refused.

use ami_proto::filter::Classes;
use ami_spec::ACTIONS;

/// Actions no request may send, whatever the configuration: they belong to the bridge's
/// own session (its login, its event mask and filters, its event delivery).
pub const SESSION_ACTIONS: &[&str] = &[
    "Login",
    "Logoff",
    "Challenge",
    "Events",
    "Filter",
    "WaitEvent",
];

/// The write classes of an action as ami-spec's table gives them (`Some(NONE)` for
/// `<none>`), or `None` for an action the table does not list. Names are compared
/// ignoring ASCII case, as Asterisk compares them.
///
/// ```
/// use ami_proto::filter::Classes;
/// use ami_bridge::allow::action_classes;
/// assert_eq!(action_classes("originate"), Some(Classes::ORIGINATE));
/// assert_eq!(action_classes("CoreShowChannels"), Some(Classes::SYSTEM | Classes::REPORTING));
/// assert_eq!(action_classes("Ping"), Some(Classes::NONE));
/// assert_eq!(action_classes("NoSuchAction"), None);
/// ```
pub fn action_classes(name: &str) -> Option<Classes> {
    let info = ACTIONS.iter().find(|a| a.name.eq_ignore_ascii_case(name))?;
    let joined = info.privilege.join(",");
    Some(Classes::from_privilege(joined.as_bytes()))
}

/// Checks an `allow_write` value: every comma-separated item must be a class name
/// exactly (`all` included), so that Asterisk's prefix reading (`dial,user` grants
/// `dialplan`) cannot grant what a typo did not mean.
///
/// ```
/// use ami_bridge::allow::check_write_list;
/// assert!(check_write_list("call,reporting").is_ok());
/// assert!(check_write_list("").is_ok());
/// assert!(check_write_list("dial,user").unwrap_err().contains("`dial`"));
/// assert!(check_write_list("call, user").is_err());
/// ```
pub fn check_write_list(list: &str) -> Result<(), String> {
    if list.is_empty() {
        return Ok(());
    }
    for item in list.split(',') {
        let classes = Classes::parse_list(item.as_bytes());
        let exact = item == "all" || (classes != Classes::NONE && classes.to_string() == item);
        if !exact {
            return Err(format!(
                "`{item}` is not a write class (system, call, log, verbose, command, agent, \
                 user, config, dtmf, reporting, cdr, dialplan, originate, agi, cc, aoc, test, \
                 security, message, all)"
            ));
        }
    }
    Ok(())
}

/// A server's allow-list.
///
/// ```
/// use ami_bridge::allow::AllowList;
/// let list = AllowList::new("reporting", &["QueueStatus".into(), "MyModuleAction".into()]);
/// assert!(list.check("CoreShowChannels").is_ok()); // system,reporting: one shared class
/// assert!(list.check("queuestatus").is_ok());      // <none>, named
/// assert!(list.check("MyModuleAction").is_ok());   // unknown, named
/// assert!(list.check("Originate").unwrap_err().contains("originate"));
/// assert!(list.check("Ping").is_err());            // <none>, not named
/// assert!(list.check("Logoff").is_err());          // the bridge's session
/// assert!(list.check("UnknownAction").is_err());
/// ```
#[derive(Debug, Clone)]
pub struct AllowList {
    write: Classes,
    actions: Vec<String>,
}

impl AllowList {
    /// Allows the actions of the `write` classes (manager.conf `write =` syntax) and
    /// those named in `actions`.
    pub fn new(write: &str, actions: &[String]) -> Self {
        AllowList {
            write: Classes::parse_list(write.as_bytes()),
            actions: actions.to_vec(),
        }
    }

    /// `Ok` when a request may send action `name`; otherwise why not, in a sentence for
    /// the requester.
    pub fn check(&self, name: &str) -> Result<(), String> {
        if let Some(session) = SESSION_ACTIONS
            .iter()
            .find(|s| s.eq_ignore_ascii_case(name))
        {
            return Err(format!(
                "`{session}` belongs to the bridge's own AMI session and is never sent for a request"
            ));
        }
        if self.actions.iter().any(|a| a.eq_ignore_ascii_case(name)) {
            return Ok(());
        }
        let shown = name.escape_default();
        let Some(classes) = action_classes(name) else {
            return Err(format!(
                "`{shown}` is not in the action table: an unknown action is sent only when allow_actions names it"
            ));
        };
        if classes == Classes::NONE {
            return Err(format!(
                "`{shown}` has no write class (<none>): it is sent only when allow_actions names it"
            ));
        }
        if classes.bits() & self.write.bits() != 0 {
            return Ok(());
        }
        Err(format!(
            "`{shown}` needs the write class {classes} and this server allows {}",
            if self.write == Classes::NONE {
                "none".to_string()
            } else {
                self.write.to_string()
            }
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_action_has_known_classes() {
        for info in ACTIONS {
            assert!(!info.privilege.is_empty(), "{} has no privilege", info.name);
            let classes = action_classes(info.name).unwrap();
            assert!(
                classes.bits() & Classes::UNKNOWN.bits() == 0,
                "{}: {:?}",
                info.name,
                info.privilege
            );
            assert_eq!(
                classes == Classes::NONE,
                info.privilege == ["<none>"],
                "{}",
                info.name
            );
        }
    }

    #[test]
    fn asterisk_rule_any_shared_class() {
        let list = AllowList::new("call", &[]);
        // AbsoluteTimeout is system,call: one shared class is enough, as in Asterisk.
        assert!(list.check("AbsoluteTimeout").is_ok());
        assert!(list.check("Hangup").is_ok());
        assert!(list.check("Originate").is_err());
        assert!(list.check("BridgeDestroy").is_err());
        let all = AllowList::new("all", &[]);
        assert!(all.check("Originate").is_ok());
        assert!(all.check("Ping").is_err(), "<none> must be named");
        let none = AllowList::new("", &[]);
        for info in ACTIONS {
            assert!(none.check(info.name).is_err(), "{}", info.name);
        }
    }

    #[test]
    fn session_actions_are_refused_even_by_name() {
        let names: Vec<String> = SESSION_ACTIONS.iter().map(|s| s.to_string()).collect();
        let list = AllowList::new("all", &names);
        for name in SESSION_ACTIONS {
            assert!(list.check(name).is_err(), "{name}");
            assert!(list.check(&name.to_ascii_uppercase()).is_err(), "{name}");
        }
    }
}
