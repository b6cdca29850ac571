//! Where the cache is and whether the network may be used, from the same environment variables
//! huggingface_hub reads.

use std::path::PathBuf;

pub const DEFAULT_ENDPOINT: &str = "https://huggingface.co";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubConfig {
    /// The hub cache folder (`HF_HUB_CACHE`, else `HF_HOME/hub`, else `~/.cache/huggingface/hub`).
    pub cache: PathBuf,
    /// `HF_ENDPOINT`, for mirrors.
    pub endpoint: String,
    /// `HF_HUB_OFFLINE`: read the cache, never the network.
    pub offline: bool,
    /// `HF_TOKEN`, for gated or private repositories.
    pub token: Option<String>,
}

impl HubConfig {
    pub fn from_env() -> HubConfig {
        HubConfig::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> HubConfig {
        let set = |name: &str| lookup(name).filter(|value| !value.is_empty());
        let cache = match (
            set("HF_HUB_CACHE"),
            set("HF_HOME"),
            set("XDG_CACHE_HOME"),
            set("HOME"),
        ) {
            (Some(cache), _, _, _) => PathBuf::from(cache),
            (None, Some(home), _, _) => PathBuf::from(home).join("hub"),
            (None, None, Some(xdg), _) => PathBuf::from(xdg).join("huggingface").join("hub"),
            (None, None, None, Some(home)) => PathBuf::from(home)
                .join(".cache")
                .join("huggingface")
                .join("hub"),
            (None, None, None, None) => PathBuf::from(".cache").join("huggingface").join("hub"),
        };
        let offline = set("HF_HUB_OFFLINE").is_some_and(|value| {
            matches!(
                value.to_ascii_lowercase().as_str(),
                "1" | "true" | "yes" | "on"
            )
        });
        HubConfig {
            cache,
            endpoint: set("HF_ENDPOINT")
                .unwrap_or_else(|| DEFAULT_ENDPOINT.to_string())
                .trim_end_matches('/')
                .to_string(),
            offline,
            token: set("HF_TOKEN"),
        }
    }
}
