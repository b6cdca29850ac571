//! The state file: Terraform's v4 JSON shape, read and written atomically with a backup.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::atomic::write_atomically;

/// The file name of the state in the working directory.
pub const STATE_FILE: &str = "lathe.tfstate";
/// The previous state, kept next to the current one.
pub const BACKUP_FILE: &str = "lathe.tfstate.backup";
/// The Terraform language version lathe follows; written into state files.
pub const TERRAFORM_VERSION: &str = "1.9.0";

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("cannot read state file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "state file {path} is not valid JSON state at line {line}, column {column}: {message}; restore it from {backup} or remove it to start empty"
    )]
    Parse {
        path: PathBuf,
        backup: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("state file {path} has version {version}; lathe reads version 4 state files")]
    Version { path: PathBuf, version: u64 },
    #[error("cannot write state file {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Terraform's state file, version 4.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub version: u64,
    pub terraform_version: String,
    pub serial: u64,
    pub lineage: String,
    #[serde(default)]
    pub outputs: BTreeMap<String, OutputState>,
    #[serde(default)]
    pub resources: Vec<ResourceState>,
    #[serde(default)]
    pub check_results: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputState {
    pub value: serde_json::Value,
    #[serde(rename = "type")]
    pub type_json: serde_json::Value,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sensitive: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceState {
    pub mode: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub name: String,
    /// Terraform's `"list"` (count) or `"map"` (for_each); absent for a single instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub each: Option<String>,
    pub provider: String,
    pub instances: Vec<InstanceState>,
}

impl ResourceState {
    pub fn address(&self) -> String {
        if self.mode == "data" {
            format!("data.{}.{}", self.type_name, self.name)
        } else {
            format!("{}.{}", self.type_name, self.name)
        }
    }
}

/// An instance key: absent for single resources, a number for `count`, a string for `for_each`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IndexKey {
    Number(i64),
    String(String),
}

impl std::fmt::Display for IndexKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IndexKey::Number(number) => write!(formatter, "[{number}]"),
            IndexKey::String(key) => {
                write!(formatter, "[{}]", serde_json::Value::from(key.as_str()))
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstanceState {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_key: Option<IndexKey>,
    #[serde(default)]
    pub schema_version: u64,
    pub attributes: serde_json::Value,
    #[serde(default)]
    pub sensitive_attributes: Vec<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<String>,
    /// `"tainted"` as in Terraform, or `"pending"` (lathe): a create was about to start with
    /// these intended attributes, so after a crash refresh asks the provider whether it exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub create_before_destroy: bool,
    /// Set on an object replaced under `create_before_destroy` whose successor exists and
    /// which still awaits its destroy; a crash in between leaves it here for the next apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deposed: Option<String>,
    /// Provider-private data Terraform keeps per instance; carried through unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private: Option<String>,
}

pub const STATUS_PENDING: &str = "pending";
pub const STATUS_TAINTED: &str = "tainted";

impl InstanceState {
    pub fn is_pending(&self) -> bool {
        self.status.as_deref() == Some(STATUS_PENDING)
    }
}

impl Default for State {
    fn default() -> Self {
        State::new()
    }
}

impl State {
    pub fn new() -> State {
        State {
            version: 4,
            terraform_version: TERRAFORM_VERSION.to_string(),
            serial: 0,
            lineage: uuid::Uuid::new_v4().to_string(),
            outputs: BTreeMap::new(),
            resources: Vec::new(),
            check_results: None,
        }
    }

    pub fn parse(path: &Path, text: &str) -> Result<State, StateError> {
        let state: State = serde_json::from_str(text).map_err(|error| StateError::Parse {
            path: path.to_path_buf(),
            backup: BACKUP_FILE.to_string(),
            line: error.line(),
            column: error.column(),
            message: error.to_string(),
        })?;
        if state.version != 4 {
            return Err(StateError::Version {
                path: path.to_path_buf(),
                version: state.version,
            });
        }
        Ok(state)
    }

    /// Reads the state of a working directory; a missing file is an empty state.
    pub fn load(directory: &Path) -> Result<State, StateError> {
        let path = directory.join(STATE_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => State::parse(&path, &text),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(State::new()),
            Err(source) => Err(StateError::Read { path, source }),
        }
    }

    pub fn to_json_text(&self) -> String {
        // Cannot fail: every map key is a string and every value is plain JSON.
        let mut text = serde_json::to_string_pretty(self).expect("state serializes to JSON");
        text.push('\n');
        text
    }

    /// Bumps the serial and writes the state atomically, keeping the previous file as backup.
    pub fn save(&mut self, directory: &Path) -> Result<(), StateError> {
        self.serial += 1;
        State::write_text(directory, &self.to_json_text())
    }

    /// Writes state text (from [`State::to_json_text`]) atomically, keeping the previous file as
    /// backup; for callers that snapshot the state under a lock and write outside it.
    pub fn write_text(directory: &Path, text: &str) -> Result<(), StateError> {
        let path = directory.join(STATE_FILE);
        let write_error = |source| StateError::Write {
            path: path.clone(),
            source,
        };
        if path.exists() {
            keep_backup(&path, &directory.join(BACKUP_FILE)).map_err(write_error)?;
        }
        write_atomically(&path, text.as_bytes()).map_err(write_error)
    }

    pub fn is_empty(&self) -> bool {
        self.resources
            .iter()
            .all(|resource| resource.instances.is_empty())
    }

    pub fn resource(&self, address: &str) -> Option<&ResourceState> {
        self.resources
            .iter()
            .find(|resource| resource.address() == address)
    }

    pub fn instance(&self, address: &InstanceAddress) -> Option<&InstanceState> {
        self.resource(&address.resource)?
            .instances
            .iter()
            .find(|instance| instance.index_key == address.key && instance.deposed.is_none())
    }

    /// Every current (not deposed) instance in the state with its address, in state order.
    pub fn instances(&self) -> Vec<(InstanceAddress, &ResourceState, &InstanceState)> {
        self.all_instances()
            .into_iter()
            .filter(|(_, _, instance)| instance.deposed.is_none())
            .collect()
    }

    /// Objects set aside by create_before_destroy that still await their destroy.
    pub fn deposed_instances(&self) -> Vec<(InstanceAddress, &ResourceState, &InstanceState)> {
        self.all_instances()
            .into_iter()
            .filter(|(_, _, instance)| instance.deposed.is_some())
            .collect()
    }

    /// Moves the current object at `address` aside as deposed; returns its deposed key.
    pub fn depose(&mut self, address: &InstanceAddress) -> Option<String> {
        let resource = self
            .resources
            .iter_mut()
            .find(|resource| resource.address() == address.resource)?;
        let instance = resource
            .instances
            .iter_mut()
            .find(|instance| instance.index_key == address.key && instance.deposed.is_none())?;
        let key = uuid::Uuid::new_v4().simple().to_string()[..8].to_string();
        instance.deposed = Some(key.clone());
        Some(key)
    }

    /// Forgets a deposed object once it is destroyed.
    pub fn remove_deposed(&mut self, address: &InstanceAddress, deposed: &str) {
        if let Some(position) = self
            .resources
            .iter()
            .position(|resource| resource.address() == address.resource)
        {
            let resource = &mut self.resources[position];
            resource.instances.retain(|instance| {
                !(instance.index_key == address.key && instance.deposed.as_deref() == Some(deposed))
            });
            if resource.instances.is_empty() {
                self.resources.remove(position);
            }
        }
    }

    fn all_instances(&self) -> Vec<(InstanceAddress, &ResourceState, &InstanceState)> {
        let mut all = Vec::new();
        for resource in &self.resources {
            for instance in &resource.instances {
                all.push((
                    InstanceAddress {
                        resource: resource.address(),
                        key: instance.index_key.clone(),
                    },
                    resource,
                    instance,
                ));
            }
        }
        all
    }

    /// Inserts or replaces one instance, creating its resource entry when needed.
    pub fn set_instance(
        &mut self,
        address: &InstanceAddress,
        provider: &str,
        instance: InstanceState,
    ) {
        let (mode, type_name, name) = address.parts();
        let position = self
            .resources
            .iter()
            .position(|resource| resource.address() == address.resource);
        let resource = match position {
            Some(position) => &mut self.resources[position],
            None => {
                self.resources.push(ResourceState {
                    mode: mode.to_string(),
                    type_name: type_name.to_string(),
                    name: name.to_string(),
                    each: None,
                    provider: provider.to_string(),
                    instances: Vec::new(),
                });
                self.resources.sort_by(|left, right| {
                    (
                        left.mode.as_str(),
                        left.type_name.as_str(),
                        left.name.as_str(),
                    )
                        .cmp(&(
                            right.mode.as_str(),
                            right.type_name.as_str(),
                            right.name.as_str(),
                        ))
                });
                self.resources
                    .iter_mut()
                    .find(|resource| resource.address() == address.resource)
                    .expect("resource just inserted")
            }
        };
        resource.each = match &address.key {
            Some(IndexKey::Number(_)) => Some("list".to_string()),
            Some(IndexKey::String(_)) => Some("map".to_string()),
            None => None,
        };
        match resource
            .instances
            .iter_mut()
            .find(|existing| existing.index_key == address.key && existing.deposed.is_none())
        {
            Some(existing) => *existing = instance,
            None => {
                resource.instances.push(instance);
                resource
                    .instances
                    .sort_by(|left, right| left.index_key.cmp(&right.index_key));
            }
        }
    }

    /// Moves the object at `from` to `to` (which must be free); false when `from` is empty.
    pub fn move_instance(&mut self, from: &InstanceAddress, to: &InstanceAddress) -> bool {
        let provider = self
            .resource(&from.resource)
            .map(|resource| resource.provider.clone())
            .unwrap_or_default();
        match self.remove_instance(from) {
            Some(mut instance) => {
                instance.index_key = to.key.clone();
                self.set_instance(to, &provider, instance);
                true
            }
            None => false,
        }
    }

    /// Removes one instance; a resource left without instances is removed too.
    pub fn remove_instance(&mut self, address: &InstanceAddress) -> Option<InstanceState> {
        let position = self
            .resources
            .iter()
            .position(|resource| resource.address() == address.resource)?;
        let resource = &mut self.resources[position];
        let index = resource
            .instances
            .iter()
            .position(|instance| instance.index_key == address.key && instance.deposed.is_none())?;
        let removed = resource.instances.remove(index);
        if resource.instances.is_empty() {
            self.resources.remove(position);
        }
        Some(removed)
    }
}

/// The address of one resource instance: `aws_s3_bucket.b`, `terraform_data.x[0]`, `a.b["k"]`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InstanceAddress {
    pub resource: String,
    pub key: Option<IndexKey>,
}

impl std::fmt::Display for InstanceAddress {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}", self.resource)?;
        if let Some(key) = &self.key {
            write!(formatter, "{key}")?;
        }
        Ok(())
    }
}

impl InstanceAddress {
    pub fn new(resource: impl Into<String>, key: Option<IndexKey>) -> InstanceAddress {
        InstanceAddress {
            resource: resource.into(),
            key,
        }
    }

    /// Mode, type and name of the resource part.
    pub fn parts(&self) -> (&str, &str, &str) {
        let (mode, rest) = match self.resource.strip_prefix("data.") {
            Some(rest) => ("data", rest),
            None => ("managed", self.resource.as_str()),
        };
        let (type_name, name) = rest.split_once('.').unwrap_or((rest, ""));
        (mode, type_name, name)
    }

    /// Parses `type.name`, `data.type.name`, with an optional `[0]` or `["key"]` suffix.
    pub fn parse(text: &str) -> Result<InstanceAddress, String> {
        let text = text.trim();
        let (resource, key) = match text.find('[') {
            Some(open) => {
                let inner = text[open..]
                    .strip_prefix('[')
                    .and_then(|rest| rest.strip_suffix(']'))
                    .ok_or_else(|| format!("`{text}`: an index must end with `]`"))?;
                let key = if let Ok(number) = inner.parse::<i64>() {
                    IndexKey::Number(number)
                } else if let Ok(serde_json::Value::String(key)) = serde_json::from_str(inner) {
                    IndexKey::String(key)
                } else {
                    return Err(format!(
                        "`{text}`: the index must be a number like [0] or a quoted key like [\"a\"]"
                    ));
                };
                (&text[..open], Some(key))
            }
            None => (text, None),
        };
        let parts: Vec<&str> = resource.split('.').collect();
        let well_formed = match parts.as_slice() {
            ["data", type_name, name] | [type_name, name] => {
                !type_name.is_empty() && !name.is_empty() && *type_name != "data"
            }
            _ => false,
        };
        if !well_formed {
            return Err(format!(
                "`{text}` is not a resource address; write it as TYPE.NAME (e.g. terraform_data.example), data.TYPE.NAME, or with an index like TYPE.NAME[0]"
            ));
        }
        Ok(InstanceAddress::new(resource, key))
    }
}

/// Makes `backup` a copy of the current state file. A hard link costs no write: the current
/// file was fsynced when it was written and is only ever replaced, never changed in place.
fn keep_backup(current: &Path, backup: &Path) -> std::io::Result<()> {
    let directory = backup.parent().unwrap_or(Path::new("."));
    let link = directory.join(format!(".{BACKUP_FILE}.{}.link", std::process::id()));
    let _ = std::fs::remove_file(&link);
    match std::fs::hard_link(current, &link) {
        Ok(()) => std::fs::rename(&link, backup),
        // Filesystems without hard links get a full copy.
        Err(_) => write_atomically(backup, &std::fs::read(current)?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_parse_and_print_round_trip() {
        for text in ["a_b.c", "data.x_y.z", "a.b[3]", "a.b[\"key\"]"] {
            let address = InstanceAddress::parse(text).unwrap();
            assert_eq!(address.to_string(), text);
        }
        for bad in ["a", "a.b.c.d", "a.b[x]", "a.b[0", "data.x"] {
            assert!(
                InstanceAddress::parse(bad).is_err(),
                "{bad} should be rejected"
            );
        }
    }

    #[test]
    fn save_keeps_backup_and_bumps_serial() {
        let directory = tempfile::tempdir().unwrap();
        let mut state = State::new();
        state.save(directory.path()).unwrap();
        state.set_instance(
            &InstanceAddress::parse("terraform_data.a").unwrap(),
            "provider",
            InstanceState {
                index_key: None,
                schema_version: 0,
                attributes: serde_json::json!({"id": "1"}),
                sensitive_attributes: vec![],
                dependencies: vec![],
                status: None,
                create_before_destroy: false,
                deposed: None,
                private: None,
            },
        );
        state.save(directory.path()).unwrap();
        let loaded = State::load(directory.path()).unwrap();
        assert_eq!(loaded.serial, 2);
        assert_eq!(loaded, state);
        let backup = std::fs::read_to_string(directory.path().join(BACKUP_FILE)).unwrap();
        let backup = State::parse(Path::new(BACKUP_FILE), &backup).unwrap();
        assert_eq!(backup.serial, 1);
        assert!(backup.is_empty());
    }

    #[test]
    fn a_state_written_by_terraform_round_trips() {
        let text = r#"{
  "version": 4,
  "terraform_version": "1.9.5",
  "serial": 3,
  "lineage": "3f6d2b8e-0000-4000-8000-000000000001",
  "outputs": { "greeting": { "value": "hi", "type": "string" } },
  "resources": [
    {
      "mode": "managed",
      "type": "terraform_data",
      "name": "x",
      "each": "list",
      "provider": "provider[\"terraform.io/builtin/terraform\"]",
      "instances": [
        {
          "index_key": 0,
          "schema_version": 0,
          "attributes": { "id": "a1b2", "input": "hi", "output": "hi", "triggers_replace": null },
          "sensitive_attributes": [],
          "private": "bnVsbA==",
          "dependencies": ["terraform_data.y"]
        }
      ]
    }
  ],
  "check_results": null
}"#;
        let state = State::parse(Path::new("terraform.tfstate"), text).unwrap();
        let instance = state
            .instance(&InstanceAddress::parse("terraform_data.x[0]").unwrap())
            .unwrap();
        assert_eq!(instance.attributes["input"], "hi");
        assert_eq!(instance.private.as_deref(), Some("bnVsbA=="));
        let again = State::parse(Path::new("again"), &state.to_json_text()).unwrap();
        assert_eq!(again, state);
        assert_eq!(again.resources[0].each.as_deref(), Some("list"));
    }

    #[test]
    fn corrupt_state_names_position_and_remedy() {
        let error = State::parse(Path::new("lathe.tfstate"), "{\"version\": 4,").unwrap_err();
        let message = error.to_string();
        assert!(message.contains("line 1"), "{message}");
        assert!(message.contains("lathe.tfstate.backup"), "{message}");
    }
}
