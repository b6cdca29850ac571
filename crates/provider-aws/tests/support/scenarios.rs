//! The scenarios, written once and run against every implementation.

use lathe_config::value::Value;
use lathe_core::provider::ApplyAction;
use lathe_core::provider::Provider;
use serde_json::json;

use super::{Harness, Recorded, json, string};

fn attribute<'value>(value: &'value Value, name: &str) -> &'value Value {
    value
        .as_object()
        .and_then(|object| object.get(name))
        .unwrap_or(&Value::Null)
}

pub fn data_sources(harness: &Harness) {
    let identity = harness.data("aws_caller_identity", json!({}));
    let account = string(&identity, "account_id");
    assert_eq!(account.len(), 12, "{identity}");
    assert!(
        account.bytes().all(|byte| byte.is_ascii_digit()),
        "{identity}"
    );
    assert!(
        string(&identity, "arn").starts_with("arn:aws:"),
        "{identity}"
    );
    let partition = harness.data("aws_partition", json!({}));
    assert_eq!(string(&partition, "partition"), "aws");
    assert_eq!(string(&partition, "dns_suffix"), "amazonaws.com");
    let region = harness.data("aws_region", json!({}));
    assert_eq!(string(&region, "name"), "us-east-1");
    assert_eq!(string(&region, "region"), "us-east-1");
}

fn list_buckets(harness: &Harness) -> Vec<String> {
    let output = harness
        .runtime
        .block_on(harness.s3.list_buckets().send())
        .unwrap();
    output
        .buckets()
        .iter()
        .filter_map(|bucket| bucket.name().map(str::to_string))
        .collect()
}

/// A bucket from a prefix: generated name, tags updated in place, drift seen, BucketNotEmpty
/// refused without force_destroy, emptied with it.
pub fn bucket_lifecycle(harness: &Harness) {
    let config = json!({"bucket_prefix": "lathe-test-", "tags": {"team": "ml"}});
    // A plan that is only shown leaves the generated name unknown; the final plan before
    // apply chooses it once, and the create uses exactly that name.
    let shown = harness.plan("aws_s3_bucket", None, &super::json(config.clone()));
    assert_eq!(attribute(&shown.planned, "bucket"), &Value::Unknown);
    let last = harness.final_plan("aws_s3_bucket", None, &super::json(config.clone()));
    let chosen = string(&last.planned, "bucket");
    let state = harness
        .try_apply(
            "aws_s3_bucket",
            ApplyAction::Create,
            None,
            &last.planned,
            &super::json(config.clone()),
        )
        .expect("the bucket is created");
    let bucket = string(&state, "bucket");
    assert_eq!(bucket, chosen, "apply uses the name the final plan chose");
    assert!(
        lathe_provider_aws::naming::has_generated_suffix(&bucket, "lathe-test-"),
        "{bucket}"
    );
    assert_eq!(string(&state, "arn"), format!("arn:aws:s3:::{bucket}"));
    assert_eq!(attribute(&state, "force_destroy"), &Value::Bool(false));
    assert_eq!(
        harness.read("aws_s3_bucket", &state).as_ref(),
        Some(&state),
        "no drift after create"
    );
    let unchanged = harness.plan("aws_s3_bucket", Some(&state), &super::json(config.clone()));
    assert!(unchanged.reasons.is_empty(), "{:?}", unchanged.reasons);

    let (change, state) = harness.update(
        "aws_s3_bucket",
        &state,
        json!({"bucket_prefix": "lathe-test-", "tags": {"team": "ml", "stage": "dev"}}),
    );
    assert_eq!(change.reasons.len(), 1, "{:?}", change.reasons);
    assert_eq!(
        attribute(&state, "tags"),
        &json(json!({"team": "ml", "stage": "dev"}))
    );

    // Drift: a tag changed behind lathe's back shows in the next read.
    harness
        .runtime
        .block_on(
            harness
                .s3
                .put_bucket_tagging()
                .bucket(&bucket)
                .tagging(
                    aws_sdk_s3::types::Tagging::builder()
                        .tag_set(
                            aws_sdk_s3::types::Tag::builder()
                                .key("team")
                                .value("other")
                                .build()
                                .unwrap(),
                        )
                        .build()
                        .unwrap(),
                )
                .send(),
        )
        .unwrap();
    let drifted = harness.read("aws_s3_bucket", &state).expect("still there");
    assert_eq!(attribute(&drifted, "tags"), &json(json!({"team": "other"})));

    let object = harness.create(
        "aws_s3_object",
        json!({"bucket": bucket, "key": "keep/me.txt", "content": "hello"}),
    );
    let refused = harness.delete("aws_s3_bucket", &drifted).unwrap_err();
    assert!(refused.message.contains("BucketNotEmpty"), "{refused}");
    assert!(list_buckets(harness).contains(&bucket), "the bucket stays");

    let (_, forced) = harness.update(
        "aws_s3_bucket",
        &drifted,
        json!({"bucket_prefix": "lathe-test-", "force_destroy": true}),
    );
    harness
        .delete("aws_s3_bucket", &forced)
        .expect("force_destroy empties the bucket");
    assert!(!list_buckets(harness).contains(&bucket));
    assert_eq!(harness.read("aws_s3_bucket", &forced), None);
    assert_eq!(harness.read("aws_s3_object", &object), None);
}

fn bucket(harness: &Harness, name: &str) -> Value {
    harness.create(
        "aws_s3_bucket",
        json!({"bucket": name, "force_destroy": true}),
    )
}

/// Objects: content and source files, change detection by etag and source_hash, a deleted
/// object seen as gone, import, and a multipart upload with progress.
pub fn object_changes(harness: &Harness) {
    let bucket_state = bucket(harness, "lathe-objects");
    let path = harness.module_directory.path().join("data.jsonl");
    std::fs::write(&path, "{\"prompt\": \"a\", \"completion\": \"b\"}\n").unwrap();
    let config = json!({
        "bucket": "lathe-objects",
        "key": "training_data_v1/data.jsonl",
        "source": "data.jsonl",
        "source_hash": "one",
        "metadata": {"origin": "test"},
        "tags": {"version": "1"},
    });
    let state = harness.create("aws_s3_object", config.clone());
    let first_etag = string(&state, "etag");
    assert_eq!(
        first_etag.len(),
        32,
        "a single-part upload's ETag is the MD5: {first_etag}"
    );
    assert_eq!(
        attribute(&state, "metadata"),
        &json(json!({"origin": "test"}))
    );
    assert_eq!(harness.read("aws_s3_object", &state).as_ref(), Some(&state));
    assert!(
        harness
            .plan("aws_s3_object", Some(&state), &super::json(config.clone()))
            .reasons
            .is_empty()
    );

    // A new file with a new source_hash uploads again in place.
    std::fs::write(&path, "{\"prompt\": \"c\", \"completion\": \"d\"}\n").unwrap();
    let mut changed = config.clone();
    changed["source_hash"] = json!("two");
    let (change, state) = harness.update("aws_s3_object", &state, changed.clone());
    assert!(
        change
            .reasons
            .iter()
            .any(|reason| reason.starts_with("source_hash")),
        "{:?}",
        change.reasons
    );
    assert_ne!(string(&state, "etag"), first_etag);

    // A new key replaces.
    let mut moved = changed.clone();
    moved["key"] = json!("training_data_v2/data.jsonl");
    let replace = harness.plan("aws_s3_object", Some(&state), &super::json(moved));
    assert_eq!(replace.requires_replace, vec!["key".to_string()]);

    let imported = harness
        .provider
        .import_resource("aws_s3_object", "lathe-objects/training_data_v1/data.jsonl")
        .expect("import");
    assert_eq!(string(&imported, "etag"), string(&state, "etag"));
    assert!(
        harness
            .provider
            .import_resource("aws_s3_object", "no-key")
            .is_err()
    );

    // Deleted behind lathe's back: read says gone, so the plan creates it again.
    harness
        .runtime
        .block_on(
            harness
                .s3
                .delete_object()
                .bucket("lathe-objects")
                .key("training_data_v1/data.jsonl")
                .send(),
        )
        .unwrap();
    assert_eq!(harness.read("aws_s3_object", &state), None);

    // 20 MiB: three parts of 8 MiB at most, each reported.
    let large = harness.module_directory.path().join("large.bin");
    let bytes: Vec<u8> = (0..20 * 1024 * 1024u32)
        .map(|index| (index % 251) as u8)
        .collect();
    std::fs::write(&large, &bytes).unwrap();
    let config =
        super::json(json!({"bucket": "lathe-objects", "key": "large.bin", "source": "large.bin"}));
    let planned = harness.final_plan("aws_s3_object", None, &config).planned;
    let progress = Recorded::default();
    let large_state = harness
        .provider
        .apply_resource(
            &lathe_core::provider::ApplyRequest {
                type_name: "aws_s3_object".into(),
                address: "aws_s3_object.large".into(),
                action: ApplyAction::Create,
                prior: None,
                planned,
                config: config.clone(),
                dependents: Vec::new(),
            },
            &progress,
        )
        .expect("multipart upload");
    let messages = progress.messages.lock().unwrap().clone();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(
        messages[2].contains("part 3/3") && messages[2].contains("100%"),
        "{messages:?}"
    );
    assert!(
        string(&large_state, "etag").ends_with("-3"),
        "{large_state}"
    );
    let downloaded = harness.runtime.block_on(async {
        let output = harness
            .s3
            .get_object()
            .bucket("lathe-objects")
            .key("large.bin")
            .send()
            .await
            .unwrap();
        output.body.collect().await.unwrap().into_bytes()
    });
    assert!(
        downloaded.as_ref() == bytes.as_slice(),
        "the parts join into the file"
    );

    harness.delete("aws_s3_object", &large_state).unwrap();
    harness.delete("aws_s3_bucket", &bucket_state).unwrap();
}

pub const DOCUMENT: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}"#;
/// The same meaning, reordered and reformatted.
const SAME_DOCUMENT: &str = r#"{
  "Statement": [{"Resource": ["*"], "Action": ["s3:ListBucket", "s3:GetObject"], "Effect": "Allow"}],
  "Version": "2012-10-17"
}"#;
pub const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":"bedrock.amazonaws.com"}}]}"#;

fn attached(harness: &Harness, role: &str) -> Vec<String> {
    let output = harness
        .runtime
        .block_on(
            harness
                .iam
                .list_attached_role_policies()
                .role_name(role)
                .send(),
        )
        .unwrap();
    output
        .attached_policies()
        .iter()
        .filter_map(|policy| policy.policy_arn().map(str::to_string))
        .collect()
}

/// Policies and roles: generated names, semantic comparison, new policy versions, managed
/// attachments with drift, inline policies, import, and nothing left after delete.
pub fn iam_lifecycle(harness: &Harness) {
    let policy_config =
        json!({"name_prefix": "BedrockCM-", "policy": DOCUMENT, "description": "training data"});
    let policy = harness.create("aws_iam_policy", policy_config.clone());
    let policy_name = string(&policy, "name");
    assert!(
        lathe_provider_aws::naming::has_generated_suffix(&policy_name, "BedrockCM-"),
        "{policy_name}"
    );
    let arn = string(&policy, "arn");
    assert!(arn.ends_with(&format!(":policy/{policy_name}")), "{arn}");
    assert_eq!(string(&policy, "policy"), DOCUMENT);
    assert_eq!(
        harness.read("aws_iam_policy", &policy).as_ref(),
        Some(&policy)
    );

    let same = json!({"name_prefix": "BedrockCM-", "policy": SAME_DOCUMENT, "description": "training data"});
    let plan = harness.plan("aws_iam_policy", Some(&policy), &super::json(same));
    assert!(
        plan.reasons.is_empty(),
        "reordering is not a change: {:?}",
        plan.reasons
    );

    let wider = DOCUMENT.replace("\"s3:ListBucket\"", "\"s3:ListBucket\",\"s3:PutObject\"");
    let (change, policy) = harness.update(
        "aws_iam_policy",
        &policy,
        json!({"name_prefix": "BedrockCM-", "policy": wider, "description": "training data"}),
    );
    assert!(
        change
            .reasons
            .iter()
            .any(|reason| reason.starts_with("policy")),
        "{:?}",
        change.reasons
    );
    assert!(lathe_iam_policy::equivalent(
        &string(&policy, "policy"),
        &wider
    ));
    let versions = harness
        .runtime
        .block_on(harness.iam.list_policy_versions().policy_arn(&arn).send())
        .unwrap();
    assert_eq!(versions.versions().len(), 2);

    let role_config = json!({
        "name_prefix": "BedrockCM-",
        "assume_role_policy": TRUST,
        "managed_policy_arns": [arn],
        "inline_policy": [{"name": "extra", "policy": DOCUMENT}],
        "tags": {"purpose": "training"},
    });
    let role = harness.create("aws_iam_role", role_config.clone());
    let role_name = string(&role, "name");
    assert!(lathe_provider_aws::naming::has_generated_suffix(
        &role_name,
        "BedrockCM-"
    ));
    assert_eq!(attached(harness, &role_name), vec![arn.clone()]);
    assert_eq!(
        harness.read("aws_iam_role", &role).as_ref(),
        Some(&role),
        "no drift after create"
    );
    let plan = harness.plan(
        "aws_iam_role",
        Some(&role),
        &super::json(role_config.clone()),
    );
    assert!(plan.reasons.is_empty(), "{:?}", plan.reasons);

    // Drift: the managed policy detached behind lathe's back.
    harness
        .runtime
        .block_on(
            harness
                .iam
                .detach_role_policy()
                .role_name(&role_name)
                .policy_arn(&arn)
                .send(),
        )
        .unwrap();
    let drifted = harness.read("aws_iam_role", &role).unwrap();
    assert_eq!(
        attribute(&drifted, "managed_policy_arns"),
        &Value::List(Vec::new())
    );
    let repair = harness.plan(
        "aws_iam_role",
        Some(&drifted),
        &super::json(role_config.clone()),
    );
    assert!(
        repair
            .reasons
            .iter()
            .any(|reason| reason.starts_with("managed_policy_arns")),
        "{:?}",
        repair.reasons
    );
    let (_, role) = harness.update("aws_iam_role", &drifted, role_config.clone());
    assert_eq!(attached(harness, &role_name), vec![arn.clone()]);

    let inline = harness.create(
        "aws_iam_role_policy",
        json!({"name": "more", "role": role_name, "policy": SAME_DOCUMENT}),
    );
    assert_eq!(string(&inline, "id"), format!("{role_name}:more"));
    let imported = harness
        .provider
        .import_resource("aws_iam_role_policy", &format!("{role_name}:more"))
        .unwrap();
    assert!(lathe_iam_policy::equivalent(
        &string(&imported, "policy"),
        DOCUMENT
    ));

    let second = harness.create(
        "aws_iam_policy",
        json!({"name": "lathe-second", "policy": DOCUMENT}),
    );
    let attachment = harness.create(
        "aws_iam_role_policy_attachment",
        json!({"role": role_name, "policy_arn": string(&second, "arn")}),
    );
    assert!(string(&attachment, "id").starts_with(&format!("{role_name}-")));
    let imported_role = harness
        .provider
        .import_resource("aws_iam_role", &role_name)
        .unwrap();
    assert_eq!(string(&imported_role, "arn"), string(&role, "arn"));

    harness
        .delete("aws_iam_role_policy_attachment", &attachment)
        .unwrap();
    assert_eq!(
        harness.read("aws_iam_role_policy_attachment", &attachment),
        None
    );
    harness.delete("aws_iam_role_policy", &inline).unwrap();
    harness.delete("aws_iam_role", &role).unwrap();
    harness.delete("aws_iam_policy", &second).unwrap();
    harness.delete("aws_iam_policy", &policy).unwrap();
    assert_eq!(harness.read("aws_iam_role", &role), None);
    assert_eq!(harness.read("aws_iam_policy", &policy), None);
    let roles = harness
        .runtime
        .block_on(harness.iam.list_roles().send())
        .unwrap();
    assert!(
        roles
            .roles()
            .iter()
            .all(|role| role.role_name() != role_name)
    );
}

fn bucket_tags(harness: &Harness, bucket: &str) -> Value {
    let output = harness
        .runtime
        .block_on(harness.s3.get_bucket_tagging().bucket(bucket).send())
        .unwrap();
    Value::Object(
        output
            .tag_set()
            .iter()
            .map(|tag| (tag.key().to_string(), Value::string(tag.value())))
            .collect(),
    )
}

fn role_tags(harness: &Harness, role: &str) -> Value {
    let output = harness
        .runtime
        .block_on(harness.iam.get_role().role_name(role).send())
        .unwrap();
    Value::Object(
        output
            .role()
            .map(|role| role.tags())
            .unwrap_or_default()
            .iter()
            .map(|tag| (tag.key().to_string(), Value::string(tag.value())))
            .collect(),
    )
}

fn with_default_tags(tags: serde_json::Value) -> serde_json::Value {
    json!({"region": "us-east-1", "default_tags": [{"tags": tags}]})
}

/// The provider's default_tags: merged under each object's own tags (which win), shown in
/// `tags_all`, kept out of `tags` on read, and a change of the defaults updates in place.
pub fn default_tags(harness: &mut Harness) {
    harness.configure(with_default_tags(
        json!({"Environment": "dev", "team": "platform"}),
    ));
    let bucket_config =
        json!({"bucket": "lathe-default-tags", "tags": {"team": "ml"}, "force_destroy": true});
    let bucket = harness.create("aws_s3_bucket", bucket_config.clone());
    let expected_all = json(json!({"Environment": "dev", "team": "ml"}));
    assert_eq!(attribute(&bucket, "tags"), &json(json!({"team": "ml"})));
    assert_eq!(attribute(&bucket, "tags_all"), &expected_all);
    assert_eq!(bucket_tags(harness, "lathe-default-tags"), expected_all);
    assert_eq!(
        harness.read("aws_s3_bucket", &bucket).as_ref(),
        Some(&bucket)
    );
    let unchanged = harness.plan("aws_s3_bucket", Some(&bucket), &super::json(bucket_config));
    assert!(unchanged.reasons.is_empty(), "{:?}", unchanged.reasons);

    let role_config = json!({"name": "lathe-tagged", "assume_role_policy": TRUST});
    let role = harness.create("aws_iam_role", role_config.clone());
    assert_eq!(attribute(&role, "tags"), &Value::Null);
    let defaults = json(json!({"Environment": "dev", "team": "platform"}));
    assert_eq!(attribute(&role, "tags_all"), &defaults);
    assert_eq!(role_tags(harness, "lathe-tagged"), defaults);
    assert_eq!(harness.read("aws_iam_role", &role).as_ref(), Some(&role));

    harness.configure(with_default_tags(json!({"Environment": "prod"})));
    let (change, role) = harness.update("aws_iam_role", &role, role_config);
    assert!(
        change
            .reasons
            .iter()
            .any(|reason| reason.starts_with("tags_all ")),
        "{:?}",
        change.reasons
    );
    let prod = json(json!({"Environment": "prod"}));
    assert_eq!(attribute(&role, "tags_all"), &prod);
    assert_eq!(role_tags(harness, "lathe-tagged"), prod);

    harness.delete("aws_iam_role", &role).unwrap();
    harness.delete("aws_s3_bucket", &bucket).unwrap();
}
