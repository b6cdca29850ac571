//! The aws provider: aws_* resources and data sources over the AWS SDK for Rust.

mod clients;
mod data_sources;
mod error;
pub mod naming;
pub mod objects;
pub mod policy_document;
mod policy_text;
pub mod propagation;
mod provider;
mod resources;
pub mod target;
mod values;

pub use objects::{ObjectReader, ObjectSummary};
pub use propagation::Propagation;
pub use provider::{AwsProvider, Configured, info};
pub use target::{LocalRegion, LocalRegionSource, ProviderSettings, Target};
