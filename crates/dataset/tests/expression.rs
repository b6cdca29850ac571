//! The filter language, table-driven: expressions in, kept rows or exact errors out.

use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray};
use lathe_dataset::Filter;

fn batch() -> RecordBatch {
    let text: ArrayRef = Arc::new(StringArray::from(vec![
        Some("hello world"),
        Some(""),
        None,
        Some("Summarize this"),
        Some("abc"),
    ]));
    let score: ArrayRef = Arc::new(Float64Array::from(vec![
        Some(0.5),
        Some(1.0),
        Some(2.5),
        None,
        Some(-1.0),
    ]));
    let count: ArrayRef = Arc::new(Int64Array::from(vec![1, 2, 3, 4, 5]));
    let flag: ArrayRef = Arc::new(BooleanArray::from(vec![true, false, true, false, true]));
    RecordBatch::try_from_iter([
        ("text", text),
        ("score", score),
        ("count", count),
        ("flag", flag),
    ])
    .unwrap()
}

fn kept(expression: &str) -> Vec<usize> {
    let batch = batch();
    let filter = Filter::compile(expression, &batch.schema())
        .unwrap_or_else(|error| panic!("{expression}: {error}"));
    let mask = filter.evaluate(&batch).unwrap();
    (0..mask.len()).filter(|row| mask.value(*row)).collect()
}

#[test]
fn expressions_keep_the_expected_rows() {
    let cases: &[(&str, &[usize])] = &[
        ("length(text) > 0", &[0, 3, 4]),
        ("length(text) >= 11", &[0, 3]),
        ("contains(text, \"world\")", &[0]),
        ("contains(lower(text), 'summarize')", &[3]),
        (
            "starts_with(text, 'ab') or ends_with(text, 'world')",
            &[0, 4],
        ),
        ("not contains(text, 'o')", &[1, 3, 4]),
        ("score > 0.7 and count < 4", &[1, 2]),
        ("score == null", &[3]),
        ("text != null and length(text) < 4", &[1, 4]),
        ("text == null", &[2]),
        ("flag", &[0, 2, 4]),
        ("flag == false", &[1, 3]),
        ("!(count <= 2) && flag", &[2, 4]),
        ("count == 3 || count == -1", &[2]),
        ("(score < 0 or score > 2) and flag == true", &[2, 4]),
        ("upper(text) == 'ABC'", &[4]),
        ("text > 'b'", &[0]),
        ("score != 1", &[0, 2, 3, 4]),
    ];
    for (expression, expected) in cases {
        assert_eq!(kept(expression), expected.to_vec(), "{expression}");
    }
}

#[test]
fn mistakes_point_at_their_column() {
    let schema = batch().schema();
    let cases: &[(&str, &str)] = &[
        (
            "length(txt) > 0",
            "filter expression at column 8: unknown column \"txt\"; the columns are [\"text\", \"score\", \"count\", \"flag\"]",
        ),
        (
            "length(text) = 3",
            "filter expression at column 14: use `==` to compare for equality",
        ),
        (
            "length(text)",
            "filter expression at column 1: the expression gives a number, but a filter needs true or false; compare it, e.g. `length(x) > 0`",
        ),
        (
            "text > 3",
            "filter expression at column 6: cannot compare text with a number using `>`",
        ),
        (
            "size(text) > 3",
            "filter expression at column 1: unknown function \"size\"; the functions are length(text), contains(text, part), starts_with(text, prefix), ends_with(text, suffix), lower(text), upper(text)",
        ),
        (
            "contains(text)",
            "filter expression at column 1: contains() takes 2 argument(s), found 1",
        ),
        (
            "length(score) > 1",
            "filter expression at column 8: length() needs text, but this is a number",
        ),
        (
            "contains(text, 'a' and flag)",
            "filter expression at column 20: `and` needs a boolean, but this is text",
        ),
        (
            "(count > 1",
            "filter expression at column 11: expected `)` to close the `(` at column 1, found the end of the expression",
        ),
        (
            "text == 'open",
            "filter expression at column 9: this string is never closed; end it with '",
        ),
        (
            "count > 1 count",
            "filter expression at column 11: unexpected name \"count\"",
        ),
        (
            "count > 1 and",
            "filter expression at column 14: expected a column, a value or `(`, found the end of the expression",
        ),
        (
            "count # 2",
            "filter expression at column 7: unexpected character '#'",
        ),
        (
            "flag < true",
            "filter expression at column 6: `<` needs numbers or text on both sides",
        ),
        (
            "not count",
            "filter expression at column 5: `not` needs a boolean, but this is a number",
        ),
    ];
    for (expression, expected) in cases {
        let error = Filter::compile(expression, &schema)
            .expect_err(expression)
            .to_string();
        let first_line = error.lines().next().unwrap();
        assert_eq!(first_line, *expected, "{expression}");
        assert!(
            error.contains(expression),
            "the error quotes the expression: {error}"
        );
    }
}
