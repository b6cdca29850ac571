//! Where an error's element sits in the policy text, so a caller can point at it
//! (file:line:col when the policy came from a file or a heredoc).

use crate::error::PolicyError;
use crate::lint::PolicyWarning;

/// A JSON value with the byte offset where it starts; only what locating needs.
enum Node {
    Object(Vec<(String, usize, Spanned)>),
    Array(Vec<Spanned>),
    Scalar,
}

struct Spanned {
    start: usize,
    node: Node,
}

impl PolicyError {
    /// The 1-based line and column in `text` (the document that failed to parse) of the
    /// element this error names; `None` when the text does not contain it.
    pub fn line_column(&self, text: &str) -> Option<(usize, usize)> {
        match self {
            PolicyError::Syntax { line, column, .. } => Some((*line, *column)),
            PolicyError::Invalid { path, .. } => locate_path(text, path),
        }
    }
}

impl PolicyWarning {
    /// The 1-based line and column in `text` (the linted document) of the element at fault.
    pub fn line_column(&self, text: &str) -> Option<(usize, usize)> {
        locate_path(text, &self.path)
    }
}

fn locate_path(text: &str, path: &str) -> Option<(usize, usize)> {
    let mut parser = Parser { text, position: 0 };
    let root = parser.value()?;
    let offset = if path == "policy document" {
        root.start
    } else {
        find(&root, path)?
    };
    Some(line_column_at(text, offset))
}

/// Follows `Statement[2].Condition.StringEquals.aws:SourceIp`, matching keys against the
/// document's own keys so that keys holding `.` or `[` still resolve.
fn find(root: &Spanned, path: &str) -> Option<usize> {
    let mut current = root;
    let mut rest = path;
    loop {
        if rest.is_empty() {
            return Some(current.start);
        }
        match &current.node {
            Node::Array(items) => {
                let inner = rest.strip_prefix('[')?;
                let (digits, after) = inner.split_once(']')?;
                current = items.get(digits.parse::<usize>().ok()?)?;
                rest = after.strip_prefix('.').unwrap_or(after);
            }
            Node::Object(members) => {
                let (_, key_start, value, after) = members
                    .iter()
                    .filter_map(|(key, key_start, value)| {
                        let after = rest.strip_prefix(key.as_str())?;
                        let boundary =
                            after.is_empty() || after.starts_with('.') || after.starts_with('[');
                        boundary.then_some((key.len(), *key_start, value, after))
                    })
                    .max_by_key(|(length, ..)| *length)?;
                if after.is_empty() {
                    // Point at the key: that is where the author wrote the element.
                    return Some(key_start);
                }
                current = value;
                rest = after.strip_prefix('.').unwrap_or(after);
            }
            Node::Scalar => return None,
        }
    }
}

fn line_column_at(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |index| index + 1);
    (line, before[line_start..].chars().count() + 1)
}

struct Parser<'a> {
    text: &'a str,
    position: usize,
}

impl Parser<'_> {
    fn skip_white_space(&mut self) {
        let rest = &self.text[self.position..];
        self.position += rest.len() - rest.trim_start().len();
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.position).copied()
    }

    fn value(&mut self) -> Option<Spanned> {
        self.skip_white_space();
        let start = self.position;
        let node = match self.peek()? {
            b'{' => {
                self.position += 1;
                let mut members = Vec::new();
                loop {
                    self.skip_white_space();
                    match self.peek()? {
                        b'}' => {
                            self.position += 1;
                            break;
                        }
                        b',' => self.position += 1,
                        b'"' => {
                            let key_start = self.position;
                            let key = self.string()?;
                            self.skip_white_space();
                            if self.peek()? != b':' {
                                return None;
                            }
                            self.position += 1;
                            let value = self.value()?;
                            members.push((key, key_start, value));
                        }
                        _ => return None,
                    }
                }
                Node::Object(members)
            }
            b'[' => {
                self.position += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_white_space();
                    match self.peek()? {
                        b']' => {
                            self.position += 1;
                            break;
                        }
                        b',' => self.position += 1,
                        _ => items.push(self.value()?),
                    }
                }
                Node::Array(items)
            }
            b'"' => {
                self.string()?;
                Node::Scalar
            }
            _ => {
                let rest = &self.text[self.position..];
                let length = rest
                    .find(|c: char| c == ',' || c == '}' || c == ']' || c.is_whitespace())
                    .unwrap_or(rest.len());
                if length == 0 {
                    return None;
                }
                self.position += length;
                Node::Scalar
            }
        };
        Some(Spanned { start, node })
    }

    /// A string literal's decoded text; the position ends after the closing quote.
    fn string(&mut self) -> Option<String> {
        let rest = &self.text[self.position..];
        let mut escaped = false;
        let mut end = None;
        for (index, character) in rest.char_indices().skip(1) {
            match (escaped, character) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => {
                    end = Some(index);
                    break;
                }
                _ => {}
            }
        }
        let end = end?;
        let literal = &rest[..=end];
        self.position += end + 1;
        serde_json::from_str(literal).ok()
    }
}
