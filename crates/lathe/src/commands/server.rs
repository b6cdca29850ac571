//! `lathe server`: run the local region in the foreground, or start, stop and inspect one in
//! the background, and print its credentials.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use lathe_region::config::{DEFAULT_ACCOUNT_ID, DEFAULT_PORT, DEFAULT_REGION};
use lathe_region::server::state::{ServerState, probe_health};
use lathe_region::{Region, RegionConfig, RootCredentials, default_data_dir};

/// How long `start` waits for the background server to answer its health check.
const START_TIMEOUT: Duration = Duration::from_secs(30);
const STOP_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug, clap::Args)]
#[command(
    about = "Run the local region (S3, IAM, STS) in the foreground, or manage a background one"
)]
pub struct ServerArgs {
    #[command(subcommand)]
    pub action: Option<ServerAction>,
    #[command(flatten)]
    pub options: ServeOptions,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ServeOptions {
    /// Port to listen on.
    #[arg(long, global = true, default_value_t = DEFAULT_PORT)]
    pub port: u16,
    /// Where metadata, objects and credentials live [default: ~/.local/share/lathe/region].
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// Address to listen on; loopback unless you say otherwise (e.g. --bind 0.0.0.0).
    #[arg(long, global = true)]
    pub bind: Option<IpAddr>,
    /// Account id in every ARN (12 digits).
    #[arg(long, global = true, default_value = DEFAULT_ACCOUNT_ID)]
    pub account_id: String,
    /// Region name clients sign for.
    #[arg(long, global = true, default_value = DEFAULT_REGION)]
    pub region: String,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum ServerAction {
    /// Start the region in the background (pid file and log in the data directory).
    Start,
    /// Stop the background region of the data directory.
    Stop,
    /// Say whether a region serves the data directory, and where.
    Status,
    /// Print the region's credentials (AWS shared-credentials-file form, or env with --env).
    Credentials {
        /// Print `export AWS_...=` lines instead of the shared-credentials-file form.
        #[arg(long)]
        env: bool,
    },
}

impl ServeOptions {
    fn data_dir(&self) -> PathBuf {
        self.data_dir.clone().unwrap_or_else(default_data_dir)
    }

    fn config(&self) -> RegionConfig {
        let mut config = RegionConfig::new(self.data_dir());
        config.bind = SocketAddr::new(
            self.bind.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST)),
            self.port,
        );
        config.account_id = self.account_id.clone();
        config.region = self.region.clone();
        config
    }

    /// The flags a background child needs to serve the same region.
    fn child_arguments(&self) -> Vec<String> {
        let mut arguments = vec![
            "server".to_string(),
            "--port".to_string(),
            self.port.to_string(),
            "--data-dir".to_string(),
            self.data_dir().display().to_string(),
            "--account-id".to_string(),
            self.account_id.clone(),
            "--region".to_string(),
            self.region.clone(),
        ];
        if let Some(bind) = self.bind {
            arguments.extend(["--bind".to_string(), bind.to_string()]);
        }
        arguments
    }
}

pub fn run(args: &ServerArgs) -> anyhow::Result<()> {
    match &args.action {
        None => serve_foreground(&args.options),
        Some(ServerAction::Start) => start(&args.options),
        Some(ServerAction::Stop) => stop(&args.options),
        Some(ServerAction::Status) => status(&args.options),
        Some(ServerAction::Credentials { env }) => credentials(&args.options, *env),
    }
}

/// The server's log level, from `LATHE_LOG` (error, warn, info, debug, trace; default info).
fn log_level() -> anyhow::Result<tracing::Level> {
    match std::env::var("LATHE_LOG") {
        Err(_) => Ok(tracing::Level::INFO),
        Ok(text) => text.parse().map_err(|_| {
            anyhow::anyhow!("LATHE_LOG={text:?}: use one of error, warn, info, debug, trace")
        }),
    }
}

fn serve_foreground(options: &ServeOptions) -> anyhow::Result<()> {
    // A subscriber installed by the caller wins; the background server's goes to server.log.
    let _ = tracing_subscriber::fmt()
        .with_max_level(log_level()?)
        .with_writer(std::io::stderr)
        .try_init();
    let config = options.config();
    let pid_path = config.pid_path();
    if let Some(state) = ServerState::read(&pid_path)?
        && state.pid != std::process::id()
        && probe_health(state.address, Duration::from_secs(1))
    {
        bail!(
            "a region (pid {}) already serves {} at http://{}; stop it with `lathe server stop --data-dir {}`",
            state.pid,
            config.data_dir.display(),
            state.address,
            config.data_dir.display()
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let region = Region::open(config.clone())
            .with_context(|| format!("opening the region in {}", config.data_dir.display()))?;
        let running = region.start().await?;
        ServerState {
            pid: std::process::id(),
            address: running.address,
        }
        .write(&pid_path)?;
        println!(
            "lathe local region listening on {} (data: {}, account {}, region {})",
            running.endpoint_url(),
            config.data_dir.display(),
            config.account_id,
            config.region
        );
        println!(
            "credentials: `lathe server credentials --data-dir {}`",
            config.data_dir.display()
        );
        wait_for_signal().await;
        running.stop().await?;
        ServerState::remove_if_mine(&pid_path);
        anyhow::Ok(())
    })
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

fn running_state(data_dir: &Path) -> anyhow::Result<Option<ServerState>> {
    let state = ServerState::read(&RegionConfig::new(data_dir).pid_path())?;
    Ok(state.filter(|s| probe_health(s.address, Duration::from_secs(1))))
}

fn start(options: &ServeOptions) -> anyhow::Result<()> {
    let config = options.config();
    config.validate()?;
    if let Some(state) = running_state(&config.data_dir)? {
        println!(
            "already running: http://{} (pid {})",
            state.address, state.pid
        );
        return Ok(());
    }
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating {}", config.data_dir.display()))?;
    let log_path = config.data_dir.join("server.log");
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .with_context(|| format!("opening {}", log_path.display()))?;
    let mut command = std::process::Command::new(
        std::env::current_exe().context("finding the lathe executable")?,
    );
    command
        .args(options.child_arguments())
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log);
    #[cfg(unix)]
    {
        // Its own process group: a Ctrl-C in this terminal does not stop the background region.
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    let mut child = command.spawn().context("starting the background region")?;
    let deadline = Instant::now() + START_TIMEOUT;
    while Instant::now() < deadline {
        if let Some(exit) = child.try_wait()? {
            bail!(
                "the background region exited ({exit}) before it was ready; see {}",
                log_path.display()
            );
        }
        if let Some(state) = running_state(&config.data_dir)?
            && state.pid == child.id()
        {
            println!(
                "started: http://{} (pid {}, log {})",
                state.address,
                state.pid,
                log_path.display()
            );
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!(
        "the background region (pid {}) did not answer its health check within {}s; see {}",
        child.id(),
        START_TIMEOUT.as_secs(),
        log_path.display()
    )
}

fn stop(options: &ServeOptions) -> anyhow::Result<()> {
    let data_dir = options.data_dir();
    let pid_path = RegionConfig::new(&data_dir).pid_path();
    let Some(state) = ServerState::read(&pid_path)? else {
        println!("not running (no pid file in {})", data_dir.display());
        return Ok(());
    };
    if !probe_health(state.address, Duration::from_secs(1)) {
        std::fs::remove_file(&pid_path).ok();
        println!("not running (removed stale pid file for pid {})", state.pid);
        return Ok(());
    }
    let status = std::process::Command::new("kill")
        .args(["-TERM", &state.pid.to_string()])
        .status()
        .context("running kill")?;
    if !status.success() {
        bail!("could not signal pid {} ({status})", state.pid);
    }
    let deadline = Instant::now() + STOP_TIMEOUT;
    while Instant::now() < deadline {
        if !probe_health(state.address, Duration::from_millis(200)) {
            std::fs::remove_file(&pid_path).ok();
            println!("stopped (pid {})", state.pid);
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!(
        "pid {} still answers after {}s",
        state.pid,
        STOP_TIMEOUT.as_secs()
    )
}

fn status(options: &ServeOptions) -> anyhow::Result<()> {
    let data_dir = options.data_dir();
    match running_state(&data_dir)? {
        Some(state) => {
            println!("running: http://{} (pid {})", state.address, state.pid);
            Ok(())
        }
        None => bail!("not running (data directory {})", data_dir.display()),
    }
}

fn credentials(options: &ServeOptions, env: bool) -> anyhow::Result<()> {
    let path = options.config().credentials_path();
    let credentials = RootCredentials::load(&path).with_context(|| {
        format!(
            "no credentials yet in {}; start the region once (`lathe server start`) to create them",
            path.display()
        )
    })?;
    if env {
        // A running region's own address beats the --port default.
        let endpoint = match running_state(&options.data_dir())? {
            Some(state) => format!("http://{}", state.address),
            None => format!("http://127.0.0.1:{}", options.port),
        };
        println!("export AWS_ACCESS_KEY_ID={}", credentials.access_key_id);
        println!(
            "export AWS_SECRET_ACCESS_KEY={}",
            credentials.secret_access_key
        );
        println!("export AWS_REGION={}", options.region);
        println!("export AWS_ENDPOINT_URL={endpoint}");
    } else {
        print!("{}", credentials.shared_credentials_file());
    }
    Ok(())
}
