//! AWS's URI encoding (RFC 3986 unreserved characters kept, everything else `%XX`).

use std::fmt::Write as _;

/// Encodes `text`; `/` is kept when `encode_slash` is false (paths), escaped otherwise.
pub fn encode(text: &str, encode_slash: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(byte, b'-' | b'_' | b'.' | b'~')
            || (byte == b'/' && !encode_slash);
        if keep {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// Decodes `%XX` escapes (not `+`: SigV4 treats it literally); invalid escapes stay as written.
pub fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_as_sigv4_requires() {
        let cases = [
            ("abc-_.~", true, "abc-_.~"),
            ("a b", true, "a%20b"),
            ("a/b", false, "a/b"),
            ("a/b", true, "a%2Fb"),
            ("ü", true, "%C3%BC"),
            ("a+b=c", true, "a%2Bb%3Dc"),
        ];
        for (input, encode_slash, expected) in cases {
            assert_eq!(encode(input, encode_slash), expected, "{input}");
        }
        assert_eq!(decode("a%20b%2Fc+d"), "a b/c+d");
    }
}
