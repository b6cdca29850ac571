//! Names generated from a prefix the way the Terraform AWS provider generates them, so a
//! `name_prefix` yields the same shape of name (`BedrockCM-20261126021502123400000001`).

use std::sync::atomic::{AtomicU32, Ordering};

use time::OffsetDateTime;

/// The length of what follows the prefix: 18 digits of timestamp and 8 hex digits of counter.
pub const UNIQUE_SUFFIX_LENGTH: usize = 26;

/// The prefix Terraform uses when neither a name nor a prefix is configured.
pub const DEFAULT_PREFIX: &str = "terraform-";

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// `prefix` + UTC time to a ten-thousandth of a second + a process-wide counter, as
/// terraform-plugin-sdk's `id.PrefixedUniqueId` does.
pub fn prefixed_unique_id(prefix: &str) -> String {
    prefixed_unique_id_at(prefix, OffsetDateTime::now_utc())
}

pub fn prefixed_unique_id_at(prefix: &str, now: OffsetDateTime) -> String {
    let counter = COUNTER.fetch_add(1, Ordering::SeqCst).wrapping_add(1);
    format!(
        "{prefix}{:04}{:02}{:02}{:02}{:02}{:02}{:04}{counter:08x}",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.nanosecond() / 100_000,
    )
}

/// Whether `name` could have come from `prefix` (used to recognise generated names on import).
pub fn has_generated_suffix(name: &str, prefix: &str) -> bool {
    name.strip_prefix(prefix).is_some_and(|suffix| {
        suffix.len() == UNIQUE_SUFFIX_LENGTH
            && suffix[..18].bytes().all(|byte| byte.is_ascii_digit())
            && suffix[18..].bytes().all(|byte| byte.is_ascii_hexdigit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_have_terraforms_shape() {
        let now = time::macros::datetime!(2026-11-26 02:15:02.123456 UTC);
        let first = prefixed_unique_id_at("BedrockCM-", now);
        let second = prefixed_unique_id_at("BedrockCM-", now);
        assert!(first.starts_with("BedrockCM-202611260215021234"), "{first}");
        assert_eq!(first.len(), "BedrockCM-".len() + UNIQUE_SUFFIX_LENGTH);
        assert_ne!(
            first, second,
            "the counter separates names made in the same instant"
        );
        assert!(has_generated_suffix(&first, "BedrockCM-"));
        assert!(!has_generated_suffix("BedrockCM-role", "BedrockCM-"));
    }
}
