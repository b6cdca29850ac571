//! Repository ids and `hf://` addresses.

use crate::error::{HubError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepoKind {
    Model,
    Dataset,
}

impl RepoKind {
    /// The plural used in cache folder names and API paths.
    pub fn plural(self) -> &'static str {
        match self {
            RepoKind::Model => "models",
            RepoKind::Dataset => "datasets",
        }
    }
}

/// A repository on the Hub, e.g. the dataset `knkarthick/dialogsum`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repo {
    pub kind: RepoKind,
    pub id: String,
}

impl Repo {
    pub fn model(id: &str) -> Repo {
        Repo {
            kind: RepoKind::Model,
            id: id.to_string(),
        }
    }

    pub fn dataset(id: &str) -> Repo {
        Repo {
            kind: RepoKind::Dataset,
            id: id.to_string(),
        }
    }

    /// `datasets--org--name`, as huggingface_hub names cache folders.
    pub fn cache_folder(&self) -> String {
        format!("{}--{}", self.kind.plural(), self.id.replace('/', "--"))
    }

    /// The URL path prefix of file downloads: `datasets/org/name` (models have none).
    pub fn url_prefix(&self) -> String {
        match self.kind {
            RepoKind::Model => self.id.clone(),
            RepoKind::Dataset => format!("datasets/{}", self.id),
        }
    }
}

/// `hf://datasets/ORG/NAME[@REVISION][/PATH]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetUri {
    pub repo: Repo,
    pub revision: Option<String>,
    /// A file or folder inside the repository, when the address names one.
    pub path: Option<String>,
}

impl DatasetUri {
    pub fn parse(uri: &str) -> Result<DatasetUri> {
        let bad = || HubError::BadUri {
            uri: uri.to_string(),
        };
        let rest = uri.strip_prefix("hf://datasets/").ok_or_else(bad)?;
        let mut parts = rest.splitn(3, '/');
        let organization = parts
            .next()
            .filter(|part| valid_name(part))
            .ok_or_else(bad)?;
        let name_and_revision = parts.next().ok_or_else(bad)?;
        let path = parts
            .next()
            .filter(|path| !path.is_empty())
            .map(str::to_string);
        let (name, revision) = match name_and_revision.split_once('@') {
            Some((name, revision)) if !revision.is_empty() => (name, Some(revision.to_string())),
            Some(_) => return Err(bad()),
            None => (name_and_revision, None),
        };
        if !valid_name(name) {
            return Err(bad());
        }
        Ok(DatasetUri {
            repo: Repo::dataset(&format!("{organization}/{name}")),
            revision,
            path,
        })
    }
}

fn valid_name(part: &str) -> bool {
    !part.is_empty()
        && part != "."
        && part != ".."
        && part
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}
