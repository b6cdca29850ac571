//! The pid file of a background server: which process serves a data directory, and where.

use std::net::SocketAddr;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::RegionError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerState {
    pub pid: u32,
    pub address: SocketAddr,
}

impl ServerState {
    pub fn write(&self, path: &Path) -> Result<(), RegionError> {
        let text =
            serde_json::to_string(self).map_err(|e| RegionError::InvalidSetting(e.to_string()))?;
        crate::durable::write_atomically(path, text.as_bytes(), 0o644)
    }

    /// `None` when no server has recorded itself.
    pub fn read(path: &Path) -> Result<Option<Self>, RegionError> {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| {
                RegionError::InvalidSetting(format!(
                    "pid file {} is corrupt ({e}); delete it if no server is running",
                    path.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(RegionError::io("reading", path, e)),
        }
    }

    /// Removes the pid file if it still names this process.
    pub fn remove_if_mine(path: &Path) {
        if let Ok(Some(state)) = Self::read(path)
            && state.pid == std::process::id()
        {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Asks a server whether it is alive: `GET /_lathe/health` over plain HTTP/1.1.
pub fn probe_health(address: SocketAddr, timeout: std::time::Duration) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect_timeout(&address, timeout) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(timeout));
    let _ = stream.set_write_timeout(Some(timeout));
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n",
        super::router::HEALTH_PATH
    );
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.starts_with("HTTP/1.1 200") && response.contains("\"status\":\"ok\"")
}
