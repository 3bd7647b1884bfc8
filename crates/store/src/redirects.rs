//! Addresses a site had before (an imported site's permalinks, `/?p=ID`)
//! that answer with a permanent redirect. A redirect names what it leads to
//! (an article, a page, a section…) rather than a URL, so it follows later
//! renames; one whose target is gone or not public leads nowhere.

use crate::{Result, Store, with_pool};

/// What an old address leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedirectTarget {
    Article(i64),
    Page(i64),
    Section(i64),
    Topic(i64),
    /// Any other address, as given.
    Url(String),
}

/// Where a redirect leads now, for the web layer to turn into a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    Article(String),
    Page(String),
    Section(String),
    Topic(String),
    Url(String),
}

impl RedirectTarget {
    pub(crate) fn parts(&self) -> (&'static str, Option<i64>, Option<&str>) {
        match self {
            RedirectTarget::Article(id) => ("article", Some(*id), None),
            RedirectTarget::Page(id) => ("page", Some(*id), None),
            RedirectTarget::Section(id) => ("section", Some(*id), None),
            RedirectTarget::Topic(id) => ("topic", Some(*id), None),
            RedirectTarget::Url(url) => ("url", None, Some(url.as_str())),
        }
    }
}

/// The form every redirect path is kept and looked up in: percent-escapes
/// decoded (so `%E6` and `%e6` agree), no trailing slash except the root's,
/// and the query kept only for the root (`/?p=12`).
pub fn normalize_path(path_and_query: &str) -> String {
    let (path, query) = match path_and_query.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path_and_query, None),
    };
    let mut path = percent_decode(path);
    while path.len() > 1 && path.ends_with('/') {
        path.pop();
    }
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    match query {
        Some(q) if path == "/" && !q.is_empty() => format!("/?{}", percent_decode(q)),
        _ => path,
    }
}

/// `%XX` sequences decoded; bytes that are not UTF-8 become U+FFFD.
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Writes `rows` redirects (path, kind, id, url, created), each replacing
/// what its path led to before.
pub(crate) fn upsert_sql(rows: usize) -> String {
    format!(
        "{} ON CONFLICT (path) DO UPDATE SET target_kind = excluded.target_kind,
            target_id = excluded.target_id, target_url = excluded.target_url",
        crate::db::values_sql(
            "INSERT INTO redirects (path, target_kind, target_id, target_url, created_at) VALUES ",
            5,
            rows,
            "",
        )
    )
}

impl Store {
    /// Makes `path` (any form; it is normalized) lead to `target`, replacing
    /// what it led to before.
    #[tracing::instrument(skip_all)]
    pub async fn set_redirect(&self, path: &str, target: &RedirectTarget) -> Result<()> {
        let path = normalize_path(path);
        let (kind, id, url) = target.parts();
        let _w = self.writer().await;
        crate::retrying!({
            with_pool!(&self.pool, p => {
                sqlx::query(&upsert_sql(1))
                    .bind(&path).bind(kind).bind(id).bind(url).bind(self.now())
                    .execute(p)
                    .await?;
            });
            Ok(())
        })
    }

    /// Where the old address `path_and_query` leads now, if anywhere a reader may go.
    #[tracing::instrument(skip_all)]
    pub async fn redirect_for(&self, path_and_query: &str) -> Result<Option<Destination>> {
        let path = normalize_path(path_and_query);
        let row: Option<(String, Option<String>, Option<String>)> = with_pool!(&self.pool, p => {
            sqlx::query_as(
                "SELECT r.target_kind, r.target_url,
                    CASE r.target_kind
                        WHEN 'article' THEN (SELECT a.slug FROM articles a WHERE a.id = r.target_id AND a.status = 'published')
                        WHEN 'page' THEN (SELECT g.slug FROM pages g WHERE g.id = r.target_id AND g.status = 'published')
                        WHEN 'section' THEN (SELECT s.slug FROM sections s WHERE s.id = r.target_id)
                        WHEN 'topic' THEN (SELECT t.slug FROM topics t WHERE t.id = r.target_id)
                    END
                 FROM redirects r WHERE r.path = $1",
            )
            .bind(&path)
            .fetch_optional(p)
            .await?
        });
        Ok(row.and_then(|(kind, url, slug)| match kind.as_str() {
            "article" => slug.map(Destination::Article),
            "page" => slug.map(Destination::Page),
            "section" => slug.map(Destination::Section),
            "topic" => slug.map(Destination::Topic),
            "url" => url.map(Destination::Url),
            _ => None,
        }))
    }

    /// How many redirects the site has (the newsroom's overview, reports).
    pub async fn count_redirects(&self) -> Result<i64> {
        Ok(with_pool!(&self.pool, p => {
            sqlx::query_scalar("SELECT COUNT(*) FROM redirects").fetch_one(p).await?
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_path;

    #[test]
    fn paths_agree_however_they_are_written() {
        assert_eq!(
            normalize_path("/2011/05/hello-world/"),
            "/2011/05/hello-world"
        );
        assert_eq!(
            normalize_path("/2011/05/hello-world"),
            "/2011/05/hello-world"
        );
        assert_eq!(normalize_path("/%E6%97%A5/"), normalize_path("/%e6%97%a5"));
        assert_eq!(normalize_path("/%e6%97%a5"), "/日");
        assert_eq!(normalize_path("/?p=12"), "/?p=12");
        assert_eq!(normalize_path("/news/x?utm=1"), "/news/x");
        assert_eq!(normalize_path("/"), "/");
        assert_eq!(normalize_path("/%zz%4"), "/%zz%4");
    }
}
