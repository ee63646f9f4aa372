//! The statements of a group commit, prepared once per writer connection.
//!
//! **Why.** A group commit runs the same three statements every time (its
//! sessions `FOR SHARE`, its tenant's head `FOR UPDATE`, its rows with the
//! head moved); sent typed but unprepared, PostgreSQL parsed, analysed and
//! planned each on every commit: about 30 % of the server's CPU under
//! single calls from 64 callers (`perf`, BENCHMARKS.md). Prepared on a
//! connection kept for group commits, they are bound and run, nothing
//! more. PostgreSQL analyses a prepared statement again when a table it
//! reads changes, so a database writer who renames a table gets the same
//! errors as before.

use postgres::{Client, Statement};

/// One writer connection's prepared statements (cheap to clone), made by
/// `crate::group::prepare`.
#[derive(Clone)]
pub(crate) struct Prepared {
    /// `crate::sessions::share`'s: `$1` session ids.
    pub(crate) share: Statement,
    /// `crate::audit`'s head lock: `$1` tenants.
    pub(crate) lock: Statement,
    /// `crate::audit`'s rows with the head moved (see `INSERT_MOVING`).
    pub(crate) insert_moving: Statement,
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared").finish_non_exhaustive()
    }
}

/// A connection kept for group commits: its statements prepared, and its
/// commits made without waiting for their flush where the store flushes
/// after them (see `durable`).
pub(crate) struct Writer {
    pub(crate) client: Client,
    pub(crate) prepared: Prepared,
}
