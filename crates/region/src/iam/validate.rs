//! IAM's input rules: names, paths, session limits and policy documents.

use crate::query::ApiError;

fn validation(field: &str, value: &str, constraint: &str) -> ApiError {
    ApiError::validation(format!(
        "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {constraint}"
    ))
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_+=,.@-".contains(c)
}

/// Role names: 1-64 of `[\w+=,.@-]` (Terraform's `name_prefix` names fit: prefix + 26 digits).
pub fn role_name(name: &str) -> Result<(), ApiError> {
    if name.is_empty() || name.len() > 64 {
        return Err(validation(
            "roleName",
            name,
            "Member must have length between 1 and 64",
        ));
    }
    if !name.chars().all(is_name_char) {
        return Err(validation(
            "roleName",
            name,
            "Member must satisfy regular expression pattern: [\\w+=,.@-]+",
        ));
    }
    Ok(())
}

/// Managed and inline policy names: 1-128 of `[\w+=,.@-]`.
pub fn policy_name(field: &str, name: &str) -> Result<(), ApiError> {
    if name.is_empty() || name.len() > 128 {
        return Err(validation(
            field,
            name,
            "Member must have length between 1 and 128",
        ));
    }
    if !name.chars().all(is_name_char) {
        return Err(validation(
            field,
            name,
            "Member must satisfy regular expression pattern: [\\w+=,.@-]+",
        ));
    }
    Ok(())
}

/// Paths start and end with `/`, as in `/service-role/`.
pub fn path(path: &str) -> Result<(), ApiError> {
    let printable = path.chars().all(|c| ('\u{21}'..='\u{7e}').contains(&c));
    if path.len() > 512
        || !path.starts_with('/')
        || !path.ends_with('/')
        || !printable
        || path.contains("//")
    {
        return Err(validation(
            "path",
            path,
            "Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)",
        ));
    }
    Ok(())
}

pub fn max_session_duration(seconds: i64) -> Result<(), ApiError> {
    if !(3600..=43200).contains(&seconds) {
        return Err(validation(
            "maxSessionDuration",
            &seconds.to_string(),
            "Member must have value between 3600 and 43200",
        ));
    }
    Ok(())
}

pub fn description(text: &str) -> Result<(), ApiError> {
    if text.chars().count() > 1000 {
        return Err(validation(
            "description",
            "...",
            "Member must have length less than or equal to 1000",
        ));
    }
    Ok(())
}

/// A policy document must parse as IAM would parse it; the error names the element at fault.
pub fn document(text: &str) -> Result<lathe_iam_policy::PolicyDocument, ApiError> {
    lathe_iam_policy::PolicyDocument::parse(text).map_err(|error| {
        ApiError::sender(
            400,
            "MalformedPolicyDocument",
            format!("Syntax errors in policy: {error}"),
        )
    })
}

pub fn tags(tags: &[(String, String)]) -> Result<(), ApiError> {
    for (key, value) in tags {
        if key.is_empty() || key.chars().count() > 128 {
            return Err(validation(
                "tags.member.key",
                key,
                "Member must have length between 1 and 128",
            ));
        }
        if value.chars().count() > 256 {
            return Err(validation(
                "tags.member.value",
                value,
                "Member must have length less than or equal to 256",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_paths_follow_iam_rules() {
        assert!(role_name("terraform-20261126015328123400000001").is_ok());
        assert!(role_name("lathe+role=a,b.c@d-e_f").is_ok());
        assert!(role_name("").is_err());
        assert!(role_name(&"r".repeat(65)).is_err());
        assert!(role_name("has space").is_err());
        assert!(policy_name("policyName", &"p".repeat(128)).is_ok());
        assert!(path("/").is_ok());
        assert!(path("/service-role/").is_ok());
        assert!(path("service-role/").is_err());
        assert!(path("/a//b/").is_err());
        assert!(max_session_duration(3600).is_ok());
        assert!(max_session_duration(60).is_err());
    }

    #[test]
    fn malformed_documents_are_refused_with_the_reason() {
        let error = document("{\"Version\": \"2012-10-17\"").unwrap_err();
        assert_eq!(error.code, "MalformedPolicyDocument");
        assert!(error.message.contains("line"), "{}", error.message);
    }
}
