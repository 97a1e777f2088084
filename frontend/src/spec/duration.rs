//! Durations as Go's `time.ParseDuration` reads them (`30s`, `1m30s`,
//! `1.5h`, `250ms`), which is how Docker's `HEALTHCHECK --interval` and
//! `docker run --health-interval` take them; the image config holds
//! nanoseconds.

/// Nanoseconds per unit, by Go's unit names (`µs` in both spellings Go
/// takes).
const UNITS: &[(&str, u64)] = &[
    ("ns", 1),
    ("us", 1_000),
    ("\u{b5}s", 1_000),
    ("\u{3bc}s", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

/// The largest duration Go holds (an `int64` of nanoseconds).
const MAX: u64 = i64::MAX as u64;

/// Why a duration does not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DurationError {
    /// Not a duration at all.
    Invalid,
    /// A minus sign: Docker takes none.
    Negative,
    /// A number without its unit.
    MissingUnit,
    /// Longer than Go's `time.Duration` holds.
    TooLong,
}

/// Nanoseconds of a Go duration (`0` alone needs no unit).
pub fn parse(s: &str) -> Result<u64, DurationError> {
    let rest = match s.strip_prefix('-') {
        Some(_) => return Err(DurationError::Negative),
        None => s.strip_prefix('+').unwrap_or(s),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(DurationError::Invalid);
    }
    let mut total: u128 = 0;
    let mut rest = rest;
    while !rest.is_empty() {
        let whole_len = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let (whole, after) = rest.split_at(whole_len);
        let (frac, after) = match after.strip_prefix('.') {
            Some(a) => {
                let n = a.find(|c: char| !c.is_ascii_digit()).unwrap_or(a.len());
                a.split_at(n)
            }
            None => ("", after),
        };
        if whole.is_empty() && frac.is_empty() {
            return Err(DurationError::Invalid);
        }
        let unit_len = after
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_len);
        if unit.is_empty() {
            return Err(DurationError::MissingUnit);
        }
        let Some(&(_, scale)) = UNITS.iter().find(|(u, _)| *u == unit) else {
            return Err(DurationError::Invalid);
        };
        let scale = u128::from(scale);
        // Digits past what fits are no part of any duration Go holds.
        let whole: u128 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| DurationError::TooLong)?
        };
        let mut part = whole.checked_mul(scale).ok_or(DurationError::TooLong)?;
        // The fraction, to the nanosecond (Go rounds down as well).
        let mut unit_scale = scale;
        for d in frac.bytes() {
            unit_scale /= 10;
            if unit_scale == 0 {
                break;
            }
            part += u128::from(d - b'0') * unit_scale;
        }
        total = total.checked_add(part).ok_or(DurationError::TooLong)?;
        if total > u128::from(MAX) {
            return Err(DurationError::TooLong);
        }
        rest = after;
    }
    u64::try_from(total).map_err(|_| DurationError::TooLong)
}

/// A duration as Go's `Duration.String` writes it (`1m30s`, `250ms`).
pub fn format(ns: u64) -> String {
    if ns == 0 {
        return "0s".to_string();
    }
    let fraction = |value: u64, scale: u64, unit: &str| {
        let whole = value / scale;
        let rest = value % scale;
        if rest == 0 {
            format!("{whole}{unit}")
        } else {
            let width = scale.to_string().len() - 1;
            let digits = format!("{rest:0width$}");
            format!("{whole}.{}{unit}", digits.trim_end_matches('0'))
        }
    };
    if ns < 1_000 {
        return format!("{ns}ns");
    }
    if ns < 1_000_000 {
        return fraction(ns, 1_000, "\u{b5}s");
    }
    if ns < 1_000_000_000 {
        return fraction(ns, 1_000_000, "ms");
    }
    let hours = ns / 3_600_000_000_000;
    let minutes = ns / 60_000_000_000 % 60;
    let seconds = fraction(ns % 60_000_000_000, 1_000_000_000, "s");
    if hours > 0 {
        format!("{hours}h{minutes}m{seconds}")
    } else if minutes > 0 {
        format!("{minutes}m{seconds}")
    } else {
        seconds
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_as_go_does() {
        assert_eq!(parse("30s"), Ok(30_000_000_000));
        assert_eq!(parse("1m30s"), Ok(90_000_000_000));
        assert_eq!(parse("1.5h"), Ok(5_400_000_000_000));
        assert_eq!(parse("250ms"), Ok(250_000_000));
        assert_eq!(parse(".5s"), Ok(500_000_000));
        assert_eq!(parse("1h2m3s4ms5us6ns"), Ok(3_723_004_005_006));
        assert_eq!(parse("2\u{3bc}s"), Ok(2_000));
        assert_eq!(parse("0"), Ok(0));
        assert_eq!(parse("+10s"), Ok(10_000_000_000));
        assert_eq!(parse("0.000000001s"), Ok(1));
        assert_eq!(parse("1.0000000009s"), Ok(1_000_000_000));
    }

    #[test]
    fn refuses_what_go_refuses() {
        assert_eq!(parse(""), Err(DurationError::Invalid));
        assert_eq!(parse("30"), Err(DurationError::MissingUnit));
        assert_eq!(parse("30sec"), Err(DurationError::Invalid));
        assert_eq!(parse("-5s"), Err(DurationError::Negative));
        assert_eq!(parse("."), Err(DurationError::Invalid));
        assert_eq!(parse("s"), Err(DurationError::Invalid));
        assert_eq!(parse("1d"), Err(DurationError::Invalid));
        assert_eq!(parse("3000000h"), Err(DurationError::TooLong));
        assert_eq!(
            parse("99999999999999999999999999999999999999999s"),
            Err(DurationError::TooLong)
        );
    }

    #[test]
    fn formats_as_go_does() {
        assert_eq!(format(0), "0s");
        assert_eq!(format(90_000_000_000), "1m30s");
        assert_eq!(format(30_000_000_000), "30s");
        assert_eq!(format(1_500_000_000), "1.5s");
        assert_eq!(format(250_000_000), "250ms");
        assert_eq!(format(3_600_000_000_000), "1h0m0s");
        assert_eq!(format(1_500), "1.5\u{b5}s");
        assert_eq!(format(7), "7ns");
        for ns in [1, 999, 1_000, 1_234_567, 61_000_000_001, 3_723_004_005_006] {
            assert_eq!(parse(&format(ns)), Ok(ns), "{ns}");
        }
    }
}
