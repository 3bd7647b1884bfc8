//! Rate limits of the API: a token bucket per staff token, and one per
//! client address for calls without a token. Each instance counts its own
//! requests (several instances each allow the rate).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// Buckets kept before the full (idle) ones are dropped.
const MAX_BUCKETS: usize = 100_000;

#[derive(Default)]
pub struct RateLimits {
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

/// What a request may know of its limit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// Allowed; this many requests are left right now.
    Allowed { remaining: u32 },
    /// Refused; the next request is allowed after this many seconds.
    Refused { retry_after: u64 },
}

impl RateLimits {
    /// Takes one request from `key`'s bucket of `per_minute` (which refills
    /// continuously and holds at most a minute's worth).
    pub fn take(&self, key: &str, per_minute: u32) -> Verdict {
        self.take_at(key, per_minute, Instant::now())
    }

    fn take_at(&self, key: &str, per_minute: u32, now: Instant) -> Verdict {
        let capacity = f64::from(per_minute.max(1));
        let per_second = capacity / 60.0;
        let Ok(mut buckets) = self.buckets.lock() else {
            return Verdict::Allowed { remaining: 0 };
        };
        if buckets.len() >= MAX_BUCKETS && !buckets.contains_key(key) {
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * per_second < capacity
            });
        }
        let (tokens, at) = buckets.entry(key.to_string()).or_insert((capacity, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * per_second).min(capacity);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Verdict::Allowed {
                remaining: *tokens as u32,
            }
        } else {
            Verdict::Refused {
                retry_after: ((1.0 - *tokens) / per_second).ceil().max(1.0) as u64,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_bucket_empties_refills_and_is_per_key() {
        let limits = RateLimits::default();
        let t0 = Instant::now();
        for i in 0..60 {
            assert_eq!(
                limits.take_at("a", 60, t0),
                Verdict::Allowed { remaining: 59 - i }
            );
        }
        assert_eq!(
            limits.take_at("a", 60, t0),
            Verdict::Refused { retry_after: 1 }
        );
        assert!(matches!(
            limits.take_at("b", 60, t0),
            Verdict::Allowed { .. }
        ));
        assert!(matches!(
            limits.take_at("a", 60, t0 + Duration::from_secs(1)),
            Verdict::Allowed { remaining: 0 }
        ));
    }
}
