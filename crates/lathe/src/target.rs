//! Which AWS the aws provider talks to: the project's local region (the default, started in
//! the background when needed) or real AWS, chosen only by `-target-env=aws` or
//! `LATHE_TARGET=aws`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

use lathe_provider_aws::{LocalRegion, LocalRegionSource, Target};
use lathe_region::server::state::{ServerState, probe_health};
use lathe_region::{RegionConfig, RootCredentials};

/// The environment variable that chooses the target when the flag is absent.
pub const TARGET_VARIABLE: &str = "LATHE_TARGET";

/// Where a project's local region keeps its data, under the project's folder.
pub const REGION_DATA_DIR: &str = ".lathe/region";

/// How long a region may take to answer its health check before it counts as not running.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetEnvironment {
    Local,
    Aws,
}

impl TargetEnvironment {
    /// The flag wins over the environment; the default is always local.
    pub fn choose(flag: Option<&str>) -> anyhow::Result<TargetEnvironment> {
        let from_environment = std::env::var(TARGET_VARIABLE).ok();
        let (text, origin) = match (flag, from_environment.as_deref()) {
            (Some(flag), _) => (flag.to_string(), "-target-env"),
            (None, Some(value)) if !value.is_empty() => (value.to_string(), TARGET_VARIABLE),
            _ => return Ok(TargetEnvironment::Local),
        };
        match text.to_ascii_lowercase().as_str() {
            "local" => Ok(TargetEnvironment::Local),
            "aws" => Ok(TargetEnvironment::Aws),
            _ => anyhow::bail!(
                "{origin}={text} is not a target; use `local` (the default: the project's local region) or `aws` (real AWS)"
            ),
        }
    }

    pub fn target(self, project: &Path) -> Target {
        match self {
            TargetEnvironment::Aws => Target::Aws,
            TargetEnvironment::Local => {
                Target::Local(std::sync::Arc::new(ProjectRegion::new(project)))
            }
        }
    }
}

/// The local region of one project, run by `lathe server` with data under `.lathe/region`.
/// It is looked up (and started) once per command, when a provider first needs it.
#[derive(Debug)]
pub struct ProjectRegion {
    data_dir: PathBuf,
    found: Mutex<Option<LocalRegion>>,
}

impl ProjectRegion {
    pub fn new(project: &Path) -> ProjectRegion {
        ProjectRegion {
            data_dir: project.join(REGION_DATA_DIR),
            found: Mutex::new(None),
        }
    }

    fn config(&self) -> RegionConfig {
        RegionConfig::new(&self.data_dir)
    }

    /// `http://ADDRESS` of the region serving the data directory, when one answers its health
    /// check: the pid file the server writes, read through the region crate.
    fn running_endpoint(&self) -> Result<Option<String>, String> {
        let state =
            ServerState::read(&self.config().pid_path()).map_err(|error| error.to_string())?;
        Ok(state
            .filter(|state| probe_health(state.address, HEALTH_TIMEOUT))
            .map(|state| format!("http://{}", state.address)))
    }

    /// Runs `lathe server start`, which returns once the background region answers.
    fn start(&self) -> Result<(), String> {
        // A free port of the system's choosing, so several projects' regions never collide.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map(|address| address.port())
            .map_err(|error| format!("cannot find a free loopback port: {error}"))?;
        eprintln!(
            "Starting the local region for this project in the background (data in {}; stop it with `lathe server stop --data-dir {}`)...",
            self.data_dir.display(),
            self.data_dir.display()
        );
        let executable = std::env::current_exe()
            .map_err(|error| format!("cannot find the lathe executable: {error}"))?;
        let output = Command::new(executable)
            .args(["server", "start", "--port", &port.to_string(), "--data-dir"])
            .arg(&self.data_dir)
            .output()
            .map_err(|error| format!("cannot run `lathe server start`: {error}"))?;
        if !output.status.success() {
            return Err(format!(
                "`lathe server start` failed: {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        Ok(())
    }

    /// The keys the region generated on its first start, from its credentials file.
    fn credentials(&self) -> Result<RootCredentials, String> {
        RootCredentials::load(&self.config().credentials_path()).map_err(|error| {
            format!(
                "the local region in {} has no usable credentials: {error}",
                self.data_dir.display()
            )
        })
    }
}

impl LocalRegionSource for ProjectRegion {
    fn ensure_running(&self) -> Result<LocalRegion, String> {
        let mut found = self
            .found
            .lock()
            .map_err(|_| "internal lock poisoned".to_string())?;
        if let Some(region) = found.as_ref() {
            return Ok(region.clone());
        }
        let endpoint = match self.running_endpoint()? {
            Some(endpoint) => endpoint,
            None => {
                self.start()?;
                self.running_endpoint()?.ok_or_else(|| {
                    format!(
                        "the local region started but does not answer at the address in {}",
                        self.config().pid_path().display()
                    )
                })?
            }
        };
        let credentials = self.credentials()?;
        let region = LocalRegion {
            endpoint,
            access_key_id: credentials.access_key_id,
            secret_access_key: credentials.secret_access_key,
        };
        *found = Some(region.clone());
        Ok(region)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_running_region_is_found_through_its_pid_file_and_credentials_file() {
        let project = tempfile::tempdir().unwrap();
        let data_dir = project.path().join(REGION_DATA_DIR);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let running = runtime
            .block_on(lathe_region::testing::TestRegion::start_in(&data_dir))
            .expect("the region starts");
        let source = ProjectRegion::new(project.path());
        // No pid file yet: nothing counts as running.
        assert_eq!(source.running_endpoint(), Ok(None));
        ServerState {
            pid: std::process::id(),
            address: running.address,
        }
        .write(&RegionConfig::new(&data_dir).pid_path())
        .unwrap();
        let found = source.ensure_running().expect("the running region is used");
        assert_eq!(found.endpoint, running.endpoint_url());
        assert_eq!(found.access_key_id, running.credentials.access_key_id);
        assert_eq!(
            found.secret_access_key,
            running.credentials.secret_access_key
        );
        runtime.block_on(running.stop()).unwrap();
    }

    #[test]
    fn the_flag_chooses_and_nothing_else_means_local() {
        let cases = [
            (Some("aws"), Some(TargetEnvironment::Aws)),
            (Some("AWS"), Some(TargetEnvironment::Aws)),
            (Some("local"), Some(TargetEnvironment::Local)),
            (Some("prod"), None),
        ];
        for (flag, expected) in cases {
            assert_eq!(TargetEnvironment::choose(flag).ok(), expected, "{flag:?}");
        }
    }
}
