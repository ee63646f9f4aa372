//! Route tables as both backends store them: one row per tenant, the
//! rules as JSON text, tagged by the host key (what they mean is
//! `crate::access::RouteTable`'s).

use super::{Integrity, StoreError};
use crate::access::RouteTable;

/// The `rules` and `tag` cells of `tenant`'s row for `table`.
pub fn row(tenant: &str, table: &RouteTable, integrity: &Integrity) -> (String, Option<String>) {
    let rules = serde_json::to_string(table).expect("a route table serializes");
    let tag = integrity.routes_tag(tenant, &rules);
    (rules, tag)
}

/// The table of a row, if its tag holds and its rules are a table.
pub fn table(tenant: &str, rules: &str, tag: Option<&str>, integrity: &Integrity) -> Result<RouteTable, StoreError> {
    integrity.check_routes(tenant, rules, tag)?;
    let table: RouteTable = serde_json::from_str(rules).map_err(|e| StoreError::Corrupt {
        column: "rules",
        message: e.to_string(),
    })?;
    // Checked again as written: a row must say what an upload could.
    RouteTable::parse(rules).map_err(|e| StoreError::Corrupt {
        column: "rules",
        message: e.to_string(),
    })?;
    Ok(table)
}
