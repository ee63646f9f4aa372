//! The rows `audit verify` reads beside a tenant's chain: its sessions and
//! policy versions (to compare with the events), and every row the host
//! grants access from (sessions, versions, API keys, `return_to` origins,
//! notification settings), whose tags are checked here and reported, not
//! refused ([`standin::store::Trail::unauthenticated`]).

use crate::{keys, policies, sessions, tenants};
use rusqlite::Connection;
use standin::model::SessionRecord;
use standin::policies::StoredPolicy;
use standin::store::{Integrity, StoreError};

/// A tenant's sessions, its policy versions, and what of its rows the host
/// key does not authenticate.
type Rows = (Vec<SessionRecord>, Vec<StoredPolicy>, Vec<String>);

/// A tenant's sessions and policy versions, and what of its rows the host
/// key does not authenticate, read in `conn`'s transaction.
pub(crate) fn rows(conn: &Connection, tenant: &str, integrity: &Integrity) -> Result<Rows, StoreError> {
    let mut unauthenticated = Vec::new();
    let mut sessions = Vec::new();
    for (s, tag) in sessions::list_tagged(conn, tenant, false)? {
        if let Err(StoreError::Forged(what)) = integrity.check_session(s.clone(), tag.as_deref()) {
            unauthenticated.push(what);
        }
        sessions.push(s);
    }
    let mut policies = Vec::new();
    for t in policies::history_tagged(conn, tenant)? {
        let p = t.policy.clone();
        if let Err(StoreError::Forged(what)) = t.check(integrity) {
            unauthenticated.push(what);
        }
        policies.push(p);
    }
    for t in keys::of_tenant_tagged(conn, tenant)? {
        if let Err(StoreError::Forged(what)) = t.check(integrity) {
            unauthenticated.push(what);
        }
    }
    for (origin, tag) in tenants::return_origins_tagged(conn, tenant)? {
        if let Err(StoreError::Forged(what)) = integrity.check_origin(tenant, &origin, tag.as_deref()) {
            unauthenticated.push(what);
        }
    }
    if let Some((n, tag)) = tenants::notifications_tagged(conn, tenant)?
        && let Err(StoreError::Forged(what)) = integrity.check_notifications(tenant, n, tag.as_deref())
    {
        unauthenticated.push(what);
    }
    Ok((sessions, policies, unauthenticated))
}
