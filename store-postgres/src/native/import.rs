//! `standin migrate --from sqlite:PATH --to postgres://...`: a SQLite
//! database copied into an empty PostgreSQL one, rows as stored.
//!
//! The two schemas are the same by design (times as Unix seconds, lists
//! and principals as JSON text), so a table is copied column for column
//! and nothing is re-sealed: every audit row keeps its `seq`, `prev_hash`,
//! `hash` and chain format, and the chain verifies on the target exactly
//! as it did on the source. The copy reads one SQLite snapshot and writes
//! one PostgreSQL transaction (`COPY ... BINARY` per table): either all of
//! it lands or none does. The chain heads and the id sequences are set
//! from what was copied. Compiled artifacts are not copied: each replica
//! compiles (and, with a host key, stores) its own.

use crate::{PostgresStore, db};
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};
use rusqlite::OpenFlags;
use standin::store::StoreError;
use standin_store_sqlite::SqliteStore;
use std::path::Path;

/// How a column is read from SQLite and written to PostgreSQL.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Text,
    Bytes,
    /// `BIGINT`: times, sequence numbers, ids.
    Big,
    /// `INTEGER`: versions, depths, formats.
    Int,
    Bool,
}

use Kind::{Big, Bool, Bytes, Int, Text};

/// Tables in an order their references allow, with the columns copied.
const TABLES: &[(&str, &[(&str, Kind)])] = &[
    ("components", &[("digest", Text), ("bytes", Bytes), ("created_at", Big)]),
    (
        "policies",
        &[
            ("tenant", Text),
            ("version", Int),
            ("digest", Text),
            ("settings", Text),
            ("created_at", Big),
            ("active", Bool),
            ("uploaded_by", Text),
            ("note", Text),
            ("describe", Text),
            ("activated_at", Big),
            ("tag", Text),
            ("active_tag", Text),
        ],
    ),
    (
        "activations",
        &[
            ("id", Big),
            ("tenant", Text),
            ("version", Int),
            ("at", Big),
            ("by", Text),
            ("kind", Text),
            ("undone", Bool),
        ],
    ),
    (
        "sessions",
        &[
            ("id", Text),
            ("tenant", Text),
            ("actor", Text),
            ("target", Text),
            ("actor_principal", Text),
            ("target_principal", Text),
            ("reason", Text),
            ("domain", Text),
            ("read_only", Bool),
            ("started_at", Big),
            ("expires_at", Big),
            ("max_expires_at", Big),
            ("state", Text),
            ("ended_at", Big),
            ("end_reason", Text),
            ("return_to", Text),
            ("policy_version", Int),
            ("policy_digest", Text),
            ("notify_target", Bool),
            ("obligations", Text),
            ("revoke_reason", Text),
            ("parent", Text),
            ("depth", Int),
            ("approval", Text),
            ("tag", Text),
        ],
    ),
    ("audit_facts", &[("digest", Text), ("body", Text)]),
    (
        "audit",
        &[
            ("tenant", Text),
            ("seq", Big),
            ("at", Big),
            ("event", Text),
            ("session", Text),
            ("actor", Text),
            ("target", Text),
            ("action", Text),
            ("resource", Text),
            ("reason", Text),
            ("codes", Text),
            ("end_reason", Text),
            ("policy_version", Int),
            ("policy_digest", Text),
            ("expires_at", Big),
            ("obligations", Text),
            ("note", Text),
            ("request", Text),
            ("prev_hash", Text),
            ("hash", Text),
            ("chain", Int),
            ("facts", Text),
        ],
    ),
    (
        "outbox",
        &[
            ("id", Big),
            ("tenant", Text),
            ("recipient", Text),
            ("kind", Text),
            ("session", Text),
            ("text", Text),
            ("created_at", Big),
            ("acked_at", Big),
            ("claimed_until", Big),
        ],
    ),
    (
        "notifications",
        &[
            ("tenant", Text),
            ("enabled", Bool),
            ("started_template", Text),
            ("ended_template", Text),
            ("tag", Text),
        ],
    ),
    ("return_origins", &[("tenant", Text), ("origin", Text), ("tag", Text)]),
    (
        "api_keys",
        &[
            ("id", Text),
            ("tenant", Text),
            ("scope", Text),
            ("name", Text),
            ("hash", Text),
            ("created_at", Big),
            ("revoked_at", Big),
            ("tag", Text),
        ],
    ),
];

/// Why a migration did not happen (and nothing was written).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    #[error("cannot read the SQLite database `{path}`: {source}")]
    Source { path: String, source: rusqlite::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The target already holds data: a copy would mix two trails.
    #[error("the target database is not empty (it has {0}); migrate into a new database")]
    NotEmpty(String),
}

/// Rows copied, per table, in copy order.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Imported {
    pub tables: Vec<(String, u64)>,
}

/// Copies the SQLite database at `source` (migrated to this build's schema
/// first) into `target`, which must hold no data. `progress` is told
/// `(table, rows copied, rows in table)` as the copy goes.
pub fn import_sqlite(
    source: &Path,
    target: &PostgresStore,
    progress: &mut dyn FnMut(&str, u64, u64),
) -> Result<Imported, ImportError> {
    let path = source.display().to_string();
    let failed = |source| ImportError::Source {
        path: path.clone(),
        source,
    };
    drop(SqliteStore::open(source)?);
    let mut from = rusqlite::Connection::open_with_flags(source, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(failed)?;
    // One snapshot of the source for the whole copy.
    let snapshot = from.transaction().map_err(failed)?;
    target.read(|client| {
        let mut tx = client.transaction().map_err(db)?;
        // Nothing else writes the target while it is filled.
        tx.batch_execute(
            "LOCK TABLE policies, sessions, audit, outbox, api_keys, chain_heads, notifications, return_origins \
             IN EXCLUSIVE MODE",
        )
        .map_err(db)?;
        // Every table the copy writes must be empty: rows already there
        // would merge with the source's (notifications turned off, an
        // origin allowed that the source never allowed).
        for table in [
            "policies",
            "sessions",
            "audit",
            "outbox",
            "api_keys",
            "notifications",
            "return_origins",
            "activations",
            "chain_heads",
        ] {
            let found: bool = tx
                .query_one(&format!("SELECT EXISTS (SELECT 1 FROM {table})"), &[])
                .map_err(db)?
                .get(0);
            if found {
                return Ok(Err(ImportError::NotEmpty(format!("rows in `{table}`"))));
            }
        }
        let mut imported = Imported::default();
        for (table, columns) in TABLES {
            match copy(&snapshot, &mut tx, table, columns, progress) {
                Ok(n) => imported.tables.push(((*table).to_string(), n)),
                Err(Copy::Source(e)) => return Ok(Err(failed(e))),
                Err(Copy::Target(e)) => return Err(e),
            }
        }
        tx.batch_execute(
            "INSERT INTO chain_heads (tenant, seq, hash, at) \
             SELECT DISTINCT ON (tenant) tenant, seq, hash, at FROM audit ORDER BY tenant, seq DESC;
             SELECT setval(pg_get_serial_sequence('outbox', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM outbox;
             SELECT setval(pg_get_serial_sequence('activations', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) \
             FROM activations;",
        )
        .map_err(db)?;
        tx.commit().map_err(db)?;
        Ok(Ok(imported))
    })?
}

enum Copy {
    Source(rusqlite::Error),
    Target(StoreError),
}

impl From<rusqlite::Error> for Copy {
    fn from(e: rusqlite::Error) -> Self {
        Self::Source(e)
    }
}

impl From<postgres::Error> for Copy {
    fn from(e: postgres::Error) -> Self {
        Self::Target(db(e))
    }
}

/// Copies one table; returns the rows copied.
fn copy(
    from: &rusqlite::Connection,
    to: &mut postgres::Transaction<'_>,
    table: &str,
    columns: &[(&str, Kind)],
    progress: &mut dyn FnMut(&str, u64, u64),
) -> Result<u64, Copy> {
    let names: Vec<&str> = columns.iter().map(|c| c.0).collect();
    let names = names.join(", ");
    let total: i64 = from.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))?;
    let total = u64::try_from(total).unwrap_or(0);
    progress(table, 0, total);
    let types: Vec<Type> = columns
        .iter()
        .map(|(_, kind)| match kind {
            Text => Type::TEXT,
            Bytes => Type::BYTEA,
            Big => Type::INT8,
            Int => Type::INT4,
            Bool => Type::BOOL,
        })
        .collect();
    let sink = to.copy_in(&format!("COPY {table} ({names}) FROM STDIN BINARY"))?;
    let mut writer = BinaryCopyInWriter::new(sink, &types);
    let mut select = from.prepare(&format!("SELECT {names} FROM {table} ORDER BY rowid"))?;
    let mut rows = select.query([])?;
    let mut done = 0;
    while let Some(row) = rows.next()? {
        let mut values: Vec<Box<dyn ToSql + Sync>> = Vec::with_capacity(columns.len());
        for (i, (_, kind)) in columns.iter().enumerate() {
            values.push(match kind {
                Text => Box::new(row.get::<_, Option<String>>(i)?),
                Bytes => Box::new(row.get::<_, Option<Vec<u8>>>(i)?),
                Big => Box::new(row.get::<_, Option<i64>>(i)?),
                Int => Box::new(row.get::<_, Option<i32>>(i)?),
                Bool => Box::new(row.get::<_, Option<i64>>(i)?.map(|v| v != 0)),
            });
        }
        let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v.as_ref()).collect();
        writer.write(&refs)?;
        done += 1;
        if done % 4096 == 0 {
            progress(table, done, total);
        }
    }
    let written = writer.finish()?;
    progress(table, written, total);
    Ok(written)
}
