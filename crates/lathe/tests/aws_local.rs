//! The seed's first half through the binary against the in-process local region, reached
//! through the provider block's `endpoints` and the region's generated keys.

mod aws_support;

use aws_support::{Clients, seed, seed_journey};
use lathe_region::testing::TestRegion;

#[test]
fn seed_applies_refreshes_clean_shows_drift_and_destroys_against_the_local_region() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let region = runtime
        .block_on(TestRegion::start())
        .expect("the local region starts");
    let endpoint = region.endpoint_url();
    let keys = region.credentials();
    let project = seed();
    project.write(
        "provider.tf",
        &format!(
            r#"provider "aws" {{
  region     = "us-east-1"
  access_key = "{access}"
  secret_key = "{secret}"
  endpoints {{
    s3  = "{endpoint}"
    iam = "{endpoint}"
    sts = "{endpoint}"
  }}
}}
"#,
            access = keys.access_key_id,
            secret = keys.secret_access_key,
        ),
    );
    let clients = Clients::new(&endpoint, &keys.access_key_id, &keys.secret_access_key);
    seed_journey(
        &project,
        &clients,
        &[],
        &format!(
            "Target: endpoints from the provider block (iam at {0}, s3 at {0}, sts at {0})",
            endpoint
        ),
    );
}
