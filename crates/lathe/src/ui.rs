//! Progress while applying: a spinner per resource on a terminal, plain lines otherwise
//! ("x: Creating..." / "x: Still creating... [10s elapsed]" / "x: Creation complete after 1s
//! [id=...]").

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use lathe_core::applier::{ApplyObserver, Operation};
use lathe_core::state::InstanceAddress;

/// How often plain output reminds the reader what is still running.
const REMINDER_EVERY: Duration = Duration::from_secs(10);

fn verbs(operation: Operation) -> (&'static str, &'static str, &'static str) {
    match operation {
        Operation::Create => ("Creating...", "Still creating...", "Creation"),
        Operation::Update => ("Modifying...", "Still modifying...", "Modifications"),
        Operation::Delete => ("Destroying...", "Still destroying...", "Destruction"),
        Operation::Read => ("Reading...", "Still reading...", "Read"),
    }
}

fn seconds(elapsed: Duration) -> String {
    let total = elapsed.as_secs();
    if total >= 60 {
        format!("{}m{}s", total / 60, total % 60)
    } else {
        format!("{total}s")
    }
}

fn print_line(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{text}");
    let _ = stdout.flush();
}

/// Operations in flight, for the plain-output reminders.
type InFlight = Arc<Mutex<BTreeMap<String, (Operation, Instant, Instant)>>>;

/// Renders apply progress to the terminal.
pub struct Progress {
    spinners: Option<(MultiProgress, Mutex<BTreeMap<String, ProgressBar>>)>,
    in_flight: InFlight,
    stop: Arc<AtomicBool>,
    interrupted: Arc<AtomicBool>,
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Progress")
            .field("spinners", &self.spinners.is_some())
            .finish()
    }
}

impl Progress {
    /// Spinners when stdout is a terminal and colors are allowed; plain lines otherwise.
    pub fn new(plain: bool, interrupted: Arc<AtomicBool>) -> Progress {
        let spinners = (!plain && std::io::stdout().is_terminal())
            .then(|| (MultiProgress::new(), Mutex::new(BTreeMap::new())));
        let in_flight: InFlight = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        if spinners.is_none() {
            let in_flight = Arc::clone(&in_flight);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || remind(&in_flight, &stop));
        }
        Progress {
            spinners,
            in_flight,
            stop,
            interrupted,
        }
    }

    fn line(&self, text: &str) {
        match &self.spinners {
            Some((multi, _)) => {
                let _ = multi.println(text);
            }
            None => print_line(text),
        }
    }
}

/// Every few seconds, says which operations are still running and for how long.
fn remind(in_flight: &InFlight, stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(250));
        let Ok(mut running) = in_flight.lock() else {
            return;
        };
        for (address, (operation, started, last)) in running.iter_mut() {
            if last.elapsed() >= REMINDER_EVERY {
                *last = Instant::now();
                let (_, still, _) = verbs(*operation);
                print_line(&format!(
                    "{address}: {still} [{} elapsed]",
                    seconds(started.elapsed())
                ));
            }
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl ApplyObserver for Progress {
    fn interrupted(&self) -> bool {
        self.interrupted.load(Ordering::SeqCst)
    }

    fn started(&self, address: &InstanceAddress, operation: Operation, id: Option<&str>) {
        let (doing, _, _) = verbs(operation);
        let doing = match id {
            Some(id) => format!("{doing} [id={id}]"),
            None => doing.to_string(),
        };
        match &self.spinners {
            Some((multi, bars)) => {
                let bar = multi.add(ProgressBar::new_spinner());
                bar.set_style(
                    ProgressStyle::with_template("{spinner} {prefix}: {msg} [{elapsed}]")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                bar.set_prefix(address.to_string());
                bar.set_message(doing);
                bar.enable_steady_tick(Duration::from_millis(120));
                if let Ok(mut bars) = bars.lock() {
                    bars.insert(address.to_string(), bar);
                }
            }
            None => {
                if let Ok(mut running) = self.in_flight.lock() {
                    running.insert(
                        address.to_string(),
                        (operation, Instant::now(), Instant::now()),
                    );
                }
                self.line(&format!("{address}: {doing}"));
            }
        }
    }

    fn progress(&self, address: &InstanceAddress, message: &str) {
        match &self.spinners {
            Some((_, bars)) => {
                if let Some(bar) = bars
                    .lock()
                    .ok()
                    .and_then(|bars| bars.get(&address.to_string()).cloned())
                {
                    bar.set_message(message.to_string());
                }
            }
            None => self.line(&format!("{address}: {message}")),
        }
    }

    fn output(&self, address: &InstanceAddress, line: &str) {
        self.line(&format!("{address} (local-exec): {line}"));
    }

    fn finished(
        &self,
        address: &InstanceAddress,
        operation: Operation,
        result: Result<Option<String>, String>,
        elapsed: Duration,
    ) {
        let (_, _, done) = verbs(operation);
        let text = match &result {
            Ok(Some(id)) => format!(
                "{address}: {done} complete after {} [id={id}]",
                seconds(elapsed)
            ),
            Ok(None) => format!("{address}: {done} complete after {}", seconds(elapsed)),
            Err(message) => format!(
                "{address}: {done} failed after {}: {message}",
                seconds(elapsed)
            ),
        };
        if let Ok(mut running) = self.in_flight.lock() {
            running.remove(&address.to_string());
        }
        if let Some((_, bars)) = &self.spinners
            && let Some(bar) = bars
                .lock()
                .ok()
                .and_then(|mut bars| bars.remove(&address.to_string()))
        {
            bar.finish_and_clear();
        }
        self.line(&text);
    }
}

/// On the first Ctrl-C, apply starts nothing new and lets what runs finish (the state records
/// it); a second Ctrl-C exits at once, which the state also survives (pending creates are
/// adopted by the next refresh).
pub fn handle_interrupts() -> Arc<AtomicBool> {
    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&interrupted);
    let installed = ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            err!(
                "\nTwo interrupts received. Exiting immediately; run `lathe apply` again to finish."
            );
            std::process::exit(130);
        }
        err!(
            "\nInterrupt received. Waiting for the operations in flight to finish; nothing new starts. Press Ctrl-C again to exit at once."
        );
    });
    if let Err(error) = installed {
        err!("Warning: Ctrl-C will stop lathe at once ({error}); the state stays consistent.");
    }
    interrupted
}

/// Asks for approval; only "yes" approves.
pub fn confirm(question: &str, description: &str) -> bool {
    out_inline!(
        "\n{question}\n  {description}\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: "
    );
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    out!();
    answer.trim() == "yes"
}
