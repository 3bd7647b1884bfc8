//! Slows down, then refuses, repeated failed sign-ins from one address or for
//! one account. In memory, per instance: an attacker spreading attempts over
//! several instances gets each instance's allowance.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures within this window count together.
const WINDOW: Duration = Duration::from_secs(15 * 60);
/// From this many failures on, each attempt waits a little longer.
const SLOW_AFTER: u32 = 3;
/// From this many failures on, attempts are refused until the window ends.
const REFUSE_AFTER: u32 = 10;

#[derive(Default)]
pub struct SignInLimiter {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

/// What to do with an attempt.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Go,
    /// Go, after waiting this long.
    Wait(Duration),
    Refuse,
}

impl SignInLimiter {
    pub fn check(&self, keys: &[&str]) -> Verdict {
        let Ok(mut map) = self.failures.lock() else {
            return Verdict::Go;
        };
        map.retain(|_, (_, first)| first.elapsed() < WINDOW);
        let worst = keys
            .iter()
            .filter_map(|k| map.get(*k))
            .map(|(n, _)| *n)
            .max()
            .unwrap_or(0);
        if worst >= REFUSE_AFTER {
            Verdict::Refuse
        } else if worst >= SLOW_AFTER {
            Verdict::Wait(Duration::from_millis(100 << (worst - SLOW_AFTER).min(3)))
        } else {
            Verdict::Go
        }
    }

    pub fn failed(&self, keys: &[&str]) {
        if let Ok(mut map) = self.failures.lock() {
            for k in keys {
                let entry = map.entry((*k).to_string()).or_insert((0, Instant::now()));
                entry.0 += 1;
            }
        }
    }

    pub fn succeeded(&self, key: &str) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slows_then_refuses() {
        let l = SignInLimiter::default();
        for _ in 0..SLOW_AFTER {
            assert_eq!(l.check(&["ip:1", "email:a"]), Verdict::Go);
            l.failed(&["ip:1", "email:a"]);
        }
        assert!(matches!(l.check(&["email:a"]), Verdict::Wait(_)));
        for _ in SLOW_AFTER..REFUSE_AFTER {
            l.failed(&["email:a"]);
        }
        assert_eq!(
            l.check(&["ip:2", "email:a"]),
            Verdict::Refuse,
            "the account is protected from any address"
        );
        assert!(
            matches!(l.check(&["ip:1", "email:b"]), Verdict::Wait(_)),
            "the address is slowed for any account"
        );
        l.succeeded("email:a");
        assert_eq!(l.check(&["ip:3", "email:a"]), Verdict::Go);
    }
}
