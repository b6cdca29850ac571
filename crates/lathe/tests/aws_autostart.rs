//! The default target: with no provider block, lathe starts the project's local region in the
//! background (data under .lathe/region), uses its keys, and `lathe server stop` ends it.

mod aws_support;

use aws_support::{Clients, code, lathe, seed, seed_journey, text};

/// Stops the project's region when the test ends, pass or fail.
struct StopRegion<'project>(&'project std::path::Path);

impl Drop for StopRegion<'_> {
    fn drop(&mut self) {
        let data = self.0.join(".lathe/region");
        let _ = lathe(
            self.0,
            &["server", "stop", "--data-dir", data.to_str().unwrap()],
            &[],
        );
    }
}

#[test]
fn plan_starts_the_local_region_and_the_seed_runs_its_journey_there() {
    let project = seed();
    let directory = project.path();
    let _stop = StopRegion(directory);
    let data = directory.join(".lathe/region");
    let data = data.to_str().unwrap();

    let init = lathe(directory, &["init"], &[]);
    assert_eq!(code(&init), 0, "{}", text(&init));
    let plan = lathe(directory, &["plan"], &[]);
    let planned = text(&plan);
    assert_eq!(code(&plan), 0, "{planned}");
    assert!(
        planned.contains("Starting the local region for this project"),
        "{planned}"
    );
    assert!(
        planned.contains("Target: local region at http://127.0.0.1:"),
        "{planned}"
    );

    let status = lathe(directory, &["server", "status", "--data-dir", data], &[]);
    assert_eq!(code(&status), 0, "{}", text(&status));
    let endpoint = text(&status)
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .expect("status names the endpoint")
        .to_string();
    let credentials = text(&lathe(
        directory,
        &["server", "credentials", "--env", "--data-dir", data],
        &[],
    ));
    let value = |name: &str| {
        credentials
            .lines()
            .find_map(|line| line.strip_prefix(&format!("export {name}=")))
            .expect("a key")
            .to_string()
    };
    let clients = Clients::new(
        &endpoint,
        &value("AWS_ACCESS_KEY_ID"),
        &value("AWS_SECRET_ACCESS_KEY"),
    );

    // The region is running now, so the journey's plans reuse it instead of starting another.
    seed_journey(
        &project,
        &clients,
        &[],
        &format!("Target: local region at {endpoint}"),
    );

    let stop = lathe(directory, &["server", "stop", "--data-dir", data], &[]);
    assert_eq!(code(&stop), 0, "{}", text(&stop));
    let after = lathe(directory, &["server", "status", "--data-dir", data], &[]);
    assert_ne!(code(&after), 0, "stopped: {}", text(&after));
}
