//! Conditional GET for what is made from the database alone (feeds,
//! sitemaps, robots.txt): the validators come from the newest change-log
//! entry, which every instance on the database agrees on, so a client that
//! has the current copy gets a 304 without the document being made again.
//!
//! On PostgreSQL a change can commit after a later-numbered one, so the
//! newest number does not yet say everything is in. While a write that may
//! still commit under it is running, the ETag also carries a digest of what
//! is in flight (see `LogState`), which changes when that write commits or
//! ends, and no Last-Modified is sent (the late change would be older than
//! it). Nothing waits on the clock: a rolled-back write changes the ETag
//! once, and a write that commits an hour later changes it then.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::time::{Duration, UNIX_EPOCH};

/// An ETag and a Last-Modified time for one representation.
pub struct Validators {
    etag: String,
    last_modified: i64,
    /// False while a change may still commit under the newest one: its
    /// time would not move Last-Modified, so none is sent or compared.
    dated: bool,
}

/// The validators of the document at `what` (its path and anything else it
/// depends on), no older than `floor` (Unix seconds; for documents that
/// also change with time).
pub async fn for_document(
    state: &crate::AppState,
    what: &str,
    floor: i64,
) -> Result<Validators, bbn_store::StoreError> {
    let log = state.store.log_state().await?;
    let mut v = Validators::new(what, (log.seq, log.at.max(floor)));
    if log.in_flight != 0 {
        v.etag = format!(
            "\"{:x}.{:x}{}",
            log.seq,
            log.in_flight,
            &v.etag[v.etag.find('-').unwrap_or(0)..]
        );
        v.dated = false;
    }
    Ok(v)
}

impl Validators {
    /// For the document at `what` (its path and anything else it depends
    /// on) as of change `seq`, made at `at`.
    fn new(what: &str, (seq, at): (i64, i64)) -> Validators {
        let mut h = Sha256::new();
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        h.update(what.as_bytes());
        let digest = h.finalize();
        let tag: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        Validators {
            etag: format!("\"{seq:x}-{tag}\""),
            last_modified: at.max(0),
            dated: true,
        }
    }

    /// Whether the client's copy is current (`If-None-Match`, or failing
    /// that `If-Modified-Since`).
    pub fn matches(&self, headers: &HeaderMap) -> bool {
        if !self.dated && !headers.contains_key(header::IF_NONE_MATCH) {
            return false;
        }
        crate::cache::http::client_has(
            headers,
            self.etag.trim_matches('"'),
            UNIX_EPOCH + Duration::from_secs(self.last_modified as u64),
        )
    }

    fn headers(&self) -> Vec<(header::HeaderName, HeaderValue)> {
        let mut out = vec![(
            header::ETAG,
            HeaderValue::from_str(&self.etag).unwrap_or(HeaderValue::from_static("\"0\"")),
        )];
        if self.dated {
            let when = UNIX_EPOCH + Duration::from_secs(self.last_modified as u64);
            out.push((
                header::LAST_MODIFIED,
                HeaderValue::from_str(&httpdate::fmt_http_date(when))
                    .unwrap_or(HeaderValue::from_static("Thu, 01 Jan 1970 00:00:00 GMT")),
            ));
        }
        out
    }

    /// 304 Not Modified, with the validators.
    pub fn not_modified(&self) -> Response {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        for (name, value) in self.headers() {
            response.headers_mut().insert(name, value);
        }
        response
    }

    /// Adds the validators and a short shared cache lifetime to a response.
    pub fn apply(&self, mut response: Response) -> Response {
        let h = response.headers_mut();
        for (name, value) in self.headers() {
            h.insert(name, value);
        }
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=60"),
        );
        response
    }
}
