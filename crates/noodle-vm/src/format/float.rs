//! Float to text, Python style.
//!
//! Rust's `{:e}` already produces the shortest digit string that round-trips
//! (the same digits Python's `repr` chooses); only the layout differs. So we
//! take the digits and exponent from `{:e}` and lay them out as Python does.

/// The parts of a finite float's shortest round-trip representation:
/// `negative`, the significant `digits` (no leading or trailing zeros,
/// except `"0"` for zero) and the decimal `exponent` of the first digit.
struct ShortestDigits {
    negative: bool,
    digits: String,
    exponent: i32,
}

fn shortest_digits(x: f64) -> ShortestDigits {
    // `{:e}` prints like `-1.2345e-7`, `1e16` or `0e0`: the shortest digits
    // that round-trip. When two such digit strings exist, Rust may pick
    // either, while Python picks the one nearest to the exact value (ties to
    // even). The correctly rounded string of that length is the nearest, so
    // it is the answer whenever it round-trips too.
    let shortest = format!("{x:e}");
    let significant = shortest
        .split('e')
        .next()
        .map_or(1, |m| m.bytes().filter(u8::is_ascii_digit).count());
    let nearest = format!("{x:.prec$e}", prec = significant.saturating_sub(1));
    let text = if nearest.parse::<f64>() == Ok(x) {
        nearest
    } else {
        shortest
    };
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let (mantissa, exponent) = unsigned.split_once('e').unwrap_or((unsigned, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    ShortestDigits {
        negative,
        digits,
        exponent: exponent.parse().unwrap_or(0),
    }
}

/// Formats a float exactly like Python's `repr(float)`: the shortest digits
/// that round-trip, positional notation when the decimal exponent is in
/// `-4 ..= 15` (always with a fractional part: `2.0`), scientific notation
/// otherwise (`1e+16`, `1.5e-07`: the exponent has a sign and at least two
/// digits), and `inf`, `-inf`, `nan`.
pub fn float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    let ShortestDigits {
        negative,
        digits,
        exponent,
    } = shortest_digits(x);
    let mut out = String::with_capacity(digits.len() + 8);
    if negative {
        out.push('-');
    }
    if (-4..16).contains(&exponent) {
        push_positional(&mut out, &digits, exponent);
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        push_exponent(&mut out, exponent);
    }
    out
}

/// Lays out `digits` (first digit at decimal `exponent`) positionally, with
/// at least one digit on each side of the point.
fn push_positional(out: &mut String, digits: &str, exponent: i32) {
    if exponent < 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-exponent - 1) as usize));
        out.push_str(digits);
        return;
    }
    let int_len = exponent as usize + 1;
    if digits.len() <= int_len {
        out.push_str(digits);
        out.extend(std::iter::repeat_n('0', int_len - digits.len()));
        out.push_str(".0");
    } else {
        out.push_str(&digits[..int_len]);
        out.push('.');
        out.push_str(&digits[int_len..]);
    }
}

/// Appends `e+NN` / `e-NN`: a sign and at least two digits, as C's printf.
pub fn push_exponent(out: &mut String, exponent: i32) {
    out.push('e');
    out.push(if exponent < 0 { '-' } else { '+' });
    let magnitude = exponent.unsigned_abs();
    if magnitude < 10 {
        out.push('0');
    }
    out.push_str(&magnitude.to_string());
}

/// `nan`, `inf` or `-inf` for non-finite values, the way every float layout
/// (repr, fixed, scientific) spells them.
pub fn non_finite(x: f64) -> Option<&'static str> {
    if x.is_nan() {
        Some("nan")
    } else if x == f64::INFINITY {
        Some("inf")
    } else if x == f64::NEG_INFINITY {
        Some("-inf")
    } else {
        None
    }
}

/// Fixed-point notation with exactly `precision` decimals, rounding the
/// exact binary value half to even (Python's `format(x, ".3f")`).
pub fn float_fixed(x: f64, precision: usize) -> String {
    match non_finite(x) {
        Some(text) => text.to_string(),
        None => format!("{x:.precision$}"),
    }
}

/// Scientific notation with exactly `precision` decimals in the mantissa,
/// Python style: `1.500000e+00`.
pub fn float_scientific(x: f64, precision: usize) -> String {
    if let Some(text) = non_finite(x) {
        return text.to_string();
    }
    // Rust prints `1.500000e0`; only the exponent's layout needs fixing.
    let text = format!("{x:.precision$e}");
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let mut out = mantissa.to_string();
    push_exponent(&mut out, exponent.parse().unwrap_or(0));
    out
}

/// Python's general format `g` with `precision` significant digits
/// (0 counts as 1): positional when the rounded exponent is in
/// `-4 .. precision`, scientific otherwise; trailing zeros removed.
pub fn float_general(x: f64, precision: usize) -> String {
    if let Some(text) = non_finite(x) {
        return text.to_string();
    }
    let significant = precision.max(1);
    // The exponent after rounding to `significant` digits decides the layout.
    let rounded = format!("{x:.prec$e}", prec = significant - 1);
    let exponent: i64 = rounded
        .split_once('e')
        .and_then(|(_, e)| e.parse().ok())
        .unwrap_or(0);
    let text = if exponent >= -4 && exponent < significant as i64 {
        let decimals = (significant as i64 - 1 - exponent) as usize;
        format!("{x:.decimals$}")
    } else {
        float_scientific(x, significant - 1)
    };
    strip_fraction_zeros(&text)
}

/// Removes trailing zeros of the fractional part (and a bare point),
/// leaving any exponent in place: `1.500e+10` → `1.5e+10`, `2.000` → `2`.
fn strip_fraction_zeros(text: &str) -> String {
    let (number, exponent) = match text.find('e') {
        Some(at) => text.split_at(at),
        None => (text, ""),
    };
    let number = if number.contains('.') {
        number.trim_end_matches('0').trim_end_matches('.')
    } else {
        number
    };
    format!("{number}{exponent}")
}

#[cfg(test)]
// Test literals are the numbers programs write (3.14159) or exact
// boundary values, not approximations of constants.
#[allow(clippy::approx_constant, clippy::excessive_precision)]
mod tests {
    use super::*;

    #[test]
    fn repr_matches_python() {
        let cases: &[(f64, &str)] = &[
            (2.0, "2.0"),
            (0.1, "0.1"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e16, "1e+16"),
            (1.5e-7, "1.5e-07"),
            (1e-5, "1e-05"),
            (1e-4, "0.0001"),
            (0.00012, "0.00012"),
            (123456789012345.0, "123456789012345.0"),
            (1e15, "1000000000000000.0"),
            (9999999999999998.0, "9999999999999998.0"),
            (1.2345678901234567e16, "1.2345678901234568e+16"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (-1.5, "-1.5"),
            (3.5, "3.5"),
            (100.0, "100.0"),
            (1e100, "1e+100"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (2f64.sqrt(), "1.4142135623730951"),
            (12.0, "12.0"),
            (1e-10, "1e-10"),
            (-2.5e-300, "-2.5e-300"),
            // Two shortest candidates (…459.12 and …459.13) round-trip;
            // Python takes the nearer, here a tie broken to even.
            (259678106199459.125, "259678106199459.12"),
        ];
        for (x, expected) in cases {
            assert_eq!(float_repr(*x), *expected, "repr of {x:?}");
        }
    }

    #[test]
    fn fixed_rounds_half_to_even_on_exact_ties() {
        assert_eq!(float_fixed(3.14159265, 3), "3.142");
        assert_eq!(float_fixed(0.125, 2), "0.12");
        assert_eq!(float_fixed(0.375, 2), "0.38");
        assert_eq!(float_fixed(2.5, 0), "2");
        assert_eq!(float_fixed(-1.0, 2), "-1.00");
        assert_eq!(float_fixed(f64::NAN, 2), "nan");
        assert_eq!(float_fixed(f64::NEG_INFINITY, 2), "-inf");
    }

    #[test]
    fn scientific_has_python_exponent() {
        assert_eq!(float_scientific(1.5, 6), "1.500000e+00");
        assert_eq!(float_scientific(12345.678, 2), "1.23e+04");
        assert_eq!(float_scientific(1e-100, 1), "1.0e-100");
        assert_eq!(float_scientific(0.0, 0), "0e+00");
    }

    #[test]
    fn general_format() {
        assert_eq!(float_general(1234.5, 6), "1234.5");
        assert_eq!(float_general(0.00001234, 6), "1.234e-05");
        assert_eq!(float_general(123456789.0, 6), "1.23457e+08");
        assert_eq!(float_general(100.0, 6), "100");
        assert_eq!(float_general(0.0001, 6), "0.0001");
        assert_eq!(float_general(9.9999999, 3), "10");
        assert_eq!(float_general(999999.5, 6), "1e+06");
        assert_eq!(float_general(f64::INFINITY, 6), "inf");
    }
}
