//! [`Export`] for [`SqliteStore`]: every table of the shared schema read
//! out as stored, from one read transaction (`standin migrate`'s source).

use crate::{SqliteStore, db};
use rusqlite::Connection;
use standin::store::StoreError;
use standin::store::copy::{Cell, Export, Kind, Load, Rows, TABLES, Table};

impl Export for SqliteStore {
    fn export(&self, into: &mut dyn Load) -> Result<(), StoreError> {
        self.read(|conn| {
            // One snapshot of the source for the whole copy.
            let tx = conn.unchecked_transaction().map_err(db)?;
            for table in TABLES {
                let count: i64 = tx
                    .query_row(&format!("SELECT COUNT(*) FROM {}", table.0), [], |r| r.get(0))
                    .map_err(db)?;
                let mut rows = TableRows { conn: &tx, table };
                into.table(table, u64::try_from(count).unwrap_or(0), &mut rows)?;
            }
            tx.finish().map_err(db)
        })
    }
}

/// One table's rows, in the order they were written.
struct TableRows<'a> {
    conn: &'a Connection,
    table: &'a Table,
}

impl Rows for TableRows<'_> {
    fn each(&mut self, row: &mut dyn FnMut(&[Cell]) -> Result<(), StoreError>) -> Result<u64, StoreError> {
        let (name, columns) = *self.table;
        let names: Vec<&str> = columns.iter().map(|c| c.0).collect();
        let mut select = self
            .conn
            .prepare(&format!("SELECT {} FROM {name} ORDER BY rowid", names.join(", ")))
            .map_err(db)?;
        let mut rows = select.query([]).map_err(db)?;
        let mut cells = Vec::with_capacity(columns.len());
        let mut read = 0;
        while let Some(r) = rows.next().map_err(db)? {
            cells.clear();
            for (i, (_, kind)) in columns.iter().enumerate() {
                cells.push(match kind {
                    Kind::Text => Cell::Text(r.get(i).map_err(db)?),
                    Kind::Bytes => Cell::Bytes(r.get(i).map_err(db)?),
                    Kind::Big => Cell::Big(r.get(i).map_err(db)?),
                    Kind::Int => Cell::Int(r.get(i).map_err(db)?),
                    Kind::Bool => Cell::Bool(r.get::<_, Option<i64>>(i).map_err(db)?.map(|v| v != 0)),
                });
            }
            row(&cells)?;
            read += 1;
        }
        Ok(read)
    }
}
