//! miette-style text rendering of one diagnostic with its source line underlined.

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{Sources, Span};
use std::fmt::Write;

const RED: &str = "\x1b[31;1m";
const YELLOW: &str = "\x1b[33;1m";
const CYAN: &str = "\x1b[36;1m";
const BLUE: &str = "\x1b[34m";
const RESET: &str = "\x1b[0m";

struct Palette {
    color: bool,
}

impl Palette {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("{code}{text}{RESET}")
        } else {
            text.to_string()
        }
    }
}

pub(crate) fn render_diagnostic(
    out: &mut String,
    diagnostic: &Diagnostic,
    sources: &Sources,
    color: bool,
) {
    let palette = Palette { color };
    let (title, accent) = match diagnostic.severity {
        Severity::Error => ("Error", RED),
        Severity::Warning => ("Warning", YELLOW),
    };
    let _ = writeln!(
        out,
        "{}: {}",
        palette.paint(accent, title),
        diagnostic.summary
    );
    let mut snippets: Vec<(&Span, Option<&str>, char, &str)> = Vec::new();
    if let Some(span) = &diagnostic.span {
        snippets.push((span, None, '^', accent));
    }
    for (span, message) in &diagnostic.labels {
        snippets.push((span, Some(message.as_str()), '-', BLUE));
    }
    for (span, message, marker, marker_color) in snippets {
        if sources.get_text(span.file).is_none() {
            continue;
        }
        render_snippet(out, sources, span, message, marker, marker_color, &palette);
    }
    if let Some(detail) = &diagnostic.detail {
        for line in detail.lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
    if let Some(help) = &diagnostic.help {
        let _ = writeln!(out, "{}: {help}", palette.paint(CYAN, "help"));
    }
}

fn render_snippet(
    out: &mut String,
    sources: &Sources,
    span: &Span,
    message: Option<&str>,
    marker: char,
    marker_color: &str,
    palette: &Palette,
) {
    let (line, column) = sources.line_col(span);
    let (end_line, end_column) = sources.offset_line_col(span.file, span.range.end);
    let line_text = sources.line_text(span.file, line);
    let gutter = " ".repeat(line.to_string().len());
    let _ = writeln!(
        out,
        "{gutter}{} {}:{line}:{column}",
        palette.paint(BLUE, "-->"),
        sources.path(span.file).display()
    );
    let _ = writeln!(out, "{gutter} {}", palette.paint(BLUE, "|"));
    let shown = line_text.replace('\t', " ");
    let _ = writeln!(
        out,
        "{} {} {shown}",
        palette.paint(BLUE, &line.to_string()),
        palette.paint(BLUE, "|")
    );
    let line_width = line_text.chars().count();
    let underline_end = if end_line == line {
        end_column
    } else {
        line_width + 1
    };
    let width = underline_end.saturating_sub(column).max(1);
    let mut underline = String::new();
    underline.push_str(&" ".repeat(column - 1));
    let marks: String = std::iter::repeat_n(marker, width).collect();
    underline.push_str(&palette.paint(marker_color, &marks));
    if let Some(message) = message {
        underline.push(' ');
        underline.push_str(&palette.paint(marker_color, message));
    }
    let _ = writeln!(out, "{gutter} {} {underline}", palette.paint(BLUE, "|"));
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::{Diagnostic, Diagnostics};
    use crate::source::{Sources, Span};

    #[test]
    fn renders_location_line_underline_detail_and_help() {
        let mut sources = Sources::new();
        let file = sources.add(
            "main.tf".into(),
            "variable \"region\" {}\n\nlocals {\n  name = var.regoin\n}\n".into(),
        );
        let start = sources.text(file).find("var.regoin").unwrap();
        let diagnostics = Diagnostics(vec![
            Diagnostic::error("Reference to undeclared input variable")
                .with_span(Span::new(file, start..start + 10))
                .with_detail("An input variable with the name \"regoin\" has not been declared.")
                .with_help("did you mean `var.region`?"),
        ]);
        let expected = "Error: Reference to undeclared input variable
 --> main.tf:4:10
  |
4 |   name = var.regoin
  |          ^^^^^^^^^^
  An input variable with the name \"regoin\" has not been declared.
help: did you mean `var.region`?
";
        assert_eq!(diagnostics.render(&sources, false), expected);
        let colored = diagnostics.render(&sources, true);
        assert!(
            colored.starts_with("\x1b[31;1mError\x1b[0m: Reference to undeclared input variable\n")
        );
        assert!(colored.contains("\x1b[31;1m^^^^^^^^^^\x1b[0m"));
        let json = diagnostics.to_json(&sources);
        assert_eq!(json[0]["range"]["start"]["line"], 4);
        assert_eq!(json[0]["range"]["start"]["column"], 10);
        assert_eq!(json[0]["range"]["end"]["column"], 20);
        assert_eq!(json[0]["snippet"]["highlight_start_offset"], 9);
        assert_eq!(json[0]["snippet"]["context"], "locals");
        assert_eq!(json[0]["snippet"]["highlight_end_offset"], 19);
    }
}
