//! The order in which Terraform's plugin SDK lists a schema set: elements sorted by the
//! decimal text of their CRC-32 hash, duplicates (same hash) dropped. A block's hash covers
//! its attributes serialized in name order, as `SerializeResourceForHash` does; this order
//! decides, for example, the order of `principals` blocks in the rendered JSON.

use super::checksum::crc32;

/// The elements of a set of strings, in the SDK's order.
pub(crate) fn strings(values: &[String]) -> Vec<String> {
    ordered(values.to_vec(), |value| value.clone())
}

/// Set elements in the SDK's order, given how each element serializes for hashing.
pub(crate) fn ordered<T>(items: Vec<T>, serialize: impl Fn(&T) -> String) -> Vec<T> {
    let mut keyed: Vec<(String, T)> = Vec::with_capacity(items.len());
    for item in items {
        let key = crc32(serialize(&item).as_bytes()).to_string();
        if !keyed.iter().any(|(existing, _)| *existing == key) {
            keyed.push((key, item));
        }
    }
    keyed.sort_by(|left, right| left.0.cmp(&right.0));
    keyed.into_iter().map(|(_, item)| item).collect()
}

/// A string attribute's serialization: `value;`.
pub(crate) fn serialize_string(buffer: &mut String, value: &str) {
    buffer.push_str(value);
    buffer.push(';');
}

/// A set of strings: `{a;b;};`, its elements in set order.
pub(crate) fn serialize_string_set(buffer: &mut String, values: &[String]) {
    buffer.push('{');
    for value in strings(values) {
        serialize_string(buffer, &value);
    }
    buffer.push_str("};");
}

/// A list of strings: `(a;b;);`, in list order.
pub(crate) fn serialize_string_list(buffer: &mut String, values: &[String]) {
    buffer.push('(');
    for value in values {
        serialize_string(buffer, value);
    }
    buffer.push_str(");");
}

#[cfg(test)]
mod tests {
    use super::strings;

    #[test]
    fn orders_by_hash_text_and_drops_duplicates() {
        let values: Vec<String> = [
            "s3:GetObject",
            "s3:PutObject",
            "s3:GetObject",
            "s3:ListBucket",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        let listed = strings(&values);
        assert_eq!(listed.len(), 3);
        let keys: Vec<String> = listed
            .iter()
            .map(|value| super::crc32(value.as_bytes()).to_string())
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
    }
}
