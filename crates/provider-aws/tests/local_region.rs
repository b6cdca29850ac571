//! The provider against the in-process local region (lathe-region's `testing` feature).

mod support;

use support::region::Running;
use support::{Flavor, Harness, scenarios};

fn harness(running: &Running) -> Harness {
    Harness::new(
        &running.endpoint(),
        running.access_key(),
        running.secret_key(),
        Flavor::LocalRegion,
    )
}

#[test]
fn data_sources_answer() {
    let running = Running::start();
    scenarios::data_sources(&harness(&running));
}

#[test]
fn buckets_create_update_drift_and_refuse_to_delete_when_not_empty() {
    let running = Running::start();
    scenarios::bucket_lifecycle(&harness(&running));
}

#[test]
fn objects_upload_change_and_go_up_in_parts() {
    let running = Running::start();
    scenarios::object_changes(&harness(&running));
}

#[test]
fn policies_and_roles_compare_by_meaning_and_clean_up() {
    let running = Running::start();
    scenarios::iam_lifecycle(&harness(&running));
}

#[test]
fn default_tags_merge_under_each_objects_own() {
    let running = Running::start();
    scenarios::default_tags(&mut harness(&running));
}
