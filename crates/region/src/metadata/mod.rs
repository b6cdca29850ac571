//! The metadata database: one SQLite file in WAL mode; every change is one transaction.

mod schema;

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

use crate::RegionError;

/// A shared handle on the database; work runs on the blocking pool so the server never stalls.
#[derive(Clone)]
pub struct Metadata {
    connection: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for Metadata {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metadata").finish_non_exhaustive()
    }
}

impl Metadata {
    pub fn open(path: &Path) -> Result<Self, RegionError> {
        let connection = Connection::open(path)?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        // FULL: a transaction that returned is on disk, so an acknowledged upload survives kill -9.
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        connection.busy_timeout(std::time::Duration::from_secs(10))?;
        schema::migrate(&connection)?;
        Ok(Self {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// Runs `work` with the connection on the blocking pool.
    pub async fn run<R, E, F>(&self, work: F) -> Result<R, E>
    where
        F: FnOnce(&mut Connection) -> Result<R, E> + Send + 'static,
        R: Send + 'static,
        E: From<MetadataUnavailable> + Send + 'static,
    {
        let connection = Arc::clone(&self.connection);
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock cannot leave a half transaction behind (SQLite
            // rolls it back), so the connection stays usable.
            let mut guard = connection
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            work(&mut guard)
        })
        .await
        .map_err(|e| E::from(MetadataUnavailable(e.to_string())))?
    }

    /// Runs `work` synchronously (start-up and tests).
    pub fn run_blocking<R>(&self, work: impl FnOnce(&mut Connection) -> R) -> R {
        let mut guard = self
            .connection
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        work(&mut guard)
    }
}

/// The blocking task running a database call died (a panic inside it).
#[derive(Debug, thiserror::Error)]
#[error("metadata task failed: {0}")]
pub struct MetadataUnavailable(pub String);
