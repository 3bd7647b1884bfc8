//! Publishes scheduled articles when their time comes. Runs at start (so an
//! article whose time passed while bbn was down goes out at once) and then
//! every few seconds; several instances may run it together (see
//! `Store::publish_due`).

use bbn_store::Store;
use std::time::Duration;

pub const INTERVAL: Duration = Duration::from_secs(2);

pub fn spawn(store: Store) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(INTERVAL);
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
        }
    })
}
