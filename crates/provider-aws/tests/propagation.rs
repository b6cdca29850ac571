//! IAM eventual consistency: calls right after a create retry the answers AWS gives while a
//! new role or policy propagates, with backoff and a bounded budget, against a peer in front
//! of the local region that fails the first N calls.

mod support;

use std::time::{Duration, Instant};

use lathe_core::provider::ApplyAction;
use lathe_provider_aws::Propagation;
use serde_json::json;
use support::faulty_peer::{Fault, FaultyPeer};
use support::region::Running;
use support::scenarios::{DOCUMENT, TRUST};
use support::{Flavor, Harness, json, string};

const INVALID_PRINCIPAL: &str =
    "Invalid principal in policy: \"SERVICE\":\"bedrock.amazonaws.com\"";

fn harness(running: &Running, peer: &FaultyPeer, budget: Duration) -> Harness {
    Harness::with_propagation(
        &peer.endpoint,
        running.access_key(),
        running.secret_key(),
        Flavor::LocalRegion,
        Propagation {
            budget,
            first_delay: Duration::from_millis(10),
        },
    )
}

#[test]
fn calls_after_a_create_are_retried_while_iam_propagates() {
    let running = Running::start();
    let peer = FaultyPeer::start(
        &running.endpoint(),
        vec![
            Fault {
                action: "CreateRole",
                status: 400,
                code: "MalformedPolicyDocument",
                message: INVALID_PRINCIPAL,
                times: 2,
            },
            Fault {
                action: "AttachRolePolicy",
                status: 404,
                code: "NoSuchEntity",
                message: "The role with name lathe-propagating cannot be found.",
                times: 3,
            },
            Fault {
                action: "GetRole",
                status: 404,
                code: "NoSuchEntity",
                message: "The role with name lathe-propagating cannot be found.",
                times: 2,
            },
        ],
    );
    let harness = harness(&running, &peer, Duration::from_secs(30));
    let policy = harness.create(
        "aws_iam_policy",
        json!({"name": "lathe-propagation", "policy": DOCUMENT}),
    );
    let arn = string(&policy, "arn");
    let role = harness.create(
        "aws_iam_role",
        json!({
            "name": "lathe-propagating",
            "assume_role_policy": TRUST,
            "managed_policy_arns": [arn],
        }),
    );
    assert_eq!(string(&role, "name"), "lathe-propagating");
    assert_eq!(peer.calls("CreateRole"), 3, "two refusals, then the create");
    assert_eq!(peer.calls("AttachRolePolicy"), 4);
    assert!(peer.calls("GetRole") >= 3, "{:?}", peer.calls);
    // Refresh is no create: a role that is gone reads as gone at once, without waiting.
    harness.delete("aws_iam_role", &role).unwrap();
    let started = Instant::now();
    assert_eq!(harness.read("aws_iam_role", &role), None);
    assert!(started.elapsed() < Duration::from_secs(5));
    harness.delete("aws_iam_policy", &policy).unwrap();
}

#[test]
fn past_the_budget_the_error_is_awss_own() {
    let running = Running::start();
    let peer = FaultyPeer::start(
        &running.endpoint(),
        vec![Fault {
            action: "CreateRole",
            status: 400,
            code: "MalformedPolicyDocument",
            message: INVALID_PRINCIPAL,
            times: usize::MAX,
        }],
    );
    let harness = harness(&running, &peer, Duration::from_millis(300));
    let config = json(json!({"name": "lathe-never", "assume_role_policy": TRUST}));
    let planned = harness.final_plan("aws_iam_role", None, &config).planned;
    let started = Instant::now();
    let error = harness
        .try_apply("aws_iam_role", ApplyAction::Create, None, &planned, &config)
        .unwrap_err();
    assert!(
        error
            .message
            .contains("creating IAM role lathe-never: MalformedPolicyDocument: Invalid principal"),
        "{error}"
    );
    let calls = peer.calls("CreateRole");
    assert!((2..30).contains(&calls), "retried with backoff: {calls}");
    assert!(started.elapsed() < Duration::from_secs(5));
}
