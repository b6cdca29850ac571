//! Settings of one local region: where it keeps its data, where it listens, who it is.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

/// The port `lathe server` listens on unless told otherwise (not 4566, so a LocalStack on the
/// same machine is never mistaken for the local region).
pub const DEFAULT_PORT: u16 = 4599;
/// The account id every ARN carries unless configured otherwise.
pub const DEFAULT_ACCOUNT_ID: &str = "000000000000";
/// The region name clients sign for unless configured otherwise.
pub const DEFAULT_REGION: &str = "us-east-1";

#[derive(Debug, Clone)]
pub struct RegionConfig {
    pub data_dir: PathBuf,
    /// Loopback unless the operator explicitly asked for another address.
    pub bind: SocketAddr,
    pub account_id: String,
    pub region: String,
}

impl RegionConfig {
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            bind: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), DEFAULT_PORT),
            account_id: DEFAULT_ACCOUNT_ID.to_string(),
            region: DEFAULT_REGION.to_string(),
        }
    }

    pub fn with_port(mut self, port: u16) -> Self {
        self.bind.set_port(port);
        self
    }

    pub fn objects_dir(&self) -> PathBuf {
        self.data_dir.join("objects")
    }

    pub fn temp_dir(&self) -> PathBuf {
        self.data_dir.join("tmp")
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("metadata.sqlite3")
    }

    pub fn credentials_path(&self) -> PathBuf {
        self.data_dir.join("credentials")
    }

    /// Held (flock) by the one region serving this directory.
    pub fn lock_path(&self) -> PathBuf {
        self.data_dir.join("region.lock")
    }

    pub fn pid_path(&self) -> PathBuf {
        self.data_dir.join("server.pid")
    }

    /// Validates what a user can get wrong on the command line.
    pub fn validate(&self) -> Result<(), crate::RegionError> {
        if self.account_id.len() != 12 || !self.account_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(crate::RegionError::InvalidSetting(format!(
                "account id {:?} must be exactly 12 digits, e.g. {DEFAULT_ACCOUNT_ID}",
                self.account_id
            )));
        }
        let region_ok = !self.region.is_empty()
            && self
                .region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !region_ok {
            return Err(crate::RegionError::InvalidSetting(format!(
                "region {:?} must be lowercase letters, digits and hyphens, e.g. {DEFAULT_REGION}",
                self.region
            )));
        }
        Ok(())
    }
}

/// Where `lathe server` keeps its data unless told otherwise: `$XDG_DATA_HOME/lathe/region`,
/// else `~/.local/share/lathe/region`, else `.lathe/region` in the current directory.
pub fn default_data_dir() -> PathBuf {
    if let Some(base) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(base).join("lathe").join("region");
    }
    if let Some(home) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(home)
            .join(".local")
            .join("share")
            .join("lathe")
            .join("region");
    }
    PathBuf::from(".lathe").join("region")
}
