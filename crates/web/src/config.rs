//! The settings of the web layer that come from the server's configuration
//! (not from the database's site settings).

#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The public address of the site, without a trailing slash, e.g. `https://news.example`.
    pub base_url: String,
}

impl WebConfig {
    pub fn new(base_url: &str) -> WebConfig {
        WebConfig {
            base_url: base_url.trim_end_matches('/').to_string(),
        }
    }
}
