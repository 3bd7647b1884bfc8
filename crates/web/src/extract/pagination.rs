//! `?page=N` on list pages. Anything but a whole number from 1 up is a page
//! that does not exist (404), never an error of ours.

use crate::error::AppError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// The highest page number anyone can ask for; larger numbers are 404s.
pub const MAX_PAGE: u32 = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageNumber(pub u32);

impl PageNumber {
    pub fn offset(self, page_size: i64) -> i64 {
        (i64::from(self.0) - 1) * page_size
    }
}

pub fn parse(query: Option<&str>) -> Result<PageNumber, AppError> {
    let mut page = None;
    for pair in query.unwrap_or("").split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key == "page" {
            if page.is_some() {
                return Err(AppError::NotFound);
            }
            page = Some(value);
        }
    }
    match page {
        None => Ok(PageNumber(1)),
        Some(v) => match v.parse::<u32>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) && !v.starts_with('+') && !v.starts_with('0') => {
                Ok(PageNumber(n))
            }
            _ => Err(AppError::NotFound),
        },
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PageNumber {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parse(parts.uri.query())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_real_page_numbers() {
        assert_eq!(parse(None).ok(), Some(PageNumber(1)));
        assert_eq!(parse(Some("page=3")).ok(), Some(PageNumber(3)));
        assert_eq!(parse(Some("utm=x&page=2")).ok(), Some(PageNumber(2)));
        for bad in [
            "page=0",
            "page=-1",
            "page=abc",
            "page=99999999999999999999",
            "page=",
            "page=01",
            "page=+2",
            "page=1&page=2",
            "page=100001",
        ] {
            assert!(parse(Some(bad)).is_err(), "{bad}");
        }
    }
}
