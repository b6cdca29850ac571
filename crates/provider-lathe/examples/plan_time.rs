//! How long the lathe provider takes to plan the seed's dataset block over a source, with the
//! project's source-hash cache cold (every source byte hashed, as every plan did before the
//! cache) and warm: `plan_time SOURCE.parquet [RUNS]`. What `lathe plan` spends in this
//! provider, measured where the whole binary is not built.

use std::collections::BTreeMap;
use std::time::Instant;

use lathe_config::value::Value;
use lathe_core::provider::{PlanRequest, Provider};
use lathe_hub::{Hub, HubConfig};
use lathe_provider_lathe::LatheProvider;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let (source, runs) = match arguments.as_slice() {
        [source] => (source.clone(), 3),
        [source, runs] => (source.clone(), runs.parse()?),
        _ => return Err("usage: plan_time SOURCE.parquet [RUNS]".into()),
    };
    let project = tempfile::tempdir()?;
    let hub = Hub::new(HubConfig {
        cache: project.path().join("hf-cache"),
        endpoint: "http://127.0.0.1:9".into(),
        offline: true,
        token: None,
    });
    let provider = LatheProvider::new(project.path(), hub);
    let text =
        |items: &[&str]| Value::List(items.iter().map(|item| Value::string(*item)).collect());
    let config = Value::Object(BTreeMap::from([
        ("source".to_string(), Value::string(source)),
        ("drop_columns".to_string(), text(&["id", "topic"])),
        (
            "rename_columns".to_string(),
            Value::Object(BTreeMap::from([
                ("dialogue".to_string(), Value::string("prompt")),
                ("summary".to_string(), Value::string("completion")),
            ])),
        ),
        (
            "sample".to_string(),
            Value::Object(BTreeMap::from([
                ("n".to_string(), Value::integer(10_000)),
                ("seed".to_string(), Value::integer(42)),
            ])),
        ),
        ("format".to_string(), Value::string("fine-tuning")),
    ]));
    let request = PlanRequest {
        type_name: "lathe_dataset".into(),
        address: "lathe_dataset.dialogsum_v1".into(),
        prior: None,
        config,
        applying: false,
    };
    let cache = project
        .path()
        .join(".lathe")
        .join(lathe_dataset::hash_cache::FILE_NAME);
    // Milliseconds of one plan, and the version it planned.
    let plan = || -> Result<(f64, Value), Box<dyn std::error::Error>> {
        let started = Instant::now();
        let planned = provider.plan_resource(&request)?.planned;
        let version = planned
            .as_object()
            .and_then(|object| object.get("version"))
            .cloned()
            .unwrap_or(Value::Null);
        Ok((started.elapsed().as_secs_f64() * 1000.0, version))
    };
    for _ in 0..runs {
        if cache.exists() {
            std::fs::remove_file(&cache)?;
        }
        let (cold, version) = plan()?;
        let (warm, same) = plan()?;
        if same != version {
            return Err(format!("the warm plan gave {same}, the cold one {version}").into());
        }
        println!("plan: {cold:.1} ms with the cache cold, {warm:.1} ms warm (version {version})");
    }
    Ok(())
}
