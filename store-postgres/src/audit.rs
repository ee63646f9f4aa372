//! The `audit` table: appending to a tenant's hash chain and reading it.
//!
//! An append locks the tenant's `chain_heads` row for its transaction
//! (made on the tenant's first event), so appends of one tenant from any
//! number of replicas are sealed one after the other on the head each
//! found; other tenants' appends do not wait. Rows are written in the
//! current chain format (keyed with the host key when the store has it), an
//! action's request as its facts.

use crate::codec::{get, json, small, time, to_json, ts};
use crate::native::prepared::Prepared;
use crate::{PostgresStore, db};
use postgres::types::{ToSql, Type};
use postgres::{GenericClient, Row};
use standin::audit::{AuditEvent, FactsSeen, GENESIS_HASH, Head, Seal, seal};
use standin::decision::PolicyRef;
use standin::store::{AuditFilter, AuditStats, AuditStore, Integrity, StoreError, Trail};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock, PoisonError};

/// Appends in one transaction: the heads it locked, the facts it stored,
/// what it seals with.
#[derive(Debug)]
pub(crate) struct Appender {
    heads: HashMap<String, Head>,
    facts: HashSet<String>,
    integrity: Arc<Integrity>,
    /// The writer connection's statements, on a group commit's.
    prepared: Option<Prepared>,
}

impl Appender {
    pub(crate) fn new(integrity: Arc<Integrity>) -> Self {
        Self {
            heads: HashMap::new(),
            facts: HashSet::new(),
            integrity,
            prepared: None,
        }
    }

    /// An appender that runs a writer connection's prepared statements.
    pub(crate) fn prepared(integrity: Arc<Integrity>, prepared: Prepared) -> Self {
        Self {
            prepared: Some(prepared),
            ..Self::new(integrity)
        }
    }

    /// `tenant`'s chain head, locked for this transaction.
    pub(crate) fn head(&mut self, c: &mut impl GenericClient, tenant: &str) -> Result<Head, StoreError> {
        self.lock_tenants(c, &[tenant])?;
        self.heads
            .get(tenant)
            .cloned()
            .ok_or(StoreError::Contract("a chain head was not locked"))
    }

    /// Appends `e` to its tenant's chain: assigns `seq`, `prev_hash`, `hash`.
    pub(crate) fn append(&mut self, c: &mut impl GenericClient, e: AuditEvent) -> Result<AuditEvent, StoreError> {
        let mut sealed = self.append_all(c, vec![e])?;
        sealed.pop().ok_or(StoreError::Contract("an append wrote no row"))
    }

    /// Appends `events` in order, each to its tenant's chain, with one
    /// statement for all their rows (the group commit of actions): the
    /// heads not yet locked are locked in tenant order (so two batches of
    /// several tenants never wait on each other in a cycle), the rows are
    /// sealed here, then written together.
    pub(crate) fn append_all(
        &mut self,
        c: &mut impl GenericClient,
        mut events: Vec<AuditEvent>,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        self.lock_heads(c, &events)?;
        let mut rows = Rows::default();
        for e in &mut events {
            let head = self
                .heads
                .get_mut(&e.tenant)
                .ok_or(StoreError::Contract("a chain head was not locked"))?;
            seal(e, head, &self.integrity)?;
            if let Some(f) = &e.seal.facts
                && self.facts.insert(f.digest.clone())
            {
                rows.facts.0.push(f.digest.clone());
                rows.facts.1.push(f.body.clone());
            }
            rows.push(e);
        }
        let mut moved: Vec<&String> = events.iter().map(|e| &e.tenant).collect();
        moved.sort();
        moved.dedup();
        // One tenant (every group commit of actions): its head moves in the
        // rows' own statement, one round trip less under the head's lock.
        if let [tenant] = moved[..]
            && rows.write_moving(c, self.prepared.as_ref(), tenant, &self.heads[tenant])?
        {
            return Ok(events);
        }
        rows.write(c)?;
        for tenant in moved {
            let head = &self.heads[tenant];
            let (seq, at) = (head.seq as i64, head.at.map_or(i64::MIN, ts));
            c.execute_typed(
                "UPDATE chain_heads SET seq = $2, hash = $3, at = $4 WHERE tenant = $1",
                &[
                    (tenant, Type::TEXT),
                    (&seq, Type::INT8),
                    (&head.hash, Type::TEXT),
                    (&at, Type::INT8),
                ],
            )
            .map_err(db)?;
        }
        Ok(events)
    }

    /// Locks the heads of the tenants of `events` this transaction has not
    /// locked yet (making a tenant's on its first event), in tenant order.
    fn lock_heads(&mut self, c: &mut impl GenericClient, events: &[AuditEvent]) -> Result<(), StoreError> {
        let tenants: Vec<&str> = events.iter().map(|e| e.tenant.as_str()).collect();
        self.lock_tenants(c, &tenants)
    }

    /// Locks the heads of `tenants` this transaction has not locked yet
    /// (making a tenant's on its first event), in tenant order, with the
    /// format of each head's event (for the no-downgrade rule).
    fn lock_tenants(&mut self, c: &mut impl GenericClient, tenants: &[&str]) -> Result<(), StoreError> {
        let mut missing: Vec<&str> = tenants
            .iter()
            .copied()
            .filter(|t| !self.heads.contains_key(*t))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        missing.sort_unstable();
        missing.dedup();
        // Typed statements (one round trip each; prepared on a group
        // commit's connection), and the heads' rows made only for a
        // tenant's first event: the lock is held from here to the commit,
        // so every round trip in between is a wait for the other replicas.
        let prepared = self.prepared.as_ref();
        let lock = |c: &mut _| {
            match prepared {
                Some(p) => GenericClient::query(c, &p.lock, &[&missing]),
                None => GenericClient::query_typed(c, LOCK, &[(&missing, Type::TEXT_ARRAY)]),
            }
            .map_err(db)
        };
        let mut locked = lock(c)?;
        if locked.len() < missing.len() {
            c.execute_typed(
                "INSERT INTO chain_heads (tenant, seq, hash, at) SELECT t, 0, $2, $3 FROM unnest($1::text[]) AS t \
                 ORDER BY t ON CONFLICT DO NOTHING",
                &[
                    (&missing, Type::TEXT_ARRAY),
                    (&GENESIS_HASH, Type::TEXT),
                    (&i64::MIN, Type::INT8),
                ],
            )
            .map_err(db)?;
            locked = lock(c)?;
        }
        for row in &locked {
            let (seq, at): (i64, i64) = (get(row, "seq")?, get(row, "at")?);
            let chain: Option<i32> = get(row, "chain")?;
            self.heads.insert(
                get(row, "tenant")?,
                Head {
                    seq: u64::try_from(seq).unwrap_or(0),
                    hash: get(row, "hash")?,
                    at: (at != i64::MIN).then(|| time("at", at)).transpose()?,
                    chain: chain.map_or(0, |c| u32::try_from(c).unwrap_or(u32::MAX)),
                },
            );
        }
        Ok(())
    }
}

/// Locks chain heads: `$1` the tenants.
pub(crate) const LOCK: &str = "SELECT h.tenant, h.seq, h.hash, h.at, \
     (SELECT a.chain FROM audit a WHERE a.tenant = h.tenant AND a.seq = h.seq) AS chain \
     FROM chain_heads h WHERE h.tenant = ANY($1) ORDER BY h.tenant FOR UPDATE OF h";

/// The columns an audit row is written in, with their types: the order of
/// [`Rows::columns`] and of each row [`Rows::copy`] writes.
const WRITTEN: [(&str, Type); 22] = [
    ("tenant", Type::TEXT),
    ("seq", Type::INT8),
    ("at", Type::INT8),
    ("event", Type::TEXT),
    ("session", Type::TEXT),
    ("actor", Type::TEXT),
    ("target", Type::TEXT),
    ("action", Type::TEXT),
    ("resource", Type::TEXT),
    ("reason", Type::TEXT),
    ("codes", Type::TEXT),
    ("end_reason", Type::TEXT),
    ("policy_version", Type::INT4),
    ("policy_digest", Type::TEXT),
    ("expires_at", Type::INT8),
    ("obligations", Type::TEXT),
    ("note", Type::TEXT),
    ("request", Type::TEXT),
    ("prev_hash", Type::TEXT),
    ("hash", Type::TEXT),
    ("chain", Type::INT4),
    ("facts", Type::TEXT),
];

/// The array type of a column's type (rows are written as one array per column).
fn array_of(t: &Type) -> Type {
    match *t {
        Type::INT8 => Type::INT8_ARRAY,
        Type::INT4 => Type::INT4_ARRAY,
        _ => Type::TEXT_ARRAY,
    }
}

fn written_names() -> String {
    WRITTEN.map(|(name, _)| name).join(", ")
}

/// A few rows: one `INSERT ... SELECT FROM unnest` of one array per column.
static INSERT: LazyLock<String> = LazyLock::new(|| {
    let arrays: Vec<String> = WRITTEN
        .iter()
        .enumerate()
        .map(|(i, (_, t))| format!("${}::{}[]", i + 1, t.name()))
        .collect();
    format!(
        "INSERT INTO audit ({}) SELECT * FROM unnest({})",
        written_names(),
        arrays.join(", ")
    )
});

/// Many rows: `COPY ... BINARY`.
/// [`INSERT`] with the rows' new facts and the tenant's head moved, in one
/// statement: `$23`, `$24` the facts' digests and bodies, `$25` the tenant,
/// `$26`-`$28` its head's seq, hash and time.
pub(crate) static INSERT_MOVING: LazyLock<String> = LazyLock::new(|| {
    let insert = INSERT.as_str();
    format!(
        "WITH facts AS (INSERT INTO audit_facts (digest, body) SELECT * FROM unnest($23::text[], $24::text[]) \
         ON CONFLICT DO NOTHING), rows AS ({insert}) \
         UPDATE chain_heads SET seq = $26, hash = $27, at = $28 WHERE tenant = $25"
    )
});

/// The types of [`INSERT_MOVING`]'s parameters.
pub(crate) fn moving_types() -> Vec<Type> {
    let mut types: Vec<Type> = WRITTEN.iter().map(|(_, t)| array_of(t)).collect();
    types.extend([
        Type::TEXT_ARRAY,
        Type::TEXT_ARRAY,
        Type::TEXT,
        Type::INT8,
        Type::TEXT,
        Type::INT8,
    ]);
    types
}

static COPY: LazyLock<String> = LazyLock::new(|| format!("COPY audit ({}) FROM STDIN BINARY", written_names()));

/// From this many rows on, they are written with `COPY` (below, one
/// `INSERT ... unnest`: fewer round trips for a few rows).
const COPY_FROM: usize = 64;

/// Sealed rows, column by column, for one `INSERT ... SELECT FROM unnest`
/// or one `COPY`.
#[derive(Default)]
struct Rows {
    tenant: Vec<String>,
    seq: Vec<i64>,
    at: Vec<i64>,
    event: Vec<String>,
    session: Vec<Option<String>>,
    actor: Vec<String>,
    target: Vec<String>,
    action: Vec<Option<String>>,
    resource: Vec<Option<String>>,
    reason: Vec<Option<String>>,
    codes: Vec<String>,
    end_reason: Vec<Option<String>>,
    policy_version: Vec<i32>,
    policy_digest: Vec<String>,
    expires_at: Vec<Option<i64>>,
    obligations: Vec<Option<String>>,
    note: Vec<Option<String>>,
    request: Vec<Option<String>>,
    prev_hash: Vec<String>,
    hash: Vec<String>,
    chain: Vec<i32>,
    fact: Vec<Option<String>>,
    /// New request facts: digests and bodies.
    facts: (Vec<String>, Vec<String>),
}

impl Rows {
    fn push(&mut self, e: &AuditEvent) {
        let facts = e.seal.facts.as_ref().map(|f| f.digest.clone());
        self.request
            .push(if facts.is_some() { None } else { e.request.clone() });
        self.fact.push(facts);
        self.tenant.push(e.tenant.clone());
        self.seq.push(e.seq as i64);
        self.at.push(ts(e.at));
        self.event.push(e.event.clone());
        self.session.push(e.session.clone());
        self.actor.push(e.actor.clone());
        self.target.push(e.target.clone());
        self.action.push(e.action.clone());
        self.resource.push(e.resource.clone());
        self.reason.push(e.reason.clone());
        self.codes.push(to_json(&e.codes));
        self.end_reason.push(e.end_reason.clone());
        self.policy_version.push(e.policy.version as i32);
        self.policy_digest.push(e.policy.digest.clone());
        self.expires_at.push(e.expires_at.map(ts));
        self.obligations.push(e.obligations.as_ref().map(to_json));
        self.note.push(e.note.clone());
        self.prev_hash.push(e.prev_hash.clone());
        self.hash.push(e.hash.clone());
        self.chain.push(e.seal.chain as i32);
    }

    /// Writes the rows, their new facts and `tenant`'s moved `head` in one
    /// statement, when the rows are few enough for one `INSERT` (not a
    /// `COPY`); `false` (nothing written) otherwise.
    fn write_moving(
        &self,
        c: &mut impl GenericClient,
        prepared: Option<&Prepared>,
        tenant: &str,
        head: &Head,
    ) -> Result<bool, StoreError> {
        if self.tenant.is_empty() || self.tenant.len() >= COPY_FROM {
            return Ok(false);
        }
        let (seq, at) = (head.seq as i64, head.at.map_or(i64::MIN, ts));
        let mut params: Vec<&(dyn ToSql + Sync)> = self.columns().to_vec();
        params.extend([
            &self.facts.0 as &(dyn ToSql + Sync),
            &self.facts.1,
            &tenant,
            &seq,
            &head.hash,
            &at,
        ]);
        match prepared {
            Some(p) => c.execute(&p.insert_moving, &params),
            None => {
                let typed: Vec<(&(dyn ToSql + Sync), Type)> = params.into_iter().zip(moving_types()).collect();
                c.execute_typed(INSERT_MOVING.as_str(), &typed)
            }
        }
        .map_err(db)?;
        Ok(true)
    }

    fn write(&self, c: &mut impl GenericClient) -> Result<(), StoreError> {
        if !self.facts.0.is_empty() {
            c.execute_typed(
                "INSERT INTO audit_facts (digest, body) SELECT * FROM unnest($1::text[], $2::text[]) \
                 ON CONFLICT DO NOTHING",
                &[(&self.facts.0, Type::TEXT_ARRAY), (&self.facts.1, Type::TEXT_ARRAY)],
            )
            .map_err(db)?;
        }
        if self.tenant.is_empty() {
            return Ok(());
        }
        if self.tenant.len() >= COPY_FROM {
            return self.copy(c);
        }
        let typed: Vec<(&(dyn ToSql + Sync), Type)> = self
            .columns()
            .into_iter()
            .zip(WRITTEN.map(|(_, t)| array_of(&t)))
            .collect();
        c.execute_typed(INSERT.as_str(), &typed).map_err(db)?;
        Ok(())
    }

    /// The columns, in [`WRITTEN`]'s order.
    fn columns(&self) -> [&(dyn ToSql + Sync); 22] {
        [
            &self.tenant,
            &self.seq,
            &self.at,
            &self.event,
            &self.session,
            &self.actor,
            &self.target,
            &self.action,
            &self.resource,
            &self.reason,
            &self.codes,
            &self.end_reason,
            &self.policy_version,
            &self.policy_digest,
            &self.expires_at,
            &self.obligations,
            &self.note,
            &self.request,
            &self.prev_hash,
            &self.hash,
            &self.chain,
            &self.fact,
        ]
    }

    /// Many rows: `COPY ... BINARY`, which PostgreSQL takes in faster than
    /// an `INSERT` of arrays (the tenant's chain head is locked meanwhile).
    fn copy(&self, c: &mut impl GenericClient) -> Result<(), StoreError> {
        let sink = c.copy_in(COPY.as_str()).map_err(db)?;
        let types = WRITTEN.map(|(_, t)| t);
        let mut writer = postgres::binary_copy::BinaryCopyInWriter::new(sink, &types);
        for i in 0..self.tenant.len() {
            writer
                .write(&[
                    &self.tenant[i],
                    &self.seq[i],
                    &self.at[i],
                    &self.event[i],
                    &self.session[i],
                    &self.actor[i],
                    &self.target[i],
                    &self.action[i],
                    &self.resource[i],
                    &self.reason[i],
                    &self.codes[i],
                    &self.end_reason[i],
                    &self.policy_version[i],
                    &self.policy_digest[i],
                    &self.expires_at[i],
                    &self.obligations[i],
                    &self.note[i],
                    &self.request[i],
                    &self.prev_hash[i],
                    &self.hash[i],
                    &self.chain[i],
                    &self.fact[i],
                ])
                .map_err(db)?;
        }
        writer.finish().map_err(db)?;
        Ok(())
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

/// Tenants with audit events, or (`all`) with events, sessions, policies,
/// API keys, `return_to` origins or notification settings.
pub(crate) fn tenants(c: &mut impl GenericClient, all: bool) -> Result<Vec<String>, StoreError> {
    let sql = if all {
        "SELECT tenant FROM audit UNION SELECT tenant FROM sessions UNION SELECT tenant FROM policies \
         UNION SELECT tenant FROM api_keys UNION SELECT tenant FROM return_origins \
         UNION SELECT tenant FROM notifications ORDER BY tenant"
    } else {
        "SELECT DISTINCT tenant FROM audit ORDER BY tenant"
    };
    c.query(sql, &[])
        .map_err(db)?
        .iter()
        .map(|r| get(r, "tenant"))
        .collect()
}

impl AuditStore for PostgresStore {
    fn set_integrity(&self, integrity: Integrity) {
        *self.integrity.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(integrity);
    }

    fn audit_stats(&self) -> Option<AuditStats> {
        Some(self.stats.lock().unwrap_or_else(PoisonError::into_inner).clone())
    }

    fn audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>, StoreError> {
        self.read_settled(|c| query(c, filter))
    }

    fn audit_tenants(&self) -> Result<Vec<String>, StoreError> {
        self.read(|c| tenants(c, false))
    }

    fn tenants(&self) -> Result<Vec<String>, StoreError> {
        self.read(|c| tenants(c, true))
    }

    fn trail(&self, tenant: &str) -> Result<Trail, StoreError> {
        // One snapshot: a change committed meanwhile cannot look like a
        // mismatch to `audit verify`.
        self.read_settled(|c| {
            let mut tx = c
                .build_transaction()
                .isolation_level(postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .map_err(db)?;
            let filter = AuditFilter {
                tenant: Some(tenant.to_string()),
                ..AuditFilter::default()
            };
            let integrity = self.integrity();
            let events = query(&mut tx, &filter)?;
            let (sessions, policies, unauthenticated) = crate::trail::rows(&mut tx, tenant, &integrity)?;
            let recorded_head = tx
                .query_opt("SELECT seq, hash FROM chain_heads WHERE tenant = $1", &[&tenant])
                .map_err(db)?
                .map(|r| (u64::try_from(r.get::<_, i64>(0)).unwrap_or(0), r.get::<_, String>(1)));
            tx.commit().map_err(db)?;
            Ok(Trail {
                events,
                sessions,
                policies,
                unauthenticated,
                recorded_head,
            })
        })
    }
}
