//! The provider against the in-process local region (lathe-region's `testing` feature).

mod support;

use lathe_region::testing::TestRegion;
use support::{Flavor, Harness, scenarios};

/// The region runs on its own runtime for as long as the test holds it.
struct Running {
    region: TestRegion,
    _runtime: tokio::runtime::Runtime,
}

fn start() -> Running {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let region = runtime
        .block_on(TestRegion::start())
        .expect("the local region starts");
    Running {
        region,
        _runtime: runtime,
    }
}

fn harness(running: &Running) -> Harness {
    let credentials = running.region.credentials();
    Harness::new(
        &running.region.endpoint_url(),
        &credentials.access_key_id,
        &credentials.secret_access_key,
        Flavor::LocalRegion,
    )
}

#[test]
fn data_sources_answer() {
    let running = start();
    scenarios::data_sources(&harness(&running));
}

#[test]
fn buckets_create_update_drift_and_refuse_to_delete_when_not_empty() {
    let running = start();
    scenarios::bucket_lifecycle(&harness(&running));
}

#[test]
fn objects_upload_change_and_go_up_in_parts() {
    let running = start();
    scenarios::object_changes(&harness(&running));
}

#[test]
fn policies_and_roles_compare_by_meaning_and_clean_up() {
    let running = start();
    scenarios::iam_lifecycle(&harness(&running));
}
