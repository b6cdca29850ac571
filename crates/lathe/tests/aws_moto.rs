//! The seed's first half through the binary against moto_server, and the refusals of the
//! target choice (real AWS without credentials, an unknown target).

mod aws_support;

use aws_support::moto::MotoServer;
use aws_support::{
    Clients, code, endpoints_provider, endpoints_target_line, lathe, seed, seed_journey,
    seed_native, seed_native_journey, text,
};

#[test]
fn seed_applies_refreshes_clean_shows_drift_and_destroys_against_moto() {
    let server = MotoServer::start();
    let project = seed();
    // moto accepts any keys; it checks no signatures.
    project.write(
        "provider.tf",
        &endpoints_provider(&server.endpoint, "test", "test"),
    );
    let clients = Clients::new(&server.endpoint, "test", "test");
    seed_journey(
        &project,
        &clients,
        &[],
        &endpoints_target_line(&server.endpoint),
    );
}

#[test]
fn seed_native_uploads_its_dataset_version_and_replaces_it_on_a_recipe_change_against_moto() {
    let server = MotoServer::start();
    let project = seed_native();
    project.write(
        "provider.tf",
        &endpoints_provider(&server.endpoint, "test", "test"),
    );
    let clients = Clients::new(&server.endpoint, "test", "test");
    seed_native_journey(&project, &clients);
}

#[test]
fn real_aws_without_credentials_is_a_clear_error() {
    let project = seed();
    let home = tempfile::tempdir().unwrap();
    let missing = home.path().join("missing");
    let missing = missing.to_str().unwrap();
    let environment = [
        ("HOME", home.path().to_str().unwrap()),
        ("AWS_CONFIG_FILE", missing),
        ("AWS_SHARED_CREDENTIALS_FILE", missing),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_ACCESS_KEY_ID", ""),
        ("AWS_SECRET_ACCESS_KEY", ""),
        ("AWS_PROFILE", ""),
        ("AWS_REGION", "us-east-1"),
    ];
    for arguments in [&["-target-env=aws", "plan"][..], &["plan"][..]] {
        let mut environment = environment.to_vec();
        if arguments.len() == 1 {
            environment.push(("LATHE_TARGET", "aws"));
        }
        let output = lathe(project.path(), arguments, &environment);
        let said = text(&output);
        assert_eq!(code(&output), 1, "{said}");
        assert!(said.contains("found no AWS credentials"), "{said}");
        assert!(
            !said.contains("local region at"),
            "never a silent fallback: {said}"
        );
    }
}

#[test]
fn an_unknown_target_is_refused() {
    let project = seed();
    let output = lathe(project.path(), &["-target-env=prod", "plan"], &[]);
    assert_eq!(code(&output), 1);
    assert!(
        text(&output).contains("-target-env=prod is not a target"),
        "{}",
        text(&output)
    );
}
