//! One module per command.

pub mod data;
pub mod fmt;
pub mod import;
pub mod init;
pub mod inspect;
pub mod run;
pub mod server;
pub mod state;
pub mod train;
pub mod validate;
