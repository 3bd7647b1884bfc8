//! `bbn-bench hostile`: the real `bbn serve`, with its default limits, under
//! eight hostile clients at once, while a reader's requests are timed.
//!
//!     target/release/bbn-bench hostile --backend sqlite --seconds 60
//!     target/release/bbn-bench hostile --backend postgres --seconds 60
//!
//! On a generated site, each client loops on the worst input its path
//! allows, until the time is up:
//!
//! - save: a signed-in author saves her own published article with bodies of
//!   the worst shapes (`shapes.rs`), the largest the shape check lets through
//!   and about 1 MB ones it must refuse;
//! - preview: the same bodies to the editor's live preview and to its
//!   preview button;
//! - upload: a small PNG whose header declares 12,000 × 12,000 pixels;
//! - sign-in: wrong passwords for a real staff account, from one address;
//! - slow readers: more connections than one address may hold, each
//!   pipelining hundreds of GETs and reading none of the answers;
//! - cache flood: an article with made-up query strings;
//! - comments: a flood on that article through the real form, each post
//!   from another address (a botnet);
//! - search: 31 misspelled words and a phrase (the most parts a query may
//!   have), never the same query twice.
//!
//! Meanwhile a reader requests `/healthz` and a cached article page five
//! times a second each, each request on a fresh connection, and the
//! server's resident memory is sampled. Each client connects from its own
//! loopback address (all of 127.0.0.0/8 is loopback), so the per-address
//! limits judge each apart, as they would judge clients on the internet.
//! The load runs on the same machine as the server. `--clients` runs only
//! some of the eight, to tell which costs the reader what.

mod bomb;
mod measure;
mod newsroom;
mod readers;
mod report;

use crate::{SiteArgs, generate, http, open_store, prepare, start};
use anyhow::Context;
use bbn_core::{Role, password};
use bbn_store::{NewUser, Store};
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// How many articles the generated site has.
    #[arg(long, default_value_t = 1_000)]
    articles: usize,
    #[command(flatten)]
    site: SiteArgs,
    /// How long the hostile clients run.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Which hostile clients run (all by default): fewer tell which one
    /// costs the reader what.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "save,preview,upload,sign-in,slow-readers,cache-flood,comments,search"
    )]
    clients: Vec<Hostile>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Hostile {
    Save,
    Preview,
    Upload,
    SignIn,
    SlowReaders,
    CacheFlood,
    Comments,
    Search,
}

/// The staff accounts: an author who writes, and an editor whose password is guessed.
const AUTHOR_EMAIL: &str = "hostile-author@example.org";
const EDITOR_EMAIL: &str = "hostile-editor@example.org";
const PASSWORD: &str = "a long passphrase nobody guesses";

/// The reader who measures, and each hostile client, on an address of its own.
const READER: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1));

fn client_address(n: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 1, n))
}

/// What one hostile client sent and what came back.
pub struct Tally {
    pub name: &'static str,
    pub requests: u64,
    /// Answer (status, or what went wrong) → how many.
    pub outcomes: BTreeMap<String, u64>,
    /// Time to each whole answer, ms.
    pub times: Vec<f64>,
    /// What the count of requests means, when not answered requests.
    pub note: String,
    /// The slowest answer: ms, and what was sent and answered.
    pub slowest: Option<(f64, String)>,
}

impl Tally {
    pub fn new(name: &'static str) -> Tally {
        Tally {
            name,
            requests: 0,
            outcomes: BTreeMap::new(),
            times: Vec::new(),
            note: String::new(),
            slowest: None,
        }
    }

    /// An answer that took `ms`: `sent` says what the request carried.
    pub fn answered(&mut self, ms: f64, outcome: String, sent: &str) {
        self.times.push(ms);
        if self
            .slowest
            .as_ref()
            .is_none_or(|(slowest, _)| ms > *slowest)
        {
            self.slowest = Some((ms, format!("{sent}: {outcome}")));
        }
        self.count(outcome);
    }

    pub fn count(&mut self, outcome: impl Into<String>) {
        self.requests += 1;
        *self.outcomes.entry(outcome.into()).or_default() += 1;
    }

    /// A failed request, by what failed (an I/O error's text without its details).
    pub fn failed(&mut self, e: &anyhow::Error) {
        let text = format!("{e:#}");
        let short: String = text
            .split(" (os error")
            .next()
            .unwrap_or("")
            .chars()
            .take(60)
            .collect();
        self.count(format!("error: {short}"));
    }
}

/// Sends requests made by `step` on a keep-alive connection from `source`
/// until `deadline`, connecting again after a failure; `step` says what it
/// sent and what the answer was.
pub fn hammer(
    port: u16,
    source: IpAddr,
    deadline: Instant,
    tally: &mut Tally,
    mut step: impl FnMut(&mut http::Client, u64) -> anyhow::Result<(String, String)>,
) {
    let mut client = None;
    let mut k = 0;
    while Instant::now() < deadline {
        let mut c = match client.take() {
            Some(c) => c,
            None => match http::Client::connect_from(port, source) {
                Ok(c) => c,
                Err(e) => {
                    tally.failed(&e.context("connect"));
                    std::thread::sleep(Duration::from_millis(50));
                    continue;
                }
            },
        };
        let sent = Instant::now();
        match step(&mut c, k) {
            Ok((what, outcome)) => {
                tally.answered(sent.elapsed().as_secs_f64() * 1000.0, outcome, &what);
                client = Some(c);
            }
            Err(e) => tally.failed(&e),
        }
        k += 1;
    }
}

/// Makes the two staff accounts, unless an earlier run (`--reuse`) did.
async fn staff(store: &Store) -> anyhow::Result<()> {
    for (email, name, role) in [
        (AUTHOR_EMAIL, "Hostile Author", Role::Author),
        (EDITOR_EMAIL, "Guessed Editor", Role::Editor),
    ] {
        if store.user_for_sign_in(email).await?.is_some() {
            continue;
        }
        let hash = password::hash(PASSWORD).map_err(anyhow::Error::msg)?;
        store
            .create_user(&NewUser {
                email: email.into(),
                name: name.into(),
                role,
                password_hash: Some(hash),
            })
            .await?;
    }
    Ok(())
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let machine = report::machine();
    let site = prepare(&args.site, args.articles, "hostile-").await?;
    let store = open_store(&site).await?;
    staff(&store).await?;
    let section = store
        .all_sections()
        .await?
        .first()
        .map(|s| s.id)
        .context("the generated site has no section")?;
    let author = store
        .all_authors()
        .await?
        .first()
        .map(|a| a.id)
        .context("the generated site has no author")?;
    store.close().await;

    let bodies = newsroom::bodies();
    let bomb = bomb::png(12_000)?;
    let mut server = start(&args.site, &site, &[])?;
    let port = server.port;
    let pid = server.child.id();
    // A story from the middle of the archive: the reader's page, the
    // flood's target and what the slow readers ask for.
    let article = format!("/news/{}", generate::slug(args.articles / 2));
    let desk = newsroom::Desk::open(port, section, author)?;
    let comment_token =
        crate::comments::form_token(&http::Client::connect(port)?.get_text(&article)?)?;
    // The page is in the cache before the load, as a read story is.
    http::Client::connect_from(port, READER)?.get_text(&article)?;
    let before = measure::Memory::read(pid)?;

    println!(
        "{} s of hostile load on {} ({}), {} bodies, a {} byte PNG bomb…",
        args.seconds,
        article,
        args.site.backend.label(),
        bodies.len(),
        bomb.len()
    );
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.seconds);
    let (tallies, reader, memory) = std::thread::scope(|s| {
        let desk = &desk;
        let bodies = &bodies;
        let article = article.as_str();
        let token = comment_token.as_str();
        let bomb = bomb.as_slice();
        let on = |c: Hostile| args.clients.contains(&c);
        let mut hostile = Vec::new();
        if on(Hostile::Save) {
            hostile.push(s.spawn(move || desk.save(client_address(1), bodies, deadline)));
        }
        if on(Hostile::Preview) {
            hostile.push(s.spawn(move || desk.preview(client_address(2), bodies, deadline)));
        }
        if on(Hostile::Upload) {
            hostile.push(s.spawn(move || desk.upload(client_address(3), bomb, deadline)));
        }
        if on(Hostile::SignIn) {
            hostile.push(
                s.spawn(move || newsroom::guess(port, client_address(4), EDITOR_EMAIL, deadline)),
            );
        }
        if on(Hostile::SlowReaders) {
            hostile
                .push(s.spawn(move || readers::slow(port, client_address(5), article, deadline)));
        }
        if on(Hostile::CacheFlood) {
            hostile.push(
                s.spawn(move || readers::cache_flood(port, client_address(6), article, deadline)),
            );
        }
        if on(Hostile::Comments) {
            hostile.push(s.spawn(move || readers::comment_flood(port, article, token, deadline)));
        }
        if on(Hostile::Search) {
            hostile.push(s.spawn(move || readers::search(port, client_address(8), deadline)));
        }
        let health = s.spawn(move || measure::reader(port, READER, "/healthz", deadline));
        let page = s.spawn(move || measure::reader(port, READER, article, deadline));
        let memory = s.spawn(move || measure::memory(pid, deadline));
        let tallies: Vec<Tally> = hostile
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Tally::new("(a client panicked)"))
            })
            .collect();
        let reader = [
            ("/healthz", health.join().ok()),
            ("cached article", page.join().ok()),
        ];
        (tallies, reader, memory.join().ok().and_then(Result::ok))
    });
    let elapsed = started.elapsed();
    let after = measure::Memory::read(pid);
    let exited = server.child.try_wait()?;
    let health_after = http::Client::connect_from(port, READER)
        .and_then(|mut c| c.get_text("/healthz"))
        .map(|t| t.lines().collect::<Vec<_>>().join("; "))
        .unwrap_or_else(|e| format!("failed: {e:#}"));
    report::print(&report::Run {
        args: &args,
        machine,
        elapsed,
        article: &article,
        published: desk.published,
        tallies: &tallies,
        reader: &reader,
        before,
        sampled: memory,
        after: after.ok(),
        exited,
        health_after,
    });
    Ok(())
}
