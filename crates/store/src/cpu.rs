//! CPU-bound work (rendering and sanitizing bodies, hashing passwords) runs
//! on tokio's blocking pool, a bounded number of each kind at once, never
//! on the request workers: two costly requests must not stall every other
//! page, `/healthz` included. The store is where writes render bodies, and
//! the layers above share the same limits through it.

use std::sync::OnceLock;
use tokio::sync::Semaphore;

/// Kinds of CPU work, each with its own limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// Markdown rendering and HTML sanitizing: one per two cores, at least
    /// one. The worst body within the limits parses into a tree of up to a
    /// few hundred MB for a second or so; half the cores leaves the rest
    /// for readers' pages.
    Markup,
    /// Argon2 (sign-in, new passwords): about 20 ms and 19 MiB each; two at once.
    Password,
}

fn slots(work: Work) -> &'static Semaphore {
    static MARKUP: OnceLock<Semaphore> = OnceLock::new();
    static PASSWORD: OnceLock<Semaphore> = OnceLock::new();
    match work {
        Work::Markup => MARKUP.get_or_init(|| {
            Semaphore::new(std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1)))
        }),
        Work::Password => PASSWORD.get_or_init(|| Semaphore::new(2)),
    }
}

/// Runs `job` on the blocking pool once a slot of its kind is free; the
/// caller waits without holding a worker. A panic in `job` is the caller's.
pub async fn run<T: Send + 'static>(work: Work, job: impl FnOnce() -> T + Send + 'static) -> T {
    // The semaphores are never closed, so a permit always comes; it moves
    // into the job, so a caller that gives up frees no slot early.
    let permit = slots(work).acquire().await.ok();
    let done = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        job()
    })
    .await;
    match done {
        Ok(made) => made,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}
