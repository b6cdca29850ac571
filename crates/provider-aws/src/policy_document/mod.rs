//! `aws_iam_policy_document`: renders the data source's arguments into the same JSON text the
//! Terraform AWS provider produces (internal/service/iam/policy_model.go and
//! policy_document_data_source.go), so plans and stored policies match byte for byte.
//!
//! ```
//! use lathe_provider_aws::policy_document::{PolicyDocumentArguments, render};
//!
//! let arguments = PolicyDocumentArguments::from_value(&serde_json::json!({
//!     "statement": [{"actions": ["s3:PutObject", "s3:GetObject"], "resources": ["*"]}]
//! }))?;
//! assert_eq!(
//!     render(&arguments)?.minified_json,
//!     r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":"*"}]}"#
//! );
//! # Ok::<(), lathe_provider_aws::policy_document::PolicyDocumentError>(())
//! ```

mod arguments;
mod checksum;
mod configured;
mod decode;
mod encode;
mod error;
mod go_json;
mod model;
mod render;
mod schema_set;

pub use arguments::{
    ConditionArguments, PolicyDocumentArguments, PrincipalArguments, StatementArguments,
};
pub use error::PolicyDocumentError;
pub use render::{RenderedPolicyDocument, render};
