//! Connections: a small pool of idle clients (a client that failed is
//! dropped, not reused), and the read and write helpers every operation
//! runs through.

use crate::{PostgresStore, db};
use postgres::{Client, NoTls, Transaction};
use standin::store::StoreError;
use std::sync::PoisonError;

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
        if client.is_closed() {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < MAX_IDLE {
            idle.push(client);
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
        self.read(|client| {
            let mut tx = client.transaction().map_err(db)?;
            let r = f(&mut tx)?;
            tx.commit().map_err(db)?;
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
