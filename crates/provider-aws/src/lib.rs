//! The aws provider: aws_* resources and data sources over the AWS SDK for Rust.

pub mod policy_document;
