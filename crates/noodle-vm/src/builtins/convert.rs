//! Number conversions shared by `int`, `float`, `round`, the string
//! methods `parse_int` / `parse_float` and module `math`. Pure functions:
//! the callers turn failures into Noodle errors.
//!
//! Text accepted as an int: optional surrounding whitespace, an optional
//! `+`/`-`, decimal digits, and single `_` between digits (as in Noodle
//! literals and Python's `int()`): `"17"`, `"-3"`, `" 5 "`, `"1_000"`.
//! No base prefixes, no fraction. As a float, additionally Rust's and
//! Python's forms: `"2.5"`, `".5"`, `"5."`, `"1e-9"`, `"inf"`, `"-Infinity"`,
//! `"nan"` (case-insensitive).

/// Why a conversion to int failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntFailure {
    /// Not a number at all (ValueError).
    Invalid,
    /// A number, but outside i64 (OverflowError).
    OutOfRange,
}

/// Removes `_` separators, provided each sits between two ASCII digits.
pub fn without_separators(text: &str) -> Option<String> {
    strip_separators(text, |b| b.is_ascii_digit())
}

/// Removes `_` separators, provided each sits between two bytes that
/// `is_digit` accepts (hex digits for other bases).
pub fn strip_separators(text: &str, is_digit: impl Fn(u8) -> bool) -> Option<String> {
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_' {
            let before = i.checked_sub(1).map(|j| bytes[j]);
            let after = bytes.get(i + 1).copied();
            if !before.is_some_and(&is_digit) || !after.is_some_and(&is_digit) {
                return None;
            }
        }
    }
    Some(text.replace('_', ""))
}

/// Parses decimal integer text (see the module docs for the syntax).
pub fn parse_int_text(text: &str) -> Result<i64, IntFailure> {
    let trimmed = text.trim();
    let cleaned = without_separators(trimmed).ok_or(IntFailure::Invalid)?;
    let unsigned = cleaned.strip_prefix(['+', '-']).unwrap_or(&cleaned);
    if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IntFailure::Invalid);
    }
    cleaned.parse::<i64>().map_err(|_| IntFailure::OutOfRange)
}

/// Parses float text (see the module docs for the syntax).
pub fn parse_float_text(text: &str) -> Option<f64> {
    let cleaned = without_separators(text.trim())?;
    cleaned.parse::<f64>().ok()
}

/// The nearest float to an int (what `float(n)` and mixed arithmetic do).
pub fn int_to_float(n: i64) -> f64 {
    n as f64
}

/// Checks that an integral float fits in i64 and converts it.
fn integral_float_to_int(x: f64) -> Result<i64, IntFailure> {
    // -2^63 is representable; 2^63 is the first float above i64::MAX.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if x.is_nan() {
        Err(IntFailure::Invalid)
    } else if (-LIMIT..LIMIT).contains(&x) {
        Ok(x as i64)
    } else {
        Err(IntFailure::OutOfRange)
    }
}

/// `int(x)`: truncates toward zero. NaN is Invalid, infinities and
/// out-of-range values OutOfRange.
pub fn float_to_int_truncating(x: f64) -> Result<i64, IntFailure> {
    integral_float_to_int(x.trunc())
}

/// `math.floor`.
pub fn float_floor_to_int(x: f64) -> Result<i64, IntFailure> {
    integral_float_to_int(x.floor())
}

/// `math.ceil`.
pub fn float_ceil_to_int(x: f64) -> Result<i64, IntFailure> {
    integral_float_to_int(x.ceil())
}

/// `round(x)` of a float: the nearest int, ties to even.
pub fn float_round_to_int(x: f64) -> Result<i64, IntFailure> {
    integral_float_to_int(x.round_ties_even())
}

/// Python's cut-offs: beyond these, rounding a float to `digits` decimals
/// is the identity (too many digits) or gives zero (too few).
const MAX_ROUND_DIGITS: i64 = 323;
const MIN_ROUND_DIGITS: i64 = -308;

/// `round(x, digits)` of a float: the float nearest to `x` rounded to
/// `digits` decimal places (negative: to tens, hundreds, ...), computed on
/// the exact binary value with ties to even, as Python does
/// (`round(2.675, 2)` is `2.67`). Errors only when the result overflows.
pub fn float_round_digits(x: f64, digits: i64) -> Result<f64, IntFailure> {
    if !x.is_finite() || x == 0.0 || digits > MAX_ROUND_DIGITS {
        return Ok(x);
    }
    if digits < MIN_ROUND_DIGITS {
        return Ok(0.0_f64.copysign(x));
    }
    let rounded = if digits >= 0 {
        // Formatting rounds the exact value half to even; parsing back
        // gives the nearest float.
        let decimals = digits as usize;
        format!("{x:.decimals$}").parse::<f64>().unwrap_or(x)
    } else {
        round_integer_part(x, (-digits) as usize)
    };
    if rounded.is_finite() {
        Ok(rounded.copysign(x))
    } else {
        Err(IntFailure::OutOfRange)
    }
}

/// Rounds `x` to a multiple of 10^`places` on its exact decimal expansion.
fn round_integer_part(x: f64, places: usize) -> f64 {
    let magnitude = x.abs();
    let whole = magnitude.trunc();
    let has_fraction = magnitude > whole;
    // `{:.0}` of an integral float prints its exact decimal digits.
    let digits = format!("{whole:.0}");
    if digits.len() < places {
        // Even the largest part is below half of 10^places.
        return 0.0;
    }
    let (kept, dropped) = digits.split_at(digits.len() - places);
    let half = format!("5{}", "0".repeat(places - 1));
    let round_up = match dropped.cmp(half.as_str()) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => {
            has_fraction || kept.bytes().last().is_some_and(|d| (d - b'0') % 2 == 1)
        }
    };
    let mut kept = if kept.is_empty() {
        "0".to_string()
    } else {
        kept.to_string()
    };
    if round_up {
        kept = increment_decimal(&kept);
    }
    format!("{kept}{}", "0".repeat(places))
        .parse::<f64>()
        .unwrap_or(f64::INFINITY)
}

/// Adds one to a string of decimal digits.
fn increment_decimal(digits: &str) -> String {
    let mut bytes = digits.as_bytes().to_vec();
    for b in bytes.iter_mut().rev() {
        if *b == b'9' {
            *b = b'0';
        } else {
            *b += 1;
            return String::from_utf8(bytes).unwrap_or_default();
        }
    }
    format!("1{}", String::from_utf8(bytes).unwrap_or_default())
}

/// `round(n, digits)` of an int: unchanged for `digits >= 0`, else the
/// nearest multiple of 10^-digits, ties to even (`round(25, -1)` is 20).
pub fn int_round_digits(n: i64, digits: i64) -> Result<i64, IntFailure> {
    if digits >= 0 {
        return Ok(n);
    }
    // |n| < 10^19, so rounding to 10^20 or coarser always gives 0.
    let places = digits.unsigned_abs();
    if places > 19 {
        return Ok(0);
    }
    let unit = 10_i128.pow(places as u32);
    let value = i128::from(n);
    let quotient = value.div_euclid(unit);
    let remainder = value.rem_euclid(unit);
    let round_up = match (2 * remainder).cmp(&unit) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => quotient % 2 != 0,
    };
    let result = (quotient + i128::from(round_up)) * unit;
    i64::try_from(result).map_err(|_| IntFailure::OutOfRange)
}

#[cfg(test)]
// Test literals are the numbers programs write (3.14159) or exact
// boundary values, not approximations of constants.
#[allow(clippy::approx_constant, clippy::excessive_precision)]
mod tests {
    use super::*;

    #[test]
    fn int_text() {
        assert_eq!(parse_int_text("17"), Ok(17));
        assert_eq!(parse_int_text("-3"), Ok(-3));
        assert_eq!(parse_int_text("+3"), Ok(3));
        assert_eq!(parse_int_text(" 5 \n"), Ok(5));
        assert_eq!(parse_int_text("1_000"), Ok(1000));
        assert_eq!(parse_int_text("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(
            parse_int_text("9223372036854775808"),
            Err(IntFailure::OutOfRange)
        );
        for bad in [
            "", " ", "3.5", "x", "1e3", "0x10", "_1", "1_", "1__0", "- 1", "--1", "+", "١",
        ] {
            assert_eq!(parse_int_text(bad), Err(IntFailure::Invalid), "{bad:?}");
        }
    }

    #[test]
    fn float_text() {
        assert_eq!(parse_float_text("2.5"), Some(2.5));
        assert_eq!(parse_float_text(" -1e-9 "), Some(-1e-9));
        assert_eq!(parse_float_text(".5"), Some(0.5));
        assert_eq!(parse_float_text("5."), Some(5.0));
        assert_eq!(parse_float_text("1_000.5"), Some(1000.5));
        assert_eq!(parse_float_text("17"), Some(17.0));
        assert_eq!(parse_float_text("-Infinity"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_float_text("inf"), Some(f64::INFINITY));
        assert!(parse_float_text("NaN").is_some_and(f64::is_nan));
        for bad in ["", "x", "1.2.3", "1e", "_1", "1_.5", "0x10"] {
            assert_eq!(parse_float_text(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn float_to_int() {
        assert_eq!(float_to_int_truncating(3.7), Ok(3));
        assert_eq!(float_to_int_truncating(-3.7), Ok(-3));
        assert_eq!(
            float_to_int_truncating(-9.223372036854775808e18),
            Ok(i64::MIN)
        );
        assert_eq!(
            float_to_int_truncating(9.223372036854775808e18),
            Err(IntFailure::OutOfRange)
        );
        assert_eq!(
            float_to_int_truncating(f64::INFINITY),
            Err(IntFailure::OutOfRange)
        );
        assert_eq!(float_to_int_truncating(f64::NAN), Err(IntFailure::Invalid));
        assert_eq!(float_floor_to_int(-0.5), Ok(-1));
        assert_eq!(float_ceil_to_int(-0.5), Ok(0));
        assert_eq!(float_ceil_to_int(0.1), Ok(1));
    }

    #[test]
    fn round_half_even() {
        assert_eq!(float_round_to_int(2.5), Ok(2));
        assert_eq!(float_round_to_int(3.5), Ok(4));
        assert_eq!(float_round_to_int(-2.5), Ok(-2));
        assert_eq!(float_round_to_int(2.6), Ok(3));
        assert_eq!(float_round_to_int(1e300), Err(IntFailure::OutOfRange));
    }

    #[test]
    fn round_to_digits_like_python() {
        assert_eq!(float_round_digits(2.675, 2), Ok(2.67));
        assert_eq!(float_round_digits(0.125, 2), Ok(0.12));
        assert_eq!(float_round_digits(3.14159, 3), Ok(3.142));
        assert_eq!(float_round_digits(1234.5, -2), Ok(1200.0));
        assert_eq!(float_round_digits(1250.0, -2), Ok(1200.0));
        assert_eq!(float_round_digits(1350.0, -2), Ok(1400.0));
        assert_eq!(float_round_digits(1250.5, -2), Ok(1300.0));
        assert_eq!(float_round_digits(-1250.5, -2), Ok(-1300.0));
        assert_eq!(float_round_digits(49.0, -2), Ok(0.0));
        assert_eq!(float_round_digits(951.0, -3), Ok(1000.0));
        assert_eq!(float_round_digits(5.0, -1), Ok(0.0));
        assert_eq!(float_round_digits(1.5, 400), Ok(1.5));
        assert_eq!(
            float_round_digits(1.7e308, -308),
            Err(IntFailure::OutOfRange)
        );
        assert!(float_round_digits(-0.4, 0).is_ok_and(|x| x == 0.0 && x.is_sign_negative()));
        assert!(float_round_digits(f64::NAN, 2).is_ok_and(f64::is_nan));
    }

    #[test]
    fn round_int_digits() {
        assert_eq!(int_round_digits(1234, 2), Ok(1234));
        assert_eq!(int_round_digits(1234, -2), Ok(1200));
        assert_eq!(int_round_digits(15, -1), Ok(20));
        assert_eq!(int_round_digits(25, -1), Ok(20));
        assert_eq!(int_round_digits(-15, -1), Ok(-20));
        assert_eq!(int_round_digits(-25, -1), Ok(-20));
        assert_eq!(int_round_digits(i64::MAX, -30), Ok(0));
        assert_eq!(
            int_round_digits(i64::MAX, -18),
            Ok(9_000_000_000_000_000_000)
        );
        assert_eq!(int_round_digits(i64::MAX, -1), Err(IntFailure::OutOfRange));
        assert_eq!(int_round_digits(i64::MIN, -19), Err(IntFailure::OutOfRange));
    }
}
