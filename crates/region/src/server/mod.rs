//! The server frame: opening a data directory, binding one port, and serving every service
//! on it until told to stop.

mod query_service;
mod router;
pub mod state;

use std::net::SocketAddr;
use std::sync::Arc;

use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::auth::KeyStore;
use crate::auth::authorize::Authorizer;
use crate::auth::s3_hooks::S3Hooks;
use crate::iam::Iam;
use crate::metadata::Metadata;
use crate::s3::RegionS3;
use crate::s3::blobs::BlobStore;
use crate::sts::Sts;
use crate::{RegionConfig, RegionError, RootCredentials};

/// Everything a request may need, shared by all connections.
pub(crate) struct Services {
    pub s3: s3s::service::S3Service,
    pub iam: Iam,
    pub sts: Sts,
    pub keys: KeyStore,
    pub authorizer: Authorizer,
}

/// An opened (not yet listening) region.
pub struct Region {
    /// Exclusive lock on the data directory, held while this region lives (and then by its
    /// accept loop): two regions on one directory would sweep each other's uploads.
    lock: std::fs::File,
    config: RegionConfig,
    credentials: RootCredentials,
    keys: KeyStore,
    services: Arc<Services>,
}

impl std::fmt::Debug for Region {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Region")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Region {
    /// Opens (creating if needed) the data directory, its credentials and its database, and
    /// clears what a crash may have left half-written.
    pub fn open(config: RegionConfig) -> Result<Self, RegionError> {
        config.validate()?;
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|e| RegionError::io("creating data directory", &config.data_dir, e))?;
        let lock = lock_data_dir(&config)?;
        let credentials = RootCredentials::load_or_create(&config.credentials_path())?;
        let metadata = Metadata::open(&config.database_path())?;
        let blobs = BlobStore::open(config.objects_dir(), config.temp_dir())?;
        let referenced = metadata
            .run_blocking(|c| crate::s3::catalog::referenced_blobs(c))
            .map_err(|e| RegionError::Catalog(e.to_string()))?;
        let swept = blobs.sweep(&referenced)?;
        if swept > 0 {
            tracing::info!(swept, "removed object files left by an interrupted write");
        }
        let keys = KeyStore::new(
            credentials.clone(),
            config.account_id.clone(),
            metadata.clone(),
        );
        let authorizer = Authorizer::new(metadata.clone());
        let s3 = {
            let storage = RegionS3::new(metadata.clone(), blobs, config.region.clone());
            let hooks = S3Hooks::new(keys.clone(), authorizer.clone());
            let mut builder = s3s::service::S3ServiceBuilder::new(storage);
            builder.set_auth(hooks.clone());
            builder.set_access(hooks);
            builder.set_host(crate::s3::host::LocalHost);
            builder.set_validation(crate::s3::names::DeferredNameCheck);
            builder.build()
        };
        let services = Arc::new(Services {
            s3,
            iam: Iam::new(metadata.clone(), config.account_id.clone()),
            sts: Sts::new(metadata, keys.clone()),
            keys: keys.clone(),
            authorizer,
        });
        Ok(Self {
            lock,
            config,
            credentials,
            keys,
            services,
        })
    }

    pub fn credentials(&self) -> &RootCredentials {
        &self.credentials
    }

    pub fn config(&self) -> &RegionConfig {
        &self.config
    }

    pub fn keys(&self) -> &KeyStore {
        &self.keys
    }

    /// Binds the configured address and serves in the background.
    pub async fn start(self) -> Result<RunningRegion, RegionError> {
        let listener = TcpListener::bind(self.config.bind)
            .await
            .map_err(|source| RegionError::Bind {
                address: self.config.bind,
                source,
            })?;
        let address = listener.local_addr().map_err(|source| RegionError::Bind {
            address: self.config.bind,
            source,
        })?;
        let (stop, stopped) = watch::channel(false);
        let services = Arc::clone(&self.services);
        let task = tokio::spawn(serve(listener, services, stopped, self.lock));
        tracing::info!(%address, data_dir = %self.config.data_dir.display(), "local region listening");
        Ok(RunningRegion {
            address,
            credentials: self.credentials,
            keys: self.keys,
            config: self.config,
            stop,
            task,
        })
    }
}

/// A region serving requests.
pub struct RunningRegion {
    pub address: SocketAddr,
    pub credentials: RootCredentials,
    pub keys: KeyStore,
    pub config: RegionConfig,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<Result<(), RegionError>>,
}

impl std::fmt::Debug for RunningRegion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningRegion")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl RunningRegion {
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Stops accepting connections and waits for the accept loop to end.
    pub async fn stop(self) -> Result<(), RegionError> {
        let _ = self.stop.send(true);
        self.task
            .await
            .map_err(|e| RegionError::Task(e.to_string()))?
    }

    /// Serves until the accept loop fails (the foreground `lathe server`).
    pub async fn wait(self) -> Result<(), RegionError> {
        self.task
            .await
            .map_err(|e| RegionError::Task(e.to_string()))?
    }
}

fn lock_data_dir(config: &RegionConfig) -> Result<std::fs::File, RegionError> {
    let path = config.lock_path();
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| RegionError::io("opening", &path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(RegionError::InUse(config.data_dir.clone())),
        Err(std::fs::TryLockError::Error(e)) => Err(RegionError::io("locking", &path, e)),
    }
}

async fn serve(
    listener: TcpListener,
    services: Arc<Services>,
    mut stopped: watch::Receiver<bool>,
    _lock: std::fs::File,
) -> Result<(), RegionError> {
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(connection) => connection,
                    Err(error) => {
                        // Running out of file descriptors is transient: back off, keep serving.
                        tracing::warn!(%error, "accept failed");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let services = Arc::clone(&services);
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        let services = Arc::clone(&services);
                        async move {
                            Ok::<_, std::convert::Infallible>(router::route(&services, request).await)
                        }
                    });
                    if let Err(error) = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await
                    {
                        tracing::debug!(%peer, %error, "connection ended with an error");
                    }
                });
            }
            _ = stopped.changed() => return Ok(()),
        }
    }
}
