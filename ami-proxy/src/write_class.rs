//! Which write classes an action needs: Asterisk runs an action only when the session's
//! `write =` classes hold every class the action was registered with
//! (`(writeperm & authority) == authority`), and answers `Permission denied` otherwise.

use ami_proto::filter::Classes;

/// The table: `NAME PRIVILEGE` lines from the `manager show command` dumps of ami-spec.
const TABLE: &str = include_str!("action_classes.txt");

/// The classes `action` (any case) needs. An action the table does not know may be one of
/// a module we have not seen, with any classes: it needs every class (`write = all`),
/// so that the proxy never lets through what Asterisk would refuse.
///
/// ```
/// use ami_proto::filter::Classes;
/// use ami_proxy::required_write_classes;
///
/// assert_eq!(required_write_classes(b"originate"), Classes::ORIGINATE);
/// assert_eq!(required_write_classes(b"Ping"), Classes::NONE);
/// assert_eq!(required_write_classes(b"Hangup"), Classes::SYSTEM | Classes::CALL);
/// assert_eq!(required_write_classes(b"NoSuchAction"), Classes::ALL);
/// ```
pub fn required_write_classes(action: &[u8]) -> Classes {
    TABLE
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once(' '))
        .find(|(name, _)| name.as_bytes().eq_ignore_ascii_case(action))
        .map_or(Classes::ALL, |(_, privilege)| {
            Classes::from_privilege(privilege.as_bytes())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_reads() {
        let mut n = 0;
        for line in TABLE.lines().filter(|l| !l.starts_with('#')) {
            let (name, privilege) = line.split_once(' ').expect("NAME PRIVILEGE");
            assert_ne!(
                Classes::from_privilege(privilege.as_bytes()),
                Classes::UNKNOWN,
                "{line}"
            );
            assert_eq!(
                required_write_classes(name.as_bytes()),
                Classes::from_privilege(privilege.as_bytes())
            );
            n += 1;
        }
        assert!(n > 140, "{n} actions");
        // Those the proxy answers itself are in the table too.
        assert_eq!(required_write_classes(b"Filter"), Classes::SYSTEM);
        assert_eq!(required_write_classes(b"Events"), Classes::NONE);
    }
}
