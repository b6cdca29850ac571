//! An in-process region on an ephemeral loopback port with a temporary data directory, for
//! tests in this crate and others (feature `testing`).

use std::path::Path;

use crate::{RegionConfig, RegionError, RootCredentials, RunningRegion};

/// A running region that owns its data directory; both go away when it is dropped.
#[derive(Debug)]
pub struct TestRegion {
    pub running: RunningRegion,
    data_dir: tempfile::TempDir,
}

impl TestRegion {
    /// Starts a fresh region on 127.0.0.1 with an OS-chosen port.
    pub async fn start() -> Result<Self, RegionError> {
        let data_dir = tempfile::tempdir().map_err(|e| {
            RegionError::io("creating temporary directory", std::env::temp_dir(), e)
        })?;
        let running = Self::start_in(data_dir.path()).await?;
        Ok(Self { running, data_dir })
    }

    /// Starts a region on an existing data directory (restarts in durability tests).
    pub async fn start_in(data_dir: &Path) -> Result<RunningRegion, RegionError> {
        let config = RegionConfig::new(data_dir).with_port(0);
        crate::Region::open(config)?.start().await
    }

    pub fn endpoint_url(&self) -> String {
        self.running.endpoint_url()
    }

    pub fn credentials(&self) -> &RootCredentials {
        &self.running.credentials
    }

    pub fn data_dir(&self) -> &Path {
        self.data_dir.path()
    }
}
