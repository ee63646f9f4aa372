//! [`Standin`] on a SQLite file in one call, as the `standin` library
//! offered before the store was a crate of its own: `Standin::open(host,
//! path)` with [`OpenSqlite`] in scope. The library knows only the
//! [`Store`](standin::Store) trait; this is the embedded default's
//! shortcut, not a second way in.

use super::SqliteStore;
use standin::{Host, SessionError, Standin};
use std::path::Path;
use std::sync::Arc;

/// Opens [`Standin`] on a SQLite file (`use standin_store_sqlite::OpenSqlite;`).
pub trait OpenSqlite: Sized {
    /// Sessions on the SQLite file at `path` (created when missing).
    fn open(host: Host, path: impl AsRef<Path>) -> Result<Self, SessionError>;

    /// Sessions on the existing SQLite file at `path`, read-only
    /// ([`SqliteStore::open_read_only`]): nothing is created or written;
    /// every call that would write fails with
    /// [`StoreError::ReadOnly`](standin::store::StoreError::ReadOnly). For a
    /// banner or a list on such a store, see [`Sessions::peek_status`](standin::sessions::Sessions::peek_status) and
    /// [`Sessions::peek_list`](standin::sessions::Sessions::peek_list).
    fn open_read_only(host: Host, path: impl AsRef<Path>) -> Result<Self, SessionError>;
}

impl OpenSqlite for Standin {
    fn open(host: Host, path: impl AsRef<Path>) -> Result<Self, SessionError> {
        Ok(Self::new(host, Arc::new(SqliteStore::open(path)?)))
    }

    fn open_read_only(host: Host, path: impl AsRef<Path>) -> Result<Self, SessionError> {
        Ok(Self::new(host, Arc::new(SqliteStore::open_read_only(path)?)))
    }
}
