//! Connections: a small pool of idle clients (a client that failed is
//! dropped, not reused), and the read and write helpers every operation
//! runs through.

use crate::native::prepared::{Prepared, Writer};
use crate::{PostgresStore, db};
use postgres::{Client, NoTls, Transaction};
use standin::store::StoreError;
use std::sync::{Mutex, PoisonError};

/// Idle connections kept for reuse.
const MAX_IDLE: usize = 16;

impl PostgresStore {
    pub(crate) fn open(&self) -> Result<Client, StoreError> {
        Client::connect(&self.url, NoTls).map_err(|source| StoreError::Open {
            path: redacted(&self.url),
            source: Box::new(source),
        })
    }

    fn take(&self) -> Result<Client, StoreError> {
        let idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
        match idle {
            Some(c) if !c.is_closed() => Ok(c),
            _ => self.open(),
        }
    }

    pub(crate) fn give_back(&self, client: Client) {
        if !client.is_closed() {
            park(&self.idle, client);
        }
    }

    /// Runs `f` on a pooled connection.
    pub(crate) fn read<R>(&self, f: impl FnOnce(&mut Client) -> Result<R, StoreError>) -> Result<R, StoreError> {
        let mut client = self.take()?;
        let result = f(&mut client);
        self.give_back(client);
        result
    }

    /// Runs `f` in one transaction and commits; rolls back on error.
    pub(crate) fn write<R>(
        &self,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        self.read(|client| in_transaction(client, f))
    }
}

/// Keeps `item` for reuse, unless `MAX_IDLE` are kept already.
fn park<T>(idle: &Mutex<Vec<T>>, item: T) {
    let mut idle = idle.lock().unwrap_or_else(PoisonError::into_inner);
    if idle.len() < MAX_IDLE {
        idle.push(item);
    }
}

/// Runs `f` in one transaction on `client` and commits; rolls back on error.
fn in_transaction<R>(
    client: &mut Client,
    f: impl FnOnce(&mut Transaction<'_>) -> Result<R, StoreError>,
) -> Result<R, StoreError> {
    let mut tx = client.transaction().map_err(db)?;
    let r = f(&mut tx)?;
    tx.commit().map_err(db)?;
    Ok(r)
}

impl PostgresStore {
    /// A connection for group commits (see `prepared`): where the store
    /// flushes after its commits, its commits do not wait for their flush.
    fn take_writer(&self) -> Result<Writer, StoreError> {
        let idle = self.writers.lock().unwrap_or_else(PoisonError::into_inner).pop();
        if let Some(w) = idle.filter(|w| !w.client.is_closed()) {
            return Ok(w);
        }
        let mut client = self.open()?;
        if self.late_flush {
            client.batch_execute("SET synchronous_commit TO off").map_err(db)?;
        }
        let prepared = crate::group::prepare(&mut client)?;
        Ok(Writer { client, prepared })
    }

    fn give_back_writer(&self, w: Writer) {
        if !w.client.is_closed() {
            park(&self.writers, w);
        }
    }

    /// Runs `f` in one transaction on a writer connection and commits it,
    /// without waiting for its WAL flush where the server can be asked for
    /// one later (see `native::durable`): the commit is durable only once
    /// [`Self::flush_and_give_back`] on the writer returned with `f`'s
    /// result has returned `Ok`.
    pub(crate) fn write_unflushed<R>(
        &self,
        f: impl FnOnce(&mut Transaction<'_>, &Prepared) -> Result<R, StoreError>,
    ) -> Result<(R, Writer), StoreError> {
        let mut w = self.take_writer()?;
        match in_transaction(&mut w.client, |tx| f(tx, &w.prepared)) {
            Ok(r) => Ok((r, w)),
            Err(e) => {
                self.give_back_writer(w);
                Err(e)
            }
        }
    }

    /// Makes what [`Self::write_unflushed`] committed on `w` durable. A
    /// writer whose flush failed is dropped, not reused.
    pub(crate) fn flush_and_give_back(&self, mut w: Writer) -> Result<(), StoreError> {
        if self.late_flush {
            crate::native::durable::flush(&mut w.client)?;
        }
        self.give_back_writer(w);
        Ok(())
    }

    /// Runs `f` on a pooled connection, then makes what it could have read
    /// durable (see `native::durable`).
    pub(crate) fn read_settled<R>(
        &self,
        f: impl FnOnce(&mut Client) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        self.read(|c| {
            let r = f(c)?;
            if self.can_flush {
                crate::native::durable::settle(c)?;
            }
            Ok(r)
        })
    }
}

/// `postgres://user:secret@host/db` without the secret.
pub(crate) fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{user}@{}", &url[..scheme + 3], &url[at + 1..])
        }
        _ => url.to_string(),
    }
}
