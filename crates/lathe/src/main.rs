//! The lathe command line: model customization as code.

mod commands {
    pub mod server;
}

use clap::Parser;

#[derive(Debug, Parser)]
#[command(name = "lathe")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// The local region: S3, IAM and STS on one port.
    Server(commands::server::ServerArgs),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Server(arguments) => commands::server::run(&arguments),
    }
}
