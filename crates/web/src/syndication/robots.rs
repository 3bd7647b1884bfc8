//! `/robots.txt`: the admins' own text from the settings, or bbn's, which
//! keeps crawlers out of the newsroom and the search results. Either way it
//! names the sitemaps.

use super::conditional::for_document;
use crate::AppState;
use crate::error::AppError;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// bbn's robots.txt when the admins have not written one.
fn default_rules() -> &'static str {
    "User-agent: *\nDisallow: /newsroom/\nDisallow: /search\n"
}

/// The robots.txt for `written` (the settings' text, maybe empty): the
/// sitemaps are added unless the text names some itself.
pub fn robots_txt(written: &str, base: &str) -> String {
    let mut out = if written.trim().is_empty() {
        default_rules().to_string()
    } else {
        let mut t = written.trim_end().to_string();
        t.push('\n');
        t
    };
    let names_sitemaps = out.lines().any(|l| {
        l.trim_start()
            .get(..8)
            .is_some_and(|k| k.eq_ignore_ascii_case("sitemap:"))
    });
    if !names_sitemaps {
        out.push_str(&format!(
            "\nSitemap: {base}/sitemap.xml\nSitemap: {base}/news-sitemap.xml\n"
        ));
    }
    out
}

pub async fn show(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    let validators = for_document(&state, "/robots.txt", 0).await?;
    if validators.matches(&headers) {
        return Ok(validators.not_modified());
    }
    let settings = state.store.settings().await?;
    let body = robots_txt(&settings.robots_txt, &state.config.base_url);
    Ok(validators.apply(
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            )],
            body,
        )
            .into_response(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names_the_sitemaps_and_keeps_crawlers_out_of_the_newsroom() {
        let t = robots_txt("", "https://news.test");
        assert!(t.contains("Disallow: /newsroom/"));
        assert!(t.contains("Sitemap: https://news.test/sitemap.xml"));
        assert!(t.contains("Sitemap: https://news.test/news-sitemap.xml"));
    }

    #[test]
    fn written_text_is_kept_and_sitemaps_added_only_when_missing() {
        let t = robots_txt("User-agent: *\nDisallow: /private", "https://n.test");
        assert!(t.starts_with("User-agent: *\nDisallow: /private\n"));
        assert!(t.contains("Sitemap: https://n.test/sitemap.xml"));
        let own = "User-agent: *\nAllow: /\nsitemap: https://cdn.test/map.xml\n";
        assert_eq!(robots_txt(own, "https://n.test"), own);
    }
}
