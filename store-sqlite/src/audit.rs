//! The `audit` table: appending to a tenant's hash chain and reading it back.
//!
//! Appends go through [`Heads`], the last `(seq, hash)` of each tenant as
//! this connection last wrote or read it, so a batch of appends does not
//! query the chain's head once per row, and the request facts it stored,
//! so they are written once. The cache is only trusted inside a write
//! transaction and only while no other connection has written (see
//! `Db::transaction`, which drops it when `PRAGMA data_version` moved, and
//! after any rolled-back transaction).
//!
//! Rows are appended in the chain's current format (`audit::chain`); each
//! row records its format, and reading gives every row back as written,
//! with an action's request rebuilt from its stored facts.

use super::codec::{cell, int, json, opt_int, opt_text, text, time, to_json, ts};
use crate::{SqliteStore, db};
use rusqlite::types::Value as SqlValue;
use rusqlite::{CachedStatement, Connection, OptionalExtension, Row, params};
use standin::audit::{AuditEvent, FactsSeen, Head, Seal, seal};
use standin::decision::PolicyRef;
use standin::store::{AuditFilter, AuditStats, AuditStore, Integrity, StoreError, Trail};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Each tenant's chain head, the request facts known to be stored, and
/// what the store seals with (`standin::store::Integrity`).
#[derive(Debug, Default)]
pub(super) struct Heads {
    /// Per tenant: the last event's `seq`, `hash`, time and format.
    heads: HashMap<String, Head>,
    facts: HashSet<String>,
    /// The keys and clock rule every write is sealed and dated by.
    pub(super) integrity: Arc<Integrity>,
}

impl Heads {
    pub(super) fn clear(&mut self) {
        self.heads.clear();
        self.facts.clear();
    }
}

/// Appends events in one transaction, with its statements prepared once
/// (a cached statement is looked up by its SQL text, once per row
/// otherwise).
pub(super) struct Appender<'c> {
    head: CachedStatement<'c>,
    facts: CachedStatement<'c>,
    insert: CachedStatement<'c>,
}

impl<'c> Appender<'c> {
    pub(super) fn new(conn: &'c Connection) -> Result<Self, StoreError> {
        Ok(Self {
            head: conn
                .prepare_cached("SELECT seq, hash, at, chain FROM audit WHERE tenant = ?1 ORDER BY seq DESC LIMIT 1")
                .map_err(db)?,
            facts: conn
                .prepare_cached("INSERT OR IGNORE INTO audit_facts (digest, body) VALUES (?1, ?2)")
                .map_err(db)?,
            insert: conn
                .prepare_cached(
                    "INSERT INTO audit (tenant, seq, at, event, session, actor, target, action, resource, reason, \
                 codes, end_reason, policy_version, policy_digest, expires_at, obligations, note, request, \
                 prev_hash, hash, chain, facts) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, \
                 ?20, ?21, ?22)",
                )
                .map_err(db)?,
        })
    }

    /// `tenant`'s chain head, from the cache or the table.
    pub(super) fn head(&mut self, heads: &Heads, tenant: &str) -> Result<Head, StoreError> {
        if let Some(h) = heads.heads.get(tenant) {
            return Ok(h.clone());
        }
        let head: Option<(i64, String, i64, i64)> = self
            .head
            .query_row([tenant], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .optional()
            .map_err(db)?;
        match head {
            None => Ok(Head::genesis()),
            Some((seq, hash, at, chain)) => Ok(Head {
                seq: u64::try_from(seq).unwrap_or(0),
                hash,
                at: Some(time("at", at)?),
                chain: u32::try_from(chain).unwrap_or(u32::MAX),
            }),
        }
    }

    /// Appends `e` to its tenant's chain in the current format (keyed
    /// when the store has the host key): assigns `seq`, `prev_hash`,
    /// `hash`; stores the request facts it refers to unless they are
    /// stored already.
    pub(super) fn append(&mut self, heads: &mut Heads, mut e: AuditEvent) -> Result<AuditEvent, StoreError> {
        let mut head = self.head(heads, &e.tenant)?;
        seal(&mut e, &mut head, &heads.integrity)?;
        let facts = e.seal.facts.as_ref().map(|f| f.digest.as_str());
        if let Some(f) = &e.seal.facts
            && !heads.facts.contains(&f.digest)
        {
            self.facts.execute(params![f.digest, f.body]).map_err(db)?;
            heads.facts.insert(f.digest.clone());
        }
        // With facts, the request is not stored as text: it is rebuilt on read.
        let request = if facts.is_some() { None } else { e.request.as_deref() };
        self.insert
            .execute(params![
                e.tenant,
                e.seq as i64,
                ts(e.at),
                e.event,
                e.session,
                e.actor,
                e.target,
                e.action,
                e.resource,
                e.reason,
                to_json(&e.codes),
                e.end_reason,
                e.policy.version,
                e.policy.digest,
                e.expires_at.map(ts),
                e.obligations.as_ref().map(to_json),
                e.note,
                request,
                e.prev_hash,
                e.hash,
                e.seal.chain,
                facts,
            ])
            .map_err(db)?;
        heads.heads.insert(e.tenant.clone(), head);
        Ok(e)
    }
}

const AUDIT_COLUMNS: &str = "seq, tenant, at, event, session, actor, target, action, resource, reason, codes, \
    end_reason, policy_version, policy_digest, expires_at, obligations, note, request, prev_hash, hash, chain, \
    facts, (SELECT body FROM audit_facts WHERE digest = audit.facts)";

fn audit_row(row: &Row<'_>) -> rusqlite::Result<Vec<SqlValue>> {
    (0..23).map(|i| cell(row, i)).collect()
}

/// [`decode_row`], its errors naming the row's `seq`.
fn decode(v: Vec<SqlValue>, seen: &mut FactsSeen) -> Result<AuditEvent, StoreError> {
    let seq = match v.first() {
        Some(SqlValue::Integer(n)) => n.to_string(),
        _ => "?".to_string(),
    };
    decode_row(v, seen).map_err(|e| match e {
        StoreError::Corrupt { column, message } => StoreError::Corrupt {
            column,
            message: format!("event {seq}: {message}"),
        },
        other => other,
    })
}

fn decode_row(v: Vec<SqlValue>, seen: &mut FactsSeen) -> Result<AuditEvent, StoreError> {
    let facts = opt_text("facts", &v[21])?
        .map(|digest| seen.get(digest, || opt_text("audit_facts.body", &v[22])))
        .transpose()?;
    let mut e = AuditEvent {
        seq: u64::try_from(int("seq", &v[0])?).unwrap_or(0),
        tenant: text("tenant", &v[1])?,
        at: time("at", int("at", &v[2])?)?,
        event: text("event", &v[3])?,
        session: opt_text("session", &v[4])?,
        actor: text("actor", &v[5])?,
        target: text("target", &v[6])?,
        action: opt_text("action", &v[7])?,
        resource: opt_text("resource", &v[8])?,
        reason: opt_text("reason", &v[9])?,
        codes: json("codes", &text("codes", &v[10])?)?,
        end_reason: opt_text("end_reason", &v[11])?,
        policy: PolicyRef {
            version: u32::try_from(int("policy_version", &v[12])?).unwrap_or(u32::MAX),
            digest: text("policy_digest", &v[13])?,
        },
        expires_at: opt_int("expires_at", &v[14])?
            .map(|t| time("expires_at", t))
            .transpose()?,
        obligations: opt_text("obligations", &v[15])?
            .map(|t| json("obligations", &t))
            .transpose()?,
        note: opt_text("note", &v[16])?,
        request: opt_text("request", &v[17])?,
        prev_hash: text("prev_hash", &v[18])?,
        hash: text("hash", &v[19])?,
        seal: Seal {
            chain: u32::try_from(int("chain", &v[20])?).unwrap_or(u32::MAX),
            facts,
            digest: None,
        },
    };
    e.restore_request();
    Ok(e)
}

/// Events matching `f`, by tenant then `seq`.
pub(super) fn query(conn: &Connection, f: &AuditFilter) -> Result<Vec<AuditEvent>, StoreError> {
    let mut sql = format!("SELECT {AUDIT_COLUMNS} FROM audit WHERE 1 = 1");
    let mut args: Vec<SqlValue> = Vec::new();
    let mut add = |clause: &str, v: SqlValue| {
        args.push(v);
        sql.push_str(&format!(" AND {clause} ?{}", args.len()));
    };
    if let Some(t) = &f.tenant {
        add("tenant =", SqlValue::Text(t.clone()));
    }
    if let Some(a) = &f.actor {
        add("actor =", SqlValue::Text(a.clone()));
    }
    if let Some(t) = &f.target {
        add("target =", SqlValue::Text(t.clone()));
    }
    if let Some(e) = &f.event {
        add("event =", SqlValue::Text(e.clone()));
    }
    if let Some(s) = &f.session {
        add("session =", SqlValue::Text(s.clone()));
    }
    if let Some(t) = f.since {
        add("at >=", SqlValue::Integer(ts(t)));
    }
    if let Some(t) = f.until {
        add("at <", SqlValue::Integer(ts(t)));
    }
    if let Some(seq) = f.after_seq {
        add("seq >", SqlValue::Integer(i64::try_from(seq).unwrap_or(i64::MAX)));
    }
    sql.push_str(" ORDER BY tenant, seq");
    if let Some(n) = f.limit {
        sql.push_str(&format!(" LIMIT {}", i64::try_from(n).unwrap_or(i64::MAX)));
    }
    let mut stmt = conn.prepare(&sql).map_err(db)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(args), audit_row)
        .map_err(db)?;
    let mut seen = FactsSeen::default();
    rows.map(|r| r.map_err(db).and_then(|v| decode(v, &mut seen))).collect()
}

/// Every tenant with audit events.
pub(super) fn tenants(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn
        .prepare("SELECT DISTINCT tenant FROM audit ORDER BY tenant")
        .map_err(db)?;
    let rows = stmt.query_map([], |r| cell(r, 0)).map_err(db)?;
    rows.map(|row| text("tenant", &row.map_err(db)?)).collect()
}

/// Every tenant with audit events, sessions, policy versions, API keys,
/// `return_to` origins or notification settings.
pub(super) fn all_tenants(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn
        .prepare(
            "SELECT tenant FROM audit UNION SELECT tenant FROM sessions UNION SELECT tenant FROM policies \
         UNION SELECT tenant FROM api_keys UNION SELECT tenant FROM return_origins \
         UNION SELECT tenant FROM notifications ORDER BY tenant",
        )
        .map_err(db)?;
    let rows = stmt.query_map([], |r| cell(r, 0)).map_err(db)?;
    rows.map(|row| text("tenant", &row.map_err(db)?)).collect()
}

/// A tenant's chain, sessions and policy versions (and its API keys,
/// `return_to` origins and notification settings, for their tags), in one
/// read transaction: as of one commit, so a change committed meanwhile
/// cannot look like a mismatch to `audit verify`; rows whose tags do not
/// hold are named in [`Trail::unauthenticated`], not refused.
pub(super) fn trail(conn: &Connection, tenant: &str, integrity: &Integrity) -> Result<Trail, StoreError> {
    let tx = conn.unchecked_transaction().map_err(db)?;
    let events = query(
        &tx,
        &AuditFilter {
            tenant: Some(tenant.to_string()),
            ..AuditFilter::default()
        },
    )?;
    let (sessions, policies, unauthenticated) = crate::trail::rows(&tx, tenant, integrity)?;
    tx.finish().map_err(db)?;
    Ok(Trail {
        events,
        sessions,
        policies,
        unauthenticated,
        // The head is the last row: nothing kept beside it.
        recorded_head: None,
    })
}

impl AuditStore for SqliteStore {
    fn set_integrity(&self, integrity: Integrity) {
        SqliteStore::set_integrity(self, integrity);
    }

    fn audit(&self, f: &AuditFilter) -> Result<Vec<AuditEvent>, StoreError> {
        self.read(|c| query(c, f))
    }

    fn audit_tenants(&self) -> Result<Vec<String>, StoreError> {
        self.read(tenants)
    }

    fn tenants(&self) -> Result<Vec<String>, StoreError> {
        self.read(all_tenants)
    }

    fn trail(&self, tenant: &str) -> Result<Trail, StoreError> {
        self.read(|c| trail(c, tenant, &self.integrity()))
    }

    fn audit_stats(&self) -> Option<AuditStats> {
        Some(self.writer.stats())
    }
}
