//! The region's own credentials: generated on first start, kept in `<data-dir>/credentials`
//! (mode 0600) in the AWS shared-credentials-file form so tools can read it as it is.

use std::path::Path;

use crate::RegionError;

#[derive(Clone, PartialEq, Eq)]
pub struct RootCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl std::fmt::Debug for RootCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RootCredentials")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

impl RootCredentials {
    pub fn generate() -> Self {
        Self {
            access_key_id: crate::ids::aws_id("AKIA"),
            secret_access_key: crate::ids::secret_access_key(),
        }
    }

    /// Reads the credentials file, creating it with fresh credentials if there is none yet.
    pub fn load_or_create(path: &Path) -> Result<Self, RegionError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text).map_err(|message| RegionError::Credentials {
                path: path.to_path_buf(),
                message,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let credentials = Self::generate();
                crate::durable::write_atomically(
                    path,
                    credentials.shared_credentials_file().as_bytes(),
                    0o600,
                )?;
                Ok(credentials)
            }
            Err(e) => Err(RegionError::io("reading", path, e)),
        }
    }

    /// Reads an existing credentials file (for `lathe server credentials`).
    pub fn load(path: &Path) -> Result<Self, RegionError> {
        let text =
            std::fs::read_to_string(path).map_err(|e| RegionError::io("reading", path, e))?;
        Self::parse(&text).map_err(|message| RegionError::Credentials {
            path: path.to_path_buf(),
            message,
        })
    }

    pub fn shared_credentials_file(&self) -> String {
        format!(
            "[default]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            self.access_key_id, self.secret_access_key
        )
    }

    /// Parses the `[default]` profile of a shared credentials file.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut access_key_id = None;
        let mut secret_access_key = None;
        let mut in_default = false;
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            if line.starts_with('[') {
                in_default = line == "[default]";
                continue;
            }
            if !in_default {
                continue;
            }
            let Some((name, value)) = line.split_once('=') else {
                return Err(format!(
                    "line {}: expected `name = value`, found {line:?}",
                    index + 1
                ));
            };
            match name.trim() {
                "aws_access_key_id" => access_key_id = Some(value.trim().to_string()),
                "aws_secret_access_key" => secret_access_key = Some(value.trim().to_string()),
                _ => {}
            }
        }
        match (access_key_id, secret_access_key) {
            (Some(access_key_id), Some(secret_access_key))
                if !access_key_id.is_empty() && !secret_access_key.is_empty() =>
            {
                Ok(Self {
                    access_key_id,
                    secret_access_key,
                })
            }
            _ => Err(
                "the [default] profile needs aws_access_key_id and aws_secret_access_key; \
                 delete the file to have new credentials generated"
                    .to_string(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_credentials_round_trip_through_the_file_form() {
        let credentials = RootCredentials::generate();
        assert!(credentials.access_key_id.starts_with("AKIA"));
        assert_eq!(credentials.access_key_id.len(), 20);
        let parsed = RootCredentials::parse(&credentials.shared_credentials_file()).unwrap();
        assert_eq!(parsed, credentials);
    }

    #[test]
    fn file_without_secret_is_rejected_with_the_reason() {
        let error = RootCredentials::parse("[default]\naws_access_key_id = AKIAX\n").unwrap_err();
        assert!(error.contains("aws_secret_access_key"), "{error}");
        let error = RootCredentials::parse("[default]\ngarbage\n").unwrap_err();
        assert!(error.contains("line 2"), "{error}");
    }

    #[cfg(unix)]
    #[test]
    fn created_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        let first = RootCredentials::load_or_create(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(RootCredentials::load_or_create(&path).unwrap(), first);
    }
}
