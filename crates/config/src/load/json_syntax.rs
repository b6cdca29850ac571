//! Terraform's JSON configuration syntax (`*.tf.json`), read by translating it to the native
//! syntax with a map back to the JSON's offsets: the rest of the loader is shared, and every
//! diagnostic still points at the JSON's own line and column.
//!
//! As in Terraform, a JSON object is a block when the key names one (`resource`, `lifecycle`,
//! ...), its labels are nested object keys, strings are templates (`"${var.x}"`), `"//"` keys
//! in bodies are comments, and the arguments that take references or keywords
//! (`depends_on`, `provider`, `type`, `ignore_changes`, `when`, ...) take them as strings.
//! Whether an object inside a resource is an argument or a nested block only its provider's
//! schema knows, so such objects stay arguments here and the engine reads them as blocks where
//! the schema says so.

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, OffsetMap, Span};
use std::ops::Range;

/// Deeper JSON than this is not a configuration; the limit keeps recursion bounded.
const MAX_DEPTH: usize = 128;

/// A JSON value and where it was written.
#[derive(Debug)]
struct Node {
    kind: Kind,
    range: Range<usize>,
}

#[derive(Debug)]
enum Kind {
    Object(Vec<Member>),
    Array(Vec<Node>),
    String(String),
    /// A number, `true`, `false` or `null`: the same text in the native syntax.
    Literal,
}

#[derive(Debug)]
struct Member {
    key: String,
    key_range: Range<usize>,
    value: Node,
}

/// The native-syntax text of a JSON configuration file and how its offsets map back.
pub(crate) fn translate(text: &str, file: FileId) -> Result<(String, OffsetMap), Vec<Diagnostic>> {
    let root = Parser {
        text,
        position: 0,
        depth: 0,
    }
    .document()
    .map_err(|(offset, message)| {
        vec![
            Diagnostic::error("Invalid JSON syntax")
                .with_span(Span::new(file, offset..(offset + 1).min(text.len())))
                .with_detail(message)
                .with_help("a .tf.json file holds one JSON object; check for a missing comma, quote or brace here"),
        ]
    })?;
    let mut writer = Writer {
        text,
        file,
        out: String::with_capacity(text.len()),
        map: OffsetMap::default(),
        diagnostics: Vec::new(),
    };
    match &root.kind {
        Kind::Object(members) => {
            for member in comments_skipped(members) {
                let (labels, kind) = top_level_block(&member.key);
                writer.blocks(&member.key, member, labels, &mut Vec::new(), &member.value, kind);
            }
        }
        _ => writer.error(
            &root.range,
            "The root of a .tf.json file must be a JSON object whose keys are block types, e.g. {\"resource\": {...}}.",
        ),
    }
    if writer.diagnostics.is_empty() {
        Ok((writer.out, writer.map))
    } else {
        Err(writer.diagnostics)
    }
}

fn comments_skipped(members: &[Member]) -> impl Iterator<Item = &Member> {
    members.iter().filter(|member| member.key != "//")
}

/// What kind of body a block has: which of its keys are nested blocks, and which arguments
/// take references or keywords written as strings.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Body {
    Terraform,
    Variable,
    Output,
    Resource,
    Lifecycle,
    Provisioner,
    Dynamic,
    /// Attributes only (locals, provider configurations, validation rules, ...).
    Plain,
}

fn top_level_block(key: &str) -> (usize, Body) {
    match key {
        "resource" | "data" => (2, Body::Resource),
        "variable" => (1, Body::Variable),
        "output" => (1, Body::Output),
        "provider" | "module" => (1, Body::Plain),
        "terraform" => (0, Body::Terraform),
        _ => (0, Body::Plain),
    }
}

/// The nested blocks each kind of body has: (labels, body).
fn nested_block(body: Body, key: &str) -> Option<(usize, Body)> {
    Some(match (body, key) {
        (Body::Terraform, "required_providers" | "cloud") => (0, Body::Plain),
        (Body::Terraform, "backend" | "provider_meta") => (1, Body::Plain),
        (Body::Variable, "validation") => (0, Body::Plain),
        (Body::Output, "precondition") => (0, Body::Plain),
        (Body::Resource, "lifecycle") => (0, Body::Lifecycle),
        (Body::Resource, "provisioner") => (1, Body::Provisioner),
        (Body::Resource | Body::Provisioner, "connection") => (0, Body::Plain),
        (Body::Resource | Body::Dynamic, "dynamic") => (1, Body::Dynamic),
        (Body::Dynamic, "content") => (0, Body::Resource),
        (Body::Lifecycle, "precondition" | "postcondition") => (0, Body::Plain),
        _ => return None,
    })
}

/// How an argument's JSON value reads: an expression (strings are templates), or a string
/// holding an expression the native syntax writes bare (a reference, a type, a keyword).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Argument {
    Expression,
    Bare,
    BareList,
}

fn argument(body: Body, name: &str) -> Argument {
    match (body, name) {
        (Body::Variable, "type")
        | (Body::Resource, "provider")
        | (Body::Provisioner, "when" | "on_failure")
        | (Body::Dynamic, "iterator") => Argument::Bare,
        (Body::Resource | Body::Output, "depends_on")
        | (Body::Lifecycle, "ignore_changes" | "replace_triggered_by") => Argument::BareList,
        _ => Argument::Expression,
    }
}

struct Writer<'a> {
    text: &'a str,
    file: FileId,
    out: String,
    map: OffsetMap,
    diagnostics: Vec<Diagnostic>,
}

impl Writer<'_> {
    fn error(&mut self, range: &Range<usize>, detail: &str) {
        self.diagnostics.push(
            Diagnostic::error("Incorrect JSON value type")
                .with_span(Span::new(self.file, range.clone()))
                .with_detail(detail.to_string())
                .with_help("see Terraform's JSON configuration syntax: blocks are objects keyed by their labels"),
        );
    }

    /// Native-syntax text standing for whatever is at `at` in the JSON.
    fn synthesize(&mut self, text: &str, at: usize) {
        self.map.push(self.out.len(), at, false);
        self.out.push_str(text);
    }

    /// `content` copied from the JSON at `at`, offsets mapping one to one.
    fn copy(&mut self, content: &str, at: usize) {
        self.map.push(self.out.len(), at, true);
        self.out.push_str(content);
    }

    /// A JSON string as a native quoted template; the escapes differ slightly, so offsets
    /// inside it can drift by a character or two after an escape.
    fn quoted(&mut self, value: &str, range: &Range<usize>) {
        let mut quoted = String::with_capacity(value.len() + 2);
        quoted.push('"');
        for character in value.chars() {
            match character {
                '"' => quoted.push_str("\\\""),
                '\\' => quoted.push_str("\\\\"),
                '\n' => quoted.push_str("\\n"),
                '\r' => quoted.push_str("\\r"),
                '\t' => quoted.push_str("\\t"),
                control if control.is_control() => {
                    quoted.push_str(&format!("\\u{:04x}", control as u32));
                }
                other => quoted.push(other),
            }
        }
        quoted.push('"');
        self.copy(&quoted, range.start);
    }

    /// Blocks of type `name` from `value`: nested objects down the labels, then a body (or an
    /// array of bodies).
    fn blocks(
        &mut self,
        name: &str,
        type_member: &Member,
        labels_left: usize,
        labels: &mut Vec<(String, Range<usize>)>,
        value: &Node,
        body: Body,
    ) {
        match (&value.kind, labels_left) {
            (Kind::Array(items), _) => {
                for item in items {
                    self.blocks(name, type_member, labels_left, labels, item, body);
                }
            }
            (Kind::Object(members), 0) => {
                if !is_identifier(name) {
                    self.error(&type_member.key_range, &format!("\"{name}\" is not a valid block type name."));
                    return;
                }
                self.copy(name, type_member.key_range.start + 1);
                for (label, range) in labels.iter() {
                    self.synthesize(" ", range.start);
                    self.quoted(label, range);
                }
                self.synthesize(" {\n", value.range.start);
                self.body(members, body);
                self.synthesize("}\n", value.range.end.saturating_sub(1));
            }
            (Kind::Object(members), _) => {
                for member in comments_skipped(members) {
                    labels.push((member.key.clone(), member.key_range.clone()));
                    self.blocks(name, type_member, labels_left - 1, labels, &member.value, body);
                    labels.pop();
                }
            }
            _ => self.error(
                &value.range,
                &if labels_left > 0 {
                    format!("A \"{name}\" block needs {labels_left} more label(s) here: a JSON object whose keys are the labels.")
                } else {
                    format!("The body of a \"{name}\" block must be a JSON object (or an array of them).")
                },
            ),
        }
    }

    fn body(&mut self, members: &[Member], body: Body) {
        for member in comments_skipped(members) {
            if let Some((labels, nested)) = nested_block(body, &member.key) {
                self.blocks(
                    &member.key,
                    member,
                    labels,
                    &mut Vec::new(),
                    &member.value,
                    nested,
                );
                continue;
            }
            if !is_identifier(&member.key) {
                self.diagnostics.push(
                    Diagnostic::error("Invalid argument name")
                        .with_span(Span::new(self.file, member.key_range.clone()))
                        .with_detail(format!("\"{}\" is not a valid argument name.", member.key))
                        .with_help("argument names start with a letter or underscore and hold letters, digits, underscores and dashes"),
                );
                continue;
            }
            self.copy(&member.key, member.key_range.start + 1);
            self.synthesize(" = ", member.value.range.start);
            match argument(body, &member.key) {
                Argument::Expression => self.expression(&member.value),
                Argument::Bare => self.bare(&member.value),
                Argument::BareList => match &member.value.kind {
                    Kind::Array(items) => {
                        self.synthesize("[", member.value.range.start);
                        for (index, item) in items.iter().enumerate() {
                            if index > 0 {
                                self.synthesize(", ", item.range.start);
                            }
                            self.bare(item);
                        }
                        self.synthesize("]", member.value.range.end.saturating_sub(1));
                    }
                    _ => self.bare(&member.value),
                },
            }
            self.synthesize("\n", member.value.range.end);
        }
    }

    /// A string whose content is written bare (`"aws_s3_bucket.b"` as `aws_s3_bucket.b`);
    /// `"${...}"` around it is allowed, as older Terraform versions wrote it.
    fn bare(&mut self, node: &Node) {
        let Kind::String(content) = &node.kind else {
            self.expression(node);
            return;
        };
        let (bare, offset) = match content
            .strip_prefix("${")
            .and_then(|inner| inner.strip_suffix('}'))
        {
            Some(inner) => (inner, 2),
            None => (content.as_str(), 0),
        };
        self.copy(bare, node.range.start + 1 + offset);
    }

    fn expression(&mut self, node: &Node) {
        match &node.kind {
            Kind::String(value) => self.quoted(value, &node.range),
            Kind::Literal => {
                let text = &self.text[node.range.clone()];
                self.copy(text, node.range.start);
            }
            Kind::Array(items) => {
                self.synthesize("[", node.range.start);
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        self.synthesize(", ", item.range.start);
                    }
                    self.expression(item);
                }
                self.synthesize("]", node.range.end.saturating_sub(1));
            }
            Kind::Object(members) => {
                self.synthesize("{\n", node.range.start);
                for member in members {
                    self.quoted(&member.key, &member.key_range);
                    self.synthesize(" = ", member.value.range.start);
                    self.expression(&member.value);
                    self.synthesize("\n", member.value.range.end);
                }
                self.synthesize("}", node.range.end.saturating_sub(1));
            }
        }
    }
}

fn is_identifier(name: &str) -> bool {
    let mut characters = name.chars();
    characters
        .next()
        .is_some_and(|first| first.is_alphabetic() || first == '_')
        && characters.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// A strict JSON parser that keeps every value's byte range.
struct Parser<'a> {
    text: &'a str,
    position: usize,
    depth: usize,
}

type Parsed<T> = Result<T, (usize, String)>;

impl Parser<'_> {
    fn document(mut self) -> Parsed<Node> {
        let root = self.value()?;
        self.whitespace();
        if self.position < self.text.len() {
            return Err((
                self.position,
                "Extra characters after the end of the JSON object.".into(),
            ));
        }
        Ok(root)
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.position).copied()
    }

    fn whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.position += 1;
        }
    }

    fn expect(&mut self, byte: u8, what: &str) -> Parsed<()> {
        self.whitespace();
        if self.peek() == Some(byte) {
            self.position += 1;
            Ok(())
        } else {
            Err((self.position, format!("Expected {what} here.")))
        }
    }

    fn value(&mut self) -> Parsed<Node> {
        self.whitespace();
        let start = self.position;
        let kind =
            match self.peek() {
                Some(b'{') => self.nested(Self::object)?,
                Some(b'[') => self.nested(Self::array)?,
                Some(b'"') => Kind::String(self.string()?),
                Some(b'-' | b'0'..=b'9') => {
                    self.number()?;
                    Kind::Literal
                }
                Some(b't' | b'f' | b'n') => {
                    let rest = &self.text[start..];
                    let word = ["true", "false", "null"]
                        .into_iter()
                        .find(|word| rest.starts_with(word))
                        .ok_or((
                            start,
                            "Expected a JSON value (true, false or null?).".to_string(),
                        ))?;
                    self.position += word.len();
                    Kind::Literal
                }
                None => return Err((start, "The JSON ends where a value was expected.".into())),
                Some(_) => return Err((
                    start,
                    "Expected a JSON value: an object, array, string, number, true, false or null."
                        .into(),
                )),
            };
        Ok(Node {
            kind,
            range: start..self.position,
        })
    }

    fn nested(&mut self, parse: fn(&mut Self) -> Parsed<Kind>) -> Parsed<Kind> {
        if self.depth >= MAX_DEPTH {
            return Err((
                self.position,
                format!("The JSON nests more than {MAX_DEPTH} levels deep."),
            ));
        }
        self.depth += 1;
        let result = parse(self);
        self.depth -= 1;
        result
    }

    /// The elements of an object or array, each read by `element`, up to `close`.
    fn elements<T>(
        &mut self,
        close: u8,
        closing: &str,
        mut element: impl FnMut(&mut Self) -> Parsed<T>,
    ) -> Parsed<Vec<T>> {
        self.position += 1;
        let mut elements = Vec::new();
        self.whitespace();
        if self.peek() == Some(close) {
            self.position += 1;
            return Ok(elements);
        }
        loop {
            elements.push(element(self)?);
            self.whitespace();
            match self.peek() {
                Some(b',') => self.position += 1,
                Some(found) if found == close => {
                    self.position += 1;
                    return Ok(elements);
                }
                _ => {
                    return Err((
                        self.position,
                        format!("Expected a comma or a closing {closing} here."),
                    ));
                }
            }
        }
    }

    fn object(&mut self) -> Parsed<Kind> {
        let members = self.elements(b'}', "brace", |parser| {
            parser.whitespace();
            let key_start = parser.position;
            if parser.peek() != Some(b'"') {
                return Err((key_start, "Expected a quoted object key here.".into()));
            }
            let key = parser.string()?;
            let key_range = key_start..parser.position;
            parser.expect(b':', "a colon after the object key")?;
            Ok(Member {
                key,
                key_range,
                value: parser.value()?,
            })
        })?;
        Ok(Kind::Object(members))
    }

    fn array(&mut self) -> Parsed<Kind> {
        Ok(Kind::Array(self.elements(b']', "bracket", Self::value)?))
    }

    fn string(&mut self) -> Parsed<String> {
        let start = self.position;
        self.position += 1;
        let mut value = String::new();
        loop {
            let rest = &self.text[self.position..];
            let Some(character) = rest.chars().next() else {
                return Err((start, "This string is never closed.".into()));
            };
            self.position += character.len_utf8();
            match character {
                '"' => return Ok(value),
                '\\' => value.push(self.escape()?),
                control if (control as u32) < 0x20 => {
                    return Err((
                        self.position - 1,
                        "A JSON string cannot hold a raw control character or line break; write it as an escape such as \\n.".into(),
                    ));
                }
                other => value.push(other),
            }
        }
    }

    fn escape(&mut self) -> Parsed<char> {
        let at = self.position - 1;
        let Some(code) = self.peek() else {
            return Err((at, "This string is never closed.".into()));
        };
        self.position += 1;
        Ok(match code {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let high = self.hex4(at)?;
                if (0xD800..0xDC00).contains(&high) {
                    if !self.text[self.position..].starts_with("\\u") {
                        return Err((
                            at,
                            "A UTF-16 high surrogate must be followed by a low one.".into(),
                        ));
                    }
                    self.position += 2;
                    let low = self.hex4(at)?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err((
                            at,
                            "A UTF-16 high surrogate must be followed by a low one.".into(),
                        ));
                    }
                    let combined = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                    char::from_u32(combined).ok_or((at, "Invalid Unicode escape.".to_string()))?
                } else {
                    char::from_u32(high).ok_or((at, "Invalid Unicode escape.".to_string()))?
                }
            }
            _ => {
                return Err((
                    at,
                    "Invalid escape: JSON knows \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX."
                        .into(),
                ));
            }
        })
    }

    fn hex4(&mut self, at: usize) -> Parsed<u32> {
        let digits = self
            .text
            .get(self.position..self.position + 4)
            .filter(|digits| digits.bytes().all(|byte| byte.is_ascii_hexdigit()))
            .ok_or((
                at,
                "\\u must be followed by four hexadecimal digits.".to_string(),
            ))?;
        self.position += 4;
        u32::from_str_radix(digits, 16).map_err(|_| (at, "Invalid Unicode escape.".to_string()))
    }

    fn number(&mut self) -> Parsed<()> {
        let start = self.position;
        let bytes = self.text.as_bytes();
        let digits = |position: &mut usize| {
            let from = *position;
            while bytes.get(*position).is_some_and(u8::is_ascii_digit) {
                *position += 1;
            }
            *position > from
        };
        let mut position = self.position;
        if bytes.get(position) == Some(&b'-') {
            position += 1;
        }
        let integer_start = position;
        if !digits(&mut position) || (bytes[integer_start] == b'0' && position - integer_start > 1)
        {
            return Err((
                start,
                "Invalid number: no leading zeros, digits required.".into(),
            ));
        }
        if bytes.get(position) == Some(&b'.') {
            position += 1;
            if !digits(&mut position) {
                return Err((
                    start,
                    "Invalid number: digits are required after the decimal point.".into(),
                ));
            }
        }
        if matches!(bytes.get(position), Some(b'e' | b'E')) {
            position += 1;
            if matches!(bytes.get(position), Some(b'+' | b'-')) {
                position += 1;
            }
            if !digits(&mut position) {
                return Err((
                    start,
                    "Invalid number: digits are required in the exponent.".into(),
                ));
            }
        }
        self.position = position;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn translated(json: &str) -> String {
        translate(json, FileId(0))
            .map(|(text, _)| text)
            .unwrap_or_else(|errors| {
                panic!(
                    "{:?}",
                    errors.iter().map(|e| e.detail.clone()).collect::<Vec<_>>()
                )
            })
    }

    fn error(json: &str) -> (String, usize) {
        let errors = translate(json, FileId(0)).expect_err("an error");
        let first = &errors[0];
        (
            first.detail.clone().unwrap_or_default(),
            first.span.as_ref().map_or(0, |span| span.range.start),
        )
    }

    #[test]
    fn blocks_labels_and_arguments_translate_to_the_native_syntax() {
        let cases = [
            (
                r#"{"resource": {"fake_bucket": {"data": {"name": "d-${var.x}", "count": 2}}}}"#,
                "resource \"fake_bucket\" \"data\" {\nname = \"d-${var.x}\"\ncount = 2\n}\n",
            ),
            (
                r#"{"variable": {"region": {"type": "list(string)", "default": ["a"]}}}"#,
                "variable \"region\" {\ntype = list(string)\ndefault = [\"a\"]\n}\n",
            ),
            (
                r#"{"//": "comment", "locals": [{"a": 1}, {"b": {"k": null}}]}"#,
                "locals {\na = 1\n}\nlocals {\nb = {\n\"k\" = null\n}\n}\n",
            ),
            (
                r#"{"resource": {"t": {"a": {"depends_on": ["t.b"], "lifecycle": {"ignore_changes": "all"}, "provisioner": {"local-exec": {"command": "echo", "when": "destroy"}}}}}}"#,
                "resource \"t\" \"a\" {\ndepends_on = [t.b]\nlifecycle {\nignore_changes = all\n}\nprovisioner \"local-exec\" {\ncommand = \"echo\"\nwhen = destroy\n}\n}\n",
            ),
            (
                r#"{"output": {"o": {"value": "${var.x}", "depends_on": ["${t.a}"]}}}"#,
                "output \"o\" {\nvalue = \"${var.x}\"\ndepends_on = [t.a]\n}\n",
            ),
            (
                r#"{"provider": {"aws": [{"region": "a"}, {"alias": "b"}]}}"#,
                "provider \"aws\" {\nregion = \"a\"\n}\nprovider \"aws\" {\nalias = \"b\"\n}\n",
            ),
            (
                r#"{"locals": {"s": "tab\there \"q\" \u00e9 \ud83d\ude00 \/"}}"#,
                "locals {\ns = \"tab\\there \\\"q\\\" é 😀 /\"\n}\n",
            ),
        ];
        for (json, expected) in cases {
            assert_eq!(translated(json), expected, "{json}");
        }
    }

    #[test]
    fn malformed_json_and_wrong_shapes_are_located() {
        let cases: [(&str, &str, usize); 7] = [
            (r#"{"locals": {"a": 1,}}"#, "quoted object key", 19),
            (r#"{"locals": {"a" 1}}"#, "colon", 16),
            (r#"{"locals": {"a": tru}}"#, "JSON value", 17),
            (r#"{"locals": {"a": 01}}"#, "leading zeros", 17),
            (r#"["resource"]"#, "root of a .tf.json", 0),
            (r#"{"resource": {"t": "x"}}"#, "1 more label", 19),
            (r#"{"locals": {"a b": 1}}"#, "not a valid argument name", 12),
        ];
        for (json, fragment, offset) in cases {
            let (detail, at) = error(json);
            assert!(detail.contains(fragment), "{json}: {detail}");
            assert_eq!(at, offset, "{json}: {detail}");
        }
        assert!(error("{\"a\": \"x").0.contains("never closed"));
        let deep = "[".repeat(MAX_DEPTH + 2);
        assert!(
            error(&format!("{{\"locals\": {{\"a\": {deep}}}}}"))
                .0
                .contains("levels deep")
        );
    }

    #[test]
    fn offsets_map_back_into_the_json() {
        let json = "{\n  \"locals\": {\n    \"name\": \"x-${var.y}\"\n  }\n}\n";
        let (text, map) = translate(json, FileId(0)).unwrap();
        let translated_offset = text.find("var.y").unwrap();
        assert_eq!(map.original(translated_offset), json.find("var.y").unwrap());
        let name_offset = text.find("name").unwrap();
        assert_eq!(map.original(name_offset), json.find("name").unwrap());
        assert_eq!(
            map.original(text.find("locals").unwrap()),
            json.find("locals").unwrap()
        );
    }
}
