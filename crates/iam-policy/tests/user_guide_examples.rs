//! Example policies in the shape of the IAM user guide's "Example IAM identity-based
//! policies", each decided for requests that the guide says it allows or denies.

use lathe_iam_policy::{Decision, PolicyDocument, Principal, Request, evaluate};

/// "AWS: Denies access to AWS based on the requested Region" with an allow-all beside it.
const REQUESTED_REGION: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "*", "Resource": "*"},
  {"Sid": "DenyAllOutsideRequestedRegions", "Effect": "Deny",
   "NotAction": ["cloudfront:*", "iam:*", "route53:*", "support:*"], "Resource": "*",
   "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-central-1", "eu-west-1"]}}}
]}"#;

/// "IAM: Allows IAM users to rotate their own credentials programmatically".
const OWN_CREDENTIALS: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow",
   "Action": ["iam:ListAccessKeys", "iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:UpdateAccessKey"],
   "Resource": "arn:aws:iam::*:user/${aws:username}"}
]}"#;

/// "AWS: Denies access to AWS based on MFA", except what a user needs to set MFA up.
const REQUIRE_MFA: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "*", "Resource": "*"},
  {"Sid": "DenyAllExceptListedIfNoMFA", "Effect": "Deny",
   "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser", "sts:GetSessionToken"],
   "Resource": "*",
   "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}
]}"#;

/// "AWS: Allows access within specific dates" combined with "Denies access based on the
/// source IP".
const DATES_AND_NETWORK: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "bedrock:*", "Resource": "*",
   "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2026-07-01T00:00:00Z"},
                 "DateLessThan": {"aws:CurrentTime": "2026-12-31T23:59:59Z"}}},
  {"Effect": "Deny", "Action": "*", "Resource": "*",
   "Condition": {"NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"]},
                 "Bool": {"aws:ViaAWSService": "false"}}}
]}"#;

/// (policy, action, resource, context, expected)
type Example = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    Decision,
);

#[test]
fn user_guide_examples_decide_as_documented() {
    let examples: Vec<Example> = vec![
        (
            REQUESTED_REGION,
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            &[("aws:RequestedRegion", "eu-west-1")],
            Decision::Allow,
        ),
        (
            REQUESTED_REGION,
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            &[("aws:RequestedRegion", "us-east-1")],
            Decision::ExplicitDeny,
        ),
        (
            REQUESTED_REGION,
            "iam:CreateRole",
            "arn:aws:iam::111122223333:role/r",
            &[("aws:RequestedRegion", "us-east-1")],
            Decision::Allow,
        ),
        (
            OWN_CREDENTIALS,
            "iam:CreateAccessKey",
            "arn:aws:iam::111122223333:user/alice",
            &[("aws:username", "alice")],
            Decision::Allow,
        ),
        (
            OWN_CREDENTIALS,
            "iam:CreateAccessKey",
            "arn:aws:iam::111122223333:user/bob",
            &[("aws:username", "alice")],
            Decision::ImplicitDeny,
        ),
        (
            OWN_CREDENTIALS,
            "iam:DeleteUser",
            "arn:aws:iam::111122223333:user/alice",
            &[("aws:username", "alice")],
            Decision::ImplicitDeny,
        ),
        (
            REQUIRE_MFA,
            "s3:ListBucket",
            "arn:aws:s3:::b",
            &[("aws:MultiFactorAuthPresent", "true")],
            Decision::Allow,
        ),
        (
            REQUIRE_MFA,
            "s3:ListBucket",
            "arn:aws:s3:::b",
            &[("aws:MultiFactorAuthPresent", "false")],
            Decision::ExplicitDeny,
        ),
        // Long-term access keys carry no MFA key at all: BoolIfExists still denies.
        (
            REQUIRE_MFA,
            "s3:ListBucket",
            "arn:aws:s3:::b",
            &[],
            Decision::ExplicitDeny,
        ),
        (
            REQUIRE_MFA,
            "iam:EnableMFADevice",
            "arn:aws:iam::111122223333:mfa/alice",
            &[],
            Decision::Allow,
        ),
        (
            DATES_AND_NETWORK,
            "bedrock:InvokeModel",
            "arn:aws:bedrock:us-east-1::foundation-model/m",
            &[
                ("aws:CurrentTime", "2026-11-26T02:00:00Z"),
                ("aws:SourceIp", "203.0.113.5"),
                ("aws:ViaAWSService", "false"),
            ],
            Decision::Allow,
        ),
        (
            DATES_AND_NETWORK,
            "bedrock:InvokeModel",
            "arn:aws:bedrock:us-east-1::foundation-model/m",
            &[
                ("aws:CurrentTime", "2027-01-02T00:00:00Z"),
                ("aws:SourceIp", "203.0.113.5"),
                ("aws:ViaAWSService", "false"),
            ],
            Decision::ImplicitDeny,
        ),
        (
            DATES_AND_NETWORK,
            "bedrock:InvokeModel",
            "arn:aws:bedrock:us-east-1::foundation-model/m",
            &[
                ("aws:CurrentTime", "2026-11-26T02:00:00Z"),
                ("aws:SourceIp", "198.51.100.7"),
                ("aws:ViaAWSService", "false"),
            ],
            Decision::ExplicitDeny,
        ),
        // A service calling on the user's behalf comes from AWS's addresses; the deny spares it.
        (
            DATES_AND_NETWORK,
            "bedrock:InvokeModel",
            "arn:aws:bedrock:us-east-1::foundation-model/m",
            &[
                ("aws:CurrentTime", "2026-11-26T02:00:00Z"),
                ("aws:SourceIp", "198.51.100.7"),
                ("aws:ViaAWSService", "true"),
            ],
            Decision::Allow,
        ),
    ];
    for (policy, action, resource, context, expected) in examples {
        let policies = [PolicyDocument::parse(policy).unwrap()];
        let request = context.iter().fold(
            Request::new(action, resource).with_principal(Principal::Aws(
                "arn:aws:iam::111122223333:user/alice".to_owned(),
            )),
            |request, (key, value)| request.with_context(*key, *value),
        );
        assert_eq!(
            evaluate(&policies, &request),
            expected,
            "{action} on {resource} with {context:?}"
        );
        assert_eq!(policies[0].check_identity_policy(), Ok(()));
        assert_eq!(
            policies[0].lint(),
            Vec::new(),
            "the guide's examples are sound"
        );
    }
}
