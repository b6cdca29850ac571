//! The lathe command line: model customization as code.

mod commands;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "lathe", about = "Model customization as code")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a training spec in this process.
    Train(commands::train::TrainArgs),
    /// Work run as a child process by the local region.
    #[command(subcommand)]
    Worker(commands::train::WorkerCommand),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Train(args) => commands::train::run(args),
        Command::Worker(command) => commands::train::run_worker(command),
    }
}
