//! Scanning of string literals: plain strings with escapes, raw strings and
//! f-strings. These are hand-written scanners called from logos callbacks,
//! because an f-string may contain nested string literals and brackets,
//! which no regular expression can match.

use std::ops::Range;

/// A problem found while scanning, with a byte range into the scanned text.
pub type Issue = (String, Range<usize>);

/// How deeply string literals inside f-string expressions may nest.
const MAX_NESTING: u32 = 32;

/// One piece of an f-string, before its expressions are parsed.
#[derive(Clone, Debug, PartialEq)]
pub enum FPart {
    Lit(String),
    /// An interpolated expression: the byte range of its source text and
    /// the format spec after the first top-level `:`.
    Expr {
        range: Range<usize>,
        spec: Option<String>,
    },
}

pub struct Scanner<'a> {
    src: &'a str,
    pub issues: Vec<Issue>,
    /// Set when the input ended inside a literal.
    pub unterminated: bool,
}

impl<'a> Scanner<'a> {
    pub fn new(src: &'a str) -> Scanner<'a> {
        Scanner {
            src,
            issues: Vec::new(),
            unterminated: false,
        }
    }

    fn issue(&mut self, message: impl Into<String>, range: Range<usize>) {
        self.issues.push((message.into(), range));
    }

    fn unterminated(&mut self, open: usize, what: &str) -> usize {
        self.unterminated = true;
        self.issue(format!("unterminated {what}"), open..self.src.len());
        self.src.len()
    }

    /// Scans `"..."` whose opening quote is at `open`. Returns the value
    /// and the index just past the closing quote.
    pub fn string(&mut self, open: usize) -> (String, usize) {
        let bytes = self.src.as_bytes();
        let mut out = String::new();
        let mut i = open + 1;
        let mut lit_start = i;
        while i < bytes.len() {
            match bytes[i] {
                b'"' => {
                    out.push_str(&self.src[lit_start..i]);
                    return (out, i + 1);
                }
                b'\\' => {
                    out.push_str(&self.src[lit_start..i]);
                    i = self.escape(i, &mut out);
                    lit_start = i;
                }
                _ => i += 1,
            }
        }
        out.push_str(&self.src[lit_start.min(bytes.len())..]);
        (out, self.unterminated(open, "string"))
    }

    /// Scans `r"..."`; `open` is the index of the `r`.
    pub fn raw_string(&mut self, open: usize) -> (String, usize) {
        let body = open + 2;
        match self.src[body..].find('"') {
            Some(n) => (self.src[body..body + n].to_string(), body + n + 1),
            None => (
                self.src[body..].to_string(),
                self.unterminated(open, "raw string"),
            ),
        }
    }

    /// Scans `f"..."`; `open` is the index of the `f`.
    pub fn fstring(&mut self, open: usize) -> (Vec<FPart>, usize) {
        self.fstring_at(open, 0)
    }

    fn fstring_at(&mut self, open: usize, depth: u32) -> (Vec<FPart>, usize) {
        let bytes = self.src.as_bytes();
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut i = open + 2;
        let mut lit_start = i;
        while i < bytes.len() {
            match bytes[i] {
                b'"' => {
                    lit.push_str(&self.src[lit_start..i]);
                    push_lit(&mut parts, &mut lit);
                    return (parts, i + 1);
                }
                b'\\' => {
                    lit.push_str(&self.src[lit_start..i]);
                    i = self.escape(i, &mut lit);
                    lit_start = i;
                }
                b'{' => {
                    lit.push_str(&self.src[lit_start..i]);
                    push_lit(&mut parts, &mut lit);
                    match self.interpolation(i, depth) {
                        Some((part, end)) => {
                            parts.push(part);
                            i = end;
                        }
                        None => return (parts, self.unterminated(open, "f-string")),
                    }
                    lit_start = i;
                }
                b'}' => {
                    self.issue(
                        "unmatched `}` in f-string (write `\\}` for a literal brace)",
                        i..i + 1,
                    );
                    i += 1;
                }
                _ => i += 1,
            }
        }
        (parts, self.unterminated(open, "f-string"))
    }

    /// Scans `{expr}` or `{expr:spec}` starting at the `{`. Returns `None`
    /// when the input ends first.
    fn interpolation(&mut self, open: usize, depth: u32) -> Option<(FPart, usize)> {
        let bytes = self.src.as_bytes();
        let start = open + 1;
        let mut nest = 0usize;
        let mut i = start;
        while i < bytes.len() {
            match bytes[i] {
                b'(' | b'[' | b'{' => nest += 1,
                b')' | b']' => nest = nest.saturating_sub(1),
                b'}' if nest > 0 => nest -= 1,
                b'}' => {
                    let part = FPart::Expr {
                        range: start..i,
                        spec: None,
                    };
                    return Some((part, i + 1));
                }
                b':' if nest == 0 => {
                    let close = i + 1 + self.src[i + 1..].find('}')?;
                    let part = FPart::Expr {
                        range: start..i,
                        spec: Some(self.src[i + 1..close].to_string()),
                    };
                    return Some((part, close + 1));
                }
                b'"' => {
                    i = self.skip_nested(i, depth)?;
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
        None
    }

    /// Skips a string literal inside an f-string expression, whose quote is
    /// at `quote`. Its problems are reported later, when the expression
    /// text is lexed on its own, so this scan stays quiet.
    fn skip_nested(&mut self, quote: usize, depth: u32) -> Option<usize> {
        let bytes = self.src.as_bytes();
        let prefix = quote
            .checked_sub(1)
            .filter(|&p| quote < 2 || !is_ident_byte(bytes[p - 1]))
            .map(|p| bytes[p]);
        let mut quiet = Scanner::new(self.src);
        let end = match prefix {
            Some(b'f') if depth >= MAX_NESTING => {
                self.issue("f-strings are nested too deeply", quote - 1..quote + 1);
                return None;
            }
            Some(b'f') => quiet.fstring_at(quote - 1, depth + 1).1,
            Some(b'r') => quiet.raw_string(quote - 1).1,
            _ => quiet.string(quote).1,
        };
        (!quiet.unterminated).then_some(end)
    }

    /// Decodes the escape whose backslash is at `i`, appending to `out`.
    /// Returns the index after the escape.
    fn escape(&mut self, i: usize, out: &mut String) -> usize {
        let Some(c) = self.src[i + 1..].chars().next() else {
            return i + 1;
        };
        let simple = match c {
            'n' => Some('\n'),
            't' => Some('\t'),
            'r' => Some('\r'),
            '\\' | '"' | '{' | '}' => Some(c),
            _ => None,
        };
        if let Some(ch) = simple {
            out.push(ch);
            return i + 2;
        }
        if c == 'u' {
            return self.unicode_escape(i, out);
        }
        let end = i + 1 + c.len_utf8();
        self.issue(format!("unknown escape `\\{c}`"), i..end);
        out.push(c);
        end
    }

    /// `\u{1F35C}`: one to six hex digits naming a Unicode scalar value.
    fn unicode_escape(&mut self, i: usize, out: &mut String) -> usize {
        let rest = &self.src[i + 2..];
        let close = rest.starts_with('{').then(|| rest.find('}')).flatten();
        let Some(close) = close.filter(|&c| c <= 8) else {
            self.issue(
                "invalid unicode escape: write `\\u{...}` with 1 to 6 hex digits",
                i..i + 2,
            );
            return i + 2;
        };
        let end = i + 2 + close + 1;
        let digits = &rest[1..close];
        let ch = u32::from_str_radix(digits, 16)
            .ok()
            .filter(|_| !digits.is_empty() && digits.len() <= 6)
            .and_then(char::from_u32);
        match ch {
            Some(ch) => out.push(ch),
            None => self.issue(format!("invalid unicode escape `\\u{{{digits}}}`"), i..end),
        }
        end
    }
}

fn push_lit(parts: &mut Vec<FPart>, lit: &mut String) {
    if !lit.is_empty() {
        parts.push(FPart::Lit(std::mem::take(lit)));
    }
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fparts(src: &str) -> Vec<FPart> {
        let mut sc = Scanner::new(src);
        let (parts, end) = sc.fstring(0);
        assert_eq!(end, src.len());
        assert!(sc.issues.is_empty(), "{:?}", sc.issues);
        parts
    }

    fn expr(range: Range<usize>, spec: Option<&str>) -> FPart {
        FPart::Expr {
            range,
            spec: spec.map(str::to_string),
        }
    }

    #[test]
    fn escapes() {
        let mut sc = Scanner::new(r#""a\n\t\r\\\"\{\}\u{1F35C}" rest"#);
        let (s, end) = sc.string(0);
        assert_eq!(s, "a\n\t\r\\\"{}🍜");
        assert_eq!(end, 26);
        assert!(sc.issues.is_empty());
    }

    #[test]
    fn bad_escapes_are_reported_with_their_span() {
        let mut sc = Scanner::new(r#""a\qb\u{110000}\u12""#);
        let (s, _) = sc.string(0);
        assert_eq!(s, "aqb12");
        let msgs: Vec<_> = sc
            .issues
            .iter()
            .map(|(m, r)| (m.as_str(), r.clone()))
            .collect();
        assert_eq!(
            msgs,
            [
                ("unknown escape `\\q`", 2..4),
                ("invalid unicode escape `\\u{110000}`", 5..15),
                (
                    "invalid unicode escape: write `\\u{...}` with 1 to 6 hex digits",
                    15..17
                ),
            ]
        );
    }

    #[test]
    fn unterminated_string() {
        let mut sc = Scanner::new("\"abc");
        assert_eq!(sc.string(0), ("abc".to_string(), 4));
        assert!(sc.unterminated);
        assert_eq!(sc.issues[0].0, "unterminated string");
    }

    #[test]
    fn raw_strings_keep_backslashes() {
        let mut sc = Scanner::new(r#"r"a\n" x"#);
        assert_eq!(sc.raw_string(0), (r"a\n".to_string(), 6));
    }

    #[test]
    fn fstring_parts_and_specs() {
        assert_eq!(
            fparts(r#"f"pi={pi:.3} [{n:>5}] \{x\}""#),
            [
                FPart::Lit("pi=".into()),
                expr(6..8, Some(".3")),
                FPart::Lit(" [".into()),
                expr(15..16, Some(">5")),
                FPart::Lit("] {x}".into()),
            ]
        );
    }

    #[test]
    fn fstring_expressions_may_hold_strings_and_brackets() {
        assert_eq!(fparts(r#"f"{"q"}""#), [expr(3..6, None)]);
        assert_eq!(fparts(r#"f"{m["k"]}""#), [expr(3..9, None)]);
        assert_eq!(
            fparts(r#"f"{ {"a": 1}["a"] :>3}""#),
            [expr(3..18, Some(">3"))]
        );
        assert_eq!(fparts(r#"f"{f"{"x"}"}""#), [expr(3..11, None)]);
        assert_eq!(fparts(r#"f"{"}"}""#), [expr(3..6, None)]);
    }

    #[test]
    fn unterminated_fstrings() {
        for src in [r#"f"{x"#, r#"f"{x:"#, r#"f"abc"#, r#"f"{"x}""#] {
            let mut sc = Scanner::new(src);
            let (_, end) = sc.fstring(0);
            assert_eq!(end, src.len());
            assert!(sc.unterminated, "{src}");
        }
    }
}
