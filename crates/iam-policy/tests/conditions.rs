//! Condition operators decided against request contexts, with the examples of AWS's IAM user
//! guide ("Condition operators", "Multivalued context key examples", "Policy variables").

use lathe_iam_policy::{Context, Decision, PolicyDocument, Request, evaluate};

/// A one-statement policy that allows everything under `condition` (JSON).
fn allow_when(condition: &str) -> PolicyDocument {
    let text = format!(
        r#"{{"Version": "2012-10-17", "Statement": {{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {condition}}}}}"#
    );
    PolicyDocument::parse(&text).unwrap_or_else(|error| panic!("{condition}: {error}"))
}

fn context(pairs: &[(&str, &[&str])]) -> Context {
    pairs
        .iter()
        .map(|(key, values)| {
            (
                (*key).to_owned(),
                values.iter().map(|value| (*value).to_owned()).collect(),
            )
        })
        .collect()
}

/// (condition, request context, allowed?)
type Case = (&'static str, Context, bool);

fn check(cases: Vec<Case>) {
    for (condition, context, expected) in cases {
        let policy = allow_when(condition);
        let request = Request {
            principal: None,
            action: "s3:ListBucket".to_owned(),
            resource: "arn:aws:s3:::amzn-s3-demo-bucket".to_owned(),
            context: context.clone(),
        };
        let decision = evaluate(std::slice::from_ref(&policy), &request);
        let expected = if expected {
            Decision::Allow
        } else {
            Decision::ImplicitDeny
        };
        assert_eq!(decision, expected, "{condition} with {context:?}");
    }
}

#[test]
fn string_operators() {
    let job = r#"{"StringEquals": {"aws:PrincipalTag/job-category": "iamuser-admin"}}"#;
    let prefix = r#"{"StringLike": {"s3:prefix": ["", "home/", "home/${aws:username}/*"]}}"#;
    check(vec![
        (
            job,
            context(&[("aws:PrincipalTag/job-category", &["iamuser-admin"])]),
            true,
        ),
        (
            job,
            context(&[("aws:PrincipalTag/job-category", &["IAMUSER-ADMIN"])]),
            false,
        ),
        (
            job,
            context(&[("aws:PrincipalTag/job-category", &["dev"])]),
            false,
        ),
        (job, Context::new(), false),
        (
            r#"{"StringEqualsIgnoreCase": {"aws:PrincipalTag/job-category": "IAMUser-Admin"}}"#,
            context(&[("aws:PrincipalTag/job-category", &["iamuser-admin"])]),
            true,
        ),
        (
            r#"{"StringNotEquals": {"aws:PrincipalTag/job-category": "intern"}}"#,
            context(&[("aws:PrincipalTag/job-category", &["dev"])]),
            true,
        ),
        (
            r#"{"StringNotEquals": {"aws:PrincipalTag/job-category": "intern"}}"#,
            context(&[("aws:PrincipalTag/job-category", &["intern"])]),
            false,
        ),
        // A negated operator holds when the key is absent.
        (
            r#"{"StringNotEquals": {"aws:PrincipalTag/job-category": "intern"}}"#,
            Context::new(),
            true,
        ),
        (
            r#"{"StringNotEqualsIgnoreCase": {"aws:PrincipalTag/job-category": "INTERN"}}"#,
            context(&[("aws:PrincipalTag/job-category", &["intern"])]),
            false,
        ),
        (
            prefix,
            context(&[
                ("s3:prefix", &["home/alice/photos"]),
                ("aws:username", &["alice"]),
            ]),
            true,
        ),
        (
            prefix,
            context(&[
                ("s3:prefix", &["home/bob/photos"]),
                ("aws:username", &["alice"]),
            ]),
            false,
        ),
        (prefix, context(&[("s3:prefix", &[""])]), true),
        // Without aws:username, the value that needs it matches nothing.
        (prefix, context(&[("s3:prefix", &["home/alice/x"])]), false),
        (
            r#"{"StringNotLike": {"s3:prefix": "private/*"}}"#,
            context(&[("s3:prefix", &["public/a"])]),
            true,
        ),
        (
            r#"{"StringNotLike": {"s3:prefix": "private/*"}}"#,
            context(&[("s3:prefix", &["private/a"])]),
            false,
        ),
        // ${*} is a literal asterisk, not a wildcard.
        (
            r#"{"StringLike": {"s3:prefix": "a${*}b"}}"#,
            context(&[("s3:prefix", &["a*b"])]),
            true,
        ),
        (
            r#"{"StringLike": {"s3:prefix": "a${*}b"}}"#,
            context(&[("s3:prefix", &["axyzb"])]),
            false,
        ),
        // A variable's value is literal too: a user named "*" gets no wildcard.
        (
            r#"{"StringLike": {"s3:prefix": "home/${aws:username}"}}"#,
            context(&[("s3:prefix", &["home/bob"]), ("aws:username", &["*"])]),
            false,
        ),
        (
            r#"{"StringEquals": {"s3:prefix": "home/${aws:PrincipalTag/team, 'shared'}"}}"#,
            context(&[("s3:prefix", &["home/shared"])]),
            true,
        ),
    ]);
}

#[test]
fn numeric_date_and_bool_operators() {
    check(vec![
        (
            r#"{"NumericLessThanEquals": {"s3:max-keys": "10"}}"#,
            context(&[("s3:max-keys", &["10"])]),
            true,
        ),
        (
            r#"{"NumericLessThanEquals": {"s3:max-keys": "10"}}"#,
            context(&[("s3:max-keys", &["11"])]),
            false,
        ),
        (
            r#"{"NumericLessThan": {"s3:max-keys": 10}}"#,
            context(&[("s3:max-keys", &["10"])]),
            false,
        ),
        (
            r#"{"NumericGreaterThan": {"s3:max-keys": "2.5"}}"#,
            context(&[("s3:max-keys", &["3"])]),
            true,
        ),
        (
            r#"{"NumericGreaterThanEquals": {"s3:max-keys": "3"}}"#,
            context(&[("s3:max-keys", &["2"])]),
            false,
        ),
        (
            r#"{"NumericEquals": {"s3:max-keys": ["5", "10"]}}"#,
            context(&[("s3:max-keys", &["10.0"])]),
            true,
        ),
        (
            r#"{"NumericNotEquals": {"s3:max-keys": "5"}}"#,
            context(&[("s3:max-keys", &["5"])]),
            false,
        ),
        (
            r#"{"NumericEquals": {"s3:max-keys": "5"}}"#,
            context(&[("s3:max-keys", &["five"])]),
            false,
        ),
        (
            r#"{"DateGreaterThan": {"aws:CurrentTime": "2020-04-01T00:00:00Z"}}"#,
            context(&[("aws:CurrentTime", &["2026-11-26T02:00:00Z"])]),
            true,
        ),
        (
            r#"{"DateLessThan": {"aws:CurrentTime": "2020-06-30T23:59:59Z"}}"#,
            context(&[("aws:CurrentTime", &["2026-11-26T02:00:00Z"])]),
            false,
        ),
        (
            r#"{"DateLessThanEquals": {"aws:TokenIssueTime": "2020-01-01"}}"#,
            context(&[("aws:TokenIssueTime", &["1577836800"])]),
            true,
        ),
        (
            r#"{"DateEquals": {"aws:CurrentTime": "2020-01-01T01:00:00+01:00"}}"#,
            context(&[("aws:CurrentTime", &["2020-01-01T00:00:00Z"])]),
            true,
        ),
        (
            r#"{"DateNotEquals": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}"#,
            context(&[("aws:CurrentTime", &["2020-01-01T00:00:00Z"])]),
            false,
        ),
        (
            r#"{"DateGreaterThanEquals": {"aws:EpochTime": "1700000000"}}"#,
            context(&[("aws:EpochTime", &["1800000000"])]),
            true,
        ),
        (
            r#"{"Bool": {"aws:SecureTransport": "true"}}"#,
            context(&[("aws:SecureTransport", &["true"])]),
            true,
        ),
        (
            r#"{"Bool": {"aws:SecureTransport": true}}"#,
            context(&[("aws:SecureTransport", &["TRUE"])]),
            true,
        ),
        (
            r#"{"Bool": {"aws:SecureTransport": "true"}}"#,
            context(&[("aws:SecureTransport", &["false"])]),
            false,
        ),
        (
            r#"{"Bool": {"aws:SecureTransport": "false"}}"#,
            Context::new(),
            false,
        ),
        (
            r#"{"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}"#,
            Context::new(),
            true,
        ),
        (
            r#"{"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}"#,
            context(&[("aws:MultiFactorAuthPresent", &["false"])]),
            false,
        ),
    ]);
}

#[test]
fn binary_ip_arn_and_null_operators() {
    let source_ip =
        r#"{"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:DB8:1234:5678::/64"]}}"#;
    let source_arn =
        r#"{"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:TOPIC-ID"}}"#;
    check(vec![
        (
            r#"{"BinaryEquals": {"key": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}"#,
            context(&[("key", &["QmluYXJ5VmFsdWVJbkJhc2U2NA=="])]),
            true,
        ),
        (
            r#"{"BinaryEquals": {"key": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}"#,
            context(&[("key", &["b3RoZXI="])]),
            false,
        ),
        (
            source_ip,
            context(&[("aws:SourceIp", &["203.0.113.9"])]),
            true,
        ),
        (
            source_ip,
            context(&[("aws:SourceIp", &["2001:db8:1234:5678::42"])]),
            true,
        ),
        (
            source_ip,
            context(&[("aws:SourceIp", &["198.51.100.1"])]),
            false,
        ),
        (
            source_ip,
            context(&[("aws:SourceIp", &["not-an-address"])]),
            false,
        ),
        (
            r#"{"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}}"#,
            context(&[("aws:SourceIp", &["203.0.113.9"])]),
            true,
        ),
        (
            r#"{"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}}"#,
            context(&[("aws:SourceIp", &["192.0.2.7"])]),
            false,
        ),
        (
            source_arn,
            context(&[(
                "aws:SourceArn",
                &["arn:aws:sns:us-east-1:123456789012:TOPIC-ID"],
            )]),
            true,
        ),
        (
            source_arn,
            context(&[(
                "aws:SourceArn",
                &["arn:aws:sns:us-east-1:123456789012:OTHER"],
            )]),
            false,
        ),
        (
            r#"{"ArnLike": {"aws:SourceArn": "arn:aws:bedrock:*:123456789012:model-customization-job/*"}}"#,
            context(&[(
                "aws:SourceArn",
                &["arn:aws:bedrock:eu-west-1:123456789012:model-customization-job/m:1/x"],
            )]),
            true,
        ),
        (
            r#"{"ArnNotLike": {"aws:SourceArn": "arn:aws:bedrock:*:123456789012:*"}}"#,
            context(&[(
                "aws:SourceArn",
                &["arn:aws:bedrock:eu-west-1:999999999999:x"],
            )]),
            true,
        ),
        (
            r#"{"ArnNotEquals": {"aws:SourceArn": "arn:aws:s3:::bucket"}}"#,
            context(&[("aws:SourceArn", &["arn:aws:s3:::bucket"])]),
            false,
        ),
        (
            r#"{"Null": {"aws:TokenIssueTime": "true"}}"#,
            Context::new(),
            true,
        ),
        (
            r#"{"Null": {"aws:TokenIssueTime": "true"}}"#,
            context(&[("aws:TokenIssueTime", &["2026-11-26T00:00:00Z"])]),
            false,
        ),
        (
            r#"{"Null": {"aws:TokenIssueTime": "false"}}"#,
            Context::new(),
            false,
        ),
        (
            r#"{"Null": {"aws:TokenIssueTime": false}}"#,
            context(&[("aws:TokenIssueTime", &["2026-11-26T00:00:00Z"])]),
            true,
        ),
    ]);
}

#[test]
fn if_exists_and_set_qualifiers() {
    let instance_type = r#"{"StringLikeIfExists": {"ec2:InstanceType": ["t1.*", "t2.*", "m3.*"]}}"#;
    let restricted_tags = r#"{"Null": {"aws:TagKeys": "false"}, "ForAllValues:StringLike": {"aws:TagKeys": ["key1*", "key2*", "key3*"]}}"#;
    let any_tag = r#"{"ForAnyValue:StringEquals": {"aws:TagKeys": ["environment", "webserver"]}}"#;
    check(vec![
        (
            instance_type,
            context(&[("ec2:InstanceType", &["t2.micro"])]),
            true,
        ),
        (
            instance_type,
            context(&[("ec2:InstanceType", &["c5.large"])]),
            false,
        ),
        (instance_type, Context::new(), true),
        (
            restricted_tags,
            context(&[("aws:TagKeys", &["key1-a", "key3-b"])]),
            true,
        ),
        (
            restricted_tags,
            context(&[("aws:TagKeys", &["key1-a", "other"])]),
            false,
        ),
        // ForAllValues alone holds for an absent key; the Null check is what stops it.
        (restricted_tags, Context::new(), false),
        (
            r#"{"ForAllValues:StringLike": {"aws:TagKeys": ["key1*"]}}"#,
            Context::new(),
            true,
        ),
        (
            any_tag,
            context(&[("aws:TagKeys", &["owner", "webserver"])]),
            true,
        ),
        (
            any_tag,
            context(&[("aws:TagKeys", &["owner", "team"])]),
            false,
        ),
        (any_tag, Context::new(), false),
        (
            r#"{"ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": "environment"}}"#,
            Context::new(),
            true,
        ),
        (
            r#"{"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["environment"]}}"#,
            context(&[("aws:TagKeys", &["environment", "owner"])]),
            true,
        ),
        (
            r#"{"ForAllValues:StringNotEquals": {"aws:TagKeys": ["environment"]}}"#,
            context(&[("aws:TagKeys", &["environment", "owner"])]),
            false,
        ),
        (
            r#"{"ForAllValues:StringNotEquals": {"aws:TagKeys": ["environment"]}}"#,
            context(&[("aws:TagKeys", &["team", "owner"])]),
            true,
        ),
        // Operators, and keys under one operator, must all hold.
        (
            r#"{"StringEquals": {"a": "1", "b": "2"}, "Bool": {"c": "true"}}"#,
            context(&[("a", &["1"]), ("b", &["2"]), ("c", &["true"])]),
            true,
        ),
        (
            r#"{"StringEquals": {"a": "1", "b": "2"}, "Bool": {"c": "true"}}"#,
            context(&[("a", &["1"]), ("b", &["3"]), ("c", &["true"])]),
            false,
        ),
    ]);
}

/// Every operator, with and without `IfExists`, against a request that lacks the key: only
/// `IfExists` and the negated operators hold (IAM user guide, "Condition operators").
#[test]
fn absent_keys_for_every_operator() {
    let operators: [(&str, &str, bool); 26] = [
        ("StringEquals", "v", false),
        ("StringNotEquals", "v", true),
        ("StringEqualsIgnoreCase", "v", false),
        ("StringNotEqualsIgnoreCase", "v", true),
        ("StringLike", "v*", false),
        ("StringNotLike", "v*", true),
        ("NumericEquals", "5", false),
        ("NumericNotEquals", "5", true),
        ("NumericLessThan", "5", false),
        ("NumericLessThanEquals", "5", false),
        ("NumericGreaterThan", "5", false),
        ("NumericGreaterThanEquals", "5", false),
        ("DateEquals", "2020-01-01T00:00:00Z", false),
        ("DateNotEquals", "2020-01-01T00:00:00Z", true),
        ("DateLessThan", "2020-01-01T00:00:00Z", false),
        ("DateLessThanEquals", "2020-01-01T00:00:00Z", false),
        ("DateGreaterThan", "2020-01-01T00:00:00Z", false),
        ("DateGreaterThanEquals", "2020-01-01T00:00:00Z", false),
        ("Bool", "true", false),
        ("BinaryEquals", "QUJD", false),
        ("IpAddress", "10.0.0.0/8", false),
        ("NotIpAddress", "10.0.0.0/8", true),
        ("ArnEquals", "arn:aws:s3:::b", false),
        ("ArnLike", "arn:aws:s3:::b*", false),
        ("ArnNotEquals", "arn:aws:s3:::b", true),
        ("ArnNotLike", "arn:aws:s3:::b*", true),
    ];
    let mut cases: Vec<(String, bool)> = Vec::new();
    for (operator, value, negated) in operators {
        cases.push((format!(r#"{{"{operator}": {{"k": "{value}"}}}}"#), negated));
        cases.push((
            format!(r#"{{"{operator}IfExists": {{"k": "{value}"}}}}"#),
            true,
        ));
        cases.push((
            format!(r#"{{"ForAllValues:{operator}": {{"k": "{value}"}}}}"#),
            true,
        ));
        cases.push((
            format!(r#"{{"ForAnyValue:{operator}": {{"k": "{value}"}}}}"#),
            false,
        ));
    }
    for (condition, expected) in &cases {
        let policy = allow_when(condition);
        let request = Request::new("s3:ListBucket", "arn:aws:s3:::b").with_context("other", "x");
        let decision = evaluate(std::slice::from_ref(&policy), &request);
        assert_eq!(decision == Decision::Allow, *expected, "{condition}");
    }
    assert_eq!(cases.len(), 104);
}
