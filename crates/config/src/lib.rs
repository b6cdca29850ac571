//! The Terraform language: HCL files to a typed configuration with source spans, expressions and functions.

// Diagnostics are the error type throughout; they are built only on failure paths, so their size
// costs nothing on the success path and boxing them would only add noise.
#![allow(clippy::result_large_err)]

pub mod diagnostic;
pub mod dynamic;
pub mod eval;
pub mod expression;
pub mod format;
pub mod functions;
pub mod load;
pub mod model;
mod reference_errors;
mod render;
pub mod source;
pub mod suggest;
pub mod types;
pub mod value;
pub mod variables;

pub use diagnostic::{Diagnostic, Diagnostics, Severity};
pub use eval::EvalContext;
pub use expression::{Expression, Reference, ReferenceTarget};
pub use format::format_source;
pub use load::{Loaded, load_module, parse_module_source};
pub use model::*;
pub use source::{FileId, Sources, Span};
pub use types::TypeConstraint;
pub use value::{PathStep, Value};
pub use variables::{VariableArgument, VariableValues, resolve_variables};
