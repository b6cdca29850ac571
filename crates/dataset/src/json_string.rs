//! JSON string escaping (RFC 8259), byte for byte what serde_json writes, eight bytes at a
//! time: prose has dozens of bytes between two that need escaping (a newline, a quote), and
//! those runs are found a word at a time and copied in one piece.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `word` that is zero. Bytes above the lowest zero byte may be
/// flagged wrongly (a borrow), but the lowest flagged byte is always a real zero.
fn zero_bytes(word: u64) -> u64 {
    word.wrapping_sub(ONES) & !word & HIGH_BITS
}

/// The high bit of each byte that needs escaping (a control character, `"` or `\`), exact
/// for the lowest flagged byte. Bytes of 0x80 and above (UTF-8 sequences) are never flagged.
fn escape_bytes(word: u64) -> u64 {
    let control = word.wrapping_sub(ONES * 0x20) & !word & HIGH_BITS;
    control
        | zero_bytes(word ^ (ONES * u64::from(b'"')))
        | zero_bytes(word ^ (ONES * u64::from(b'\\')))
}

/// Index of the first byte at or after `from` that needs escaping, or the length.
fn next_escape(bytes: &[u8], from: usize) -> usize {
    let mut index = from;
    while let Some(word) = bytes.get(index..index + 8) {
        let word = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        let flagged = escape_bytes(word);
        if flagged != 0 {
            return index + (flagged.trailing_zeros() / 8) as usize;
        }
        index += 8;
    }
    bytes[index..]
        .iter()
        .position(|byte| needs_escape(*byte))
        .map_or(bytes.len(), |offset| index + offset)
}

fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Appends `text` as a quoted JSON string.
pub(crate) fn write_json_string(output: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    output.reserve(bytes.len() + 2);
    output.push(b'"');
    let mut start = 0;
    loop {
        let escape = next_escape(bytes, start);
        output.extend_from_slice(&bytes[start..escape]);
        let Some(&byte) = bytes.get(escape) else {
            break;
        };
        match byte {
            b'"' => output.extend_from_slice(b"\\\""),
            b'\\' => output.extend_from_slice(b"\\\\"),
            b'\n' => output.extend_from_slice(b"\\n"),
            b'\r' => output.extend_from_slice(b"\\r"),
            b'\t' => output.extend_from_slice(b"\\t"),
            0x08 => output.extend_from_slice(b"\\b"),
            0x0c => output.extend_from_slice(b"\\f"),
            _ => output.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX_DIGITS[usize::from(byte >> 4)],
                HEX_DIGITS[usize::from(byte & 0xf)],
            ]),
        }
        start = escape + 1;
    }
    output.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(text: &str) -> Vec<u8> {
        serde_json::to_vec(text).unwrap()
    }

    fn ours(text: &str) -> Vec<u8> {
        let mut output = Vec::new();
        write_json_string(&mut output, text);
        output
    }

    /// Every ASCII character at every position of a word, next to runs that need no escaping
    /// and to multi-byte characters, compared with serde_json's output.
    #[test]
    fn matches_serde_json() {
        let mut texts: Vec<String> = vec![
            String::new(),
            "plain".into(),
            "#Person1#: Hello.\n#Person2#: \"Hi\" \\ bye.\r\n\tEnd".into(),
            "naïve café — 日本語 😀 \u{7f}\u{80}\u{2028}".into(),
            "\u{1}\u{1f}\u{20}\u{21}\u{22}\u{5b}\u{5c}\u{5d}".into(),
        ];
        for byte in 0u8..0x80 {
            for position in 0..17 {
                let mut text = "a".repeat(position);
                text.push(char::from(byte));
                text.push_str("é0123456789");
                texts.push(text);
            }
        }
        for text in &texts {
            assert_eq!(ours(text), reference(text), "{text:?}");
        }
    }
}
