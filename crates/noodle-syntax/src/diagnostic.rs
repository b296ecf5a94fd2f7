//! Diagnostics shared by every compiler phase, and their rendering with a
//! `file:line:col` header and a source excerpt.

use crate::ast::Span;
use std::fmt::Write as _;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// A message about a span of one source file.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    /// Extra lines printed after the excerpt (`= note: ...`).
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span,
            notes: Vec::new(),
        }
    }

    pub fn warning(message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            message: message.into(),
            span,
            notes: Vec::new(),
        }
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }
}

/// A source file as the user named it, with a line index for turning byte
/// offsets into 1-based line and character columns.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path as it should appear in messages.
    pub name: String,
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceFile {
            name: name.into(),
            text,
            line_starts,
        }
    }

    /// 1-based (line, column) of a byte offset; columns count characters.
    pub fn line_col(&self, offset: u32) -> (u32, u32) {
        let mut hint = 0;
        self.line_col_near(offset, &mut hint)
    }

    /// Like [`Self::line_col`], trying first the 0-based line `hint` and
    /// the next one (where the previous position was), and updating it:
    /// callers walking forward through a file skip the search.
    pub fn line_col_near(&self, offset: u32, hint: &mut usize) -> (u32, u32) {
        let offset = (offset as usize).min(self.text.len());
        let within = |i: usize| {
            self.line_starts.get(i).is_some_and(|&s| s <= offset)
                && self.line_starts.get(i + 1).is_none_or(|&e| offset < e)
        };
        let line = if within(*hint) {
            *hint
        } else if within(*hint + 1) {
            *hint + 1
        } else {
            match self.line_starts.binary_search(&offset) {
                Ok(i) => i,
                Err(i) => i - 1,
            }
        };
        *hint = line;
        let start = self.line_starts[line];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line as u32 + 1, col as u32 + 1)
    }

    /// The text of a 1-based line, without its newline.
    pub fn line_text(&self, line: u32) -> &str {
        let i = (line as usize).saturating_sub(1);
        let Some(&start) = self.line_starts.get(i) else {
            return "";
        };
        let end = self
            .line_starts
            .get(i + 1)
            .map_or(self.text.len(), |e| e - 1);
        self.text
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches('\r')
    }

    /// `name:line:col` for a byte offset.
    pub fn location(&self, offset: u32) -> String {
        let (line, col) = self.line_col(offset);
        format!("{}:{}:{}", self.name, line, col)
    }

    /// Renders a diagnostic in the style of rustc:
    ///
    /// ```text
    /// error: undeclared name `y`
    ///  --> prog.nd:2:7
    ///   |
    /// 2 | print(y + x)
    ///   |       ^
    /// ```
    pub fn render(&self, diag: &Diagnostic) -> String {
        let (line, col) = self.line_col(diag.span.start);
        let label = match diag.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let text = self.line_text(line);
        let gutter = line.to_string().len();
        let pad = " ".repeat(gutter);
        let mut out = String::new();
        let _ = writeln!(out, "{label}: {}", diag.message);
        let _ = writeln!(out, "{pad}--> {}:{line}:{col}", self.name);
        let _ = writeln!(out, "{pad} |");
        let _ = writeln!(out, "{line} | {text}");
        // Underline to the end of the span, or of the line if it spans several.
        let (end_line, end_col) = self.line_col(diag.span.end);
        let line_len = text.chars().count() as u32 + 1;
        let end_col = if end_line == line { end_col } else { line_len };
        let width = end_col.saturating_sub(col).max(1) as usize;
        let indent: String = text
            .chars()
            .take(col as usize - 1)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let _ = writeln!(out, "{pad} | {indent}{}", "^".repeat(width));
        for note in &diag.notes {
            let _ = writeln!(out, "{pad} = note: {note}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let f = SourceFile::new("t.nd", "let é = 1\nprint(y)\n");
        assert_eq!(f.line_col(0), (1, 1));
        // 'é' is two bytes; the '=' after it is character column 7.
        assert_eq!(f.line_col(7), (1, 7));
        assert_eq!(f.line_col(11), (2, 1));
        assert_eq!(f.location(17), "t.nd:2:7");
    }

    #[test]
    fn renders_excerpt_with_caret() {
        let f = SourceFile::new("p.nd", "let x = 1\nprint(y + x)\n");
        let d = Diagnostic::error("undeclared name `y`", Span::new(16, 17));
        let text = f.render(&d);
        assert_eq!(
            text,
            "error: undeclared name `y`\n --> p.nd:2:7\n  |\n2 | print(y + x)\n  |       ^\n"
        );
    }
}
