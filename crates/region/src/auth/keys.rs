//! The key store: the region's own credentials plus the temporary ones AssumeRole issued.

use rusqlite::{OptionalExtension, params};
use time::OffsetDateTime;

use super::AuthError;
use crate::RootCredentials;
use crate::metadata::{Metadata, MetadataUnavailable};

/// The identity behind a verified request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// The region's own credentials: may do everything.
    Root { account_id: String },
    /// Temporary credentials from AssumeRole: confined to the role's policies.
    AssumedRole {
        account_id: String,
        role_name: String,
        role_id: String,
        session_name: String,
    },
}

impl Caller {
    pub fn arn(&self) -> String {
        match self {
            Caller::Root { account_id } => format!("arn:aws:iam::{account_id}:root"),
            Caller::AssumedRole {
                account_id,
                role_name,
                session_name,
                ..
            } => format!("arn:aws:sts::{account_id}:assumed-role/{role_name}/{session_name}"),
        }
    }

    pub fn user_id(&self) -> String {
        match self {
            Caller::Root { account_id } => account_id.clone(),
            Caller::AssumedRole {
                role_id,
                session_name,
                ..
            } => format!("{role_id}:{session_name}"),
        }
    }

    pub fn account_id(&self) -> &str {
        match self {
            Caller::Root { account_id } | Caller::AssumedRole { account_id, .. } => account_id,
        }
    }
}

/// A known access key: its secret, who it stands for, and (temporary keys) its session token.
#[derive(Debug, Clone)]
pub struct KnownKey {
    pub secret: String,
    pub caller: Caller,
    pub session_token: Option<String>,
}

/// Temporary credentials as AssumeRole hands them out.
#[derive(Debug, Clone)]
pub struct Session {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    pub expires_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct KeyStore {
    root: RootCredentials,
    account_id: String,
    metadata: Metadata,
}

impl KeyStore {
    pub fn new(root: RootCredentials, account_id: String, metadata: Metadata) -> Self {
        Self {
            root,
            account_id,
            metadata,
        }
    }

    pub fn account_id(&self) -> &str {
        &self.account_id
    }

    /// Finds an access key; an expired temporary key is refused with ExpiredToken.
    pub async fn lookup(&self, access_key_id: &str) -> Result<KnownKey, AuthError> {
        if access_key_id == self.root.access_key_id {
            return Ok(KnownKey {
                secret: self.root.secret_access_key.clone(),
                caller: Caller::Root {
                    account_id: self.account_id.clone(),
                },
                session_token: None,
            });
        }
        let key = access_key_id.to_string();
        let account_id = self.account_id.clone();
        let found = self
            .metadata
            .run(move |connection| {
                connection
                    .query_row(
                        "SELECT secret, session_token, role_name, role_id, session_name, expires_at \
                         FROM sessions WHERE access_key_id = ?1",
                        [&key],
                        |row| {
                            Ok((
                                KnownKey {
                                    secret: row.get(0)?,
                                    session_token: Some(row.get(1)?),
                                    caller: Caller::AssumedRole {
                                        account_id: account_id.clone(),
                                        role_name: row.get(2)?,
                                        role_id: row.get(3)?,
                                        session_name: row.get(4)?,
                                    },
                                },
                                row.get::<_, i64>(5)?,
                            ))
                        },
                    )
                    .optional()
                    .map_err(|e| LookupFailed(e.to_string()))
            })
            .await
            .map_err(|e: LookupFailed| AuthError::Unavailable(e.0))?;
        match found {
            None => Err(AuthError::UnknownAccessKey(access_key_id.to_string())),
            Some((_, expires_at)) if expires_at <= crate::clock::now().unix_timestamp() => {
                Err(AuthError::ExpiredToken)
            }
            Some((known, _)) => Ok(known),
        }
    }

    /// Records new temporary credentials for `role_name`, valid for `duration_seconds`.
    pub async fn issue_session(
        &self,
        role_name: &str,
        role_id: &str,
        session_name: &str,
        duration_seconds: i64,
    ) -> Result<Session, MetadataUnavailable> {
        let session = Session {
            access_key_id: crate::ids::aws_id("ASIA"),
            secret_access_key: crate::ids::secret_access_key(),
            session_token: crate::ids::session_token(),
            expires_at: crate::clock::now() + time::Duration::seconds(duration_seconds),
        };
        let stored = session.clone();
        let (role_name, role_id, session_name) = (
            role_name.to_string(),
            role_id.to_string(),
            session_name.to_string(),
        );
        self.metadata
            .run(move |connection| {
                // Expired sessions are dropped as new ones are issued, so the table stays small.
                let transaction = connection
                    .transaction()
                    .map_err(|e| MetadataUnavailable(e.to_string()))?;
                transaction
                    .execute(
                        "DELETE FROM sessions WHERE expires_at <= ?1",
                        [crate::clock::now().unix_timestamp()],
                    )
                    .and_then(|_| {
                        transaction.execute(
                            "INSERT INTO sessions (access_key_id, secret, session_token, role_name, \
                             role_id, session_name, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                            params![
                                stored.access_key_id,
                                stored.secret_access_key,
                                stored.session_token,
                                role_name,
                                role_id,
                                session_name,
                                stored.expires_at.unix_timestamp()
                            ],
                        )
                    })
                    .and_then(|_| transaction.commit())
                    .map_err(|e| MetadataUnavailable(e.to_string()))
            })
            .await?;
        Ok(session)
    }
}

#[derive(Debug)]
struct LookupFailed(String);

impl From<MetadataUnavailable> for LookupFailed {
    fn from(error: MetadataUnavailable) -> Self {
        LookupFailed(error.0)
    }
}

/// A temporary key must come with its own session token, in the header or presigned query.
pub fn check_session_token(known: &KnownKey, presented: Option<&str>) -> Result<(), AuthError> {
    match (&known.session_token, presented) {
        (None, _) => Ok(()),
        (Some(expected), Some(presented)) if expected == presented => Ok(()),
        (Some(_), _) => Err(AuthError::InvalidToken),
    }
}
