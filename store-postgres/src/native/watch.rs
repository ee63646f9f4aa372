//! News of session changes from other replicas: every change to a session
//! row (end, revoke, extension, expiry) sends `NOTIFY standin_sessions` with
//! the session's id in its transaction, delivered when it commits; a
//! listener thread per store hands the ids to the host, which drops them
//! from its cache of active sessions. The news is a hint, not the rule: an
//! action is still refused by the commit check in a session ended a moment
//! before its news arrived.

use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, NoTls};
use standin::store::{SessionWatcher, StoreError};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The channel of session changes.
pub(crate) const CHANNEL: &str = "standin_sessions";

/// How often the listener checks that its store is still open.
const TICK: Duration = Duration::from_millis(500);

/// Listens on a connection of its own (listening when this returns, so no
/// change committed after it is missed) until `stop`; after a lost
/// connection it reconnects and tells `f` to forget everything (news may
/// have been missed meanwhile).
pub(crate) fn spawn(url: String, f: SessionWatcher, stop: Arc<AtomicBool>) -> Result<(), StoreError> {
    let first = listen(&url).map_err(|source| StoreError::Open {
        path: crate::native::pool::redacted(&url),
        source: Box::new(source),
    })?;
    std::thread::Builder::new()
        .name("standin-pg-watch".to_string())
        .spawn(move || {
            let mut client = Some(first);
            while !stop.load(Ordering::Relaxed) {
                let Some(mut c) = client.take() else {
                    match listen(&url) {
                        Ok(c) => {
                            f(None);
                            client = Some(c);
                        }
                        Err(_) => std::thread::sleep(Duration::from_secs(1)),
                    }
                    continue;
                };
                while !stop.load(Ordering::Relaxed) && !c.is_closed() {
                    let mut news = c.notifications();
                    let mut items = news.timeout_iter(TICK);
                    while let Ok(Some(n)) = items.next() {
                        f(Some(n.payload()));
                    }
                }
            }
        })
        .map(drop)
        .map_err(|e| StoreError::Writer(format!("cannot start the session listener: {e}")))
}

fn listen(url: &str) -> Result<Client, postgres::Error> {
    let mut client = Client::connect(url, NoTls)?;
    client.batch_execute(&format!("LISTEN {CHANNEL}"))?;
    Ok(client)
}
