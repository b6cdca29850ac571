//! Policy documents as IAM returns and lathe stores them: compared by meaning, so whitespace,
//! ordering and one-item lists never show as a change.

use std::collections::BTreeMap;

use lathe_config::value::Value;
use lathe_core::provider::ProviderError;

/// IAM returns documents URL-encoded (RFC 3986); some emulators return them plain.
pub fn decode_document(text: &str) -> Result<String, ProviderError> {
    if text.trim_start().starts_with('{') {
        return Ok(text.to_string());
    }
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .map(|decoded| decoded.into_owned())
        .map_err(|error| {
            ProviderError::new(format!(
                "IAM returned a policy document that is not valid URL-encoded UTF-8: {error}"
            ))
        })
}

/// Which text to keep: the one already known when it means the same, so a refresh or plan
/// never reports a change of formatting.
pub fn keep_equivalent(known: Option<&str>, fresh: String) -> String {
    match known {
        Some(known) if known == fresh || lathe_iam_policy::equivalent(known, &fresh) => {
            known.to_string()
        }
        _ => fresh,
    }
}

/// Before planning: where the configured document means the same as the prior one, plan the
/// prior text, so only a change of meaning is a change.
pub fn configure_like_prior(config: &Value, prior: Option<&Value>, attributes: &[&str]) -> Value {
    let (Value::Object(entries), Some(Value::Object(prior))) = (config, prior) else {
        return config.clone();
    };
    let mut adjusted: BTreeMap<String, Value> = entries.clone();
    for name in attributes {
        if let (Some(Value::String(configured)), Some(Value::String(before))) =
            (entries.get(*name), prior.get(*name))
            && configured != before
            && lathe_iam_policy::equivalent(configured, before)
        {
            adjusted.insert((*name).to_string(), Value::String(before.clone()));
        }
    }
    Value::Object(adjusted)
}

/// A document the configuration gave must at least be JSON; IAM's own message is vaguer.
pub fn check_document(text: &str, attribute: &str) -> Result<(), ProviderError> {
    serde_json::from_str::<serde_json::Value>(text)
        .map(|_| ())
        .map_err(|error| {
            ProviderError::at_attribute(
                format!(
                    "`{attribute}` is not valid JSON ({error}); build it with jsonencode(...) or an aws_iam_policy_document data source"
                ),
                attribute,
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_decode_whether_or_not_encoded() {
        let cases = [
            (
                "%7B%22Version%22%3A%222012-10-17%22%7D",
                r#"{"Version":"2012-10-17"}"#,
            ),
            (r#"{"Version":"2012-10-17"}"#, r#"{"Version":"2012-10-17"}"#),
        ];
        for (input, expected) in cases {
            assert_eq!(decode_document(input).unwrap(), expected);
        }
    }

    #[test]
    fn equivalent_texts_keep_the_known_one() {
        let known = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
        let reordered = r#"{ "Statement": [ { "Resource": ["*"], "Action": ["s3:GetObject"], "Effect": "Allow" } ], "Version": "2012-10-17" }"#;
        assert_eq!(keep_equivalent(Some(known), reordered.to_string()), known);
        let different = known.replace("GetObject", "PutObject");
        assert_eq!(keep_equivalent(Some(known), different.clone()), different);
    }
}
