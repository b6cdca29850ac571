//! Parsing one file with recovery: a broken top-level block is reported and blanked out, and
//! parsing resumes, so every broken block in a file is reported at once.

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span, clamp_to_char_boundary};
use std::ops::Range;

/// More syntax errors than this in one file are not worth reporting individually.
const MAX_SYNTAX_ERRORS: usize = 50;

/// A top-level chunk of the file: a block (or stray line) starting at column 0.
struct Chunk {
    range: Range<usize>,
    /// `{` minus `}` outside strings and comments.
    brace_balance: i64,
}

/// Splits the text at lines that start with an identifier character at column 0, the shape of
/// every top-level block in a formatted file.
fn chunks(text: &str) -> Vec<Chunk> {
    let mut starts = vec![0];
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if offset > 0 && line.starts_with(|c: char| c.is_alphabetic() || c == '_') {
            starts.push(offset);
        }
        offset += line.len();
    }
    starts
        .iter()
        .enumerate()
        .map(|(index, &start)| {
            let end = starts.get(index + 1).copied().unwrap_or(text.len());
            Chunk {
                range: start..end,
                brace_balance: brace_balance(&text[start..end]),
            }
        })
        .collect()
}

fn brace_balance(text: &str) -> i64 {
    let mut balance = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                while let Some(inner) = chars.next() {
                    match inner {
                        '\\' => {
                            chars.next();
                        }
                        '"' | '\n' => break,
                        _ => {}
                    }
                }
            }
            '#' => {
                for inner in chars.by_ref() {
                    if inner == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                for inner in chars.by_ref() {
                    if inner == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut previous = ' ';
                for inner in chars.by_ref() {
                    if previous == '*' && inner == '/' {
                        break;
                    }
                    previous = inner;
                }
            }
            '{' => balance += 1,
            '}' => balance -= 1,
            _ => {}
        }
    }
    balance
}

/// Replaces `range` with spaces, keeping newlines so later offsets and lines stay put.
fn blank(text: &mut String, range: Range<usize>) {
    let mut padded = String::with_capacity(range.len());
    for original in text[range.clone()].chars() {
        if original == '\n' {
            padded.push('\n');
        } else {
            // As many spaces as the character had bytes, so later offsets stay put.
            padded.push_str(&" ".repeat(original.len_utf8()));
        }
    }
    text.replace_range(range, &padded);
}

fn syntax_help(message: &str) -> &'static str {
    if message.starts_with("invalid expression") {
        "a value is needed here: a string, number, bool, list, object, reference or function call"
    } else if message.contains("expected `}`")
        || message.contains("expected `]`")
        || message.contains("expected `)`")
    {
        "check that every opening bracket has its closing one"
    } else if message.contains("expected `=`") || message.contains("expected `{`") {
        "an argument is written `name = value`, a block `type \"label\" { ... }`"
    } else if message.contains("expected `\"`") {
        "check for an unterminated string"
    } else if message.contains("expected newline") {
        "an argument ends at the end of its line: put each argument on its own line, and join values with operators or commas"
    } else {
        "fix the syntax here; the rest of this block was skipped"
    }
}

/// Parses `text`, returning the body of everything that parsed and one diagnostic per broken
/// top-level block.
pub(crate) fn parse_body(text: &str, file: FileId) -> (hcl_edit::structure::Body, Vec<Diagnostic>) {
    let mut working = text.to_string();
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    loop {
        let error = match hcl_edit::parser::parse_body(&working) {
            Ok(body) => return (body, diagnostics),
            Err(error) => error,
        };
        let offset = clamp_to_char_boundary(&working, error.location().offset());
        let all_chunks = chunks(&working);
        let at_end = working[offset..].trim().len() <= 1;
        let unclosed = at_end
            .then(|| all_chunks.iter().find(|c| c.brace_balance > 0))
            .flatten();
        let (chunk_range, diagnostic) = match unclosed {
            Some(chunk) => {
                let header_end = working[chunk.range.clone()]
                    .find('\n')
                    .map_or(chunk.range.end, |n| chunk.range.start + n);
                let header = chunk.range.start..header_end;
                (
                    chunk.range.clone(),
                    Diagnostic::error("Unclosed configuration block")
                        .with_span(Span::new(file, header))
                        .with_detail(
                            "There is no closing brace for this block before the end of the file.",
                        )
                        .with_help("add the missing `}` at the end of the block"),
                )
            }
            None => {
                let chunk = all_chunks
                    .iter()
                    .find(|c| c.range.contains(&offset))
                    .map_or(0..working.len(), |c| c.range.clone());
                let end = clamp_to_char_boundary(&working, offset + 1).max(offset);
                let end = if end == offset && offset < working.len() {
                    offset + working[offset..].chars().next().map_or(0, char::len_utf8)
                } else {
                    end
                };
                (
                    chunk,
                    Diagnostic::error("Invalid syntax")
                        .with_span(Span::new(file, offset..end))
                        .with_detail(capitalize(error.message()))
                        .with_help(syntax_help(error.message())),
                )
            }
        };
        if !diagnostics.contains(&diagnostic) {
            diagnostics.push(diagnostic);
        }
        let before = working.clone();
        blank(&mut working, chunk_range);
        if working == before || diagnostics.len() >= MAX_SYNTAX_ERRORS {
            return (hcl_edit::structure::Body::new(), diagnostics);
        }
    }
}

fn capitalize(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => "Invalid syntax.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_broken_block_is_reported_and_the_rest_parses() {
        let text = "variable \"a\" {\n  default = \n}\n\nlocals {\n  ok = 1\n}\n\noutput \"b\" {\n  value = [1,\n}\n\nlocals {\n  fine = 2\n}\n";
        let (body, diagnostics) = parse_body(text, FileId(0));
        assert_eq!(diagnostics.len(), 2, "{diagnostics:#?}");
        assert_eq!(body.blocks().count(), 2);
        assert!(diagnostics.iter().all(|d| d.summary == "Invalid syntax"));
    }

    #[test]
    fn an_unclosed_block_is_reported_at_its_header() {
        let text = "locals {\n  a = 1\n\nresource \"x\" \"y\" {\n}\n";
        let (_, diagnostics) = parse_body(text, FileId(0));
        assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
        assert_eq!(diagnostics[0].summary, "Unclosed configuration block");
        assert_eq!(diagnostics[0].span.as_ref().unwrap().range, 0..8);
    }

    #[test]
    fn blanking_keeps_offsets_for_multibyte_text() {
        let mut text = "é\nx".to_string();
        let length = text.len();
        blank(&mut text, 0..length);
        assert_eq!(text, "  \n ");
    }
}
