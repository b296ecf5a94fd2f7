//! How durations print.
//!
//! The rule, chosen to read like the literals that make durations:
//! - zero is `0s`; a negative duration is `-` followed by its magnitude;
//! - below one minute, the largest unit that is at most the magnitude
//!   (`ns`, `us`, `ms`, `s`) with the exact decimal fraction, trailing zeros
//!   dropped: `3ns`, `250us`, `1.5ms`, `10ms`, `1.5s`, `59.999999999s`;
//! - from one minute on, hours, minutes and seconds (with their exact
//!   fraction), each present only when non-zero: `1m30s`, `2h`, `1h1m`,
//!   `1h5s`, `1m0.5s`; hours do not roll over into days.
//!
//! Durations are whole nanoseconds, so every printed fraction is exact.

const NANOS_PER_MICRO: u64 = 1_000;
const NANOS_PER_MILLI: u64 = 1_000_000;
const NANOS_PER_SECOND: u64 = 1_000_000_000;
const NANOS_PER_MINUTE: u64 = 60 * NANOS_PER_SECOND;
const NANOS_PER_HOUR: u64 = 60 * NANOS_PER_MINUTE;

/// Formats a duration given in nanoseconds.
pub fn duration_to_string(nanos: i64) -> String {
    let mut out = String::new();
    if nanos < 0 {
        out.push('-');
    }
    push_magnitude(&mut out, nanos.unsigned_abs());
    out
}

fn push_magnitude(out: &mut String, nanos: u64) {
    if nanos == 0 {
        out.push_str("0s");
    } else if nanos < NANOS_PER_MICRO {
        push_in_unit(out, nanos, 1, "ns");
    } else if nanos < NANOS_PER_MILLI {
        push_in_unit(out, nanos, NANOS_PER_MICRO, "us");
    } else if nanos < NANOS_PER_SECOND {
        push_in_unit(out, nanos, NANOS_PER_MILLI, "ms");
    } else if nanos < NANOS_PER_MINUTE {
        push_in_unit(out, nanos, NANOS_PER_SECOND, "s");
    } else {
        let hours = nanos / NANOS_PER_HOUR;
        let minutes = nanos % NANOS_PER_HOUR / NANOS_PER_MINUTE;
        let seconds = nanos % NANOS_PER_MINUTE;
        if hours > 0 {
            out.push_str(&format!("{hours}h"));
        }
        if minutes > 0 {
            out.push_str(&format!("{minutes}m"));
        }
        if seconds > 0 {
            push_in_unit(out, seconds, NANOS_PER_SECOND, "s");
        }
    }
}

/// Appends `nanos` expressed in a unit of `unit_nanos` nanoseconds, with an
/// exact fraction when it does not divide evenly (`1.5ms`).
fn push_in_unit(out: &mut String, nanos: u64, unit_nanos: u64, suffix: &str) {
    let whole = nanos / unit_nanos;
    let rest = nanos % unit_nanos;
    out.push_str(&whole.to_string());
    if rest > 0 {
        // unit_nanos is a power of ten: print the remainder with as many
        // digits as the unit has zeros, then drop the trailing zeros.
        let width = unit_nanos.ilog10() as usize;
        let fraction = format!("{rest:0width$}");
        out.push('.');
        out.push_str(fraction.trim_end_matches('0'));
    }
    out.push_str(suffix);
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: i64 = 1_000_000;
    const S: i64 = 1_000_000_000;

    #[test]
    fn small_units() {
        assert_eq!(duration_to_string(0), "0s");
        assert_eq!(duration_to_string(3), "3ns");
        assert_eq!(duration_to_string(250_000), "250us");
        assert_eq!(duration_to_string(1_500), "1.5us");
        assert_eq!(duration_to_string(10 * MS), "10ms");
        assert_eq!(duration_to_string(1_500_000), "1.5ms");
        assert_eq!(duration_to_string(1_000_001), "1.000001ms");
    }

    #[test]
    fn seconds_and_compounds() {
        assert_eq!(duration_to_string(1500 * MS), "1.5s");
        assert_eq!(duration_to_string(S), "1s");
        assert_eq!(duration_to_string(60 * S - 1), "59.999999999s");
        assert_eq!(duration_to_string(90 * S), "1m30s");
        assert_eq!(duration_to_string(60 * S), "1m");
        assert_eq!(duration_to_string(7200 * S), "2h");
        assert_eq!(duration_to_string(3660 * S), "1h1m");
        assert_eq!(duration_to_string(3605 * S), "1h5s");
        assert_eq!(duration_to_string(60 * S + 500 * MS), "1m0.5s");
        assert_eq!(duration_to_string(100 * 3600 * S), "100h");
    }

    #[test]
    fn negative_durations() {
        assert_eq!(duration_to_string(-10 * MS), "-10ms");
        assert_eq!(duration_to_string(-90 * S), "-1m30s");
        assert_eq!(duration_to_string(i64::MIN), "-2562047h47m16.854775808s");
        assert_eq!(duration_to_string(i64::MAX), "2562047h47m16.854775807s");
    }
}
