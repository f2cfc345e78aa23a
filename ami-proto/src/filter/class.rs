//! Event classes (Asterisk's "authority" bits): what `read =`/`write =` grant, what an
//! event's `Privilege:` header lists, and the event mask of Login `Events:` and the
//! `Events` action.

use core::fmt;

use super::text::{atoi, is_false, is_true, until_nul};

/// A set of event classes, as the 32-bit authority mask Asterisk keeps per user and session.
///
/// `all` is every bit below bit 31 (`INT_MAX`), so it also covers classes this table does
/// not name.
///
/// ```
/// use ami_proto::filter::Classes;
///
/// // The list parser compares every item but the last one by prefix (`strncmp`).
/// assert_eq!(Classes::parse_list(b"dial,user"), Classes::DIALPLAN | Classes::USER);
/// assert_eq!(Classes::parse_list(b"user,dial"), Classes::USER);
/// assert_eq!(Classes::parse_list(b"call").to_string(), "call");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Classes(u32);

/// The class names Asterisk knows, in its table order (which is the order it prints them).
const LABELS: [(&str, Classes); 19] = [
    ("system", Classes::SYSTEM),
    ("call", Classes::CALL),
    ("log", Classes::LOG),
    ("verbose", Classes::VERBOSE),
    ("command", Classes::COMMAND),
    ("agent", Classes::AGENT),
    ("user", Classes::USER),
    ("config", Classes::CONFIG),
    ("dtmf", Classes::DTMF),
    ("reporting", Classes::REPORTING),
    ("cdr", Classes::CDR),
    ("dialplan", Classes::DIALPLAN),
    ("originate", Classes::ORIGINATE),
    ("agi", Classes::AGI),
    ("cc", Classes::CC),
    ("aoc", Classes::AOC),
    ("test", Classes::TEST),
    ("security", Classes::SECURITY),
    ("message", Classes::MESSAGE),
];

impl Classes {
    /// No class.
    pub const NONE: Classes = Classes(0);
    /// `system`.
    pub const SYSTEM: Classes = Classes(1 << 0);
    /// `call`.
    pub const CALL: Classes = Classes(1 << 1);
    /// `log`.
    pub const LOG: Classes = Classes(1 << 2);
    /// `verbose`.
    pub const VERBOSE: Classes = Classes(1 << 3);
    /// `command`.
    pub const COMMAND: Classes = Classes(1 << 4);
    /// `agent`.
    pub const AGENT: Classes = Classes(1 << 5);
    /// `user`.
    pub const USER: Classes = Classes(1 << 6);
    /// `config`.
    pub const CONFIG: Classes = Classes(1 << 7);
    /// `dtmf`.
    pub const DTMF: Classes = Classes(1 << 8);
    /// `reporting`.
    pub const REPORTING: Classes = Classes(1 << 9);
    /// `cdr`.
    pub const CDR: Classes = Classes(1 << 10);
    /// `dialplan`.
    pub const DIALPLAN: Classes = Classes(1 << 11);
    /// `originate`.
    pub const ORIGINATE: Classes = Classes(1 << 12);
    /// `agi`.
    pub const AGI: Classes = Classes(1 << 13);
    /// `cc`.
    pub const CC: Classes = Classes(1 << 15);
    /// `aoc`.
    pub const AOC: Classes = Classes(1 << 16);
    /// `test`.
    pub const TEST: Classes = Classes(1 << 17);
    /// `security`.
    pub const SECURITY: Classes = Classes(1 << 18);
    /// `message` (bit 30 in Asterisk too).
    pub const MESSAGE: Classes = Classes(1 << 30);
    /// A `Privilege:` label this table does not know: a class of a newer Asterisk. Only
    /// `all` (and a numeric mask with this bit) covers it.
    pub const UNKNOWN: Classes = Classes(1 << 29);
    /// `all`: `INT_MAX`, every bit but the sign bit.
    pub const ALL: Classes = Classes(i32::MAX as u32);

    /// The classes a `read =`/`write =` value grants, parsed as Asterisk's `get_perm` does:
    /// items are separated by commas and compared case-sensitively with each class name;
    /// every item but the last matches a name it is a prefix of (so `dial,user` grants
    /// `dialplan`, and an empty item such as the first of `,user` matches every name,
    /// `all` included), the last item must equal the name. Blanks are not trimmed.
    ///
    /// ```
    /// use ami_proto::filter::Classes;
    ///
    /// assert_eq!(Classes::parse_list(b"system,call"), Classes::SYSTEM | Classes::CALL);
    /// assert_eq!(Classes::parse_list(b"call, user"), Classes::CALL);
    /// assert_eq!(Classes::parse_list(b"all"), Classes::ALL);
    /// assert_eq!(Classes::parse_list(b",user"), Classes::ALL);
    /// ```
    pub fn parse_list(list: &[u8]) -> Classes {
        let list = until_nul(list);
        let mut classes = Classes::NONE;
        for (label, class) in LABELS.iter().chain([("all", Classes::ALL)].iter()) {
            if in_list(list, label.as_bytes()) {
                classes = classes | *class;
            }
        }
        classes
    }

    /// The classes an event's `Privilege:` value lists. Asterisk writes every class whose
    /// bit the event has, then `all`, which is not a class and is skipped here; `<none>`
    /// (an event of no class) gives [`Classes::NONE`], any other unknown label
    /// [`Classes::UNKNOWN`].
    ///
    /// ```
    /// use ami_proto::filter::Classes;
    ///
    /// assert_eq!(Classes::from_privilege(b"call,all"), Classes::CALL);
    /// assert_eq!(Classes::from_privilege(b"security,all"), Classes::SECURITY);
    /// ```
    pub fn from_privilege(value: &[u8]) -> Classes {
        let mut classes = Classes::NONE;
        for label in value.split(|&b| b == b',') {
            if label.is_empty() || label == b"all" || label == b"<none>" {
                continue;
            }
            classes = classes
                | LABELS
                    .iter()
                    .find(|(name, _)| name.as_bytes() == label)
                    .map_or(Classes::UNKNOWN, |(_, class)| *class);
        }
        classes
    }

    /// An event mask as Login `Events:` and the `Events` action's `EventMask:` set it
    /// (Asterisk's `strings_to_mask`): digits are the mask itself (`atoi`), `off`, `no`,
    /// `false`, ... turn every class off, `on`, `yes`, `true`, ... turn every class on, and
    /// anything else is a class list ([`Classes::parse_list`]). `None` for an empty value or
    /// a number that does not fit a non-negative `int`: Asterisk then keeps the mask it had.
    ///
    /// ```
    /// use ami_proto::filter::Classes;
    ///
    /// assert_eq!(Classes::from_event_mask(b"on"), Some(Classes::ALL));
    /// assert_eq!(Classes::from_event_mask(b"off"), Some(Classes::NONE));
    /// assert_eq!(Classes::from_event_mask(b"call,user"), Some(Classes::CALL | Classes::USER));
    /// assert_eq!(Classes::from_event_mask(b"66"), Some(Classes::CALL | Classes::USER));
    /// assert_eq!(Classes::from_event_mask(b""), None);
    /// ```
    pub fn from_event_mask(value: &[u8]) -> Option<Classes> {
        let value = until_nul(value);
        let mask = if value.is_empty() {
            -1
        } else if value.iter().all(u8::is_ascii_digit) {
            atoi(value)
        } else if is_false(value) {
            0
        } else if is_true(value) {
            Classes::ALL.0 as i32
        } else {
            Classes::parse_list(value).0 as i32
        };
        (mask >= 0).then_some(Classes(mask as u32))
    }

    /// A mask from its bits (`manager show connected` prints these as `ReadPerms`).
    ///
    /// ```
    /// assert_eq!(ami_proto::filter::Classes::from_bits(2112).to_string(), "user,dialplan");
    /// ```
    pub const fn from_bits(bits: u32) -> Classes {
        Classes(bits)
    }

    /// The bits of the mask.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// Whether every class of `other` is in `self` (Asterisk's `(perm & class) == class`).
    ///
    /// ```
    /// use ami_proto::filter::Classes;
    ///
    /// assert!(Classes::ALL.contains(Classes::CALL | Classes::UNKNOWN));
    /// assert!(!Classes::CALL.contains(Classes::CALL | Classes::USER));
    /// assert!(Classes::CALL.contains(Classes::NONE));
    /// ```
    pub const fn contains(self, other: Classes) -> bool {
        self.0 & other.0 == other.0
    }
}

/// `ast_instring` with a comma: whether `label` is an item of `list` (see
/// [`Classes::parse_list`]).
fn in_list(list: &[u8], label: &[u8]) -> bool {
    let mut rest = list;
    loop {
        match memchr::memchr(b',', rest) {
            Some(comma) => {
                if label.starts_with(&rest[..comma]) {
                    return true;
                }
                rest = &rest[comma + 1..];
                if rest.is_empty() {
                    return false;
                }
            }
            None => return rest == label,
        }
    }
}

impl core::ops::BitOr for Classes {
    type Output = Classes;

    fn bitor(self, rhs: Classes) -> Classes {
        Classes(self.0 | rhs.0)
    }
}

/// As `manager show user` prints a user's classes: every class whose bits are all present,
/// in table order, then `all` if every bit of `all` is, or `<none>`.
impl fmt::Display for Classes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (label, class) in LABELS.iter().chain([("all", Classes::ALL)].iter()) {
            if self.contains(*class) {
                if !first {
                    f.write_str(",")?;
                }
                f.write_str(label)?;
                first = false;
            }
        }
        if first {
            f.write_str("<none>")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Classes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Classes({self} = {:#x})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn prefix_quirk_applies_to_every_item_but_the_last() {
        assert_eq!(
            Classes::parse_list(b"dial,user"),
            Classes::DIALPLAN | Classes::USER
        );
        assert_eq!(Classes::parse_list(b"user,dial"), Classes::USER);
        // `c` is a prefix of call, command, config, cdr and cc.
        assert_eq!(
            Classes::parse_list(b"c,x"),
            Classes::CALL | Classes::COMMAND | Classes::CONFIG | Classes::CDR | Classes::CC
        );
        // A trailing comma ends the list: the item before it is compared by prefix.
        assert_eq!(Classes::parse_list(b"sys,"), Classes::SYSTEM);
        assert_eq!(Classes::parse_list(b"Call"), Classes::NONE);
        assert_eq!(Classes::parse_list(b""), Classes::NONE);
        assert_eq!(Classes::parse_list(b"none"), Classes::NONE);
    }

    #[test]
    fn display_matches_manager_show_user() {
        assert_eq!(
            Classes::ALL.to_string(),
            "system,call,log,verbose,command,agent,user,config,dtmf,reporting,cdr,dialplan,\
             originate,agi,cc,aoc,test,security,message,all"
        );
        assert_eq!(Classes::NONE.to_string(), "<none>");
        assert_eq!(Classes::from_bits(262_144).to_string(), "security");
    }

    #[test]
    fn event_masks() {
        assert_eq!(Classes::from_event_mask(b"OFF"), Some(Classes::NONE));
        assert_eq!(Classes::from_event_mask(b"0"), Some(Classes::NONE));
        assert_eq!(Classes::from_event_mask(b"dial"), Some(Classes::NONE));
        assert_eq!(Classes::from_event_mask(b"4294967295"), None);
        assert_eq!(Classes::from_event_mask(b"2147483647"), Some(Classes::ALL));
    }

    #[test]
    fn privilege_labels() {
        assert_eq!(Classes::from_privilege(b"<none>"), Classes::NONE);
        assert_eq!(
            Classes::from_privilege(b"call,newclass,all"),
            Classes::CALL | Classes::UNKNOWN
        );
        assert_eq!(Classes::from_privilege(b"dialplan,all"), Classes::DIALPLAN);
    }
}
