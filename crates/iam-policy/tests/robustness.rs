//! User input never panics: every truncation and every single-byte substitution of a set of
//! valid documents either parses or fails with an error, and whatever parses can be evaluated
//! and compared.

use lathe_iam_policy::{PolicyDocument, Request, equivalent, evaluate};

const DOCUMENTS: [&str; 3] = [
    r#"{"Version": "2012-10-17", "Statement": [{"Sid": "A", "Effect": "Allow", "Action": ["s3:Get*", "s3:List?ucket"], "Resource": "arn:aws:s3:::b/${aws:username}/*", "Condition": {"ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["k${*}", "${aws:PrincipalTag/team, 'x'}"]}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}"#,
    r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "NotAction": "iam:*", "NotResource": ["*"], "NotPrincipal": {"AWS": ["111122223333", "arn:aws:iam::111122223333:role/r"]}, "Condition": {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}, "NumericLessThanEquals": {"s3:max-keys": 10}, "Bool": {"aws:SecureTransport": true}, "BinaryEquals": {"k": "QUJD"}, "Null": {"x": "false"}, "ArnLike": {"aws:SourceArn": "arn:aws:bedrock:*:*:*"}}}}"#,
    r#"{"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": "*"}]}"#,
];

const REPLACEMENTS: [u8; 10] = [b'"', b'{', b'}', b'[', b']', b',', b':', b'*', b'$', b'0'];

#[test]
fn mutated_documents_never_panic() {
    let request = Request::new("s3:GetObject", "arn:aws:s3:::b/alice/k")
        .with_context("aws:username", "alice")
        .with_context("aws:TagKeys", "k*")
        .with_context("aws:SourceIp", "10.1.2.3")
        .with_context("aws:CurrentTime", "2026-11-26T00:00:00Z")
        .with_context("s3:max-keys", "5");
    let mut parsed = 0;
    let mut rejected = 0;
    for document in DOCUMENTS {
        let bytes = document.as_bytes();
        let mut variants: Vec<Vec<u8>> =
            (0..bytes.len()).map(|end| bytes[..end].to_vec()).collect();
        for position in 0..bytes.len() {
            for replacement in REPLACEMENTS {
                let mut variant = bytes.to_vec();
                variant[position] = replacement;
                variants.push(variant);
            }
        }
        for variant in variants {
            let Ok(text) = String::from_utf8(variant) else {
                continue;
            };
            // Comparison reads any JSON, valid policy or not.
            equivalent(&text, document);
            match PolicyDocument::parse(&text) {
                Ok(policy) => {
                    parsed += 1;
                    evaluate(std::slice::from_ref(&policy), &request);
                    for warning in policy.lint() {
                        assert!(warning.line_column(&text).is_some(), "{warning}");
                    }
                    assert!(equivalent(&text, &text), "{text}");
                }
                Err(error) => {
                    rejected += 1;
                    assert!(!error.to_string().is_empty());
                    if let Some((line, column)) = error.line_column(&text) {
                        assert!(line >= 1 && column >= 1, "{error}");
                    }
                }
            }
        }
    }
    assert!(
        parsed > 100 && rejected > 1000,
        "parsed {parsed}, rejected {rejected}"
    );
    eprintln!("{parsed} variants parsed, {rejected} rejected");
}
