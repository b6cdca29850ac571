//! The lathe command line: model customization as code.

// Minimal wiring so `lathe data` can be tried on this branch; the core engineer's CLI
// registers `commands::data::DataCommand` as its `data` subcommand.
mod commands {
    pub mod data;
}

use std::process::ExitCode;

use clap::Parser;

#[derive(Debug, clap::Parser)]
#[command(name = "lathe", about = "Model customization as code")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Validate, preview, describe, generate and prepare training data.
    #[command(subcommand)]
    Data(commands::data::DataCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Data(command) => commands::data::run(command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("Error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
