//! The mixed load: what a news site's traffic looks like, in one plan wrk
//! replays in turn. 95% of requests read an article, drawn from a Zipf
//! distribution (s = 1.1) over the whole site with the newest stories the
//! most read, as on a news site; 4% search for one or two words of the
//! generated vocabulary; 1% post a comment through the real form.
//!
//! A comment must carry its article's signed form token, shown at least
//! `comment_min_seconds` before, so the tokens of the articles comments go
//! to (the most read ones) are fetched before the load, and the load starts
//! after that minimum. Each posted text ends differently (wrk appends run,
//! thread and a counter), or the duplicate check would answer instead.

use crate::comments::{comment_form, form_token};
use crate::{generate, http};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::io::Write;
use std::path::Path;

/// Ranks 0..n drawn with probability proportional to 1 / (rank + 1)^s.
pub struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    pub fn new(n: usize, s: f64) -> Zipf {
        let mut total = 0.0;
        let cumulative = (1..=n.max(1))
            .map(|k| {
                total += (k as f64).powf(-s);
                total
            })
            .collect();
        Zipf { cumulative }
    }

    pub fn sample(&self, rng: &mut impl Rng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let x = rng.random::<f64>() * total;
        self.cumulative
            .partition_point(|c| *c < x)
            .min(self.cumulative.len() - 1)
    }
}

/// The article of a popularity rank: rank 0 is the newest story.
pub fn article_by_rank(articles: usize, rank: usize) -> String {
    generate::slug(articles - 1 - rank.min(articles - 1))
}

/// How many of the most read articles take the comments.
const COMMENTED: usize = 200;
/// Lines of the plan; wrk goes round it.
const PLAN_LINES: usize = 200_000;

/// Fetches the comment forms the load will post, then writes the plan. The
/// load must start no sooner than the form's minimum time after this.
pub fn write_plan(port: u16, articles: usize, file: &Path) -> anyhow::Result<()> {
    let mut client = http::Client::connect(port)?;
    let commented = COMMENTED.min(articles);
    let forms: Vec<(String, String)> = (0..commented)
        .map(|rank| {
            let slug = article_by_rank(articles, rank);
            let token = form_token(&client.get_text(&format!("/news/{slug}"))?)?;
            let form = comment_form(
                &format!("Reader {rank}"),
                &format!("reader{rank}@example.org"),
                &token,
                "A reader's view on this story, number",
            );
            Ok((format!("/news/{slug}/comments"), form))
        })
        .collect::<anyhow::Result<_>>()?;
    let mut rng = StdRng::seed_from_u64(95);
    let read = Zipf::new(articles, 1.1);
    let comment = Zipf::new(commented, 1.1);
    let mut out = std::io::BufWriter::new(std::fs::File::create(file)?);
    for _ in 0..PLAN_LINES {
        let roll = rng.random_range(0..100);
        if roll < 95 {
            let slug = article_by_rank(articles, read.sample(&mut rng));
            writeln!(out, "GET /news/{slug}")?;
        } else if roll < 99 {
            let words = generate::WORDS;
            let mut q = words[rng.random_range(0..words.len())].to_string();
            if rng.random_bool(0.5) {
                q.push('+');
                q.push_str(words[rng.random_range(0..words.len())]);
            }
            writeln!(out, "GET /search?q={q}")?;
        } else {
            let (path, form) = &forms[comment.sample(&mut rng)];
            writeln!(out, "POST {path} {form}")?;
        }
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zipf_favours_the_first_ranks() {
        let z = Zipf::new(100_000, 1.1);
        let mut rng = StdRng::seed_from_u64(1);
        let draws: Vec<usize> = (0..10_000).map(|_| z.sample(&mut rng)).collect();
        let first = draws.iter().filter(|r| **r == 0).count();
        // P(rank 0) = 1 / H(100000, 1.1) ≈ 0.13.
        assert!((1_000..1_600).contains(&first), "{first}");
        assert!(draws.iter().all(|r| *r < 100_000));
        assert!(draws.iter().any(|r| *r > 10_000));
    }
}
