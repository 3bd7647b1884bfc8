//! Sends webhook deliveries, in the background of `bbn serve`, never on a
//! request's path. Every second (and soon after a write made here) it turns
//! new changes into deliveries (`Store::enqueue_webhook_events`), claims the
//! due ones and posts them, a few at a time, each attempt bounded by a
//! timeout, so a receiver that hangs, fails or hangs up delays nothing but
//! its own delivery. Failed attempts are retried with growing pauses for 24
//! hours. Several instances may run this on one database: the store makes
//! each batch and each attempt theirs alone. Deliveries reach public
//! addresses only, unless the operator allows private ones (`guard`).

pub(crate) mod guard;
pub(crate) mod send;

use bbn_store::{Attempt, DueDelivery, Store};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

use guard::Reach;
use send::Client;

/// Pauses after the 1st, 2nd, … failed attempt; the last one repeats.
const BACKOFF_SECONDS: [i64; 7] = [10, 30, 60, 5 * 60, 15 * 60, 30 * 60, 60 * 60];
/// How long after its event a delivery is given up.
pub const GIVE_UP_AFTER: Duration = Duration::from_secs(24 * 60 * 60);
/// How often the loop looks whether anything was written here.
const POLL: Duration = Duration::from_millis(200);
/// Finished deliveries older than this leave the log.
const KEEP_LOG_SECONDS: i64 = 30 * 24 * 60 * 60;

/// How the sender behaves.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The site's public address, for the article links in payloads.
    pub base_url: String,
    /// How long one attempt may take, connecting included.
    pub timeout: Duration,
    /// How often the change log and due deliveries are looked at at least.
    pub every: Duration,
    /// How many attempts are in flight at once.
    pub concurrency: usize,
    pub give_up_after: Duration,
    /// Whether receivers on loopback, private, link-local and other
    /// internal addresses are posted to (`--webhook-allow-private`).
    pub allow_private: bool,
}

impl Settings {
    pub fn new(base_url: &str, timeout: Duration) -> Settings {
        Settings {
            base_url: base_url.to_string(),
            timeout,
            every: Duration::from_secs(1),
            concurrency: 8,
            give_up_after: GIVE_UP_AFTER,
            allow_private: false,
        }
    }
}

/// When to try again after a failed attempt, or None to give up: the
/// pauses grow, and nothing is tried past the window after the event.
pub fn retry_at(attempts: i64, created_at: i64, now: i64, give_up_after: i64) -> Option<i64> {
    let deadline = created_at + give_up_after;
    if now >= deadline {
        return None;
    }
    let step = usize::try_from(attempts.max(1) - 1).unwrap_or(0);
    let pause = BACKOFF_SECONDS[step.min(BACKOFF_SECONDS.len() - 1)];
    Some((now + pause).min(deadline))
}

/// The running sender; `stop` ends it.
pub struct Sender {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Sender {
    /// Stops taking new work, lets attempts in flight finish for a moment,
    /// then abandons the rest (their leases run out and they are tried again).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

pub fn spawn(store: Store, settings: Settings) -> anyhow::Result<Sender> {
    let reach = if settings.allow_private {
        Reach::Anywhere
    } else {
        Reach::Public
    };
    let client = Client::new(settings.timeout, reach)?;
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(run(store, settings, client, stopped));
    Ok(Sender { stop, task })
}

async fn run(store: Store, settings: Settings, client: Client, mut stopped: watch::Receiver<bool>) {
    let slots = Arc::new(Semaphore::new(settings.concurrency.max(1)));
    let mut in_flight = JoinSet::new();
    let mut seen = None;
    let mut next_round = tokio::time::Instant::now();
    let mut next_prune = tokio::time::Instant::now();
    loop {
        while in_flight.try_join_next().is_some() {}
        let now = tokio::time::Instant::now();
        let generation = store.generation();
        if now >= next_round || seen != Some(generation) {
            seen = Some(generation);
            next_round = now + settings.every;
            round(&store, &settings, &client, &slots, &mut in_flight).await;
        }
        if now >= next_prune {
            next_prune = now + Duration::from_secs(3600);
            let before = store.now() - KEEP_LOG_SECONDS;
            if let Err(e) = store.prune_webhook_deliveries(before).await {
                tracing::warn!(error = %e, "could not prune the webhook delivery log");
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = stopped.changed() => break,
        }
    }
    let grace = settings.timeout.min(Duration::from_secs(5));
    let _ = tokio::time::timeout(grace, async {
        while in_flight.join_next().await.is_some() {}
    })
    .await;
    in_flight.abort_all();
}

/// One round: new changes into deliveries, then as many due deliveries as
/// there are free slots started.
async fn round(
    store: &Store,
    settings: &Settings,
    client: &Client,
    slots: &Arc<Semaphore>,
    in_flight: &mut JoinSet<()>,
) {
    for _ in 0..20 {
        match store.enqueue_webhook_events(&settings.base_url).await {
            Ok(e) if e.more => continue,
            Ok(e) => {
                if e.deliveries > 0 {
                    tracing::debug!(deliveries = e.deliveries, "webhook deliveries queued");
                }
                break;
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not queue webhook deliveries; trying again shortly");
                break;
            }
        }
    }
    let free = slots.available_permits();
    if free == 0 {
        return;
    }
    let now = store.now();
    // Past the lease a sender that died mid-attempt is given up on.
    let lease_until = now + settings.timeout.as_secs() as i64 + 30;
    let due = match store
        .claim_webhook_deliveries(now, lease_until, free as i64)
        .await
    {
        Ok(due) => due,
        Err(e) => {
            tracing::warn!(error = %e, "could not claim webhook deliveries; trying again shortly");
            return;
        }
    };
    for d in due {
        let Ok(permit) = slots.clone().acquire_owned().await else {
            return;
        };
        let (store, client) = (store.clone(), client.clone());
        let give_up_after = settings.give_up_after.as_secs() as i64;
        in_flight.spawn(async move {
            deliver(&store, &client, &d, give_up_after).await;
            drop(permit);
        });
    }
}

/// One attempt at one delivery, and its record.
async fn deliver(store: &Store, client: &Client, d: &DueDelivery, give_up_after: i64) {
    let outcome = client.post(d).await;
    let attempt = match outcome {
        Ok(status) if (200..300).contains(&status) => Attempt::Delivered { status },
        other => {
            let (status, error) = match other {
                Ok(status) => (Some(status), format!("the receiver answered HTTP {status}")),
                Err(error) => (None, error),
            };
            let retry_at = retry_at(d.attempts, d.created_at, store.now(), give_up_after);
            if retry_at.is_none() {
                tracing::warn!(delivery = d.id, webhook = d.webhook_id, %error, "webhook delivery given up");
            }
            Attempt::Failed {
                status,
                error,
                retry_at,
            }
        }
    };
    if let Err(e) = store.record_webhook_attempt(d.id, &attempt).await {
        // The lease runs out and the delivery is tried again.
        tracing::warn!(error = %e, delivery = d.id, "could not record a webhook attempt");
    }
}

#[cfg(test)]
mod tests;
