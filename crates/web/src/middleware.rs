//! Cross-cutting response behaviour: server timing and baseline security headers.

use crate::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;

/// Adds `Server-Timing: app;dur=<ms>`: the time bbn spent producing the
/// response, readable in browser dev tools and by the benchmark.
///
/// Answers slower than `SLOW` are logged at debug under `bbn_web::slow`
/// (`BBN_LOG=warn,bbn_web::slow=debug`), with their method, path and status:
/// what makes a site's slowest hundredth slow.
pub async fn server_timing(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let asked = tracing::enabled!(target: "bbn_web::slow", tracing::Level::DEBUG)
        .then(|| (request.method().clone(), request.uri().path().to_owned()));
    let mut response = next.run(request).await;
    timing(response.headers_mut(), started);
    let took = started.elapsed();
    if let Some((method, path)) = asked
        && took >= SLOW
    {
        tracing::debug!(
            target: "bbn_web::slow",
            %method,
            path,
            status = response.status().as_u16(),
            ms = took.as_millis() as u64,
            "slow answer"
        );
    }
    response
}

/// See `server_timing`.
const SLOW: std::time::Duration = std::time::Duration::from_millis(50);

/// Gives a response compressed on its way out (feeds, sitemaps, assets) an
/// entity tag of its own coding (`"…-gzip"`), as a strong validator must be;
/// pages from the page cache already carry theirs.
pub async fn etag_per_coding(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    if let (Some(coding), Some(tag)) = (
        h.get(header::CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        h.get(header::ETAG).and_then(|v| v.to_str().ok()),
    ) && let Some(opaque) = tag.strip_suffix('"')
        && !opaque.ends_with(&format!("-{coding}"))
        && let Ok(v) = HeaderValue::from_str(&format!("{opaque}-{coding}\""))
    {
        h.insert(header::ETAG, v);
    }
    response
}

pub async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    secure(response.headers_mut(), &state);
    response
}

/// The security headers every response carries; `Strict-Transport-Security`
/// too when the site's address is https (a year, subdomains left alone:
/// they may be served by something else).
pub fn secure(h: &mut HeaderMap, state: &AppState) {
    if state.config.base_url.starts_with("https://") {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    h.insert(
        "permissions-policy",
        HeaderValue::from_static(
            "camera=(), microphone=(), geolocation=(), payment=(), usb=(), \
             browsing-topics=()",
        ),
    );
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        "referrer-policy",
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("SAMEORIGIN"));
    // A page with embeds set its own (`csp_with_frames`); every other gets this.
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(CSP));
}

/// The Content-Security-Policy of every page: nothing from elsewhere but images.
const CSP: &str = "default-src 'self'; img-src 'self' https: data:; script-src 'self'; style-src 'self'; \
     object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";

/// The policy of a page showing embeds: as every page's, with frames from
/// exactly these hosts (each checked by `bbn_core::embed::frame_host_allowed`:
/// letters, digits, dots and hyphens) allowed, loaded only once the reader
/// asks for one.
pub fn csp_with_frames(hosts: &[String]) -> Option<HeaderValue> {
    let hosts: Vec<String> = hosts
        .iter()
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        })
        .map(|h| format!("https://{h}"))
        .collect();
    if hosts.is_empty() {
        return None;
    }
    HeaderValue::from_str(&format!("{CSP}; frame-src 'self' {}", hosts.join(" "))).ok()
}

/// `Server-Timing: app;dur=<ms>` since `started`.
pub fn timing(h: &mut HeaderMap, started: Instant) {
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if let Ok(v) = HeaderValue::from_str(&format!("app;dur={ms:.3}")) {
        h.insert("server-timing", v);
    }
}
