//! The command line: `bbn [serve]` and the options every command shares.

use crate::config::Config;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// bbn — a news publishing platform: the reader site, its newsroom and its chores, in one binary.
///
/// With no command, bbn serves the site (`bbn serve`).
#[derive(Debug, Parser)]
#[command(name = "bbn", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub site: SiteArgs,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the site over HTTP (the default command).
    Serve(Box<ServeArgs>),
    /// Manage staff accounts from the shell.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage keys for bbn's APIs from the shell.
    #[command(subcommand)]
    Apikey(ApikeyCommand),
    /// Rebuild the search index from the database (bbn serve catches up by
    /// itself; this is for a fresh start). Run it while bbn serve is stopped.
    Reindex,
    /// Bring content in from another site or from a bbn export.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Write the whole site (settings, staff without passwords, sections,
    /// topics, articles with revisions, pages, comments, media records,
    /// redirects) to one JSON file in bbn's documented export format.
    Export {
        /// where to write the export (`-` for standard output)
        file: PathBuf,
    },
    /// Copy the live site (database and media) into a folder while it keeps serving.
    Backup {
        /// the folder to write the backup into (created; must be empty)
        dir: PathBuf,
    },
    /// Put a backup made by `bbn backup` back in place of the site's
    /// database and media. Run it while bbn serve is stopped.
    Restore {
        /// the folder `bbn backup` wrote
        dir: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import a WordPress export (WXR 1.0-1.2, from Tools → Export): authors,
    /// categories, tags, posts, pages, comments, featured images and old links.
    /// Running it again updates what it imported before.
    Wordpress {
        /// the WXR file
        file: PathBuf,
        /// a copy of the old site's wp-content/uploads: its files are brought
        /// into bbn's media and links to them rewritten
        #[arg(long, value_name = "DIR")]
        media_dir: Option<PathBuf>,
        /// read everything and print the report, but change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Restore a file written by `bbn export` into an empty site.
    Json {
        /// the export file (`-` for standard input)
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a staff account. The password is read from standard input when
    /// it is piped in, otherwise generated and printed once.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// contributor, author, editor or admin
        #[arg(long, default_value = "contributor")]
        role: String,
    },
    /// Set a new password (from standard input, or generated and printed once)
    /// and sign the account out everywhere.
    ResetPassword {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ApikeyCommand {
    /// Make a key and print it (shown this once; only its hash is kept).
    Add {
        #[arg(long)]
        name: String,
        /// content (reads published content through the Content API) or staff (acts for a staff account)
        #[arg(long, default_value = "content")]
        kind: String,
        /// staff tokens: the email of the account the token acts for
        #[arg(long)]
        user: Option<String>,
        /// staff tokens: the most the token may do (contributor, author, editor or admin; at most the account's role)
        #[arg(long)]
        role: Option<String>,
    },
    /// List keys (never the keys themselves).
    List,
    /// Stop a key working, at once.
    Revoke {
        /// the key's number, as `bbn apikey list` shows it
        id: i64,
    },
}

/// Which site a command works on. Each option can also come from a BBN_*
/// variable or from bbn.toml; a flag beats a variable, which beats the file.
#[derive(Debug, Args, Default, Clone)]
pub struct SiteArgs {
    /// Folder for the site's data: the SQLite database, media and indexes. Created on first start. [default: ./bbn-data]
    #[arg(long, env = "BBN_DATA_DIR", global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database to use instead of the embedded SQLite file: postgres://user@host/db for PostgreSQL, or sqlite://PATH.
    #[arg(
        long,
        env = "BBN_DATABASE_URL",
        global = true,
        value_name = "URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// Settings file read before the BBN_* variables and flags. [default: ./bbn.toml, when present]
    #[arg(long, env = "BBN_CONFIG", global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args, Default, Clone)]
pub struct ServeArgs {
    /// Address and port to listen on. [default: 127.0.0.1:8080]
    #[arg(long, env = "BBN_LISTEN", value_name = "ADDR")]
    pub listen: Option<String>,
    /// Public address of the site, used in canonical links and feeds. [default: http://<listen address>]
    #[arg(long, env = "BBN_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,
    /// Theme folder whose templates/ and static/ files override the built-in theme's files of the same name.
    #[arg(long, env = "BBN_THEME", value_name = "DIR")]
    pub theme: Option<PathBuf>,
    /// Largest image upload accepted, in megabytes. [default: 10]
    #[arg(long, env = "BBN_MAX_UPLOAD_MB", value_name = "MB")]
    pub max_upload_mb: Option<usize>,
    /// Largest image accepted, in megapixels (width × height, read before decoding; 1-250). [default: 40]
    #[arg(long, env = "BBN_MAX_IMAGE_MEGAPIXELS", value_name = "MP")]
    pub max_image_megapixels: Option<u32>,
    /// Most comments one address may post in 10 minutes (then 429). [default: 5]
    #[arg(long, env = "BBN_COMMENTS_PER_ADDRESS", value_name = "N")]
    pub comments_per_address: Option<i64>,
    /// Most comments one article may receive in 10 minutes (then 429). [default: 60]
    #[arg(long, env = "BBN_COMMENTS_PER_ARTICLE", value_name = "N")]
    pub comments_per_article: Option<i64>,
    /// Seconds a reader must have had the comment form before posting it; sooner is taken for a machine and held as spam (0-60). [default: 3]
    #[arg(long, env = "BBN_COMMENT_MIN_SECONDS", value_name = "SECONDS")]
    pub comment_min_seconds: Option<i64>,
    /// Requests one staff API token may make in a minute (then 429); raise it for importers and bots. [default: 600]
    #[arg(long, env = "BBN_API_TOKEN_PER_MINUTE", value_name = "N")]
    pub api_token_per_minute: Option<u32>,
    /// Reverse proxies (comma-separated addresses or networks, e.g. 127.0.0.1,10.0.0.0/8) whose X-Forwarded-For names the client. [default: none]
    #[arg(long, env = "BBN_TRUSTED_PROXIES", value_name = "LIST")]
    pub trusted_proxies: Option<String>,
    /// Seconds one webhook delivery attempt may take, connecting included (1-120). [default: 10]
    #[arg(long, env = "BBN_WEBHOOK_TIMEOUT", value_name = "SECONDS")]
    pub webhook_timeout: Option<u64>,
    /// Let webhooks reach loopback, private, link-local and other internal addresses (refused by default, for a receiver on the same machine or network you trust).
    #[arg(long, env = "BBN_WEBHOOK_ALLOW_PRIVATE")]
    pub webhook_allow_private: bool,
    /// Memory for rendered reader pages, in megabytes; 0 turns the page cache off. [default: 256]
    #[arg(long, env = "BBN_PAGE_CACHE_MB", value_name = "MB")]
    pub page_cache_mb: Option<u64>,
    /// Seconds CDNs and proxies may keep a reader page (Cache-Control s-maxage; browsers revalidate each time). [default: 60]
    #[arg(long, env = "BBN_PAGE_MAX_AGE", value_name = "SECONDS")]
    pub page_max_age: Option<u32>,
    /// Seconds more they may serve it stale while fetching a fresh one (stale-while-revalidate). [default: 600]
    #[arg(long, env = "BBN_PAGE_STALE", value_name = "SECONDS")]
    pub page_stale: Option<u32>,
    /// Address told which pages went stale (a POST of their surrogate keys) after every change, for a CDN in front. [default: none]
    #[arg(long, env = "BBN_PURGE_URL", value_name = "URL")]
    pub purge_url: Option<String>,
    /// Bearer token sent with each purge request. [default: none]
    #[arg(
        long,
        env = "BBN_PURGE_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub purge_token: Option<String>,
    /// Connections served at once; more wait to be accepted until one closes. [default: 4096]
    #[arg(long, env = "BBN_MAX_CONNECTIONS", value_name = "N")]
    pub max_connections: Option<usize>,
    /// Seconds a client has to send a request's headers (idle kept-alive connections close after it too, 1-300). [default: 10]
    #[arg(long, env = "BBN_HEADER_TIMEOUT", value_name = "SECONDS")]
    pub header_timeout: Option<u64>,
    /// Seconds a response may wait on a client that reads none of it before its connection closes (1-300). [default: 30]
    #[arg(long, env = "BBN_WRITE_TIMEOUT", value_name = "SECONDS")]
    pub write_timeout: Option<u64>,
    /// Connections one client address (an IPv6 /64) may hold; more are closed at once. Trusted proxies are not counted. [default: 64, or half of --max-connections if less]
    #[arg(long, env = "BBN_CONNECTIONS_PER_ADDRESS", value_name = "N")]
    pub connections_per_address: Option<usize>,
    /// Start with an empty site instead of filling a new database with demo content.
    #[arg(long, env = "BBN_NO_DEMO")]
    pub no_demo: bool,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        None => crate::serve::run(Config::resolve(&cli.site, &cli.serve)?).await,
        Some(Command::Serve(args)) => {
            let args = *args;
            let merged = ServeArgs {
                listen: args.listen.or(cli.serve.listen),
                base_url: args.base_url.or(cli.serve.base_url),
                theme: args.theme.or(cli.serve.theme),
                max_upload_mb: args.max_upload_mb.or(cli.serve.max_upload_mb),
                max_image_megapixels: args.max_image_megapixels.or(cli.serve.max_image_megapixels),
                comments_per_address: args.comments_per_address.or(cli.serve.comments_per_address),
                comments_per_article: args.comments_per_article.or(cli.serve.comments_per_article),
                comment_min_seconds: args.comment_min_seconds.or(cli.serve.comment_min_seconds),
                api_token_per_minute: args.api_token_per_minute.or(cli.serve.api_token_per_minute),
                trusted_proxies: args.trusted_proxies.or(cli.serve.trusted_proxies),
                webhook_timeout: args.webhook_timeout.or(cli.serve.webhook_timeout),
                webhook_allow_private: args.webhook_allow_private
                    || cli.serve.webhook_allow_private,
                page_cache_mb: args.page_cache_mb.or(cli.serve.page_cache_mb),
                page_max_age: args.page_max_age.or(cli.serve.page_max_age),
                page_stale: args.page_stale.or(cli.serve.page_stale),
                purge_url: args.purge_url.or(cli.serve.purge_url),
                purge_token: args.purge_token.or(cli.serve.purge_token),
                max_connections: args.max_connections.or(cli.serve.max_connections),
                header_timeout: args.header_timeout.or(cli.serve.header_timeout),
                write_timeout: args.write_timeout.or(cli.serve.write_timeout),
                connections_per_address: args
                    .connections_per_address
                    .or(cli.serve.connections_per_address),
                no_demo: args.no_demo || cli.serve.no_demo,
            };
            crate::serve::run(Config::resolve(&cli.site, &merged)?).await
        }
        Some(Command::Reindex) => {
            crate::reindex::run(Config::resolve(&cli.site, &cli.serve)?).await
        }
        Some(Command::Apikey(cmd)) => {
            crate::apikey::run(Config::resolve(&cli.site, &cli.serve)?, cmd).await
        }
        Some(Command::User(cmd)) => {
            crate::user::run(Config::resolve(&cli.site, &cli.serve)?, cmd).await
        }
        Some(Command::Import(ImportCommand::Wordpress {
            file,
            media_dir,
            dry_run,
        })) => {
            let config = Config::resolve(&cli.site, &cli.serve)?;
            crate::wordpress::run(config, &file, media_dir.as_deref(), dry_run).await
        }
        Some(Command::Import(ImportCommand::Json { file })) => {
            crate::transfer::import(Config::resolve(&cli.site, &cli.serve)?, &file).await
        }
        Some(Command::Export { file }) => {
            crate::transfer::export(Config::resolve(&cli.site, &cli.serve)?, &file).await
        }
        Some(Command::Backup { dir }) => {
            crate::backup::backup(Config::resolve(&cli.site, &cli.serve)?, &dir).await
        }
        Some(Command::Restore { dir }) => {
            crate::backup::restore(Config::resolve(&cli.site, &cli.serve)?, &dir).await
        }
    }
}
