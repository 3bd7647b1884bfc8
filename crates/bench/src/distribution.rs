//! How long feeds and sitemaps take to make on a large generated site: each
//! document is fetched from the real `bbn serve` over loopback, timed to its
//! last byte (sitemaps stream), and the server's peak memory is read before
//! and after the sitemaps, to show that a page of 50,000 URLs is not built in
//! memory.

use crate::{SiteArgs, http, peak_memory_mib, percentile, prepare, start};
use anyhow::bail;
use std::time::Instant;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// How many articles the generated site has.
    #[arg(long, default_value_t = 100_000)]
    articles: usize,
    #[command(flatten)]
    site: SiteArgs,
    /// Times each document is fetched (after one warm-up fetch).
    #[arg(long, default_value_t = 20)]
    repeat: usize,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let site = prepare(&args.site, args.articles, "").await?;
    let server = start(&args.site, &site, &[])?;
    let mut client = http::Client::connect(server.port)?;
    let pages = args.articles.div_ceil(50_000);
    let mut docs: Vec<(String, &str)> = vec![
        ("/feed.xml".into(), "site RSS"),
        ("/feed.atom".into(), "site Atom"),
        ("/feed.json".into(), "site JSON Feed"),
        ("/section/world/feed.xml".into(), "section RSS"),
        ("/topic/topic-1/feed.xml".into(), "topic RSS"),
        ("/author/author-1/feed.atom".into(), "author Atom"),
        ("/comments/feed.xml".into(), "comments RSS"),
        ("/sitemap.xml".into(), "sitemap index"),
        ("/news-sitemap.xml".into(), "news sitemap"),
        ("/sitemaps/topics-1.xml".into(), "topics sitemap"),
    ];
    let memory_before_sitemaps = peak_memory_mib(server.child.id())?;
    for n in 1..=pages {
        docs.push((
            format!("/sitemaps/articles-{n}.xml"),
            "article sitemap page",
        ));
    }
    println!(
        "\n| backend | articles | document | median ms | slowest ms | bytes | URLs or items |"
    );
    println!("|---|---|---|---|---|---|---|");
    let backend = args.site.backend.label();
    for (path, label) in &docs {
        let warm = client.get_text(path)?;
        let items = warm.matches("<loc>").count().max(
            warm.matches("<item>").count()
                + warm.matches("<entry>").count()
                + warm.matches("\"content_html\"").count(),
        );
        let mut times = Vec::with_capacity(args.repeat);
        let mut bytes = 0;
        for _ in 0..args.repeat {
            let started = Instant::now();
            let r = client.get(path)?;
            if r.status != 200 {
                bail!("{path} answered {}", r.status);
            }
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            bytes = r.body_len;
        }
        times.sort_by(f64::total_cmp);
        println!(
            "| {backend} | {} | {label} `{path}` | {:.2} | {:.2} | {bytes} | {items} |",
            args.articles,
            percentile(&times, 50.0),
            percentile(&times, 100.0),
        );
    }
    let memory_after = peak_memory_mib(server.child.id())?;
    println!(
        "\npeak server memory (VmHWM): {memory_before_sitemaps:.1} MiB before the article sitemaps, {memory_after:.1} MiB after"
    );
    Ok(())
}
