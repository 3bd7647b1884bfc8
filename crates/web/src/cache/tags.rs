//! What a rendered page shows, recorded while it renders, so that a change
//! drops exactly the cached pages it makes stale (and a CDN in front is told
//! the same, as surrogate keys).
//!
//! The views record as they are built (`views::summaries`, the article view,
//! the chrome, the list handlers), inside the scope the cache opens around a
//! render; outside one (previews, feeds, the API) recording does nothing.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;

/// One thing a page shows that a change can make stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tag {
    /// The article itself, a summary of it, or a link to it with its headline.
    Article(i64),
    /// The article's comments, or their count.
    Comments(i64),
    /// A page of this section's list (the home page's block for it too).
    SectionList(i64),
    TopicList(i64),
    AuthorList(i64),
    /// The home page's own list of the newest articles.
    Home,
    /// The Latest News rail on every page.
    Latest,
    /// An article's card or rail link (address, headline, dek, kicker,
    /// image) wherever it is listed; `Article` is its own page.
    Card(i64),
    /// The Most Read rail (home and article pages).
    MostRead,
}

impl fmt::Display for Tag {
    /// The tag as a surrogate key: `article-12`, `section-3`, `home`…
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tag::Article(id) => write!(f, "article-{id}"),
            Tag::Comments(id) => write!(f, "comments-{id}"),
            Tag::SectionList(id) => write!(f, "section-{id}"),
            Tag::TopicList(id) => write!(f, "topic-{id}"),
            Tag::AuthorList(id) => write!(f, "author-{id}"),
            Tag::Home => f.write_str("home"),
            Tag::Latest => f.write_str("latest"),
            Tag::Card(id) => write!(f, "card-{id}"),
            Tag::MostRead => f.write_str("most-read"),
        }
    }
}

/// The surrogate key every cached page carries: purging it purges the site.
pub const SITE_KEY: &str = "site";

/// What a render showed: its tags, and a time (Unix seconds) when the page
/// changes by itself, if it does (comments closing).
#[derive(Debug, Default)]
pub struct Shown {
    pub tags: Vec<Tag>,
    pub until: Option<i64>,
}

tokio::task_local! {
    static SHOWN: RefCell<Shown>;
}

/// Notes that the page being rendered shows `tag`.
pub fn shown(tag: Tag) {
    let _ = SHOWN.try_with(|s| s.borrow_mut().tags.push(tag));
}

/// Notes that the page being rendered is right only until `at` (Unix seconds).
pub fn until(at: i64) {
    let _ = SHOWN.try_with(|s| {
        let mut s = s.borrow_mut();
        s.until = Some(s.until.map_or(at, |u| u.min(at)));
    });
}

/// Runs a render, returning its output and what it showed (tags sorted, once each).
pub async fn recording<F: Future>(render: F) -> (F::Output, Shown) {
    SHOWN
        .scope(RefCell::new(Shown::default()), async move {
            let out = render.await;
            let mut shown = SHOWN.with(|s| std::mem::take(&mut *s.borrow_mut()));
            shown.tags.sort_unstable();
            shown.tags.dedup();
            (out, shown)
        })
        .await
}

/// `Surrogate-Key` (space-separated) and `Cache-Tag` (comma-separated) values for these tags.
pub fn surrogate_keys(tags: &[Tag], separator: &str) -> String {
    let mut out = String::from(SITE_KEY);
    for t in tags {
        out.push_str(separator);
        out.push_str(&t.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_render_records_what_it_shows_once() {
        let ((), seen) = recording(async {
            shown(Tag::Article(2));
            tokio::task::yield_now().await;
            shown(Tag::Latest);
            until(2_000);
            shown(Tag::Article(2));
            until(1_000);
        })
        .await;
        let tags = seen.tags;
        assert_eq!(tags, vec![Tag::Article(2), Tag::Latest]);
        assert_eq!(seen.until, Some(1_000), "the earliest");
        // Outside a render nothing is kept, and nothing fails.
        shown(Tag::Home);
        assert_eq!(surrogate_keys(&tags, " "), "site article-2 latest");
    }
}
