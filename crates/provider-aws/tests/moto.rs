//! The provider against moto_server, a second, independent implementation of S3, IAM and STS.

mod support;

use support::moto::MotoServer;
use support::{Flavor, Harness, scenarios};

fn harness(server: &MotoServer) -> Harness {
    // moto accepts any keys; it checks no signatures.
    Harness::new(&server.endpoint, "test", "test", Flavor::Moto)
}

#[test]
fn data_sources_answer() {
    let server = MotoServer::start();
    scenarios::data_sources(&harness(&server));
}

#[test]
fn buckets_create_update_drift_and_refuse_to_delete_when_not_empty() {
    let server = MotoServer::start();
    scenarios::bucket_lifecycle(&harness(&server));
}

#[test]
fn objects_upload_change_and_go_up_in_parts() {
    let server = MotoServer::start();
    scenarios::object_changes(&harness(&server));
}

#[test]
fn policies_and_roles_compare_by_meaning_and_clean_up() {
    let server = MotoServer::start();
    scenarios::iam_lifecycle(&harness(&server));
}

#[test]
fn default_tags_merge_under_each_objects_own() {
    let server = MotoServer::start();
    scenarios::default_tags(&mut harness(&server));
}
