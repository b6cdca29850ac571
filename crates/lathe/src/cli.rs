//! The command line: every subcommand and flag, in Terraform's names.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "lathe", version, about = "Model customization as code.")]
pub struct Cli {
    /// Switch to this working directory before running the command.
    #[arg(long, global = true, value_name = "DIR")]
    pub chdir: Option<PathBuf>,
    /// Where aws resources go: `local` (the default: this project's local region, started when
    /// needed) or `aws` (real AWS with the standard credential chain). Also LATHE_TARGET.
    #[arg(long = "target-env", global = true, value_name = "local|aws")]
    pub target_env: Option<String>,
    /// Plain output: no colors, no spinners.
    #[arg(long, global = true)]
    pub no_color: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check required versions and providers, and prepare the working directory.
    Init(InitArgs),
    /// Check the configuration: syntax, references, provider schemas.
    Validate(JsonArgs),
    /// Show what apply would change.
    Plan(PlanArgs),
    /// Make the changes (or apply a saved plan file).
    Apply(ApplyArgs),
    /// Destroy everything this configuration manages.
    Destroy(PlanArgs),
    /// Update the state from the real objects, changing nothing else.
    Refresh(PlanArgs),
    /// Show the state, or a saved plan.
    Show(ShowArgs),
    /// Show output values.
    Output(OutputArgs),
    /// Inspect and edit the state.
    #[command(subcommand)]
    State(StateCommand),
    /// Bring an existing object under management.
    Import(ImportArgs),
    /// Print the dependency graph in Graphviz DOT.
    Graph,
    /// Rewrite *.tf files in the canonical format.
    Fmt(FmtArgs),
    /// Show lathe's version, the Terraform language version it follows and its providers.
    Version(JsonArgs),
    /// The local region: S3, IAM and STS (and Bedrock) on one port.
    Server(crate::commands::server::ServerArgs),
    /// Run a training spec in this process (what the local region runs for a customization job).
    Train(crate::commands::train::TrainArgs),
    /// Work run as a child process by the local region.
    #[command(subcommand)]
    Worker(crate::commands::train::WorkerCommand),
    /// Validate, preview, describe, generate and prepare training data.
    #[command(subcommand)]
    Data(crate::commands::data::DataCommand),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Accepted for compatibility; lathe's providers are built in.
    #[arg(long)]
    pub upgrade: bool,
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub input: bool,
}

#[derive(Debug, Args)]
pub struct JsonArgs {
    /// Machine-readable output in Terraform's JSON format.
    #[arg(long)]
    pub json: bool,
}

/// Flags shared by plan, apply, destroy and refresh.
#[derive(Debug, Args, Clone)]
pub struct PlanArgs {
    /// Set a variable: -var 'name=value' (repeatable; later wins).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub variables: Vec<String>,
    /// Read variables from a file (repeatable).
    #[arg(long = "var-file", value_name = "FILE")]
    pub variable_files: Vec<PathBuf>,
    /// Only this resource (and what it depends on); repeatable.
    #[arg(long = "target", value_name = "ADDRESS")]
    pub targets: Vec<String>,
    /// Replace this resource instance even if nothing changed; repeatable.
    #[arg(long = "replace", value_name = "ADDRESS")]
    pub replace: Vec<String>,
    /// Only update the state from the real objects.
    #[arg(long)]
    pub refresh_only: bool,
    /// Plan to destroy everything.
    #[arg(long)]
    pub destroy: bool,
    /// Read the real objects before planning.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub refresh: bool,
    /// How many operations run at once.
    #[arg(long, default_value_t = lathe_core::walk::DEFAULT_PARALLELISM)]
    pub parallelism: usize,
    /// Take the state lock.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub lock: bool,
    /// How long to wait for the state lock (e.g. 30s).
    #[arg(long, default_value = "0s")]
    pub lock_timeout: String,
    /// Exit 0 when there is nothing to change, 2 when there is, 1 on error.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Skip the interactive approval.
    #[arg(long)]
    pub auto_approve: bool,
    /// Machine-readable output in Terraform's JSON format.
    #[arg(long)]
    pub json: bool,
    /// Save the plan to this file (plan only).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Accepted for compatibility; lathe never asks for variable values.
    #[arg(long, default_value_t = false, action = clap::ArgAction::Set)]
    pub input: bool,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub plan: PlanArgs,
    /// A plan saved by `lathe plan -out=FILE`.
    pub plan_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    #[arg(long)]
    pub json: bool,
    /// A saved plan file; the state when left out.
    pub plan_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    #[arg(long)]
    pub json: bool,
    /// Print the value of one string, number or bool output without quotes.
    #[arg(long)]
    pub raw: bool,
    pub name: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum StateCommand {
    /// List the resource instances in the state.
    List {
        /// Only addresses starting with these.
        addresses: Vec<String>,
    },
    /// Show one instance's attributes.
    Show {
        address: String,
        #[arg(long)]
        json: bool,
    },
    /// Forget instances without destroying them.
    Rm {
        #[arg(required = true)]
        addresses: Vec<String>,
    },
    /// Move an instance to another address.
    Mv { source: String, destination: String },
    /// Print the raw state file (Terraform's `state pull`).
    Pull,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub plan: PlanArgs,
    pub address: String,
    pub id: String,
}

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Only check; exit 3 when files need formatting.
    #[arg(long)]
    pub check: bool,
    /// Show the changes.
    #[arg(long)]
    pub diff: bool,
    /// Format the files of subfolders too.
    #[arg(long)]
    pub recursive: bool,
    /// Files or folders (the working directory when left out).
    pub targets: Vec<PathBuf>,
}
