use std::collections::BTreeMap;

/// Request context: condition key -> values. Keys compare case-insensitively, as in IAM.
pub type Context = BTreeMap<String, Vec<String>>;

/// The values of `key`, found case-insensitively; `None` when the request lacks the key.
pub(crate) fn lookup<'a>(context: &'a Context, key: &str) -> Option<&'a [String]> {
    if let Some(values) = context.get(key) {
        return Some(values);
    }
    context
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(key))
        .map(|(_, values)| values.as_slice())
}
