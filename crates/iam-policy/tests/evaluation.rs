//! Whole-policy decisions: default deny, explicit deny wins, wildcards, Not* elements and
//! policy variables in resources (IAM user guide, "Policy evaluation logic" and examples).

use lathe_iam_policy::{Context, Decision, PolicyDocument, Principal, Request, evaluate, explain};

const S3_HOME_FOLDERS: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "ListOwnFolder", "Effect": "Allow", "Action": "s3:ListBucket",
     "Resource": "arn:aws:s3:::amzn-s3-demo-bucket",
     "Condition": {"StringLike": {"s3:prefix": ["", "home/", "home/${aws:username}/*"]}}},
    {"Sid": "ObjectsInOwnFolder", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
     "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:username}/*"},
    {"Sid": "NoDeletes", "Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}
  ]
}"#;

const ONLY_S3_AND_BEDROCK: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "*", "Resource": "*"},
    {"Sid": "DenyOutsideS3AndBedrock", "Effect": "Deny",
     "NotAction": ["s3:*", "bedrock:*"], "Resource": "*"},
    {"Sid": "DenyOtherBuckets", "Effect": "Deny", "Action": "s3:*",
     "NotResource": ["arn:aws:s3:::training", "arn:aws:s3:::training/*"]}
  ]
}"#;

/// (name, policies, request, expected decision, Sid of the deciding statement)
type Case<'a> = (
    &'a str,
    Vec<&'a PolicyDocument>,
    Request,
    Decision,
    Option<&'a str>,
);

fn request(action: &str, resource: &str, context: &[(&str, &str)]) -> Request {
    context.iter().fold(
        Request::new(action, resource).with_principal(Principal::Aws(
            "arn:aws:iam::111122223333:user/alice".to_owned(),
        )),
        |request, (key, value)| request.with_context(*key, *value),
    )
}

#[test]
fn decisions_follow_iam_evaluation_logic() {
    let home = PolicyDocument::parse(S3_HOME_FOLDERS).unwrap();
    let fence = PolicyDocument::parse(ONLY_S3_AND_BEDROCK).unwrap();
    let alice = [("aws:username", "alice")];
    let cases: Vec<Case> = vec![
        (
            "own folder object",
            vec![&home],
            request(
                "s3:GetObject",
                "arn:aws:s3:::amzn-s3-demo-bucket/home/alice/a.txt",
                &alice,
            ),
            Decision::Allow,
            Some("ObjectsInOwnFolder"),
        ),
        (
            "actions compare case-insensitively",
            vec![&home],
            request(
                "S3:getobject",
                "arn:aws:s3:::amzn-s3-demo-bucket/home/alice/a.txt",
                &alice,
            ),
            Decision::Allow,
            Some("ObjectsInOwnFolder"),
        ),
        (
            "resources compare case-sensitively",
            vec![&home],
            request(
                "s3:GetObject",
                "arn:aws:s3:::amzn-s3-demo-bucket/HOME/alice/a.txt",
                &alice,
            ),
            Decision::ImplicitDeny,
            None,
        ),
        (
            "someone else's folder",
            vec![&home],
            request(
                "s3:GetObject",
                "arn:aws:s3:::amzn-s3-demo-bucket/home/bob/a.txt",
                &alice,
            ),
            Decision::ImplicitDeny,
            None,
        ),
        (
            "no aws:username: the variable matches nothing",
            vec![&home],
            request(
                "s3:GetObject",
                "arn:aws:s3:::amzn-s3-demo-bucket/home/alice/a.txt",
                &[],
            ),
            Decision::ImplicitDeny,
            None,
        ),
        (
            "listing own prefix",
            vec![&home],
            request(
                "s3:ListBucket",
                "arn:aws:s3:::amzn-s3-demo-bucket",
                &[("aws:username", "alice"), ("s3:prefix", "home/alice/2026")],
            ),
            Decision::Allow,
            Some("ListOwnFolder"),
        ),
        (
            "explicit deny beats the allow",
            vec![&home],
            request(
                "s3:DeleteObject",
                "arn:aws:s3:::amzn-s3-demo-bucket/home/alice/a.txt",
                &alice,
            ),
            Decision::ExplicitDeny,
            Some("NoDeletes"),
        ),
        (
            "an action nobody mentions",
            vec![&home],
            request("iam:CreateUser", "arn:aws:iam::111122223333:user/x", &alice),
            Decision::ImplicitDeny,
            None,
        ),
        (
            "no policies at all",
            vec![],
            request("s3:GetObject", "arn:aws:s3:::b/k", &[]),
            Decision::ImplicitDeny,
            None,
        ),
        (
            "NotAction deny spares the listed services",
            vec![&fence],
            request(
                "bedrock:CreateModelCustomizationJob",
                "arn:aws:bedrock:us-east-1:111122223333:model-customization-job/x",
                &[],
            ),
            Decision::Allow,
            None,
        ),
        (
            "NotAction deny catches the rest",
            vec![&fence],
            request("iam:PassRole", "arn:aws:iam::111122223333:role/r", &[]),
            Decision::ExplicitDeny,
            Some("DenyOutsideS3AndBedrock"),
        ),
        (
            "NotResource deny spares the training bucket",
            vec![&fence],
            request("s3:PutObject", "arn:aws:s3:::training/v1/data.jsonl", &[]),
            Decision::Allow,
            None,
        ),
        (
            "NotResource deny catches other buckets",
            vec![&fence],
            request("s3:PutObject", "arn:aws:s3:::elsewhere/x", &[]),
            Decision::ExplicitDeny,
            Some("DenyOtherBuckets"),
        ),
        (
            "a deny in any policy wins over an allow in another",
            vec![&home, &fence],
            request(
                "s3:GetObject",
                "arn:aws:s3:::amzn-s3-demo-bucket/home/alice/a.txt",
                &alice,
            ),
            Decision::ExplicitDeny,
            Some("DenyOtherBuckets"),
        ),
    ];
    for (name, policies, request, expected, sid) in cases {
        let policies: Vec<PolicyDocument> = policies.into_iter().cloned().collect();
        assert_eq!(evaluate(&policies, &request), expected, "{name}");
        let evaluation = explain(&policies, &request);
        if sid.is_some() {
            assert_eq!(
                evaluation
                    .statement
                    .and_then(|statement| statement.sid)
                    .as_deref(),
                sid,
                "{name}"
            );
        }
    }
}

#[test]
fn version_2008_takes_variables_literally() {
    let policy = PolicyDocument::parse(
        r#"{"Version": "2008-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::b/${aws:username}/*"}}"#,
    )
    .unwrap();
    let alice = [("aws:username", "alice")];
    let literal = request("s3:GetObject", "arn:aws:s3:::b/${aws:username}/x", &alice);
    let substituted = request("s3:GetObject", "arn:aws:s3:::b/alice/x", &alice);
    assert_eq!(
        evaluate(std::slice::from_ref(&policy), &literal),
        Decision::Allow
    );
    assert_eq!(
        evaluate(std::slice::from_ref(&policy), &substituted),
        Decision::ImplicitDeny
    );
}

#[test]
fn principal_elements_restrict_statements() {
    let policy = PolicyDocument::parse(
        r#"{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Principal": "*"},
            {"Sid": "OnlyAlicePuts", "Effect": "Deny", "Action": "s3:PutObject", "Resource": "*",
             "NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:user/alice", "111122223333"]}},
            {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*",
             "Principal": {"AWS": "111122223333"}}
        ]}"#,
    )
    .unwrap();
    let policies = [policy];
    let as_principal = |principal: Option<&str>, action: &str| Request {
        principal: principal.map(|arn| Principal::Aws(arn.to_owned())),
        action: action.to_owned(),
        resource: "arn:aws:s3:::b/k".to_owned(),
        context: Context::new(),
    };
    let alice = Some("arn:aws:iam::111122223333:user/alice");
    let bob = Some("arn:aws:iam::111122223333:user/bob");
    let cases = [
        (None, "s3:GetObject", Decision::Allow),
        (bob, "s3:GetObject", Decision::Allow),
        (alice, "s3:PutObject", Decision::Allow),
        (bob, "s3:PutObject", Decision::ExplicitDeny),
        (None, "s3:PutObject", Decision::ExplicitDeny),
    ];
    for (principal, action, expected) in cases {
        assert_eq!(
            evaluate(&policies, &as_principal(principal, action)),
            expected,
            "{principal:?} {action}"
        );
    }
}

#[test]
fn denial_reasons_read_like_aws() {
    let policy = PolicyDocument::parse(S3_HOME_FOLDERS).unwrap();
    let policies = [policy];
    let denied = request("iam:CreateUser", "arn:aws:iam::111122223333:user/x", &[]);
    assert_eq!(
        explain(&policies, &denied)
            .denial_reason(&denied)
            .as_deref(),
        Some("because no identity-based policy allows the iam:CreateUser action")
    );
    let deleting = request("s3:DeleteObject", "arn:aws:s3:::b/k", &[]);
    assert_eq!(
        explain(&policies, &deleting)
            .denial_reason(&deleting)
            .as_deref(),
        Some("with an explicit deny in an identity-based policy (statement \"NoDeletes\")")
    );
}

#[test]
fn every_aws_principal_includes_anonymous_callers() {
    let policy = PolicyDocument::parse(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::public/*", "Principal": {"AWS": "*"}}}"#,
    )
    .unwrap();
    let policies = [policy];
    let anonymous = Request::new("s3:GetObject", "arn:aws:s3:::public/index.html");
    assert_eq!(evaluate(&policies, &anonymous), Decision::Allow);
    let service = anonymous
        .clone()
        .with_principal(Principal::Service("bedrock.amazonaws.com".to_owned()));
    assert_eq!(evaluate(&policies, &service), Decision::ImplicitDeny);
}

/// IAM user guide, "NotPrincipal with Deny": every identity of the caller must be named, or
/// the deny still reaches it through its account.
#[test]
fn not_principal_exempts_only_fully_named_callers() {
    let deny_all_but = |named: &str| {
        PolicyDocument::parse(&format!(
            r#"{{"Version": "2012-10-17", "Statement": [
                {{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Principal": "*"}},
                {{"Effect": "Deny", "Action": "s3:*", "Resource": "*", "NotPrincipal": {{"AWS": {named}}}}}]}}"#
        ))
        .unwrap()
    };
    let session = "arn:aws:sts::444455556666:assumed-role/role-name/session-name";
    let complete = r#"["arn:aws:sts::444455556666:assumed-role/role-name/session-name",
        "arn:aws:iam::444455556666:role/role-name", "arn:aws:iam::444455556666:root"]"#;
    let cases = [
        (complete, session, Decision::Allow),
        (
            r#""arn:aws:sts::444455556666:assumed-role/role-name/session-name""#,
            session,
            Decision::ExplicitDeny,
        ),
        (
            complete,
            "arn:aws:sts::444455556666:assumed-role/role-name/other",
            Decision::ExplicitDeny,
        ),
        (
            complete,
            "arn:aws:iam::444455556666:user/bob",
            Decision::ExplicitDeny,
        ),
        (
            r#""*""#,
            "arn:aws:iam::444455556666:user/bob",
            Decision::Allow,
        ),
    ];
    for (named, caller, expected) in cases {
        let request = Request::new("s3:GetObject", "arn:aws:s3:::b/k")
            .with_principal(Principal::Aws(caller.to_owned()));
        assert_eq!(
            evaluate(&[deny_all_but(named)], &request),
            expected,
            "NotPrincipal {named} for {caller}"
        );
    }
}
