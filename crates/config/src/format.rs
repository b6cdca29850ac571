//! `lathe fmt`: canonical layout like `terraform fmt` (two-space indentation, `=` aligned within
//! runs of single-line arguments), leaving expressions, comments and heredocs as written.

use crate::diagnostic::Diagnostics;
use crate::source::FileId;

/// Formats a configuration file. Syntax errors are returned with spans in `FileId(0)`, the id the
/// text gets when it is the first file added to a `Sources`.
pub fn format_source(text: &str) -> Result<String, Diagnostics> {
    let (_, syntax_errors) = crate::load::parse_tfvars(text, FileId(0));
    if !syntax_errors.is_empty() {
        return Err(Diagnostics(syntax_errors));
    }
    let lines = scan_lines(text);
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut index = 0;
    while index < lines.len() {
        let line = &lines[index];
        if line.verbatim {
            out.push(line.text.to_string());
            index += 1;
            continue;
        }
        if line.assignment.is_some() {
            // A run: consecutive single-line assignments at one depth. An argument whose value
            // spans lines stands alone, as in `terraform fmt`.
            let mut end = index + 1;
            if !line.opens_block {
                while end < lines.len()
                    && lines[end].assignment.is_some()
                    && lines[end].depth == line.depth
                    && !lines[end].verbatim
                    && !lines[end].opens_block
                {
                    end += 1;
                }
            }
            let width = lines[index..end]
                .iter()
                .filter_map(|l| l.assignment.map(|(key, _)| key.chars().count()))
                .max()
                .unwrap_or(0);
            for run_line in &lines[index..end] {
                let (key, value) = run_line.assignment.unwrap_or(("", ""));
                let padding = " ".repeat(width - key.chars().count());
                out.push(format!(
                    "{}{key}{padding} = {value}",
                    indent(run_line.depth)
                ));
            }
            index = end;
            continue;
        }
        let trimmed = line.text.trim();
        out.push(if trimmed.is_empty() {
            String::new()
        } else {
            format!("{}{trimmed}", indent(line.depth))
        });
        index += 1;
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    let mut formatted = out.join("\n");
    formatted.push('\n');
    Ok(formatted)
}

fn indent(depth: usize) -> String {
    "  ".repeat(depth)
}

struct Line<'a> {
    text: &'a str,
    depth: usize,
    /// Inside a heredoc or a multi-line comment: kept byte for byte.
    verbatim: bool,
    /// `name = value` with both sides trimmed, when the line is an argument.
    assignment: Option<(&'a str, &'a str)>,
    /// Whether the line leaves a bracket open (its value continues on later lines).
    opens_block: bool,
}

#[derive(Clone, PartialEq)]
enum State {
    Code,
    BlockComment,
    Heredoc(String),
}

fn scan_lines(text: &str) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    let mut depth: usize = 0;
    let mut state = State::Code;
    for raw in text.lines() {
        let raw = raw.trim_end_matches('\r');
        if let State::Heredoc(delimiter) = &state {
            if raw.trim() == delimiter.as_str() {
                state = State::Code;
            }
            lines.push(Line {
                text: raw,
                depth,
                verbatim: true,
                assignment: None,
                opens_block: false,
            });
            continue;
        }
        if state == State::BlockComment {
            if raw.contains("*/") {
                state = State::Code;
            }
            lines.push(Line {
                text: raw,
                depth,
                verbatim: true,
                assignment: None,
                opens_block: false,
            });
            continue;
        }
        let trimmed = raw.trim();
        let leading_closers = trimmed
            .chars()
            .take_while(|c| matches!(c, '}' | ']' | ')'))
            .count();
        let (opened, closed, next_state) = bracket_counts(trimmed);
        let line_depth = depth.saturating_sub(leading_closers);
        let net = opened as i64 - closed as i64;
        depth = (depth as i64 + net).max(0) as usize;
        let opens_block = net > 0 || matches!(next_state, State::Heredoc(_));
        let assignment = if next_state == State::BlockComment {
            None
        } else {
            split_assignment(trimmed)
        };
        lines.push(Line {
            text: raw,
            depth: line_depth,
            verbatim: false,
            assignment,
            opens_block,
        });
        state = next_state;
    }
    lines
}

/// `name = value` where name is an identifier or a quoted key and `=` is not part of `==`.
fn split_assignment(line: &str) -> Option<(&str, &str)> {
    let key_end = if let Some(quoted) = line.strip_prefix('"') {
        let mut escaped = false;
        let closing = quoted.char_indices().find(|&(_, c)| {
            let done = c == '"' && !escaped;
            escaped = c == '\\' && !escaped;
            done
        })?;
        1 + closing.0 + 1
    } else {
        let end = line.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))?;
        if end == 0 || !line.starts_with(|c: char| c.is_alphabetic() || c == '_') {
            return None;
        }
        end
    };
    let rest = line[key_end..].trim_start();
    let value = rest.strip_prefix('=')?;
    if value.starts_with('=') {
        return None;
    }
    Some((&line[..key_end], value.trim()))
}

/// Brackets opened and closed on a line outside strings and comments, and the state after it.
fn bracket_counts(line: &str) -> (usize, usize, State) {
    let (mut opened, mut closed) = (0, 0);
    let mut chars = line.char_indices().peekable();
    while let Some((position, c)) = chars.next() {
        match c {
            '"' => {
                let mut template_depth = 0;
                while let Some((_, inner)) = chars.next() {
                    match inner {
                        '\\' => {
                            chars.next();
                        }
                        '$' | '%' if chars.peek().is_some_and(|(_, n)| *n == '{') => {
                            chars.next();
                            template_depth += 1;
                        }
                        '}' if template_depth > 0 => template_depth -= 1,
                        '"' if template_depth == 0 => break,
                        _ => {}
                    }
                }
            }
            '#' => break,
            '/' if chars.peek().is_some_and(|(_, n)| *n == '/') => break,
            '/' if chars.peek().is_some_and(|(_, n)| *n == '*') => {
                let rest = &line[position + 2..];
                match rest.find("*/") {
                    Some(end) => {
                        let skip_to = position + 2 + end + 2;
                        while chars.peek().is_some_and(|(p, _)| *p < skip_to) {
                            chars.next();
                        }
                    }
                    None => return (opened, closed, State::BlockComment),
                }
            }
            '<' if line[position..].starts_with("<<") => {
                let rest = line[position + 2..].trim_start_matches('-');
                let delimiter: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !delimiter.is_empty() {
                    return (opened, closed, State::Heredoc(delimiter));
                }
            }
            '{' | '[' | '(' => opened += 1,
            '}' | ']' | ')' => closed += 1,
            _ => {}
        }
    }
    (opened, closed, State::Code)
}

#[cfg(test)]
mod tests {
    use super::format_source;

    #[test]
    fn indents_and_aligns_like_terraform_fmt() {
        let input = "resource \"aws_s3_bucket\" \"b\" {\nbucket = \"x\"\n    force_destroy=true\n  tags = {\n  Name = \"n\"\n      LongerName = \"m\"\n  }\n\n  lifecycle {\n prevent_destroy = true\n  }\n}\n\n\n";
        let expected = "resource \"aws_s3_bucket\" \"b\" {\n  bucket        = \"x\"\n  force_destroy = true\n  tags = {\n    Name       = \"n\"\n    LongerName = \"m\"\n  }\n\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n";
        assert_eq!(format_source(input).unwrap(), expected);
        assert_eq!(
            format_source(expected).unwrap(),
            expected,
            "formatting is idempotent"
        );
    }

    #[test]
    fn heredocs_comments_and_strings_are_kept() {
        let quoted = "locals {\n  tags = {\n    \"a-b\" = 1\n    long_name = 2\n  }\n}\n";
        let aligned = "locals {\n  tags = {\n    \"a-b\"     = 1\n    long_name = 2\n  }\n}\n";
        assert_eq!(format_source(quoted).unwrap(), aligned);
        let input = "locals {\n  # a { comment\n  text = <<EOT\n   keep {\n EOT\n  s = \"}{\"\n  eq = 1 == 1\n}\n";
        let expected = "locals {\n  # a { comment\n  text = <<EOT\n   keep {\n EOT\n  s  = \"}{\"\n  eq = 1 == 1\n}\n";
        assert_eq!(format_source(input).unwrap(), expected);
    }

    #[test]
    fn syntax_errors_are_reported() {
        let error = format_source("locals {\n  a = \n}\n").unwrap_err();
        assert!(error.has_errors());
    }
}
