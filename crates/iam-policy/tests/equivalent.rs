//! Policy texts that differ only in form compare equal; any change of meaning does not
//! (the rules of the AWS provider's "no diff on a reformatted policy").

use lathe_iam_policy::equivalent;

const BASE: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
   "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]},
  {"Effect": "Allow", "Action": "sts:AssumeRole",
   "Principal": {"Service": "bedrock.amazonaws.com", "AWS": ["arn:aws:iam::111122223333:root"]},
   "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"},
                 "Bool": {"aws:SecureTransport": "true"}}}
]}"#;

#[test]
fn same_meaning_in_another_form() {
    let cases = [
        (
            "whitespace and key order",
            r#"{"Statement":[{"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Action":["s3:GetObject","s3:ListBucket"],"Effect":"Allow","Sid":"Read"},{"Condition":{"Bool":{"aws:SecureTransport":"true"},"StringEquals":{"aws:SourceAccount":"111122223333"}},"Principal":{"AWS":"arn:aws:iam::111122223333:root","Service":"bedrock.amazonaws.com"},"Action":"sts:AssumeRole","Effect":"Allow"}],"Version":"2012-10-17"}"#,
        ),
        (
            "statement order, list order, one-item lists, boolean and account id forms",
            r#"{"Version": "2012-10-17", "Statement": [
              {"Effect": "allow", "Action": ["sts:AssumeRole"],
               "Principal": {"AWS": "111122223333", "Service": ["bedrock.amazonaws.com"]},
               "Condition": {"Bool": {"aws:SecureTransport": true},
                             "StringEquals": {"aws:SourceAccount": ["111122223333"]}}},
              {"Sid": "Read", "Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject"],
               "Resource": ["arn:aws:s3:::b/*", "arn:aws:s3:::b"]}
            ]}"#,
        ),
    ];
    for (name, other) in cases {
        assert!(equivalent(BASE, other), "{name}");
        assert!(equivalent(other, BASE), "{name} (reversed)");
    }
}

#[test]
fn changed_meaning_is_not_equivalent() {
    let changes = [
        ("another Sid", r#""Sid": "Read""#, r#""Sid": "Reads""#),
        (
            "another effect",
            r#""Effect": "Allow", "Action": ["s3"#,
            r#""Effect": "Deny", "Action": ["s3"#,
        ),
        (
            "an action fewer",
            r#"["s3:GetObject", "s3:ListBucket"]"#,
            r#""s3:GetObject""#,
        ),
        (
            "another resource",
            r#""arn:aws:s3:::b/*""#,
            r#""arn:aws:s3:::c/*""#,
        ),
        (
            "another account",
            r#""aws:SourceAccount": "111122223333""#,
            r#""aws:SourceAccount": "444455556666""#,
        ),
        ("another operator", r#""StringEquals""#, r#""StringLike""#),
        (
            "another root",
            r#"["arn:aws:iam::111122223333:root"]"#,
            r#"["arn:aws:iam::444455556666:root"]"#,
        ),
        (
            "another version",
            r#""Version": "2012-10-17""#,
            r#""Version": "2008-10-17""#,
        ),
        (
            "Action becomes NotAction",
            r#""Action": "sts:AssumeRole""#,
            r#""NotAction": "sts:AssumeRole""#,
        ),
    ];
    for (name, from, to) in changes {
        assert!(BASE.contains(from), "{name}: the base lacks {from}");
        let changed = BASE.replacen(from, to, 1);
        assert!(!equivalent(BASE, &changed), "{name}");
    }
}

#[test]
fn statements_match_one_to_one() {
    let twice = r#"{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#;
    let other = r#"{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]}"#;
    assert!(!equivalent(twice, other));
    assert!(!equivalent(other, twice));
    let single = r#"{"Version": "2012-10-17", "Statement":
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}"#;
    let listed = r#"{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["*"]}]}"#;
    assert!(equivalent(single, listed));
}

#[test]
fn wildcard_principal_forms_differ() {
    // IAM accepts {"AWS": "*"} where it rejects "*" in trust policies, so they are not
    // interchangeable.
    let everyone = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Principal": "*"}}"#;
    let every_aws = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Principal": {"AWS": "*"}}}"#;
    assert!(!equivalent(everyone, every_aws));
}

#[test]
fn non_policies_are_equivalent_to_nothing() {
    for text in [
        "",
        "{",
        "[]",
        r#"{"Version": "2012-10-17"}"#,
        r#"{"Statement": "x"}"#,
    ] {
        assert!(!equivalent(text, text), "{text:?}");
    }
}
