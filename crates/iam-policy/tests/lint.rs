//! Likely mistakes in valid policies, each named with where it is.

use lathe_iam_policy::PolicyDocument;

fn warnings(statement: &str) -> Vec<String> {
    let text = format!(r#"{{"Version": "2012-10-17", "Statement": [{statement}]}}"#);
    PolicyDocument::parse(&text)
        .unwrap_or_else(|error| panic!("{statement}: {error}"))
        .lint()
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn sound_policies_have_no_warnings() {
    let sound = [
        // The seed's trust policy.
        r#"{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "bedrock.amazonaws.com"},
            "Condition": {"StringEquals": {"aws:SourceAccount": "000000000000"},
                          "ArnEquals": {"aws:SourceArn": "arn:aws:bedrock:us-east-1:000000000000:model-customization-job/*"}}}"#,
        r#"{"Effect": "Deny", "Action": "iam:Tag*", "Resource": "*",
            "Condition": {"Null": {"aws:TagKeys": "false"}, "ForAllValues:StringLike": {"aws:TagKeys": ["key1*"]}}}"#,
        r#"{"Effect": "Allow", "Action": "iam:Tag*", "Resource": "*",
            "Condition": {"Null": {"aws:TagKeys": "false"}, "ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}}"#,
        r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalTag/team": "ml", "s3:prefix": "x"},
                          "NumericLessThan": {"aws:MultiFactorAuthAge": "3600", "aws:EpochTime": "1900000000"},
                          "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}, "Bool": {"aws:SecureTransport": "true"},
                          "StringLike": {"aws:SourceArn": "arn:aws:bedrock:*"}}}"#,
    ];
    for statement in sound {
        assert_eq!(warnings(statement), Vec::<String>::new(), "{statement}");
    }
}

#[test]
fn mistakes_are_named() {
    let cases = [
        (
            r#"{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "bedrock.amazonaws.com"},
                "Condition": {"StringEquals": {"aws:SourceAcount": "000000000000"}}}"#,
            vec![
                r#"Statement[0].Condition.StringEquals.aws:SourceAcount: "aws:SourceAcount" is not a global condition key, so requests never carry it (did you mean "aws:SourceAccount"?)"#,
            ],
        ),
        (
            r#"{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "bedrock.amazonaws.com"},
                "Condition": {"ArnEquals": {"aws:SourceAccount": "000000000000"}}}"#,
            vec![
                "Statement[0].Condition.ArnEquals.aws:SourceAccount: aws:SourceAccount holds a string, which ArnEquals never compares as intended; use StringEquals",
            ],
        ),
        (
            r#"{"Effect": "Deny", "Action": "*", "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:SourceIp": "10.0.0.1"}}}"#,
            vec![
                "Statement[0].Condition.StringNotEquals.aws:SourceIp: aws:SourceIp holds an IP address, which StringNotEquals never compares as intended; use IpAddress",
            ],
        ),
        (
            r#"{"Effect": "Allow", "Action": "*", "Resource": "*",
                "Condition": {"ForAnyValue:StringEquals": {"aws:PrincipalTag/team": "ml"}}}"#,
            vec![
                r#"Statement[0].Condition.ForAnyValue:StringEquals.aws:PrincipalTag/team: aws:PrincipalTag is single-valued: a set operator on it is misleading; drop "ForAnyValue:""#,
            ],
        ),
        (
            r#"{"Effect": "Deny", "Action": "*", "Resource": "*",
                "Condition": {"StringEquals": {"aws:TagKeys": "secret"}}}"#,
            vec![
                r#"Statement[0].Condition.StringEquals.aws:TagKeys: aws:TagKeys can carry several values; say which must match with "ForAllValues:" or "ForAnyValue:""#,
            ],
        ),
        (
            r#"{"Effect": "Allow", "Action": "iam:TagRole", "Resource": "*",
                "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}}"#,
            vec![
                r#"Statement[0].Condition.ForAllValues:StringEquals.aws:TagKeys: ForAllValues also holds when the request has no aws:TagKeys at all, so this allows more than it seems; add {"Null": {"aws:TagKeys": "false"}}"#,
            ],
        ),
        (
            r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "NotPrincipal": {"AWS": "111122223333"}}"#,
            vec![
                r#"Statement[0].NotPrincipal: allows everyone not listed, anonymous callers included; name who is allowed in "Principal" instead"#,
            ],
        ),
    ];
    for (statement, expected) in cases {
        assert_eq!(warnings(statement), expected, "{statement}");
    }
}

#[test]
fn warnings_point_into_the_text() {
    let text = r#"{
  "Version": "2012-10-17",
  "Statement": {
    "Effect": "Allow",
    "Action": "sts:AssumeRole",
    "Principal": {"Service": "bedrock.amazonaws.com"},
    "Condition": {
      "StringEquals": {"aws:SourceAcount": "000000000000"}
    }
  }
}"#;
    let warnings = PolicyDocument::parse(text).unwrap().lint();
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].line_column(text), Some((8, 24)));
}
