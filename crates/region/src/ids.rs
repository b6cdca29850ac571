//! Random identifiers in AWS's shapes (access keys, role ids, request ids, version ids).

use rand::Rng;

const UPPER_ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const LOWER_ALPHANUMERIC: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const SECRET_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn random_from(alphabet: &[u8], length: usize) -> String {
    let mut rng = rand::rng();
    (0..length)
        .map(|_| alphabet[rng.random_range(0..alphabet.len())] as char)
        .collect()
}

/// An id such as AWS prints for keys and entities: a 4-letter kind prefix and 16 characters.
pub fn aws_id(prefix: &str) -> String {
    format!("{prefix}{}", random_from(UPPER_ALPHANUMERIC, 16))
}

pub fn secret_access_key() -> String {
    random_from(SECRET_ALPHABET, 40)
}

pub fn session_token() -> String {
    random_from(SECRET_ALPHABET, 192)
}

pub fn random_lowercase(length: usize) -> String {
    random_from(LOWER_ALPHANUMERIC, length)
}

pub fn request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Object version ids and upload ids: opaque, URL-safe, unique.
pub fn opaque_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Ids of IAM entities (roles, policies): a 4-letter kind prefix and 17 characters.
pub fn entity_id(prefix: &str) -> String {
    format!("{prefix}{}", random_from(UPPER_ALPHANUMERIC, 17))
}
