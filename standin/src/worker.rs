//! A background thread owned by a handle: the shape of every thread the
//! library starts (the audit writer, the log syncer, the checkpointer, the
//! sweeper). The thread and its owner share one value; dropping the handle
//! asks the thread to stop through that value ([`Stop::stop`]) and waits
//! for it, so no thread outlives what it works for and none is left
//! holding a database connection after its store is gone.

use std::sync::Arc;
use std::thread::JoinHandle;

/// How an owner asks its thread to finish: set the flag the thread checks
/// and wake it wherever it sleeps. The thread decides what it still does
/// before it returns (the syncer, for one, answers what is pending).
pub trait Stop: Send + Sync + 'static {
    fn stop(&self);
}

/// A named thread running over a shared `S`; dropping it stops and joins
/// the thread.
#[derive(Debug)]
pub struct Worker<S: Stop> {
    shared: Arc<S>,
    thread: Option<JoinHandle<()>>,
}

impl<S: Stop> Worker<S> {
    /// Starts thread `name` running `run` over `shared`.
    pub fn spawn(name: &str, shared: S, run: impl FnOnce(&S) + Send + 'static) -> std::io::Result<Self> {
        let shared = Arc::new(shared);
        let theirs = shared.clone();
        let thread = std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || run(&theirs))?;
        Ok(Self {
            shared,
            thread: Some(thread),
        })
    }

    /// What the owner and the thread share.
    pub fn shared(&self) -> &S {
        &self.shared
    }
}

impl<S: Stop> Drop for Worker<S> {
    fn drop(&mut self) {
        self.shared.stop();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
