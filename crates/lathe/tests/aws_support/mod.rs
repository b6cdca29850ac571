//! The seed's first half, end to end through the binary, against any AWS-compatible endpoint:
//! apply, a clean second plan, drift made with the AWS SDK, and a destroy that leaves nothing.

#![allow(dead_code)]

#[path = "../../../provider-aws/tests/support/moto.rs"]
pub mod moto;
#[path = "../../../provider-aws/tests/support/region.rs"]
pub mod region;

use std::path::Path;
use std::process::{Command, Output};

use lathe_test_support::TempProject;

pub fn lathe(directory: &Path, arguments: &[&str], environment: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lathe"));
    command
        .arg(format!("-chdir={}", directory.display()))
        .args(arguments)
        .env("NO_COLOR", "1")
        .env_remove("LATHE_TARGET");
    for (name, value) in environment {
        command.env(name, value);
    }
    command.output().expect("the lathe binary runs")
}

pub fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

pub fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

/// The provider block a team adds to point lathe at moto, or at any other endpoint.
pub fn endpoints_provider(endpoint: &str, access_key: &str, secret_key: &str) -> String {
    format!(
        r#"provider "aws" {{
  region                      = "us-east-1"
  access_key                  = "{access_key}"
  secret_key                  = "{secret_key}"
  s3_use_path_style           = true
  skip_credentials_validation = true

  endpoints {{
    s3  = "{endpoint}"
    iam = "{endpoint}"
    sts = "{endpoint}"
  }}
}}
"#
    )
}

/// What plan says when the provider block names every endpoint.
pub fn endpoints_target_line(endpoint: &str) -> String {
    format!(
        "Target: endpoints from the provider block (iam at {endpoint}, s3 at {endpoint}, sts at {endpoint})"
    )
}

/// A copy of examples/seed.
pub fn seed() -> TempProject {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed");
    TempProject::copy_of(&example)
}

/// A copy of examples/seed-native.
pub fn seed_native() -> TempProject {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seed-native");
    TempProject::copy_of(&example)
}

/// SDK clients that act behind lathe's back.
pub struct Clients {
    pub runtime: tokio::runtime::Runtime,
    pub s3: aws_sdk_s3::Client,
    pub iam: aws_sdk_iam::Client,
}

impl Clients {
    pub fn new(endpoint: &str, access_key: &str, secret_key: &str) -> Clients {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let credentials =
            aws_credential_types::Credentials::new(access_key, secret_key, None, None, "test");
        let config = runtime.block_on(
            aws_config::defaults(aws_config::BehaviorVersion::latest())
                .region(aws_config::Region::new("us-east-1"))
                .credentials_provider(credentials)
                .endpoint_url(endpoint)
                .load(),
        );
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&config)
                .force_path_style(true)
                .build(),
        );
        let iam = aws_sdk_iam::Client::new(&config);
        Clients { runtime, s3, iam }
    }

    pub fn buckets(&self) -> Vec<String> {
        let output = self
            .runtime
            .block_on(self.s3.list_buckets().send())
            .unwrap();
        output
            .buckets()
            .iter()
            .filter_map(|bucket| bucket.name().map(str::to_string))
            .collect()
    }

    /// Every key in `bucket`.
    pub fn keys(&self, bucket: &str) -> Vec<String> {
        let output = self
            .runtime
            .block_on(self.s3.list_objects_v2().bucket(bucket).send())
            .unwrap();
        output
            .contents()
            .iter()
            .filter_map(|object| object.key().map(str::to_string))
            .collect()
    }

    pub fn object_text(&self, bucket: &str, key: &str) -> String {
        self.runtime.block_on(async {
            let output = self
                .s3
                .get_object()
                .bucket(bucket)
                .key(key)
                .send()
                .await
                .unwrap();
            let bytes = output.body.collect().await.unwrap().into_bytes();
            String::from_utf8(bytes.to_vec()).unwrap()
        })
    }

    pub fn roles(&self) -> Vec<String> {
        let output = self.runtime.block_on(self.iam.list_roles().send()).unwrap();
        output
            .roles()
            .iter()
            .map(|role| role.role_name().to_string())
            .collect()
    }

    pub fn local_policies(&self) -> Vec<String> {
        let output = self
            .runtime
            .block_on(
                self.iam
                    .list_policies()
                    .scope(aws_sdk_iam::types::PolicyScopeType::Local)
                    .send(),
            )
            .unwrap();
        output
            .policies()
            .iter()
            .filter_map(|policy| policy.policy_name().map(str::to_string))
            .collect()
    }
}

/// init, a plan of the seed's five resources, their apply, and a second plan with nothing to
/// do; returns the first plan's text.
fn first_apply(run: &dyn Fn(&[&str]) -> Output) -> String {
    let init = run(&["init"]);
    assert_eq!(code(&init), 0, "{}", text(&init));
    let plan = run(&["plan"]);
    let planned = text(&plan);
    assert_eq!(code(&plan), 0, "{planned}");
    assert!(
        planned.contains("Plan: 5 to add, 0 to change, 0 to destroy."),
        "{planned}"
    );
    // Names generated from name_prefix are chosen by apply, never shown by a plan.
    assert!(!planned.contains("\"BedrockCM-2"), "{planned}");
    let apply = run(&["apply", "-auto-approve"]);
    let applied = text(&apply);
    assert_eq!(code(&apply), 0, "{applied}");
    assert!(
        applied.contains("Apply complete! Resources: 5 added, 0 changed, 0 destroyed."),
        "{applied}"
    );
    let again = run(&["plan", "-detailed-exitcode"]);
    assert_eq!(
        code(&again),
        0,
        "a second plan changes nothing:\n{}",
        text(&again)
    );
    assert!(text(&again).contains("No changes."), "{}", text(&again));
    planned
}

/// Destroys the seed's five resources.
fn destroy_all(run: &dyn Fn(&[&str]) -> Output, extra: &[&str]) {
    let arguments: Vec<&str> = ["destroy", "-auto-approve"]
        .into_iter()
        .chain(extra.iter().copied())
        .collect();
    let destroy = run(&arguments);
    let destroyed = text(&destroy);
    assert_eq!(code(&destroy), 0, "{destroyed}");
    assert!(
        destroyed.contains("Destroy complete! Resources: 5 destroyed."),
        "{destroyed}"
    );
}

/// Runs the whole journey; `target_line` is what plan must say about where requests go.
pub fn seed_journey(
    project: &TempProject,
    clients: &Clients,
    environment: &[(&str, &str)],
    target_line: &str,
) {
    let directory = project.path();
    let run = |arguments: &[&str]| lathe(directory, arguments, environment);

    let planned = first_apply(&run);
    assert!(planned.contains(target_line), "{planned}");
    assert!(
        directory.join("fine_tune_train_v1.jsonl").is_file(),
        "the script wrote the data"
    );

    let account_bucket = training_bucket(clients);
    let key = "training_data_v1/fine_tune_train_v1.jsonl";
    let head = clients.runtime.block_on(
        clients
            .s3
            .head_object()
            .bucket(&account_bucket)
            .key(key)
            .send(),
    );
    assert!(
        head.is_ok(),
        "the training data is uploaded under the versioned prefix"
    );
    let roles: Vec<String> = clients
        .roles()
        .into_iter()
        .filter(|role| role.starts_with("BedrockCM-"))
        .collect();
    assert_eq!(roles.len(), 1, "{roles:?}");

    // Drift: the object deleted and the bucket tagged behind lathe's back.
    clients
        .runtime
        .block_on(
            clients
                .s3
                .delete_object()
                .bucket(&account_bucket)
                .key(key)
                .send(),
        )
        .unwrap();
    clients
        .runtime
        .block_on(
            clients
                .s3
                .put_bucket_tagging()
                .bucket(&account_bucket)
                .tagging(
                    aws_sdk_s3::types::Tagging::builder()
                        .tag_set(
                            aws_sdk_s3::types::Tag::builder()
                                .key("owner")
                                .value("someone")
                                .build()
                                .unwrap(),
                        )
                        .build()
                        .unwrap(),
                )
                .send(),
        )
        .unwrap();
    let drift = run(&["plan", "-detailed-exitcode"]);
    let drifted = text(&drift);
    assert_eq!(code(&drift), 2, "{drifted}");
    assert!(
        drifted.contains("aws_s3_object.training_data_fine_tune_v1 will be created"),
        "{drifted}"
    );
    assert!(
        drifted.contains("aws_s3_bucket.model_training will be updated in-place"),
        "{drifted}"
    );

    let repair = run(&["apply", "-auto-approve"]);
    assert_eq!(code(&repair), 0, "{}", text(&repair));
    let clean = run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code(&clean), 0, "{}", text(&clean));

    destroy_all(&run, &[]);
    assert_nothing_left(clients);
}

/// The training bucket the seeds create (named after the account).
fn training_bucket(clients: &Clients) -> String {
    clients
        .buckets()
        .into_iter()
        .find(|bucket| bucket.starts_with("model-training-"))
        .expect("the bucket exists")
}

/// After destroy: no training bucket, no BedrockCM- role, no customer-managed policy.
fn assert_nothing_left(clients: &Clients) {
    assert!(
        clients
            .buckets()
            .iter()
            .all(|bucket| !bucket.starts_with("model-training-")),
        "{:?}",
        clients.buckets()
    );
    assert!(
        clients
            .roles()
            .iter()
            .all(|role| !role.starts_with("BedrockCM-")),
        "{:?}",
        clients.roles()
    );
    assert!(
        clients.local_policies().is_empty(),
        "{:?}",
        clients.local_policies()
    );
}

/// examples/seed-native's journey: the dataset prepared and uploaded under its version, a
/// clean second plan, a recipe change that replaces the object (with the reason), destroy.
pub fn seed_native_journey(project: &TempProject, clients: &Clients) {
    let directory = project.path();
    let run = |arguments: &[&str]| lathe(directory, arguments, &[]);

    first_apply(&run);
    let bucket = training_bucket(clients);
    let first_keys = clients.keys(&bucket);
    assert_eq!(first_keys.len(), 1, "{first_keys:?}");
    let first_key = first_keys[0].clone();
    assert!(
        first_key.starts_with("training_data/ds-") && first_key.ends_with("/train.jsonl"),
        "{first_key}"
    );
    let uploaded = clients.object_text(&bucket, &first_key);
    assert_eq!(uploaded.lines().count(), 100, "the sample of 100 rows");
    for line in uploaded.lines() {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        let mut fields: Vec<&String> = record.as_object().unwrap().keys().collect();
        fields.sort();
        assert_eq!(
            fields,
            ["completion", "prompt"],
            "Bedrock's fine-tuning record: {line}"
        );
    }

    // A new sample seed is a new dataset version, hence a new key: the object is replaced.
    let changed = run(&["plan", "-detailed-exitcode", "-var", "sample_seed=7"]);
    let replan = text(&changed);
    assert_eq!(code(&changed), 2, "{replan}");
    assert!(
        replan.contains("# aws_s3_object.training_data must be replaced"),
        "{replan}"
    );
    assert!(
        replan.contains(&format!(
            "reason: key \"{first_key}\" → \"training_data/ds-"
        )),
        "the reason names the key: {replan}"
    );
    assert!(replan.contains("forces replacement"), "{replan}");
    assert!(
        replan.contains("reason: sample.seed 42 → 7"),
        "the dataset says why it changes: {replan}"
    );
    let reapply = run(&["apply", "-auto-approve", "-var", "sample_seed=7"]);
    let reapplied = text(&reapply);
    assert_eq!(code(&reapply), 0, "{reapplied}");
    assert!(
        reapplied.contains("Resources: 1 added, 1 changed, 1 destroyed."),
        "{reapplied}"
    );
    let second_keys = clients.keys(&bucket);
    assert_eq!(
        second_keys.len(),
        1,
        "the old object is gone: {second_keys:?}"
    );
    assert_ne!(second_keys[0], first_key);
    let settled = run(&["plan", "-detailed-exitcode", "-var", "sample_seed=7"]);
    assert_eq!(code(&settled), 0, "{}", text(&settled));

    destroy_all(&run, &["-var", "sample_seed=7"]);
    assert_nothing_left(clients);
}
