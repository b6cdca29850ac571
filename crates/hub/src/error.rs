use std::path::PathBuf;

/// Failures looking up or downloading from the Hugging Face Hub, each saying how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{uri:?} is not a Hugging Face dataset address; write hf://datasets/ORG/NAME or hf://datasets/ORG/NAME@REVISION"
    )]
    BadUri { uri: String },
    #[error(
        "{what} is not in the Hugging Face cache at {cache} and HF_HUB_OFFLINE is set; unset HF_HUB_OFFLINE to download it, or copy the cache from a machine that has it"
    )]
    Offline { what: String, cache: PathBuf },
    #[error(
        "{what}: no files for split {split:?}{config} (files are {files:?}); check the split and config names"
    )]
    NoSplit {
        what: String,
        split: String,
        config: String,
        files: Vec<String>,
    },
    #[error("{url}: HTTP {status}{hint}")]
    Status {
        url: String,
        status: u16,
        hint: String,
    },
    #[error("{url}: {message}")]
    Http { url: String, message: String },
    #[error("{url}: the Hub answered {message}")]
    BadResponse { url: String, message: String },
    #[error(
        "{path}: downloaded content has sha256 {actual}, but the Hub announced {expected}; the download was corrupted, try again"
    )]
    Checksum {
        path: PathBuf,
        expected: String,
        actual: String,
    },
}

impl HubError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        HubError::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = HubError> = std::result::Result<T, E>;
