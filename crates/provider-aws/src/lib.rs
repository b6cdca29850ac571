//! The aws provider: aws_* resources and data sources over the AWS SDK for Rust.

mod clients;
mod data_sources;
mod error;
pub mod naming;
pub mod policy_document;
mod policy_text;
mod provider;
mod resources;
pub mod target;
mod values;

pub use provider::{AwsProvider, info};
pub use target::{LocalRegion, LocalRegionSource, ProviderSettings, Target};
