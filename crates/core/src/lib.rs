//! The engine: provider trait, dependency graph, plans with reasons, the apply walk and state.

// Diagnostics are the error type of configuration problems; they are built only on failure
// paths, so their size costs nothing where it matters.
#![allow(clippy::result_large_err)]

pub mod applier;
pub mod atomic;
pub mod body;
pub mod clock;
pub mod engine;
pub mod graph;
pub mod init;
pub mod json;
pub mod lock;
pub mod plan;
pub mod plan_file;
pub mod planner;
pub mod provider;
pub mod provisioner;
pub mod render;
pub mod schema;
pub mod state;
pub mod validate;
pub mod version;
pub mod walk;
