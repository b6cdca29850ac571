//! The engine: provider trait, dependency graph, plans with reasons, the apply walk and state.
//!
//! How a run flows: a [`lathe_config::Module`] and a [`provider::ProviderRegistry`] make an
//! [`engine::Engine`] ([`graph`] builds the dependency graph and rejects cycles). `validate`
//! checks every body against its provider's [`schema`] ([`body`]). [`planner`] refreshes the
//! [`state`] (adopting pending creates), evaluates items in dependency order, expands
//! `count`/`for_each` and asks each provider to plan, producing a [`plan::Plan`] that [`render`]
//! and [`json`] show and [`plan_file`] saves. [`applier`] turns the plan into create, update and
//! destroy steps and runs them with [`walk`] under `-parallelism`, saving the state atomically
//! ([`atomic`]) after every step and running [`provisioner`]s; [`lock`] keeps two runs apart.

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
