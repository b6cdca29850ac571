//! Loaded source files: each file's path and text, and byte spans into them.

use std::ops::Range;
use std::path::{Path, PathBuf};

/// Identifies one file within a [`Sources`] collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range within one loaded file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub file: FileId,
    pub range: Range<usize>,
}

impl Span {
    pub fn new(file: FileId, range: Range<usize>) -> Self {
        Span { file, range }
    }

    /// The smallest span covering both `self` and `other` (same file assumed).
    pub fn join(&self, other: &Span) -> Span {
        Span {
            file: self.file,
            range: self.range.start.min(other.range.start)..self.range.end.max(other.range.end),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct SourceFile {
    path: PathBuf,
    text: String,
    /// Byte offset of the start of each line, so line/column lookups are a binary search.
    line_starts: Vec<usize>,
}

/// The path and text of each loaded file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    pub fn new() -> Self {
        Sources::default()
    }

    pub fn add(&mut self, path: PathBuf, text: String) -> FileId {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(offset, _)| offset + 1));
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(SourceFile {
            path,
            text,
            line_starts,
        });
        id
    }

    /// Panics only for a `FileId` that did not come from this collection, a programming error.
    pub fn path(&self, file: FileId) -> &Path {
        &self.files[file.0 as usize].path
    }

    pub fn text(&self, file: FileId) -> &str {
        &self.files[file.0 as usize].text
    }

    pub fn get_text(&self, file: FileId) -> Option<&str> {
        self.files.get(file.0 as usize).map(|f| f.text.as_str())
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn file_ids(&self) -> impl Iterator<Item = FileId> + '_ {
        (0..self.files.len()).map(|index| FileId(index as u32))
    }

    /// 1-based line and column (in characters) of the start of `span`.
    pub fn line_col(&self, span: &Span) -> (usize, usize) {
        self.offset_line_col(span.file, span.range.start)
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn offset_line_col(&self, file: FileId, offset: usize) -> (usize, usize) {
        let Some(source) = self.files.get(file.0 as usize) else {
            return (1, 1);
        };
        let offset = clamp_to_char_boundary(&source.text, offset);
        let line_index = match source.line_starts.binary_search(&offset) {
            Ok(index) => index,
            Err(index) => index - 1,
        };
        let line_start = source.line_starts[line_index];
        let column = source.text[line_start..offset].chars().count() + 1;
        (line_index + 1, column)
    }

    /// The header of the top-level block around `offset`, such as `resource "a" "b"`, found as
    /// the nearest earlier line that starts at column 0 with a name; Terraform's JSON
    /// diagnostics call it the snippet's context.
    pub fn enclosing_block_header(&self, file: FileId, offset: usize) -> Option<&str> {
        let source = self.files.get(file.0 as usize)?;
        let line_index = match source.line_starts.binary_search(&offset) {
            Ok(index) => index,
            Err(index) => index.checked_sub(1)?,
        };
        (0..=line_index).rev().find_map(|index| {
            let text = self.line_text(file, index + 1);
            let starts_block =
                text.starts_with(|c: char| c.is_alphabetic() || c == '_') && text.contains('{');
            starts_block.then(|| text[..text.find('{').unwrap_or(text.len())].trim_end())
        })
    }

    /// The byte offset where 1-based line `line` starts.
    pub fn line_start(&self, file: FileId, line: usize) -> usize {
        self.files
            .get(file.0 as usize)
            .and_then(|source| source.line_starts.get(line.wrapping_sub(1)))
            .copied()
            .unwrap_or(0)
    }

    /// The text of 1-based line `line`, without its line ending.
    pub fn line_text(&self, file: FileId, line: usize) -> &str {
        let Some(source) = self.files.get(file.0 as usize) else {
            return "";
        };
        let Some(&start) = source.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = source
            .line_starts
            .get(line)
            .map_or(source.text.len(), |next| next - 1);
        source.text[start..end.max(start)].trim_end_matches('\r')
    }
}

pub(crate) fn clamp_to_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let mut sources = Sources::new();
        let file = sources.add("main.tf".into(), "ab\ncé d\n\nlast".into());
        let cases = [
            (0, (1, 1)),
            (1, (1, 2)),
            (3, (2, 1)),
            (6, (2, 3)),
            (9, (3, 1)),
            (10, (4, 1)),
        ];
        for (offset, expected) in cases {
            assert_eq!(
                sources.offset_line_col(file, offset),
                expected,
                "offset {offset}"
            );
        }
        assert_eq!(sources.line_text(file, 2), "cé d");
        assert_eq!(sources.line_text(file, 4), "last");
        assert_eq!(sources.line_text(file, 9), "");
    }
}
