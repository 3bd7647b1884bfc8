//! Reading an API request's query string: every parameter is checked, and a
//! value that cannot be used is a 400 that names it (never a guess).

use super::Problem;

/// The parameters of a request, in the order sent.
#[derive(Debug, Clone, Default)]
pub struct Query(Vec<(String, String)>);

/// Lists page at most this many items at a time.
pub const MAX_PER_PAGE: i64 = 100;

impl Query {
    pub fn parse(raw: Option<&str>) -> Result<Query, Problem> {
        let raw = raw.unwrap_or("");
        serde_urlencoded::from_str::<Vec<(String, String)>>(raw)
            .map(Query)
            .map_err(|_| {
                Problem::new(
                    axum::http::StatusCode::BAD_REQUEST,
                    "The query string cannot be read.",
                )
            })
    }

    /// The value of `name` (the first, if repeated), trimmed; None when absent or empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// A whole number in `range`, or `default` when absent.
    pub fn int(
        &self,
        name: &'static str,
        range: std::ops::RangeInclusive<i64>,
        default: i64,
    ) -> Result<i64, Problem> {
        let Some(v) = self.get(name) else {
            return Ok(default);
        };
        v.parse::<i64>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                Problem::parameter(
                    name,
                    format!(
                        "{name} must be a whole number from {} to {}.",
                        range.start(),
                        range.end()
                    ),
                )
            })
    }

    /// `page` (from 1) and `per_page` (1 to 100, default 20).
    pub fn paging(&self) -> Result<(i64, i64), Problem> {
        Ok((
            self.int("page", 1..=1_000_000, 1)?,
            self.int("per_page", 1..=MAX_PER_PAGE, 20)?,
        ))
    }

    /// This query with another page (for `Link` headers).
    pub fn with_page(&self, page: i64, per_page: i64) -> String {
        let mut pairs: Vec<(String, String)> = self
            .0
            .iter()
            .filter(|(k, _)| k != "page" && k != "per_page")
            .cloned()
            .collect();
        pairs.push(("page".into(), page.to_string()));
        pairs.push(("per_page".into(), per_page.to_string()));
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_checked_and_named() {
        let q = Query::parse(Some("page=2&per_page=500&x=%20")).unwrap();
        assert_eq!(q.int("page", 1..=10, 1).unwrap(), 2);
        let e = q.paging().unwrap_err();
        assert_eq!(e.parameter, Some("per_page"));
        assert_eq!(q.get("x"), None);
        let q = Query::parse(Some("page=abc")).unwrap();
        assert_eq!(q.paging().unwrap_err().parameter, Some("page"));
        let q = Query::parse(Some("page=-1")).unwrap();
        assert!(q.paging().is_err());
    }

    #[test]
    fn other_pages_keep_the_filters() {
        let q = Query::parse(Some("topic=a%20b&page=3")).unwrap();
        assert_eq!(q.with_page(4, 20), "topic=a+b&page=4&per_page=20");
    }
}
