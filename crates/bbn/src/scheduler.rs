//! Publishes scheduled articles when their time comes. Runs at start (so an
//! article whose time passed while bbn was down goes out at once) and then
//! every few seconds; several instances may run it together (see
//! `Store::publish_due`). Once an hour it also deletes for good what has
//! been in the newsroom's trash for 30 days.

use bbn_store::Store;
use std::time::Duration;

pub const INTERVAL: Duration = Duration::from_secs(2);
/// Ticks between two looks at the trash (an hour).
const TRASH_EVERY: u64 = 1_800;

pub fn spawn(store: Store) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(INTERVAL);
        let mut ticks: u64 = 0;
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match store.publish_due(bbn_core::time::now()).await {
                Ok(ids) if !ids.is_empty() => tracing::info!(?ids, "published scheduled articles"),
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "scheduled publishing failed; trying again shortly")
                }
            }
            if ticks.is_multiple_of(TRASH_EVERY) {
                let until = bbn_core::time::now() - bbn_store::TRASH_DAYS * 86_400;
                match store.empty_trash(until).await {
                    Ok(ids) if !ids.is_empty() => {
                        tracing::info!(?ids, "deleted articles 30 days in the trash")
                    }
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "emptying the trash failed; trying again later")
                    }
                }
            }
            ticks += 1;
        }
    })
}
