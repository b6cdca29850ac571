//! The lathe provider: client-side resources such as lathe_dataset.

pub mod sources;

pub use sources::{HubSelection, resolve_hub_sources};
