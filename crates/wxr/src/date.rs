//! The two ways an export writes time: WordPress's own `YYYY-MM-DD HH:MM:SS`
//! (in the site's zone, or UTC in the `_gmt` fields) and RSS's RFC 822
//! `pubDate`.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// Reads `YYYY-MM-DD HH:MM:SS` as WordPress writes it. `None` for
/// `0000-00-00 00:00:00` (WordPress's "not set"), for impossible dates and
/// for anything else.
pub fn wp_datetime(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim().as_bytes();
    if s.len() != 19
        || s[4] != b'-'
        || s[7] != b'-'
        || s[10] != b' '
        || s[13] != b':'
        || s[16] != b':'
    {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        let mut n = 0u32;
        for &b in &s[from..to] {
            if !b.is_ascii_digit() {
                return None;
            }
            n = n * 10 + u32::from(b - b'0');
        }
        Some(n)
    };
    let year = i32::try_from(num(0, 4)?).ok()?;
    NaiveDate::from_ymd_opt(year, num(5, 7)?, num(8, 10)?)?.and_hms_opt(
        num(11, 13)?,
        num(14, 16)?,
        num(17, 19)?,
    )
}

/// A `_gmt` field as Unix seconds.
pub fn wp_gmt_unix(s: &str) -> Option<i64> {
    wp_datetime(s).map(|t| t.and_utc().timestamp())
}

/// An RFC 822 date (`Thu, 05 Jan 2012 14:30:46 +0000`) as Unix seconds.
/// WordPress writes the epoch or year -1 as the `pubDate` of posts that were
/// never published; both are `None`.
pub fn rfc822_unix(s: &str) -> Option<i64> {
    let t = DateTime::parse_from_rfc2822(s.trim()).ok()?.timestamp();
    (t > 0).then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wordpress_dates() {
        assert_eq!(wp_gmt_unix("2012-01-05 14:30:46"), Some(1_325_773_846));
        assert_eq!(wp_gmt_unix(" 2012-01-05 14:30:46\n"), Some(1_325_773_846));
        assert_eq!(wp_gmt_unix("0000-00-00 00:00:00"), None);
        assert_eq!(wp_gmt_unix("2012-02-30 00:00:00"), None);
        assert_eq!(wp_gmt_unix("2012-01-05T14:30:46"), None);
        assert_eq!(wp_gmt_unix("2012-01-05 14:30"), None);
        assert_eq!(wp_gmt_unix("２０１２-01-05 14:30:46"), None);
        assert_eq!(wp_gmt_unix(""), None);
    }

    #[test]
    fn rss_dates() {
        assert_eq!(
            rfc822_unix("Thu, 05 Jan 2012 14:30:46 +0000"),
            Some(1_325_773_846)
        );
        assert_eq!(
            rfc822_unix("Thu, 05 Jan 2012 15:30:46 +0100"),
            Some(1_325_773_846)
        );
        assert_eq!(rfc822_unix("Thu, 01 Jan 1970 00:00:00 +0000"), None);
        assert_eq!(rfc822_unix("Mon, 30 Nov -0001 00:00:00 +0000"), None);
        assert_eq!(rfc822_unix("yesterday"), None);
    }
}
