//! Collection functions: lists, maps and sets.

use super::{
    CallError, Function, FunctionContext, argument_error, bool_argument, function,
    integer_argument, list_argument, number_argument, object_argument, string_argument,
    string_list_argument,
};
use crate::types::TypeConstraint;
use crate::value::Value;
use std::collections::BTreeMap;

pub(super) const FUNCTIONS: &[Function] = &[
    Function {
        accepts_unknown: true,
        ..function("length", "length(value)", 1, Some(1), length)
    },
    function("lookup", "lookup(map, key, default)", 2, Some(3), lookup),
    Function {
        accepts_unknown: true,
        ..function("merge", "merge(maps...)", 0, None, merge)
    },
    Function {
        accepts_unknown: true,
        ..function("concat", "concat(lists...)", 0, None, concat)
    },
    function("contains", "contains(list, value)", 2, Some(2), contains),
    function("keys", "keys(map)", 1, Some(1), keys),
    function("values", "values(map)", 1, Some(1), values),
    function("element", "element(list, index)", 2, Some(2), element),
    function("index", "index(list, value)", 2, Some(2), index),
    function("coalesce", "coalesce(values...)", 1, None, coalesce),
    function(
        "coalescelist",
        "coalescelist(lists...)",
        1,
        None,
        coalescelist,
    ),
    function("compact", "compact(list)", 1, Some(1), compact),
    function("distinct", "distinct(list)", 1, Some(1), distinct),
    function("flatten", "flatten(list)", 1, Some(1), flatten),
    function(
        "slice",
        "slice(list, start_index, end_index)",
        3,
        Some(3),
        slice,
    ),
    function("sort", "sort(list)", 1, Some(1), sort),
    function("reverse", "reverse(list)", 1, Some(1), reverse),
    function("range", "range(start, limit, step)", 1, Some(3), range),
    function("zipmap", "zipmap(keys, values)", 2, Some(2), zipmap),
    function("one", "one(list)", 1, Some(1), one),
    function("sum", "sum(list)", 1, Some(1), sum),
    function("alltrue", "alltrue(list)", 1, Some(1), alltrue),
    function("anytrue", "anytrue(list)", 1, Some(1), anytrue),
    function("setunion", "setunion(sets...)", 1, None, setunion),
    function(
        "setintersection",
        "setintersection(sets...)",
        1,
        None,
        setintersection,
    ),
    function("chunklist", "chunklist(list, size)", 2, Some(2), chunklist),
];

fn length(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let count = match &arguments[0] {
        Value::Unknown => return Ok(Value::Unknown),
        Value::String(text) => text.chars().count(),
        Value::List(items) => items.len(),
        Value::Object(map) => map.len(),
        Value::Null => return Err(argument_error(0, "argument must not be null")),
        other => {
            return Err(argument_error(
                0,
                format!(
                    "a collection or string is required, but have {}",
                    other.type_name()
                ),
            ));
        }
    };
    Ok(Value::integer(count as i64))
}

fn lookup(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let map = object_argument(arguments, 0)?;
    let key = string_argument(arguments, 1)?;
    match (map.get(&key), arguments.get(2)) {
        (Some(value), _) => Ok(value.clone()),
        (None, Some(default)) => Ok(default.clone()),
        (None, None) => Err(CallError::Failed(format!(
            "the given key \"{key}\" does not exist in the map; pass a default as the third argument"
        ))),
    }
}

fn merge(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let mut merged = BTreeMap::new();
    for (index, argument) in arguments.iter().enumerate() {
        match argument {
            Value::Null => {}
            Value::Unknown => return Ok(Value::Unknown),
            Value::Object(map) => merged.extend(map.iter().map(|(k, v)| (k.clone(), v.clone()))),
            other => {
                return Err(argument_error(
                    index,
                    format!("map or object required, but have {}", other.type_name()),
                ));
            }
        }
    }
    Ok(Value::Object(merged))
}

fn concat(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let mut joined = Vec::new();
    for (index, argument) in arguments.iter().enumerate() {
        match argument {
            Value::Unknown => return Ok(Value::Unknown),
            Value::List(items) => joined.extend(items.iter().cloned()),
            other => {
                return Err(argument_error(
                    index,
                    format!(
                        "list, set or tuple required, but have {}",
                        other.type_name()
                    ),
                ));
            }
        }
    }
    Ok(Value::List(joined))
}

fn contains(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let list = list_argument(arguments, 0)?;
    Ok(Value::Bool(
        list.iter().any(|item| item.language_equals(&arguments[1])),
    ))
}

fn keys(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    Ok(Value::List(
        object_argument(arguments, 0)?
            .keys()
            .cloned()
            .map(Value::String)
            .collect(),
    ))
}

fn values(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    Ok(Value::List(
        object_argument(arguments, 0)?.values().cloned().collect(),
    ))
}

fn element(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let list = list_argument(arguments, 0)?;
    let index = integer_argument(arguments, 1)?;
    if list.is_empty() {
        return Err(CallError::Failed(
            "cannot use element function with an empty list".into(),
        ));
    }
    if index < 0 {
        return Err(argument_error(1, "the index must not be negative"));
    }
    // Terraform wraps around: element(["a", "b"], 3) is "b".
    Ok(list[(index as usize) % list.len()].clone())
}

fn index(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let list = list_argument(arguments, 0)?;
    list.iter()
        .position(|item| item.language_equals(&arguments[1]))
        .map(|position| Value::integer(position as i64))
        .ok_or_else(|| CallError::Failed(format!("item {} not found in the list", arguments[1])))
}

fn coalesce(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    arguments
        .iter()
        .find(|value| !value.is_null() && value.as_str() != Some(""))
        .cloned()
        .ok_or_else(|| CallError::Failed("no non-null, non-empty-string arguments".into()))
}

fn coalescelist(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    for index in 0..arguments.len() {
        if !list_argument(arguments, index)?.is_empty() {
            return Ok(arguments[index].clone());
        }
    }
    Err(CallError::Failed("no non-empty list arguments".into()))
}

fn compact(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let list = list_argument(arguments, 0)?;
    let mut kept = Vec::new();
    for (position, item) in list.iter().enumerate() {
        match item {
            Value::Null => {}
            Value::String(text) if text.is_empty() => {}
            Value::String(_) => kept.push(item.clone()),
            other => match TypeConstraint::String.convert(other.clone()) {
                Ok(converted) => kept.push(converted),
                Err(message) => {
                    return Err(argument_error(0, format!("element {position}: {message}")));
                }
            },
        }
    }
    Ok(Value::List(kept))
}

fn distinct(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    Ok(Value::List(crate::types::distinct_values(
        list_argument(arguments, 0)?.iter().cloned(),
    )))
}

fn flatten_into(items: &[Value], out: &mut Vec<Value>) {
    for item in items {
        match item {
            Value::List(nested) => flatten_into(nested, out),
            other => out.push(other.clone()),
        }
    }
}

fn flatten(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let mut out = Vec::new();
    flatten_into(list_argument(arguments, 0)?, &mut out);
    Ok(Value::List(out))
}

fn slice(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let list = list_argument(arguments, 0)?;
    let start = integer_argument(arguments, 1)?;
    let end = integer_argument(arguments, 2)?;
    if start < 0 || start as usize > list.len() {
        return Err(argument_error(
            1,
            format!(
                "start_index {start} is out of range for a list of {} elements",
                list.len()
            ),
        ));
    }
    if end < start || end as usize > list.len() {
        return Err(argument_error(
            2,
            format!(
                "end_index {end} must be between start_index {start} and the list length {}",
                list.len()
            ),
        ));
    }
    Ok(Value::List(list[start as usize..end as usize].to_vec()))
}

fn sort(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let mut items = string_list_argument(arguments, 0)?;
    items.sort();
    Ok(Value::List(items.into_iter().map(Value::String).collect()))
}

fn reverse(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    Ok(Value::List(
        list_argument(arguments, 0)?.iter().rev().cloned().collect(),
    ))
}

/// Terraform's own limit on `range`, which also keeps `range(1e12)` from exhausting memory.
const RANGE_LIMIT: f64 = 1024.0;

fn range(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let (start, limit) = match arguments.len() {
        1 => (0.0, number_argument(arguments, 0)?),
        _ => (
            number_argument(arguments, 0)?,
            number_argument(arguments, 1)?,
        ),
    };
    let step = match arguments.get(2) {
        Some(_) => number_argument(arguments, 2)?,
        None if limit < start => -1.0,
        None => 1.0,
    };
    if step == 0.0 {
        return Err(argument_error(2, "step must not be zero"));
    }
    if (limit - start) / step > RANGE_LIMIT {
        return Err(CallError::Failed(format!(
            "more than {RANGE_LIMIT} values would be generated; decrease the difference between start and limit, or use a larger step"
        )));
    }
    let mut out = Vec::new();
    let mut current = start;
    while (step > 0.0 && current < limit) || (step < 0.0 && current > limit) {
        out.push(Value::number(current));
        current += step;
    }
    Ok(Value::List(out))
}

fn zipmap(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let keys = string_list_argument(arguments, 0)?;
    let values = list_argument(arguments, 1)?;
    if keys.len() != values.len() {
        return Err(CallError::Failed(format!(
            "the keys list has {} elements but the values list has {}; they must be the same length",
            keys.len(),
            values.len()
        )));
    }
    Ok(Value::Object(
        keys.into_iter().zip(values.iter().cloned()).collect(),
    ))
}

fn one(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    match list_argument(arguments, 0)? {
        [] => Ok(Value::Null),
        [only] => Ok(only.clone()),
        many => Err(CallError::Failed(format!(
            "must be a list, set, or tuple value with either zero or one elements, but have {}",
            many.len()
        ))),
    }
}

fn sum(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let list = list_argument(arguments, 0)?;
    if list.is_empty() {
        return Err(CallError::Failed("cannot sum an empty list".into()));
    }
    let mut total = 0.0;
    for position in 0..list.len() {
        total += number_argument(list, position)
            .map_err(|_| argument_error(0, format!("element {position} is not a number")))?;
    }
    Ok(Value::number(total))
}

fn all_bools(arguments: &[Value]) -> Result<Vec<bool>, CallError> {
    let list = list_argument(arguments, 0)?;
    (0..list.len())
        .map(|position| {
            bool_argument(list, position)
                .map_err(|_| argument_error(0, format!("element {position} is not a bool")))
        })
        .collect()
}

fn alltrue(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    Ok(Value::Bool(
        all_bools(arguments)?.into_iter().all(|flag| flag),
    ))
}

fn anytrue(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    Ok(Value::Bool(
        all_bools(arguments)?.into_iter().any(|flag| flag),
    ))
}

fn setunion(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let mut all = Vec::new();
    for index in 0..arguments.len() {
        all.extend(list_argument(arguments, index)?.iter().cloned());
    }
    Ok(Value::List(crate::types::set_elements(all)))
}

fn setintersection(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let mut result = crate::types::distinct_values(list_argument(arguments, 0)?.iter().cloned());
    for index in 1..arguments.len() {
        let other = list_argument(arguments, index)?;
        result.retain(|item| other.iter().any(|o| o.language_equals(item)));
    }
    Ok(Value::List(crate::types::set_elements(result)))
}

fn chunklist(arguments: &[Value], _: &FunctionContext) -> Result<Value, CallError> {
    let list = list_argument(arguments, 0)?;
    let size = integer_argument(arguments, 1)?;
    if size < 0 {
        return Err(argument_error(1, "the chunk size must not be negative"));
    }
    if size == 0 {
        return Ok(Value::List(vec![Value::List(list.to_vec())]));
    }
    Ok(Value::List(
        list.chunks(size as usize)
            .map(|chunk| Value::List(chunk.to_vec()))
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use crate::functions::test_support::check;

    #[test]
    fn collection_functions_match_terraform_documentation() {
        check(&[
            ("length([])", "0"),
            (r#"length(["a", "b"])"#, "2"),
            (r#"length({"a" = "b"})"#, "1"),
            (r#"length("hello")"#, "5"),
            ("length([var.unknown, 1])", "2"),
            ("length(var.unknown)", "var.unknown"),
            ("length(5)", "error: a collection or string is required"),
            (r#"lookup({a="ay", b="bee"}, "a", "what?")"#, r#""ay""#),
            (r#"lookup({a="ay", b="bee"}, "c", "what?")"#, r#""what?""#),
            (r#"lookup({a="ay"}, "c")"#, "error: does not exist"),
            (
                r#"merge({a="b", c="d"}, {e="f", c="z"})"#,
                r#"{a = "b", c = "z", e = "f"}"#,
            ),
            (r#"merge({a="b"}, null)"#, r#"{a = "b"}"#),
            (r#"merge({a="b"}, [1])"#, "error: map or object required"),
            (r#"concat(["a", ""], ["b", "c"])"#, r#"["a", "", "b", "c"]"#),
            (r#"contains(["a", "b", "c"], "a")"#, "true"),
            (r#"contains(["a", "b", "c"], "d")"#, "false"),
            (r#"keys({a=1, c=2, d=3})"#, r#"["a", "c", "d"]"#),
            (r#"values({a=3, c=2, d=1})"#, "[3, 2, 1]"),
            (r#"element(["a", "b", "c"], 1)"#, r#""b""#),
            (r#"element(["a", "b", "c"], 3)"#, r#""a""#),
            (r#"element([], 0)"#, "error: empty list"),
            (r#"index(["a", "b", "c"], "b")"#, "1"),
            (r#"index(["a"], "z")"#, "error: not found"),
            (r#"coalesce("a", "b")"#, r#""a""#),
            (r#"coalesce("", "b")"#, r#""b""#),
            ("coalesce(1, 2)", "1"),
            ("coalesce(null, \"\")", "error: no non-null"),
            (r#"coalescelist(["a", "b"], ["c", "d"])"#, r#"["a", "b"]"#),
            (r#"coalescelist([], ["c", "d"])"#, r#"["c", "d"]"#),
            (
                r#"compact(["a", "", "b", null, "c"])"#,
                r#"["a", "b", "c"]"#,
            ),
            (
                r#"distinct(["a", "b", "a", "c", "d", "b"])"#,
                r#"["a", "b", "c", "d"]"#,
            ),
            (r#"flatten([["a", "b"], [], ["c"]])"#, r#"["a", "b", "c"]"#),
            (
                "flatten([[[\"a\", \"b\"], []], [\"c\"]])",
                r#"["a", "b", "c"]"#,
            ),
            (r#"slice(["a", "b", "c", "d"], 1, 3)"#, r#"["b", "c"]"#),
            (r#"slice(["a"], 1, 3)"#, "error: end_index 3"),
            (r#"sort(["e", "d", "a", "x"])"#, r#"["a", "d", "e", "x"]"#),
            (r#"reverse([1, 2, 3])"#, "[3, 2, 1]"),
            ("range(3)", "[0, 1, 2]"),
            ("range(1, 4)", "[1, 2, 3]"),
            ("range(1, 8, 2)", "[1, 3, 5, 7]"),
            ("range(1, 4, 0.5)", "[1, 1.5, 2, 2.5, 3, 3.5]"),
            ("range(4, 1)", "[4, 3, 2]"),
            ("range(10, 5, -2)", "[10, 8, 6]"),
            ("range(0, 1, 0)", "error: step must not be zero"),
            ("range(1e12)", "error: more than"),
            (r#"zipmap(["a", "b"], [1, 2])"#, "{a = 1, b = 2}"),
            (r#"zipmap(["a"], [1, 2])"#, "error: same length"),
            ("one([])", "null"),
            (r#"one(["hello"])"#, r#""hello""#),
            (
                r#"one(["hello", "goodbye"])"#,
                "error: zero or one elements",
            ),
            ("sum([10, 13, 6, 4.5])", "33.5"),
            ("sum([])", "error: empty list"),
            ("alltrue([\"true\", true])", "true"),
            ("alltrue([true, false])", "false"),
            ("alltrue([])", "true"),
            ("anytrue([true, false])", "true"),
            ("anytrue([])", "false"),
            (
                r#"setunion(["a", "b"], ["b", "c"], ["d"])"#,
                r#"["a", "b", "c", "d"]"#,
            ),
            (
                r#"setintersection(["a", "b"], ["b", "c"], ["b", "d"])"#,
                r#"["b"]"#,
            ),
            (
                r#"chunklist(["a", "b", "c", "d", "e"], 2)"#,
                r#"[["a", "b"], ["c", "d"], ["e"]]"#,
            ),
        ]);
    }
}
