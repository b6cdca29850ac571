//! Where the provider sends its requests: the local region (the default) or real AWS, which
//! only the command line can choose; and the `provider "aws"` block's settings.

use std::collections::BTreeMap;
use std::sync::Arc;

use lathe_config::value::Value;
use lathe_core::provider::ProviderError;

use crate::values::{attribute, optional_bool, optional_string, string_map};

/// The services whose endpoints a `provider "aws" { endpoints { ... } }` block may set.
pub const ENDPOINT_SERVICES: [&str; 5] = ["s3", "iam", "sts", "bedrock", "bedrockruntime"];

/// The account and region the local region answers for unless told otherwise.
pub const LOCAL_DEFAULT_REGION: &str = "us-east-1";

/// What the command line chose.
#[derive(Clone)]
pub enum Target {
    /// The local region, found (or started) only when a provider needs it: a configuration
    /// whose `endpoints` name every service never starts one.
    Local(Arc<dyn LocalRegionSource>),
    /// Real AWS through the standard credential chain (`-target-env=aws`).
    Aws,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Local(_) => formatter.write_str("Local"),
            Target::Aws => formatter.write_str("Aws"),
        }
    }
}

/// Finds the project's running local region, starting it if need be.
pub trait LocalRegionSource: Send + Sync {
    fn ensure_running(&self) -> Result<LocalRegion, String>;
}

/// A region that is already known to run (tests, `lathe server` started by hand).
impl LocalRegionSource for LocalRegion {
    fn ensure_running(&self) -> Result<LocalRegion, String> {
        Ok(self.clone())
    }
}

/// How to reach a running local region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalRegion {
    pub endpoint: String,
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl Target {
    /// The line `lathe plan` prints; `local` is the region in use, if one is.
    pub fn describe(&self, settings: &ProviderSettings, local: Option<&LocalRegion>) -> String {
        match self {
            Target::Local(_) => match local {
                Some(local) if !settings.has_endpoints() => {
                    format!("Target: local region at {}", local.endpoint)
                }
                _ => {
                    let endpoints: Vec<String> = settings
                        .endpoints
                        .iter()
                        .map(|(service, url)| format!("{service} at {url}"))
                        .collect();
                    let rest = match local {
                        Some(local) => format!(", the rest at the local region {}", local.endpoint),
                        None => String::new(),
                    };
                    format!(
                        "Target: endpoints from the provider block ({}{rest})",
                        endpoints.join(", ")
                    )
                }
            },
            Target::Aws => {
                let profile = settings
                    .profile
                    .clone()
                    .or_else(|| std::env::var("AWS_PROFILE").ok())
                    .filter(|profile| !profile.is_empty())
                    .unwrap_or_else(|| "default".to_string());
                let region = settings
                    .region
                    .clone()
                    .or_else(|| std::env::var("AWS_REGION").ok())
                    .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok())
                    .unwrap_or_else(|| "from the profile".to_string());
                format!("Target: AWS (profile {profile}, region {region})")
            }
        }
    }
}

/// The arguments of the `provider "aws"` block that lathe honours.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProviderSettings {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
    pub token: Option<String>,
    /// Service name (`s3`) to URL, from the `endpoints` block.
    pub endpoints: BTreeMap<String, String>,
    pub s3_use_path_style: bool,
    /// `default_tags { tags = {...} }`: tags every taggable resource carries.
    pub default_tags: BTreeMap<String, String>,
}

/// The blocks named `name` in the provider block: a list, or one object, or none.
fn nested_blocks<'value>(config: &'value Value, name: &str) -> Vec<&'value Value> {
    match attribute(config, name) {
        Value::List(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        single => vec![single],
    }
}

impl ProviderSettings {
    pub fn from_value(config: &Value) -> Result<ProviderSettings, ProviderError> {
        let mut endpoints = BTreeMap::new();
        for block in nested_blocks(config, "endpoints") {
            for service in ENDPOINT_SERVICES {
                if let Some(url) = optional_string(block, service)?
                    && !url.is_empty()
                {
                    endpoints.insert(service.to_string(), url);
                }
            }
        }
        let mut default_tags = BTreeMap::new();
        for block in nested_blocks(config, "default_tags") {
            default_tags.extend(string_map(block, "tags")?);
        }
        let settings = ProviderSettings {
            region: optional_string(config, "region")?,
            profile: optional_string(config, "profile")?,
            access_key: optional_string(config, "access_key")?,
            secret_key: optional_string(config, "secret_key")?,
            token: optional_string(config, "token")?,
            endpoints,
            s3_use_path_style: optional_bool(config, "s3_use_path_style").unwrap_or(false),
            default_tags,
        };
        if settings.access_key.is_some() != settings.secret_key.is_some() {
            return Err(ProviderError::at_attribute(
                "provider \"aws\": `access_key` and `secret_key` go together; set both or neither",
                "access_key",
            ));
        }
        Ok(settings)
    }

    /// Whether the block points the provider at its own endpoints (moto, another emulator).
    pub fn has_endpoints(&self) -> bool {
        !self.endpoints.is_empty()
    }

    /// Whether every service this provider calls has its own endpoint here.
    pub fn covers_every_service(&self) -> bool {
        ["s3", "iam", "sts"]
            .iter()
            .all(|service| self.endpoints.contains_key(*service))
    }
}
