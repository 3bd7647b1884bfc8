//! Times as readers see them, in the site's time zone.

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Parses an IANA time zone name ("America/New_York").
pub fn parse_zone(name: &str) -> Option<Tz> {
    name.parse().ok()
}

fn at(unix: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(unix, 0).single().unwrap_or_default()
}

/// "October 19, 2023 - 11:46 am": the style of comment and article times.
pub fn long_with_time(unix: i64, zone: Tz) -> String {
    at(unix)
        .with_timezone(&zone)
        .format("%B %-d, %Y - %-I:%M %P")
        .to_string()
}

/// "October 19, 2023": dates in lists.
pub fn long_date(unix: i64, zone: Tz) -> String {
    at(unix)
        .with_timezone(&zone)
        .format("%B %-d, %Y")
        .to_string()
}

/// RFC 3339 with the site's offset, for `<time datetime>`.
pub fn rfc3339(unix: i64, zone: Tz) -> String {
    at(unix).with_timezone(&zone).to_rfc3339()
}

/// RFC 2822 with the site's offset, as RSS 2.0 dates must be:
/// "Sat, 28 Nov 2026 09:15:00 +0100".
pub fn rfc2822(unix: i64, zone: Tz) -> String {
    at(unix).with_timezone(&zone).to_rfc2822()
}

/// RFC 3339 in UTC with a "Z", second precision: "2026-11-28T08:15:00Z".
pub fn rfc3339_utc(unix: i64) -> String {
    at(unix).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Unix seconds from an RFC 3339 time ("2026-12-01T09:00:00Z", any offset).
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| t.timestamp())
}

/// The calendar year in the site's zone, for the footer.
pub fn year(unix: i64, zone: Tz) -> i32 {
    use chrono::Datelike;
    at(unix).with_timezone(&zone).year()
}

/// "2026/11": a folder name for files made in that month (UTC).
pub fn year_month(unix: i64) -> String {
    at(unix).format("%Y/%m").to_string()
}

/// Now, as Unix seconds.
pub fn now() -> i64 {
    Utc::now().timestamp()
}

/// Where a store and the code around it read "now" from: the system clock,
/// moved on by an offset that only tests set (a session that has expired, a
/// retry that has come due, an article two days old), so that no test
/// rewrites rows to move time. Clones share the offset.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset: std::sync::Arc<std::sync::atomic::AtomicI64>,
}

impl Clock {
    /// Now, as Unix seconds.
    pub fn now(&self) -> i64 {
        now() + self.offset.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Moves this clock (and its clones) `seconds` on.
    pub fn advance(&self, seconds: i64) {
        self.offset
            .fetch_add(seconds, std::sync::atomic::Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_the_seed_page() {
        let zone = parse_zone("America/New_York").unwrap_or(Tz::UTC);
        // 2023-10-19 15:46 UTC is 11:46 in New York (EDT).
        let t = 1_697_730_360;
        assert_eq!(long_with_time(t, zone), "October 19, 2023 - 11:46 am");
        assert_eq!(
            long_with_time(t + 5 * 3600 + 5 * 60, zone),
            "October 19, 2023 - 4:51 pm"
        );
        assert_eq!(long_date(t, zone), "October 19, 2023");
        assert_eq!(rfc3339(t, zone), "2023-10-19T11:46:00-04:00");
    }

    #[test]
    fn rejects_unknown_zones() {
        assert!(parse_zone("Mars/Olympus").is_none());
    }
}

/// Reads a `<input type="datetime-local">` value ("2026-11-28T09:30") as a
/// time in `zone`. None when malformed or when the local time does not exist.
pub fn parse_local(text: &str, zone: Tz) -> Option<i64> {
    let text = text.trim();
    let naive = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    zone.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.timestamp())
}

/// The value for a `<input type="datetime-local">` showing `unix` in `zone`.
pub fn local_input(unix: i64, zone: Tz) -> String {
    at(unix)
        .with_timezone(&zone)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

#[cfg(test)]
mod local_tests {
    use super::*;

    #[test]
    fn reads_and_writes_form_times_in_the_site_zone() {
        let zone = parse_zone("America/New_York").unwrap();
        let t = parse_local("2023-10-19T11:46", zone).unwrap();
        assert_eq!(t, 1_697_730_360);
        assert_eq!(local_input(t, zone), "2023-10-19T11:46");
        assert!(parse_local("yesterday", zone).is_none());
        assert!(
            parse_local("2023-03-12T02:30", zone).is_none(),
            "a time skipped by the clock change"
        );
    }
}
