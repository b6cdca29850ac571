//! Sensitivity marks on values, as Terraform keeps them: a mark sticks to a value and to
//! everything derived from it, per element inside collections, and is lifted only at the
//! boundaries where values leave the language (providers, state, JSON), where it is recorded
//! as paths instead.

use crate::value::{PathStep, Value};

impl Value {
    /// The value marked sensitive (a no-op when it already is).
    pub fn mark_sensitive(self) -> Value {
        match self {
            already @ Value::Sensitive(_) => already,
            plain => Value::Sensitive(Box::new(plain)),
        }
    }

    /// The value marked sensitive when `marked` is true.
    pub fn marked_if(self, marked: bool) -> Value {
        if marked { self.mark_sensitive() } else { self }
    }

    /// Whether the value itself (not one of its elements) is marked.
    pub fn is_sensitive(&self) -> bool {
        matches!(self, Value::Sensitive(_))
    }

    /// Whether the value or any part of it is marked.
    pub fn contains_sensitive(&self) -> bool {
        match self {
            Value::Sensitive(_) => true,
            Value::List(items) => items.iter().any(Value::contains_sensitive),
            Value::Object(map) => map.values().any(Value::contains_sensitive),
            _ => false,
        }
    }

    /// The value without its own mark (elements keep theirs).
    pub fn unmarked(&self) -> &Value {
        match self {
            Value::Sensitive(inner) => inner,
            plain => plain,
        }
    }

    /// Removes the value's own mark, saying whether there was one.
    pub fn unmark(self) -> (Value, bool) {
        match self {
            Value::Sensitive(inner) => (*inner, true),
            plain => (plain, false),
        }
    }

    /// Removes every mark, saying whether there was any: what an operation that combines the
    /// whole value (an operator, a function) works on before marking its result.
    pub fn unmark_deep(self) -> (Value, bool) {
        let mut paths = Vec::new();
        let value = self.unmark_deep_with_paths(&mut Vec::new(), &mut paths);
        (value, !paths.is_empty())
    }

    /// Removes every mark and returns where they were: what providers and state receive.
    pub fn unmark_with_paths(self) -> (Value, Vec<Vec<PathStep>>) {
        let mut paths = Vec::new();
        let value = self.unmark_deep_with_paths(&mut Vec::new(), &mut paths);
        (value, paths)
    }

    fn unmark_deep_with_paths(
        self,
        prefix: &mut Vec<PathStep>,
        paths: &mut Vec<Vec<PathStep>>,
    ) -> Value {
        match self {
            Value::Sensitive(inner) => {
                paths.push(prefix.clone());
                inner.unmark_deep_with_paths(prefix, paths)
            }
            Value::List(items) => Value::List(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(index, item)| {
                        prefix.push(PathStep::Index(Value::integer(index as i64)));
                        let item = item.unmark_deep_with_paths(prefix, paths);
                        prefix.pop();
                        item
                    })
                    .collect(),
            ),
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .map(|(key, value)| {
                        prefix.push(PathStep::Attribute(key.clone()));
                        let value = value.unmark_deep_with_paths(prefix, paths);
                        prefix.pop();
                        (key, value)
                    })
                    .collect(),
            ),
            plain => plain,
        }
    }

    /// Marks the parts at `paths`; paths that lead nowhere in this value are ignored, since a
    /// provider may have dropped or reshaped what the configuration marked, and so are nulls,
    /// which hold nothing to hide (a mark on them would only make plans show changes).
    pub fn mark_paths(mut self, paths: &[Vec<PathStep>]) -> Value {
        for path in paths {
            self.mark_path(path);
        }
        self
    }

    fn mark_path(&mut self, path: &[PathStep]) {
        let Some((step, rest)) = path.split_first() else {
            if !self.is_null() {
                let value = std::mem::take(self);
                *self = value.mark_sensitive();
            }
            return;
        };
        let target = match self {
            Value::Sensitive(_) => return,
            Value::Object(map) => match step {
                PathStep::Attribute(key) => map.get_mut(key),
                PathStep::Index(key) => key.as_str().and_then(|key| map.get_mut(key)),
            },
            Value::List(items) => match step {
                PathStep::Index(index) => index
                    .as_f64()
                    .filter(|index| *index >= 0.0 && index.fract() == 0.0)
                    .and_then(|index| items.get_mut(index as usize)),
                PathStep::Attribute(_) => None,
            },
            _ => None,
        };
        if let Some(target) = target {
            target.mark_path(rest);
        }
    }
}

/// Terraform's JSON form of a value's marks (`before_sensitive`, `after_sensitive`,
/// `sensitive_values`): `true` where a value is sensitive, objects and arrays mirroring the
/// value where only parts are, non-sensitive object attributes left out.
pub fn sensitivity_mask(value: &Value) -> serde_json::Value {
    match value {
        Value::Sensitive(_) => serde_json::Value::Bool(true),
        Value::List(items) => serde_json::Value::Array(
            items
                .iter()
                .map(|item| match sensitivity_mask(item) {
                    serde_json::Value::Object(map) if map.is_empty() => {
                        serde_json::Value::Bool(false)
                    }
                    mask => mask,
                })
                .collect(),
        ),
        Value::Object(map) => serde_json::Value::Object(
            map.iter()
                .filter(|(_, value)| value.contains_sensitive())
                .map(|(key, value)| (key.clone(), sensitivity_mask(value)))
                .collect(),
        ),
        _ => serde_json::Value::Bool(false),
    }
}

/// The paths a [`sensitivity_mask`] marks: its inverse, for reading plans back.
pub fn mask_paths(mask: &serde_json::Value) -> Vec<Vec<PathStep>> {
    fn walk(mask: &serde_json::Value, prefix: &mut Vec<PathStep>, paths: &mut Vec<Vec<PathStep>>) {
        match mask {
            serde_json::Value::Bool(true) => paths.push(prefix.clone()),
            serde_json::Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    prefix.push(PathStep::Index(Value::integer(index as i64)));
                    walk(item, prefix, paths);
                    prefix.pop();
                }
            }
            serde_json::Value::Object(map) => {
                for (key, item) in map {
                    prefix.push(PathStep::Attribute(key.clone()));
                    walk(item, prefix, paths);
                    prefix.pop();
                }
            }
            _ => {}
        }
    }
    let mut paths = Vec::new();
    walk(mask, &mut Vec::new(), &mut paths);
    paths
}

/// Terraform state's `sensitive_attributes` form of one path:
/// `[{"type": "get_attr", "value": "password"}, {"type": "index", "value": {"value": 0, "type": "number"}}]`.
pub fn path_to_state_json(path: &[PathStep]) -> serde_json::Value {
    serde_json::Value::Array(
        path.iter()
            .map(|step| match step {
                PathStep::Attribute(name) => {
                    serde_json::json!({"type": "get_attr", "value": name})
                }
                PathStep::Index(key) => {
                    let kind = if key.as_str().is_some() {
                        "string"
                    } else {
                        "number"
                    };
                    serde_json::json!({
                        "type": "index",
                        "value": {"value": key.to_json(), "type": kind},
                    })
                }
            })
            .collect(),
    )
}

/// Reads what [`path_to_state_json`] writes; `None` for anything else.
pub fn path_from_state_json(json: &serde_json::Value) -> Option<Vec<PathStep>> {
    json.as_array()?
        .iter()
        .map(|step| {
            let value = step.get("value")?;
            match step.get("type")?.as_str()? {
                "get_attr" => Some(PathStep::Attribute(value.as_str()?.to_string())),
                "index" => Some(PathStep::Index(Value::from_json(
                    value.get("value")?.clone(),
                ))),
                _ => None,
            }
        })
        .collect()
}

/// Marks every attribute of an object whose name is in `names`: sensitivity a schema
/// declares rather than one a value carries.
pub fn mark_attributes<'a>(value: Value, names: impl IntoIterator<Item = &'a str>) -> Value {
    let paths: Vec<Vec<PathStep>> = names
        .into_iter()
        .map(|name| vec![PathStep::Attribute(name.to_string())])
        .collect();
    value.mark_paths(&paths)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    fn object(entries: impl IntoIterator<Item = (String, Value)>) -> Value {
        Value::Object(entries.into_iter().collect::<BTreeMap<_, _>>())
    }

    fn secret(text: &str) -> Value {
        Value::string(text).mark_sensitive()
    }

    #[test]
    fn paths_round_trip_through_unmarking_and_marking() {
        let value = object([
            ("name".to_string(), Value::string("n")),
            ("password".to_string(), secret("p")),
            (
                "list".to_string(),
                Value::List(vec![Value::string("a"), secret("b")]),
            ),
        ]);
        let (plain, paths) = value.clone().unmark_with_paths();
        assert!(!plain.contains_sensitive());
        assert_eq!(paths.len(), 2);
        assert_eq!(plain.mark_paths(&paths), value);
    }

    #[test]
    fn masks_have_terraform_json_shape() {
        let value = object([
            ("name".to_string(), Value::string("n")),
            ("password".to_string(), secret("p")),
            (
                "list".to_string(),
                Value::List(vec![Value::string("a"), secret("b")]),
            ),
        ]);
        let mask = sensitivity_mask(&value);
        assert_eq!(mask, json!({"password": true, "list": [false, true]}));
        let (plain, _) = value.clone().unmark_with_paths();
        assert_eq!(plain.mark_paths(&mask_paths(&mask)), value);
        assert_eq!(sensitivity_mask(&Value::string("x")), json!(false));
        assert_eq!(sensitivity_mask(&secret("x")), json!(true));
    }

    #[test]
    fn state_paths_round_trip() {
        let path = vec![
            PathStep::Attribute("tags".into()),
            PathStep::Index(Value::string("k")),
            PathStep::Index(Value::integer(2)),
        ];
        let json = path_to_state_json(&path);
        assert_eq!(
            json,
            json!([
                {"type": "get_attr", "value": "tags"},
                {"type": "index", "value": {"value": "k", "type": "string"}},
                {"type": "index", "value": {"value": 2, "type": "number"}},
            ])
        );
        assert_eq!(path_from_state_json(&json), Some(path));
        assert_eq!(path_from_state_json(&json!([{"type": "bogus"}])), None);
    }

    #[test]
    fn marks_do_not_nest_and_missing_paths_are_ignored() {
        assert_eq!(secret("x").mark_sensitive(), secret("x"));
        let value = object([("a".to_string(), Value::Null)]);
        let marked = value
            .clone()
            .mark_paths(&[vec![PathStep::Attribute("zz".into())]]);
        assert_eq!(marked, value);
        assert_eq!(secret("x").unmark_deep(), (Value::string("x"), true));
        assert_eq!(secret("x").to_string(), "(sensitive value)");
        assert_eq!(secret("x").as_str(), Some("x"));
    }
}
