//! The lathe command line: model customization as code.

mod arguments;
mod cli;
mod commands;
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
    let directory = cli.chdir.clone().unwrap_or_else(|| PathBuf::from("."));
    let result = (|| -> anyhow::Result<u8> {
        if !directory.is_dir() {
            anyhow::bail!(
                "-chdir={}: no such folder; pass the folder that holds your *.tf files",
                directory.display()
            );
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
            Command::Server(arguments) => commands::server::run(arguments).map(|()| 0),
        }
    })();
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) if error.downcast_ref::<Reported>().is_some() => ExitCode::from(1),
        Err(error) => {
            eprintln!("Error: {error:#}");
            ExitCode::from(1)
        }
    }
}
