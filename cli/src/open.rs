//! The one composition root: which store, which keys, which clock. Every
//! command that opens the database, `serve` among them, comes through
//! [`open`]; nothing else names a backend crate but `migrate`, whose job
//! is to move one into the other, and the `standin-stress` aid (the
//! server takes an opened [`Standin`], the library knows only the `Store`
//! trait), so adding a backend or a key is one change here.

use anyhow::{Context as _, Result};
use standin::{Host, HostKey, Standin};
use standin_store_postgres::{Flush, PostgresStore};
use standin_store_sqlite::OpenSqlite as _;
use std::path::PathBuf;
use std::sync::Arc;

/// Whether a command opens the database read-only or read-write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Only reads: opened read-only, a missing file is an error (nothing is created).
    Read,
    /// Writes: opened read-write, created when missing.
    Write,
}

/// What the global options say about the database and the keys.
#[derive(Debug, Clone)]
pub struct Db {
    /// The SQLite file (`--db`), used when there is no `url`.
    pub path: PathBuf,
    /// A PostgreSQL database (`--database-url`).
    pub url: Option<String>,
    /// When its group commits flush (`--database-flush`; default `after-commit`).
    pub flush: Option<String>,
    pub builtin_fallback: bool,
    pub host_key: Option<PathBuf>,
    pub token_keys: Vec<PathBuf>,
    /// `--now` was given: the caller dates changes (a test clock).
    pub test_clock: bool,
}

/// `--database-flush`, parsed.
fn flush(db: &Db) -> Result<Flush> {
    match &db.flush {
        Some(when) => when
            .parse()
            .map_err(|e: String| anyhow::anyhow!("--database-flush {e}")),
        None => Ok(Flush::default()),
    }
}

/// [`Standin`] on the database `db` names, opened as `access` says, with
/// its keys and clock.
pub fn open(db: &Db, access: Access) -> Result<Standin> {
    let host = Host::new()?;
    let path = &db.path;
    let opened = match (&db.url, access) {
        (Some(url), _) => flush(db)
            .and_then(|flush| Ok(PostgresStore::connect_with(url, flush)?))
            .map(|store| Standin::new(host, Arc::new(store)))
            .context("cannot open the PostgreSQL database of `--database-url`"),
        (None, Access::Read) => Standin::open_read_only(host, path)
            .with_context(|| format!("cannot open the session database `{}`", path.display())),
        (None, Access::Write) => {
            Standin::open(host, path).with_context(|| format!("cannot open the session database `{}`", path.display()))
        }
    };
    // With `--now` the caller chooses the time; otherwise a change dated
    // far past the real clock is refused (see `standin::store::Integrity`).
    let mut standin = opened?
        .with_builtin_fallback(db.builtin_fallback)
        .with_test_clock(db.test_clock);
    // Without a key file (no flag, no home folder) compiled policies are
    // not cached: slower, never less safe. A command that only reads
    // creates no key either (it could not store an artifact anyway): it
    // uses the key when there is one.
    if let Some(key) = db.host_key.clone().or_else(standin::default_host_key_path)
        && (access == Access::Write || key.exists())
    {
        standin = standin.with_host_key(HostKey::load_or_create(&key)?);
    }
    if let Some(keys) = standin::access::TokenKeys::read(&db.token_keys)? {
        standin = standin.with_token_keys(keys);
    }
    Ok(standin)
}
