//! NumericDate rendering: ISO-8601 UTC and plain-language relative times.

use time::OffsetDateTime;

/// `2026-11-22T05:00:00Z`, or a note when the value is outside the calendar range.
pub fn iso8601(unix: i64) -> String {
    match OffsetDateTime::from_unix_timestamp(unix) {
        Ok(t) => t
            .format(time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
            ))
            .unwrap_or_else(|_| format!("{unix} (unformattable)")),
        Err(_) => format!("{unix} (outside the representable date range)"),
    }
}

/// A rough duration for people: "42 s", "14 min", "3 h", "5 d", "2 y".
pub fn human_duration(seconds: u64) -> String {
    const MIN: u64 = 60;
    const HOUR: u64 = 60 * MIN;
    const DAY: u64 = 24 * HOUR;
    match seconds {
        s if s < 2 * MIN => format!("{s} s"),
        s if s < 2 * HOUR => format!("{} min", s / MIN),
        s if s < 2 * DAY => format!("{} h", s / HOUR),
        s if s < 730 * DAY => format!("{} d", s / DAY),
        s => format!("{} y", s / (365 * DAY)),
    }
}

/// "in 14 min" / "3 h ago" / "now".
pub fn relative(unix: i64, now: i64) -> String {
    let delta = unix.saturating_sub(now);
    match delta {
        0 => "now".to_owned(),
        d if d > 0 => format!("in {}", human_duration(d.unsigned_abs())),
        d => format!("{} ago", human_duration(d.unsigned_abs())),
    }
}

/// The relative time phrased for the claim: "expires in 14 min", "expired 3 h ago", "issued 2 d ago".
pub fn relative_for_claim(claim: &str, unix: i64, now: i64) -> String {
    let rel = relative(unix, now);
    let future = unix > now;
    match (claim, future) {
        ("exp", true) => format!("expires {rel}"),
        ("exp", false) => format!("expired {rel}"),
        ("nbf", true) => format!("becomes valid {rel}"),
        ("nbf", false) => format!("valid since {rel}"),
        ("iat", _) => format!("issued {rel}"),
        ("auth_time", _) => format!("authenticated {rel}"),
        ("updated_at", _) => format!("updated {rel}"),
        _ => rel,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_rfc7519_example_exp_as_utc() {
        assert_eq!(iso8601(1_300_819_380), "2011-03-22T18:43:00Z");
    }

    #[test]
    fn out_of_range_dates_do_not_panic() {
        assert!(iso8601(i64::MAX).contains("outside"));
    }

    #[test]
    fn phrases_exp_in_future_and_past() {
        assert_eq!(
            relative_for_claim("exp", 1_000 + 14 * 60, 1_000),
            "expires in 14 min"
        );
        assert_eq!(
            relative_for_claim("exp", 1_000, 1_000 + 3 * 3600),
            "expired 3 h ago"
        );
        assert_eq!(relative_for_claim("iat", 0, 5 * 86_400), "issued 5 d ago");
        assert!(relative(i64::MIN, i64::MAX).ends_with(" y ago"));
    }
}
