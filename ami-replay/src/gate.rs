//! Which events a session is sent: its event mask (the Login's `Events` header, the `Events`
//! action's `EventMask`), then its `Filter`s.
//!
//! The mask follows `strings_to_mask()` in Asterisk's `main/manager.c`: digits are a bit
//! mask, `on`/`yes`/`true`/... all classes, `off`/`no`/`false`/... none, otherwise a comma
//! list of class names (`system,call`); an empty value leaves the mask as it was. An event
//! passes when one of the classes in its `Privilege` header is in the mask.
//!
//! Filters are kept but not applied yet: the filter engine of ami-proto (`filter/`) plugs
//! in at [`EventGate::filters_allow`], the one place that decides.

use ami_proto::Message;
use bytes::Bytes;

/// Asterisk's event classes and their bits (`EVENT_FLAG_*`).
const CLASSES: [(&str, u32); 19] = [
    ("system", 1 << 0),
    ("call", 1 << 1),
    ("log", 1 << 2),
    ("verbose", 1 << 3),
    ("command", 1 << 4),
    ("agent", 1 << 5),
    ("user", 1 << 6),
    ("config", 1 << 7),
    ("dtmf", 1 << 8),
    ("reporting", 1 << 9),
    ("cdr", 1 << 10),
    ("dialplan", 1 << 11),
    ("originate", 1 << 12),
    ("agi", 1 << 13),
    ("cc", 1 << 14),
    ("aoc", 1 << 15),
    ("test", 1 << 16),
    ("security", 1 << 17),
    ("message", 1 << 18),
];

/// Every class (`all`).
const ALL: u32 = i32::MAX as u32;

/// A session's event mask and filters.
#[derive(Debug, Clone)]
pub(crate) struct EventGate {
    mask: u32,
    filters: Vec<Bytes>,
}

impl Default for EventGate {
    fn default() -> Self {
        EventGate {
            mask: ALL,
            filters: Vec::new(),
        }
    }
}

impl EventGate {
    /// Applies a mask value; returns whether any class is on afterwards.
    pub(crate) fn set_mask(&mut self, value: &[u8]) -> bool {
        if let Some(mask) = parse_mask(value) {
            self.mask = mask;
        }
        self.mask != 0
    }

    /// Keeps a `Filter` action's `Filter:` value for the filter engine.
    pub(crate) fn add_filter(&mut self, expression: &[u8]) {
        self.filters.push(Bytes::copy_from_slice(expression));
    }

    /// Whether the session is sent `event`.
    pub(crate) fn passes(&self, event: &Message<'_>) -> bool {
        if self.mask == 0 {
            return false;
        }
        let classes = match event.get("Privilege") {
            // `all` in a Privilege header is Asterisk listing the mask that would match
            // anything, not a class of the event.
            Some(privilege) => class_bits(privilege, 0),
            None => ALL,
        };
        // An event whose classes are all unknown to us is not ours to drop.
        let classes = if classes == 0 { ALL } else { classes };
        self.mask & classes != 0 && self.filters_allow(event)
    }

    /// The filters' say. Until ami-proto's filter engine is plugged in here, every event
    /// passes: `Filter` actions are answered, and their expressions kept in `self.filters`.
    fn filters_allow(&self, _event: &Message<'_>) -> bool {
        let _ = &self.filters;
        true
    }
}

/// `strings_to_mask()`: `None` for an empty value (the mask stays).
fn parse_mask(value: &[u8]) -> Option<u32> {
    let value = value.trim_ascii();
    if value.is_empty() {
        return None;
    }
    if value.iter().all(u8::is_ascii_digit) {
        let number = std::str::from_utf8(value)
            .ok()?
            .parse::<u64>()
            .unwrap_or(u64::MAX);
        return Some(number.min(u64::from(ALL)) as u32);
    }
    let is = |words: &[&str]| {
        words
            .iter()
            .any(|w| value.eq_ignore_ascii_case(w.as_bytes()))
    };
    if is(&["no", "false", "n", "f", "off"]) {
        return Some(0);
    }
    if is(&["yes", "true", "y", "t", "on"]) {
        return Some(ALL);
    }
    Some(class_bits(value, ALL))
}

/// The bits of a comma list of class names, `all` counting as `all_bits`.
fn class_bits(list: &[u8], all_bits: u32) -> u32 {
    list.split(|&b| b == b',')
        .map(<[u8]>::trim_ascii)
        .map(|name| {
            if name.eq_ignore_ascii_case(b"all") {
                return all_bits;
            }
            CLASSES
                .iter()
                .find(|(n, _)| name.eq_ignore_ascii_case(n.as_bytes()))
                .map_or(0, |(_, bit)| *bit)
        })
        .fold(0, |a, b| a | b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ami_proto::OwnedMessage;

    fn event(privilege: Option<&str>) -> OwnedMessage {
        let mut headers = vec![("Event", "X")];
        if let Some(p) = privilege {
            headers.push(("Privilege", p));
        }
        OwnedMessage::from_headers(headers).unwrap()
    }

    #[test]
    fn masks_as_asterisk_reads_them() {
        let call = event(Some("call,all"));
        let user = event(Some("user,all"));
        let mut gate = EventGate::default();
        assert!(gate.passes(&call.message()) && gate.passes(&user.message()));
        assert!(!gate.set_mask(b"off"));
        assert!(!gate.passes(&call.message()));
        assert!(gate.set_mask(b"system,call"));
        assert!(gate.passes(&call.message()) && !gate.passes(&user.message()));
        assert!(gate.set_mask(b"user"));
        assert!(!gate.passes(&call.message()) && gate.passes(&user.message()));
        assert!(gate.set_mask(b""), "an empty value keeps the mask");
        assert!(gate.passes(&user.message()));
        assert!(gate.set_mask(b"2"), "digits are bits: 2 is call");
        assert!(gate.passes(&call.message()) && !gate.passes(&user.message()));
        assert!(gate.set_mask(b"ON"));
        assert!(gate.passes(&event(None).message()));
        assert!(gate.set_mask(b"all"));
        assert!(gate.passes(&user.message()));
    }
}
