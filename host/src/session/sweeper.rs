//! The background sweeper: a thread that records due sessions as expired,
//! so expiry does not wait for someone to touch the session.

use super::Sessions;
use chrono::Utc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

impl Sessions {
    /// Starts a thread that runs [`Self::sweep`] with the system clock every
    /// `every`; it stops when the returned [`Sweeper`] is dropped.
    pub fn spawn_sweeper(self: &Arc<Self>, every: Duration) -> Sweeper {
        let stop = Arc::new(AtomicBool::new(false));
        let sessions = Arc::downgrade(self);
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("standin-sweeper".to_string())
            .spawn(move || {
                let step = Duration::from_millis(50).min(every);
                let mut waited = Duration::ZERO;
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(step);
                    waited += step;
                    if waited < every {
                        continue;
                    }
                    waited = Duration::ZERO;
                    let Some(sessions) = sessions.upgrade() else { break };
                    // A failed sweep is retried next round; touching a session also expires it.
                    let _ = sessions.sweep(Utc::now());
                }
            })
            .ok();
        Sweeper { stop, thread }
    }
}

/// The background sweeper; dropping it stops the thread.
#[derive(Debug)]
pub struct Sweeper {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Sweeper {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
