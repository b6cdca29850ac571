//! Downloads against a local peer on 127.0.0.1 that answers in the Hub's API shape, then checks
//! the cache holds exactly what huggingface_hub would have written.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};

use lathe_hub::{DatasetUri, Hub, HubConfig};
use sha2::{Digest, Sha256};

#[derive(Clone)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

type Routes = Arc<Mutex<HashMap<(String, String), Reply>>>;

/// A minimal HTTP/1.1 server: one request per connection, replies from a route table.
struct Peer {
    address: String,
    routes: Routes,
    log: Arc<Mutex<Vec<String>>>,
}

impl Peer {
    fn start() -> Peer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let routes: Routes = Arc::default();
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let (thread_routes, thread_log) = (Arc::clone(&routes), Arc::clone(&log));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    continue;
                }
                let mut authorization = String::new();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if line.to_ascii_lowercase().starts_with("authorization:") {
                        authorization = line.trim().to_string();
                    }
                }
                let mut parts = request_line.split_whitespace();
                let (method, path) = (
                    parts.next().unwrap_or("").to_string(),
                    parts.next().unwrap_or("").to_string(),
                );
                thread_log.lock().unwrap().push(
                    format!("{method} {path} {authorization}")
                        .trim()
                        .to_string(),
                );
                let reply = thread_routes
                    .lock()
                    .unwrap()
                    .get(&(method.clone(), path))
                    .cloned()
                    .unwrap_or(Reply {
                        status: 404,
                        headers: vec![],
                        body: b"{\"error\":\"not found\"}".to_vec(),
                    });
                let mut response = format!(
                    "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                    reply.status,
                    reply.body.len()
                );
                for (name, value) in &reply.headers {
                    response.push_str(&format!("{name}: {value}\r\n"));
                }
                response.push_str("\r\n");
                let _ = stream.write_all(response.as_bytes());
                if method != "HEAD" {
                    let _ = stream.write_all(&reply.body);
                }
            }
        });
        Peer {
            address,
            routes,
            log,
        }
    }

    fn route(&self, method: &str, path: &str, status: u16, headers: &[(&str, &str)], body: &[u8]) {
        let headers = headers
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        self.routes.lock().unwrap().insert(
            (method.into(), path.into()),
            Reply {
                status,
                headers,
                body: body.to_vec(),
            },
        );
    }

    /// A file served like the Hub: HEAD gives commit and etag; LFS files redirect to `cdn`,
    /// another origin, as the Hub's do.
    fn file(
        &self,
        repo_path: &str,
        revision: &str,
        file: &str,
        commit: &str,
        contents: &[u8],
        cdn: Option<&Peer>,
    ) -> String {
        let resolve = format!("/{repo_path}/resolve/{revision}/{file}");
        let sha = hex::encode(Sha256::digest(contents));
        if let Some(cdn) = cdn {
            let path = format!("/cdn/{sha}");
            self.route(
                "HEAD",
                &resolve,
                302,
                &[
                    ("X-Repo-Commit", commit),
                    ("X-Linked-Etag", &format!("\"{sha}\"")),
                    ("Location", &format!("{}{path}", cdn.address)),
                ],
                b"",
            );
            cdn.route("GET", &path, 200, &[], contents);
            sha
        } else {
            let etag = "a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2";
            self.route(
                "HEAD",
                &resolve,
                200,
                &[("X-Repo-Commit", commit), ("ETag", &format!("\"{etag}\""))],
                b"",
            );
            self.route("GET", &resolve, 200, &[("X-Repo-Commit", commit)], contents);
            etag.to_string()
        }
    }

    fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

const COMMIT: &str = "1111111111111111111111111111111111111111";
const PARQUET_COMMIT: &str = "2222222222222222222222222222222222222222";

fn hub(peer: &Peer, cache: &Path, token: Option<&str>) -> Hub {
    Hub::new(HubConfig {
        cache: cache.to_path_buf(),
        endpoint: peer.address.clone(),
        offline: false,
        token: token.map(str::to_string),
    })
}

#[test]
fn parquet_conversion_downloads_land_in_the_cache_layout() {
    let peer = Peer::start();
    let cdn = Peer::start();
    let listing = format!(
        "[\"{0}/api/datasets/org/sums/parquet/default/train/0.parquet\",\"{0}/api/datasets/org/sums/parquet/default/train/1.parquet\"]",
        peer.address
    );
    peer.route(
        "GET",
        "/api/datasets/org/sums/parquet/default/train",
        200,
        &[("Content-Type", "application/json")],
        listing.as_bytes(),
    );
    let first = peer.file(
        "datasets/org/sums",
        "refs%2Fconvert%2Fparquet",
        "default/train/0000.parquet",
        PARQUET_COMMIT,
        b"PAR1 first",
        Some(&cdn),
    );
    peer.file(
        "datasets/org/sums",
        "refs%2Fconvert%2Fparquet",
        "default/train/0001.parquet",
        PARQUET_COMMIT,
        b"PAR1 second",
        Some(&cdn),
    );
    let cache = tempfile::tempdir().unwrap();
    let hub = hub(&peer, cache.path(), Some("secret"));
    let uri = DatasetUri::parse("hf://datasets/org/sums").unwrap();
    let files = hub.resolve_dataset(&uri, None, "train").unwrap();
    let repo = cache.path().join("datasets--org--sums");
    let snapshot = repo.join("snapshots").join(PARQUET_COMMIT);
    assert_eq!(
        files,
        [
            snapshot.join("default/train/0000.parquet"),
            snapshot.join("default/train/0001.parquet")
        ]
    );
    assert_eq!(std::fs::read(&files[0]).unwrap(), b"PAR1 first");
    assert_eq!(
        std::fs::read_link(&files[0]).unwrap(),
        Path::new(&format!("../../../../blobs/{first}"))
    );
    assert_eq!(
        std::fs::read_to_string(repo.join("refs/refs/convert/parquet")).unwrap(),
        PARQUET_COMMIT
    );
    assert_eq!(
        std::fs::read(repo.join("blobs").join(&first)).unwrap(),
        b"PAR1 first"
    );
    let leftovers: Vec<String> = std::fs::read_dir(repo.join("blobs"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("incomplete"))
        .collect();
    assert!(leftovers.is_empty());
    let requests = peer.requests();
    assert!(
        requests.contains(
            &"GET /api/datasets/org/sums/parquet/default/train authorization: Bearer secret"
                .to_string()
        ),
        "{requests:?}"
    );
    let cdn_requests = cdn.requests();
    assert_eq!(cdn_requests.len(), 2);
    assert!(
        cdn_requests
            .iter()
            .all(|request| request.starts_with("GET /cdn/") && !request.contains("Bearer")),
        "no token sent to the CDN: {cdn_requests:?}"
    );
    // Second time: all from the cache, no request at all.
    let before = peer.requests().len();
    assert_eq!(hub.resolve_dataset(&uri, None, "train").unwrap(), files);
    assert_eq!(peer.requests().len(), before);
    assert_eq!(cdn.requests().len(), 2);
}

#[test]
fn plain_repository_files_at_a_revision() {
    let peer = Peer::start();
    let info = format!(
        "{{\"sha\":\"{COMMIT}\",\"siblings\":[{{\"rfilename\":\"README.md\"}},{{\"rfilename\":\"data/train-00000-of-00001.jsonl\"}},{{\"rfilename\":\"data/test-00000-of-00001.jsonl\"}}]}}"
    );
    peer.route(
        "GET",
        "/api/datasets/org/plain/revision/v1",
        200,
        &[],
        info.as_bytes(),
    );
    let etag = peer.file(
        "datasets/org/plain",
        COMMIT,
        "data/train-00000-of-00001.jsonl",
        COMMIT,
        b"{\"a\":1}\n",
        None,
    );
    let cache = tempfile::tempdir().unwrap();
    let hub = hub(&peer, cache.path(), None);
    let uri = DatasetUri::parse("hf://datasets/org/plain@v1").unwrap();
    let files = hub.resolve_dataset(&uri, None, "train").unwrap();
    let repo = cache.path().join("datasets--org--plain");
    assert_eq!(
        files,
        [repo
            .join("snapshots")
            .join(COMMIT)
            .join("data/train-00000-of-00001.jsonl")]
    );
    assert_eq!(
        std::fs::read_link(&files[0]).unwrap(),
        Path::new(&format!("../../../blobs/{etag}"))
    );
    assert_eq!(
        std::fs::read_to_string(repo.join("refs/v1")).unwrap(),
        COMMIT
    );
    assert!(
        peer.requests()
            .iter()
            .all(|request| !request.contains("authorization"))
    );
}

#[test]
fn models_download_their_loadable_files() {
    let peer = Peer::start();
    let cdn = Peer::start();
    let info = format!(
        "{{\"sha\":\"{COMMIT}\",\"siblings\":[{{\"rfilename\":\"config.json\"}},{{\"rfilename\":\"model.safetensors\"}},{{\"rfilename\":\"pytorch_model.bin\"}},{{\"rfilename\":\"tokenizer.json\"}}]}}"
    );
    peer.route(
        "GET",
        "/api/models/org/tiny/revision/main",
        200,
        &[],
        info.as_bytes(),
    );
    peer.file(
        "org/tiny",
        COMMIT,
        "config.json",
        COMMIT,
        b"{\"hidden_size\":8}",
        None,
    );
    peer.file(
        "org/tiny",
        COMMIT,
        "model.safetensors",
        COMMIT,
        b"weights",
        Some(&cdn),
    );
    peer.file(
        "org/tiny",
        COMMIT,
        "tokenizer.json",
        COMMIT,
        b"{}",
        Some(&cdn),
    );
    let cache = tempfile::tempdir().unwrap();
    let hub = hub(&peer, cache.path(), None);
    let snapshot = hub.resolve_model("org/tiny", None).unwrap();
    assert_eq!(
        snapshot,
        cache
            .path()
            .join("models--org--tiny/snapshots")
            .join(COMMIT)
    );
    assert_eq!(
        lathe_hub::Cache::snapshot_files(&snapshot),
        ["config.json", "model.safetensors", "tokenizer.json"]
    );
    assert_eq!(
        std::fs::read(snapshot.join("model.safetensors")).unwrap(),
        b"weights"
    );
    assert_eq!(
        std::fs::read_to_string(cache.path().join("models--org--tiny/refs/main")).unwrap(),
        COMMIT
    );
    assert!(
        !peer
            .requests()
            .iter()
            .any(|request| request.contains("pytorch_model.bin"))
    );
}

#[test]
fn failures_are_explained() {
    let peer = Peer::start();
    peer.route(
        "GET",
        "/api/datasets/org/gated/parquet/default/train",
        401,
        &[],
        b"{}",
    );
    let cache = tempfile::tempdir().unwrap();
    let hub = hub(&peer, cache.path(), None);
    let error = hub
        .resolve_dataset(
            &DatasetUri::parse("hf://datasets/org/gated").unwrap(),
            None,
            "train",
        )
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "{}/api/datasets/org/gated/parquet/default/train: HTTP 401; the repository may be gated or private: accept its terms on the Hub and set HF_TOKEN",
            peer.address
        )
    );
    // A corrupted LFS download is refused and leaves nothing behind.
    let sha = hex::encode(Sha256::digest(b"expected"));
    peer.route(
        "HEAD",
        "/org/bad/resolve/main/model.safetensors",
        302,
        &[
            ("X-Repo-Commit", COMMIT),
            ("X-Linked-Etag", &sha),
            ("Location", "/cdn/bad"),
        ],
        b"",
    );
    peer.route("GET", "/cdn/bad", 200, &[], b"tampered");
    let error = hub
        .download_file(
            &lathe_hub::Repo::model("org/bad"),
            "main",
            "model.safetensors",
        )
        .unwrap_err()
        .to_string();
    assert!(
        error.contains(&format!(
            "downloaded content has sha256 {}, but the Hub announced {sha}",
            hex::encode(Sha256::digest(b"tampered"))
        )),
        "{error}"
    );
    let blobs = cache.path().join("models--org--bad/blobs");
    assert_eq!(std::fs::read_dir(&blobs).unwrap().count(), 0);
    let missing = hub
        .download_file(&lathe_hub::Repo::model("org/none"), "main", "config.json")
        .unwrap_err()
        .to_string();
    assert_eq!(
        missing,
        format!(
            "{}/org/none/resolve/main/config.json: HTTP 404; check the repository name, revision and file",
            peer.address
        )
    );
}
