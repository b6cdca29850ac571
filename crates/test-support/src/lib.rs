//! Engine-level test fakes: a recording fake provider and temporary project folders.

pub mod fake_provider;
pub mod project;

pub use fake_provider::{Call, FakeCloud, FakeProvider};
pub use project::TempProject;
