//! The one place images are decoded, resized, cropped and encoded. A
//! decoded picture takes its width × height × 4 bytes or more, so the work
//! runs on tokio's blocking pool (never on the threads that serve
//! requests) and at most `IMAGES_AT_ONCE` pictures are worked on at a time,
//! however many uploads and crop requests arrive together.

use super::MediaError;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Pictures decoded at once per instance for uploads and crops: with the
/// pixel limit, this bounds the memory images take (the background task
/// that makes WebP and AVIF copies decodes one more, `variants`).
pub const IMAGES_AT_ONCE: usize = 2;

/// A queue in front of the blocking pool; clones share it.
#[derive(Clone, Debug)]
pub struct ImageWork {
    permits: Arc<Semaphore>,
}

impl Default for ImageWork {
    fn default() -> Self {
        ImageWork::new(IMAGES_AT_ONCE)
    }
}

impl ImageWork {
    pub fn new(at_once: usize) -> ImageWork {
        ImageWork {
            permits: Arc::new(Semaphore::new(at_once.max(1))),
        }
    }

    /// Runs `job` on the blocking pool once a place is free.
    pub async fn run<T, F>(&self, job: F) -> Result<T, MediaError>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T, MediaError> + Send + 'static,
    {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| MediaError::Interrupted)?;
        // The place goes with the job, not with the request: a request that
        // is dropped (the client left, a timeout) cannot free it while its
        // picture is still being decoded.
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            job()
        })
        .await
        .map_err(|_| MediaError::Interrupted)?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    /// Polls `check` until it holds or `within` passes.
    async fn poll(within: Duration, check: impl Fn() -> bool) -> bool {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if check() {
                return true;
            }
            tokio::task::yield_now().await;
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        check()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_more_than_two_images_are_worked_on_at_once() {
        let work = ImageWork::default();
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let done = Arc::new(AtomicUsize::new(0));
        // Jobs stay inside until the test opens the gate (or give up after a while).
        let open = Arc::new(AtomicBool::new(false));
        let mut jobs = Vec::new();
        for _ in 0..6 {
            let (work, running, most, done, open) = (
                work.clone(),
                running.clone(),
                most.clone(),
                done.clone(),
                open.clone(),
            );
            jobs.push(tokio::spawn(async move {
                work.run(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    let deadline = Instant::now() + Duration::from_secs(10);
                    while !open.load(Ordering::SeqCst) && Instant::now() < deadline {
                        std::thread::sleep(Duration::from_millis(2));
                    }
                    running.fetch_sub(1, Ordering::SeqCst);
                    done.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                })
                .await
            }));
        }
        assert!(
            poll(Duration::from_secs(5), || running.load(Ordering::SeqCst)
                == 2)
            .await,
            "two jobs start"
        );
        // Unlimited, the other four would start within this time.
        assert!(
            !poll(Duration::from_millis(300), || running
                .load(Ordering::SeqCst)
                > 2)
            .await,
            "a third job started while two were running"
        );
        open.store(true, Ordering::SeqCst);
        for job in jobs {
            job.await.unwrap().unwrap();
        }
        assert_eq!(done.load(Ordering::SeqCst), 6);
        assert_eq!(most.load(Ordering::SeqCst), 2);
    }
}
