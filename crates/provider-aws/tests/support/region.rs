//! The in-process local region (lathe-region's `testing` feature) on a runtime of its own, for
//! as long as the test holds it.

use lathe_region::testing::TestRegion;

pub struct Running {
    pub region: TestRegion,
    _runtime: tokio::runtime::Runtime,
}

impl Running {
    pub fn start() -> Running {
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

    pub fn endpoint(&self) -> String {
        self.region.endpoint_url()
    }

    pub fn access_key(&self) -> &str {
        &self.region.credentials().access_key_id
    }

    pub fn secret_key(&self) -> &str {
        &self.region.credentials().secret_access_key
    }
}
