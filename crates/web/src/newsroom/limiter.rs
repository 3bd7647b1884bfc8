//! Guards sign-in against guessing without letting anyone lock staff out.
//!
//! Attempts are counted when they begin, before the password is hashed, in
//! one step under a lock: a burst of parallel guesses gets no more hashes
//! than the limit. Three counts, over a window:
//! - an address trying one account: refused past `PAIR_LIMIT`;
//! - an address trying any accounts: refused past `ADDRESS_LIMIT` (higher:
//!   an office or a phone network shares an address);
//! - an account tried from anywhere: slowed down, never refused, so wrong
//!   passwords sent from elsewhere cannot keep its owner out.
//!
//! In memory, per instance: an attacker spreading attempts over several
//! instances gets each instance's allowance.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Attempts within this window count together.
const WINDOW: Duration = Duration::from_secs(15 * 60);
/// From this many failed attempts on an account, each attempt waits a little longer.
const SLOW_AFTER: u32 = 3;
/// Attempts one address may make at one account in a window.
const PAIR_LIMIT: u32 = 10;
/// Attempts one address may make at all accounts in a window.
const ADDRESS_LIMIT: u32 = 30;
/// Entries kept at most; past it, new addresses and accounts are slowed
/// instead of remembered, so a flood of made-up names cannot grow memory.
const MAX_ENTRIES: usize = 100_000;

#[derive(Default)]
pub struct SignInLimiter {
    counts: Mutex<HashMap<String, (u32, Instant)>>,
}

/// What to do with an attempt.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Go,
    /// Go, after waiting this long.
    Wait(Duration),
    Refuse,
}

fn pair_key(address: &str, account: &str) -> String {
    format!("pair:{address}\u{0}{account}")
}

impl SignInLimiter {
    /// Counts an attempt by `address` at `account` (an email, folded) as it
    /// begins, and says whether it may go on.
    pub fn attempt(&self, address: &str, account: &str) -> Verdict {
        let Ok(mut map) = self.counts.lock() else {
            return Verdict::Refuse;
        };
        let keys = [
            pair_key(address, account),
            format!("address:{address}"),
            format!("account:{account}"),
        ];
        let count = |map: &HashMap<String, (u32, Instant)>, k: &str| {
            map.get(k)
                .filter(|(_, first)| first.elapsed() < WINDOW)
                .map_or(0, |(n, _)| *n)
        };
        let (pair, by_address, account_n) = (
            count(&map, &keys[0]),
            count(&map, &keys[1]),
            count(&map, &keys[2]),
        );
        if pair >= PAIR_LIMIT || by_address >= ADDRESS_LIMIT {
            return Verdict::Refuse;
        }
        if map.len() >= MAX_ENTRIES {
            map.retain(|_, (_, first)| first.elapsed() < WINDOW);
        }
        let full = map.len() >= MAX_ENTRIES;
        for k in keys {
            match map.get_mut(&k) {
                Some(entry) if entry.1.elapsed() < WINDOW => entry.0 += 1,
                Some(entry) => *entry = (1, Instant::now()),
                None if !full => {
                    map.insert(k, (1, Instant::now()));
                }
                None => {}
            }
        }
        let worst = pair.max(account_n);
        if full {
            Verdict::Wait(Duration::from_secs(1))
        } else if worst >= SLOW_AFTER {
            Verdict::Wait(Duration::from_millis(100 << (worst - SLOW_AFTER).min(3)))
        } else {
            Verdict::Go
        }
    }

    /// The right password: the account and this address's tries at it start afresh.
    pub fn succeeded(&self, address: &str, account: &str) {
        if let Ok(mut map) = self.counts.lock() {
            map.remove(&pair_key(address, account));
            map.remove(&format!("account:{account}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_refused_after_its_tries_at_an_account() {
        let l = SignInLimiter::default();
        for _ in 0..PAIR_LIMIT {
            assert_ne!(l.attempt("1.1.1.1", "ed@x"), Verdict::Refuse);
        }
        assert_eq!(l.attempt("1.1.1.1", "ed@x"), Verdict::Refuse);
    }

    #[test]
    fn wrong_passwords_from_one_address_never_lock_the_owner_out() {
        let l = SignInLimiter::default();
        for _ in 0..50 {
            l.attempt("6.6.6.6", "ed@x");
        }
        assert_eq!(l.attempt("6.6.6.6", "ed@x"), Verdict::Refuse);
        // The owner, from an address that has not failed: slowed, not refused.
        assert!(matches!(l.attempt("2.2.2.2", "ed@x"), Verdict::Wait(_)));
        l.succeeded("2.2.2.2", "ed@x");
        assert_eq!(l.attempt("2.2.2.2", "ed@x"), Verdict::Go);
    }

    #[test]
    fn an_address_trying_many_accounts_is_refused() {
        let l = SignInLimiter::default();
        for i in 0..ADDRESS_LIMIT {
            assert_ne!(l.attempt("3.3.3.3", &format!("u{i}@x")), Verdict::Refuse);
        }
        assert_eq!(l.attempt("3.3.3.3", "new@x"), Verdict::Refuse);
        assert_eq!(l.attempt("4.4.4.4", "new@x"), Verdict::Go);
    }

    #[test]
    fn parallel_attempts_get_no_more_than_the_limit() {
        let l = std::sync::Arc::new(SignInLimiter::default());
        let threads: Vec<_> = (0..200)
            .map(|_| {
                let l = l.clone();
                std::thread::spawn(move || l.attempt("5.5.5.5", "ed@x") != Verdict::Refuse)
            })
            .collect();
        let allowed = threads
            .into_iter()
            .map(|t| t.join().unwrap_or(false))
            .filter(|ok| *ok)
            .count();
        assert_eq!(allowed, PAIR_LIMIT as usize);
    }
}
