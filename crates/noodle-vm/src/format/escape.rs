//! Strings as they print inside containers and from `repr`: double-quoted,
//! in a form that reads back as the same Noodle string literal.

/// Appends `text` double-quoted. Escapes only what a Noodle literal needs:
/// `\\`, `\"`, `\n`, `\t`, `\r`, and other control characters as `\u{..}`
/// (hex, lower case). Everything else, non-ASCII included, stays as it is.
pub fn push_quoted(out: &mut String, text: &str) {
    out.reserve(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `text` double-quoted, see [`push_quoted`].
pub fn quoted(text: &str) -> String {
    let mut out = String::new();
    push_quoted(&mut out, text);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(quoted("q"), r#""q""#);
        assert_eq!(quoted(""), r#""""#);
        assert_eq!(quoted("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(quoted("l1\nl2\tx\r"), r#""l1\nl2\tx\r""#);
        assert_eq!(quoted("\u{1b}[0m\u{0}"), r#""\u{1b}[0m\u{0}""#);
        assert_eq!(quoted("\u{7f}\u{85}"), r#""\u{7f}\u{85}""#);
    }

    #[test]
    fn non_ascii_stays() {
        assert_eq!(quoted("héllo 🍜"), "\"héllo 🍜\"");
        assert_eq!(quoted("{x}"), "\"{x}\"");
    }
}
