//! Rules of the provider beyond its own golden cases: set semantics of the arguments, Go's
//! escaping, and clear errors for arguments Terraform would reject.

use lathe_provider_aws::policy_document::{PolicyDocumentArguments, render};
use serde_json::{Value, json};

fn render_value(arguments: Value) -> Result<String, String> {
    let arguments = PolicyDocumentArguments::from_value(&arguments).map_err(|e| e.to_string())?;
    render(&arguments)
        .map(|rendered| rendered.minified_json)
        .map_err(|e| e.to_string())
}

#[test]
fn arguments_render_with_set_semantics_and_go_escaping() {
    let cases = [
        (
            "the retired source_json and override_json may stay, empty",
            json!({"source_json": "", "override_json": null, "statement": [{"actions": ["s3:GetObject"]}]}),
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}"#,
        ),
        (
            "repeated actions collapse, as in a Terraform set",
            json!({"statement": [{"actions": ["s3:GetObject", "s3:GetObject"], "resources": ["*"]}]}),
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
        ),
        (
            "identical condition blocks collapse; values keep their order",
            json!({"statement": [{"actions": ["s3:ListBucket"], "condition": [
                {"test": "StringLike", "variable": "s3:prefix", "values": ["b/", "a/"]},
                {"test": "StringLike", "variable": "s3:prefix", "values": ["b/", "a/"]}]}]}),
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Condition":{"StringLike":{"s3:prefix":["b/","a/"]}}}]}"#,
        ),
        (
            "Go escapes <, > and & in every string",
            json!({"statement": [{"actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::b/<a>&b"]}]}),
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/\u003ca\u003e\u0026b"}]}"#,
        ),
        (
            "principal types in sorted order, the wildcard type kept as an object with others",
            json!({"statement": [{"actions": ["sts:AssumeRole"], "principals": [
                {"type": "Service", "identifiers": ["bedrock.amazonaws.com"]},
                {"type": "*", "identifiers": ["*"]},
                {"type": "AWS", "identifiers": ["111122223333"]}]}]}),
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"*":"*","AWS":"111122223333","Service":"bedrock.amazonaws.com"}}]}"#,
        ),
        (
            "&{...} becomes a policy variable in resources and condition values",
            json!({"statement": [{"actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::b/&{aws:username}/*"],
                "condition": [{"test": "StringEquals", "variable": "aws:PrincipalTag/team", "values": ["&{aws:username}"]}]}]}),
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}/*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"${aws:username}"}}}]}"#,
        ),
        (
            "a source document keeps its own one-item lists and drops numeric condition values, as Terraform does",
            json!({"source_policy_documents": [r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":10},"Bool":{"aws:SecureTransport":true}}}]}"#]}),
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}"#,
        ),
        (
            "numbers and booleans convert to strings, as Terraform converts them for the schema",
            json!({"statement": [{"actions": ["s3:ListBucket"], "condition": [
                {"test": "NumericLessThanEquals", "variable": "s3:max-keys", "values": [10]},
                {"test": "Bool", "variable": "aws:SecureTransport", "values": [true]}]}]}),
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Condition":{"Bool":{"aws:SecureTransport":"true"},"NumericLessThanEquals":{"s3:max-keys":"10"}}}]}"#,
        ),
    ];
    for (name, arguments, expected) in cases {
        assert_eq!(render_value(arguments).as_deref(), Ok(expected), "{name}");
    }
}

#[test]
fn arguments_terraform_rejects_are_errors_naming_the_argument() {
    let cases = [
        (
            json!({"statement": [{"sid": "has space", "actions": ["s3:*"]}]}),
            "statement[0].sid: \"has space\" must only include alphanumeric characters",
        ),
        (
            json!({"statement": [{"actions": ["s3:*"]}, {"effect": "allow", "actions": ["s3:*"]}]}),
            "statement[1].effect: \"allow\" is not an effect; use \"Allow\" or \"Deny\"",
        ),
        (
            json!({"version": "2012-10-18"}),
            "version: \"2012-10-18\" is not a policy language version; use \"2012-10-17\" (or \"2008-10-17\")",
        ),
        (
            json!({"statement": [{"action": ["s3:*"]}]}),
            "statement[0]: unsupported argument \"action\"; expected one of sid, effect, actions, not_actions, resources, not_resources, principals, not_principals, condition",
        ),
        (
            json!({"statement": [{"actions": ["s3:*"], "principals": [{"identifiers": ["*"]}]}]}),
            "statement[0].principals[0]: the argument \"type\" is required",
        ),
        (
            json!({"statement": [{"actions": ["s3:*", null]}]}),
            "statement[0].actions[1]: expected a string, found null",
        ),
        (
            json!({"statement": [{"actions": ["s3:*"], "resources": [["nested"]]}]}),
            "statement[0].resources[0]: expected a string, found a list",
        ),
        (
            json!({"source_policy_documents": ["{\"Statement\": {\"Effect\": \"Allow\"}}"]}),
            "source_policy_documents[0] is not a policy document: Statement: expected a list of statements, found an object",
        ),
        (
            json!({"override_policy_documents": ["{\"Statement\": [{\"Sid\": 1}]}"]}),
            "override_policy_documents[0] is not a policy document: Statement[0]: Sid: expected a string, found a number",
        ),
        (
            json!({"source_json": "{\"Version\": \"2012-10-17\"}"}),
            "source_json: is no longer used by the AWS provider and must be empty; put the document in source_policy_documents = [...] instead",
        ),
        (
            json!({"source_policy_documents": [7]}),
            "source_policy_documents[0]: expected a JSON policy document as a string, found a number",
        ),
    ];
    for (arguments, expected) in cases {
        assert_eq!(render_value(arguments), Err(expected.to_owned()));
    }
}
