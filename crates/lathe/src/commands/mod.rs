//! One module per command.

pub mod data;
pub mod fmt;
pub mod import;
pub mod init;
pub mod inspect;
pub mod run;
pub mod state;
pub mod validate;
