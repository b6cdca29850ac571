//! The lathe command line: model customization as code.

/// Prints a line to stdout. A closed pipe (`lathe show | head`) is ignored rather than a
/// panic, and an apply goes on to the end even when its reader went away.
macro_rules! out {
    ($($argument:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($argument)*);
    }};
}

/// Prints to stdout without a line break; see `out!`.
macro_rules! out_inline {
    ($($argument:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($argument)*);
    }};
}

/// Prints to stderr without a line break; see `out!`.
macro_rules! err_inline {
    ($($argument:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($argument)*);
    }};
}

/// Prints a line to stderr; see `out!`.
macro_rules! err {
    ($($argument:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($argument)*);
    }};
}

mod arguments;
mod cli;
mod commands;
mod machine;
mod providers;
mod target;
mod ui;
mod workspace;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::commands::run::Verb;
use crate::workspace::{Reported, Style};

fn main() -> ExitCode {
    let normalized = arguments::normalize(std::env::args());
    let variable_arguments = arguments::variable_arguments(&normalized);
    let cli = Cli::parse_from(&normalized);
    let style = Style::new(cli.no_color);
    // As in Terraform, -chdir switches folders before anything else, so relative paths
    // (-out, -var-file, plan files) are relative to the new folder.
    let directory = PathBuf::from(".");
    let result = (|| -> anyhow::Result<u8> {
        if let Some(folder) = &cli.chdir {
            std::env::set_current_dir(folder).map_err(|error| {
                anyhow::anyhow!(
                    "-chdir={}: {error}; pass the folder that holds your *.tf files",
                    folder.display()
                )
            })?;
        }
        providers::select(
            directory.clone(),
            target::TargetEnvironment::choose(cli.target_env.as_deref())?,
        );
        match &cli.command {
            Command::Init(_) => commands::init::run(&directory, style),
            Command::Validate(arguments) => {
                commands::validate::run(&directory, arguments.json, style)
            }
            Command::Plan(arguments) => commands::run::run(
                &directory,
                Verb::Plan,
                arguments,
                &variable_arguments,
                None,
                style,
            ),
            Command::Apply(arguments) => commands::run::run(
                &directory,
                Verb::Apply,
                &arguments.plan,
                &variable_arguments,
                arguments.plan_file.as_deref(),
                style,
            ),
            Command::Destroy(arguments) => commands::run::run(
                &directory,
                Verb::Destroy,
                arguments,
                &variable_arguments,
                None,
                style,
            ),
            Command::Refresh(arguments) => {
                let arguments = cli::PlanArgs {
                    auto_approve: true,
                    ..arguments.clone()
                };
                commands::run::run(
                    &directory,
                    Verb::Refresh,
                    &arguments,
                    &variable_arguments,
                    None,
                    style,
                )
            }
            Command::Show(arguments) => commands::inspect::show(
                &directory,
                arguments.json,
                arguments.plan_file.as_deref(),
                style,
            ),
            Command::Output(arguments) => commands::inspect::output(
                &directory,
                arguments.json,
                arguments.raw,
                arguments.name.as_deref(),
            ),
            Command::State(command) => commands::state::run(&directory, command),
            Command::Import(arguments) => {
                commands::import::run(&directory, arguments, &variable_arguments, style)
            }
            Command::Graph => commands::inspect::graph(&directory, style),
            Command::Fmt(arguments) => commands::fmt::run(&directory, arguments),
            Command::Version(arguments) => commands::inspect::version(arguments.json),
            Command::Server(arguments) => commands::server::run(arguments).map(|()| 0),
            Command::Train(arguments) => commands::train::run(arguments.clone()).map(|()| 0),
            Command::Worker(command) => commands::train::run_worker(command.clone()).map(|()| 0),
            Command::Data(command) => commands::data::run(command).map(|()| 0),
        }
    })();
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) if error.downcast_ref::<Reported>().is_some() => ExitCode::from(1),
        Err(error) => {
            err!("Error: {error:#}");
            ExitCode::from(1)
        }
    }
}
