//! `lathe_dataset` reading `s3://` sources through the aws provider's client, against the
//! in-process local region: objects cached under .lathe/s3 by ETag, a glob over a prefix, and a
//! new version when an object's content changes behind lathe's back.

mod aws_support;

use std::path::Path;

use aws_support::region::Running;
use aws_support::{Clients, code, endpoints_provider, lathe, text};
use lathe_test_support::TempProject;

const BUCKET: &str = "lathe-sources";

const CONFIG: &str = r#"
resource "lathe_dataset" "remote" {
  source       = "s3://lathe-sources/dialogsum/*.parquet"
  drop_columns = ["id", "topic"]
  rename_columns = {
    dialogue = "prompt"
    summary  = "completion"
  }
  format = "fine-tuning"
}

output "version" {
  value = lathe_dataset.remote.version
}

output "rows" {
  value = lathe_dataset.remote.rows
}
"#;

fn put(clients: &Clients, key: &str, path: &Path) {
    let bytes = std::fs::read(path).unwrap();
    clients
        .runtime
        .block_on(
            clients
                .s3
                .put_object()
                .bucket(BUCKET)
                .key(key)
                .body(bytes.into())
                .send(),
        )
        .unwrap();
}

/// DialogSum-shaped Parquet made by `lathe data synth`.
fn synth(directory: &Path, name: &str, rows: &str, seed: &str) -> std::path::PathBuf {
    let made = lathe(
        directory,
        &[
            "data",
            "synth",
            "dialogsum",
            "--rows",
            rows,
            "--seed",
            seed,
            "-o",
            name,
        ],
        &[],
    );
    assert_eq!(code(&made), 0, "{}", text(&made));
    directory.join(name)
}

fn output(directory: &Path, name: &str) -> String {
    let said = lathe(directory, &["output", "-raw", name], &[]);
    assert_eq!(code(&said), 0, "{}", text(&said));
    String::from_utf8_lossy(&said.stdout).trim().to_string()
}

#[test]
fn datasets_read_s3_objects_through_the_aws_provider_and_version_by_their_content() {
    let running = Running::start();
    let endpoint = running.endpoint();
    let clients = Clients::new(&endpoint, running.access_key(), running.secret_key());
    clients
        .runtime
        .block_on(clients.s3.create_bucket().bucket(BUCKET).send())
        .unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let first = synth(scratch.path(), "first.parquet", "120", "1");
    let second = synth(scratch.path(), "second.parquet", "80", "2");
    put(&clients, "dialogsum/part-1.parquet", &first);
    put(&clients, "dialogsum/part-2.parquet", &second);
    // Outside the pattern: a deeper folder and another extension are not read.
    put(&clients, "dialogsum/old/part-0.parquet", &second);
    put(&clients, "dialogsum/README.md", &first);

    let project = TempProject::new(&[("main.tf", CONFIG)]);
    project.write(
        "provider.tf",
        &endpoints_provider(&endpoint, running.access_key(), running.secret_key()),
    );
    let directory = project.path();
    let run = |arguments: &[&str]| lathe(directory, arguments, &[]);
    assert_eq!(code(&run(&["init"])), 0);
    let apply = run(&["apply", "-auto-approve"]);
    assert_eq!(code(&apply), 0, "{}", text(&apply));
    assert_eq!(output(directory, "rows"), "200", "both parts, nothing else");
    let first_version = output(directory, "version");
    let cached: Vec<String> = walk(&directory.join(".lathe/s3"));
    assert_eq!(
        cached.len(),
        2,
        "one file per object, keyed by ETag: {cached:?}"
    );
    assert!(
        cached
            .iter()
            .any(|path| path.starts_with("lathe-sources/") && path.ends_with("/part-1.parquet")),
        "{cached:?}"
    );

    let again = run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code(&again), 0, "{}", text(&again));

    // New content under the same key: a new ETag, fetched again, a new version.
    let replacement = synth(scratch.path(), "third.parquet", "50", "3");
    put(&clients, "dialogsum/part-2.parquet", &replacement);
    let changed = run(&["plan", "-detailed-exitcode"]);
    let replan = text(&changed);
    assert_eq!(code(&changed), 2, "{replan}");
    assert!(
        replan.contains("reason: source content changed"),
        "{replan}"
    );
    let reapply = run(&["apply", "-auto-approve"]);
    assert_eq!(code(&reapply), 0, "{}", text(&reapply));
    assert_eq!(output(directory, "rows"), "170");
    assert_ne!(output(directory, "version"), first_version);
    assert_eq!(walk(&directory.join(".lathe/s3")).len(), 3);

    // A key that does not exist is a clear error at the source attribute.
    project.write(
        "main.tf",
        &CONFIG.replace("dialogsum/*.parquet", "dialogsum/missing.parquet"),
    );
    let missing = run(&["plan"]);
    let said = text(&missing);
    assert_eq!(code(&missing), 1, "{said}");
    assert!(
        said.contains("s3://lathe-sources/dialogsum/missing.parquet: no such object"),
        "{said}"
    );
}

/// Every file under `root`, relative to it, in sorted order.
fn walk(root: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(
                    path.strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    found.sort();
    found
}
