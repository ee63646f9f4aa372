//! When a group commit is durable: after its WAL is flushed, which no
//! longer happens under the tenant's chain-head lock.
//!
//! **Why.** A commit that holds a tenant's chain head keeps every other
//! append of that tenant, in every replica, waiting until the commit
//! returns; with `synchronous_commit` on, that is after the WAL flush (an
//! `fdatasync`, about 1 ms on this machine's disk), so a tenant's chain moved
//! at most once a flush. A group commit of actions' rows therefore commits
//! with `synchronous_commit` off, which releases the head as soon as the
//! commit record is in the WAL buffers, and only then waits for its
//! durability on the same connection: a one-round-trip transaction that
//! writes a WAL record (a transactional `pg_logical_emit_message`, which
//! any role may call and decoders ignore) and commits synchronously. WAL is
//! flushed in order, so that flush covers the group's commit, and PostgreSQL
//! flushes concurrent commits together: flushes of several groups overlap
//! instead of queueing behind the head. Nothing is answered before the flush
//! returns; a flush that fails answers every call of the group with an
//! error, as a failed commit does (the rows may be there: a denial that was
//! recorded as an allow, never the reverse).
//!
//! **What a reader could see.** A row committed this way is visible to
//! other transactions before it is durable. Anything later in the WAL (a
//! session's end, the next group, a checkpoint) is lost with it in a crash,
//! so the chain never has a hole; but a reader that passes a row on (a
//! webhook, an SSF event, a page of the audit API) could pass on a row a
//! crash then takes back. So every read of audit rows (`audit`, `trail`)
//! [`settle`]s before it returns them: when the WAL is not flushed as far
//! as it is written, it flushes, so what it read is durable.
//!
//! With [`Flush::InCommit`], or where the role may not call
//! `pg_logical_emit_message` (a server that revoked it: [`probe`] says so
//! at connect), group commits wait for their own flush, as every other
//! commit does.
//!
//! [`Flush::InCommit`]: crate::Flush::InCommit

use crate::db;
use postgres::Client;
use standin::store::StoreError;

/// One transaction that writes a WAL record and commits as the server's
/// `synchronous_commit` says (`on` by default; a writer connection's own
/// is `off`): when it returns, the WAL is flushed past every commit made
/// before it began. One round trip.
const FLUSH: &str = "BEGIN; SET LOCAL synchronous_commit TO DEFAULT; \
     SELECT pg_logical_emit_message(true, 'standin.flush', ''); COMMIT";

/// [`FLUSH`] only when some WAL is written but not flushed.
const SETTLE: &str = "SELECT CASE WHEN pg_current_wal_flush_lsn() < pg_current_wal_insert_lsn() \
     THEN pg_logical_emit_message(true, 'standin.flush', '') END";

/// Makes the commits `c` returned from so far durable (see the module
/// docs). After an error `c` may be inside a failed transaction: drop it.
pub(crate) fn flush(c: &mut Client) -> Result<(), StoreError> {
    c.batch_execute(FLUSH).map_err(db)
}

/// Whether the role can flush on demand: group commits then release the
/// chain head before their flush (their writer connections commit with
/// `synchronous_commit` off).
pub(crate) fn probe(c: &mut Client) -> bool {
    let flushed = flush(c).is_ok();
    if !flushed {
        let _ = c.batch_execute("ROLLBACK");
    }
    flushed
}

/// Makes every commit a read that just ended could have seen durable.
pub(crate) fn settle(c: &mut Client) -> Result<(), StoreError> {
    c.batch_execute(SETTLE).map_err(db)
}
