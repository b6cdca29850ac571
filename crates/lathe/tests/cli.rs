//! The built binary end to end: the hello example's journey, saved plans, the state lock,
//! flag spellings, state commands, JSON formats and exit codes.

use std::path::Path;
use std::process::{Command, Output};

use lathe_test_support::TempProject;

fn lathe(directory: &Path, arguments: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lathe"))
        .arg(format!("-chdir={}", directory.display()))
        .args(arguments)
        .env("NO_COLOR", "1")
        .output()
        .expect("the lathe binary runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

/// A fresh copy of the hello example's configuration (never its local state).
fn hello() -> TempProject {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/hello/main.tf");
    TempProject::new(&[(
        "main.tf",
        &std::fs::read_to_string(example).expect("the example exists"),
    )])
}

#[test]
fn hello_example_init_plan_apply_destroy() {
    let project = hello();
    let directory = project.path();
    let init = lathe(directory, &["init"]);
    assert_eq!(code(&init), 0, "{}", text(&init));
    assert!(directory.join(".lathe").is_dir());

    let plan = lathe(directory, &["plan", "-detailed-exitcode"]);
    assert_eq!(code(&plan), 2, "{}", text(&plan));
    assert!(text(&plan).contains("Plan: 3 to add, 0 to change, 0 to destroy."));

    let apply = lathe(directory, &["apply", "-auto-approve"]);
    let applied = text(&apply);
    assert_eq!(code(&apply), 0, "{applied}");
    assert!(
        applied.contains("terraform_data.greeting (local-exec): Hello, world!"),
        "{applied}"
    );
    assert!(
        applied.contains("terraform_data.greeting: Creation complete after"),
        "{applied}"
    );
    assert!(
        applied.contains("Apply complete! Resources: 3 added, 0 changed, 0 destroyed."),
        "{applied}"
    );

    let again = lathe(directory, &["plan", "--detailed-exitcode"]);
    assert_eq!(code(&again), 0, "{}", text(&again));
    assert!(text(&again).contains("No changes."));

    let raw = lathe(directory, &["output", "-raw", "greeting"]);
    assert_eq!(String::from_utf8_lossy(&raw.stdout), "Hello, world!");
    let json: serde_json::Value =
        serde_json::from_slice(&lathe(directory, &["output", "-json"]).stdout).unwrap();
    assert_eq!(json["echoes"]["value"][1], "Hello, world! #2");

    let listed = String::from_utf8_lossy(&lathe(directory, &["state", "list"]).stdout).into_owned();
    assert_eq!(
        listed,
        "terraform_data.echo[0]\nterraform_data.echo[1]\nterraform_data.greeting\n"
    );
    let shown: serde_json::Value =
        serde_json::from_slice(&lathe(directory, &["show", "-json"]).stdout).unwrap();
    assert_eq!(
        shown["values"]["root_module"]["resources"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let state: serde_json::Value = serde_json::from_str(&project.read("lathe.tfstate")).unwrap();
    assert_eq!(state["version"], 4);

    let destroy = lathe(directory, &["destroy", "-auto-approve"]);
    let destroyed = text(&destroy);
    assert_eq!(code(&destroy), 0, "{destroyed}");
    assert!(
        destroyed.contains("(local-exec): goodbye from"),
        "{destroyed}"
    );
    assert!(
        destroyed.contains("Destroy complete! Resources: 3 destroyed."),
        "{destroyed}"
    );
}

#[test]
fn a_saved_plan_applies_once_and_is_refused_when_state_moved() {
    let project = hello();
    let directory = project.path();
    let plan = lathe(directory, &["plan", "-out=saved.plan"]);
    assert_eq!(code(&plan), 0, "{}", text(&plan));
    assert!(
        project.file("saved.plan").is_file(),
        "-out is relative to -chdir"
    );
    let apply = lathe(directory, &["apply", "saved.plan"]);
    assert_eq!(code(&apply), 0, "{}", text(&apply));
    let stale = lathe(directory, &["apply", "saved.plan"]);
    assert_eq!(code(&stale), 1);
    assert!(
        text(&stale).contains("the saved plan is stale"),
        "{}",
        text(&stale)
    );
}

#[test]
fn a_second_apply_is_refused_while_the_state_is_locked() {
    let project = hello();
    let _held =
        lathe_core::lock::StateLock::acquire(project.path(), "apply", std::time::Duration::ZERO)
            .unwrap();
    let refused = lathe(
        project.path(),
        &["apply", "-auto-approve", "-lock-timeout=300ms"],
    );
    let message = text(&refused);
    assert_eq!(code(&refused), 1, "{message}");
    assert!(
        message.contains(&format!("pid {}", std::process::id())),
        "{message}"
    );
    assert!(message.contains("running `apply`"), "{message}");
}

#[test]
fn variables_come_from_the_command_line_in_order() {
    let project = hello();
    project.write("extra.tfvars", "name = \"file\"\n");
    let plan = lathe(
        project.path(),
        &["plan", "-var-file=extra.tfvars", "-var", "name=flag"],
    );
    assert!(text(&plan).contains("\"Hello, flag!\""), "{}", text(&plan));
    let plan = lathe(
        project.path(),
        &["plan", "-var", "name=flag", "--var-file", "extra.tfvars"],
    );
    assert!(text(&plan).contains("\"Hello, file!\""), "{}", text(&plan));
    let undeclared = lathe(project.path(), &["plan", "-var", "nmae=x"]);
    assert_eq!(code(&undeclared), 1);
    assert!(text(&undeclared).contains("nmae"), "{}", text(&undeclared));
}

#[test]
fn validate_reports_every_error_as_text_and_json() {
    let project = TempProject::new(&[(
        "main.tf",
        "resource \"terraform_data\" \"a\" {\n  inptu = 1\n}\nresource \"terraform_data\" \"b\" {\n  output = 2\n}\n",
    )]);
    let plain = lathe(project.path(), &["validate"]);
    let message = text(&plain);
    assert_eq!(code(&plain), 1);
    assert!(message.contains("main.tf:2:3"), "{message}");
    assert!(message.contains("did you mean `input`?"), "{message}");
    assert!(
        message.contains("unconfigurable attribute `output`"),
        "{message}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&lathe(project.path(), &["validate", "-json"]).stdout).unwrap();
    assert_eq!(json["valid"], false);
    assert_eq!(json["error_count"], 2);
}

#[test]
fn state_mv_rm_and_import() {
    let project = TempProject::new(&[(
        "main.tf",
        "resource \"terraform_data\" \"a\" {\n  input = 1\n}\nresource \"terraform_data\" \"b\" {\n  input = 1\n}\n",
    )]);
    let directory = project.path();
    assert_eq!(code(&lathe(directory, &["apply", "-auto-approve"])), 0);
    let moved = lathe(
        directory,
        &["state", "mv", "terraform_data.a", "terraform_data.c"],
    );
    assert_eq!(code(&moved), 0, "{}", text(&moved));
    let removed = lathe(directory, &["state", "rm", "terraform_data.b"]);
    assert_eq!(code(&removed), 0, "{}", text(&removed));
    let listed = String::from_utf8_lossy(&lathe(directory, &["state", "list"]).stdout).into_owned();
    assert_eq!(listed, "terraform_data.c\n");
    let import = lathe(directory, &["import", "terraform_data.b", "imported-id"]);
    assert_eq!(code(&import), 0, "{}", text(&import));
    let shown =
        String::from_utf8_lossy(&lathe(directory, &["state", "show", "terraform_data.b"]).stdout)
            .into_owned();
    assert!(shown.contains("= \"imported-id\""), "{shown}");
    // c is not in the configuration: the plan destroys it; a is recreated.
    let plan = text(&lathe(directory, &["plan"]));
    assert!(
        plan.contains("# terraform_data.c will be destroyed"),
        "{plan}"
    );
    assert!(
        plan.contains("# terraform_data.a will be created"),
        "{plan}"
    );
}

#[test]
fn graph_prints_dot_and_fmt_checks_layout() {
    let project = hello();
    let graph = String::from_utf8_lossy(&lathe(project.path(), &["graph"]).stdout).into_owned();
    assert!(graph.starts_with("digraph {"), "{graph}");
    assert!(
        graph.contains("\"terraform_data.echo\" -> \"terraform_data.greeting\""),
        "{graph}"
    );
    project.write("extra.tf", "locals {\n    a = 1\n  bb = 2\n}\n");
    assert_eq!(code(&lathe(project.path(), &["fmt", "-check"])), 3);
    assert_eq!(code(&lathe(project.path(), &["fmt"])), 0);
    assert_eq!(
        project.read("extra.tf"),
        "locals {\n  a  = 1\n  bb = 2\n}\n"
    );
    project.write("modules/inner/inner.tf", "locals {\n    c = 1\n}\n");
    assert_eq!(
        code(&lathe(project.path(), &["fmt", "-check"])),
        0,
        "subfolders only with -recursive"
    );
    assert_eq!(code(&lathe(project.path(), &["fmt", "-recursive"])), 0);
    assert_eq!(
        project.read("modules/inner/inner.tf"),
        "locals {\n  c = 1\n}\n"
    );
}

#[test]
fn plans_show_in_terraform_json() {
    let project = hello();
    let directory = project.path();
    assert_eq!(code(&lathe(directory, &["plan", "-out=saved.plan"])), 0);
    let shown = lathe(directory, &["show", "-json", "saved.plan"]);
    let plan: serde_json::Value = serde_json::from_slice(&shown.stdout)
        .unwrap_or_else(|error| panic!("{error}: {}", text(&shown)));
    assert_eq!(plan["format_version"], "1.2");
    let changes = plan["resource_changes"].as_array().unwrap();
    assert_eq!(changes.len(), 3);
    let greeting = changes
        .iter()
        .find(|change| change["address"] == "terraform_data.greeting")
        .unwrap();
    assert_eq!(greeting["change"]["actions"], serde_json::json!(["create"]));
    assert_eq!(greeting["change"]["after"]["input"], "Hello, world!");
    assert_eq!(greeting["change"]["after_unknown"]["id"], true);
    assert_eq!(greeting["provider_name"], "terraform.io/builtin/terraform");
    assert_eq!(plan["output_changes"]["tags"]["after"]["project"], "hello");
    // plan -json streams Terraform's machine-readable UI: one event per line.
    let events = json_lines(&lathe(directory, &["plan", "-json"]));
    assert_eq!(events[0]["type"], "version");
    let planned: Vec<&serde_json::Value> = events
        .iter()
        .filter(|event| event["type"] == "planned_change")
        .collect();
    assert_eq!(planned.len(), 3);
    assert_eq!(planned[0]["change"]["action"], "create");
    let summary = events
        .iter()
        .find(|event| event["type"] == "change_summary")
        .unwrap();
    assert_eq!(summary["changes"]["add"], 3);
}

#[test]
fn a_failing_provisioner_taints_and_the_next_plan_replaces() {
    let project = TempProject::new(&[(
        "main.tf",
        "variable \"fail\" {\n  type    = bool\n  default = true\n}\nresource \"terraform_data\" \"x\" {\n  provisioner \"local-exec\" {\n    command = var.fail ? \"exit 7\" : \"true\"\n  }\n}\nresource \"terraform_data\" \"after\" {\n  input = terraform_data.x.id\n}\n",
    )]);
    let directory = project.path();
    let failed = lathe(directory, &["apply", "-auto-approve"]);
    let message = text(&failed);
    assert_eq!(code(&failed), 1, "{message}");
    assert!(message.contains("exit status: 7"), "{message}");
    assert!(message.contains("terraform_data.after"), "{message}");
    let plan = text(&lathe(directory, &["plan", "-var", "fail=false"]));
    assert!(
        plan.contains("# terraform_data.x is tainted, so must be replaced"),
        "{plan}"
    );
    let fixed = lathe(directory, &["apply", "-auto-approve", "-var", "fail=false"]);
    assert_eq!(code(&fixed), 0, "{}", text(&fixed));
    assert!(
        text(&fixed).contains("Resources: 2 added, 0 changed, 1 destroyed."),
        "{}",
        text(&fixed)
    );
}

fn lathe_with_input(directory: &Path, arguments: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_lathe"))
        .arg(format!("-chdir={}", directory.display()))
        .args(arguments)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the lathe binary runs");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(input.as_bytes())
        .expect("the answer is written");
    child.wait_with_output().expect("lathe finishes")
}

#[test]
fn apply_asks_and_only_yes_approves() {
    let project = hello();
    let refused = lathe_with_input(project.path(), &["apply"], "no\n");
    assert_eq!(code(&refused), 1);
    assert!(
        text(&refused).contains("Only 'yes' will be accepted"),
        "{}",
        text(&refused)
    );
    assert!(
        text(&refused).contains("Apply cancelled."),
        "{}",
        text(&refused)
    );
    assert!(!project.file("lathe.tfstate").exists());
    let approved = lathe_with_input(project.path(), &["apply"], "yes\n");
    assert_eq!(code(&approved), 0, "{}", text(&approved));
    assert!(text(&approved).contains("Apply complete!"));
}

#[test]
fn a_saved_plan_is_refused_when_the_configuration_changed() {
    let project = hello();
    assert_eq!(
        code(&lathe(project.path(), &["plan", "-out=saved.plan"])),
        0
    );
    project.write("more.tf", "resource \"terraform_data\" \"more\" {}\n");
    let refused = lathe(project.path(), &["apply", "saved.plan"]);
    assert_eq!(code(&refused), 1);
    assert!(
        text(&refused).contains("the saved plan no longer matches"),
        "{}",
        text(&refused)
    );
}

#[test]
fn local_exec_honours_interpreter_working_dir_environment_and_on_failure() {
    let project = TempProject::new(&[(
        "main.tf",
        r#"resource "terraform_data" "x" {
  input = "v"
  provisioner "local-exec" {
    interpreter = ["/bin/sh", "-c"]
    working_dir = "sub"
    command     = "echo \"$WHO in $(basename $PWD)\""
    environment = {
      WHO = self.input
    }
  }
  provisioner "local-exec" {
    command    = "echo failing && exit 4"
    on_failure = continue
  }
}
"#,
    )]);
    std::fs::create_dir(project.file("sub")).unwrap();
    let applied = lathe(project.path(), &["apply", "-auto-approve"]);
    let output = text(&applied);
    assert_eq!(code(&applied), 0, "{output}");
    assert!(
        output.contains("terraform_data.x (local-exec): v in sub"),
        "{output}"
    );
    assert!(
        output.contains("terraform_data.x (local-exec): failing"),
        "{output}"
    );
    assert!(
        output.contains("continuing (on_failure = continue)"),
        "{output}"
    );
}

#[test]
fn errors_only_visible_at_apply_time_point_at_the_source() {
    let project = TempProject::new(&[(
        "main.tf",
        "resource \"terraform_data\" \"a\" {\n  input = \"abc\"\n}\nresource \"terraform_data\" \"b\" {\n  input = tonumber(terraform_data.a.output)\n}\n",
    )]);
    let applied = lathe(project.path(), &["apply", "-auto-approve"]);
    let message = text(&applied);
    assert_eq!(code(&applied), 1, "{message}");
    assert!(message.contains("Error: terraform_data.b:"), "{message}");
    assert!(message.contains("main.tf:5:11"), "{message}");
    let listed =
        String::from_utf8_lossy(&lathe(project.path(), &["state", "list"]).stdout).into_owned();
    assert_eq!(listed, "terraform_data.a\n");
}

#[test]
fn version_names_the_language_and_the_providers() {
    let project = TempProject::new(&[]);
    let shown: serde_json::Value =
        serde_json::from_slice(&lathe(project.path(), &["version", "-json"]).stdout).unwrap();
    assert_eq!(
        shown["terraform_version"],
        lathe_core::state::TERRAFORM_VERSION
    );
    assert_eq!(
        shown["provider_selections"]["terraform.io/builtin/terraform"],
        "1.9.0"
    );
}

#[test]
fn a_reader_that_goes_away_does_not_stop_an_apply() {
    let project = hello();
    let mut child = Command::new(env!("CARGO_BIN_EXE_lathe"))
        .arg(format!("-chdir={}", project.path().display()))
        .args(["apply", "-auto-approve"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("lathe starts");
    // Close the reading end at once, as `lathe apply | head -1` would.
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("lathe finishes");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let listed =
        String::from_utf8_lossy(&lathe(project.path(), &["state", "list"]).stdout).into_owned();
    assert_eq!(listed.lines().count(), 3, "{listed}");
}

fn json_lines(output: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|error| panic!("{error}: {line}")))
        .collect()
}

#[test]
fn apply_json_streams_hooks_and_diagnostics() {
    let project = hello();
    let refused = lathe(project.path(), &["apply", "-json"]);
    assert_eq!(code(&refused), 1);
    assert_eq!(json_lines(&refused).last().unwrap()["type"], "diagnostic");
    let applied = lathe(project.path(), &["apply", "-json", "-auto-approve"]);
    assert_eq!(code(&applied), 0, "{}", text(&applied));
    let events = json_lines(&applied);
    let kinds: Vec<&str> = events
        .iter()
        .filter_map(|event| event["type"].as_str())
        .collect();
    for kind in [
        "version",
        "planned_change",
        "apply_start",
        "provision_output",
        "apply_complete",
        "change_summary",
        "outputs",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    let outputs = events
        .iter()
        .find(|event| event["type"] == "outputs")
        .unwrap();
    assert_eq!(outputs["outputs"]["greeting"]["value"], "Hello, world!");
    project.write(
        "broken.tf",
        "resource \"terraform_data\" \"x\" {\n  inptu = 1\n}\n",
    );
    let invalid = lathe(project.path(), &["plan", "-json"]);
    assert_eq!(code(&invalid), 1);
    let diagnostic = json_lines(&invalid)
        .into_iter()
        .find(|event| event["type"] == "diagnostic")
        .unwrap();
    assert_eq!(diagnostic["@level"], "error");
    assert_eq!(diagnostic["diagnostic"]["range"]["start"]["line"], 2);
}

#[test]
fn sensitive_values_stay_hidden_through_apply_state_and_outputs() {
    let project = TempProject::new(&[(
        "main.tf",
        r#"variable "token" {
  type      = string
  default   = "s3cr3t"
  sensitive = true
}

resource "terraform_data" "secret" {
  input = { token = var.token, user = "bot" }
}

output "token" {
  value     = terraform_data.secret.input.token
  sensitive = true
}

output "user" {
  value = terraform_data.secret.input.user
}
"#,
    )]);
    let directory = project.path();
    let applied = lathe(directory, &["apply", "-auto-approve"]);
    assert_eq!(code(&applied), 0, "{}", text(&applied));
    assert!(!text(&applied).contains("s3cr3t"), "{}", text(&applied));
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(directory.join("lathe.tfstate")).unwrap())
            .unwrap();
    let instance = &state["resources"][0]["instances"][0];
    assert_eq!(instance["attributes"]["input"]["token"], "s3cr3t");
    // `output` echoes `input`, so the secret it carries stays marked there too.
    assert_eq!(
        instance["sensitive_attributes"],
        serde_json::json!([
            [
                {"type": "get_attr", "value": "input"},
                {"type": "get_attr", "value": "token"}
            ],
            [
                {"type": "get_attr", "value": "output"},
                {"type": "get_attr", "value": "token"}
            ]
        ])
    );
    assert_eq!(state["outputs"]["token"]["sensitive"], true);
    let listed = text(&lathe(directory, &["output"]));
    assert!(listed.contains("token = <sensitive>"), "{listed}");
    assert!(listed.contains("user = \"bot\""), "{listed}");
    let outputs: serde_json::Value =
        serde_json::from_slice(&lathe(directory, &["output", "-json"]).stdout).unwrap();
    assert_eq!(outputs["token"]["sensitive"], true);
    assert_eq!(outputs["token"]["value"], "s3cr3t");
    let shown = text(&lathe(directory, &["show"]));
    assert!(!shown.contains("s3cr3t"), "{shown}");
    assert!(shown.contains("(sensitive value)"), "{shown}");
    // A changed secret plans an update that still shows no value.
    let planned = lathe(directory, &["plan", "-var=token=n3w", "-out=next.plan"]);
    assert!(!text(&planned).contains("n3w"), "{}", text(&planned));
    assert!(!text(&planned).contains("s3cr3t"), "{}", text(&planned));
    let plan: serde_json::Value =
        serde_json::from_slice(&lathe(directory, &["show", "-json", "next.plan"]).stdout).unwrap();
    let change = &plan["resource_changes"][0]["change"];
    assert_eq!(change["before_sensitive"]["input"]["token"], true);
    assert_eq!(change["after_sensitive"]["input"]["token"], true);
    assert_eq!(
        plan["configuration"]["root_module"]["variables"]["token"]["sensitive"],
        true
    );
}
