//! Bucket name and object key rules, as AWS enforces them.

use s3s::{S3Error, S3ErrorCode, S3Result};

/// Longest key AWS accepts, in UTF-8 bytes.
pub const MAX_KEY_BYTES: usize = 1024;

/// General-purpose bucket naming rules from the S3 user guide.
pub fn check_bucket_name(name: &str) -> S3Result<()> {
    let problem = bucket_name_problem(name);
    match problem {
        None => Ok(()),
        Some(reason) => Err(S3Error::with_message(
            S3ErrorCode::InvalidBucketName,
            format!("The specified bucket is not valid: {name:?} {reason}"),
        )),
    }
}

fn bucket_name_problem(name: &str) -> Option<&'static str> {
    let bytes = name.as_bytes();
    if !(3..=63).contains(&bytes.len()) {
        return Some("must be between 3 and 63 characters long");
    }
    if !bytes
        .iter()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'.' || *b == b'-')
    {
        return Some("may contain only lowercase letters, digits, dots and hyphens");
    }
    let alphanumeric = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !alphanumeric(bytes[0]) || !alphanumeric(bytes[bytes.len() - 1]) {
        return Some("must begin and end with a letter or digit");
    }
    if name.contains("..") {
        return Some("must not contain two adjacent dots");
    }
    if name.split('.').count() == 4 && name.split('.').all(|p| p.parse::<u8>().is_ok()) {
        return Some("must not be formatted as an IP address");
    }
    for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] {
        if name.starts_with(prefix) {
            return Some("must not start with a reserved prefix (xn--, sthree-, amzn-s3-demo-)");
        }
    }
    for suffix in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] {
        if name.ends_with(suffix) {
            return Some("must not end with a reserved suffix (-s3alias, --ol-s3, .mrap, --x-s3)");
        }
    }
    None
}

/// Lets every bucket name through the protocol layer, so that CreateBucket can refuse a bad
/// one with a message saying which rule it breaks (s3s's own check gives none); names that
/// no bucket can have simply find no bucket elsewhere.
#[derive(Debug, Default)]
pub struct DeferredNameCheck;

impl s3s::validation::NameValidation for DeferredNameCheck {
    fn validate_bucket_name(&self, name: &str) -> bool {
        !name.is_empty() && name.len() <= 255
    }
}

/// Keys are opaque: anything non-empty up to 1024 bytes is a key (`../x` included).
pub fn check_key(key: &str) -> S3Result<()> {
    if key.is_empty() {
        return Err(S3Error::with_message(
            S3ErrorCode::InvalidArgument,
            "The object key must not be empty.",
        ));
    }
    if key.len() > MAX_KEY_BYTES {
        return Err(S3Error::with_message(
            S3ErrorCode::KeyTooLongError,
            format!(
                "Your key is too long: {} bytes, the limit is {MAX_KEY_BYTES}.",
                key.len()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_names_follow_the_user_guide() {
        let cases: &[(&str, bool)] = &[
            ("my-bucket", true),
            ("a.b.c", true),
            ("abc", true),
            ("terraform-20261126015328123400000001", true),
            ("ab", false),
            (&"a".repeat(64), false),
            ("My-Bucket", false),
            ("-bucket", false),
            ("bucket-", false),
            ("a..b", false),
            ("192.168.5.4", false),
            ("xn--bucket", false),
            ("bucket-s3alias", false),
            ("under_score", false),
        ];
        for (name, valid) in cases {
            assert_eq!(check_bucket_name(name).is_ok(), *valid, "{name}");
        }
    }

    #[test]
    fn keys_are_opaque_up_to_the_length_limit() {
        for key in [
            "../x",
            "/abs",
            "a//b",
            "./.",
            "ünïcödé",
            "with space",
            "%2e%2e",
        ] {
            assert!(check_key(key).is_ok(), "{key}");
        }
        assert!(check_key(&"k".repeat(1024)).is_ok());
        assert!(check_key(&"k".repeat(1025)).is_err());
        assert!(check_key("").is_err());
    }
}
