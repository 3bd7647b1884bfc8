//! The cache in front of the reader pages, as HTTP: which requests it may
//! answer, the coding a client gets (Brotli, gzip or none, by
//! `Accept-Encoding`), validators and `304 Not Modified`, `Cache-Control`
//! for browsers and CDNs, surrogate keys, and HEAD.
//!
//! Signed-in staff and readers with a comment awaiting moderation (they see
//! it on the page) are never served from the cache, nor is any page they
//! get kept in it or in a shared cache.

use super::tags::{self, surrogate_keys};
use super::{CachedPage, Coding, PageCache};
use crate::AppState;
use crate::extract::pagination::{COMMENT_PAGE, LIST_PAGE, canonical};
use crate::extract::session::{PENDING_COOKIE, SESSION_COOKIE, cookie};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// A page that counts as a view of this article (Most Read) when served.
#[derive(Debug, Clone, Copy)]
pub struct ViewOf(pub i64);

/// Query parameters that never change a page: links from newsletters and
/// social networks carry them. Left out of the cache key.
const TRACKING: [&str; 4] = ["fbclid", "gclid", "msclkid", "mc_cid"];

/// The page-number parameter a reader page reads, known by its address
/// (the router's `/news/{slug}` and list routes); the home page, static
/// pages and the rest read none.
fn page_parameter(path: &str) -> Option<&'static str> {
    let mut segments = path.strip_prefix('/')?.split('/');
    match (segments.next(), segments.next(), segments.next()) {
        (Some("news"), Some(slug), None) if !slug.is_empty() => Some(COMMENT_PAGE),
        (Some("section" | "topic" | "author"), Some(slug), None) if !slug.is_empty() => {
            Some(LIST_PAGE)
        }
        _ => None,
    }
}

/// The key a request's page is cached under, or None when the page is not
/// for the cache: other methods, search, or a query that is not a page's
/// own address. The key holds only what the page reads: its page number,
/// written the one way `extract::pagination` accepts, and never `1` (that
/// page's address has none). Anything else is answered uncached (a 301, a
/// 404, or a page rendered for that request alone: a reply form, the
/// pending-comment notice, a parameter nothing reads), so made-up queries
/// add no entries however many there are.
pub fn cache_key(method: &Method, path: &str, query: Option<&str>) -> Option<String> {
    if (method != Method::GET && method != Method::HEAD) || path.starts_with("/search") {
        return None;
    }
    // Slugs are plain ASCII, so a page's own address has no escapes: an
    // escaped spelling (`/news/%61lpha`) is the same page at another address.
    if path.contains('%') {
        return None;
    }
    let reads = page_parameter(path);
    let mut page = None;
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        if name.starts_with("utm_") || TRACKING.contains(&name) {
            continue;
        }
        match canonical(value) {
            Some(n) if n > 1 && Some(name) == reads && page.is_none() => page = Some((name, n)),
            _ => return None,
        }
    }
    Some(match page {
        None => path.to_string(),
        Some((name, n)) => format!("{path}?{name}={n}"),
    })
}

/// Whether this reader must get pages made for them alone.
fn personal(headers: &HeaderMap) -> bool {
    cookie(headers, SESSION_COOKIE).is_some() || cookie(headers, PENDING_COOKIE).is_some()
}

/// The coding to answer in: Brotli, then gzip, when the client takes them.
pub fn negotiate(headers: &HeaderMap) -> Coding {
    let mut best = Coding::Identity;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(text) = value.to_str() else { continue };
        for item in text.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let refused = parts.any(|p| {
                let p = p.trim();
                p.strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            if refused {
                continue;
            }
            match name.as_str() {
                "br" => best = Coding::Brotli,
                "gzip" | "x-gzip" if best == Coding::Identity => best = Coding::Gzip,
                _ => {}
            }
        }
    }
    best
}

/// Whether `If-None-Match` (or, without it, `If-Modified-Since`) says the
/// client already has the document whose entity tag is `opaque` (unquoted,
/// without a coding suffix) and which last changed at `modified`. A tag
/// with a coding suffix (`"…-gzip"`) is the same document in another coding.
pub fn client_has(headers: &HeaderMap, opaque: &str, modified: SystemTime) -> bool {
    if let Some(v) = headers.get(header::IF_NONE_MATCH) {
        let Ok(list) = v.to_str() else { return false };
        return list.split(',').any(|tag| {
            let tag = tag.trim();
            let theirs = tag.strip_prefix("W/").unwrap_or(tag).trim_matches('"');
            tag == "*"
                || theirs == opaque
                || theirs
                    .strip_prefix(opaque)
                    .is_some_and(|rest| ["-gzip", "-br", "-deflate", "-zstd"].contains(&rest))
        });
    }
    headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok())
        .is_some_and(|since| modified <= since + Duration::from_secs(1))
}

fn not_modified(headers: &HeaderMap, page: &CachedPage) -> bool {
    client_has(headers, &page.etag, page.modified)
}

/// `Cache-Control` for pages anyone may be served from a shared cache: a
/// CDN keeps them `max_age` seconds (and serves them `stale` more while it
/// fetches a fresh copy); a browser asks again each time, which costs a 304
/// when nothing changed, and means a reader never sees yesterday's front
/// page, nor a page from before their own comment.
pub fn public_control(max_age: u32, stale: u32) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "public, max-age=0, s-maxage={max_age}, stale-while-revalidate={stale}"
    ))
    .unwrap_or(HeaderValue::from_static("public, max-age=0"))
}

const PERSONAL: HeaderValue = HeaderValue::from_static("private, no-cache");

/// Answers from `page`: the chosen coding, or 304, or no body for HEAD.
fn answer(page: &CachedPage, control: &HeaderValue, request: &HeaderMap, head: bool) -> Response {
    let coding = negotiate(request);
    let fresh = not_modified(request, page);
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let body = page.body_in(coding);
        let length = body.len();
        let mut r = if head {
            Response::new(Body::empty())
        } else {
            Response::new(Body::from(body))
        };
        r.headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(length));
        r.headers_mut()
            .insert(header::CONTENT_TYPE, page.content_type.clone());
        if let Some(name) = coding.name() {
            r.headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static(name));
        }
        r
    };
    let h = response.headers_mut();
    h.insert(header::ETAG, page.etag_value(coding).clone());
    h.insert(header::LAST_MODIFIED, page.last_modified().clone());
    h.insert(header::CACHE_CONTROL, control.clone());
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    h.insert("surrogate-key", page.surrogate.clone());
    h.insert("cache-tag", page.cache_tag.clone());
    if let Some(csp) = &page.csp {
        h.insert(header::CONTENT_SECURITY_POLICY, csp.clone());
    }
    response
}

/// The address of the reader asking, for counting views: hits are answered
/// before any extractor runs, so it is read from the request as `ClientAddr` does.
fn reader_of<B>(state: &AppState, request: &axum::http::Request<B>) -> Option<std::net::IpAddr> {
    crate::extract::client::client_ip(
        request.extensions(),
        request.headers(),
        &state.config.trusted_proxies,
    )
}

/// Answers a request from the cache before the router's middleware, when
/// it can: its page is kept and fresh, the reader is anonymous, and this
/// instance has no write of its own still to apply. The response is the one
/// the long way (`serve`, under every layer) would give, headers included.
pub fn fast_hit<B>(state: &AppState, request: &axum::http::Request<B>) -> Option<Response> {
    let started = std::time::Instant::now();
    let cache = &state.pages;
    if !cache.enabled() || !cache.caught_up(&state.store) {
        return None;
    }
    let key = cache_key(
        request.method(),
        request.uri().path(),
        request.uri().query(),
    )?;
    if personal(request.headers()) {
        return None;
    }
    let page = cache.hit(&key)?;
    if let Some(id) = page.view_of {
        state
            .views
            .record(id, request.headers(), reader_of(state, request));
    }
    let head = request.method() == Method::HEAD;
    let mut response = answer(&page, &cache.control, request.headers(), head);
    crate::middleware::secure(response.headers_mut(), state);
    crate::middleware::timing(response.headers_mut(), started);
    Some(response)
}

/// The layer that serves cache hits with `fast_hit`; outermost, so that a
/// hit skips the rest of the stack.
#[derive(Clone)]
pub struct Hits {
    state: AppState,
}

impl Hits {
    pub fn new(state: AppState) -> Hits {
        Hits { state }
    }
}

impl<S> tower::Layer<S> for Hits {
    type Service = HitService<S>;

    fn layer(&self, inner: S) -> HitService<S> {
        HitService {
            state: self.state.clone(),
            inner,
        }
    }
}

#[derive(Clone)]
pub struct HitService<S> {
    state: AppState,
    inner: S,
}

impl<S> tower::Service<Request> for HitService<S>
where
    S: tower::Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future =
        futures_util::future::Either<std::future::Ready<Result<Response, S::Error>>, S::Future>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        match fast_hit(&self.state, &request) {
            Some(response) => futures_util::future::Either::Left(std::future::ready(Ok(response))),
            None => futures_util::future::Either::Right(self.inner.call(request)),
        }
    }
}

/// The middleware in front of the reader pages.
pub async fn serve(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let cache: &Arc<PageCache> = &state.pages;
    let Some(key) = cache_key(
        request.method(),
        request.uri().path(),
        request.uri().query(),
    ) else {
        return next.run(request).await;
    };
    if personal(request.headers()) {
        let mut response = next.run(request).await;
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, PERSONAL);
        return response;
    }
    if !cache.enabled() {
        // Rendered every time; still labelled for the caches in front.
        let (mut response, shown) = tags::recording(next.run(request)).await;
        if response.status() == StatusCode::OK {
            label(response.headers_mut(), cache, &shown.tags);
        }
        return response;
    }
    cache.catch_up_if_written(&state.store).await;
    let head = request.method() == Method::HEAD;
    if let Some(page) = cache.get(&key) {
        if let Some(id) = page.view_of {
            state
                .views
                .record(id, request.headers(), reader_of(&state, &request));
        }
        return answer(&page, &cache.control, request.headers(), head);
    }
    // A miss: render (a HEAD as the GET it stands for, so the page can be
    // kept), or wait for the render another request began.
    let headers = request.headers().clone();
    let reader = reader_of(&state, &request);
    *request.method_mut() = Method::GET;
    let flight = cache.flight(&key);
    // What this request's own render made, when it was the one rendering.
    let mut mine = Some((request, next));
    let mut made: Option<Result<Arc<CachedPage>, Response>> = None;
    let (mine_ref, made_ref, key_ref) = (&mut mine, &mut made, &key);
    let shared = flight
        .get_or_init(move || async move {
            let (request, next) = mine_ref.take()?;
            let epoch = cache.epoch();
            let (response, shown) = tags::recording(next.run(request)).await;
            let page = keep(key_ref, response, shown).await.map(Arc::new);
            // Shared (and kept) only if nothing it shows changed while it rendered.
            let shared = match &page {
                Ok(page) => cache.insert(page.clone(), epoch).then(|| page.clone()),
                Err(_) => None,
            };
            *made_ref = Some(page);
            shared
        })
        .await
        .clone();
    cache.landed(&key, &flight);
    match (made, shared, mine) {
        (Some(Ok(page)), ..) => answer(&page, &cache.control, &headers, head),
        (Some(Err(response)), ..) => response,
        // Rendered by another request: this one counts as a view all the same.
        (None, Some(page), _) => {
            if let Some(id) = page.view_of {
                state.views.record(id, &headers, reader);
            }
            answer(&page, &cache.control, &headers, head)
        }
        // The render waited for is not one to share: this request renders its own.
        (None, None, Some((request, next))) => next.run(request).await,
        (None, None, None) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// Adds the headers a cacheable page carries when it is not served from the cache.
fn label(h: &mut HeaderMap, cache: &PageCache, shown: &[tags::Tag]) {
    h.insert(header::CACHE_CONTROL, cache.control.clone());
    if let Ok(v) = HeaderValue::from_str(&surrogate_keys(shown, " ")) {
        h.insert("surrogate-key", v);
    }
    if let Ok(v) = HeaderValue::from_str(&surrogate_keys(shown, ",")) {
        h.insert("cache-tag", v);
    }
}

/// A rendered response as a page to keep, or back as it was when it is not
/// one (not a 200 HTML page, or it sets a cookie).
async fn keep(key: &str, response: Response, shown: tags::Shown) -> Result<CachedPage, Response> {
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|ct| ct.as_bytes().starts_with(b"text/html"));
    if response.status() != StatusCode::OK
        || !html
        || response.headers().contains_key(header::SET_COOKIE)
        || response.headers().contains_key(header::CONTENT_ENCODING)
    {
        return Err(response);
    }
    let view_of = response.extensions().get::<ViewOf>().map(|v| v.0);
    let (parts, body) = response.into_parts();
    let content_type = parts.headers.get(header::CONTENT_TYPE).cloned();
    let csp = parts.headers.get(header::CONTENT_SECURITY_POLICY).cloned();
    let body: Bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "page cache: could not read a rendered page");
            return Err(StatusCode::INTERNAL_SERVER_ERROR.into_response());
        }
    };
    let content_type = content_type.unwrap_or(HeaderValue::from_static("text/html; charset=utf-8"));
    let mut page = CachedPage::new(
        key,
        content_type,
        body,
        shown.tags,
        view_of,
        SystemTime::now(),
    );
    if let Some(at) = shown.until {
        page.expire_at(at);
    }
    page.csp = csp;
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_page_views_are_keys() {
        let get = Method::GET;
        assert_eq!(cache_key(&get, "/", None).as_deref(), Some("/"));
        assert_eq!(
            cache_key(&Method::HEAD, "/news/a", None).as_deref(),
            Some("/news/a")
        );
        assert_eq!(
            cache_key(&get, "/section/x", Some("page=2")).as_deref(),
            Some("/section/x?page=2")
        );
        assert_eq!(
            cache_key(&get, "/news/a", Some("utm_source=x&cpage=3&fbclid=y")).as_deref(),
            Some("/news/a?cpage=3")
        );
        for (path, query) in [
            ("/search", Some("q=x")),
            ("/search/suggest", None),
            ("/news/a", Some("reply=4")),
            ("/news/a", Some("comment=pending")),
            ("/", Some("p=12")),
            ("/section/x", Some("page=two")),
            ("/section/x", Some("page=2&page=3")),
            ("/section/x", Some("page=1234567")),
        ] {
            assert_eq!(cache_key(&get, path, query), None, "{path}?{query:?}");
        }
        assert_eq!(cache_key(&get, "/news/%61", None), None);
        assert_eq!(cache_key(&Method::POST, "/news/a/comments", None), None);
    }

    #[test]
    fn only_the_number_a_page_reads_written_its_one_way_is_a_key() {
        let get = Method::GET;
        for (path, query) in [
            // Page 1 by number, and numbers written another way.
            ("/section/x", "page=1"),
            ("/news/a", "cpage=1"),
            ("/news/a", "cpage=02"),
            ("/news/a", "cpage=000002"),
            ("/news/a", "cpage=+2"),
            ("/news/a", "cpage=2.0"),
            ("/topic/t", "page=0"),
            ("/author/a", "page=100001"),
            // Numbers the page does not read.
            ("/news/a", "page=2"),
            ("/news/a", "cpage=2&page=2"),
            ("/section/x", "cpage=2"),
            ("/", "page=2"),
            ("/about", "page=2"),
            ("/news/a/b", "cpage=2"),
            ("/news/%61", "cpage=2"),
            // Parameters nothing reads.
            ("/news/a", "x=1"),
            ("/section/x", "page=2&x=1"),
        ] {
            assert_eq!(cache_key(&get, path, Some(query)), None, "{path}?{query}");
        }
        assert_eq!(
            cache_key(&get, "/author/a", Some("page=100000")).as_deref(),
            Some("/author/a?page=100000")
        );
    }

    #[test]
    fn brotli_then_gzip_then_none() {
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
            negotiate(&h)
        };
        assert_eq!(with("gzip, deflate, br, zstd"), Coding::Brotli);
        assert_eq!(with("gzip"), Coding::Gzip);
        assert_eq!(with("br;q=0, gzip;q=0.5"), Coding::Gzip);
        assert_eq!(with("gzip;q=0"), Coding::Identity);
        assert_eq!(with("identity"), Coding::Identity);
        assert_eq!(negotiate(&HeaderMap::new()), Coding::Identity);
    }

    #[test]
    fn validators_match_any_coding_of_the_same_page() {
        let page = CachedPage::new(
            "/",
            HeaderValue::from_static("text/html"),
            Bytes::from_static(b"<p>hello</p>"),
            Vec::new(),
            None,
            SystemTime::now(),
        );
        let with = |name: header::HeaderName, v: String| {
            let mut h = HeaderMap::new();
            h.insert(name, HeaderValue::from_str(&v).unwrap());
            not_modified(&h, &page)
        };
        assert!(with(header::IF_NONE_MATCH, page.etag_of(Coding::Identity)));
        assert!(with(
            header::IF_NONE_MATCH,
            format!("\"x\", {}", page.etag_of(Coding::Brotli))
        ));
        assert!(with(
            header::IF_NONE_MATCH,
            format!("W/{}", page.etag_of(Coding::Gzip))
        ));
        assert!(!with(header::IF_NONE_MATCH, "\"other\"".into()));
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(60));
        let earlier = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(60));
        assert!(with(header::IF_MODIFIED_SINCE, later));
        assert!(!with(header::IF_MODIFIED_SINCE, earlier));
    }
}
