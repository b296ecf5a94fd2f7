//! f-string format specs: the text after the first top-level `:` in
//! `f"{x:>10.2}"`.
//!
//! The grammar is Python's format-spec mini-language,
//! `[[fill]align][sign][#][0][width][,|_][.precision][type]`, with one
//! Noodle rule on top: a precision without a type means fixed-point
//! decimals for ints and floats alike (`{42:.3}` is `42.000`; Python would
//! use significant digits and reject ints).
//!
//! - align: `<` left, `>` right, `^` center, `=` pad between sign and
//!   digits (numbers only). Numbers default to right, everything else to
//!   left. Widths count characters, not bytes.
//! - sign: `-` (default), `+` (always), ` ` (space for non-negative).
//! - `#`: `0x` / `0o` / `0b` prefixes for `x` / `o` / `b`.
//! - `0`: zero padding after the sign (`{-3:05}` is `-0003`), grouped when a
//!   grouping option is present (`{1234:08,}` is `0,001,234`).
//! - `,` / `_`: thousands separators (`_` groups hex/octal/binary by four).
//! - types: `d` (int), `f` `F` (fixed, default 6 decimals), `e` `E`
//!   (scientific), `g` `G` (general), `%` (percent), `x` `X` `o` `b` (int
//!   bases), `s` (str). No type prints like `str()`, or fixed-point with a
//!   precision.
//!
//! A malformed spec is a `ValueError`; a well-formed spec that does not
//! apply to the value (`{"a":x}`, `{true:.2}`) is a `TypeError`.

use super::float::{float_fixed, float_general, float_repr, float_scientific, non_finite};

/// Widths and precisions above this are refused rather than allocated.
pub const MAX_WIDTH: usize = 1_000_000;

/// The value being formatted, as the spec sees it.
#[derive(Clone, Copy, Debug)]
pub enum Operand<'a> {
    Int(i64),
    Float(f64),
    Str(&'a str),
    /// Any other value, already converted with `str()`; only fill, align and
    /// width apply to it.
    Other {
        text: &'a str,
        type_name: &'a str,
    },
}

/// Which error kind a formatting failure raises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpecErrorKind {
    ValueError,
    TypeError,
}

impl SpecErrorKind {
    pub fn name(self) -> &'static str {
        match self {
            SpecErrorKind::ValueError => "ValueError",
            SpecErrorKind::TypeError => "TypeError",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecError {
    pub kind: SpecErrorKind,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
    Center,
    /// Padding goes between the sign (and base prefix) and the digits.
    AfterSign,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sign {
    OnlyNegative,
    Always,
    Space,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presentation {
    /// No type letter: like `str()`, or fixed-point when a precision is given.
    Default,
    Str,
    Decimal,
    Fixed {
        upper: bool,
    },
    Scientific {
        upper: bool,
    },
    General {
        upper: bool,
    },
    Percent,
    Hex {
        upper: bool,
    },
    Octal,
    Binary,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatSpec {
    /// The fill character when one was written before the align character.
    pub fill: Option<char>,
    pub align: Option<Align>,
    pub sign: Sign,
    pub alternate: bool,
    pub zero_pad: bool,
    pub width: usize,
    pub grouping: Option<char>,
    pub precision: Option<usize>,
    pub presentation: Presentation,
}

impl FormatSpec {
    /// The written fill, else `0` with the zero flag, else a space.
    fn effective_fill(&self) -> char {
        match self.fill {
            Some(fill) => fill,
            None if self.zero_pad => '0',
            None => ' ',
        }
    }
}

fn align_of(ch: char) -> Option<Align> {
    match ch {
        '<' => Some(Align::Left),
        '>' => Some(Align::Right),
        '^' => Some(Align::Center),
        '=' => Some(Align::AfterSign),
        _ => None,
    }
}

fn invalid(spec: &str, detail: impl std::fmt::Display) -> SpecError {
    SpecError {
        kind: SpecErrorKind::ValueError,
        message: format!("invalid format spec `{spec}`: {detail}"),
    }
}

fn inapplicable(spec: &str, type_name: &str) -> SpecError {
    SpecError {
        kind: SpecErrorKind::TypeError,
        message: format!("format spec `{spec}` does not apply to a {type_name}"),
    }
}

/// Reads a run of decimal digits as a bounded count.
fn take_count(
    spec: &str,
    chars: &[char],
    at: &mut usize,
    what: &str,
) -> Result<Option<usize>, SpecError> {
    let start = *at;
    while *at < chars.len() && chars[*at].is_ascii_digit() {
        *at += 1;
    }
    if start == *at {
        return Ok(None);
    }
    let digits: String = chars[start..*at].iter().collect();
    match digits.parse::<usize>() {
        Ok(n) if n <= MAX_WIDTH => Ok(Some(n)),
        _ => Err(invalid(
            spec,
            format!("{what} too large (at most {MAX_WIDTH})"),
        )),
    }
}

pub fn parse_spec(spec: &str) -> Result<FormatSpec, SpecError> {
    let chars: Vec<char> = spec.chars().collect();
    let mut parsed = FormatSpec {
        fill: None,
        align: None,
        sign: Sign::OnlyNegative,
        alternate: false,
        zero_pad: false,
        width: 0,
        grouping: None,
        precision: None,
        presentation: Presentation::Default,
    };
    let mut at = 0;
    if let Some(align) = chars.get(1).copied().and_then(align_of) {
        parsed.fill = Some(chars[0]);
        parsed.align = Some(align);
        at = 2;
    } else if let Some(align) = chars.first().copied().and_then(align_of) {
        parsed.align = Some(align);
        at = 1;
    }
    if let Some(sign) = chars.get(at).and_then(|c| match c {
        '+' => Some(Sign::Always),
        '-' => Some(Sign::OnlyNegative),
        ' ' => Some(Sign::Space),
        _ => None,
    }) {
        parsed.sign = sign;
        at += 1;
    }
    if chars.get(at) == Some(&'#') {
        parsed.alternate = true;
        at += 1;
    }
    if chars.get(at) == Some(&'0') {
        parsed.zero_pad = true;
        at += 1;
    }
    parsed.width = take_count(spec, &chars, &mut at, "width")?.unwrap_or(0);
    if let Some(&sep @ (',' | '_')) = chars.get(at) {
        parsed.grouping = Some(sep);
        at += 1;
    }
    if chars.get(at) == Some(&'.') {
        at += 1;
        match take_count(spec, &chars, &mut at, "precision")? {
            Some(p) => parsed.precision = Some(p),
            None => return Err(invalid(spec, "`.` must be followed by a precision")),
        }
    }
    if let Some(&letter) = chars.get(at) {
        parsed.presentation = match letter {
            's' => Presentation::Str,
            'd' => Presentation::Decimal,
            'f' | 'F' => Presentation::Fixed {
                upper: letter == 'F',
            },
            'e' | 'E' => Presentation::Scientific {
                upper: letter == 'E',
            },
            'g' | 'G' => Presentation::General {
                upper: letter == 'G',
            },
            '%' => Presentation::Percent,
            'x' | 'X' => Presentation::Hex {
                upper: letter == 'X',
            },
            'o' => Presentation::Octal,
            'b' => Presentation::Binary,
            other => return Err(invalid(spec, format!("unknown format type `{other}`"))),
        };
        at += 1;
    }
    if let Some(extra) = chars.get(at) {
        return Err(invalid(spec, format!("unexpected `{extra}`")));
    }
    if parsed.grouping == Some(',')
        && matches!(
            parsed.presentation,
            Presentation::Hex { .. } | Presentation::Octal | Presentation::Binary
        )
    {
        return Err(invalid(
            spec,
            "`,` cannot group hex, octal or binary digits (use `_`)",
        ));
    }
    Ok(parsed)
}

/// Formats `operand` with the f-string `spec`.
pub fn format_with_spec(spec: &str, operand: Operand<'_>) -> Result<String, SpecError> {
    let parsed = parse_spec(spec)?;
    match operand {
        Operand::Int(n) => format_int(spec, &parsed, n),
        Operand::Float(x) => format_float(spec, &parsed, x),
        Operand::Str(text) => format_text(spec, &parsed, text, "str", true),
        Operand::Other { text, type_name } => format_text(spec, &parsed, text, type_name, false),
    }
}

fn format_text(
    spec: &str,
    parsed: &FormatSpec,
    text: &str,
    type_name: &str,
    is_str: bool,
) -> Result<String, SpecError> {
    let numeric_only = parsed.sign != Sign::OnlyNegative
        || parsed.alternate
        || parsed.grouping.is_some()
        || parsed.align == Some(Align::AfterSign)
        || !matches!(
            parsed.presentation,
            Presentation::Default | Presentation::Str
        )
        || (parsed.precision.is_some() && !is_str);
    if numeric_only {
        return Err(inapplicable(spec, type_name));
    }
    let truncated: String;
    let shown = match parsed.precision {
        Some(limit) => {
            truncated = text.chars().take(limit).collect();
            truncated.as_str()
        }
        None => text,
    };
    Ok(pad(
        shown,
        parsed.effective_fill(),
        parsed.align.unwrap_or(Align::Left),
        parsed.width,
    ))
}

/// A number split into the parts that padding treats differently.
struct NumberParts {
    negative: bool,
    /// `0x`, `0o` or `0b` with `#`.
    prefix: &'static str,
    /// The unsigned digits, with any fraction, exponent or `%`.
    body: String,
    /// Digits are grouped by this many (3 decimal, 4 for other bases).
    group_size: usize,
}

fn format_int(spec: &str, parsed: &FormatSpec, n: i64) -> Result<String, SpecError> {
    let magnitude = n.unsigned_abs();
    let negative = n < 0;
    let digits_only = |body: String, prefix: &'static str, group_size| {
        if parsed.precision.is_some() {
            Err(invalid(spec, "an integer format type takes no precision"))
        } else {
            Ok(NumberParts {
                negative,
                prefix: if parsed.alternate { prefix } else { "" },
                body,
                group_size,
            })
        }
    };
    let parts = match parsed.presentation {
        Presentation::Default if parsed.precision.is_none() => {
            digits_only(magnitude.to_string(), "", 3)?
        }
        Presentation::Decimal => digits_only(magnitude.to_string(), "", 3)?,
        Presentation::Hex { upper: false } => digits_only(format!("{magnitude:x}"), "0x", 4)?,
        Presentation::Hex { upper: true } => digits_only(format!("{magnitude:X}"), "0X", 4)?,
        Presentation::Octal => digits_only(format!("{magnitude:o}"), "0o", 4)?,
        Presentation::Binary => digits_only(format!("{magnitude:b}"), "0b", 4)?,
        // Fixed-point of an int is exact: no detour through f64.
        Presentation::Default | Presentation::Fixed { .. } => NumberParts {
            negative,
            prefix: "",
            body: exact_fixed(u128::from(magnitude), parsed.precision.unwrap_or(6)),
            group_size: 3,
        },
        Presentation::Percent => NumberParts {
            negative,
            prefix: "",
            body: exact_fixed(u128::from(magnitude) * 100, parsed.precision.unwrap_or(6)) + "%",
            group_size: 3,
        },
        Presentation::Scientific { .. } | Presentation::General { .. } => {
            return format_float(spec, parsed, n as f64);
        }
        Presentation::Str => return Err(inapplicable(spec, "int")),
    };
    Ok(lay_out_number(parsed, parts))
}

fn exact_fixed(whole: u128, decimals: usize) -> String {
    if decimals == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{}", "0".repeat(decimals))
    }
}

fn format_float(spec: &str, parsed: &FormatSpec, x: f64) -> Result<String, SpecError> {
    let magnitude = x.abs();
    let precision = parsed.precision;
    let (body, upper) = match parsed.presentation {
        Presentation::Default => match precision {
            Some(p) => (float_fixed(magnitude, p), false),
            None => (float_repr(magnitude), false),
        },
        Presentation::Fixed { upper } => (float_fixed(magnitude, precision.unwrap_or(6)), upper),
        Presentation::Scientific { upper } => {
            (float_scientific(magnitude, precision.unwrap_or(6)), upper)
        }
        Presentation::General { upper } => {
            (float_general(magnitude, precision.unwrap_or(6)), upper)
        }
        Presentation::Percent => {
            let percent = match non_finite(magnitude) {
                Some(text) => text.to_string(),
                None => float_fixed(magnitude * 100.0, precision.unwrap_or(6)),
            };
            (percent + "%", false)
        }
        Presentation::Decimal
        | Presentation::Hex { .. }
        | Presentation::Octal
        | Presentation::Binary
        | Presentation::Str => return Err(inapplicable(spec, "float")),
    };
    let parts = NumberParts {
        negative: x.is_sign_negative() && !x.is_nan(),
        prefix: "",
        body: if upper { body.to_uppercase() } else { body },
        group_size: 3,
    };
    Ok(lay_out_number(parsed, parts))
}

/// Applies sign, grouping and padding to a formatted number.
fn lay_out_number(parsed: &FormatSpec, parts: NumberParts) -> String {
    let sign = match (parts.negative, parsed.sign) {
        (true, _) => "-",
        (false, Sign::Always) => "+",
        (false, Sign::Space) => " ",
        (false, Sign::OnlyNegative) => "",
    };
    let lead = format!("{sign}{}", parts.prefix);
    // The leading run of digits is the part that grouping and zero padding
    // touch; the rest (`.5`, `e+10`, `%`) follows unchanged.
    // Bodies in other bases are all digits (and `e` is a hex digit, so the
    // decimal run must not be searched for with hex digits).
    let digit_end = if parts.group_size == 3 {
        parts
            .body
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(parts.body.len())
    } else {
        parts.body.len()
    };
    let (mut digits, tail) = (
        parts.body[..digit_end].to_string(),
        &parts.body[digit_end..],
    );
    let zero_fill = parsed.zero_pad && parsed.align.is_none() && parsed.fill.is_none();
    if let Some(separator) = parsed.grouping {
        if zero_fill {
            // Zeros added for the width are grouped like the other digits.
            let fixed = lead.len() + tail.chars().count();
            let mut count = digits.len();
            while fixed + group_len(count, parts.group_size) < parsed.width {
                count += 1;
            }
            digits = format!("{digits:0>count$}");
        }
        digits = group(&digits, separator, parts.group_size);
    }
    let body = format!("{digits}{tail}");
    let fill = parsed.effective_fill();
    let align = match parsed.align {
        Some(align) => align,
        None if parsed.zero_pad => Align::AfterSign,
        None => Align::Right,
    };
    if align == Align::AfterSign {
        let used = lead.chars().count() + body.chars().count();
        let padding: String =
            std::iter::repeat_n(fill, parsed.width.saturating_sub(used)).collect();
        format!("{lead}{padding}{body}")
    } else {
        pad(&format!("{lead}{body}"), fill, align, parsed.width)
    }
}

/// The length of `len` digits once separators are inserted every `size`.
fn group_len(len: usize, size: usize) -> usize {
    len + len.saturating_sub(1) / size
}

/// Inserts `separator` every `size` digits from the right.
fn group(digits: &str, separator: char, size: usize) -> String {
    let count = digits.len();
    let mut out = String::with_capacity(group_len(count, size));
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (count - i).is_multiple_of(size) {
            out.push(separator);
        }
        out.push(ch);
    }
    out
}

/// Pads `text` with `fill` to `width` characters; center puts the extra
/// character on the right, as Python does.
pub fn pad(text: &str, fill: char, align: Align, width: usize) -> String {
    let len = text.chars().count();
    if len >= width {
        return text.to_string();
    }
    let missing = width - len;
    let (left, right) = match align {
        Align::Left => (0, missing),
        Align::Right | Align::AfterSign => (missing, 0),
        Align::Center => (missing / 2, missing - missing / 2),
    };
    let mut out = String::with_capacity(text.len() + missing * fill.len_utf8());
    out.extend(std::iter::repeat_n(fill, left));
    out.push_str(text);
    out.extend(std::iter::repeat_n(fill, right));
    out
}

#[cfg(test)]
// Test literals are the numbers programs write (3.14159) or exact
// boundary values, not approximations of constants.
#[allow(clippy::approx_constant)]
mod tests {
    use super::*;

    fn ok(spec: &str, operand: Operand<'_>) -> String {
        match format_with_spec(spec, operand) {
            Ok(text) => text,
            Err(e) => panic!("spec {spec:?} failed: {}", e.message),
        }
    }

    fn err(spec: &str, operand: Operand<'_>) -> SpecError {
        match format_with_spec(spec, operand) {
            Ok(text) => panic!("spec {spec:?} should fail, gave {text:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn precision_is_fixed_decimals_for_ints_and_floats() {
        assert_eq!(ok(".3", Operand::Float(3.14159265)), "3.142");
        assert_eq!(ok(".3", Operand::Int(42)), "42.000");
        assert_eq!(ok(".0", Operand::Int(-7)), "-7");
        assert_eq!(ok(".2", Operand::Float(-0.0)), "-0.00");
        assert_eq!(ok(".2", Operand::Float(f64::NAN)), "nan");
        assert_eq!(ok(".1", Operand::Int(i64::MIN)), "-9223372036854775808.0");
    }

    #[test]
    fn alignment_and_width() {
        assert_eq!(ok(">5", Operand::Int(42)), "   42");
        assert_eq!(ok("<5", Operand::Int(42)), "42   ");
        assert_eq!(ok("^6", Operand::Int(42)), "  42  ");
        assert_eq!(ok("^5", Operand::Str("ab")), " ab  ");
        assert_eq!(ok(">4", Operand::Str("ab")), "  ab");
        assert_eq!(ok("8", Operand::Str("ab")), "ab      ");
        assert_eq!(ok("8", Operand::Float(1.5)), "     1.5");
        assert_eq!(ok(">4", Operand::Str("héé")), " héé");
        assert_eq!(ok("*^7", Operand::Str("🍜")), "***🍜***");
        assert_eq!(ok("<3", Operand::Str("toolong")), "toolong");
        assert_eq!(ok(">10.2", Operand::Float(3.14159)), "      3.14");
        assert_eq!(ok("", Operand::Float(0.1)), "0.1");
    }

    #[test]
    fn zero_padding_goes_after_the_sign() {
        assert_eq!(ok("08.3", Operand::Float(3.14159)), "0003.142");
        assert_eq!(ok("08.3", Operand::Float(-3.14159)), "-003.142");
        assert_eq!(ok("05", Operand::Int(-3)), "-0003");
        assert_eq!(ok("#010x", Operand::Int(255)), "0x000000ff");
        assert_eq!(ok("05", Operand::Str("ab")), "ab000");
        assert_eq!(ok("0=+6", Operand::Int(5)), "+00005");
        assert_eq!(ok("<05", Operand::Int(5)), "50000");
        assert_eq!(ok("*<05", Operand::Int(5)), "5****");
        assert_eq!(ok("010", Operand::Float(f64::NAN)), "0000000nan");
    }

    #[test]
    fn grouping() {
        assert_eq!(ok(",", Operand::Int(1234567)), "1,234,567");
        assert_eq!(ok(",", Operand::Int(-1234)), "-1,234");
        assert_eq!(ok(",", Operand::Int(123)), "123");
        assert_eq!(ok("_", Operand::Float(1234.5)), "1_234.5");
        assert_eq!(ok(",.2", Operand::Float(1234567.891)), "1,234,567.89");
        assert_eq!(ok("08,", Operand::Int(1234)), "0,001,234");
        assert_eq!(ok("08,", Operand::Int(-1234)), "-001,234");
        assert_eq!(ok("_x", Operand::Int(0xdeadbeef)), "dead_beef");
        assert_eq!(ok(",", Operand::Float(1e16)), "1e+16");
        assert_eq!(ok(">10,", Operand::Int(1000)), "     1,000");
    }

    #[test]
    fn types() {
        assert_eq!(ok("x", Operand::Int(255)), "ff");
        assert_eq!(ok("X", Operand::Int(-255)), "-FF");
        assert_eq!(ok("#b", Operand::Int(5)), "0b101");
        assert_eq!(ok("o", Operand::Int(8)), "10");
        assert_eq!(ok("d", Operand::Int(-8)), "-8");
        assert_eq!(ok("f", Operand::Float(1.5)), "1.500000");
        assert_eq!(ok("F", Operand::Float(f64::INFINITY)), "INF");
        assert_eq!(ok(".2e", Operand::Float(12345.678)), "1.23e+04");
        assert_eq!(ok("E", Operand::Int(5)), "5.000000E+00");
        assert_eq!(ok("g", Operand::Float(0.00001234)), "1.234e-05");
        assert_eq!(ok(".1%", Operand::Float(0.256)), "25.6%");
        assert_eq!(ok(".0%", Operand::Int(1)), "100%");
        assert_eq!(ok("+", Operand::Int(3)), "+3");
        assert_eq!(ok(" ", Operand::Float(3.0)), " 3.0");
        assert_eq!(ok("s", Operand::Str("hi")), "hi");
        assert_eq!(ok(".2", Operand::Str("hello")), "he");
        assert_eq!(ok(".2f", Operand::Int(3)), "3.00");
    }

    #[test]
    fn other_values_only_pad() {
        let t = Operand::Other {
            text: "true",
            type_name: "bool",
        };
        assert_eq!(ok(">6", t), "  true");
        assert_eq!(
            ok(
                "^8",
                Operand::Other {
                    text: "10ms",
                    type_name: "duration"
                }
            ),
            "  10ms  "
        );
        assert_eq!(err(".2", t).kind, SpecErrorKind::TypeError);
        assert_eq!(err("+", t).kind, SpecErrorKind::TypeError);
    }

    #[test]
    fn malformed_specs_are_value_errors() {
        for bad in [".", "q", ">5.3z", "5.x", ",x", "99999999999", ".99999999"] {
            let e = err(bad, Operand::Int(1));
            assert_eq!(e.kind, SpecErrorKind::ValueError, "{bad}");
            assert!(e.message.contains(&format!("`{bad}`")), "{}", e.message);
        }
        assert_eq!(err("x.2", Operand::Int(1)).kind, SpecErrorKind::ValueError);
        assert_eq!(err(".2x", Operand::Int(1)).kind, SpecErrorKind::ValueError);
    }

    #[test]
    fn type_mismatches_are_type_errors() {
        assert_eq!(err("x", Operand::Float(1.0)).kind, SpecErrorKind::TypeError);
        assert_eq!(err("d", Operand::Str("a")).kind, SpecErrorKind::TypeError);
        assert_eq!(err(".2f", Operand::Str("a")).kind, SpecErrorKind::TypeError);
        assert_eq!(err("=5", Operand::Str("a")).kind, SpecErrorKind::TypeError);
        assert_eq!(
            err("d", Operand::Float(1.0)).message,
            "format spec `d` does not apply to a float"
        );
    }
}
