//! Errors that stop the region itself (start-up, storage), as opposed to API errors.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum RegionError {
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("metadata database: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("object catalog: {0}")]
    Catalog(String),
    #[error("credentials file {path}: {message}")]
    Credentials { path: PathBuf, message: String },
    #[error(
        "another local region is using {0}; stop it (`lathe server stop --data-dir {0}`) or choose another --data-dir"
    )]
    InUse(PathBuf),
    #[error("invalid setting: {0}")]
    InvalidSetting(String),
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("server failed: {0}")]
    Serve(std::io::Error),
    #[error("background task failed: {0}")]
    Task(String),
}

impl RegionError {
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
