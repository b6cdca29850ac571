//! Crash safety: SIGKILL an apply at many points; the state file always parses, the lock dies
//! with its holder, and re-running apply converges with nothing duplicated.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use lathe_core::state::State;
use lathe_test_support::TempProject;

const STEPS: usize = 12;

fn config() -> String {
    format!(
        r#"resource "terraform_data" "step" {{
  count = {STEPS}
  input = "step-${{count.index}}"
  provisioner "local-exec" {{
    command = "sleep 0.05 && echo ${{self.id}} >> created.log"
  }}
}}

resource "terraform_data" "after" {{
  input = length(terraform_data.step)
}}
"#
    )
}

fn apply(directory: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lathe"));
    command
        .arg(format!("-chdir={}", directory.display()))
        .args([
            "apply",
            "-auto-approve",
            "-parallelism=3",
            "-lock-timeout=5s",
        ])
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

fn check_state_parses(directory: &Path) {
    for file in ["lathe.tfstate", "lathe.tfstate.backup"] {
        if let Ok(text) = std::fs::read_to_string(directory.join(file)) {
            State::parse(Path::new(file), &text)
                .unwrap_or_else(|error| panic!("{file} after a kill: {error}"));
        }
    }
}

#[test]
fn killed_applies_leave_parseable_state_and_a_rerun_converges() {
    let project = TempProject::new(&[("main.tf", &config())]);
    let directory = project.path();
    let mut kills = 0;
    for delay_ms in [15, 40, 80, 120, 180, 250, 350, 500] {
        let mut child = apply(directory).spawn().expect("lathe starts");
        std::thread::sleep(Duration::from_millis(delay_ms));
        if child.try_wait().expect("status").is_none() {
            child.kill().expect("SIGKILL is delivered");
            kills += 1;
        }
        let _ = child.wait();
        check_state_parses(directory);
    }
    assert!(
        kills >= 3,
        "only {kills} applies were still running when killed"
    );

    let finished = apply(directory).status().expect("lathe runs");
    assert!(finished.success());
    let state = State::load(directory).expect("state parses");
    let addresses: Vec<String> = state
        .instances()
        .iter()
        .map(|(address, _, _)| address.to_string())
        .collect();
    let unique: BTreeSet<&String> = addresses.iter().collect();
    assert_eq!(addresses.len(), STEPS + 1, "{addresses:?}");
    assert_eq!(unique.len(), addresses.len(), "{addresses:?}");
    assert!(
        state
            .instances()
            .iter()
            .all(|(_, _, instance)| instance.status.is_none())
    );
    // Every instance in the state ran its provisioner to the end.
    let log = std::fs::read_to_string(directory.join("created.log")).unwrap_or_default();
    for (address, _, instance) in state.instances() {
        if address.resource == "terraform_data.step" {
            let id = instance.attributes["id"].as_str().unwrap_or_default();
            assert!(
                log.contains(id),
                "{address} ({id}) has no provisioner record"
            );
        }
    }
    let plan = Command::new(env!("CARGO_BIN_EXE_lathe"))
        .arg(format!("-chdir={}", directory.display()))
        .args(["plan", "-detailed-exitcode"])
        .output()
        .expect("plan runs");
    assert_eq!(
        plan.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&plan.stdout)
    );
}

#[test]
fn an_interrupt_lets_running_steps_finish_and_starts_nothing_new() {
    let project = TempProject::new(&[(
        "main.tf",
        "resource \"terraform_data\" \"slow\" {\n  count = 6\n  provisioner \"local-exec\" {\n    command = \"sleep 0.4\"\n  }\n}\n",
    )]);
    let directory = project.path();
    let mut child = Command::new(env!("CARGO_BIN_EXE_lathe"))
        .arg(format!("-chdir={}", directory.display()))
        .args(["apply", "-auto-approve", "-parallelism=2"])
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("lathe starts");
    // Interrupt once both parallel slots are busy (the provisioners sleep 0.4 s).
    let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout is piped"));
    let mut started = 0;
    let mut line = String::new();
    while started < 2 {
        line.clear();
        if std::io::BufRead::read_line(&mut stdout, &mut line).expect("stdout reads") == 0 {
            break;
        }
        started += usize::from(line.contains("Executing:"));
    }
    let signalled = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(signalled.success());
    let output = child.wait_with_output().expect("lathe finishes");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("Interrupted: 4 change(s) did not start"),
        "{stderr}"
    );
    let state = State::load(directory).expect("state parses");
    assert_eq!(state.instances().len(), 2);
    assert!(
        state
            .instances()
            .iter()
            .all(|(_, _, instance)| instance.status.is_none())
    );
    let finished = apply(directory).status().expect("lathe runs");
    assert!(finished.success());
    assert_eq!(State::load(directory).unwrap().instances().len(), 6);
}
