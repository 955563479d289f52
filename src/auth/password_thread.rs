//! Password work (argon2id hashes and checks) runs on one thread of its own, one at a time.
//!
//! argon2 takes 19 MiB for each hash or check. The allocator keeps memory a thread freed for
//! that thread to use again, so spread over tokio's blocking threads every thread that ever
//! checked a password kept its 19 MiB: the demo's three accounts and the decoy left an idle
//! server at 132 MB resident. On one thread the same 19 MiB serves every check, and a flood of
//! sign-ins queues (at about 30 checks a second) instead of taking memory and every core.

use std::{
    panic::AssertUnwindSafe,
    sync::{LazyLock, mpsc},
};

/// A piece of password work, with where its result goes.
type Job = Box<dyn FnOnce() + Send>;

/// The thread's queue; `None` when the thread could not be started.
static QUEUE: LazyLock<Option<mpsc::Sender<Job>>> = LazyLock::new(|| {
    let (queue, jobs) = mpsc::channel::<Job>();
    std::thread::Builder::new()
        .name("intake-passwords".into())
        .spawn(move || {
            for job in jobs {
                // A panic loses that job's answer (its caller gets `PasswordThreadStopped`),
                // not the thread.
                drop(std::panic::catch_unwind(AssertUnwindSafe(job)));
            }
        })
        .ok()
        .map(|_| queue)
});

/// The password thread could not take or finish the work.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the password thread stopped")]
pub struct PasswordThreadStopped;

/// Runs `work` on the password thread and waits for it without holding up an async worker.
pub async fn on_password_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, PasswordThreadStopped> {
    let (answer, answered) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || drop(answer.send(work())));
    QUEUE
        .as_ref()
        .ok_or(PasswordThreadStopped)?
        .send(job)
        .map_err(|_| PasswordThreadStopped)?;
    answered.await.map_err(|_| PasswordThreadStopped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn work_runs_on_one_named_thread_and_a_panic_loses_only_its_own_answer() {
        let name = || std::thread::current().name().map(str::to_owned);
        let first = on_password_thread(name).await.unwrap();
        assert_eq!(first.as_deref(), Some("intake-passwords"));
        let first_id = on_password_thread(|| std::thread::current().id()).await;
        let lost = on_password_thread(|| -> u8 { panic!("a bad hash") }).await;
        assert!(lost.is_err());
        let after = on_password_thread(|| std::thread::current().id()).await;
        assert_eq!(after.unwrap(), first_id.unwrap(), "the same thread goes on");
    }
}
