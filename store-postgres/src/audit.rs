//! The `audit` table: appending to a tenant's hash chain and reading it.
//!
//! An append locks the tenant's `chain_heads` row for its transaction
//! (made on the tenant's first event), so appends of one tenant from any
//! number of replicas are sealed one after the other on the head each
//! found; other tenants' appends do not wait. Rows are written in the
//! current chain format (`CHAIN_V2`), an action's request as its facts.

use crate::codec::{get, json, small, time, to_json, ts};
use crate::db;
use postgres::types::ToSql;
use postgres::{GenericClient, Row};
use standin::audit::{CHAIN_V2, FactsSeen, GENESIS_HASH, seal};
use standin::store::{AuditEvent, AuditFilter, PolicyRef, Seal, StoreError};
use std::collections::{HashMap, HashSet};

/// Appends in one transaction: the heads it locked, the facts it stored.
#[derive(Debug, Default)]
pub(crate) struct Appender {
    heads: HashMap<String, (i64, String, i64)>,
    facts: HashSet<String>,
}

impl Appender {
    /// Appends `e` to its tenant's chain: assigns `seq`, `prev_hash`, `hash`.
    pub(crate) fn append(&mut self, c: &mut impl GenericClient, mut e: AuditEvent) -> Result<AuditEvent, StoreError> {
        let (seq, prev, last_at) = match self.heads.get(&e.tenant) {
            Some(head) => head.clone(),
            None => {
                c.execute(
                    "INSERT INTO chain_heads (tenant, seq, hash, at) VALUES ($1, 0, $2, $3) ON CONFLICT DO NOTHING",
                    &[&e.tenant, &GENESIS_HASH, &i64::MIN],
                )
                .map_err(db)?;
                let row = c
                    .query_one(
                        "SELECT seq, hash, at FROM chain_heads WHERE tenant = $1 FOR UPDATE",
                        &[&e.tenant],
                    )
                    .map_err(db)?;
                (get(&row, "seq")?, get(&row, "hash")?, get(&row, "at")?)
            }
        };
        let head_at = (last_at != i64::MIN).then(|| time("at", last_at)).transpose()?;
        seal(&mut e, u64::try_from(seq).unwrap_or(0), &prev, head_at);
        let facts = e.seal.facts.as_ref().map(|f| f.digest.clone());
        if let Some(f) = &e.seal.facts
            && !self.facts.contains(&f.digest)
        {
            c.execute(
                "INSERT INTO audit_facts (digest, body) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&f.digest, &f.body],
            )
            .map_err(db)?;
            self.facts.insert(f.digest.clone());
        }
        let request = if facts.is_some() { None } else { e.request.clone() };
        c.execute(
            "INSERT INTO audit (tenant, seq, at, event, session, actor, target, action, resource, reason, codes, \
             end_reason, policy_version, policy_digest, expires_at, obligations, note, request, prev_hash, hash, \
             chain, facts) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
             $18, $19, $20, $21, $22)",
            &[
                &e.tenant,
                &(e.seq as i64),
                &ts(e.at),
                &e.event,
                &e.session,
                &e.actor,
                &e.target,
                &e.action,
                &e.resource,
                &e.reason,
                &to_json(&e.codes),
                &e.end_reason,
                &(e.policy.version as i32),
                &e.policy.digest,
                &e.expires_at.map(ts),
                &e.obligations.as_ref().map(to_json),
                &e.note,
                &request,
                &e.prev_hash,
                &e.hash,
                &(CHAIN_V2 as i32),
                &facts,
            ],
        )
        .map_err(db)?;
        c.execute(
            "UPDATE chain_heads SET seq = $2, hash = $3, at = $4 WHERE tenant = $1",
            &[&e.tenant, &(e.seq as i64), &e.hash, &ts(e.at)],
        )
        .map_err(db)?;
        self.heads
            .insert(e.tenant.clone(), (e.seq as i64, e.hash.clone(), ts(e.at)));
        Ok(e)
    }
}

const COLUMNS: &str = "seq, tenant, at, event, session, actor, target, action, resource, reason, codes, \
    end_reason, policy_version, policy_digest, expires_at, obligations, note, request, prev_hash, hash, chain, \
    facts, (SELECT body FROM audit_facts WHERE digest = audit.facts) AS facts_body";

fn decode(r: &Row, seen: &mut FactsSeen) -> Result<AuditEvent, StoreError> {
    let facts = get::<Option<String>>(r, "facts")?
        .map(|digest| seen.get(digest, || get::<Option<String>>(r, "facts_body")))
        .transpose()?;
    let mut e = AuditEvent {
        seq: u64::try_from(get::<i64>(r, "seq")?).unwrap_or(0),
        tenant: get(r, "tenant")?,
        at: time("at", get(r, "at")?)?,
        event: get(r, "event")?,
        session: get(r, "session")?,
        actor: get(r, "actor")?,
        target: get(r, "target")?,
        action: get(r, "action")?,
        resource: get(r, "resource")?,
        reason: get(r, "reason")?,
        codes: json("codes", &get::<String>(r, "codes")?)?,
        end_reason: get(r, "end_reason")?,
        policy: PolicyRef {
            version: small("policy_version", get(r, "policy_version")?)?,
            digest: get(r, "policy_digest")?,
        },
        expires_at: get::<Option<i64>>(r, "expires_at")?
            .map(|t| time("expires_at", t))
            .transpose()?,
        obligations: get::<Option<String>>(r, "obligations")?
            .map(|t| json("obligations", &t))
            .transpose()?,
        note: get(r, "note")?,
        request: get(r, "request")?,
        prev_hash: get(r, "prev_hash")?,
        hash: get(r, "hash")?,
        seal: Seal {
            chain: small("chain", get(r, "chain")?)?,
            facts,
            digest: None,
        },
    };
    e.restore_request();
    Ok(e)
}

/// Events matching `f`, by tenant then `seq`.
pub(crate) fn query(c: &mut impl GenericClient, f: &AuditFilter) -> Result<Vec<AuditEvent>, StoreError> {
    let mut sql = format!("SELECT {COLUMNS} FROM audit WHERE TRUE");
    let mut args: Vec<Box<dyn ToSql + Sync>> = Vec::new();
    let mut add = |clause: &str, v: Box<dyn ToSql + Sync>| {
        args.push(v);
        sql.push_str(&format!(" AND {clause} ${}", args.len()));
    };
    for (column, value) in [
        ("tenant =", &f.tenant),
        ("actor =", &f.actor),
        ("target =", &f.target),
        ("event =", &f.event),
        ("session =", &f.session),
    ] {
        if let Some(v) = value {
            add(column, Box::new(v.clone()));
        }
    }
    if let Some(t) = f.since {
        add("at >=", Box::new(ts(t)));
    }
    if let Some(t) = f.until {
        add("at <", Box::new(ts(t)));
    }
    if let Some(seq) = f.after_seq {
        add("seq >", Box::new(i64::try_from(seq).unwrap_or(i64::MAX)));
    }
    sql.push_str(" ORDER BY tenant, seq");
    if let Some(n) = f.limit {
        sql.push_str(&format!(" LIMIT {}", i64::try_from(n).unwrap_or(i64::MAX)));
    }
    let params: Vec<&(dyn ToSql + Sync)> = args.iter().map(|b| b.as_ref()).collect();
    let rows = c.query(&sql, &params).map_err(db)?;
    let mut seen = FactsSeen::default();
    rows.iter().map(|r| decode(r, &mut seen)).collect()
}

/// Tenants with audit events, or (`all`) with events, sessions or policies.
pub(crate) fn tenants(c: &mut impl GenericClient, all: bool) -> Result<Vec<String>, StoreError> {
    let sql = if all {
        "SELECT tenant FROM audit UNION SELECT tenant FROM sessions UNION SELECT tenant FROM policies ORDER BY tenant"
    } else {
        "SELECT DISTINCT tenant FROM audit ORDER BY tenant"
    };
    c.query(sql, &[])
        .map_err(db)?
        .iter()
        .map(|r| get(r, "tenant"))
        .collect()
}
