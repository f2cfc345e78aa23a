//! Hides login secrets in a client byte stream as it is written, in any chunking: the
//! value of every `Secret` header, and of `Key` in a `Login` (or in a message whose
//! `Action` has not been seen yet: `Key` is also an argument of `DBPut`/`DBGet`, which are
//! left alone). Each byte of the value becomes `*`, so lengths and offsets stay.
//! Lines end at LF, as Asterisk reads them.

/// Where the masker is in the current line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Line {
    /// Reading the key (before the first `:`).
    Key,
    /// In the value: leading spaces, then the value.
    Value {
        hide: bool,
        action: bool,
        started: bool,
    },
}

/// What the current message's `Action` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Unknown,
    Login,
    Other,
}

/// The stream masker.
#[derive(Debug, Clone)]
pub(crate) struct SecretMask {
    line: Line,
    /// The key so far (only its first bytes: longer keys are neither `Secret` nor `Key`).
    key: Vec<u8>,
    /// The `Action` value so far.
    action_value: Vec<u8>,
    action: Action,
    /// The line had bytes (a line without any is the blank line that ends a message).
    line_has_bytes: bool,
}

/// Longest key or action value kept for comparison.
const KEEP: usize = 16;

/// The byte a hidden value byte becomes.
pub(crate) const MASK: u8 = b'*';

impl Default for SecretMask {
    fn default() -> Self {
        SecretMask {
            line: Line::Key,
            key: Vec::new(),
            action_value: Vec::new(),
            action: Action::Unknown,
            line_has_bytes: false,
        }
    }
}

impl SecretMask {
    /// Masks the next bytes of the stream in place.
    pub(crate) fn apply(&mut self, bytes: &mut [u8]) {
        for byte in bytes {
            if *byte == b'\n' {
                self.end_line();
                continue;
            }
            if *byte != b'\r' {
                self.line_has_bytes = true;
            }
            match &mut self.line {
                Line::Key if *byte == b':' => {
                    let key = self.key.trim_ascii();
                    let is = |name: &[u8]| key.eq_ignore_ascii_case(name);
                    self.line = Line::Value {
                        hide: is(b"Secret") || (is(b"Key") && self.action != Action::Other),
                        action: is(b"Action"),
                        started: false,
                    };
                }
                Line::Key => {
                    if self.key.len() <= KEEP {
                        self.key.push(*byte);
                    }
                }
                Line::Value {
                    hide,
                    action,
                    started,
                } => {
                    if !*started && (*byte == b' ' || *byte == b'\t') {
                        continue;
                    }
                    *started = true;
                    if *action && self.action_value.len() <= KEEP {
                        self.action_value.push(*byte);
                    }
                    if *hide && *byte != b'\r' {
                        *byte = MASK;
                    }
                }
            }
        }
    }

    fn end_line(&mut self) {
        if let Line::Value { action: true, .. } = self.line {
            let value = self.action_value.trim_ascii();
            self.action = if value.eq_ignore_ascii_case(b"Login") {
                Action::Login
            } else {
                Action::Other
            };
        }
        if !self.line_has_bytes {
            // A blank line: the message ended.
            self.action = Action::Unknown;
        }
        self.line = Line::Key;
        self.key.clear();
        self.action_value.clear();
        self.line_has_bytes = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(wire: &[u8], step: usize) -> Vec<u8> {
        let mut mask = SecretMask::default();
        let mut out = wire.to_vec();
        for chunk in out.chunks_mut(step) {
            mask.apply(chunk);
        }
        out
    }

    #[test]
    fn secrets_and_login_keys_hidden_in_any_chunking() {
        let wire: &[u8] = b"Action: Login\r\nUsername: admin\r\nSecret: amp111\r\n\r\n\
            Action: Login\nAuthType: MD5\nKey: 5f38a5fec163e9e9e3e7843e2fe0999e\n\n\
            Action: DBPut\r\nFamily: f\r\nKey: visible\r\nVal: v\r\n\r\n\
            Key: early\r\nAction: Login\r\n\r\n\
            secret:  spaced \r\n\r\n";
        let want: &[u8] = b"Action: Login\r\nUsername: admin\r\nSecret: ******\r\n\r\n\
            Action: Login\nAuthType: MD5\nKey: ********************************\n\n\
            Action: DBPut\r\nFamily: f\r\nKey: visible\r\nVal: v\r\n\r\n\
            Key: *****\r\nAction: Login\r\n\r\n\
            secret:  *******\r\n\r\n";
        for step in 1..=wire.len() {
            assert_eq!(masked(wire, step), want, "chunks of {step}");
        }
    }
}
