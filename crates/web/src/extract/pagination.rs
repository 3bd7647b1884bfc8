//! Page numbers in query strings: `?page=N` on list pages, `?cpage=N` for
//! an article's comments. Each page has one address, so that the page cache
//! keeps it once and made-up numbers add nothing: the first page is the
//! address without the parameter (asked for as `1`, it is a 301 there);
//! the others are `N` written plainly. Anything else (`0`, `01`, `+2`,
//! `2.0`, the parameter twice, past `MAX_PAGE`) is a page that does not
//! exist (404), never an error of ours.

use crate::error::AppError;
use axum::extract::FromRequestParts;
use axum::http::Uri;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

/// The highest page number anyone can ask for; larger numbers are 404s.
pub const MAX_PAGE: u32 = 100_000;

/// The parameter list pages (sections, topics, authors) read.
pub const LIST_PAGE: &str = "page";

/// The parameter an article page reads for its comments.
pub const COMMENT_PAGE: &str = "cpage";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageNumber(pub u32);

impl PageNumber {
    pub fn offset(self, page_size: i64) -> i64 {
        (i64::from(self.0) - 1) * page_size
    }
}

/// The number `value` names when written the one way a page number is
/// written: digits, no leading zero, 1 to `MAX_PAGE`.
pub fn canonical(value: &str) -> Option<u32> {
    if value.starts_with('0') || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=MAX_PAGE).contains(n))
}

/// What a query string asks of a page-number parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    /// Not given: the first page, at its own address.
    First,
    /// `1`: the first page, at an address that is not its own.
    FirstByNumber,
    /// A later page, at its own address.
    Page(u32),
    /// Not a page.
    Nothing,
}

pub fn asked(query: Option<&str>, name: &str) -> Asked {
    let mut values = query.unwrap_or("").split('&').filter_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (key == name).then_some(value)
    });
    match (values.next(), values.next()) {
        (None, _) => Asked::First,
        (Some(_), Some(_)) => Asked::Nothing,
        (Some(value), None) => match canonical(value) {
            Some(1) => Asked::FirstByNumber,
            Some(n) => Asked::Page(n),
            None => Asked::Nothing,
        },
    }
}

/// `uri` without the parameter `name`, the rest of its query as sent.
pub fn without(uri: &Uri, name: &str) -> String {
    let rest: Vec<&str> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|pair| !pair.is_empty() && pair.split('=').next() != Some(name))
        .collect();
    if rest.is_empty() {
        uri.path().to_string()
    } else {
        format!("{}?{}", uri.path(), rest.join("&"))
    }
}

/// The answer to an address that is not a page's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotAPage {
    /// Page 1 by number: a 301 to the address without it.
    MovedTo(String),
    /// A 404.
    Missing,
}

impl IntoResponse for NotAPage {
    fn into_response(self) -> Response {
        match self {
            NotAPage::MovedTo(to) => crate::site::moved_permanently(&to),
            NotAPage::Missing => AppError::NotFound.into_response(),
        }
    }
}

/// The page `name` in `uri` asks for, or why that is not a page's own address.
pub fn read(uri: &Uri, name: &str) -> Result<PageNumber, NotAPage> {
    match asked(uri.query(), name) {
        Asked::First => Ok(PageNumber(1)),
        Asked::Page(n) => Ok(PageNumber(n)),
        Asked::FirstByNumber => Err(NotAPage::MovedTo(without(uri, name))),
        Asked::Nothing => Err(NotAPage::Missing),
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PageNumber {
    type Rejection = NotAPage;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        read(&parts.uri, LIST_PAGE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_page_has_one_address() {
        assert_eq!(asked(None, "page"), Asked::First);
        assert_eq!(asked(Some("page=3"), "page"), Asked::Page(3));
        assert_eq!(asked(Some("utm=x&page=2"), "page"), Asked::Page(2));
        assert_eq!(asked(Some("cpage=2"), "page"), Asked::First);
        assert_eq!(asked(Some("page=1"), "page"), Asked::FirstByNumber);
        assert_eq!(asked(Some("page=100000"), "page"), Asked::Page(MAX_PAGE));
        for bad in [
            "page=0",
            "page=-1",
            "page=abc",
            "page=99999999999999999999",
            "page=",
            "page",
            "page=01",
            "page=000001",
            "page=+2",
            "page=2.0",
            "page=%32",
            "page=1&page=2",
            "page=2&page=2",
            "page=100001",
        ] {
            assert_eq!(asked(Some(bad), "page"), Asked::Nothing, "{bad}");
        }
    }

    #[test]
    fn the_first_page_by_number_moves_to_the_address_without_it() {
        let uri = |s: &str| s.parse::<Uri>().unwrap();
        assert_eq!(without(&uri("/section/x?page=1"), "page"), "/section/x");
        assert_eq!(
            without(&uri("/news/a?cpage=1&reply=4"), "cpage"),
            "/news/a?reply=4"
        );
        assert_eq!(
            without(&uri("/news/a?utm_source=x&cpage=1"), "cpage"),
            "/news/a?utm_source=x"
        );
        assert_eq!(
            read(&uri("/topic/t?page=1"), "page"),
            Err(NotAPage::MovedTo("/topic/t".into()))
        );
        let moved = NotAPage::MovedTo("/topic/t".into()).into_response();
        assert_eq!(moved.status(), axum::http::StatusCode::MOVED_PERMANENTLY);
        assert_eq!(moved.headers()["location"], "/topic/t");
    }
}
