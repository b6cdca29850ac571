//! The engine: provider trait, dependency graph, plans with reasons, the apply walk and state.
