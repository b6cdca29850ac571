//! `lathe worker train --spec FILE` as the region runs it: a child process that reports JSON
//! events on stdout, writes Bedrock's output files, and, killed with SIGKILL, resumes from its
//! last checkpoint to the same weights an uninterrupted run ends with.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use lathe_train::testing::{TinyModelOptions, completion_records, write_tiny_model};

/// A tiny model, 24 prompt/completion records and a spec writing to `output`, in a temp folder.
struct Workspace {
    folder: tempfile::TempDir,
}

impl Workspace {
    fn new() -> Self {
        let folder = tempfile::tempdir().expect("temporary folder");
        write_tiny_model(&folder.path().join("base"), &TinyModelOptions::default())
            .expect("tiny model");
        std::fs::write(
            folder.path().join("train.jsonl"),
            completion_records(24).join("\n"),
        )
        .expect("training data");
        Self { folder }
    }

    /// Writes `NAME.json` (paths relative to it, as users write them) and returns its path.
    fn spec(&self, name: &str, method: &str, epochs: u32) -> PathBuf {
        let spec = serde_json::json!({
            "base_model": "base",
            "training_data": ["train.jsonl"],
            "method": method,
            "hyperparameters": {
                "epochCount": epochs.to_string(),
                "batchSize": "2",
                "learningRate": "0.003",
                "evalPercentage": "20",
                "seed": "11"
            },
            "output_dir": name,
            "checkpoint_interval_steps": 1
        });
        let path = self.folder.path().join(format!("{name}.json"));
        std::fs::write(&path, spec.to_string()).expect("spec file");
        path
    }

    fn output(&self, name: &str) -> PathBuf {
        self.folder.path().join(name)
    }
}

fn worker(spec: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lathe"));
    command
        .args(["worker", "train", "--spec"])
        .arg(spec)
        .env("NO_COLOR", "1");
    command
}

/// Runs a worker to the end and returns its events, one JSON object a line.
fn run_to_end(spec: &Path) -> Vec<serde_json::Value> {
    let output = worker(spec).output().expect("the lathe binary runs");
    assert!(
        output.status.success(),
        "worker failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("UTF-8 events")
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect()
}

fn csv_rows(path: &Path) -> (String, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|_| panic!("{path:?} is missing"));
    let mut lines = text.lines();
    let header = lines.next().expect("a header").to_string();
    let rows = lines
        .map(|line| line.split(',').map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn read(path: PathBuf) -> Vec<u8> {
    std::fs::read(&path).unwrap_or_else(|_| panic!("{path:?} is missing"))
}

#[test]
fn worker_reports_events_and_writes_bedrock_outputs() {
    let workspace = Workspace::new();
    let events = run_to_end(&workspace.spec("lora", "lora", 2));
    let kinds: Vec<&str> = events
        .iter()
        .map(|event| event["event"].as_str().expect("an event name"))
        .collect();
    assert_eq!(kinds.first(), Some(&"started"));
    assert_eq!(kinds.last(), Some(&"finished"));
    let total_steps = events[0]["total_steps"].as_u64().expect("total_steps");
    let steps: Vec<u64> = events
        .iter()
        .filter(|event| event["event"] == "step")
        .map(|event| event["step"].as_u64().expect("step number"))
        .collect();
    assert_eq!(steps, (1..=total_steps).collect::<Vec<_>>());
    let summary = &events.last().expect("events")["summary"];
    assert_eq!(summary["steps"].as_u64(), Some(total_steps));

    let output = workspace.output("lora");
    let (header, rows) = csv_rows(&output.join("step_wise_training_metrics.csv"));
    assert_eq!(
        header,
        "step_number,epoch_number,training_loss,learning_rate,tokens_per_second"
    );
    assert_eq!(rows.len() as u64, total_steps);
    for row in &rows {
        let loss: f64 = row[2].parse().expect("a numeric training loss");
        assert!(loss.is_finite() && loss > 0.0, "training loss {loss}");
    }
    let (header, rows) = csv_rows(&output.join("validation_metrics.csv"));
    assert_eq!(header, "step_number,epoch_number,validation_loss");
    assert!(!rows.is_empty(), "no validation rows");

    let config: serde_json::Value =
        serde_json::from_slice(&read(output.join("model/config.json"))).expect("config JSON");
    assert_eq!(config["num_hidden_layers"], 2);
    assert!(!read(output.join("model/model.safetensors")).is_empty());
    assert!(!read(output.join("model/tokenizer.json")).is_empty());
    let adapter: serde_json::Value =
        serde_json::from_slice(&read(output.join("adapter/adapter_config.json")))
            .expect("adapter config JSON");
    assert_eq!(adapter["peft_type"], "LORA");
    assert!(!read(output.join("adapter/adapter_model.safetensors")).is_empty());
    assert!(
        String::from_utf8(read(output.join("loss_curve.svg")))
            .expect("SVG text")
            .contains("<svg")
    );
}

#[test]
fn sigkilled_worker_resumes_from_its_checkpoint() {
    let workspace = Workspace::new();
    run_to_end(&workspace.spec("reference", "full", 4));

    let spec = workspace.spec("interrupted", "full", 4);
    let mut child = worker(&spec)
        .stdout(Stdio::piped())
        .spawn()
        .expect("the lathe binary runs");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut killed_after = None;
    for line in BufReader::new(stdout).lines() {
        let event: serde_json::Value =
            serde_json::from_str(&line.expect("a line")).expect("a JSON event");
        if event["event"] == "checkpoint" && event["step"].as_u64() >= Some(3) {
            child.kill().expect("SIGKILL"); // SIGKILL on Unix
            killed_after = event["step"].as_u64();
            break;
        }
        assert_ne!(
            event["event"], "finished",
            "the worker ended before it was killed"
        );
    }
    child.wait().expect("the killed worker is reaped");
    let killed_after = killed_after.expect("a checkpoint event");

    let events = run_to_end(&spec);
    assert!(
        events[0]["resumed_at_step"].as_u64() >= Some(killed_after),
        "the second worker did not resume: {}",
        events[0]
    );
    let weights = |name: &str| read(workspace.output(name).join("model/model.safetensors"));
    assert!(
        weights("reference") == weights("interrupted"),
        "the resumed run's weights differ from the uninterrupted run's"
    );
    let metrics = |name: &str| {
        std::fs::read_to_string(workspace.output(name).join("validation_metrics.csv"))
            .expect("validation metrics")
    };
    assert_eq!(metrics("reference"), metrics("interrupted"));
}
