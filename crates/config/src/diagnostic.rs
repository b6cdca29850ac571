//! Diagnostics: what went wrong, where, and how to fix it; rendered like miette or as Terraform's JSON.

use crate::source::{Sources, Span};
use serde_json::json;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: Option<String>,
    pub help: Option<String>,
    pub span: Option<Span>,
    pub labels: Vec<(Span, String)>,
}

impl Diagnostic {
    pub fn error(summary: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            detail: None,
            help: None,
            span: None,
            labels: Vec::new(),
        }
    }

    pub fn warning(summary: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(summary)
        }
    }

    pub fn with_span(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push((span, message.into()));
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Terraform's `validate -json` shape for one diagnostic.
    pub fn to_json(&self, sources: &Sources) -> serde_json::Value {
        let mut object = serde_json::Map::new();
        object.insert("severity".into(), json!(self.severity.as_str()));
        object.insert("summary".into(), json!(self.summary));
        let mut detail = self.detail.clone().unwrap_or_default();
        if let Some(help) = &self.help {
            if !detail.is_empty() {
                detail.push_str("\n\n");
            }
            detail.push_str(help);
        }
        object.insert("detail".into(), json!(detail));
        if let Some(span) = self
            .span
            .as_ref()
            .filter(|s| sources.get_text(s.file).is_some())
        {
            let (start_line, start_column) = sources.line_col(span);
            let (end_line, end_column) = sources.offset_line_col(span.file, span.range.end);
            object.insert(
                "range".into(),
                json!({
                    "filename": sources.path(span.file).to_string_lossy(),
                    "start": {"line": start_line, "column": start_column, "byte": span.range.start},
                    "end": {"line": end_line, "column": end_column, "byte": span.range.end},
                }),
            );
            let line_text = sources.line_text(span.file, start_line);
            let line_start_byte = sources.line_start(span.file, start_line);
            let highlight_end = if end_line == start_line {
                span.range.end - line_start_byte
            } else {
                line_text.len()
            };
            object.insert(
                "snippet".into(),
                json!({
                    "context": sources.enclosing_block_header(span.file, span.range.start),
                    "code": line_text,
                    "start_line": start_line,
                    "highlight_start_offset": span.range.start - line_start_byte,
                    "highlight_end_offset": highlight_end.min(line_text.len()),
                    "values": [],
                }),
            );
        }
        serde_json::Value::Object(object)
    }
}

/// A collection of diagnostics, usually every problem found in one pass.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Self {
        Diagnostics(Vec::new())
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn error_count(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.0.len() - self.error_count()
    }

    /// Renders every diagnostic in miette's graphical style.
    pub fn render(&self, sources: &Sources, color: bool) -> String {
        let mut out = String::new();
        for (index, diagnostic) in self.0.iter().enumerate() {
            if index > 0 {
                out.push('\n');
            }
            crate::render::render_diagnostic(&mut out, diagnostic, sources, color);
        }
        out
    }

    /// The `diagnostics` array of Terraform's `validate -json` output.
    pub fn to_json(&self, sources: &Sources) -> serde_json::Value {
        serde_json::Value::Array(self.0.iter().map(|d| d.to_json(sources)).collect())
    }

    /// The whole document `terraform validate -json` prints.
    pub fn to_validate_json(&self, sources: &Sources) -> serde_json::Value {
        json!({
            "format_version": "1.0",
            "valid": !self.has_errors(),
            "error_count": self.error_count(),
            "warning_count": self.warning_count(),
            "diagnostics": self.to_json(sources),
        })
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Self {
        Diagnostics(vec![diagnostic])
    }
}

impl From<Vec<Diagnostic>> for Diagnostics {
    fn from(diagnostics: Vec<Diagnostic>) -> Self {
        Diagnostics(diagnostics)
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "Error",
            Severity::Warning => "Warning",
        };
        write!(f, "{label}: {}", self.summary)?;
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        }
        if let Some(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, diagnostic) in self.0.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            write!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}
