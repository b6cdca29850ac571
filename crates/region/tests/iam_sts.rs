//! IAM and STS through the AWS SDK for Rust.

mod common;

use aws_sdk_iam::types::Tag;
use common::{code, iam, region, sts};

const TRUST_ACCOUNT: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}"#;
const TRUST_BEDROCK: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"bedrock.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"000000000000"}}}]}"#;
const READ_DATA: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::data","arn:aws:s3:::data/*"]}]}"#;

fn decode(document: &str) -> String {
    percent_encoding::percent_decode_str(document)
        .decode_utf8()
        .unwrap()
        .into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn roles_policies_attachments_and_inline_policies() {
    let region = region().await;
    let client = iam(&region);
    // A name as Terraform's name_prefix generates it.
    let role_name = "lathe-job-20261126015328123400000001";
    let created = client
        .create_role()
        .role_name(role_name)
        .assume_role_policy_document(TRUST_BEDROCK)
        .description("training jobs")
        .tags(Tag::builder().key("team").value("ml").build().unwrap())
        .send()
        .await
        .unwrap();
    let role = created.role().unwrap();
    assert_eq!(
        role.arn(),
        format!("arn:aws:iam::000000000000:role/{role_name}")
    );
    assert!(role.role_id().starts_with("AROA"));
    let duplicate = client
        .create_role()
        .role_name(role_name)
        .assume_role_policy_document(TRUST_BEDROCK)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&duplicate), "EntityAlreadyExists");
    let fetched = client.get_role().role_name(role_name).send().await.unwrap();
    let fetched = fetched.role().unwrap();
    assert_eq!(
        decode(fetched.assume_role_policy_document().unwrap()),
        TRUST_BEDROCK
    );
    assert_eq!(fetched.tags().len(), 1);
    client
        .update_assume_role_policy()
        .role_name(role_name)
        .policy_document(TRUST_ACCOUNT)
        .send()
        .await
        .unwrap();
    let roles = client.list_roles().send().await.unwrap();
    assert_eq!(roles.roles().len(), 1);
    assert_eq!(
        decode(roles.roles()[0].assume_role_policy_document().unwrap()),
        TRUST_ACCOUNT
    );

    let malformed = client
        .create_policy()
        .policy_name("broken")
        .policy_document("{\"Statement\": [")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&malformed), "MalformedPolicyDocument");
    let policy = client
        .create_policy()
        .policy_name("read-data")
        .policy_document(READ_DATA)
        .send()
        .await
        .unwrap();
    let policy_arn = policy.policy().unwrap().arn().unwrap().to_string();
    assert_eq!(policy_arn, "arn:aws:iam::000000000000:policy/read-data");
    let got = client
        .get_policy()
        .policy_arn(&policy_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(got.policy().unwrap().default_version_id(), Some("v1"));
    let version = client
        .get_policy_version()
        .policy_arn(&policy_arn)
        .version_id("v1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        decode(version.policy_version().unwrap().document().unwrap()),
        READ_DATA
    );
    let listed = client
        .list_policies()
        .scope(aws_sdk_iam::types::PolicyScopeType::Local)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.policies().len(), 1);

    client
        .attach_role_policy()
        .role_name(role_name)
        .policy_arn(&policy_arn)
        .send()
        .await
        .unwrap();
    let attached = client
        .list_attached_role_policies()
        .role_name(role_name)
        .send()
        .await
        .unwrap();
    assert_eq!(
        attached.attached_policies()[0].policy_arn(),
        Some(policy_arn.as_str())
    );
    let conflict = client
        .delete_policy()
        .policy_arn(&policy_arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&conflict), "DeleteConflict");
    let conflict = client
        .delete_role()
        .role_name(role_name)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&conflict), "DeleteConflict");

    client
        .put_role_policy()
        .role_name(role_name)
        .policy_name("inline")
        .policy_document(READ_DATA)
        .send()
        .await
        .unwrap();
    let names = client
        .list_role_policies()
        .role_name(role_name)
        .send()
        .await
        .unwrap();
    assert_eq!(names.policy_names(), ["inline"]);
    let inline = client
        .get_role_policy()
        .role_name(role_name)
        .policy_name("inline")
        .send()
        .await
        .unwrap();
    assert_eq!(decode(inline.policy_document()), READ_DATA);

    client
        .tag_role()
        .role_name(role_name)
        .tags(Tag::builder().key("stage").value("dev").build().unwrap())
        .send()
        .await
        .unwrap();
    client
        .untag_role()
        .role_name(role_name)
        .tag_keys("team")
        .send()
        .await
        .unwrap();
    let tags = client
        .list_role_tags()
        .role_name(role_name)
        .send()
        .await
        .unwrap();
    assert_eq!(
        tags.tags().iter().map(|t| t.key()).collect::<Vec<_>>(),
        ["stage"]
    );
    client
        .tag_policy()
        .policy_arn(&policy_arn)
        .tags(Tag::builder().key("k").value("v").build().unwrap())
        .send()
        .await
        .unwrap();
    let policy_tags = client
        .list_policy_tags()
        .policy_arn(&policy_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(policy_tags.tags().len(), 1);

    client
        .delete_role_policy()
        .role_name(role_name)
        .policy_name("inline")
        .send()
        .await
        .unwrap();
    client
        .detach_role_policy()
        .role_name(role_name)
        .policy_arn(&policy_arn)
        .send()
        .await
        .unwrap();
    client
        .delete_policy()
        .policy_arn(&policy_arn)
        .send()
        .await
        .unwrap();
    client
        .delete_role()
        .role_name(role_name)
        .send()
        .await
        .unwrap();
    let missing = client
        .get_role()
        .role_name(role_name)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&missing), "NoSuchEntity");
    let missing = client
        .get_policy()
        .policy_arn(&policy_arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&missing), "NoSuchEntity");
    let invalid = client
        .create_role()
        .role_name("bad name")
        .assume_role_policy_document(TRUST_ACCOUNT)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&invalid), "ValidationError");
}

#[tokio::test(flavor = "multi_thread")]
async fn caller_identity_and_assume_role() {
    let region = region().await;
    let identity = sts(&region).get_caller_identity().send().await.unwrap();
    assert_eq!(identity.account(), Some("000000000000"));
    assert_eq!(identity.arn(), Some("arn:aws:iam::000000000000:root"));

    let client = iam(&region);
    client
        .create_role()
        .role_name("worker")
        .assume_role_policy_document(TRUST_ACCOUNT)
        .send()
        .await
        .unwrap();
    client
        .create_role()
        .role_name("bedrock-only")
        .assume_role_policy_document(TRUST_BEDROCK)
        .send()
        .await
        .unwrap();
    let assumed = sts(&region)
        .assume_role()
        .role_arn("arn:aws:iam::000000000000:role/worker")
        .role_session_name("job-1")
        .send()
        .await
        .unwrap();
    let credentials = assumed.credentials().unwrap();
    assert!(credentials.access_key_id().starts_with("ASIA"));
    assert!(!credentials.session_token().is_empty());
    assert_eq!(
        assumed.assumed_role_user().unwrap().arn(),
        "arn:aws:sts::000000000000:assumed-role/worker/job-1"
    );
    let as_role = common::sts_with(
        &region,
        common::credentials(
            credentials.access_key_id(),
            credentials.secret_access_key(),
            Some(credentials.session_token()),
        ),
    );
    let who = as_role.get_caller_identity().send().await.unwrap();
    assert_eq!(
        who.arn(),
        Some("arn:aws:sts::000000000000:assumed-role/worker/job-1")
    );

    let refused = sts(&region)
        .assume_role()
        .role_arn("arn:aws:iam::000000000000:role/bedrock-only")
        .role_session_name("job-2")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&refused), "AccessDenied");
    let missing = sts(&region)
        .assume_role()
        .role_arn("arn:aws:iam::000000000000:role/nobody")
        .role_session_name("job-3")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&missing), "AccessDenied");
    let too_short = sts(&region)
        .assume_role()
        .role_arn("arn:aws:iam::000000000000:role/worker")
        .role_session_name("job-4")
        .duration_seconds(60)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&too_short), "ValidationError");
}

const READ_ALL: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;

#[tokio::test(flavor = "multi_thread")]
async fn policy_versions_change_what_a_policy_allows() {
    let region = region().await;
    let client = iam(&region);
    let created = client
        .create_policy()
        .policy_name("evolving")
        .policy_document(READ_DATA)
        .send()
        .await
        .unwrap();
    let arn = created.policy().unwrap().arn().unwrap().to_string();
    let second = client
        .create_policy_version()
        .policy_arn(&arn)
        .policy_document(READ_ALL)
        .set_as_default(true)
        .send()
        .await
        .unwrap();
    assert_eq!(second.policy_version().unwrap().version_id(), Some("v2"));
    let policy = client.get_policy().policy_arn(&arn).send().await.unwrap();
    assert_eq!(policy.policy().unwrap().default_version_id(), Some("v2"));
    let listed = client
        .list_policy_versions()
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
    let ids: Vec<_> = listed
        .versions()
        .iter()
        .map(|v| (v.version_id().unwrap(), v.is_default_version()))
        .collect();
    assert_eq!(ids, [("v2", true), ("v1", false)]);
    let v1 = client
        .get_policy_version()
        .policy_arn(&arn)
        .version_id("v1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        decode(v1.policy_version().unwrap().document().unwrap()),
        READ_DATA
    );
    let default = client
        .delete_policy_version()
        .policy_arn(&arn)
        .version_id("v2")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&default), "DeleteConflict");
    let versioned = client
        .delete_policy()
        .policy_arn(&arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&versioned), "DeleteConflict");
    for _ in 0..3 {
        client
            .create_policy_version()
            .policy_arn(&arn)
            .policy_document(READ_DATA)
            .send()
            .await
            .unwrap();
    }
    let sixth = client
        .create_policy_version()
        .policy_arn(&arn)
        .policy_document(READ_DATA)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&sixth), "LimitExceeded");
    client
        .set_default_policy_version()
        .policy_arn(&arn)
        .version_id("v1")
        .send()
        .await
        .unwrap();
    for version in ["v2", "v3", "v4", "v5"] {
        client
            .delete_policy_version()
            .policy_arn(&arn)
            .version_id(version)
            .send()
            .await
            .unwrap();
    }
    let missing = client
        .get_policy_version()
        .policy_arn(&arn)
        .version_id("v9")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&missing), "NoSuchEntity");
    client
        .delete_policy()
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
}
