use std::net::IpAddr;

use base64::Engine as _;
use time::OffsetDateTime;

use super::operator::{Family, OperatorKind};
use crate::context::Context;
use crate::error::PolicyError;
use crate::glob::{Glob, Segment};
use crate::json::list_item_path;
use crate::template::Template;

/// A condition's policy values, read once at parse time in the form their operator compares.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum PolicyValues {
    /// String and ARN operators: the only ones where policy variables are substituted.
    Text(Vec<Template>),
    Numbers(Vec<f64>),
    Dates(Vec<OffsetDateTime>),
    Bools(Vec<bool>),
    Binary(Vec<Vec<u8>>),
    Networks(Vec<Network>),
}

/// An IP network in CIDR notation; a bare address is a network of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Network {
    address: IpAddr,
    prefix_length: u8,
}

impl Network {
    fn parse(text: &str) -> Option<Self> {
        let (address, prefix_length) = match text.split_once('/') {
            Some((address, length)) => (address.parse::<IpAddr>().ok()?, length.parse().ok()?),
            None => {
                let address = text.parse::<IpAddr>().ok()?;
                (address, if address.is_ipv4() { 32 } else { 128 })
            }
        };
        let maximum = if address.is_ipv4() { 32 } else { 128 };
        (prefix_length <= maximum).then_some(Network {
            address,
            prefix_length,
        })
    }

    fn contains(&self, address: IpAddr) -> bool {
        match (self.address, address) {
            (IpAddr::V4(network), IpAddr::V4(address)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix_length))
                    .unwrap_or(0);
                u32::from(network) & mask == u32::from(address) & mask
            }
            (IpAddr::V6(network), IpAddr::V6(address)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix_length))
                    .unwrap_or(0);
                u128::from(network) & mask == u128::from(address) & mask
            }
            _ => false,
        }
    }
}

/// ISO 8601 date-times (`2026-11-26T01:53:27Z`, with or without fractions or offsets), plain
/// dates (`2026-11-26`, meaning midnight UTC), or seconds since the Unix epoch.
pub(crate) fn parse_date(text: &str) -> Option<OffsetDateTime> {
    use time::format_description::well_known::{Iso8601, Rfc3339};
    let text = text.trim();
    if let Ok(seconds) = text.parse::<i64>() {
        return OffsetDateTime::from_unix_timestamp(seconds).ok();
    }
    if let Ok(date) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(date);
    }
    if let Ok(date) = OffsetDateTime::parse(text, &Iso8601::DEFAULT) {
        return Some(date);
    }
    let mut fields = text.splitn(3, '-');
    let year = fields.next()?.parse::<i32>().ok()?;
    let month = fields.next()?.parse::<u8>().ok()?;
    let day = fields.next()?.parse::<u8>().ok()?;
    let month = time::Month::try_from(month).ok()?;
    let date = time::Date::from_calendar_date(year, month, day).ok()?;
    Some(date.midnight().assume_utc())
}

fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

impl PolicyValues {
    /// Reads `raw` values for `kind`; `path` locates them in error messages.
    pub(crate) fn parse(
        kind: OperatorKind,
        raw: &[String],
        variables_enabled: bool,
        path: &str,
    ) -> Result<Self, PolicyError> {
        fn each<T>(
            raw: &[String],
            path: &str,
            read: impl Fn(&str) -> Option<T>,
            expected: &str,
        ) -> Result<Vec<T>, PolicyError> {
            raw.iter()
                .enumerate()
                .map(|(index, text)| {
                    read(text).ok_or_else(|| {
                        PolicyError::invalid(
                            &list_item_path(path, index, raw.len()),
                            format!("\"{text}\" is not {expected}"),
                        )
                    })
                })
                .collect()
        }
        Ok(match kind.family() {
            Family::String | Family::Arn => PolicyValues::Text(
                raw.iter()
                    .map(|text| Template::parse(text, variables_enabled))
                    .collect(),
            ),
            Family::Numeric => PolicyValues::Numbers(each(
                raw,
                path,
                |text| {
                    text.trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|number| number.is_finite())
                },
                "a number (for example \"10\" or \"2.5\")",
            )?),
            Family::Date => PolicyValues::Dates(each(
                raw,
                path,
                parse_date,
                "a date (ISO 8601 such as \"2026-11-26T12:00:00Z\", or epoch seconds)",
            )?),
            Family::Bool | Family::Null => PolicyValues::Bools(each(
                raw,
                path,
                parse_bool,
                "a boolean (\"true\" or \"false\")",
            )?),
            Family::Binary => PolicyValues::Binary(each(
                raw,
                path,
                decode_base64,
                "base64-encoded binary data",
            )?),
            Family::Ip => PolicyValues::Networks(each(
                raw,
                path,
                Network::parse,
                "an IP address or CIDR block (for example \"203.0.113.0/24\")",
            )?),
        })
    }

    /// Whether one request value matches at least one policy value under the positive form of
    /// `kind` (`StringNotEquals` compares as `StringEquals`; the caller negates).
    pub(crate) fn any_matches(&self, kind: OperatorKind, value: &str, context: &Context) -> bool {
        use OperatorKind::*;
        match self {
            PolicyValues::Text(templates) => templates.iter().any(|template| match kind {
                StringEquals | StringNotEquals => template
                    .resolve_text(context)
                    .is_some_and(|text| text == value),
                StringEqualsIgnoreCase | StringNotEqualsIgnoreCase => template
                    .resolve_text(context)
                    .is_some_and(|text| text.to_lowercase() == value.to_lowercase()),
                StringLike | StringNotLike => template.matches(value, context),
                // ArnEquals accepts wildcards exactly as ArnLike does.
                _ => template
                    .resolve(context)
                    .is_some_and(|segments| arn_matches(&segments, value)),
            }),
            PolicyValues::Numbers(numbers) => {
                let Some(actual) = value.trim().parse::<f64>().ok() else {
                    return false;
                };
                numbers.iter().any(|expected| match kind {
                    NumericLessThan => actual < *expected,
                    NumericLessThanEquals => actual <= *expected,
                    NumericGreaterThan => actual > *expected,
                    NumericGreaterThanEquals => actual >= *expected,
                    _ => actual == *expected,
                })
            }
            PolicyValues::Dates(dates) => {
                let Some(actual) = parse_date(value) else {
                    return false;
                };
                dates.iter().any(|expected| match kind {
                    DateLessThan => actual < *expected,
                    DateLessThanEquals => actual <= *expected,
                    DateGreaterThan => actual > *expected,
                    DateGreaterThanEquals => actual >= *expected,
                    _ => actual == *expected,
                })
            }
            PolicyValues::Bools(bools) => {
                parse_bool(value).is_some_and(|actual| bools.contains(&actual))
            }
            PolicyValues::Binary(blobs) => {
                decode_base64(value).is_some_and(|actual| blobs.contains(&actual))
            }
            PolicyValues::Networks(networks) => value
                .trim()
                .parse::<IpAddr>()
                .is_ok_and(|address| networks.iter().any(|network| network.contains(address))),
        }
    }
}

/// ARN operators compare each of the six colon-separated parts on its own, so a wildcard
/// never spans a colon before the resource part (which may itself hold colons).
fn arn_matches(pattern: &[Segment], value: &str) -> bool {
    const PARTS: usize = 6;
    let pattern_parts = split_segments(pattern, ':', PARTS);
    let value_parts: Vec<&str> = value.splitn(PARTS, ':').collect();
    pattern_parts.len() == PARTS
        && value_parts.len() == PARTS
        && pattern_parts
            .iter()
            .zip(&value_parts)
            .all(|(pattern, value)| Glob::from_segments(pattern).matches(value, false))
}

/// Splits segments at `separator` into at most `limit` groups; the last keeps the rest.
fn split_segments(segments: &[Segment], separator: char, limit: usize) -> Vec<Vec<Segment>> {
    let mut groups: Vec<Vec<Segment>> = vec![Vec::new()];
    for segment in segments {
        let (text, literal) = match segment {
            Segment::Pattern(text) => (text, false),
            Segment::Literal(text) => (text, true),
        };
        let mut current = String::new();
        for character in text.chars() {
            if character == separator && groups.len() < limit {
                push_text(groups.last_mut(), std::mem::take(&mut current), literal);
                groups.push(Vec::new());
            } else {
                current.push(character);
            }
        }
        push_text(groups.last_mut(), current, literal);
    }
    groups
}

fn push_text(group: Option<&mut Vec<Segment>>, text: String, literal: bool) {
    if let Some(group) = group
        && !text.is_empty()
    {
        group.push(if literal {
            Segment::Literal(text)
        } else {
            Segment::Pattern(text)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::{Network, arn_matches, parse_date};
    use crate::glob::Segment;

    #[test]
    fn networks_contain_addresses() {
        let cases = [
            ("203.0.113.0/24", "203.0.113.7", true),
            ("203.0.113.0/24", "203.0.114.7", false),
            ("203.0.113.7", "203.0.113.7", true),
            ("0.0.0.0/0", "8.8.8.8", true),
            ("2001:db8::/32", "2001:db8:1::5", true),
            ("2001:db8::/32", "2001:db9::5", false),
            ("203.0.113.0/24", "2001:db8::1", false),
        ];
        for (network, address, expected) in cases {
            let network = Network::parse(network).unwrap();
            assert_eq!(
                network.contains(address.parse().unwrap()),
                expected,
                "{address}"
            );
        }
        assert!(Network::parse("203.0.113.0/33").is_none());
        assert!(Network::parse("not-an-ip").is_none());
    }

    #[test]
    fn dates_in_every_documented_form() {
        let expected = parse_date("2020-01-01T00:00:00Z").unwrap();
        for text in [
            "2020-01-01",
            "2020-01-01T00:00:00.000Z",
            "2020-01-01T01:00:00+01:00",
            "1577836800",
        ] {
            assert_eq!(parse_date(text), Some(expected), "{text}");
        }
        assert!(parse_date("yesterday").is_none());
    }

    #[test]
    fn arn_parts_match_separately() {
        let pattern = |text: &str| vec![Segment::Pattern(text.to_owned())];
        let cases = [
            (
                "arn:aws:bedrock:us-east-1:111122223333:model-customization-job/*",
                "arn:aws:bedrock:us-east-1:111122223333:model-customization-job/base:1/abc",
                true,
            ),
            (
                "arn:aws:bedrock:*:111122223333:*",
                "arn:aws:bedrock:us-west-2:111122223333:custom-model/x",
                true,
            ),
            ("arn:aws:*", "arn:aws:s3:::bucket", false),
            ("arn:aws:s3:::bucket", "arn:aws:s3:::bucket", true),
            ("arn:aws:iam::*:role/x", "arn:aws:iam::1:role/y", false),
            ("arn:aws:s3:::b*", "not-an-arn", false),
        ];
        for (policy, value, expected) in cases {
            assert_eq!(
                arn_matches(&pattern(policy), value),
                expected,
                "{policy} vs {value}"
            );
        }
    }
}
