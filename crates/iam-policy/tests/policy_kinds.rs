//! Rules by where a policy is used, and duplicate statement ids.

use lathe_iam_policy::PolicyDocument;

const TRUST: &str = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
    "Action": "sts:AssumeRole", "Principal": {"Service": "bedrock.amazonaws.com"}}}"#;
const IDENTITY: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}"#;

const NO_RESOURCE: &str = r#"{"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
    {"Effect": "Allow", "Action": "s3:PutObject"}]}"#;
const NO_PRINCIPAL: &str =
    r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "sts:AssumeRole"}}"#;

/// Where a policy is used, which decides the rules it must follow.
#[derive(Debug, Clone, Copy)]
enum Use {
    Trust,
    Identity,
}

fn check(document: &str, used_as: Use) -> Result<(), String> {
    let document = PolicyDocument::parse(document).unwrap();
    let checked = match used_as {
        Use::Trust => document.check_trust_policy(),
        Use::Identity => document.check_identity_policy(),
    };
    checked.map_err(|error| error.to_string())
}

#[test]
fn each_kind_accepts_its_own_shape_and_names_what_is_missing() {
    let cases = [
        (TRUST, Use::Trust, None),
        (IDENTITY, Use::Identity, None),
        (
            TRUST,
            Use::Identity,
            Some(
                "Statement: has prohibited element \"Principal\" (or \"NotPrincipal\"): an identity-based policy applies to whoever it is attached to; remove it",
            ),
        ),
        (
            IDENTITY,
            Use::Trust,
            Some(
                "Statement[0]: has prohibited element \"Resource\" (or \"NotResource\"): a trust policy's resource is the role itself; remove it",
            ),
        ),
        (
            NO_RESOURCE,
            Use::Identity,
            Some(
                "Statement[1]: must contain \"Resource\" (or \"NotResource\"), for example \"arn:aws:s3:::bucket/*\" or \"*\"",
            ),
        ),
        (
            NO_PRINCIPAL,
            Use::Trust,
            Some(
                "Statement: must contain \"Principal\", for example {\"Service\": \"bedrock.amazonaws.com\"}",
            ),
        ),
    ];
    for (document, used_as, expected) in cases {
        let expected = expected.map_or(Ok(()), |message| Err(message.to_string()));
        assert_eq!(
            check(document, used_as),
            expected,
            "{used_as:?}: {document}"
        );
    }
}

#[test]
fn statement_ids_are_unique() {
    let error = PolicyDocument::parse(
        r#"{"Version": "2012-10-17", "Statement": [
            {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
            {"Sid": "", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"},
            {"Sid": "", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"},
            {"Sid": "Read", "Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"}]}"#,
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "Statement[3].Sid: \"Read\" is already the Sid of Statement[0]; statement ids in one policy must be unique"
    );
}
