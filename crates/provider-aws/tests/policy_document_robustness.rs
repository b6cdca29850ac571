//! Source and override documents are user input: every truncation and single-byte
//! substitution of one renders or fails with an error, never a panic.

use lathe_provider_aws::policy_document::{PolicyDocumentArguments, render};

const SOURCE: &str = r#"{"Version": "2012-10-17", "Id": "x", "Statement": [{"Sid": "A", "Effect": "Deny", "Action": ["ec2:CreateTags", 1.5e30], "Resource": "arn:aws:ec2:*:*:vpc/*", "Principal": {"AWS": ["b", "a"], "Service": "s"}, "NotPrincipal": "*", "Condition": {"Null": {"k": false}, "StringLike": {"a": ["1"], "b": "2", "n": 3}}}]}"#;

#[test]
fn mutated_source_documents_never_panic() {
    let bytes = SOURCE.as_bytes();
    let mut variants: Vec<Vec<u8>> = (0..bytes.len()).map(|end| bytes[..end].to_vec()).collect();
    for position in 0..bytes.len() {
        for replacement in [b'"', b'{', b'}', b'[', b']', b',', b':', b'1', b'<'] {
            let mut variant = bytes.to_vec();
            variant[position] = replacement;
            variants.push(variant);
        }
    }
    let (mut rendered, mut rejected) = (0, 0);
    for variant in variants {
        let Ok(text) = String::from_utf8(variant) else {
            continue;
        };
        for arguments in [
            PolicyDocumentArguments {
                source_policy_documents: vec![Some(text.clone())],
                ..Default::default()
            },
            PolicyDocumentArguments {
                override_policy_documents: vec![Some(text.clone())],
                ..Default::default()
            },
        ] {
            match render(&arguments) {
                Ok(output) => {
                    rendered += 1;
                    let reparsed: Result<serde_json::Value, _> = serde_json::from_str(&output.json);
                    assert!(
                        reparsed.is_ok(),
                        "{text} rendered invalid JSON: {}",
                        output.json
                    );
                }
                Err(error) => {
                    rejected += 1;
                    assert!(!error.to_string().is_empty());
                }
            }
        }
    }
    assert!(
        rendered > 100 && rejected > 1000,
        "rendered {rendered}, rejected {rejected}"
    );
}
