//! The one place images are decoded, resized, cropped and encoded. A
//! decoded picture takes its width × height × 4 bytes or more, so the work
//! runs on threads of its own at a low priority (never on the threads that
//! serve requests, never before them) and at most `IMAGES_AT_ONCE` pictures
//! are worked on at a time, however many uploads and crop requests arrive
//! together.

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
        on_own_thread(Priority::Low, move || {
            let _permit = permit;
            job()
        })
        .await
    }
}

/// How much of the CPU a picture's work may take from everything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    /// Uploads and crops, which someone waits for: the lowest normal
    /// priority (`SCHED_BATCH`, nice 19). With a core free they run at
    /// full speed; under a rush of readers, the readers come first.
    Low,
    /// Work nobody waits for (WebP and AVIF copies): only when no other
    /// thread wants the CPU (`SCHED_IDLE`).
    Idle,
}

/// Runs `job` on a thread of its own at `priority`, and waits for it. A
/// thread of its own, not one of tokio's blocking pool: a priority once
/// lowered cannot be raised again without privileges, and pooled threads
/// go on to other work.
pub async fn on_own_thread<T, F>(priority: Priority, job: F) -> Result<T, MediaError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, MediaError> + Send + 'static,
{
    use thread_priority::{
        NormalThreadSchedulePolicy, ThreadPriority, ThreadSchedulePolicy,
        set_thread_priority_and_policy, thread_native_id,
    };
    let (done, result) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name(match priority {
            Priority::Low => "bbn-images".into(),
            Priority::Idle => "bbn-image-copies".into(),
        })
        .spawn(move || {
            let policy = match priority {
                Priority::Low => NormalThreadSchedulePolicy::Batch,
                Priority::Idle => NormalThreadSchedulePolicy::Idle,
            };
            if let Err(e) = set_thread_priority_and_policy(
                thread_native_id(),
                ThreadPriority::Min,
                ThreadSchedulePolicy::Normal(policy),
            ) {
                tracing::debug!(error = ?e, "picture work runs at normal priority");
            }
            let _ = done.send(job());
        })?;
    result.await.map_err(|_| MediaError::Interrupted)?
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
