//! The seed's two documents (the Bedrock trust policy and the bucket access policy) render as
//! Terraform renders them, and the rendered JSON means what the seed intends when the local
//! region evaluates it.

use lathe_iam_policy::{
    Context, Decision, PolicyDocument, Principal, Request, evaluate, may_assume_role,
};
use lathe_provider_aws::policy_document::{PolicyDocumentArguments, render};
use serde_json::json;

const ACCOUNT: &str = "000000000000";
const BUCKET_ARN: &str = "arn:aws:s3:::model-training-000000000000";
const ROLE_ARN: &str = "arn:aws:iam::000000000000:role/BedrockCM-20261126020000000000000001";
const SESSION_ARN: &str =
    "arn:aws:sts::000000000000:assumed-role/BedrockCM-20261126020000000000000001/job";

/// Expected texts follow the provider's rules as the golden cases pin them: operators in
/// sorted order, lists of several values sorted in reverse, one value as a plain string.
const TRUST_JSON: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "sts:AssumeRole",
      "Principal": {
        "Service": "bedrock.amazonaws.com"
      },
      "Condition": {
        "ArnEquals": {
          "aws:SourceArn": "arn:aws:bedrock:us-east-1:000000000000:model-customization-job/*"
        },
        "StringEquals": {
          "aws:SourceAccount": "000000000000"
        }
      }
    }
  ]
}"#;

const ACCESS_JSON: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AllowTrainingDataAccess",
      "Effect": "Allow",
      "Action": [
        "s3:PutObject",
        "s3:ListBucket",
        "s3:GetObject"
      ],
      "Resource": [
        "arn:aws:s3:::model-training-000000000000/*",
        "arn:aws:s3:::model-training-000000000000"
      ]
    }
  ]
}"#;

fn rendered(arguments: serde_json::Value) -> String {
    render(&PolicyDocumentArguments::from_value(&arguments).unwrap())
        .unwrap()
        .json
}

#[test]
fn seed_trust_policy_renders_and_admits_only_its_jobs() {
    let json = rendered(json!({
        "statement": [{
            "actions": ["sts:AssumeRole"],
            "principals": [{"type": "Service", "identifiers": ["bedrock.amazonaws.com"]}],
            "condition": [
                {"test": "StringEquals", "variable": "aws:SourceAccount", "values": [ACCOUNT]},
                {"test": "ArnEquals", "variable": "aws:SourceArn",
                 "values": [format!("arn:aws:bedrock:us-east-1:{ACCOUNT}:model-customization-job/*")]}
            ]
        }]
    }));
    assert_eq!(json, TRUST_JSON);

    let policy = PolicyDocument::parse(&json).unwrap();
    let bedrock = Principal::Service("bedrock.amazonaws.com".to_owned());
    let context = |account: &str, source_arn: &str| -> Context {
        [
            ("aws:SourceAccount".to_owned(), vec![account.to_owned()]),
            ("aws:SourceArn".to_owned(), vec![source_arn.to_owned()]),
        ]
        .into()
    };
    let own_job = "arn:aws:bedrock:us-east-1:000000000000:model-customization-job/amazon.titan-text-lite-v1:0:4k/a1b2c3d4e5f6";
    let foreign_job =
        "arn:aws:bedrock:us-east-1:999999999999:model-customization-job/x/a1b2c3d4e5f6";
    let cases = [
        (context(ACCOUNT, own_job), Decision::Allow),
        (context("999999999999", foreign_job), Decision::ImplicitDeny),
        (context(ACCOUNT, foreign_job), Decision::ImplicitDeny),
    ];
    for (context, expected) in cases {
        let decision = may_assume_role(&policy, ROLE_ARN, &bedrock, &context).decision;
        assert_eq!(decision, expected, "{context:?}");
    }
}

#[test]
fn seed_access_policy_renders_and_reaches_only_its_bucket() {
    let json = rendered(json!({
        "statement": [{
            "sid": "AllowTrainingDataAccess",
            "actions": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
            "resources": [BUCKET_ARN, format!("{BUCKET_ARN}/*")]
        }]
    }));
    assert_eq!(json, ACCESS_JSON);

    let policies = [PolicyDocument::parse(&json).unwrap()];
    let cases = [
        (
            "s3:GetObject",
            "arn:aws:s3:::model-training-000000000000/training_data_v1/train.jsonl",
            Decision::Allow,
        ),
        ("s3:ListBucket", BUCKET_ARN, Decision::Allow),
        (
            "s3:DeleteObject",
            "arn:aws:s3:::model-training-000000000000/x",
            Decision::ImplicitDeny,
        ),
        (
            "s3:GetObject",
            "arn:aws:s3:::another-bucket/x",
            Decision::ImplicitDeny,
        ),
    ];
    for (action, resource, expected) in cases {
        let request =
            Request::new(action, resource).with_principal(Principal::Aws(SESSION_ARN.to_owned()));
        assert_eq!(
            evaluate(&policies, &request),
            expected,
            "{action} {resource}"
        );
    }
}
