//! AWS's global condition keys (IAM user guide, "AWS global condition context keys"): the
//! type of value each holds and whether a request may carry several values.

use std::sync::LazyLock;

/// The kind of value a condition key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyType {
    String,
    Arn,
    Bool,
    Date,
    Numeric,
    Ip,
}

impl KeyType {
    const ALL: [KeyType; 6] = [
        KeyType::String,
        KeyType::Arn,
        KeyType::Bool,
        KeyType::Date,
        KeyType::Numeric,
        KeyType::Ip,
    ];

    /// The type's name in the table, how a message names it, and the operator to suggest for
    /// a key of this type.
    fn wording(self) -> (&'static str, &'static str, &'static str) {
        match self {
            KeyType::String => ("String", "a string", "StringEquals"),
            KeyType::Arn => ("Arn", "an ARN", "ArnLike"),
            KeyType::Bool => ("Bool", "a boolean", "Bool"),
            KeyType::Date => ("Date", "a date", "DateGreaterThan"),
            KeyType::Numeric => ("Numeric", "a number", "NumericLessThan"),
            KeyType::Ip => ("Ip", "an IP address", "IpAddress"),
        }
    }

    fn from_name(name: &str) -> Option<KeyType> {
        Self::ALL
            .into_iter()
            .find(|key_type| key_type.wording().0 == name)
    }

    pub(crate) fn description(self) -> &'static str {
        self.wording().1
    }

    /// The operator to suggest for a key of this type.
    pub(crate) fn suggested_operator(self) -> &'static str {
        self.wording().2
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct GlobalKey {
    pub(crate) name: &'static str,
    pub(crate) key_type: KeyType,
    pub(crate) multivalued: bool,
}

/// Kept as data, one key a line, so that adding a key is adding a line.
const TABLE: &str = include_str!("global_keys.tsv");

/// One line of the table; `None` when it is malformed.
fn parse_line(line: &'static str) -> Option<GlobalKey> {
    let mut fields = line.split_whitespace();
    let name = fields.next()?;
    let key_type = KeyType::from_name(fields.next()?)?;
    let multivalued = match fields.next() {
        None => false,
        Some("multivalued") => true,
        Some(_) => return None,
    };
    fields.next().is_none().then_some(GlobalKey {
        name,
        key_type,
        multivalued,
    })
}

fn table_lines() -> impl Iterator<Item = &'static str> {
    TABLE
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
}

/// Every global key, in the table's order. The table is built in; the test below keeps every
/// line of it well formed, so a malformed line is skipped here rather than panicking.
pub(crate) static GLOBAL_KEYS: LazyLock<Vec<GlobalKey>> =
    LazyLock::new(|| table_lines().filter_map(parse_line).collect());

/// The global key `name` denotes (compared case-insensitively; `aws:PrincipalTag/team`
/// is the tag family `aws:PrincipalTag/`). `None` for service keys and unknown `aws:` keys.
pub(crate) fn find(name: &str) -> Option<GlobalKey> {
    GLOBAL_KEYS.iter().copied().find(|key| {
        if key.name.ends_with('/') {
            name.len() > key.name.len()
                && name.is_char_boundary(key.name.len())
                && name[..key.name.len()].eq_ignore_ascii_case(key.name)
        } else {
            name.eq_ignore_ascii_case(key.name)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_of_the_table_is_a_key() {
        let lines: Vec<&str> = table_lines().collect();
        let malformed: Vec<&&str> = lines
            .iter()
            .filter(|line| parse_line(line).is_none())
            .collect();
        assert!(malformed.is_empty(), "malformed lines: {malformed:?}");
        assert_eq!(GLOBAL_KEYS.len(), lines.len());
        for line in [
            "aws:SourceIp Ip extra",
            "aws:SourceIp Float",
            "aws:SourceIp",
        ] {
            assert!(parse_line(line).is_none(), "{line}");
        }
    }

    #[test]
    fn keys_and_families_are_found_case_insensitively() {
        let cases = [
            ("aws:sourceip", Some(("aws:SourceIp", KeyType::Ip, false))),
            ("AWS:TagKeys", Some(("aws:TagKeys", KeyType::String, true))),
            (
                "aws:PrincipalTag/team",
                Some(("aws:PrincipalTag/", KeyType::String, false)),
            ),
            ("aws:PrincipalTag/", None),
            ("aws:NoSuchKey", None),
        ];
        for (name, expected) in cases {
            let found = find(name).map(|key| (key.name, key.key_type, key.multivalued));
            assert_eq!(found, expected, "{name}");
        }
        assert_eq!(KeyType::Date.suggested_operator(), "DateGreaterThan");
        assert_eq!(KeyType::Arn.description(), "an ARN");
    }
}
