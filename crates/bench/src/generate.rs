//! A generated news site of any size, the same every time (fixed seed).

use bbn_core::validate::ArticleDraft;
use bbn_core::{CommentStatus, FaqItem, SiteSettings};
use bbn_store::{NewComment, Store};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::io::Write;

pub const WORDS: &[&str] = &[
    "government",
    "minister",
    "talks",
    "officials",
    "said",
    "on",
    "the",
    "a",
    "of",
    "in",
    "market",
    "growth",
    "election",
    "vote",
    "season",
    "team",
    "coach",
    "record",
    "health",
    "study",
    "patients",
    "doctors",
    "city",
    "council",
    "budget",
    "plan",
    "energy",
    "prices",
    "rose",
    "fell",
    "percent",
    "quarter",
    "company",
    "shares",
    "investors",
    "analysts",
    "expected",
    "week",
    "year",
    "after",
    "before",
    "while",
    "because",
    "new",
    "old",
    "report",
    "data",
    "showed",
    "policy",
    "security",
    "border",
    "trade",
    "deal",
    "agreement",
    "leaders",
    "summit",
    "meeting",
    "film",
    "festival",
    "album",
    "tour",
    "fans",
    "court",
    "ruling",
    "judge",
    "law",
    "technology",
    "software",
    "users",
    "privacy",
    "network",
    "climate",
    "storm",
    "rain",
    "heat",
    "water",
    "school",
    "students",
    "teachers",
    "families",
    "workers",
    "union",
    "strike",
    "wages",
    "jobs",
    "economy",
    "inflation",
    "rates",
    "bank",
    "central",
    "federal",
    "state",
    "local",
    "national",
    "international",
    "and",
    "to",
    "with",
    "for",
    "by",
    "from",
    "that",
    "which",
    "their",
    "its",
    "was",
    "were",
    "has",
    "have",
    "will",
];

const SECTIONS: &[(&str, &str)] = &[
    ("politics", "Politics"),
    ("world", "World"),
    ("business", "Business"),
    ("sports", "Sports"),
    ("entertainment", "Entertainment"),
    ("health", "Health"),
    ("technology", "Technology"),
];

pub struct Spec {
    pub articles: usize,
    pub topics: usize,
    pub authors: usize,
}

impl Spec {
    pub fn for_articles(articles: usize) -> Spec {
        Spec {
            articles,
            topics: (articles / 500).clamp(20, 500),
            authors: (articles / 1000).clamp(10, 200),
        }
    }
}

pub fn slug(i: usize) -> String {
    format!("generated-story-{i}")
}

pub fn topic_slug(i: usize) -> String {
    format!("topic-{i}")
}

fn sentence(rng: &mut StdRng, min: usize, max: usize) -> String {
    let n = rng.random_range(min..=max);
    let mut s = String::new();
    for i in 0..n {
        let w = WORDS[rng.random_range(0..WORDS.len())];
        if i == 0 {
            let mut c = w.chars();
            if let Some(f) = c.next() {
                s.extend(f.to_uppercase());
                s.push_str(c.as_str());
            }
        } else {
            s.push(' ');
            s.push_str(w);
        }
    }
    s
}

fn body(rng: &mut StdRng) -> String {
    let mut paragraphs = Vec::new();
    for p in 0..rng.random_range(6..=9) {
        let sentences: Vec<String> = (0..rng.random_range(3..=5))
            .map(|_| sentence(rng, 8, 18) + ".")
            .collect();
        let text = sentences.join(" ");
        paragraphs.push(if p == 3 { format!("> {text}") } else { text });
    }
    paragraphs.join("\n\n")
}

/// Writes the whole site, in batches of one transaction each.
pub async fn fill(store: &Store, spec: &Spec) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(42);
    store
        .save_settings(&SiteSettings {
            name: "Bench News".into(),
            description: "A generated site for benchmarks.".into(),
            copyright_holder: "Bench News".into(),
            time_zone: "America/New_York".into(),
            page_size: 20,
            language: "en".into(),
            blocking_checks: Vec::new(),
            logo_id: None,
            logo_url: None,
            comments: Default::default(),
            most_read_days: 2,
            ..Default::default()
        })
        .await?;
    let mut sections = Vec::new();
    for (i, (slug, name)) in SECTIONS.iter().enumerate() {
        sections.push(store.create_section(slug, name, "", Some(i as i64)).await?);
    }
    let mut authors = Vec::new();
    for i in 0..spec.authors {
        authors.push(
            store
                .create_author(&format!("author-{i}"), &format!("Author {i}"), "Reporter.")
                .await?,
        );
    }
    let mut topics = Vec::new();
    for i in 0..spec.topics {
        topics.push(
            store
                .create_topic(&topic_slug(i), &format!("Topic {i}"), "A generated topic.")
                .await?,
        );
    }
    let now = bbn_core::time::now();
    let batch = 500;
    let mut done = 0;
    while done < spec.articles {
        let end = (done + batch).min(spec.articles);
        let mut drafts = Vec::with_capacity(end - done);
        for i in done..end {
            let mut topic_ids: Vec<i64> = (0..rng.random_range(1..=3))
                .map(|_| topics[rng.random_range(0..topics.len())])
                .collect();
            topic_ids.dedup();
            let faq = if i % 10 == 0 {
                (0..4)
                    .map(|_| FaqItem {
                        question: sentence(&mut rng, 6, 10) + "?",
                        answer: sentence(&mut rng, 12, 24) + ".",
                    })
                    .collect()
            } else {
                vec![]
            };
            // Drawn in the order the fields were always drawn, so a seed
            // still makes the same site.
            let headline = sentence(&mut rng, 6, 12);
            let dek = sentence(&mut rng, 14, 24) + ".";
            let kicker = sentence(&mut rng, 2, 3);
            let text = body(&mut rng);
            let section = sections[rng.random_range(0..sections.len())];
            let byline = (0..rng.random_range(1..=2))
                .map(|_| authors[rng.random_range(0..authors.len())])
                .collect();
            drafts.push(
                ArticleDraft::new(slug(i), headline, section)
                    .dek(dek)
                    .kicker(kicker)
                    .body(text)
                    .authors(byline)
                    .topics(topic_ids)
                    .faq(faq)
                    // Newest first by index spacing: one story every five minutes.
                    .published(now - (spec.articles - i) as i64 * 300),
            );
        }
        let ids = store.create_articles(drafts).await?;
        let mut comments = Vec::new();
        for (k, id) in ids.iter().enumerate() {
            let published = now - (spec.articles - (done + k)) as i64 * 300;
            for c in 0..rng.random_range(0..=6) {
                comments.push(NewComment {
                    article_id: *id,
                    parent_id: None,
                    author_name: format!("Reader{}", rng.random_range(0..10_000)),
                    author_email: "reader@example.com".into(),
                    body: sentence(&mut rng, 8, 30) + ".",
                    status: CommentStatus::Approved,
                    created_at: published + 600 * (c + 1),
                });
            }
        }
        store.add_comments(&comments).await?;
        done = end;
        print!("\rgenerating: {done}/{}", spec.articles);
        let _ = std::io::stdout().flush();
    }
    println!();
    let picks: Vec<i64> = (0..5)
        .map(|i| (spec.articles as i64) - i * 7)
        .filter(|id| *id > 0)
        .collect();
    store.set_editors_picks(&picks).await?;
    Ok(())
}
