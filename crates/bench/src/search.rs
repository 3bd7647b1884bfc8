//! Search and related articles on a generated site or on the BBC news
//! corpus (`../shared/testdata/news/bbc`, 2,225 articles in 5 sections,
//! loaded here by a small loader; it never enters the product).
//!
//! It runs the real `bbn reindex` on the site's data folder and reports its
//! time and the index size, then opens that index in this process and times
//! 1,000 fixed queries (single words, two words, phrases, typos, filtered)
//! and related-article lookups (uncached), and, for the BBC corpus, the
//! share of suggested related articles from the same section as the article.

use crate::{BackendArg, SiteArgs, percentile, prepare};
use anyhow::{Context, bail};
use bbn_core::validate::ArticleDraft;
use bbn_search::{Search, SearchRequest};
use bbn_store::Store;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Corpus {
    Generated,
    Bbc,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long, value_enum, default_value_t = Corpus::Bbc)]
    corpus: Corpus,
    /// Articles of the generated site (with --corpus generated).
    #[arg(long, default_value_t = 100_000)]
    articles: usize,
    /// The BBC corpus folder.
    #[arg(long, default_value = "../shared/testdata/news/bbc")]
    bbc: PathBuf,
    #[command(flatten)]
    site: SiteArgs,
    /// Articles whose related list is timed (all of them for the section share on BBC).
    #[arg(long, default_value_t = 1_000)]
    related: usize,
}

const BBC_SECTIONS: [&str; 5] = ["business", "entertainment", "politics", "sport", "tech"];

/// Loads the BBC corpus as published articles, one section per category.
async fn load_bbc(store: &Store, dir: &std::path::Path) -> anyhow::Result<usize> {
    let mut sections = Vec::new();
    for (i, name) in BBC_SECTIONS.iter().enumerate() {
        let title = format!("{}{}", name[..1].to_uppercase(), &name[1..]);
        sections.push(
            store
                .create_section(name, &title, "", Some(i as i64))
                .await?,
        );
    }
    let author = store.create_author("bbc-staff", "BBC Staff", "").await?;
    let now = bbn_core::time::now();
    let mut drafts = Vec::new();
    for (s, name) in BBC_SECTIONS.iter().enumerate() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(name))
            .with_context(|| format!("cannot read {}", dir.join(name).display()))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect();
        files.sort();
        for path in files {
            // One file has a Latin-1 byte; read what can be read.
            let text = String::from_utf8_lossy(&std::fs::read(&path)?).into_owned();
            let (headline, body) = text.split_once('\n').unwrap_or((&text, ""));
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("x");
            let n = drafts.len() as i64;
            drafts.push(
                ArticleDraft::new(
                    format!("{name}-{stem}"),
                    headline.trim().chars().take(200).collect::<String>(),
                    sections[s],
                )
                .body(body.trim())
                .authors(vec![author])
                .published(now - n * 3_600),
            );
        }
    }
    let n = drafts.len();
    for chunk in drafts.chunks(500) {
        store.create_articles(chunk.to_vec()).await?;
    }
    Ok(n)
}

/// 1,000 queries from the site's own words: 200 each of single words, two
/// words, quoted phrases, words with one letter changed, and a word within a section.
fn queries(headlines: &[(String, String)], rng: &mut StdRng) -> Vec<SearchRequest> {
    let words: Vec<Vec<String>> = headlines
        .iter()
        .map(|(h, _)| {
            h.split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.chars().count() >= 4)
                .map(str::to_lowercase)
                .collect()
        })
        .filter(|w: &Vec<String>| w.len() >= 2)
        .collect();
    let mut out = Vec::with_capacity(1_000);
    for i in 0..1_000 {
        let Some(ws) = words.choose(rng) else { break };
        let section = headlines.choose(rng).map(|(_, s)| s.clone());
        let k = rng.random_range(0..ws.len() - 1);
        let q = match i % 5 {
            0 => ws[k].clone(),
            1 => format!("{} {}", ws[k], ws[k + 1]),
            2 => format!("\"{} {}\"", ws[k], ws[k + 1]),
            3 => {
                let mut chars: Vec<char> = ws[k].chars().collect();
                let at = rng.random_range(1..chars.len());
                chars[at] = if chars[at] == 'e' { 'a' } else { 'e' };
                chars.into_iter().collect()
            }
            _ => ws[k].clone(),
        };
        out.push(SearchRequest {
            q,
            section: if i % 5 == 4 { section } else { None },
            page: 1,
            per_page: 10,
            ..Default::default()
        });
    }
    out
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let (site, store, label) = match args.corpus {
        Corpus::Generated => {
            let site = prepare(&args.site, args.articles, "").await?;
            let store = crate::open_store(&site).await?;
            (
                site,
                store,
                format!("generated, {} articles", args.articles),
            )
        }
        Corpus::Bbc => {
            let site = prepare(&args.site, 0, "bbc-").await?;
            let store = crate::open_store(&site).await?;
            if store.count_published().await? == 0 {
                let n = load_bbc(&store, &args.bbc).await?;
                println!("loaded {n} BBC articles");
            }
            (site, store, "BBC corpus".to_string())
        }
    };
    let backend = args.site.backend.label();

    // The real command, on the site's data folder.
    let mut cmd = Command::new(&args.site.bbn);
    cmd.arg("--data-dir").arg(&site.data_dir).arg("reindex");
    if let Some(url) = &site.database_url {
        cmd.args(["--database-url", url]);
    }
    let started = Instant::now();
    let out = cmd.output().context("cannot run bbn reindex")?;
    let wall = started.elapsed().as_secs_f64();
    if !out.status.success() {
        bail!(
            "bbn reindex failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let said = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let dir = bbn_search::index_dir(&site.data_dir);
    let size = Search::size_on_disk(&dir) as f64 / 1_048_576.0;

    let search = Search::open(&dir, store.clone()).await?;
    let docs = store.search_docs_after(0, 1_000_000).await?;
    let headlines: Vec<(String, String)> = docs
        .iter()
        .map(|d| (d.headline.clone(), d.section_slug.clone()))
        .collect();
    let mut rng = StdRng::seed_from_u64(5);
    let qs = queries(&headlines, &mut rng);
    for q in qs.iter().take(100) {
        search.search(q).await?;
    }
    let mut times = Vec::with_capacity(qs.len());
    let mut empty = 0;
    for q in &qs {
        // Each search timed as a new one, not from the results cache.
        search.clear_caches();
        let t = Instant::now();
        let r = search.search(q).await?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        if r.total == 0 {
            empty += 1;
        }
    }
    times.sort_by(f64::total_cmp);

    // Related: uncached, one lookup per article.
    let sample: Vec<&bbn_store::SearchDoc> = match args.corpus {
        Corpus::Bbc => docs.iter().collect(),
        Corpus::Generated => docs
            .choose_multiple(&mut rng, args.related.min(docs.len()))
            .collect(),
    };
    let section_of: std::collections::HashMap<i64, &str> = docs
        .iter()
        .map(|d| (d.id, d.section_slug.as_str()))
        .collect();
    let mut related_times = Vec::with_capacity(sample.len());
    let (mut same, mut suggested) = (0usize, 0usize);
    for d in &sample {
        search.clear_caches();
        let t = Instant::now();
        let ids = search.related(d.id, 4).await?;
        related_times.push(t.elapsed().as_secs_f64() * 1000.0);
        suggested += ids.len();
        same += ids
            .iter()
            .filter(|id| section_of.get(id) == Some(&d.section_slug.as_str()))
            .count();
    }
    related_times.sort_by(f64::total_cmp);
    println!(
        "\n{label} on {backend}: {} published articles indexed",
        search.len()
    );
    println!("bbn reindex: {said} (wall {wall:.1} s); index size {size:.1} MB\n");
    println!("| measure | median ms | p99 ms |");
    println!("|---|---|---|");
    println!(
        "| search, 1,000 queries ({empty} with no result) | {:.2} | {:.2} |",
        percentile(&times, 50.0),
        percentile(&times, 99.0)
    );
    println!(
        "| related articles, {} articles, uncached | {:.2} | {:.2} |",
        related_times.len(),
        percentile(&related_times, 50.0),
        percentile(&related_times, 99.0)
    );
    println!(
        "\nrelated articles in the same section: {same} of {suggested} ({:.1}%), over {} articles",
        100.0 * same as f64 / suggested.max(1) as f64,
        sample.len()
    );
    drop(search);
    store.close().await;
    if matches!(args.site.backend, BackendArg::Postgres) {
        println!(
            "(PostgreSQL database: {})",
            site.database_url.unwrap_or_default()
        );
    }
    Ok(())
}
