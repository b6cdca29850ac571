use crate::context::{Context, lookup};
use crate::glob::{Glob, Segment};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Variable {
        key: String,
        default: Option<String>,
    },
    Escape(char),
}

/// A policy string that may hold policy variables (`${aws:username}`,
/// `${aws:PrincipalTag/team, 'none'}`) and the escapes `${*}`, `${?}`, `${$}`.
///
/// Variables are only recognised in documents of version 2012-10-17; in older documents the
/// text is taken literally, as IAM does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    raw: String,
    parts: Vec<Part>,
    /// The compiled pattern when no variable needs a request to resolve, which is most of
    /// them: compiled once instead of on every request.
    fixed: Option<Glob>,
}

impl Template {
    pub(crate) fn parse(raw: &str, variables_enabled: bool) -> Self {
        let parts = if variables_enabled {
            split_variables(raw)
        } else {
            vec![Part::Text(raw.to_owned())]
        };
        let mut template = Template {
            raw: raw.to_owned(),
            parts,
            fixed: None,
        };
        if !template
            .parts
            .iter()
            .any(|part| matches!(part, Part::Variable { .. }))
        {
            template.fixed = template
                .resolve(&Context::new())
                .map(|segments| Glob::from_segments(&segments));
        }
        template
    }

    /// Whether `text` matches this template as an IAM wildcard pattern; never when a variable
    /// cannot be resolved from `context`.
    pub(crate) fn matches(&self, text: &str, context: &Context) -> bool {
        match &self.fixed {
            Some(glob) => glob.matches(text, false),
            None => self
                .resolve(context)
                .is_some_and(|segments| Glob::from_segments(&segments).matches(text, false)),
        }
    }

    /// The text as written in the policy.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The template with its variables replaced by single values from `context`. `None` when
    /// a variable has no value and no default: IAM then treats the element as not matching.
    pub(crate) fn resolve(&self, context: &Context) -> Option<Vec<Segment>> {
        let mut segments = Vec::with_capacity(self.parts.len());
        for part in &self.parts {
            segments.push(match part {
                Part::Text(text) => Segment::Pattern(text.clone()),
                Part::Escape(character) => Segment::Literal(character.to_string()),
                Part::Variable { key, default } => match lookup(context, key) {
                    // A multivalued key cannot stand in for one value.
                    Some([value]) => Segment::Literal(value.clone()),
                    _ => Segment::Literal(default.clone()?),
                },
            });
        }
        Some(segments)
    }

    /// The resolved text with every character literal (for exact comparisons).
    pub(crate) fn resolve_text(&self, context: &Context) -> Option<String> {
        let segments = self.resolve(context)?;
        Some(
            segments
                .iter()
                .map(|segment| match segment {
                    Segment::Pattern(text) | Segment::Literal(text) => text.as_str(),
                })
                .collect(),
        )
    }
}

fn split_variables(raw: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut rest = raw;
    while let Some(start) = rest.find("${") {
        let Some(length) = rest[start + 2..].find('}') else {
            break;
        };
        let inner = &rest[start + 2..start + 2 + length];
        let part = match inner {
            "*" => Some(Part::Escape('*')),
            "?" => Some(Part::Escape('?')),
            "$" => Some(Part::Escape('$')),
            _ => parse_variable(inner),
        };
        match part {
            Some(part) => {
                text.push_str(&rest[..start]);
                if !text.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut text)));
                }
                parts.push(part);
            }
            // Not a variable after all: keep the characters as they are.
            None => text.push_str(&rest[..start + 3 + length]),
        }
        rest = &rest[start + 3 + length..];
    }
    text.push_str(rest);
    if !text.is_empty() {
        parts.push(Part::Text(text));
    }
    parts
}

/// `key` or `key, 'default'` (IAM's syntax for a default value).
fn parse_variable(inner: &str) -> Option<Part> {
    let (key, default) = match inner.split_once(',') {
        Some((key, default)) => {
            let default = default.trim();
            let default = default.strip_prefix('\'')?.strip_suffix('\'')?;
            (key.trim(), Some(default.to_owned()))
        }
        None => (inner.trim(), None),
    };
    let valid = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ":/_-.@+=".contains(c));
    valid.then(|| Part::Variable {
        key: key.to_owned(),
        default,
    })
}

#[cfg(test)]
mod tests {
    use super::Template;
    use crate::context::Context;

    fn context() -> Context {
        Context::from([
            ("aws:username".to_owned(), vec!["alice".to_owned()]),
            ("aws:PrincipalTag/team".to_owned(), vec!["ml".to_owned()]),
            (
                "aws:TagKeys".to_owned(),
                vec!["a".to_owned(), "b".to_owned()],
            ),
        ])
    }

    #[test]
    fn resolves_variables_defaults_and_escapes() {
        let cases = [
            ("home/${aws:username}/", Some("home/alice/")),
            ("home/${AWS:UserName}/", Some("home/alice/")),
            ("${aws:principaltag/team}-x", Some("ml-x")),
            ("${aws:SourceIp}", None),
            ("${aws:SourceIp, 'none'}", Some("none")),
            ("${aws:TagKeys}", None),
            ("a${*}b${?}c${$}d", Some("a*b?c$d")),
            ("${unterminated", Some("${unterminated")),
            ("${not a key}", Some("${not a key}")),
            ("plain", Some("plain")),
        ];
        for (raw, expected) in cases {
            let template = Template::parse(raw, true);
            assert_eq!(
                template.resolve_text(&context()).as_deref(),
                expected,
                "{raw}"
            );
        }
    }

    #[test]
    fn old_version_keeps_text_literally() {
        let template = Template::parse("home/${aws:username}/", false);
        assert_eq!(
            template.resolve_text(&context()).as_deref(),
            Some("home/${aws:username}/")
        );
    }
}
