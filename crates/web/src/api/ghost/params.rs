//! The query parameters every Content API endpoint shares (`key`,
//! `include`, `fields`, `formats`, `filter`, `limit`, `page`, `order`),
//! read and checked before anything else happens, and the key check.

use super::error::GhostError;
use crate::AppState;
use bbn_store::ApiKeyKind;

/// The most items skipped to reach a page.
const MAX_OFFSET: i64 = 100_000;

/// Ghost's default page size.
pub const DEFAULT_LIMIT: i64 = 15;
/// The most rows one page holds; `limit=all` and larger limits get this many.
pub const MAX_LIMIT: i64 = 100;
/// Pages beyond this are refused rather than turned into huge offsets.
const MAX_PAGE: i64 = 10_000_000;

/// Which body formats a post carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formats {
    pub html: bool,
    pub plaintext: bool,
}

#[derive(Debug, Clone)]
pub struct Params {
    pub include: Vec<String>,
    /// Only these top-level fields of each object; None: all.
    pub fields: Option<Vec<String>>,
    pub formats: Formats,
    pub filter: Option<String>,
    pub order: Option<String>,
    pub limit: i64,
    pub page: i64,
}

fn invalid(parameter: &'static str, message: &str) -> GhostError {
    GhostError::Invalid {
        parameter,
        message: message.to_string(),
    }
}

fn list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

impl Params {
    /// Reads the raw query string. Unknown parameters are ignored (the
    /// official client sends `slug` again on reads, for one).
    pub fn parse(raw: Option<&str>) -> Result<Params, GhostError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
            .map_err(|_| GhostError::InvalidRequest)?;
        let mut p = Params {
            include: Vec::new(),
            fields: None,
            formats: Formats {
                html: true,
                plaintext: false,
            },
            filter: None,
            order: None,
            limit: DEFAULT_LIMIT,
            page: 1,
        };
        let mut seen: Vec<&str> = Vec::new();
        for (name, value) in &pairs {
            let known = [
                "key", "include", "fields", "formats", "filter", "limit", "page", "order",
            ];
            let Some(name) = known.into_iter().find(|k| k == name) else {
                continue;
            };
            if seen.contains(&name) {
                return Err(GhostError::InvalidRequest);
            }
            seen.push(name);
            match name {
                "key" => {}
                "include" => p.include = list(value),
                "fields" => p.fields = Some(list(value)).filter(|f| !f.is_empty()),
                "formats" => {
                    let wanted = list(value);
                    if !wanted.is_empty() {
                        if let Some(bad) = wanted.iter().find(|f| *f != "html" && *f != "plaintext")
                        {
                            return Err(invalid(
                                "formats",
                                &format!("'{bad}' is not a format here; use html and/or plaintext"),
                            ));
                        }
                        p.formats = Formats {
                            html: wanted.iter().any(|f| f == "html"),
                            plaintext: wanted.iter().any(|f| f == "plaintext"),
                        };
                    }
                }
                "filter" => p.filter = Some(value.clone()).filter(|f| !f.trim().is_empty()),
                "order" => p.order = Some(value.clone()).filter(|o| !o.trim().is_empty()),
                "limit" => p.limit = parse_limit(value)?,
                _ => p.page = parse_page(value)?,
            }
        }
        // Deep pages cost the database a long skip; beyond this, narrow with a filter.
        if p.offset() > MAX_OFFSET {
            return Err(invalid(
                "page",
                &format!(
                    "pages beyond the first {MAX_OFFSET} items are not served; narrow with filter"
                ),
            ));
        }
        Ok(p)
    }

    pub fn includes(&self, what: &str) -> bool {
        self.include.iter().any(|i| i == what)
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1).saturating_mul(self.limit)
    }
}

/// Checks the `key` parameter before anything else is read (as Ghost
/// does): missing (403), given twice (400), or not a live content key (401).
pub async fn authenticate(state: &AppState, raw: Option<&str>) -> Result<(), GhostError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.unwrap_or("")).map_err(|_| GhostError::InvalidRequest)?;
    let mut keys = pairs
        .iter()
        .filter(|(k, _)| k == "key")
        .map(|(_, v)| v.as_str());
    let (Some(key), None) = (keys.next(), keys.next()) else {
        return Err(if pairs.iter().any(|(k, _)| k == "key") {
            GhostError::InvalidRequest
        } else {
            GhostError::MissingKey
        });
    };
    if key.is_empty() {
        return Err(GhostError::MissingKey);
    }
    // Nothing longer than any key bbn makes is looked up at all.
    if key.len() > 128 {
        return Err(GhostError::UnknownKey);
    }
    let Some(found) = state.store.api_key_for(key, ApiKeyKind::Content).await? else {
        return Err(GhostError::UnknownKey);
    };
    // A bucket per key, so one busy or abusive front-end cannot take the database.
    match state.api_limits.take(
        &format!("content key {}", found.id),
        state.config.api_content_per_minute,
    ) {
        crate::api::v1::Verdict::Allowed { .. } => Ok(()),
        crate::api::v1::Verdict::Refused { .. } => Err(GhostError::TooManyRequests),
    }
}

/// `limit`: a whole number from 1 (larger than 100 reads as 100), `all`
/// (100, as Ghost 6 answers it), or empty for the default.
fn parse_limit(value: &str) -> Result<i64, GhostError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(DEFAULT_LIMIT);
    }
    if v.eq_ignore_ascii_case("all") {
        return Ok(MAX_LIMIT);
    }
    if !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(
            "limit",
            "limit is a whole number from 1 to 100, or all",
        ));
    }
    match v.parse::<u64>() {
        Ok(0) => Err(invalid(
            "limit",
            "limit is a whole number from 1 to 100, or all",
        )),
        Ok(n) => Ok(i64::try_from(n).unwrap_or(MAX_LIMIT).min(MAX_LIMIT)),
        Err(_) => Ok(MAX_LIMIT),
    }
}

/// `page`: a whole number from 1.
fn parse_page(value: &str) -> Result<i64, GhostError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(1);
    }
    match v.parse::<i64>() {
        Ok(n) if (1..=MAX_PAGE).contains(&n) && v.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ => Err(invalid(
            "page",
            &format!("page is a whole number from 1 to {MAX_PAGE}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_limits_like_ghost_six() {
        assert_eq!(parse_limit("").ok(), Some(15));
        assert_eq!(parse_limit("5").ok(), Some(5));
        assert_eq!(parse_limit("all").ok(), Some(100));
        assert_eq!(parse_limit("500").ok(), Some(100));
        assert_eq!(parse_limit("99999999999999999999999").ok(), Some(100));
        for bad in ["0", "-1", "ten", "1.5", "0x10"] {
            assert!(parse_limit(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn reads_pages_from_one() {
        assert_eq!(parse_page("2").ok(), Some(2));
        for bad in ["0", "-2", "two", "+3", "99999999999"] {
            assert!(parse_page(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_repeated_parameter_is_refused() {
        assert!(matches!(
            Params::parse(Some("key=a&limit=1&limit=2")),
            Err(GhostError::InvalidRequest)
        ));
        let p = Params::parse(Some(
            "key=a&include=tags,authors&fields=title,%20url&slug=x",
        ))
        .ok()
        .unwrap_or_else(|| panic!("parses"));
        assert!(p.includes("tags") && p.includes("authors"));
        assert_eq!(p.fields, Some(vec!["title".to_string(), "url".to_string()]));
    }
}
