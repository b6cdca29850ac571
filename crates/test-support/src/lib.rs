//! Engine-level test fakes: a recording fake provider and temporary project folders.
