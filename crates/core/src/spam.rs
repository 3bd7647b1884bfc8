//! The learning spam filter for reader comments.
//!
//! Every moderator decision teaches it: an approved comment counts as ham, a
//! comment marked spam as spam. A comment is cut into tokens (words, pairs
//! of words, the web addresses it links to, the commenter's email domain and
//! a few shapes such as "has three links"); the store keeps, per token, in how
//! many spam and how many ham comments it appeared.
//!
//! Scoring is naive Bayes in Gary Robinson's form, as the SpamBayes project
//! uses it: each token's spam probability is smoothed towards 0.5 by how
//! rarely it was seen, the most telling tokens are combined with Fisher's
//! method, and the result is one number from 0 (ham) to 1 (spam) that stays
//! near 0.5 when the evidence is mixed or thin. It needs only per-token
//! document counts, so adding one decision is a handful of counter updates,
//! and the model lives in the database that every instance shares.

use std::collections::{BTreeSet, HashMap};

/// How many spam and how many ham comments a token appeared in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenCounts {
    pub spam: i64,
    pub ham: i64,
}

/// How many comments the filter has learned from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Corpus {
    pub spam: i64,
    pub ham: i64,
}

impl Corpus {
    pub fn decisions(&self) -> i64 {
        self.spam + self.ham
    }

    /// Whether the filter has seen enough to judge: `min_decisions` in all,
    /// with examples of both kinds.
    pub fn ready(&self, min_decisions: i64) -> bool {
        self.spam > 0 && self.ham > 0 && self.decisions() >= min_decisions.max(1)
    }
}

/// How strongly an unseen token is pulled towards 0.5 (SpamBayes' default).
const UNKNOWN_STRENGTH: f64 = 0.45;
/// Tokens whose probability is closer to 0.5 than this say nothing.
const MIN_STRENGTH: f64 = 0.1;
/// At most this many of the most telling tokens are combined.
const MAX_CLUES: usize = 150;
/// Longest comment text looked at, in characters; the rest adds nothing but cost.
const MAX_TEXT: usize = 20_000;

/// The tokens of a comment, each once, sorted.
pub fn tokens(name: &str, email: &str, body: &str) -> Vec<String> {
    let mut out = BTreeSet::new();
    let body: String = body.chars().take(MAX_TEXT).collect();
    let lower = body.to_lowercase();

    // Web addresses: the host, and the host without "www.".
    let mut links = 0;
    let mut rest = String::with_capacity(lower.len());
    for piece in lower.split_whitespace() {
        let start = ["https://", "http://", "www."]
            .iter()
            .filter_map(|p| piece.find(p))
            .min();
        match start {
            Some(at) => {
                links += 1;
                let url = &piece[at..];
                let host = url
                    .trim_start_matches("https://")
                    .trim_start_matches("http://")
                    .split(['/', '?', '#', ':'])
                    .next()
                    .unwrap_or("")
                    .trim_start_matches("www.")
                    .trim_end_matches(|c: char| !c.is_alphanumeric());
                if !host.is_empty() {
                    out.insert(format!("url:{host}"));
                    if let Some(tld) = host.rsplit('.').next() {
                        out.insert(format!("tld:{tld}"));
                    }
                }
                rest.push_str(&piece[..at]);
                rest.push(' ');
            }
            None => {
                rest.push_str(piece);
                rest.push(' ');
            }
        }
    }
    out.insert(format!("links:{}", links.min(3)));

    // Words, and pairs of neighbouring words.
    let words: Vec<String> = rest
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '$' || c == '€' || c == '£'))
        .map(|w| w.trim_matches('\''))
        .filter(|w| !w.is_empty())
        .map(word_token)
        .collect();
    for w in &words {
        out.insert(w.clone());
    }
    for pair in words.windows(2) {
        out.insert(format!("{} {}", pair[0], pair[1]));
    }

    // Shapes of the text.
    let chars = body.chars().count();
    let size = match chars {
        0..40 => "tiny",
        40..160 => "short",
        160..600 => "medium",
        600..2000 => "long",
        _ => "huge",
    };
    out.insert(format!("len:{size}"));
    let letters = body.chars().filter(|c| c.is_alphabetic()).count();
    let capitals = body.chars().filter(|c| c.is_uppercase()).count();
    if letters >= 20 && capitals * 3 > letters {
        out.insert("shape:shouting".into());
    }
    if body.contains("!!") {
        out.insert("shape:bangs".into());
    }
    if body.contains('@') {
        out.insert("shape:at".into());
    }

    // Who: name words and the email's domain (never the address itself).
    let name_lower = name.to_lowercase();
    let name_words: Vec<&str> = name_lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    for w in &name_words {
        out.insert(format!("name:{}", word_token(w)));
    }
    out.insert(format!("name-words:{}", name_words.len().min(4)));
    if name.chars().any(|c| c.is_ascii_digit()) {
        out.insert("name:has-digits".into());
    }
    if let Some((_, domain)) = email.trim().to_lowercase().rsplit_once('@') {
        out.insert(format!("from:{domain}"));
        if let Some(tld) = domain.rsplit('.').next() {
            out.insert(format!("from-tld:{tld}"));
        }
    }
    out.into_iter().collect()
}

/// A word as a token: long words and long numbers by their shape, so that
/// random strings do not each become a token of their own.
fn word_token(w: &str) -> String {
    let n = w.chars().count();
    if w.chars().all(|c| c.is_ascii_digit()) {
        return if n <= 4 {
            w.to_string()
        } else {
            format!("num:{n}")
        };
    }
    if n > 24 {
        let head: String = w.chars().take(4).collect();
        return format!("long:{head}");
    }
    w.to_string()
}

/// The spam probability of one token, smoothed towards 0.5 when it was seen rarely.
fn token_probability(c: TokenCounts, corpus: Corpus) -> f64 {
    let seen = (c.spam + c.ham) as f64;
    let spam_ratio = c.spam as f64 / corpus.spam.max(1) as f64;
    let ham_ratio = c.ham as f64 / corpus.ham.max(1) as f64;
    let p = if spam_ratio + ham_ratio > 0.0 {
        spam_ratio / (spam_ratio + ham_ratio)
    } else {
        0.5
    };
    (UNKNOWN_STRENGTH * 0.5 + seen * p) / (UNKNOWN_STRENGTH + seen)
}

/// The probability that a chi-squared variable with `dof` (even) degrees of
/// freedom is at least `x`.
fn chi2_q(x: f64, dof: usize) -> f64 {
    let m = x / 2.0;
    let mut term = (-m).exp();
    let mut sum = term;
    for i in 1..dof / 2 {
        term *= m / i as f64;
        sum += term;
    }
    sum.min(1.0)
}

/// How likely a comment with these tokens is spam, from 0 to 1.
pub fn score(tokens: &[String], counts: &HashMap<String, TokenCounts>, corpus: Corpus) -> f64 {
    let mut clues: Vec<f64> = tokens
        .iter()
        .filter_map(|t| counts.get(t))
        .map(|c| token_probability(*c, corpus))
        .filter(|p| (p - 0.5).abs() >= MIN_STRENGTH)
        .collect();
    if clues.is_empty() {
        return 0.5;
    }
    clues.sort_by(|a, b| (b - 0.5).abs().total_cmp(&(a - 0.5).abs()));
    clues.truncate(MAX_CLUES);
    let n = clues.len();
    let ln_ham: f64 = clues.iter().map(|p| p.max(1e-300).ln()).sum();
    let ln_spam: f64 = clues.iter().map(|p| (1.0 - p).max(1e-300).ln()).sum();
    let spamminess = 1.0 - chi2_q(-2.0 * ln_spam, 2 * n);
    let hamminess = 1.0 - chi2_q(-2.0 * ln_ham, 2 * n);
    ((spamminess - hamminess + 1.0) / 2.0).clamp(0.0, 1.0)
}

/// A model held in memory: for tests, benchmarks and the labeled-set evaluation.
#[derive(Debug, Default, Clone)]
pub struct Model {
    pub corpus: Corpus,
    pub counts: HashMap<String, TokenCounts>,
}

impl Model {
    pub fn learn(&mut self, tokens: &[String], spam: bool) {
        if spam {
            self.corpus.spam += 1;
        } else {
            self.corpus.ham += 1;
        }
        for t in tokens {
            let c = self.counts.entry(t.clone()).or_default();
            if spam {
                c.spam += 1;
            } else {
                c.ham += 1;
            }
        }
    }

    pub fn score(&self, tokens: &[String]) -> f64 {
        score(tokens, &self.counts, self.corpus)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(body: &str) -> Vec<String> {
        tokens("A Reader", "reader@example.org", body)
    }

    #[test]
    fn tokens_cover_words_pairs_links_and_sender() {
        let got = tokens(
            "Cheap Pills 24",
            "Seller@Pharma.example",
            "Buy NOW at https://www.pills.example/buy?x=1 friend",
        );
        for want in [
            "buy",
            "now",
            "buy now",
            "at friend",
            "url:pills.example",
            "tld:example",
            "links:1",
            "name:cheap",
            "name:has-digits",
            "from:pharma.example",
            "len:short",
        ] {
            assert!(got.iter().any(|g| g == want), "missing {want:?} in {got:?}");
        }
        assert!(
            !got.iter().any(|g| g.contains("seller")),
            "the email's local part is never a token"
        );
        assert!(t(&"x".repeat(100)).contains(&"long:xxxx".to_string()));
        assert!(t("call 5551234567").contains(&"num:10".to_string()));
    }

    #[test]
    fn untrained_filter_says_nothing() {
        let m = Model::default();
        assert_eq!(m.score(&t("anything at all")), 0.5);
        assert!(!m.corpus.ready(1));
    }

    #[test]
    fn learns_from_decisions() {
        let mut m = Model::default();
        let spam = [
            "Earn $500 a day from home, visit http://cash.example now",
            "Cheap pills without prescription at http://pills.example",
            "Best casino bonus, free spins today http://spins.example",
            "Work from home and earn cash fast, details at http://cash.example",
            "Buy followers cheap, visit http://fans.example today",
        ];
        let ham = [
            "The minister's answer on the budget did not convince me.",
            "Good reporting. I was at the match and the crowd was huge.",
            "Does anyone know when the council votes on the new bridge?",
            "The flooding in our town was worse than the article says.",
            "I disagree with the council's plan; the bridge is too costly.",
        ];
        for s in spam {
            m.learn(&t(s), true);
        }
        for h in ham {
            m.learn(&t(h), false);
        }
        assert!(m.corpus.ready(10));
        assert!(!m.corpus.ready(11));
        let spammy = m.score(&t("Earn cash from home today at http://cash.example"));
        let hammy = m.score(&t(
            "When does the council vote on the budget for the bridge?",
        ));
        assert!(spammy > 0.9, "spam scored {spammy}");
        assert!(hammy < 0.1, "ham scored {hammy}");
    }

    #[test]
    fn chi2_q_matches_known_values() {
        // P(chi2 with 2 dof >= x) = exp(-x/2)
        assert!((chi2_q(2.0, 2) - (-1.0f64).exp()).abs() < 1e-12);
        assert!((chi2_q(0.0, 10) - 1.0).abs() < 1e-12);
        assert!(chi2_q(200.0, 4) < 1e-40);
    }
}
