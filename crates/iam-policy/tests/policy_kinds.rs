//! Rules by where a policy is used, and duplicate statement ids.

use lathe_iam_policy::PolicyDocument;

const TRUST: &str = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
    "Action": "sts:AssumeRole", "Principal": {"Service": "bedrock.amazonaws.com"}}}"#;
const IDENTITY: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}"#;

#[test]
fn each_kind_accepts_its_own_shape_only() {
    let trust = PolicyDocument::parse(TRUST).unwrap();
    let identity = PolicyDocument::parse(IDENTITY).unwrap();
    assert_eq!(trust.check_trust_policy(), Ok(()));
    assert_eq!(identity.check_identity_policy(), Ok(()));
    assert_eq!(
        trust.check_identity_policy().unwrap_err().to_string(),
        "Statement: has prohibited element \"Principal\" (or \"NotPrincipal\"): an identity-based policy applies to whoever it is attached to; remove it"
    );
    assert_eq!(
        identity.check_trust_policy().unwrap_err().to_string(),
        "Statement[0]: has prohibited element \"Resource\" (or \"NotResource\"): a trust policy's resource is the role itself; remove it"
    );
}

#[test]
fn missing_elements_are_named() {
    let no_resource = PolicyDocument::parse(
        r#"{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
            {"Effect": "Allow", "Action": "s3:PutObject"}]}"#,
    )
    .unwrap();
    assert_eq!(
        no_resource.check_identity_policy().unwrap_err().to_string(),
        "Statement[1]: must contain \"Resource\" (or \"NotResource\"), for example \"arn:aws:s3:::bucket/*\" or \"*\""
    );
    let no_principal = PolicyDocument::parse(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "sts:AssumeRole"}}"#,
    )
    .unwrap();
    assert_eq!(
        no_principal.check_trust_policy().unwrap_err().to_string(),
        "Statement: must contain \"Principal\", for example {\"Service\": \"bedrock.amazonaws.com\"}"
    );
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
