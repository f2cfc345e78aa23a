//! Request parameters as Asterisk reads them (the query and form parsing of `main/http.c`):
//! `&`-separated `name=value`, `+` as a space, `%XX` decoded, in order, bytes exactly; and
//! the `mansession_id` of a `Cookie` header.

/// The parameters of a query string or form body.
pub fn parse(query: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    if query.is_empty() {
        return Vec::new();
    }
    query
        .split(|&b| b == b'&')
        .map(|pair| {
            let (name, value) = match pair.iter().position(|&b| b == b'=') {
                Some(eq) => (&pair[..eq], &pair[eq + 1..]),
                None => (pair, &b""[..]),
            };
            (decode(name), decode(value))
        })
        .collect()
}

fn decode(text: &[u8]) -> Vec<u8> {
    let spaced: Vec<u8> = text
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    percent_encoding::percent_decode(&spaced).collect()
}

/// The value of parameter `name` (ASCII case-insensitive, the first one).
pub fn get<'p>(params: &'p [(Vec<u8>, Vec<u8>)], name: &str) -> Option<&'p [u8]> {
    params
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name.as_bytes()))
        .map(|(_, v)| &v[..])
}

/// The session id a `Cookie` header names, as Asterisk reads it (quotes dropped).
pub fn session_id(cookie: &[u8]) -> Option<u32> {
    let text = std::str::from_utf8(cookie).ok()?;
    text.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        if name != "mansession_id" {
            return None;
        }
        u32::from_str_radix(value.trim_matches('"'), 16).ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asterisk_reads_parameters() {
        assert_eq!(
            parse(b"Action=Ping&x=a+b%26c%3D&y&=z"),
            [
                (b"Action".to_vec(), b"Ping".to_vec()),
                (b"x".to_vec(), b"a b&c=".to_vec()),
                (b"y".to_vec(), b"".to_vec()),
                (b"".to_vec(), b"z".to_vec()),
            ]
        );
        assert_eq!(session_id(br#"mansession_id="d01fb167""#), Some(0xd01fb167));
        assert_eq!(session_id(b"a=b; mansession_id=1f"), Some(0x1f));
        assert_eq!(session_id(b"other=1"), None);
    }
}
