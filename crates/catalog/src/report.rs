//! What an import read, accepted and skipped, with the line of every problem.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One problem in an imported file: a skipped row or a warning about an accepted one.
///
/// `Display` is Swedish and names the line as SPEC Appendix A asks: "rad 160: …", or
/// "10010101000011.xml rad 3: …" when the import read several files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportIssue {
    /// File name (without folder) when the import read several files.
    pub file: Option<String>,
    /// 1-based line number.
    pub line: usize,
    /// Swedish message.
    pub message: String,
}

impl ImportIssue {
    pub fn new(line: usize, message: impl Into<String>) -> Self {
        Self {
            file: None,
            line,
            message: message.into(),
        }
    }

    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }
}

impl fmt::Display for ImportIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file} ")?;
        }
        write!(f, "rad {}: {}", self.line, self.message)
    }
}

/// Counts and problems of one import.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Lines (NDJSON, CSV) or files (NPL folder) read, blank lines included.
    pub read: usize,
    /// Lines or files that produced an item.
    pub accepted: usize,
    /// Lines or files skipped, with the reason.
    pub skipped: Vec<ImportIssue>,
    /// Accepted with a remark (e.g. an id failing the unpublished GS1 check).
    pub warnings: Vec<ImportIssue>,
}

impl ImportReport {
    pub fn is_clean(&self) -> bool {
        self.skipped.is_empty() && self.warnings.is_empty()
    }
}

/// The items an import produced and its report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Imported<T> {
    pub items: Vec<T>,
    pub report: ImportReport,
}

/// 1-based line number of a byte offset in `text`.
pub(crate) fn line_of(text: &str, byte_offset: usize) -> usize {
    let end = byte_offset.min(text.len());
    1 + text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}
