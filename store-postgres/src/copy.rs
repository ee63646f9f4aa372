//! [`Import`] for [`PostgresStore`]: an empty database filled from
//! another store's export (`standin migrate --to postgres://...`), in one
//! transaction with `COPY ... BINARY` per table. The chain heads and the id
//! sequences are set from what was copied. Compiled artifacts are not
//! copied: each replica compiles (and, with a host key, stores) its own.

use crate::{PostgresStore, db};
use postgres::Transaction;
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};
use standin::store::StoreError;
use standin::store::copy::{Cell, Copied, CopyError, Export, Import, Kind, Load, MUST_BE_EMPTY, Rows, Table};

impl Import for PostgresStore {
    fn import(&self, from: &dyn Export, progress: &mut dyn FnMut(&str, u64, u64)) -> Result<Copied, CopyError> {
        self.read(|client| {
            let mut tx = client.transaction().map_err(db)?;
            // Nothing else writes the target while it is filled.
            tx.batch_execute(
                "LOCK TABLE policies, sessions, audit, outbox, api_keys, chain_heads, notifications, return_origins \
                 IN EXCLUSIVE MODE",
            )
            .map_err(db)?;
            for table in MUST_BE_EMPTY {
                let found: bool = tx
                    .query_one(&format!("SELECT EXISTS (SELECT 1 FROM {table})"), &[])
                    .map_err(db)?
                    .get(0);
                if found {
                    return Ok(Err(CopyError::NotEmpty(format!("rows in `{table}`"))));
                }
            }
            let mut load = Target {
                tx: &mut tx,
                progress,
                copied: Copied::default(),
            };
            from.export(&mut load)?;
            let copied = load.copied;
            tx.batch_execute(
                "INSERT INTO chain_heads (tenant, seq, hash, at) \
                 SELECT DISTINCT ON (tenant) tenant, seq, hash, at FROM audit ORDER BY tenant, seq DESC;
                 SELECT setval(pg_get_serial_sequence('outbox', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM outbox;
                 SELECT setval(pg_get_serial_sequence('activations', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) \
                 FROM activations;",
            )
            .map_err(db)?;
            tx.commit().map_err(db)?;
            Ok(Ok(copied))
        })?
    }
}

/// The transaction an export is copied into.
struct Target<'t, 'c> {
    tx: &'t mut Transaction<'c>,
    progress: &'t mut dyn FnMut(&str, u64, u64),
    copied: Copied,
}

impl Load for Target<'_, '_> {
    fn table(&mut self, table: &Table, count: u64, rows: &mut dyn Rows) -> Result<(), StoreError> {
        let (name, columns) = *table;
        let names: Vec<&str> = columns.iter().map(|c| c.0).collect();
        (self.progress)(name, 0, count);
        let types: Vec<Type> = columns
            .iter()
            .map(|(_, kind)| match kind {
                Kind::Text => Type::TEXT,
                Kind::Bytes => Type::BYTEA,
                Kind::Big => Type::INT8,
                Kind::Int => Type::INT4,
                Kind::Bool => Type::BOOL,
            })
            .collect();
        let sink = self
            .tx
            .copy_in(&format!("COPY {name} ({}) FROM STDIN BINARY", names.join(", ")))
            .map_err(db)?;
        let mut writer = BinaryCopyInWriter::new(sink, &types);
        let progress = &mut self.progress;
        let mut done = 0;
        rows.each(&mut |cells| {
            let values: Vec<&(dyn ToSql + Sync)> = cells
                .iter()
                .map(|c| -> &(dyn ToSql + Sync) {
                    match c {
                        Cell::Text(v) => v,
                        Cell::Bytes(v) => v,
                        Cell::Big(v) => v,
                        Cell::Int(v) => v,
                        Cell::Bool(v) => v,
                    }
                })
                .collect();
            writer.write(&values).map_err(db)?;
            done += 1;
            if done % 4096 == 0 {
                progress(name, done, count);
            }
            Ok(())
        })?;
        let written = writer.finish().map_err(db)?;
        (self.progress)(name, written, count);
        self.copied.tables.push((name.to_string(), written));
        Ok(())
    }
}
