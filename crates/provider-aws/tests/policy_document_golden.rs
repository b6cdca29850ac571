//! `aws_iam_policy_document` renders what Terraform renders: golden cases from the AWS
//! provider's own acceptance tests (testdata/policy_document/README.md).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use lathe_iam_policy::{PolicyDocument, equivalent};
use lathe_provider_aws::policy_document::{
    PolicyDocumentArguments, PolicyDocumentError, RenderedPolicyDocument, render,
};
use serde_json::Value;

const REFERENCE_PREFIX: &str = "data.aws_iam_policy_document.";
const REFERENCE_SUFFIX: &str = ".json";

fn cases_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/policy_document")
}

/// Renders document `name`, first rendering the documents it refers to.
fn render_named(
    documents: &serde_json::Map<String, Value>,
    name: &str,
    rendered: &mut BTreeMap<String, RenderedPolicyDocument>,
) -> Result<RenderedPolicyDocument, PolicyDocumentError> {
    if let Some(done) = rendered.get(name) {
        return Ok(done.clone());
    }
    let mut arguments = documents
        .get(name)
        .unwrap_or_else(|| panic!("no document named {name}"))
        .clone();
    for list in ["source_policy_documents", "override_policy_documents"] {
        let Some(Value::Array(items)) = arguments.get_mut(list) else {
            continue;
        };
        for item in items {
            let Some(referenced) = item
                .as_str()
                .and_then(|text| text.strip_prefix(REFERENCE_PREFIX))
                .and_then(|text| text.strip_suffix(REFERENCE_SUFFIX))
            else {
                continue;
            };
            let referenced = referenced.to_owned();
            *item = Value::String(render_named(documents, &referenced, rendered)?.json);
        }
    }
    let result = render(&PolicyDocumentArguments::from_value(&arguments)?)?;
    rendered.insert(name.to_owned(), result.clone());
    Ok(result)
}

fn read_optional(path: &Path) -> Option<String> {
    fs::read_to_string(path).ok()
}

#[test]
fn renders_what_terraform_renders() {
    let mut folders: Vec<PathBuf> = fs::read_dir(cases_root())
        .expect("testdata/policy_document exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.is_dir())
        .collect();
    folders.sort();
    assert!(folders.len() >= 15, "only {} golden cases", folders.len());
    let mut byte_for_byte = 0;
    for folder in &folders {
        let case = folder.file_name().unwrap().to_string_lossy().into_owned();
        let config: Value =
            serde_json::from_str(&fs::read_to_string(folder.join("config.json")).unwrap())
                .unwrap_or_else(|error| panic!("{case}/config.json: {error}"));
        let documents = config["documents"].as_object().expect("documents object");
        let check = config["check"].as_str().expect("check names a document");
        let outcome = render_named(documents, check, &mut BTreeMap::new());

        if let Some(expected_error) = read_optional(&folder.join("expected.error.txt")) {
            let error = outcome.expect_err(&case).to_string();
            assert!(
                error.contains(&expected_error),
                "{case}: error {error:?} lacks {expected_error:?}"
            );
            continue;
        }
        let rendered = outcome.unwrap_or_else(|error| panic!("{case}: {error}"));
        // A rendered document with statements is a policy IAM (and the local region) accepts,
        // and its two forms are the same policy. (Without statements Terraform still renders
        // a document; IAM would refuse it.)
        if rendered.json.contains("\"Statement\"") {
            if let Err(error) = PolicyDocument::parse(&rendered.json) {
                panic!("{case}: the rendered policy does not parse: {error}");
            }
            assert!(
                equivalent(&rendered.json, &rendered.minified_json),
                "{case}: json and minified_json differ"
            );
        }
        let mut checked = false;
        if let Some(expected) = read_optional(&folder.join("expected.json")) {
            assert_eq!(rendered.json, expected, "{case}: json");
            assert_eq!(
                rendered.id,
                expected_id(&expected),
                "{case}: id is the checksum of json"
            );
            byte_for_byte += 1;
            checked = true;
        }
        if let Some(expected) = read_optional(&folder.join("expected.minified.json")) {
            assert_eq!(rendered.minified_json, expected, "{case}: minified_json");
            checked = true;
        }
        if let Some(expected) = read_optional(&folder.join("expected.equivalent.json")) {
            let expected: Value = serde_json::from_str(&expected).unwrap();
            let actual: Value = serde_json::from_str(&rendered.json).unwrap();
            assert_eq!(actual, expected, "{case}: equivalent json");
            checked = true;
        }
        assert!(checked, "{case} has no expected outcome");
    }
    assert!(
        byte_for_byte >= 15,
        "only {byte_for_byte} byte-for-byte cases"
    );
}

/// The minified form is the indented one without its layout whitespace.
#[test]
fn minified_json_is_the_same_document() {
    let arguments = PolicyDocumentArguments::from_value(&serde_json::json!({
        "statement": [{"actions": ["s3:GetObject", "s3:PutObject"], "resources": ["arn:aws:s3:::b/*"]}]
    }))
    .unwrap();
    let rendered = render(&arguments).unwrap();
    let indented: Value = serde_json::from_str(&rendered.json).unwrap();
    let minified: Value = serde_json::from_str(&rendered.minified_json).unwrap();
    assert_eq!(indented, minified);
    assert!(!rendered.minified_json.contains([' ', '\n']));
}

/// CRC-32 (IEEE) of the text in decimal, computed independently of the crate.
fn expected_id(json: &str) -> String {
    let mut table = [0u32; 256];
    for (index, entry) in table.iter_mut().enumerate() {
        let mut value = index as u32;
        for _ in 0..8 {
            value = if value & 1 == 1 {
                0xEDB8_8320 ^ (value >> 1)
            } else {
                value >> 1
            };
        }
        *entry = value;
    }
    let mut crc = u32::MAX;
    for byte in json.bytes() {
        crc = table[((crc ^ u32::from(byte)) & 0xFF) as usize] ^ (crc >> 8);
    }
    (!crc).to_string()
}
