//! The settings of the web layer that come from the server's configuration
//! (not from the database's site settings).

use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The public address of the site, without a trailing slash, e.g. `https://news.example`.
    pub base_url: String,
    /// Where uploaded images live (`<data dir>/media`); None: no uploads.
    pub media_dir: Option<PathBuf>,
    /// The largest upload accepted, in bytes.
    pub max_upload_bytes: usize,
    /// The largest picture accepted, in megapixels (width × height, read
    /// from the header before decoding).
    pub max_image_megapixels: u32,
    /// A comment posted sooner than this after its form was shown counts as spam.
    pub comment_min_seconds: i64,
    /// At most this many comments from one address in 10 minutes.
    pub comments_per_address: i64,
    /// At most this many comments on one article in 10 minutes.
    pub comments_per_article: i64,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: crate::extract::client::Proxies,
    /// URLs per sitemap file (the sitemap protocol allows 50,000).
    pub sitemap_page_size: i64,
    /// API requests a minute per staff token, and per address without one.
    pub api_token_per_minute: u32,
    pub api_public_per_minute: u32,
    /// Content API requests a minute per content key (front-ends may serve
    /// many readers through one key).
    pub api_content_per_minute: u32,
    /// Memory for rendered pages, in bytes; 0: no page cache.
    pub page_cache_bytes: u64,
    /// How long CDNs may keep a page (`s-maxage`; browsers revalidate each
    /// time), and serve it stale while they fetch a fresh one
    /// (`stale-while-revalidate`), in seconds.
    pub page_max_age: u32,
    pub page_stale_seconds: u32,
    /// Whether webhooks may go to loopback, private and other internal
    /// addresses; without it the form turns such URLs away (the sender
    /// refuses them whatever the form said).
    pub webhook_allow_private: bool,
}

/// 256 MB, the default page cache.
pub const DEFAULT_PAGE_CACHE: u64 = 256 * 1024 * 1024;

/// 10 MB, the default upload limit.
pub const DEFAULT_MAX_UPLOAD: usize = 10 * 1024 * 1024;

impl WebConfig {
    pub fn new(base_url: &str) -> WebConfig {
        WebConfig {
            base_url: base_url.trim_end_matches('/').to_string(),
            media_dir: None,
            max_upload_bytes: DEFAULT_MAX_UPLOAD,
            max_image_megapixels: crate::media::DEFAULT_MAX_MEGAPIXELS,
            comment_min_seconds: 3,
            comments_per_address: 5,
            comments_per_article: 60,
            trusted_proxies: Default::default(),
            sitemap_page_size: 50_000,
            api_token_per_minute: 600,
            api_public_per_minute: 300,
            api_content_per_minute: 6_000,
            page_cache_bytes: DEFAULT_PAGE_CACHE,
            page_max_age: 60,
            page_stale_seconds: 600,
            webhook_allow_private: false,
        }
    }

    pub fn with_media(mut self, dir: PathBuf, max_upload_bytes: usize) -> WebConfig {
        self.media_dir = Some(dir);
        self.max_upload_bytes = max_upload_bytes;
        self
    }
}
