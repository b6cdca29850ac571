//! Date and time functions: `timestamp`, `formatdate` and `timeadd`, on RFC 3339 strings.

use super::{CallError, Function, FunctionContext, argument_error, function, string_argument};
use crate::value::Value;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

pub(super) const FUNCTIONS: &[Function] = &[
    function("timestamp", "timestamp()", 0, Some(0), timestamp),
    function(
        "formatdate",
        "formatdate(spec, timestamp)",
        2,
        Some(2),
        formatdate,
    ),
    function(
        "timeadd",
        "timeadd(timestamp, duration)",
        2,
        Some(2),
        timeadd,
    ),
];

fn timestamp(_: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let now = OffsetDateTime::now_utc();
    let now = now.replace_nanosecond(0).unwrap_or(now);
    format_rfc3339(now)
}

fn format_rfc3339(moment: OffsetDateTime) -> Result<Value, CallError> {
    moment
        .format(&Rfc3339)
        .map(Value::String)
        .map_err(|error| CallError::Failed(format!("cannot format the time: {error}")))
}

fn parse_timestamp(arguments: &[Value], index: usize) -> Result<OffsetDateTime, CallError> {
    let text = string_argument(arguments, index)?;
    OffsetDateTime::parse(&text, &Rfc3339).map_err(|_| {
        argument_error(
            index,
            format!(
                "\"{text}\" is not a valid RFC 3339 timestamp, such as \"2017-11-22T00:00:00Z\""
            ),
        )
    })
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Terraform's `formatdate` spec: runs of one letter are fields (YYYY, MM, DD, hh, mm, ss, ...),
/// text in single quotes is literal, other characters are copied.
fn formatdate(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let spec: Vec<char> = string_argument(arguments, 0)?.chars().collect();
    let moment = parse_timestamp(arguments, 1)?;
    let mut out = String::new();
    let mut position = 0;
    while position < spec.len() {
        let c = spec[position];
        if c == '\'' {
            // Quoted literal text; a doubled quote stands for one quote, inside or outside.
            if spec.get(position + 1) == Some(&'\'') {
                out.push('\'');
                position += 2;
                continue;
            }
            position += 1;
            loop {
                match (spec.get(position), spec.get(position + 1)) {
                    (Some('\''), Some('\'')) => {
                        out.push('\'');
                        position += 2;
                    }
                    (Some('\''), _) => {
                        position += 1;
                        break;
                    }
                    (Some(&literal), _) => {
                        out.push(literal);
                        position += 1;
                    }
                    (None, _) => {
                        return Err(argument_error(
                            0,
                            "unterminated literal in format spec: close it with '",
                        ));
                    }
                }
            }
            continue;
        }
        if !c.is_ascii_alphabetic() {
            out.push(c);
            position += 1;
            continue;
        }
        let run = spec[position..]
            .iter()
            .take_while(|&&other| other == c)
            .count();
        let token: String = spec[position..position + run].iter().collect();
        position += run;
        let hour12 = match moment.hour() % 12 {
            0 => 12,
            hour => hour,
        };
        let offset = moment.offset();
        let (offset_hours, offset_minutes) =
            (offset.whole_hours(), offset.minutes_past_hour().abs());
        let sign = if offset.is_negative() { '-' } else { '+' };
        let month = MONTHS[usize::from(u8::from(moment.month())) - 1];
        let weekday = moment.weekday().to_string();
        let field = match token.as_str() {
            "YYYY" => format!("{:04}", moment.year()),
            "YY" => format!("{:02}", moment.year() % 100),
            "MMMM" => month.to_string(),
            "MMM" => month[..3].to_string(),
            "MM" => format!("{:02}", u8::from(moment.month())),
            "M" => u8::from(moment.month()).to_string(),
            "DD" => format!("{:02}", moment.day()),
            "D" => moment.day().to_string(),
            "EEEE" => weekday,
            "EEE" => weekday[..3].to_string(),
            "hh" => format!("{:02}", moment.hour()),
            "h" => moment.hour().to_string(),
            "HH" => format!("{hour12:02}"),
            "H" => hour12.to_string(),
            "AA" => if moment.hour() < 12 { "AM" } else { "PM" }.to_string(),
            "aa" => if moment.hour() < 12 { "am" } else { "pm" }.to_string(),
            "mm" => format!("{:02}", moment.minute()),
            "m" => moment.minute().to_string(),
            "ss" => format!("{:02}", moment.second()),
            "s" => moment.second().to_string(),
            "ZZZZZ" => format!("{sign}{:02}:{offset_minutes:02}", offset_hours.abs()),
            "ZZZZ" => format!("{sign}{:02}{offset_minutes:02}", offset_hours.abs()),
            "ZZZ" if offset.is_utc() => "UTC".to_string(),
            "ZZZ" => format!("{sign}{:02}{offset_minutes:02}", offset_hours.abs()),
            "Z" if offset.is_utc() => "Z".to_string(),
            "Z" => format!("{sign}{:02}:{offset_minutes:02}", offset_hours.abs()),
            other => {
                return Err(argument_error(
                    0,
                    format!(
                        "invalid date format verb \"{other}\"; put literal letters in single quotes"
                    ),
                ));
            }
        };
        out.push_str(&field);
    }
    Ok(Value::String(out))
}

/// Parses Go's duration syntax as `timeadd` accepts it: "1h30m", "-10m", "90s", "1.5h".
fn parse_duration(text: &str) -> Option<Duration> {
    let (negative, mut rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if rest.is_empty() {
        return None;
    }
    if rest == "0" {
        return Some(Duration::ZERO);
    }
    let mut total = 0.0_f64;
    while !rest.is_empty() {
        let number_length = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..number_length].parse().ok()?;
        rest = &rest[number_length..];
        let unit_length = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds = match &rest[..unit_length] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        rest = &rest[unit_length..];
        total += number * seconds;
    }
    let duration = Duration::checked_seconds_f64(total)?;
    Some(if negative { -duration } else { duration })
}

fn timeadd(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let moment = parse_timestamp(arguments, 0)?;
    let text = string_argument(arguments, 1)?;
    let duration = parse_duration(&text).ok_or_else(|| {
        argument_error(
            1,
            format!(
                "\"{text}\" is not a valid duration; write e.g. \"1h30m\", \"-10m\" or \"45s\""
            ),
        )
    })?;
    let result = moment
        .checked_add(duration)
        .ok_or_else(|| CallError::Failed("the resulting time is out of range".into()))?;
    format_rfc3339(result)
}

#[cfg(test)]
mod tests {
    use crate::functions::test_support::{check, evaluate};
    use std::path::Path;

    #[test]
    fn date_functions_match_terraform_documentation() {
        check(&[
            (
                r#"formatdate("DD MMM YYYY hh:mm ZZZ", "2018-01-02T23:12:01Z")"#,
                r#""02 Jan 2018 23:12 UTC""#,
            ),
            (
                r#"formatdate("EEEE, DD-MMM-YY hh:mm:ss ZZZ", "2018-01-02T23:12:01Z")"#,
                r#""Tuesday, 02-Jan-18 23:12:01 UTC""#,
            ),
            (
                r#"formatdate("EEE, DD MMM YYYY hh:mm:ss ZZZ", "2018-01-02T23:12:01-08:00")"#,
                r#""Tue, 02 Jan 2018 23:12:01 -0800""#,
            ),
            (
                r#"formatdate("MMM DD, YYYY", "2018-01-02T23:12:01Z")"#,
                r#""Jan 02, 2018""#,
            ),
            (
                r#"formatdate("HH:mmaa", "2018-01-02T23:12:01Z")"#,
                r#""11:12pm""#,
            ),
            (
                r#"formatdate("h'h'mm", "2018-01-02T03:04:05Z")"#,
                r#""3h04""#,
            ),
            (
                r#"formatdate("YYYYMMDDhhmmss", "2024-06-30T08:09:10Z")"#,
                r#""20240630080910""#,
            ),
            (
                r#"formatdate("'It''s' D", "2024-06-30T08:09:10Z")"#,
                r#""It's 30""#,
            ),
            (
                r#"formatdate("'open", "2024-06-30T08:09:10Z")"#,
                "error: unterminated literal",
            ),
            (
                r#"formatdate("Q", "2024-06-30T08:09:10Z")"#,
                "error: invalid date format verb \"Q\"",
            ),
            (
                r#"formatdate("YYYY", "yesterday")"#,
                "error: not a valid RFC 3339 timestamp",
            ),
            (
                r#"timeadd("2017-11-22T00:00:00Z", "10m")"#,
                r#""2017-11-22T00:10:00Z""#,
            ),
            (
                r#"timeadd("2017-11-22T00:00:00Z", "1h30m")"#,
                r#""2017-11-22T01:30:00Z""#,
            ),
            (
                r#"timeadd("2017-11-22T00:00:00Z", "-24h")"#,
                r#""2017-11-21T00:00:00Z""#,
            ),
            (
                r#"timeadd("2017-11-22T00:00:00Z", "1.5h")"#,
                r#""2017-11-22T01:30:00Z""#,
            ),
            (
                r#"timeadd("2017-11-22T00:00:00Z", "ten minutes")"#,
                "error: not a valid duration",
            ),
        ]);
    }

    #[test]
    fn timestamp_is_now_in_rfc3339() {
        let timestamp = evaluate("timestamp()", Path::new(".")).unwrap();
        let timestamp = timestamp.as_str().unwrap();
        assert!(
            timestamp.ends_with('Z') && timestamp.len() == 20,
            "{timestamp}"
        );
        assert_eq!(&timestamp[10..11], "T");
        assert_eq!(
            evaluate(
                &format!("formatdate(\"YYYY\", \"{timestamp}\")"),
                Path::new(".")
            )
            .unwrap()
            .as_str(),
            Some(&timestamp[..4])
        );
    }
}
