//! Query-protocol request parameters (`Action=..&RoleName=..&Tags.member.1.Key=..`).

use std::collections::BTreeMap;

use super::ApiError;

#[derive(Debug, Default)]
pub struct QueryParams {
    values: BTreeMap<String, String>,
}

impl QueryParams {
    /// Parameters from the query string and a form body together (body wins on repeats).
    pub fn parse(raw_query: &str, body: &[u8]) -> Self {
        let mut values = BTreeMap::new();
        for source in [raw_query.as_bytes(), body] {
            for (key, value) in url::form_urlencoded::parse(source) {
                values.insert(key.into_owned(), value.into_owned());
            }
        }
        Self { values }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    pub fn action(&self) -> Result<&str, ApiError> {
        self.get("Action").ok_or_else(|| {
            ApiError::sender(
                400,
                "MissingAction",
                "The request must contain the parameter Action.",
            )
        })
    }

    /// A required parameter, with AWS's validation message when it is absent.
    pub fn required(&self, name: &str) -> Result<&str, ApiError> {
        self.get(name).ok_or_else(|| {
            ApiError::validation(format!(
                "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
                lower_first(name)
            ))
        })
    }

    pub fn integer(&self, name: &str) -> Result<Option<i64>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(text) => text.parse().map(Some).map_err(|_| {
                ApiError::validation(format!(
                    "1 validation error detected: Value '{text}' at '{}' failed to satisfy constraint: Member must be a number",
                    lower_first(name)
                ))
            }),
        }
    }

    pub fn boolean(&self, name: &str) -> Option<bool> {
        self.get(name).map(|v| v.eq_ignore_ascii_case("true"))
    }

    /// `Name.member.1`, `Name.member.2`, ... in order.
    pub fn list(&self, name: &str) -> Vec<String> {
        (1..)
            .map_while(|index| {
                self.get(&format!("{name}.member.{index}"))
                    .map(str::to_string)
            })
            .collect()
    }

    /// `Name.member.N.Key` / `Name.member.N.Value` pairs (tags).
    pub fn tags(&self, name: &str) -> Vec<(String, String)> {
        (1..)
            .map_while(|index| {
                let key = self.get(&format!("{name}.member.{index}.Key"))?;
                let value = self
                    .get(&format!("{name}.member.{index}.Value"))
                    .unwrap_or_default();
                Some((key.to_string(), value.to_string()))
            })
            .collect()
    }
}

fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_members_and_tags_in_order() {
        let params = QueryParams::parse(
            "Action=TagRole",
            b"RoleName=r&Tags.member.1.Key=a&Tags.member.1.Value=1&Tags.member.2.Key=b&Tags.member.2.Value=&TagKeys.member.1=x&TagKeys.member.2=y",
        );
        assert_eq!(params.action().unwrap(), "TagRole");
        assert_eq!(
            params.tags("Tags"),
            vec![("a".into(), "1".into()), ("b".into(), String::new())]
        );
        assert_eq!(params.list("TagKeys"), vec!["x", "y"]);
        let error = params.required("PolicyArn").unwrap_err();
        assert!(error.message.contains("'policyArn'"), "{}", error.message);
    }
}
