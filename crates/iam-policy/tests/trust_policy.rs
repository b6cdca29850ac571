//! The seed's Bedrock trust policy, as Terraform renders it, decided for AssumeRole calls.

use lathe_iam_policy::{
    ASSUME_ROLE, Context, Decision, PolicyDocument, Principal, Request, may_assume_role,
};

const ACCOUNT: &str = "111122223333";
const ROLE: &str = "arn:aws:iam::111122223333:role/BedrockCM-20261126";

const SEED_TRUST_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "sts:AssumeRole",
      "Principal": {
        "Service": "bedrock.amazonaws.com"
      },
      "Condition": {
        "StringEquals": {
          "aws:SourceAccount": "111122223333"
        },
        "ArnEquals": {
          "aws:SourceArn": "arn:aws:bedrock:us-east-1:111122223333:model-customization-job/*"
        }
      }
    }
  ]
}"#;

fn context(pairs: &[(&str, &str)]) -> Context {
    pairs
        .iter()
        .map(|(key, value)| ((*key).to_owned(), vec![(*value).to_owned()]))
        .collect()
}

#[test]
fn seed_trust_policy_admits_only_bedrock_jobs_of_the_account() {
    let policy = PolicyDocument::parse(SEED_TRUST_POLICY).unwrap();
    let job = "arn:aws:bedrock:us-east-1:111122223333:model-customization-job/amazon.titan-text-lite-v1:0:4k/abcdefghijkl";
    let bedrock = Principal::Service("bedrock.amazonaws.com".to_owned());
    let cases = [
        (
            "bedrock job of the account",
            bedrock.clone(),
            context(&[("aws:SourceAccount", ACCOUNT), ("aws:SourceArn", job)]),
            Decision::Allow,
        ),
        (
            "condition keys compare case-insensitively",
            bedrock.clone(),
            context(&[("AWS:SOURCEACCOUNT", ACCOUNT), ("aws:sourcearn", job)]),
            Decision::Allow,
        ),
        (
            "another account's job",
            bedrock.clone(),
            context(&[
                ("aws:SourceAccount", "444455556666"),
                (
                    "aws:SourceArn",
                    "arn:aws:bedrock:us-east-1:444455556666:model-customization-job/x",
                ),
            ]),
            Decision::ImplicitDeny,
        ),
        (
            "right account, wrong region in the source ARN",
            bedrock.clone(),
            context(&[
                ("aws:SourceAccount", ACCOUNT),
                (
                    "aws:SourceArn",
                    "arn:aws:bedrock:us-west-2:111122223333:model-customization-job/x",
                ),
            ]),
            Decision::ImplicitDeny,
        ),
        (
            "a provisioned model, not a customization job",
            bedrock.clone(),
            context(&[
                ("aws:SourceAccount", ACCOUNT),
                (
                    "aws:SourceArn",
                    "arn:aws:bedrock:us-east-1:111122223333:provisioned-model/abc",
                ),
            ]),
            Decision::ImplicitDeny,
        ),
        (
            "no source keys at all (confused deputy guard)",
            bedrock.clone(),
            Context::new(),
            Decision::ImplicitDeny,
        ),
        (
            "another service",
            Principal::Service("sagemaker.amazonaws.com".to_owned()),
            context(&[("aws:SourceAccount", ACCOUNT), ("aws:SourceArn", job)]),
            Decision::ImplicitDeny,
        ),
        (
            "a user of the account",
            Principal::Aws("arn:aws:iam::111122223333:user/alice".to_owned()),
            context(&[("aws:SourceAccount", ACCOUNT), ("aws:SourceArn", job)]),
            Decision::ImplicitDeny,
        ),
    ];
    for (name, principal, context, expected) in cases {
        let evaluation = may_assume_role(&policy, ROLE, &principal, &context);
        assert_eq!(evaluation.decision, expected, "{name}");
        let request = Request::new(ASSUME_ROLE, ROLE);
        let reason = evaluation.denial_reason(&request);
        match expected {
            Decision::Allow => assert_eq!(reason, None, "{name}"),
            _ => assert_eq!(
                reason.as_deref(),
                Some("because no resource-based policy allows the sts:AssumeRole action"),
                "{name}"
            ),
        }
    }
}

#[test]
fn trust_statement_without_principal_admits_nobody() {
    let policy = PolicyDocument::parse(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "sts:AssumeRole"}}"#,
    )
    .unwrap();
    let principal = Principal::Aws("arn:aws:iam::111122223333:user/alice".to_owned());
    let evaluation = may_assume_role(&policy, ROLE, &principal, &Context::new());
    assert_eq!(evaluation.decision, Decision::ImplicitDeny);
}

#[test]
fn account_root_trust_admits_the_accounts_identities() {
    let policy = PolicyDocument::parse(
        r#"{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole",
             "Principal": {"AWS": "arn:aws:iam::111122223333:root"}},
            {"Sid": "NoInterns", "Effect": "Deny", "Action": "sts:*",
             "Principal": {"AWS": ["arn:aws:iam::111122223333:user/intern"]}}
        ]}"#,
    )
    .unwrap();
    let cases = [
        ("arn:aws:iam::111122223333:user/alice", Decision::Allow),
        (
            "arn:aws:sts::111122223333:assumed-role/Admin/s",
            Decision::Allow,
        ),
        (
            "arn:aws:iam::111122223333:user/intern",
            Decision::ExplicitDeny,
        ),
        (
            "arn:aws:iam::444455556666:user/alice",
            Decision::ImplicitDeny,
        ),
    ];
    for (arn, expected) in cases {
        let principal = Principal::Aws(arn.to_owned());
        let evaluation = may_assume_role(&policy, ROLE, &principal, &Context::new());
        assert_eq!(evaluation.decision, expected, "{arn}");
        if expected == Decision::ExplicitDeny {
            assert_eq!(
                evaluation
                    .statement
                    .and_then(|statement| statement.sid)
                    .as_deref(),
                Some("NoInterns")
            );
        }
    }
}
