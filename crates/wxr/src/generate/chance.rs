//! What the generator leaves to chance, from a seed: a small xorshift
//! generator (no dependency needed), and how comments spread over posts.

use super::Status;

/// A small, fast, deterministic generator (xorshift64*).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15 | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// In `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// How many comments each post gets: the k-th published post (in a
/// shuffled order) draws with weight 1/k.
pub fn spread_comments(rng: &mut Rng, statuses: &[Status], comments: usize) -> Vec<usize> {
    let mut counts = vec![0; statuses.len()];
    let mut open: Vec<usize> = (0..statuses.len())
        .filter(|&i| statuses[i] == Status::Publish)
        .collect();
    if open.is_empty() {
        open = (0..statuses.len()).collect();
    }
    if open.is_empty() {
        return counts;
    }
    for i in (1..open.len()).rev() {
        let j = rng.below(i + 1);
        open.swap(i, j);
    }
    let mut cumulative = Vec::with_capacity(open.len());
    let mut total = 0.0;
    for rank in 0..open.len() {
        total += 1.0 / (rank + 1) as f64;
        cumulative.push(total);
    }
    for _ in 0..comments {
        let x = (rng.next() >> 11) as f64 / (1u64 << 53) as f64 * total;
        let rank = cumulative.partition_point(|&c| c < x).min(open.len() - 1);
        counts[open[rank]] += 1;
    }
    counts
}
