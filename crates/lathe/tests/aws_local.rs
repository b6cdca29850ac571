//! The seeds through the binary against the in-process local region, reached through the
//! provider block's `endpoints` and the region's generated keys.

mod aws_support;

use aws_support::region::Running;
use aws_support::{
    Clients, endpoints_provider, endpoints_target_line, seed, seed_journey, seed_native,
    seed_native_journey,
};
use lathe_test_support::TempProject;

/// Points `project` at the region and returns clients that act behind lathe's back.
fn serve(running: &Running, project: &TempProject) -> Clients {
    project.write(
        "provider.tf",
        &endpoints_provider(
            &running.endpoint(),
            running.access_key(),
            running.secret_key(),
        ),
    );
    Clients::new(
        &running.endpoint(),
        running.access_key(),
        running.secret_key(),
    )
}

#[test]
fn seed_applies_refreshes_clean_shows_drift_and_destroys_against_the_local_region() {
    let running = Running::start();
    let project = seed();
    let clients = serve(&running, &project);
    seed_journey(
        &project,
        &clients,
        &[],
        &endpoints_target_line(&running.endpoint()),
    );
}

#[test]
fn seed_native_uploads_its_dataset_version_and_replaces_it_on_a_recipe_change_against_the_local_region()
 {
    let running = Running::start();
    let project = seed_native();
    let clients = serve(&running, &project);
    seed_native_journey(&project, &clients);
}
