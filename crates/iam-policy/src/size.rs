//! IAM's size quotas for policy text, which it measures without white space.

/// A customer managed policy (CreatePolicy, CreatePolicyVersion).
pub const MANAGED_POLICY_SIZE_LIMIT: usize = 6_144;
/// A role's trust policy, at the default quota.
pub const TRUST_POLICY_SIZE_LIMIT: usize = 2_048;
/// All inline policies of one role together.
pub const ROLE_INLINE_POLICIES_SIZE_LIMIT: usize = 10_240;

/// The size IAM counts against its quotas: characters other than white space.
pub fn policy_size(text: &str) -> usize {
    text.chars()
        .filter(|character| !character.is_whitespace())
        .count()
}

#[cfg(test)]
mod tests {
    use super::policy_size;

    #[test]
    fn white_space_does_not_count() {
        let cases = [
            ("", 0),
            ("{}", 2),
            ("{\n  \"Version\": \"2012-10-17\"\n}", 24),
            ("\"é\"", 3),
        ];
        for (text, expected) in cases {
            assert_eq!(policy_size(text), expected, "{text:?}");
        }
    }
}
