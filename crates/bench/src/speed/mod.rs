//! `bbn-bench speed`: how fast readers are served, under load, and how soon
//! they see what the newsroom publishes (issue 8, "Speed and scale").
//!
//!     cargo build --release -p bbn -p bbn-bench
//!     apt-get install -y wrk nginx
//!     target/release/bbn-bench speed --articles 100000 --backend sqlite
//!     target/release/bbn-bench speed --articles 100000 --backend postgres --instances 2
//!
//! On a generated site (kept apart from the other benchmarks' sites, since
//! this one posts comments and publishes articles into it) it starts the
//! release `bbn serve` and loads it with wrk (64 connections, 2 threads):
//!
//! 1. the article, home, topic and search pages, plain and with
//!    `Accept-Encoding: gzip`, each for 10 s after a warm-up: requests/s, p50
//!    and p99, and bbn's own median time from `Server-Timing` over a sample;
//!    once with the page cache and once without (`--page-cache-mb 0`), when
//!    this bbn has the flag. A second article load goes round many different
//!    articles, so that no cache, bbn's or the database's, serves it by luck;
//! 2. nginx serving the same article page as a static file (and its gzip -9
//!    copy): bbn's cached article page as a share of that;
//! 3. 60 s of mixed traffic (`mixed.rs`): total requests, errors (which must
//!    be none), p99 and the server's peak memory over the load;
//! 4. meanwhile, articles published through the API and watched on every page
//!    that lists them (`publish.rs`), on each instance with `--instances 2`.
//!
//! Loads run on the same machine as the server and compete with it for the
//! CPUs, as the report says; every figure is measured on the run it prints.

mod mixed;
mod nginx;
mod publish;

pub(crate) use publish::staff_token;
mod report;
mod wrk;

use crate::{BackendArg, Server, Site, SiteArgs, generate, http, open_store, prepare, start};
use anyhow::bail;
use rand::SeedableRng;
use rand::rngs::StdRng;
use report::{Mixed, MixedRun, Row};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use wrk::{Requests, Wrk};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// How many articles the generated site has.
    #[arg(long, default_value_t = 100_000)]
    articles: usize,
    #[command(flatten)]
    site: SiteArgs,
    /// wrk's open connections.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// wrk's threads.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Seconds each page load is measured.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Seconds of load before each measured one, not counted.
    #[arg(long, default_value_t = 3)]
    warmup: u64,
    /// Seconds of the mixed load.
    #[arg(long, default_value_t = 60)]
    mixed_seconds: u64,
    /// After the unpaced mixed load, the same load paced at each of these
    /// rates (requests/s), each for as long.
    #[arg(long, value_delimiter = ',', default_value = "500,1000")]
    mixed_rates: Vec<f64>,
    /// Articles published (and watched until visible) during each mixed load.
    #[arg(long, default_value_t = 5)]
    publishes: usize,
    /// bbn instances serving the database (2 needs PostgreSQL); publishing
    /// goes through the first and is watched on all.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=2))]
    instances: u8,
    /// Only the mixed loads (and publishing), not the page loads.
    #[arg(long)]
    mixed_only: bool,
    /// How many different articles the rotating article load goes round.
    #[arg(long, default_value_t = 100_000)]
    rotate: usize,
}

/// Requests per page for bbn's own time (`Server-Timing`), one at a time.
const SAMPLE: usize = 300;
/// What every bbn of the run is started with: the mixed load posts from one
/// address to a few articles, far past the limits meant for readers.
const SERVE_FLAGS: [&str; 4] = [
    "--comments-per-address",
    "1000000000",
    "--comments-per-article",
    "1000000000",
];
/// The flag that turns the page cache off, on builds that have one.
const NO_PAGE_CACHE: [&str; 2] = ["--page-cache-mb", "0"];

/// A page measured under load: what wrk requests, and what the sample of
/// bbn's own time requests.
struct Page {
    name: &'static str,
    paths: Vec<String>,
    rotating_file: Option<PathBuf>,
}

impl Page {
    fn one(name: &'static str, path: String) -> Page {
        Page {
            name,
            paths: vec![path],
            rotating_file: None,
        }
    }

    fn requests(&self) -> Requests<'_> {
        match &self.rotating_file {
            Some(file) => Requests::Rotate(file),
            None => Requests::One(&self.paths[0]),
        }
    }

    fn sample(&self) -> Vec<String> {
        self.paths.iter().cycle().take(SAMPLE).cloned().collect()
    }
}

/// Waits until bbn has turned the whole change log into webhook events (a
/// generated site arrives as one long log, as a large import does); how long
/// that took, if there was anything to wait for.
async fn settle(site: &Site) -> anyhow::Result<Option<Duration>> {
    let store = open_store(site).await?;
    let started = Instant::now();
    let end = store.last_change().await?;
    let mut waited = false;
    while store.change_cursor("webhooks").await?.seq() < end {
        waited = true;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    store.close().await;
    Ok(waited.then(|| started.elapsed()))
}

/// The page loads with the page cache, nginx's, and those without the cache.
#[allow(
    clippy::too_many_arguments,
    reason = "one step of `run`, apart for --mixed-only"
)]
fn page_loads(
    args: &Args,
    wrk: &Wrk,
    scratch: &Path,
    site: &Site,
    server: Server,
    label: &'static str,
    pages: &[Page],
    has_page_cache: bool,
    rows: &mut Vec<Row>,
    notes: &mut Vec<String>,
) -> anyhow::Result<()> {
    rows.extend(load_pages(args, wrk, server.port, label, pages)?);
    let html = http::Client::connect(server.port)?.get_text(&pages[0].paths[0])?;
    drop(server);
    let nginx_dir = scratch.join("nginx");
    let nginx = nginx::Nginx::serve(&nginx_dir, html.as_bytes())?;
    let yardstick = Page::one("article", nginx::PAGE.into());
    let target = Target {
        label: "nginx, static file",
        port: nginx.port,
        bbn: false,
    };
    rows.extend(load_page(args, wrk, &target, &yardstick)?);
    drop(nginx);

    if has_page_cache {
        let flags = [SERVE_FLAGS.as_slice(), NO_PAGE_CACHE.as_slice()].concat();
        let server = start(&args.site, site, &flags)?;
        rows.extend(load_pages(
            args,
            wrk,
            server.port,
            "bbn, --page-cache-mb 0",
            pages,
        )?);
    } else {
        notes.push(format!(
            "{} has no {} flag, so one configuration was measured: the cached/uncached comparison waits for a bbn with a page cache.",
            args.site.bbn.display(),
            NO_PAGE_CACHE[0]
        ));
    }

    Ok(())
}

/// A folder for the run's scripts, path lists and nginx, removed at the end.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> anyhow::Result<Scratch> {
        let dir = std::env::temp_dir().join(format!("bbn-bench-speed-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    if args.instances > 1 && args.site.backend != BackendArg::Postgres {
        bail!("--instances 2 needs --backend postgres: SQLite serves one process");
    }
    let before = report::Machine::read(&args.site.bbn);
    let site = prepare(&args.site, args.articles, "speed-").await?;
    let store = open_store(&site).await?;
    let token = publish::staff_token(&store).await?;
    store.close().await;
    let scratch = Scratch::new()?;
    let wrk = Wrk {
        connections: args.connections,
        threads: args.threads,
        scratch: scratch.0.clone(),
    };
    let pages = pages(&args, &site, &scratch.0)?;
    let has_page_cache = has_flag(&args.site.bbn, NO_PAGE_CACHE[0])?;
    let mut notes = Vec::new();
    let mut rows = Vec::new();

    let label = if has_page_cache {
        "bbn, page cache"
    } else {
        "bbn"
    };
    let starting = Instant::now();
    let server = start(&args.site, &site, &SERVE_FLAGS)?;
    // On a new site this includes indexing every article for search.
    notes.push(format!(
        "bbn serve was healthy {:.1} s after it started",
        starting.elapsed().as_secs_f64()
    ));
    if let Some(waited) = settle(&site).await? {
        notes.push(format!(
            "then it went through the generated site's change log for webhooks in {:.1} s; the loads start after that, as on a site that has been running",
            waited.as_secs_f64()
        ));
    }
    if args.mixed_only {
        drop(server);
    } else {
        page_loads(
            &args,
            &wrk,
            &scratch.0,
            &site,
            server,
            label,
            &pages,
            has_page_cache,
            &mut rows,
            &mut notes,
        )?;
    }

    let mixed = mixed_load(&args, &site, &wrk, &scratch.0, &token)?;
    let after = report::Machine::read(&args.site.bbn);
    report::print(&args, &before, &after, &rows, &mixed, &notes);
    let errors: u64 = rows.iter().map(|r| r.load.errors()).sum::<u64>()
        + mixed.runs.iter().map(|r| r.load.errors()).sum::<u64>();
    if errors > 0 {
        bail!("{errors} requests failed (see the tables)");
    }
    let seen_everywhere =
        |v: &publish::Visible| (0..mixed.instances).all(|i| v.last_ms(i).is_some());
    if !mixed
        .runs
        .iter()
        .flat_map(|r| &r.visible)
        .all(|v| v.as_ref().is_ok_and(seen_everywhere))
    {
        bail!("an article could not be published, or did not show on every page within a minute");
    }
    Ok(())
}

/// The pages of the loads; the rotating article's paths are written to a file for wrk.
fn pages(args: &Args, site: &Site, scratch: &Path) -> anyhow::Result<Vec<Page>> {
    let mut rng = StdRng::seed_from_u64(8);
    let rotating: Vec<String> =
        rand::seq::index::sample(&mut rng, args.articles, args.rotate.min(args.articles))
            .into_iter()
            .map(|i| format!("/news/{}", generate::slug(i)))
            .collect();
    let file = scratch.join("rotating-articles.txt");
    std::fs::write(&file, rotating.join("\n") + "\n")?;
    Ok(vec![
        // A story from the middle of the archive, with its comments.
        Page::one(
            "article",
            format!("/news/{}", generate::slug(args.articles / 2)),
        ),
        Page {
            name: "article, rotating",
            paths: rotating,
            rotating_file: Some(file),
        },
        Page::one("home", "/".into()),
        Page::one(
            "topic",
            format!("/topic/{}", generate::topic_slug(site.topics / 2)),
        ),
        // A word of the generated vocabulary: nearly every article has it.
        Page::one("search", "/search?q=election".into()),
    ])
}

/// Whether `bbn serve` knows `flag`.
fn has_flag(bbn: &Path, flag: &str) -> anyhow::Result<bool> {
    let help = Command::new(bbn).args(["serve", "--help"]).output()?;
    Ok(String::from_utf8_lossy(&help.stdout).contains(flag))
}

/// A server under load, as the report names it.
struct Target<'a> {
    label: &'a str,
    port: u16,
    /// bbn, which tells its own time in `Server-Timing`.
    bbn: bool,
}

fn load_pages(
    args: &Args,
    wrk: &Wrk,
    port: u16,
    label: &str,
    pages: &[Page],
) -> anyhow::Result<Vec<Row>> {
    let target = Target {
        label,
        port,
        bbn: true,
    };
    let mut rows = Vec::new();
    for page in pages {
        rows.extend(load_page(args, wrk, &target, page)?);
    }
    Ok(rows)
}

/// One page, plain and gzip: warm-up, measured load, answer size, and (plain) bbn's own time.
fn load_page(args: &Args, wrk: &Wrk, target: &Target, page: &Page) -> anyhow::Result<Vec<Row>> {
    let port = target.port;
    let mut rows = Vec::new();
    for gzip in [false, true] {
        let requests = page.requests();
        print!(
            "{}: {} ({})… ",
            target.label,
            page.name,
            report::encoding(gzip)
        );
        std::io::stdout().flush()?;
        wrk.run(port, &requests, gzip, Duration::from_secs(args.warmup))?;
        let load = wrk.run(port, &requests, gzip, Duration::from_secs(args.seconds))?;
        println!("{:.0} requests/s", load.per_second());
        let mut client = http::Client::connect(port)?;
        let headers: &[(&str, &str)] = if gzip {
            &[("Accept-Encoding", "gzip")]
        } else {
            &[]
        };
        let bytes = client.call("GET", &page.paths[0], headers, b"")?.body_len;
        let server_ms = if target.bbn && !gzip {
            Some(crate::measure(&mut client, page.name, &page.sample())?.median)
        } else {
            None
        };
        rows.push(Row {
            server: target.label.to_string(),
            bbn: target.bbn,
            page: page.name,
            gzip,
            load,
            bytes,
            server_ms,
        });
    }
    Ok(rows)
}

/// The mixed load on the first instance, with articles published and
/// watched meanwhile.
fn mixed_load(
    args: &Args,
    site: &Site,
    wrk: &Wrk,
    scratch: &Path,
    token: &str,
) -> anyhow::Result<Mixed> {
    let server = start(&args.site, site, &SERVE_FLAGS)?;
    let mut servers: Vec<&Server> = vec![&server];
    let second = if args.instances > 1 {
        let other = Site {
            data_dir: site.data_dir.join("instance-2"),
            ..site.clone()
        };
        Some(start(&args.site, &other, &SERVE_FLAGS)?)
    } else {
        None
    };
    servers.extend(&second);
    let ports: Vec<u16> = servers.iter().map(|s| s.port).collect();
    let plan = scratch.join("mixed-plan.txt");
    mixed::write_plan(server.port, args.articles, &plan)?;
    let forms_fetched = Instant::now();
    // The most read story: its page is as hot as a page gets.
    let rail = format!("/news/{}", mixed::article_by_rank(args.articles, 0));
    let pages = publish::listing_pages(&rail);
    let peak_reset = report::reset_peak_memory(server.child.id());
    // Forms posted sooner than a person types are taken for spam.
    std::thread::sleep(Duration::from_secs(4).saturating_sub(forms_fetched.elapsed()));
    let run = bbn_core::time::now();
    let origin = format!("http://127.0.0.1:{}", server.port);
    let seconds = args.mixed_seconds;
    // As fast as the server answers, then at each paced rate; articles are
    // published during each, so each has the cache drops a newsroom causes.
    let mut runs = Vec::new();
    let rates = std::iter::once(None).chain(args.mixed_rates.iter().map(|r| Some(*r)));
    for (k, rate) in rates.enumerate() {
        let label = rate.map_or_else(|| "unpaced".to_string(), |r| format!("{r:.0} requests/s"));
        println!(
            "mixed load for {seconds} s ({label}), publishing {} articles meanwhile…",
            args.publishes
        );
        let started = Instant::now();
        let load = wrk.spawn(
            server.port,
            &Requests::Plan {
                file: &plan,
                origin: &origin,
                // Comment texts must not repeat an earlier run's.
                run: run + k as i64,
                rate,
            },
            true,
            Duration::from_secs(seconds),
        )?;
        let gap = Duration::from_secs(seconds) / (args.publishes as u32 + 1);
        let mut visible = Vec::new();
        for n in 0..args.publishes {
            std::thread::sleep((gap * (n as u32 + 1)).saturating_sub(started.elapsed()));
            // A failed publication is a result too; the load goes on.
            visible.push(
                publish::publish_and_watch(&ports, token, &pages, run, k * args.publishes + n + 1)
                    .map_err(|e| format!("{e:#}")),
            );
        }
        runs.push(MixedRun {
            rate,
            load: load.finish()?,
            visible,
        });
    }
    let pid = server.child.id();
    let peak_mib = crate::peak_memory_mib(pid)?;
    // The page cache's own count of what it holds, from /healthz.
    let health = http::Client::connect(server.port)?.get_text("/healthz")?;
    let page_cache_mib = health
        .split_whitespace()
        .find_map(|w| w.strip_prefix("bytes="))
        .and_then(|b| b.parse::<f64>().ok())
        .map(|b| b / 1024.0 / 1024.0);
    Ok(Mixed {
        runs,
        peak_mib,
        end_anon_mib: crate::memory_mib(pid, "RssAnon")?,
        end_file_mib: crate::memory_mib(pid, "RssFile")?,
        page_cache_mib,
        peak_since_start: !peak_reset,
        pages: pages.iter().map(|(name, _)| *name).collect(),
        instances: ports.len(),
    })
}
