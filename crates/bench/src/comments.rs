//! Posting comments: concurrent clients, each on its own keep-alive
//! connection, post reader comments through the real form of the hottest
//! stories (a breaking-news spike), and every post is timed from the request
//! to the acknowledgement (the redirect bbn sends only after the commit).
//!
//! Before the run the spam filter is taught from a labeled set, so that each
//! comment also pays for being judged, as it would on a live site. bbn runs
//! as behind a reverse proxy (`--trusted-proxies 127.0.0.1`) and each
//! comment comes from its own reader address (`X-Forwarded-For`), so the
//! per-address limit stays at its default; the per-article limit is lifted
//! (a spike is what is measured), and the clients wait out the form's
//! minimum time, so every comment takes the full path. At the end the
//! database is counted: acknowledged comments must all be there.

use crate::http::urlencode;
use crate::{SiteArgs, generate, http, percentile, prepare, spamset, start};
use anyhow::{Context, bail};
use bbn_core::CommentStatus;
use bbn_store::{NewComment, Store};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::time::{Duration, Instant};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// How many articles the generated site has.
    #[arg(long, default_value_t = 1_000)]
    articles: usize,
    #[command(flatten)]
    site: SiteArgs,
    /// Concurrent clients, each on its own connection.
    #[arg(long, default_value_t = 16)]
    clients: usize,
    /// Comments each client posts.
    #[arg(long, default_value_t = 200)]
    per_client: usize,
    /// How many stories the comments spread over.
    #[arg(long, default_value_t = 10)]
    stories: usize,
}

/// Teaches the filter 500 labeled comments, as moderators would have.
async fn teach(store: &Store) -> anyhow::Result<()> {
    if store.spam_corpus().await?.decisions() > 0 {
        return Ok(());
    }
    let article = store
        .article_by_slug(&generate::slug(0))
        .await?
        .context("the generated site has no first article")?;
    let set = spamset::generate(&mut StdRng::seed_from_u64(11), 500);
    let ids = store
        .add_comments(
            &set.iter()
                .map(|c| NewComment {
                    article_id: article.id,
                    parent_id: None,
                    author_name: c.name.clone(),
                    author_email: c.email.clone(),
                    body: c.body.clone(),
                    status: CommentStatus::Pending,
                    created_at: bbn_core::time::now() - 7 * 86_400,
                })
                .collect::<Vec<_>>(),
        )
        .await?;
    for spam in [true, false] {
        let picked: Vec<i64> = ids
            .iter()
            .zip(&set)
            .filter(|(_, c)| c.spam == spam)
            .map(|(id, _)| *id)
            .collect();
        let status = if spam {
            CommentStatus::Spam
        } else {
            CommentStatus::Approved
        };
        store.set_comments_status(&picked, status).await?;
    }
    Ok(())
}

/// The signed token of an article page's comment form.
pub fn form_token(page: &str) -> anyhow::Result<String> {
    let marker = "name=\"token\" value=\"";
    let start = page.find(marker).context("no comment form")? + marker.len();
    let len = page[start..].find('"').context("unterminated token")?;
    Ok(page[start..start + len].to_string())
}

/// A comment as the form posts it. The text comes last, so that a load
/// generator can make each text unique by appending to it.
pub fn comment_form(name: &str, email: &str, token: &str, text: &str) -> String {
    format!(
        "name={}&email={}&token={}&website=&comment={}",
        urlencode(name),
        urlencode(email),
        urlencode(token),
        urlencode(text)
    )
}

async fn total_comments(store: &Store) -> anyhow::Result<i64> {
    Ok(store.comment_counts().await?.iter().map(|(_, n)| n).sum())
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    if args.clients * args.per_client > 65_536 || args.clients == 0 || args.stories == 0 {
        bail!("post 1 to 65,536 comments in all (each reader has its own address in 10.r.x.y)");
    }
    let site = prepare(&args.site, args.articles, "comments-").await?;
    let store = crate::open_store(&site).await?;
    teach(&store).await?;
    let corpus = store.spam_corpus().await?;
    let before = total_comments(&store).await?;
    let server = start(
        &args.site,
        &site,
        &[
            "--trusted-proxies",
            "127.0.0.1",
            "--comments-per-article",
            "1000000000",
        ],
    )?;
    let port = server.port;
    let mut reader = http::Client::connect(port)?;
    let stories: Vec<(String, String)> = (0..args.stories.min(args.articles))
        .map(|i| {
            let slug = generate::slug(i);
            let token = form_token(&reader.get_text(&format!("/news/{slug}"))?)?;
            Ok((slug, token))
        })
        .collect::<anyhow::Result<_>>()?;
    // A form posted sooner than a person types goes to spam; wait that out.
    std::thread::sleep(Duration::from_secs(4));

    let texts: Vec<String> = spamset::generate(&mut StdRng::seed_from_u64(12), 400)
        .into_iter()
        .filter(|c| !c.spam)
        .map(|c| c.body)
        .collect();
    // Texts and reader addresses differ from any earlier run's (`--reuse`),
    // or the duplicate check and the rate limits would answer instead.
    let run = bbn_core::time::now();
    let started = Instant::now();
    let handles: Vec<_> = (0..args.clients)
        .map(|client| {
            let stories = stories.clone();
            let texts = texts.clone();
            let per_client = args.per_client;
            std::thread::spawn(move || -> anyhow::Result<Vec<f64>> {
                let mut c = http::Client::connect(port)?;
                let mut times = Vec::with_capacity(per_client);
                for k in 0..per_client {
                    let (slug, token) = &stories[(client + k) % stories.len()];
                    let text = format!(
                        "{} (run {run}, reader {client}, comment {k})",
                        texts[(client * 31 + k) % texts.len()]
                    );
                    let form = comment_form(
                        &format!("Reader {client}"),
                        &format!("reader{client}@example.org"),
                        token,
                        &text,
                    );
                    let n = client * per_client + k;
                    let reader = format!("10.{}.{}.{}", run % 250, n >> 8 & 255, n & 255);
                    let sent = Instant::now();
                    let r = c.post_form(&format!("/news/{slug}/comments"), &form, &reader)?;
                    if r.status != 303 {
                        bail!("a comment was answered {}", r.status);
                    }
                    times.push(sent.elapsed().as_secs_f64() * 1000.0);
                }
                Ok(times)
            })
        })
        .collect();
    let mut times = Vec::new();
    for h in handles {
        match h.join() {
            Ok(t) => times.extend(t?),
            Err(_) => bail!("a client thread panicked"),
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    drop(server);
    let stored = total_comments(&store).await? - before;
    store.close().await;
    times.sort_by(f64::total_cmp);
    let acknowledged = times.len();
    println!(
        "\nspam filter taught {} decisions ({} spam, {} ham); {} stories; moderation: hold\n",
        corpus.decisions(),
        corpus.spam,
        corpus.ham,
        stories.len()
    );
    println!(
        "| backend | clients | acknowledged | stored | comments/s | median ms | p99 ms | max ms |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    println!(
        "| {} | {} | {acknowledged} | {stored} | {:.0} | {:.2} | {:.2} | {:.2} |",
        args.site.backend.label(),
        args.clients,
        acknowledged as f64 / elapsed,
        percentile(&times, 50.0),
        percentile(&times, 99.0),
        times.last().copied().unwrap_or(f64::NAN)
    );
    if stored != acknowledged as i64 {
        bail!("{acknowledged} comments acknowledged but {stored} stored");
    }
    Ok(())
}
