//! The source-hash cache: a plan re-hashes only what changed, and never gives a stale version.

use std::path::Path;
use std::time::{Duration, SystemTime};

use lathe_dataset::{Format, HashCache, OutputFormat, Recipe, fingerprint, synth};

mod common;

fn recipe() -> Recipe {
    common::recipe(&["rows.jsonl"], Vec::new(), Format::FineTuning)
}

fn set_modified(path: &Path, ago: Duration) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(SystemTime::now() - ago)
        .unwrap();
}

/// The version, and how many files were hashed (misses) and answered from the cache (hits),
/// with the cache loaded from and saved to disk as `lathe plan` does.
fn plan(directory: &Path) -> (String, u64, u64) {
    let mut cache = HashCache::for_project(directory);
    let version = fingerprint(&recipe(), directory, &mut cache)
        .unwrap()
        .version;
    cache.save().unwrap();
    (version, cache.misses(), cache.hits())
}

const HOUR: Duration = Duration::from_secs(3600);

#[test]
fn only_changed_files_are_hashed_again() {
    let directory = tempfile::tempdir().unwrap();
    let source = directory.path().join("rows.jsonl");
    std::fs::write(&source, "{\"prompt\":\"p\",\"completion\":\"c\"}\n").unwrap();
    set_modified(&source, 2 * HOUR);

    let (version, misses, hits) = plan(directory.path());
    assert_eq!((misses, hits), (1, 0), "the first plan reads the file");
    let (again, misses, hits) = plan(directory.path());
    assert_eq!((again.as_str(), misses, hits), (version.as_str(), 0, 1));

    // Touched but identical: read again, same version.
    set_modified(&source, HOUR);
    let (touched, misses, hits) = plan(directory.path());
    assert_eq!((touched.as_str(), misses, hits), (version.as_str(), 1, 0));
    assert_eq!(plan(directory.path()).2, 1, "the new stamp is remembered");

    // Changed content (same size, an older mtime, a new inode as editors write): new version.
    let replacement = directory.path().join("replacement.jsonl");
    std::fs::write(&replacement, "{\"prompt\":\"q\",\"completion\":\"c\"}\n").unwrap();
    std::fs::rename(&replacement, &source).unwrap();
    set_modified(&source, 3 * HOUR);
    let (changed, misses, _) = plan(directory.path());
    assert_eq!(misses, 1);
    assert_ne!(changed, version);
}

#[test]
fn files_written_moments_ago_are_not_trusted_yet() {
    let directory = tempfile::tempdir().unwrap();
    let source = directory.path().join("rows.jsonl");
    synth::write_dialogsum(&source, 5, 1, OutputFormat::Jsonl, None).unwrap();
    // Another write within the same mtime tick would leave the stamp unchanged, so a file
    // this fresh is hashed on every plan until it settles.
    assert_eq!(plan(directory.path()).1, 1);
    assert_eq!(plan(directory.path()).1, 1);
}

#[test]
fn a_damaged_cache_costs_a_rehash_not_a_wrong_version() {
    let directory = tempfile::tempdir().unwrap();
    let source = directory.path().join("rows.jsonl");
    std::fs::write(&source, "{\"prompt\":\"p\",\"completion\":\"c\"}\n").unwrap();
    set_modified(&source, HOUR);
    let (version, _, _) = plan(directory.path());
    let cache_file = directory
        .path()
        .join(".lathe")
        .join(lathe_dataset::hash_cache::FILE_NAME);
    assert!(cache_file.is_file());
    std::fs::write(&cache_file, "{\"files\": 3").unwrap();
    assert_eq!(plan(directory.path()), (version, 1, 0));
    // Saved atomically: no partial files are left beside it.
    let names: Vec<String> = std::fs::read_dir(directory.path().join(".lathe"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, [lathe_dataset::hash_cache::FILE_NAME]);
}

#[test]
fn removed_files_are_forgotten() {
    let directory = tempfile::tempdir().unwrap();
    let source = directory.path().join("rows.jsonl");
    std::fs::write(&source, "{\"prompt\":\"p\",\"completion\":\"c\"}\n").unwrap();
    set_modified(&source, HOUR);
    plan(directory.path());
    let cache_file = directory
        .path()
        .join(".lathe")
        .join(lathe_dataset::hash_cache::FILE_NAME);
    assert!(
        std::fs::read_to_string(&cache_file)
            .unwrap()
            .contains("rows.jsonl")
    );
    std::fs::remove_file(&source).unwrap();
    HashCache::for_project(directory.path()).save().unwrap();
    assert!(
        !std::fs::read_to_string(&cache_file)
            .unwrap()
            .contains("rows.jsonl")
    );
}

#[test]
fn two_plans_saving_at_once_keep_each_others_hashes() {
    let directory = tempfile::tempdir().unwrap();
    for name in ["a.jsonl", "b.jsonl"] {
        let path = directory.path().join(name);
        std::fs::write(&path, "{\"prompt\":\"p\",\"completion\":\"c\"}\n").unwrap();
        set_modified(&path, HOUR);
    }
    let mut first = HashCache::for_project(directory.path());
    let mut second = HashCache::for_project(directory.path());
    first.sha256(&directory.path().join("a.jsonl")).unwrap();
    second.sha256(&directory.path().join("b.jsonl")).unwrap();
    first.save().unwrap();
    second.save().unwrap();
    let mut later = HashCache::for_project(directory.path());
    for name in ["a.jsonl", "b.jsonl"] {
        later.sha256(&directory.path().join(name)).unwrap();
    }
    assert_eq!((later.hits(), later.misses()), (2, 0));
}
