//! Reading a Hugging Face cache tree laid out exactly as huggingface_hub writes it.

use std::path::Path;

use lathe_hub::{Cache, DatasetUri, Hub, HubConfig, Repo, split_files};

const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";
const PARQUET_COMMIT: &str = "fedcba9876543210fedcba9876543210fedcba98";

fn offline(cache: &Path) -> HubConfig {
    HubConfig {
        cache: cache.to_path_buf(),
        endpoint: "http://127.0.0.1:9".into(),
        offline: true,
        token: None,
    }
}

/// `blobs/ETAG` plus `snapshots/COMMIT/FILE -> ../../blobs/ETAG` and `refs/REVISION`.
fn add_file(cache: &Path, folder: &str, revision: &str, commit: &str, file: &str, contents: &str) {
    let repo = cache.join(folder);
    let etag = format!("etag-{}", file.replace('/', "-"));
    std::fs::create_dir_all(repo.join("blobs")).unwrap();
    std::fs::write(repo.join("blobs").join(&etag), contents).unwrap();
    let link = repo.join("snapshots").join(commit).join(file);
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    let depth = file.split('/').count() + 1;
    std::os::unix::fs::symlink(format!("{}blobs/{etag}", "../".repeat(depth)), &link).unwrap();
    let reference = repo.join("refs").join(revision);
    std::fs::create_dir_all(reference.parent().unwrap()).unwrap();
    std::fs::write(reference, commit).unwrap();
}

#[test]
fn environment_variables_pick_the_cache_like_huggingface_hub() {
    let lookup = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        }
    };
    let config = HubConfig::from_lookup(lookup(&[("HOME", "/home/u")]));
    assert_eq!(config.cache, Path::new("/home/u/.cache/huggingface/hub"));
    assert_eq!(config.endpoint, "https://huggingface.co");
    assert!(!config.offline);
    let config = HubConfig::from_lookup(lookup(&[
        ("HOME", "/home/u"),
        ("HF_HOME", "/data/hf"),
        ("HF_HUB_OFFLINE", "1"),
    ]));
    assert_eq!(config.cache, Path::new("/data/hf/hub"));
    assert!(config.offline);
    let config = HubConfig::from_lookup(lookup(&[
        ("HF_HOME", "/data/hf"),
        ("HF_HUB_CACHE", "/fast/cache"),
        ("HF_HUB_OFFLINE", "true"),
        ("HF_ENDPOINT", "http://mirror/"),
    ]));
    assert_eq!(config.cache, Path::new("/fast/cache"));
    assert_eq!(config.endpoint, "http://mirror");
    let config =
        HubConfig::from_lookup(lookup(&[("XDG_CACHE_HOME", "/x"), ("HF_HUB_OFFLINE", "0")]));
    assert_eq!(config.cache, Path::new("/x/huggingface/hub"));
    assert!(!config.offline);
}

#[test]
fn dataset_addresses_parse_or_explain() {
    let uri = DatasetUri::parse("hf://datasets/knkarthick/dialogsum").unwrap();
    assert_eq!(uri.repo, Repo::dataset("knkarthick/dialogsum"));
    assert_eq!((uri.revision, uri.path), (None, None));
    let uri = DatasetUri::parse("hf://datasets/org/name@v1.0/data/train.jsonl").unwrap();
    assert_eq!(uri.revision.as_deref(), Some("v1.0"));
    assert_eq!(uri.path.as_deref(), Some("data/train.jsonl"));
    assert_eq!(uri.repo.cache_folder(), "datasets--org--name");
    assert_eq!(
        Repo::model("HuggingFaceTB/SmolLM2-135M").cache_folder(),
        "models--HuggingFaceTB--SmolLM2-135M"
    );
    for bad in [
        "hf://models/org/name",
        "hf://datasets/org",
        "hf://datasets/org/name@",
        "hf://datasets/../name",
        "s3://bucket/key",
    ] {
        assert_eq!(
            DatasetUri::parse(bad).unwrap_err().to_string(),
            format!(
                "{bad:?} is not a Hugging Face dataset address; write hf://datasets/ORG/NAME or hf://datasets/ORG/NAME@REVISION"
            )
        );
    }
}

#[test]
fn split_files_follow_the_datasets_conventions() {
    let files: Vec<String> = [
        "README.md",
        "train.csv",
        "validation.csv",
        "data/train-00000-of-00002.parquet",
        "data/train-00001-of-00002.parquet",
        "data/test-00000-of-00001.parquet",
        "default/train/0000.parquet",
        "samsum/train/0000.parquet",
        ".gitattributes",
    ]
    .iter()
    .map(|file| file.to_string())
    .collect();
    assert_eq!(
        split_files(&files, None, "train"),
        [
            "data/train-00000-of-00002.parquet",
            "data/train-00001-of-00002.parquet",
            "default/train/0000.parquet",
            "samsum/train/0000.parquet"
        ]
    );
    assert_eq!(
        split_files(&files, Some("samsum"), "train"),
        ["samsum/train/0000.parquet"]
    );
    assert_eq!(split_files(&files, None, "validation"), ["validation.csv"]);
    assert_eq!(
        split_files(&files, None, "test"),
        ["data/test-00000-of-00001.parquet"]
    );
    assert!(split_files(&files, None, "dev").is_empty());
}

#[test]
fn offline_lookup_prefers_the_parquet_conversion() {
    let cache = tempfile::tempdir().unwrap();
    add_file(
        cache.path(),
        "datasets--knkarthick--dialogsum",
        "main",
        COMMIT,
        "train.csv",
        "id,dialogue\n",
    );
    add_file(
        cache.path(),
        "datasets--knkarthick--dialogsum",
        "main",
        COMMIT,
        "test.csv",
        "id,dialogue\n",
    );
    add_file(
        cache.path(),
        "datasets--knkarthick--dialogsum",
        "refs/convert/parquet",
        PARQUET_COMMIT,
        "default/train/0000.parquet",
        "PAR1",
    );
    let hub = Hub::new(offline(cache.path()));
    let uri = DatasetUri::parse("hf://datasets/knkarthick/dialogsum").unwrap();
    let files = hub.resolve_dataset(&uri, None, "train").unwrap();
    let snapshot = cache
        .path()
        .join("datasets--knkarthick--dialogsum/snapshots")
        .join(PARQUET_COMMIT);
    assert_eq!(files, [snapshot.join("default/train/0000.parquet")]);
    assert_eq!(std::fs::read_to_string(&files[0]).unwrap(), "PAR1");
    // Not converted: the repository's own files at main.
    let files = hub.resolve_dataset(&uri, None, "test").unwrap();
    assert_eq!(
        files,
        [cache
            .path()
            .join("datasets--knkarthick--dialogsum/snapshots")
            .join(COMMIT)
            .join("test.csv")]
    );
    // A pinned revision reads that commit only.
    let pinned =
        DatasetUri::parse(&format!("hf://datasets/knkarthick/dialogsum@{COMMIT}")).unwrap();
    assert_eq!(
        hub.resolve_dataset(&pinned, None, "train").unwrap(),
        [snapshot.parent().unwrap().join(COMMIT).join("train.csv")]
    );
    let error = hub
        .resolve_dataset(&uri, None, "dev")
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with(
            "dataset knkarthick/dialogsum split \"dev\": no files for split \"dev\" (files are ["
        ),
        "{error}"
    );
    let missing = DatasetUri::parse("hf://datasets/other/set").unwrap();
    assert_eq!(
        hub.resolve_dataset(&missing, None, "train")
            .unwrap_err()
            .to_string(),
        format!(
            "dataset other/set split \"train\" is not in the Hugging Face cache at {} and HF_HUB_OFFLINE is set; unset HF_HUB_OFFLINE to download it, or copy the cache from a machine that has it",
            cache.path().display()
        )
    );
}

#[test]
fn models_resolve_to_their_snapshot_folder() {
    let cache = tempfile::tempdir().unwrap();
    add_file(
        cache.path(),
        "models--org--tiny",
        "main",
        COMMIT,
        "config.json",
        "{}",
    );
    add_file(
        cache.path(),
        "models--org--tiny",
        "main",
        COMMIT,
        "tokenizer.json",
        "{}",
    );
    let hub = Hub::new(offline(cache.path()));
    let snapshot = hub.resolve_model("org/tiny", None).unwrap();
    assert_eq!(
        snapshot,
        cache
            .path()
            .join("models--org--tiny/snapshots")
            .join(COMMIT)
    );
    assert!(snapshot.join("config.json").is_file());
    assert_eq!(
        Cache::snapshot_files(&snapshot),
        ["config.json", "tokenizer.json"]
    );
    assert_eq!(
        hub.resolve_model("org/tiny", Some(COMMIT)).unwrap(),
        snapshot
    );
    let error = hub
        .resolve_model("org/tiny", Some("v2"))
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("model org/tiny at revision \"v2\" is not in the Hugging Face cache"),
        "{error}"
    );
}
