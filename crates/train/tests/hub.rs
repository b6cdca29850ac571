//! `hf://ORG/NAME` base models resolve through the Hugging Face cache layout, offline.

mod common;

use candle_core::Device;
use lathe_hub::{Hub, HubConfig};
use lathe_train::Job;
use lathe_train::job::resolve_base_model;
use lathe_train::spec::MethodChoice;
use lathe_train::testing::{TinyModelOptions, write_tiny_model};

fn offline_hub(cache: &std::path::Path) -> Hub {
    let cache = cache.display().to_string();
    Hub::new(HubConfig::from_lookup(|name| match name {
        "HF_HUB_CACHE" => Some(cache.clone()),
        "HF_HUB_OFFLINE" => Some("1".into()),
        _ => None,
    }))
}

#[test]
fn hf_reference_loads_from_a_cache_snapshot() {
    let fixture = common::Fixture::new(&TinyModelOptions::default(), 8);
    let cache = fixture.path().join("hub");
    let commit = "0123456789abcdef0123456789abcdef01234567";
    let snapshot = cache
        .join("models--tiny-org--tiny-llama/snapshots")
        .join(commit);
    write_tiny_model(&snapshot, &TinyModelOptions::default()).unwrap();
    std::fs::create_dir_all(cache.join("models--tiny-org--tiny-llama/refs")).unwrap();
    std::fs::write(cache.join("models--tiny-org--tiny-llama/refs/main"), commit).unwrap();
    let hub = offline_hub(&cache);

    assert_eq!(
        resolve_base_model("hf://tiny-org/tiny-llama", &hub).unwrap(),
        snapshot
    );
    assert_eq!(
        resolve_base_model(&format!("hf://tiny-org/tiny-llama@{commit}"), &hub).unwrap(),
        snapshot
    );

    let mut spec = fixture.spec(
        MethodChoice::Lora,
        "from-hub",
        &[("epochCount", "1"), ("evalPercentage", "0")],
    );
    spec.base_model = "hf://tiny-org/tiny-llama".into();
    let job = Job::from_spec_with_hub(&spec, &Device::Cpu, &hub).unwrap();
    assert_eq!(job.base.config.num_hidden_layers, 2);

    let missing = resolve_base_model("hf://tiny-org/absent", &hub)
        .unwrap_err()
        .to_string();
    assert!(missing.contains("Hugging Face Hub"), "{missing}");
    let malformed = resolve_base_model("hf://just-a-name", &hub)
        .unwrap_err()
        .to_string();
    assert!(malformed.contains("hf://ORG/NAME"), "{malformed}");
}
