//! One typed, validated configuration: defaults, then bbn.toml, then BBN_*
//! variables, then flags (clap has already put variables under flags).

use crate::cli::{ServeArgs, SiteArgs};
use anyhow::{Context, bail};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// A value that must not appear in logs or error messages (a database URL may hold a password).
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// The URL with any password replaced, for messages; a secret that is
    /// not a URL (a token) is not shown at all.
    pub fn redacted(&self) -> String {
        if !self.0.contains("://") {
            return "***".into();
        }
        match (self.0.find("://"), self.0.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme => {
                let userinfo = &self.0[scheme + 3..at];
                match userinfo.split_once(':') {
                    Some((user, _)) => {
                        format!("{}{user}:***{}", &self.0[..scheme + 3], &self.0[at..])
                    }
                    None => self.0.clone(),
                }
            }
            _ => self.0.clone(),
        }
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// The settings file. Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    base_url: Option<String>,
    theme: Option<PathBuf>,
    demo: Option<bool>,
    max_upload_mb: Option<usize>,
    max_image_megapixels: Option<u32>,
    comments_per_address: Option<i64>,
    comments_per_article: Option<i64>,
    comment_min_seconds: Option<i64>,
    api_token_per_minute: Option<u32>,
    trusted_proxies: Option<String>,
    webhook_timeout: Option<u64>,
    webhook_allow_private: Option<bool>,
    page_cache_mb: Option<u64>,
    page_max_age: Option<u32>,
    page_stale: Option<u32>,
    purge_url: Option<String>,
    purge_token: Option<String>,
    max_connections: Option<usize>,
    header_timeout: Option<u64>,
    write_timeout: Option<u64>,
    connections_per_address: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// None: the embedded SQLite database in `data_dir`.
    pub database_url: Option<Secret>,
    pub base_url: String,
    pub theme: Option<PathBuf>,
    pub demo: bool,
    pub max_upload_bytes: usize,
    /// Images above this many megapixels are refused before decoding.
    pub max_image_megapixels: u32,
    pub comments_per_address: i64,
    pub comments_per_article: i64,
    /// A comment posted sooner after its form was shown is held as spam.
    pub comment_min_seconds: i64,
    pub api_token_per_minute: u32,
    pub trusted_proxies: bbn_web::Proxies,
    /// How long one webhook delivery attempt may take.
    pub webhook_timeout: std::time::Duration,
    /// Whether webhooks may go to loopback, private and other internal
    /// addresses (refused by default: see `bbn_core::address`).
    pub webhook_allow_private: bool,
    /// Bytes of rendered pages kept; 0: no page cache.
    pub page_cache_bytes: u64,
    pub page_max_age: u32,
    pub page_stale_seconds: u32,
    /// Where stale pages' surrogate keys are posted, and the token sent along.
    pub purge_url: Option<String>,
    pub purge_token: Option<Secret>,
    /// How clients may hold connections.
    pub limits: bbn_web::Limits,
}

fn read_file(explicit: Option<&Path>) -> anyhow::Result<FileConfig> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => {
            let default = PathBuf::from("bbn.toml");
            if !default.exists() {
                return Ok(FileConfig::default());
            }
            default
        }
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    toml::from_str(&text)
        .with_context(|| format!("{} is not a valid bbn settings file", path.display()))
}

impl Config {
    pub fn resolve(site: &SiteArgs, serve: &ServeArgs) -> anyhow::Result<Config> {
        let file = read_file(site.config.as_deref())?;
        let limits = limits(serve, &file)?;
        let listen_text = serve
            .listen
            .clone()
            .or(file.listen)
            .unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen: SocketAddr = listen_text.parse().with_context(|| {
            format!("--listen {listen_text:?} is not an address like 127.0.0.1:8080")
        })?;
        let base_url = serve
            .base_url
            .clone()
            .or(file.base_url)
            .unwrap_or_else(|| format!("http://{listen}"))
            .trim_end_matches('/')
            .to_string();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            bail!("--base-url {base_url:?} must start with http:// or https://");
        }
        let database_url = site
            .database_url
            .clone()
            .or(file.database_url)
            .filter(|u| !u.is_empty())
            .map(Secret);
        if let Some(url) = &database_url
            && !["postgres://", "postgresql://", "sqlite://"]
                .iter()
                .any(|p| url.expose().starts_with(p))
        {
            bail!(
                "--database-url must start with postgres:// or sqlite:// (got {})",
                url.redacted()
            );
        }
        Ok(Config {
            listen,
            data_dir: site
                .data_dir
                .clone()
                .or(file.data_dir)
                .unwrap_or_else(|| PathBuf::from("bbn-data")),
            database_url,
            base_url,
            theme: serve.theme.clone().or(file.theme),
            demo: !serve.no_demo && file.demo.unwrap_or(true),
            max_upload_bytes: match serve.max_upload_mb.or(file.max_upload_mb).unwrap_or(10) {
                0 => bail!("--max-upload-mb must be at least 1"),
                mb if mb > 1024 => bail!("--max-upload-mb must be at most 1024"),
                mb => mb * 1024 * 1024,
            },
            max_image_megapixels: match serve
                .max_image_megapixels
                .or(file.max_image_megapixels)
                .unwrap_or(bbn_web::media::DEFAULT_MAX_MEGAPIXELS)
            {
                n @ 1..=250 => n,
                _ => bail!("--max-image-megapixels must be between 1 and 250"),
            },
            comments_per_address: match serve
                .comments_per_address
                .or(file.comments_per_address)
                .unwrap_or(5)
            {
                n if n < 1 => bail!("--comments-per-address must be at least 1"),
                n => n,
            },
            comments_per_article: match serve
                .comments_per_article
                .or(file.comments_per_article)
                .unwrap_or(60)
            {
                n if n < 1 => bail!("--comments-per-article must be at least 1"),
                n => n,
            },
            comment_min_seconds: match serve
                .comment_min_seconds
                .or(file.comment_min_seconds)
                .unwrap_or(3)
            {
                n if !(0..=60).contains(&n) => bail!("--comment-min-seconds must be 0 to 60"),
                n => n,
            },
            api_token_per_minute: match serve
                .api_token_per_minute
                .or(file.api_token_per_minute)
                .unwrap_or(600)
            {
                0 => bail!("--api-token-per-minute must be at least 1"),
                n => n,
            },
            trusted_proxies: bbn_web::Proxies::parse(
                serve
                    .trusted_proxies
                    .as_deref()
                    .or(file.trusted_proxies.as_deref())
                    .unwrap_or(""),
            )
            .map_err(|e| anyhow::anyhow!("--trusted-proxies: {e}"))?,
            webhook_timeout: match serve.webhook_timeout.or(file.webhook_timeout).unwrap_or(10) {
                n @ 1..=120 => std::time::Duration::from_secs(n),
                _ => bail!("--webhook-timeout must be between 1 and 120 seconds"),
            },
            webhook_allow_private: serve.webhook_allow_private
                || file.webhook_allow_private.unwrap_or(false),
            page_cache_bytes: match serve.page_cache_mb.or(file.page_cache_mb).unwrap_or(256) {
                mb if mb > 1024 * 1024 => bail!("--page-cache-mb must be at most 1048576"),
                mb => mb * 1024 * 1024,
            },
            page_max_age: match serve.page_max_age.or(file.page_max_age).unwrap_or(60) {
                n if n > 31_536_000 => bail!("--page-max-age must be at most a year (31536000)"),
                n => n,
            },
            page_stale_seconds: match serve.page_stale.or(file.page_stale).unwrap_or(600) {
                n if n > 31_536_000 => bail!("--page-stale must be at most a year (31536000)"),
                n => n,
            },
            purge_url: match serve
                .purge_url
                .clone()
                .or(file.purge_url)
                .filter(|u| !u.is_empty())
            {
                Some(u) if !(u.starts_with("http://") || u.starts_with("https://")) => {
                    bail!("--purge-url {u:?} must start with http:// or https://")
                }
                u => u,
            },
            purge_token: serve
                .purge_token
                .clone()
                .or(file.purge_token)
                .filter(|t| !t.is_empty())
                .map(Secret),
            limits,
        })
    }
}

/// How clients may hold connections, from flags and the settings file.
fn limits(serve: &ServeArgs, file: &FileConfig) -> anyhow::Result<bbn_web::Limits> {
    let max_connections = match serve
        .max_connections
        .or(file.max_connections)
        .unwrap_or(bbn_web::DEFAULT_MAX_CONNECTIONS)
    {
        n @ 1..=1_000_000 => n,
        _ => bail!("--max-connections must be between 1 and 1000000"),
    };
    Ok(bbn_web::Limits {
        max_connections,
        // A small connection limit is not all given to one address.
        connections_per_address: match serve
            .connections_per_address
            .or(file.connections_per_address)
        {
            None => bbn_web::DEFAULT_CONNECTIONS_PER_ADDRESS.min(max_connections.div_ceil(2)),
            Some(n @ 1..=1_000_000) => n,
            Some(_) => bail!("--connections-per-address must be between 1 and 1000000"),
        },
        header_timeout: match serve.header_timeout.or(file.header_timeout) {
            None => bbn_web::DEFAULT_HEADER_TIMEOUT,
            Some(n @ 1..=300) => std::time::Duration::from_secs(n),
            Some(_) => bail!("--header-timeout must be between 1 and 300 seconds"),
        },
        write_timeout: match serve.write_timeout.or(file.write_timeout) {
            None => bbn_web::DEFAULT_WRITE_TIMEOUT,
            Some(n @ 1..=300) => std::time::Duration::from_secs(n),
            Some(_) => bail!("--write-timeout must be between 1 and 300 seconds"),
        },
        ..bbn_web::Limits::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_hide_passwords() {
        let s = Secret("postgres://bbn:hunter2@db:5432/news".into());
        assert_eq!(format!("{s:?}"), "postgres://bbn:***@db:5432/news");
        assert_eq!(
            Secret("postgres://postgres@127.0.0.1/x".into()).redacted(),
            "postgres://postgres@127.0.0.1/x"
        );
    }

    #[test]
    fn flags_beat_the_file_which_beats_defaults() {
        let dir = std::env::temp_dir().join(format!("bbn-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("bbn.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:9000\"\nbase_url = \"https://news.example/\"\ndemo = false\n",
        )
        .unwrap();
        let site = SiteArgs {
            config: Some(file.clone()),
            ..Default::default()
        };
        let c = Config::resolve(&site, &ServeArgs::default()).unwrap();
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.base_url, "https://news.example");
        assert!(!c.demo);
        assert_eq!(c.data_dir, PathBuf::from("bbn-data"));
        let flags = ServeArgs {
            listen: Some("127.0.0.1:9100".into()),
            ..Default::default()
        };
        assert_eq!(Config::resolve(&site, &flags).unwrap().listen.port(), 9100);
        std::fs::write(&file, "lisen = 1\n").unwrap();
        assert!(
            Config::resolve(&site, &ServeArgs::default()).is_err(),
            "typos in the file are reported"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn webhooks_reach_private_addresses_only_when_allowed() {
        let c = Config::resolve(&SiteArgs::default(), &ServeArgs::default()).unwrap();
        assert!(!c.webhook_allow_private, "off by default");
        let flag = ServeArgs {
            webhook_allow_private: true,
            ..Default::default()
        };
        assert!(
            Config::resolve(&SiteArgs::default(), &flag)
                .unwrap()
                .webhook_allow_private
        );
        let dir = std::env::temp_dir().join(format!("bbn-config-private-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("bbn.toml");
        std::fs::write(&file, "webhook_allow_private = true\n").unwrap();
        let site = SiteArgs {
            config: Some(file.clone()),
            ..Default::default()
        };
        let c = Config::resolve(&site, &ServeArgs::default()).unwrap();
        assert!(c.webhook_allow_private);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_values_are_refused() {
        let bad_listen = ServeArgs {
            listen: Some("nowhere".into()),
            ..Default::default()
        };
        assert!(Config::resolve(&SiteArgs::default(), &bad_listen).is_err());
        let bad_db = SiteArgs {
            database_url: Some("mysql://x".into()),
            ..Default::default()
        };
        assert!(Config::resolve(&bad_db, &ServeArgs::default()).is_err());
        let bad_proxy = ServeArgs {
            trusted_proxies: Some("127.0.0.1, nginx".into()),
            ..Default::default()
        };
        let e = Config::resolve(&SiteArgs::default(), &bad_proxy).unwrap_err();
        assert!(
            e.to_string().contains("\"nginx\" is not an IP address"),
            "{e}"
        );
        let proxies = ServeArgs {
            trusted_proxies: Some("127.0.0.1,10.0.0.0/8".into()),
            ..Default::default()
        };
        let c = Config::resolve(&SiteArgs::default(), &proxies).unwrap();
        assert!(c.trusted_proxies.contains("10.9.8.7".parse().unwrap()));
        for bad in [
            ServeArgs {
                write_timeout: Some(0),
                ..Default::default()
            },
            ServeArgs {
                connections_per_address: Some(0),
                ..Default::default()
            },
        ] {
            assert!(Config::resolve(&SiteArgs::default(), &bad).is_err());
        }
    }

    #[test]
    fn one_address_gets_at_most_half_of_a_small_connection_limit() {
        let small = ServeArgs {
            max_connections: Some(50),
            ..Default::default()
        };
        let c = Config::resolve(&SiteArgs::default(), &small).unwrap();
        assert_eq!(c.limits.connections_per_address, 25);
        let c = Config::resolve(&SiteArgs::default(), &ServeArgs::default()).unwrap();
        assert_eq!(c.limits.connections_per_address, 64);
        assert_eq!(c.limits.write_timeout, std::time::Duration::from_secs(30));
    }

    #[test]
    fn the_comment_wait_has_a_default_and_bounds() {
        let c = Config::resolve(&SiteArgs::default(), &ServeArgs::default()).unwrap();
        assert_eq!(c.comment_min_seconds, 3);
        for (seconds, ok) in [(-1, false), (0, true), (60, true), (61, false)] {
            let args = ServeArgs {
                comment_min_seconds: Some(seconds),
                ..Default::default()
            };
            assert_eq!(
                Config::resolve(&SiteArgs::default(), &args).is_ok(),
                ok,
                "{seconds}"
            );
        }
    }

    #[test]
    fn the_image_pixel_limit_has_a_default_and_bounds() {
        let c = Config::resolve(&SiteArgs::default(), &ServeArgs::default()).unwrap();
        assert_eq!(c.max_image_megapixels, 40);
        for (mp, ok) in [(0, false), (1, true), (100, true), (251, false)] {
            let args = ServeArgs {
                max_image_megapixels: Some(mp),
                ..Default::default()
            };
            let resolved = Config::resolve(&SiteArgs::default(), &args);
            assert_eq!(resolved.is_ok(), ok, "{mp}");
            if ok {
                assert_eq!(resolved.unwrap().max_image_megapixels, mp);
            }
        }
    }
}
