//! One module per command.

pub mod fmt;
pub mod import;
pub mod init;
pub mod inspect;
pub mod run;
pub mod server;
pub mod state;
pub mod validate;
