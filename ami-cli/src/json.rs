//! Minimal JSON string writing for the `--json` output (hot path: no allocation for valid
//! UTF-8, lossy replacement otherwise).

use std::io::{self, Write};

/// Writes `bytes` as a JSON string literal; bytes that are not UTF-8 become U+FFFD.
pub fn write_str(out: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    out.write_all(b"\"")?;
    match std::str::from_utf8(bytes) {
        Ok(text) => write_escaped(out, text)?,
        Err(_) => write_escaped(out, &String::from_utf8_lossy(bytes))?,
    }
    out.write_all(b"\"")
}

fn write_escaped(out: &mut impl Write, text: &str) -> io::Result<()> {
    let bytes = text.as_bytes();
    let mut plain_from = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f | 0x7f => {
                out.write_all(&bytes[plain_from..i])?;
                write!(out, "\\u{b:04x}")?;
                plain_from = i + 1;
                continue;
            }
            _ => continue,
        };
        out.write_all(&bytes[plain_from..i])?;
        out.write_all(escape)?;
        plain_from = i + 1;
    }
    out.write_all(&bytes[plain_from..])
}

#[cfg(test)]
mod tests {
    use super::write_str;

    fn json(bytes: &[u8]) -> String {
        let mut out = Vec::new();
        write_str(&mut out, bytes).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes_controls_quotes_and_replaces_bad_utf8() {
        assert_eq!(
            json(b"a\"b\\c\r\n\t\x01\x7f"),
            r#""a\"b\\c\r\n\t\u0001\u007f""#
        );
        assert_eq!(json(b"Zo\xc3\xab"), "\"Zo\u{eb}\"");
        assert_eq!(json(b"\xcf\xf0\xe8"), "\"\u{fffd}\u{fffd}\u{fffd}\"");
    }
}
