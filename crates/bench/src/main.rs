//! bbn-bench: measurements of bbn on generated data.
//!
//! `pages` (the default) fills a database with N generated articles (with
//! topics, authors, FAQs and comments), starts the real `bbn serve` on it,
//! and measures the server time of article, home and topic pages (read from
//! the `Server-Timing` header bbn sends, so client and network time are left
//! out) and the server's peak memory. It runs bbn with `--page-cache-mb 0`,
//! so every request renders from the database: what it measures is a cache
//! miss. `speed` measures the page cache.
//!
//! `comments` posts reader comments from concurrent clients through the real
//! form and reports acknowledged comments per second and the time to each
//! acknowledgement. `spam` measures the learning spam filter's precision and
//! recall on a generated labeled set of comments. `distribution` times feeds
//! and sitemaps on a large site. `speed` loads the reader pages with wrk,
//! cached and not, beside nginx serving the same page, then a mixed load
//! during which articles are published and timed until readers see them.
//!
//! `hostile` starts `bbn serve` with its default limits and runs eight
//! hostile clients against it at once (worst-shaped bodies saved and
//! previewed, a PNG decompression bomb, password guessing, slow readers,
//! page-cache and comment floods, costly searches) while a reader's
//! `/healthz` and cached article times and the server's memory are
//! measured. `sanitize` times the write path's shape check and sanitizer on
//! bodies of the worst shapes, about 1 MB and the largest each shape may be.
//!
//!     cargo build --release -p bbn -p bbn-bench
//!     target/release/bbn-bench --articles 100000 --backend sqlite
//!     target/release/bbn-bench --articles 100000 --backend postgres
//!     target/release/bbn-bench comments --backend postgres --clients 32
//!     target/release/bbn-bench spam --comments 1000
//!     target/release/bbn-bench search --corpus bbc
//!     target/release/bbn-bench search --corpus generated --articles 100000
//!     target/release/bbn-bench distribution --articles 100000 --backend sqlite
//!     target/release/bbn-bench speed --articles 100000 --backend sqlite
//!     target/release/bbn-bench hostile --backend sqlite --seconds 60
//!     target/release/bbn-bench hostile --backend postgres --seconds 60
//!     target/release/bbn-bench sanitize
//!     target/release/bbn-bench live --editors 20
//!     target/release/bbn-bench live --backend postgres --instances 2 --editors 20

mod comments;
mod distribution;
mod generate;
mod hostile;
mod http;
mod images;
mod live;
mod moving;
mod sanitize;
mod search;
mod shapes;
mod spamset;
mod speed;

use anyhow::{Context, bail};
use bbn_store::Store;
use clap::{Parser, Subcommand, ValueEnum};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BackendArg {
    Sqlite,
    Postgres,
}

impl BackendArg {
    fn label(self) -> &'static str {
        match self {
            BackendArg::Sqlite => "SQLite",
            BackendArg::Postgres => "PostgreSQL",
        }
    }
}

#[derive(Debug, Parser)]
#[command(
    about = "Measure bbn on generated data",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    task: Option<Task>,
    #[command(flatten)]
    pages: Args,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Page rendering on a generated site (the default).
    Pages(Args),
    /// Posting comments through the form from concurrent clients.
    Comments(comments::Args),
    /// The learning spam filter's precision and recall on a generated labeled set.
    Spam(SpamArgs),
    /// Search: reindex time and size, query and related-article times, related quality.
    Search(search::Args),
    /// Feed and sitemap generation times on a large site.
    Distribution(distribution::Args),
    /// Moving a site in and out: WordPress import, JSON export and import, on a generated export.
    Moving(moving::Args),
    /// Speed and scale under load (wrk, nginx): pages cached and not, a mixed load, publish to visible.
    Speed(speed::Args),
    /// Eight hostile clients at once against bbn's default limits: a reader's times and the server's memory.
    Hostile(hostile::Args),
    /// The write path's shape check and sanitizer on bodies of the worst shapes.
    Sanitize(sanitize::Args),
    /// The live editor: keystroke-to-peer latency, memory per document and editor, storage.
    Live(live::Args),
    /// Pictures: bytes per page as JPEG, WebP and AVIF, uploads/s while readers are served, copies of many photos.
    Images(images::Args),
}

#[derive(Debug, clap::Args)]
struct SpamArgs {
    /// How many labeled comments (half spam); half train the filter, half test it.
    #[arg(long, default_value_t = 1_000)]
    comments: usize,
    #[arg(long, default_value_t = 2026)]
    seed: u64,
}

#[derive(Debug, clap::Args)]
struct Args {
    /// How many articles the generated site has.
    #[arg(long, default_value_t = 10_000)]
    articles: usize,
    #[command(flatten)]
    site: SiteArgs,
    /// Measured requests per page type (after warm-up).
    #[arg(long, default_value_t = 2_000)]
    requests: usize,
}

/// Where the generated site lives and which bbn serves it.
#[derive(Debug, Clone, clap::Args)]
struct SiteArgs {
    #[arg(long, value_enum, default_value_t = BackendArg::Sqlite)]
    backend: BackendArg,
    /// PostgreSQL server to create the benchmark database on.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    postgres_url: String,
    /// Folder for SQLite benchmark sites.
    #[arg(long, default_value = "target/bench")]
    work_dir: PathBuf,
    /// The bbn binary to measure.
    #[arg(long, default_value = "target/release/bbn")]
    bbn: PathBuf,
    /// Reuse a site generated by an earlier run with the same size and backend.
    #[arg(long)]
    reuse: bool,
}

#[derive(Clone)]
struct Site {
    /// `--data-dir` and, for PostgreSQL, `--database-url` for bbn serve.
    data_dir: PathBuf,
    database_url: Option<String>,
    topics: usize,
}

/// SQLite's page cache while a site is generated, in MB.
const LOADING_CACHE_MB: u32 = 4096;

/// Generates (or, with `--reuse`, finds) a site of `articles` articles;
/// `purpose` keeps the data of different benchmarks apart.
async fn prepare(args: &SiteArgs, articles: usize, purpose: &str) -> anyhow::Result<Site> {
    let tag = format!(
        "{purpose}{}-{articles}",
        match args.backend {
            BackendArg::Sqlite => "sqlite",
            BackendArg::Postgres => "postgres",
        },
    );
    let data_dir = std::env::current_dir()?.join(&args.work_dir).join(&tag);
    let (store, database_url) = match args.backend {
        BackendArg::Sqlite => {
            if !args.reuse && data_dir.exists() {
                std::fs::remove_dir_all(&data_dir)?;
            }
            std::fs::create_dir_all(&data_dir)?;
            // A page cache as large as a million articles' indexes: past
            // a few hundred thousand articles, each insert would otherwise
            // read index pages back from disk.
            let db = data_dir.join("bbn.db");
            (
                Store::open_sqlite_for_loading(&db, LOADING_CACHE_MB).await?,
                None,
            )
        }
        BackendArg::Postgres => {
            std::fs::create_dir_all(&data_dir)?;
            let name = format!("bbn_bench_{}{articles}", purpose.replace('-', "_"));
            let admin = Store::connect(&args.postgres_url)
                .await
                .context("PostgreSQL for the benchmark")?;
            let exists = admin.database_exists(&name).await?;
            if !args.reuse || !exists {
                admin
                    .execute_raw(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await?;
                admin
                    .execute_raw(&format!("CREATE DATABASE {name}"))
                    .await?;
            }
            admin.close().await;
            let root = args
                .postgres_url
                .rsplit_once('/')
                .map_or(args.postgres_url.as_str(), |(r, _)| r);
            let url = format!("{root}/{name}");
            (Store::connect(&url).await?, Some(url))
        }
    };
    store.migrate().await?;
    let spec = generate::Spec::for_articles(articles.max(1));
    if store.is_new_site().await? && articles == 0 {
        // An empty site for a loader to fill.
        store
            .save_settings(&bbn_core::SiteSettings::default())
            .await?;
    } else if store.is_new_site().await? {
        let started = Instant::now();
        generate::fill(&store, &spec).await?;
        if database_url.is_some() {
            // Fresh statistics, as autovacuum would gather on a site that grew over time.
            store.execute_raw("ANALYZE").await?;
        }
        println!(
            "generated {articles} articles in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    } else {
        println!(
            "reusing the generated site in {}",
            database_url
                .as_deref()
                .unwrap_or(&data_dir.display().to_string())
        );
    }
    store.close().await;
    Ok(Site {
        data_dir,
        database_url,
        topics: spec.topics,
    })
}

/// The generated site's store, for benchmarks that read or write it directly.
async fn open_store(site: &Site) -> anyhow::Result<Store> {
    Ok(match &site.database_url {
        Some(url) => Store::connect(url).await?,
        None => Store::open_sqlite(&site.data_dir.join("bbn.db")).await?,
    })
}

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port nothing listens on right now.
fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn start(args: &SiteArgs, site: &Site, extra: &[&str]) -> anyhow::Result<Server> {
    let port = free_port()?;
    let mut cmd = Command::new(&args.bbn);
    cmd.args([
        "serve",
        "--no-demo",
        "--listen",
        &format!("127.0.0.1:{port}"),
        "--data-dir",
    ])
    .arg(&site.data_dir)
    .args(extra)
    // The bench's own BBN_LOG, if set, reaches the servers it starts.
    .env(
        "BBN_LOG",
        std::env::var("BBN_LOG").unwrap_or_else(|_| "warn".into()),
    )
    .stdout(Stdio::null())
    .stderr(Stdio::inherit());
    if let Some(url) = &site.database_url {
        cmd.args(["--database-url", url]);
    }
    let child = cmd
        .spawn()
        .with_context(|| format!("cannot start {}", args.bbn.display()))?;
    let mut server = Server { child, port };
    // bbn listens once its search index has caught up, which on a freshly
    // generated site of a million articles takes minutes.
    let deadline = Instant::now() + Duration::from_secs(30 * 60);
    while Instant::now() < deadline {
        if let Ok(mut c) = http::Client::connect(port)
            && c.get("/healthz").is_ok_and(|r| r.status == 200)
        {
            return Ok(server);
        }
        if let Some(status) = server.child.try_wait()? {
            bail!("bbn serve stopped before it was healthy ({status})");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("bbn did not become healthy")
}

/// Peak resident memory of a process, in MiB.
fn peak_memory_mib(pid: u32) -> anyhow::Result<f64> {
    memory_mib(pid, "VmHWM")
}

/// One of the memory lines of `/proc/PID/status` (`VmHWM`, `RssAnon`…), in MiB.
fn memory_mib(pid: u32, field: &str) -> anyhow::Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.split(':').next() == Some(field))
        .with_context(|| format!("no {field}"))?;
    let kib: f64 = line
        .split_whitespace()
        .nth(1)
        .with_context(|| format!("{field} value"))?
        .parse()?;
    Ok(kib / 1024.0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

struct Measured {
    page: &'static str,
    median: f64,
    p99: f64,
    bytes: usize,
}

fn measure(
    client: &mut http::Client,
    page: &'static str,
    paths: &[String],
) -> anyhow::Result<Measured> {
    let mut times = Vec::with_capacity(paths.len());
    let mut bytes = 0;
    for path in paths {
        let r = client.get(path)?;
        if r.status != 200 {
            bail!("{path} answered {}", r.status);
        }
        times.push(
            r.server_ms
                .with_context(|| format!("{path}: no Server-Timing"))?,
        );
        bytes = r.body_len;
    }
    times.sort_by(f64::total_cmp);
    Ok(Measured {
        page,
        median: percentile(&times, 50.0),
        p99: percentile(&times, 99.0),
        bytes,
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.task {
        None => pages(cli.pages).await,
        Some(Task::Pages(args)) => pages(args).await,
        Some(Task::Comments(args)) => comments::run(args).await,
        Some(Task::Search(args)) => search::run(args).await,
        Some(Task::Distribution(args)) => distribution::run(args).await,
        Some(Task::Moving(args)) => moving::run_all(args).await,
        Some(Task::Speed(args)) => speed::run(args).await,
        Some(Task::Hostile(args)) => hostile::run(args).await,
        Some(Task::Sanitize(args)) => sanitize::run(&args),
        Some(Task::Live(args)) => live::run(args).await,
        Some(Task::Images(args)) => images::run(args).await,
        Some(Task::Spam(args)) => {
            spam(&args);
            Ok(())
        }
    }
}

fn spam(args: &SpamArgs) {
    let set = spamset::generate(&mut StdRng::seed_from_u64(args.seed), args.comments);
    let (train, test) = set.split_at(set.len() / 2);
    let spam_in = |s: &[spamset::Labeled]| s.iter().filter(|c| c.spam).count();
    println!(
        "{} generated comments (seed {}): training on {} ({} spam), testing on {} ({} spam)\n",
        set.len(),
        args.seed,
        train.len(),
        spam_in(train),
        test.len(),
        spam_in(test)
    );
    println!(
        "| trained on | threshold | precision | recall | spam caught | ham sent to spam | spam let through | held as doubtful |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let mut sizes: Vec<usize> = [25, 50, 100, 200]
        .into_iter()
        .filter(|n| *n < train.len())
        .collect();
    sizes.push(train.len());
    for n in sizes {
        for threshold in [0.5, 0.9] {
            let o = spamset::evaluate(&train[..n], test, threshold);
            println!(
                "| {n} | {:.0}% | {:.3} | {:.3} | {} | {} | {} | {} |",
                threshold * 100.0,
                o.precision(),
                o.recall(),
                o.true_spam,
                o.false_spam,
                o.missed_spam,
                o.doubtful
            );
        }
    }
}

async fn pages(args: Args) -> anyhow::Result<()> {
    let site = prepare(&args.site, args.articles, "").await?;
    // Rendering is what this bench measures, so the page cache stays off.
    let server = start(&args.site, &site, &["--page-cache-mb", "0"])?;
    let mut client = http::Client::connect(server.port)?;
    let mut rng = StdRng::seed_from_u64(7);
    let article_paths: Vec<String> = (0..args.requests)
        .map(|_| {
            format!(
                "/news/{}",
                generate::slug(rng.random_range(0..args.articles))
            )
        })
        .collect();
    let topic_paths: Vec<String> = (0..args.requests)
        .map(|_| {
            format!(
                "/topic/{}",
                generate::topic_slug(rng.random_range(0..site.topics))
            )
        })
        .collect();
    let home_paths: Vec<String> = (0..args.requests).map(|_| "/".to_string()).collect();
    // Warm-up: connections, SQLite page cache, allocator.
    for p in article_paths.iter().chain(&topic_paths).take(500) {
        client.get(p)?;
    }
    let results = [
        measure(&mut client, "article", &article_paths)?,
        measure(&mut client, "home", &home_paths)?,
        measure(&mut client, "topic", &topic_paths)?,
    ];
    let peak = peak_memory_mib(server.child.id())?;
    let backend = args.site.backend.label();
    println!("\n| backend | articles | page | median ms | p99 ms | page bytes |");
    println!("|---|---|---|---|---|---|");
    for m in &results {
        println!(
            "| {backend} | {} | {} | {:.3} | {:.3} | {} |",
            args.articles, m.page, m.median, m.p99, m.bytes
        );
    }
    println!(
        "\npeak server memory (VmHWM): {peak:.1} MiB over {} requests per page type",
        args.requests
    );
    Ok(())
}
