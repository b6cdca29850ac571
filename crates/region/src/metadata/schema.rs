//! Table definitions, applied in order; `user_version` records how far a database has come.

use rusqlite::Connection;

const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE buckets (
    name        TEXT PRIMARY KEY,
    created_at  TEXT NOT NULL,
    region      TEXT NOT NULL,
    versioning  TEXT
);
CREATE TABLE bucket_tags (
    bucket  TEXT NOT NULL REFERENCES buckets(name) ON DELETE CASCADE,
    key     TEXT NOT NULL,
    value   TEXT NOT NULL,
    PRIMARY KEY (bucket, key)
);
-- One row per object version; unversioned objects have version_id 'null' as in AWS.
CREATE TABLE objects (
    sequence          INTEGER PRIMARY KEY AUTOINCREMENT,
    bucket            TEXT NOT NULL REFERENCES buckets(name),
    key               TEXT NOT NULL,
    version_id        TEXT NOT NULL,
    is_latest         INTEGER NOT NULL,
    is_delete_marker  INTEGER NOT NULL,
    blob              TEXT,
    size              INTEGER NOT NULL,
    etag              TEXT NOT NULL,
    content_type      TEXT,
    headers           TEXT NOT NULL,
    metadata          TEXT NOT NULL,
    checksums         TEXT NOT NULL,
    tags              TEXT NOT NULL,
    parts_count       INTEGER,
    last_modified     TEXT NOT NULL,
    UNIQUE (bucket, key, version_id)
);
CREATE INDEX objects_by_key ON objects (bucket, key, is_latest);
CREATE TABLE uploads (
    upload_id     TEXT PRIMARY KEY,
    bucket        TEXT NOT NULL REFERENCES buckets(name),
    key           TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    content_type  TEXT,
    headers       TEXT NOT NULL,
    metadata      TEXT NOT NULL,
    tags          TEXT NOT NULL,
    checksum_algorithm TEXT
);
CREATE TABLE parts (
    upload_id     TEXT NOT NULL REFERENCES uploads(upload_id) ON DELETE CASCADE,
    part_number   INTEGER NOT NULL,
    blob          TEXT NOT NULL,
    size          INTEGER NOT NULL,
    etag          TEXT NOT NULL,
    checksums     TEXT NOT NULL,
    last_modified TEXT NOT NULL,
    PRIMARY KEY (upload_id, part_number)
);
CREATE TABLE roles (
    name          TEXT PRIMARY KEY,
    role_id       TEXT NOT NULL UNIQUE,
    path          TEXT NOT NULL,
    trust_policy  TEXT NOT NULL,
    description   TEXT,
    max_session_duration INTEGER NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE TABLE role_tags (
    role   TEXT NOT NULL REFERENCES roles(name) ON DELETE CASCADE,
    key    TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (role, key)
);
CREATE TABLE role_inline_policies (
    role      TEXT NOT NULL REFERENCES roles(name) ON DELETE CASCADE,
    name      TEXT NOT NULL,
    document  TEXT NOT NULL,
    PRIMARY KEY (role, name)
);
CREATE TABLE policies (
    arn          TEXT PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    policy_id    TEXT NOT NULL UNIQUE,
    path         TEXT NOT NULL,
    description  TEXT,
    document     TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE TABLE policy_tags (
    policy  TEXT NOT NULL REFERENCES policies(arn) ON DELETE CASCADE,
    key     TEXT NOT NULL,
    value   TEXT NOT NULL,
    PRIMARY KEY (policy, key)
);
CREATE TABLE role_attachments (
    role        TEXT NOT NULL REFERENCES roles(name),
    policy_arn  TEXT NOT NULL REFERENCES policies(arn),
    PRIMARY KEY (role, policy_arn)
);
-- Temporary credentials issued by AssumeRole.
CREATE TABLE sessions (
    access_key_id   TEXT PRIMARY KEY,
    secret          TEXT NOT NULL,
    session_token   TEXT NOT NULL,
    role_name       TEXT NOT NULL,
    role_id         TEXT NOT NULL,
    session_name    TEXT NOT NULL,
    expires_at      INTEGER NOT NULL
);
"#,
    r#"
-- Managed policy versions (CreatePolicyVersion); `policies.document` stays the default's text.
ALTER TABLE policies ADD COLUMN default_version TEXT NOT NULL DEFAULT 'v1';
CREATE TABLE policy_versions (
    policy_arn  TEXT NOT NULL REFERENCES policies(arn) ON DELETE CASCADE,
    version_id  TEXT NOT NULL,
    document    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (policy_arn, version_id)
);
INSERT INTO policy_versions (policy_arn, version_id, document, created_at)
    SELECT arn, 'v1', document, created_at FROM policies;
"#,
];

pub fn migrate(connection: &Connection) -> rusqlite::Result<()> {
    let applied: usize =
        connection.query_row("PRAGMA user_version", [], |row| row.get::<_, i64>(0))? as usize;
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(applied) {
        let transaction = connection.unchecked_transaction()?;
        transaction.execute_batch(migration)?;
        transaction.pragma_update(None, "user_version", (index + 1) as i64)?;
        transaction.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_from_the_first_schema_keeps_its_policies_as_version_one() {
        let connection = Connection::open_in_memory().unwrap();
        connection.execute_batch(MIGRATIONS[0]).unwrap();
        connection.pragma_update(None, "user_version", 1).unwrap();
        connection
            .execute(
                "INSERT INTO policies (arn, name, policy_id, path, document, created_at) \
                 VALUES ('arn:aws:iam::000000000000:policy/p', 'p', 'ANPA1', '/', '{}', '2026-01-01T00:00:00Z')",
                [],
            )
            .unwrap();
        migrate(&connection).unwrap();
        let (version, default): (String, String) = connection
            .query_row(
                "SELECT v.version_id, p.default_version FROM policy_versions v \
                 JOIN policies p ON p.arn = v.policy_arn",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .unwrap();
        assert_eq!((version.as_str(), default.as_str()), ("v1", "v1"));
        let applied: i64 = connection
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .unwrap();
        assert_eq!(applied as usize, MIGRATIONS.len());
    }
}
