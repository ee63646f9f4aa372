//! One sweeper among replicas: the one whose connection holds a
//! session-level advisory lock. The lock lives as long as that connection:
//! when its process dies the server drops it, and the next replica to ask
//! takes it.

use crate::{PostgresStore, db};
use standin::store::StoreError;
use std::sync::PoisonError;

/// The advisory lock the sweeping replica holds (any fixed number).
const SWEEPER_LOCK: i64 = 0x5354_414e_4449_4e02;

impl PostgresStore {
    /// Whether this store's process leads the sweeps (taking the lead when free).
    pub(crate) fn try_lead(&self) -> Result<bool, StoreError> {
        let mut held = self.sweeper.lock().unwrap_or_else(PoisonError::into_inner);
        let (mut client, leads) = match held.take() {
            Some((c, leads)) if !c.is_closed() => (c, leads),
            _ => (self.open()?, false),
        };
        // While it leads, the connection only has to be alive (asking
        // again would stack the lock); otherwise it tries to take it.
        let leads = if leads {
            client.simple_query("SELECT 1").map_err(db)?;
            true
        } else {
            client
                .query_one("SELECT pg_try_advisory_lock($1)", &[&SWEEPER_LOCK])
                .map_err(db)?
                .get::<_, bool>(0)
        };
        *held = Some((client, leads));
        Ok(leads)
    }
}
