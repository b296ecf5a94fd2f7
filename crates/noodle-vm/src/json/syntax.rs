//! JSON text (RFC 8259), independent of the VM: a parser to a small tree
//! and the string escaping that `json.dump` uses.
//!
//! Decisions where JSON leaves room:
//! - a number without `.` or exponent is an int when it fits in i64, else
//!   a float (`12345678901234567890` → `1.2345678901234567e+19`);
//! - `-0` is the int 0, `-0.0` the float -0.0;
//! - duplicate object keys: the later value wins (the map keeps the first
//!   key's position), as in Python and JavaScript;
//! - nesting deeper than [`MAX_DEPTH`] is an error rather than a stack
//!   overflow;
//! - `\u` escapes must form valid Unicode scalars (a lone surrogate is an
//!   error, since Noodle strings are UTF-8).

use std::fmt;

/// Arrays and objects nested deeper than this are refused.
pub const MAX_DEPTH: usize = 512;

#[derive(Clone, Debug, PartialEq)]
pub enum JsonValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Array(Vec<JsonValue>),
    /// Members in document order; duplicates are resolved by the consumer.
    Object(Vec<(String, JsonValue)>),
}

/// A syntax error with its 1-based position (columns count characters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {}, column {}",
            self.message, self.line, self.column
        )
    }
}

/// Parses a whole JSON document (surrounding whitespace allowed).
pub fn parse_json(text: &str) -> Result<JsonValue, JsonError> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    };
    parser.skip_whitespace();
    let value = parser.value(0)?;
    parser.skip_whitespace();
    if parser.pos < parser.bytes.len() {
        return Err(parser.error("unexpected data after the JSON value"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, message: impl Into<String>) -> JsonError {
        self.error_at(self.pos, message)
    }

    fn error_at(&self, pos: usize, message: impl Into<String>) -> JsonError {
        // `pos` may sit inside a multi-byte character only after a bug;
        // clamp to a boundary rather than panic.
        let mut end = pos.min(self.text.len());
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let before = &self.text[..end];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        JsonError {
            message: message.into(),
            line,
            column,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// Describes the next character for error messages.
    fn found(&self) -> String {
        match self.text[self.pos..].chars().next() {
            Some(c) => format!("unexpected `{c}`"),
            None => "unexpected end of input".to_string(),
        }
    }

    fn expect(&mut self, byte: u8, what: &str) -> Result<(), JsonError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(format!("expected {what}, {}", self.found())))
        }
    }

    fn value(&mut self, depth: usize) -> Result<JsonValue, JsonError> {
        match self.peek() {
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => Ok(JsonValue::Str(self.string()?)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.keyword("true", JsonValue::Bool(true)),
            Some(b'f') => self.keyword("false", JsonValue::Bool(false)),
            Some(b'n') => self.keyword("null", JsonValue::Null),
            _ => Err(self.error(format!("expected a JSON value, {}", self.found()))),
        }
    }

    fn keyword(&mut self, word: &str, value: JsonValue) -> Result<JsonValue, JsonError> {
        if self.text[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error(format!("expected a JSON value, {}", self.found())))
        }
    }

    fn check_depth(&self, depth: usize) -> Result<(), JsonError> {
        if depth > MAX_DEPTH {
            Err(self.error(format!("nesting deeper than {MAX_DEPTH} levels")))
        } else {
            Ok(())
        }
    }

    fn array(&mut self, depth: usize) -> Result<JsonValue, JsonError> {
        self.check_depth(depth)?;
        self.pos += 1; // `[`
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(JsonValue::Array(items));
        }
        loop {
            self.skip_whitespace();
            items.push(self.value(depth)?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(JsonValue::Array(items));
                }
                _ => return Err(self.error(format!("expected `,` or `]`, {}", self.found()))),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<JsonValue, JsonError> {
        self.check_depth(depth)?;
        self.pos += 1; // `{`
        let mut members = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(JsonValue::Object(members));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.error(format!("expected a string key, {}", self.found())));
            }
            let key = self.string()?;
            self.skip_whitespace();
            self.expect(b':', "`:`")?;
            self.skip_whitespace();
            let value = self.value(depth)?;
            members.push((key, value));
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(JsonValue::Object(members));
                }
                _ => return Err(self.error(format!("expected `,` or `}}`, {}", self.found()))),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<JsonValue, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        match self.digits() {
            0 => return Err(self.error(format!("expected a digit, {}", self.found()))),
            n if n > 1 && self.bytes[int_start] == b'0' => {
                return Err(self.error_at(int_start, "a number may not start with 0"));
            }
            _ => {}
        }
        let mut integral = true;
        if self.peek() == Some(b'.') {
            integral = false;
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error(format!("expected a digit after `.`, {}", self.found())));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            integral = false;
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error(format!("expected an exponent, {}", self.found())));
            }
        }
        let text = &self.text[start..self.pos];
        if integral && let Ok(n) = text.parse::<i64>() {
            return Ok(JsonValue::Int(n));
        }
        // The grammar above only admits text Rust parses; a huge exponent
        // saturates to infinity, as in Python.
        text.parse::<f64>()
            .map(JsonValue::Float)
            .map_err(|_| self.error_at(start, "invalid number"))
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // Only ASCII bytes stop the run, so it ends on a char boundary.
            out.push_str(&self.text[run_start..self.pos]);
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(&mut out)?;
                }
                Some(_) => return Err(self.error("control character in string (escape it)")),
                None => return Err(self.error("unterminated string")),
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let escape_start = self.pos - 1;
        let Some(letter) = self.peek() else {
            return Err(self.error("unterminated string"));
        };
        self.pos += 1;
        let ch = match letter {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => self.unicode_escape(escape_start)?,
            _ => {
                return Err(self.error_at(
                    escape_start,
                    format!("invalid escape `\\{}`", letter as char),
                ));
            }
        };
        out.push(ch);
        Ok(())
    }

    fn hex4(&mut self) -> Option<u32> {
        let hex = self.text.get(self.pos..self.pos + 4)?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.pos += 4;
        u32::from_str_radix(hex, 16).ok()
    }

    /// After `\u`: four hex digits, or a surrogate pair `\uD83C\uDF5C`.
    fn unicode_escape(&mut self, escape_start: usize) -> Result<char, JsonError> {
        let bad = |p: &Self| p.error_at(escape_start, "invalid `\\u` escape");
        let first = self.hex4().ok_or_else(|| bad(self))?;
        let code = match first {
            0xD800..=0xDBFF => {
                if !self.text[self.pos..].starts_with("\\u") {
                    return Err(self.error_at(escape_start, "lone surrogate in `\\u` escape"));
                }
                self.pos += 2;
                let second = self.hex4().ok_or_else(|| bad(self))?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.error_at(escape_start, "lone surrogate in `\\u` escape"));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => {
                return Err(self.error_at(escape_start, "lone surrogate in `\\u` escape"));
            }
            other => other,
        };
        char::from_u32(code).ok_or_else(|| bad(self))
    }
}

/// Appends `text` as a JSON string: `"` and `\` escaped, control
/// characters as `\n`-style or `\u00XX` escapes, everything else verbatim
/// (non-ASCII stays UTF-8).
pub fn push_json_string(out: &mut String, text: &str) {
    out.reserve(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use JsonValue::*;

    fn parse(text: &str) -> JsonValue {
        match parse_json(text) {
            Ok(v) => v,
            Err(e) => panic!("{text:?}: {e}"),
        }
    }

    fn fail(text: &str) -> JsonError {
        match parse_json(text) {
            Ok(v) => panic!("{text:?} should fail, gave {v:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn scalars() {
        assert_eq!(parse("null"), Null);
        assert_eq!(parse(" true "), Bool(true));
        assert_eq!(parse("false"), Bool(false));
        assert_eq!(parse("42"), Int(42));
        assert_eq!(parse("-0"), Int(0));
        assert_eq!(parse("-7"), Int(-7));
        assert_eq!(parse("2.5"), Float(2.5));
        assert_eq!(parse("1e3"), Float(1000.0));
        assert_eq!(parse("1E-2"), Float(0.01));
        assert_eq!(parse("9223372036854775807"), Int(i64::MAX));
        assert_eq!(parse("9223372036854775808"), Float(9223372036854775808.0));
        assert_eq!(parse("1e400"), Float(f64::INFINITY));
        assert!(matches!(parse("-0.0"), Float(x) if x == 0.0 && x.is_sign_negative()));
    }

    #[test]
    fn strings_and_escapes() {
        assert_eq!(parse(r#""a\"b\\c\/d""#), Str("a\"b\\c/d".into()));
        assert_eq!(parse(r#""\n\t\r\b\f""#), Str("\n\t\r\u{8}\u{c}".into()));
        assert_eq!(parse(r#""\u00e9\uD83C\uDF5C""#), Str("é🍜".into()));
        assert_eq!(parse("\"héllo 🍜\""), Str("héllo 🍜".into()));
    }

    #[test]
    fn containers_keep_order() {
        assert_eq!(
            parse(r#"{"b": [1, 2.0, "x"], "a": {}, "c": []}"#),
            Object(vec![
                ("b".into(), Array(vec![Int(1), Float(2.0), Str("x".into())])),
                ("a".into(), Object(vec![])),
                ("c".into(), Array(vec![])),
            ])
        );
        assert_eq!(
            parse(r#"{"k": 1, "k": 2}"#),
            Object(vec![("k".into(), Int(1)), ("k".into(), Int(2))])
        );
    }

    #[test]
    fn errors_have_positions() {
        let e = fail("{\"a\": 1,\n  \"b\" 2}");
        assert_eq!((e.line, e.column), (2, 7));
        assert_eq!(
            e.to_string(),
            "expected `:`, unexpected `2` at line 2, column 7"
        );
        assert_eq!(
            fail("[1, 2").message,
            "expected `,` or `]`, unexpected end of input"
        );
        assert_eq!(
            fail("").message,
            "expected a JSON value, unexpected end of input"
        );
        assert_eq!(
            fail("[1] x").message,
            "unexpected data after the JSON value"
        );
        assert_eq!(fail("é").column, 1);
        assert_eq!(fail("[\"é\", x]").column, 7);
        for bad in [
            "01",
            "1.",
            ".5",
            "-",
            "+1",
            "1e",
            "tru",
            "nul",
            "[1,]",
            "{\"a\":1,}",
            "{a: 1}",
            "\"abc",
            "\"a\nb\"",
            r#""\x""#,
            r#""\u12""#,
            r#""\uD800""#,
            r#""\uDC00x""#,
            "NaN",
            "Infinity",
            "'a'",
        ] {
            fail(bad);
        }
    }

    #[test]
    fn depth_is_limited() {
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        parse(&ok);
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert!(fail(&deep).message.contains("nesting"));
        // Far deeper input fails just as cleanly, without recursing.
        fail(&"[".repeat(1_000_000));
    }

    #[test]
    fn string_escaping() {
        let mut out = String::new();
        push_json_string(&mut out, "a\"b\\c\n\u{1}é/");
        assert_eq!(out, r#""a\"b\\c\n\u0001é/""#);
        assert_eq!(parse(&out), Str("a\"b\\c\n\u{1}é/".into()));
    }
}
