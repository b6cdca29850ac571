//! The local region: one HTTP server speaking S3, IAM, STS (and later Bedrock) wire protocols.
//!
//! A [`Region`] owns a data directory (SQLite metadata plus object files), the region's own
//! credentials, and one HTTP listener that routes each request to a service by AWS's own rules.

pub mod auth;
pub mod clock;
pub mod config;
pub mod credentials;
pub mod durable;
pub mod error;
pub mod iam;
pub mod ids;
pub mod metadata;
pub mod query;
pub mod s3;
pub mod server;
pub mod sts;
#[cfg(feature = "testing")]
pub mod testing;

pub use config::{RegionConfig, default_data_dir};
pub use credentials::RootCredentials;
pub use error::RegionError;
pub use server::{Region, RunningRegion};
