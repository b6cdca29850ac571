//! Documents IAM would reject, and the message that says what and where.

use lathe_iam_policy::{PolicyDocument, PolicyError};

fn statement(body: &str) -> String {
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}, {{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}, {body}]}}"#
    )
}

#[test]
fn invalid_documents_are_named_precisely() {
    let cases: Vec<(String, &str)> = vec![
        (
            statement(r#"{"Effect": "Allow", "Action": "s3:*", "Condition": {"StringEqualz": {"aws:username": "a"}}}"#),
            r#"Statement[2].Condition: unknown operator "StringEqualz" (did you mean "StringEquals"?)"#,
        ),
        (
            statement(r#"{"Effect": "Allow", "Action": "s3:*", "Condition": {"NumericLessThan": {"s3:max-keys": "ten"}}}"#),
            r#"Statement[2].Condition.NumericLessThan.s3:max-keys: "ten" is not a number (for example "10" or "2.5")"#,
        ),
        (
            statement(r#"{"Effect": "Allow", "Action": "s3:*", "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "10.0.0.0/40"]}}}"#),
            r#"Statement[2].Condition.IpAddress.aws:SourceIp[1]: "10.0.0.0/40" is not an IP address or CIDR block (for example "203.0.113.0/24")"#,
        ),
        (
            statement(r#"{"Effect": "Allow", "Action": "s3:*", "Condition": {"DateGreaterThan": {"aws:CurrentTime": "tomorrow"}}}"#),
            r#"Statement[2].Condition.DateGreaterThan.aws:CurrentTime: "tomorrow" is not a date (ISO 8601 such as "2026-11-26T12:00:00Z", or epoch seconds)"#,
        ),
        (
            statement(r#"{"Effect": "Allow", "Action": "s3:*", "Condition": {"Bool": {"aws:SecureTransport": "yes"}}}"#),
            r#"Statement[2].Condition.Bool.aws:SecureTransport: "yes" is not a boolean ("true" or "false")"#,
        ),
        (
            statement(r#"{"Effect": "Allow", "Action": "s3:*", "Condition": {"BinaryEquals": {"k": "***"}}}"#),
            r#"Statement[2].Condition.BinaryEquals.k: "***" is not base64-encoded binary data"#,
        ),
        (
            statement(r#"{"Effect": "Allow", "Action": "s3:*", "Condition": {"StringEquals": {"k": {"nested": 1}}}}"#),
            r#"Statement[2].Condition.StringEquals.k: expected a string, number or boolean, found an object"#,
        ),
        (
            statement(r#"{"Effect": "Allow", "Action": "s3:*", "Condition": {"StringEquals": "aws:username"}}"#),
            r#"Statement[2].Condition.StringEquals: expected an object of condition keys to values, found a string"#,
        ),
        (
            statement(r#"{"Effect": "Permit", "Action": "s3:*"}"#),
            r#"Statement[2].Effect: "Permit" is not an effect; use "Allow" or "Deny""#,
        ),
        (
            statement(r#"{"Action": "s3:*"}"#),
            r#"Statement[2]: missing required element "Effect" ("Allow" or "Deny")"#,
        ),
        (
            statement(r#"{"Effect": "Allow", "Resource": "*"}"#),
            r#"Statement[2]: missing required element "Action" (or "NotAction"), for example "s3:GetObject""#,
        ),
        (
            statement(r#"{"Effect": "Allow", "Action": "s3:*", "NotAction": "iam:*"}"#),
            r#"Statement[2]: has both "Action" and "NotAction"; a statement may have only one"#,
        ),
        (
            statement(r#"{"Effect": "Allow", "Actions": "s3:*"}"#),
            r#"Statement[2]: unknown element "Actions" (did you mean "Action"?)"#,
        ),
        (
            statement(r#"{"Effect": "Allow", "Action": ["s3:GetObject", "GetObject"]}"#),
            r#"Statement[2].Action[1]: "GetObject" is not an action; actions are "*" or prefixed by a service, as in "s3:GetObject" or "bedrock:*""#,
        ),
        (
            statement(r#"{"Effect": "Allow", "Action": "s3:*", "Resource": ["*", "model-training"]}"#),
            r#"Statement[2].Resource[1]: "model-training" is neither an ARN nor "*"; write resources as ARNs, such as "arn:aws:s3:::model-training" for a bucket"#,
        ),
        (
            statement(r#"{"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3"}"#),
            r#"Statement[2].NotResource: "arn:aws:s3" is neither an ARN nor "*"; an ARN has six parts: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, some possibly empty, as in "arn:aws:s3:::bucket/*""#,
        ),
        (
            statement(r#"{"Effect": "Allow", "Action": [], "Resource": "*"}"#),
            r#"Statement[2].Action: the list is empty; give at least one value"#,
        ),
        (
            statement(r#"{"Effect": "Allow", "Action": "s3:*", "Resource": ["*", 7]}"#),
            r#"Statement[2].Resource[1]: expected a string, found a number"#,
        ),
        (
            statement(r#"{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Servce": "bedrock.amazonaws.com"}}"#),
            r#"Statement[2].Principal: unknown principal type "Servce" (did you mean "Service"?); expected AWS, Service, Federated or CanonicalUser"#,
        ),
        (
            statement(r#"{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": "bedrock.amazonaws.com"}"#),
            r#"Statement[2].Principal: "bedrock.amazonaws.com" is not a principal; write "*" or an object such as {"AWS": "bedrock.amazonaws.com"} or {"Service": "bedrock.amazonaws.com"}"#,
        ),
        (
            r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Sid": 3}}"#.to_owned(),
            r#"Statement.Sid: expected a string, found a number"#,
        ),
        (
            r#"{"Version": "2021-01-01", "Statement": []}"#.to_owned(),
            r#"Version: "2021-01-01" is not a policy language version; use "2012-10-17" (or the older "2008-10-17")"#,
        ),
        (
            r#"{"Version": "2012-10-17"}"#.to_owned(),
            r#"policy document: missing required element "Statement""#,
        ),
        (
            r#"{"Version": "2012-10-17", "Statment": []}"#.to_owned(),
            r#"policy document: unknown element "Statment" (did you mean "Statement"?)"#,
        ),
        (
            r#"{"Version": "2012-10-17", "Statement": "Allow everything"}"#.to_owned(),
            r#"Statement: expected a statement object or a list of them, found a string"#,
        ),
        (
            r#"["Version"]"#.to_owned(),
            r#"policy document: expected a JSON object with "Version" and "Statement", found a list"#,
        ),
    ];
    for (text, expected) in cases {
        let error = PolicyDocument::parse(&text).expect_err(expected);
        assert_eq!(error.to_string(), expected);
    }
}

#[test]
fn json_syntax_errors_carry_line_and_column() {
    let error = PolicyDocument::parse("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n}")
        .unwrap_err();
    match error {
        PolicyError::Syntax { line, column, .. } => assert_eq!((line, column), (4, 1)),
        other => panic!("expected a syntax error, got {other}"),
    }
}

#[test]
fn errors_locate_their_element_in_the_text() {
    let text = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject", "GetObject"],
      "Resource": "*"
    }
  ]
}"#;
    let cases = [
        (text.to_owned(), (7, 34)),
        (
            text.replace(
                r#""GetObject"]"#,
                r#""s3:GetObject"], "Condition": {"NumericLessThan": {"a.b": "x"}}"#,
            ),
            (7, 85),
        ),
        (
            text.replace(
                r#""Effect": "Allow",
      "Action": ["#,
                r#""Effect": "Permit",
      "Action": ["#,
            ),
            (6, 7),
        ),
        (text.replace("\"Version\"", "\"Versio\""), (1, 1)),
        (
            "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n}".to_owned(),
            (4, 1),
        ),
    ];
    for (document, expected) in cases {
        let error = PolicyDocument::parse(&document).unwrap_err();
        assert_eq!(error.line_column(&document), Some(expected), "{error}");
    }
}
