//! Hashes of strings, and the impure `uuid`.

use super::{CallError, Function, FunctionContext, function, string_argument};
use crate::value::Value;

pub(super) const FUNCTIONS: &[Function] = &[
    function("sha1", "sha1(string)", 1, Some(1), sha1),
    function("sha256", "sha256(string)", 1, Some(1), sha256),
    function("sha512", "sha512(string)", 1, Some(1), sha512),
    function("md5", "md5(string)", 1, Some(1), md5),
    function("uuid", "uuid()", 0, Some(0), uuid),
];

/// The lowercase hex digest of `bytes` under one hash algorithm; shared with the file hashes.
pub(super) fn hex_digest<D: sha1::Digest>(bytes: &[u8]) -> Value {
    Value::String(hex::encode(D::digest(bytes)))
}

fn sha1(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    Ok(hex_digest::<sha1::Sha1>(
        string_argument(arguments, 0)?.as_bytes(),
    ))
}

fn sha256(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    Ok(hex_digest::<sha2::Sha256>(
        string_argument(arguments, 0)?.as_bytes(),
    ))
}

fn sha512(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    Ok(hex_digest::<sha2::Sha512>(
        string_argument(arguments, 0)?.as_bytes(),
    ))
}

fn md5(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    Ok(hex_digest::<md5::Md5>(
        string_argument(arguments, 0)?.as_bytes(),
    ))
}

fn uuid(_: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    Ok(Value::String(uuid::Uuid::new_v4().to_string()))
}

#[cfg(test)]
mod tests {
    use crate::functions::test_support::{check, evaluate};
    use std::path::Path;

    #[test]
    fn hashes_match_terraform_documentation() {
        check(&[
            (
                r#"sha1("hello world")"#,
                r#""2aae6c35c94fcfb415dbe95f408b9ce91ee846ed""#,
            ),
            (
                r#"sha256("hello world")"#,
                r#""b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9""#,
            ),
            (
                r#"sha512("hello world")"#,
                r#""309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f989dd35bc5ff499670da34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f""#,
            ),
            (
                r#"md5("hello world")"#,
                r#""5eb63bbbe01eeed093cb22bb8f5acdc3""#,
            ),
            ("uuid(1)", "error: its signature is uuid()"),
        ]);
    }

    #[test]
    fn impure_functions_have_their_documented_shapes() {
        let uuid = evaluate("uuid()", Path::new(".")).unwrap();
        let uuid = uuid.as_str().unwrap();
        assert_eq!(uuid.len(), 36);
        assert_eq!(uuid.chars().filter(|c| *c == '-').count(), 4);
        assert_ne!(
            evaluate("uuid()", Path::new(".")).unwrap().as_str(),
            Some(uuid)
        );
    }
}
