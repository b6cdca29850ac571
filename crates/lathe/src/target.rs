//! Which AWS the aws provider talks to: the project's local region (the default, started in
//! the background when needed) or real AWS, chosen only by `-target-env=aws` or
//! `LATHE_TARGET=aws`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use lathe_provider_aws::{LocalRegion, LocalRegionSource, Target};

/// The environment variable that chooses the target when the flag is absent.
pub const TARGET_VARIABLE: &str = "LATHE_TARGET";

/// Where a project's local region keeps its data, under the project's folder.
pub const REGION_DATA_DIR: &str = ".lathe/region";

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

    fn server(&self, arguments: &[&str]) -> Result<std::process::Output, String> {
        let executable = std::env::current_exe()
            .map_err(|error| format!("cannot find the lathe executable: {error}"))?;
        Command::new(executable)
            .arg("server")
            .args(arguments)
            .arg("--data-dir")
            .arg(&self.data_dir)
            .output()
            .map_err(|error| format!("cannot run `lathe server`: {error}"))
    }

    /// `http://ADDRESS` from `lathe server status`, when a region answers.
    fn running_endpoint(&self) -> Result<Option<String>, String> {
        let output = self.server(&["status"])?;
        if !output.status.success() {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&output.stdout);
        Ok(text
            .split_whitespace()
            .find(|word| word.starts_with("http://"))
            .map(str::to_string))
    }

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
        let port = port.to_string();
        let output = self.server(&["start", "--port", &port])?;
        if !output.status.success() {
            return Err(format!(
                "`lathe server start` failed: {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        Ok(())
    }

    fn credentials(&self) -> Result<(String, String), String> {
        let output = self.server(&["credentials", "--env"])?;
        if !output.status.success() {
            return Err(format!(
                "`lathe server credentials` failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        let text = String::from_utf8_lossy(&output.stdout);
        let value = |name: &str| -> Option<String> {
            text.lines().find_map(|line| {
                line.trim()
                    .strip_prefix("export ")
                    .and_then(|rest| rest.strip_prefix(name))
                    .and_then(|rest| rest.strip_prefix('='))
                    .map(|value| value.trim_matches(['"', '\'']).to_string())
            })
        };
        match (value("AWS_ACCESS_KEY_ID"), value("AWS_SECRET_ACCESS_KEY")) {
            (Some(access), Some(secret)) => Ok((access, secret)),
            _ => Err(format!(
                "`lathe server credentials --env` printed no keys for {}",
                self.data_dir.display()
            )),
        }
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
                        "the local region started but `lathe server status --data-dir {}` does not see it",
                        self.data_dir.display()
                    )
                })?
            }
        };
        let (access_key_id, secret_access_key) = self.credentials()?;
        let region = LocalRegion {
            endpoint,
            access_key_id,
            secret_access_key,
        };
        *found = Some(region.clone());
        Ok(region)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
