//! The `sessions` table: rows to [`SessionRecord`]s and back, and the reads
//! the session logic needs. Reads inside a change take the row `FOR
//! UPDATE`, so a replica ending a session and another appending an action
//! to it are decided by the order of their commits.

use crate::codec::{get, json, small, time, to_json, ts};
use crate::{PostgresStore, apply, db};
use chrono::{DateTime, Utc};
use postgres::{GenericClient, Row};
use standin::audit::AuditEvent;
use standin::decision::PolicyRef;
use standin::model::{EndReason, SessionRecord, SessionState};
use standin::store::{
    ActionAppended, ActionRecord, Applied, Change, Integrity, SessionStore, SessionWatcher, StoreError,
};

impl PostgresStore {
    /// `records` in groups of at most [`crate::MAX_BATCH`], their sessions
    /// checked or not (see `group`); one answer per record, in order.
    fn append_all(
        &self,
        records: &mut dyn Iterator<Item = ActionRecord>,
        in_session: bool,
    ) -> Vec<Result<ActionAppended, StoreError>> {
        let mut answers = Vec::new();
        loop {
            let batch: Vec<_> = (&mut *records)
                .take(crate::MAX_BATCH)
                .map(|r| (r, in_session))
                .collect();
            if batch.is_empty() {
                return answers;
            }
            answers.extend(self.append_grouped(batch));
        }
    }
}

/// The columns of a row, in the order rows are written.
macro_rules! columns {
    () => {
        "id, tenant, actor, target, actor_principal, target_principal, reason, domain, read_only, started_at, \
         expires_at, max_expires_at, state, ended_at, end_reason, return_to, policy_version, policy_digest, \
         notify_target, obligations, revoke_reason, parent, depth, approval, tag, scope, idle_timeout"
    };
}

/// When a session's last audit row was written (IT1: the audit row is the
/// activity record, found by `audit_idle`: the rows of actions in sessions
/// with an idle timeout, which carry the deadline they move it to).
macro_rules! last_action {
    () => {
        "(SELECT MAX(a.at) FROM audit a WHERE a.session = sessions.id AND a.expires_at IS NOT NULL \
         AND a.event IN ('action.allowed', 'action.denied'))"
    };
}

const COLUMNS: &str = columns!();

/// What a read selects: the columns, then the last action's time for a
/// session with an idle timeout.
const READ_COLUMNS: &str = concat!(
    columns!(),
    ", CASE WHEN idle_timeout IS NULL THEN NULL ELSE ",
    last_action!(),
    " END AS last_action_at"
);

/// The record, if its tag holds (see `standin::store::Integrity`).
fn decode(r: &Row, integrity: &Integrity) -> Result<SessionRecord, StoreError> {
    let (s, tag) = decode_tagged(r)?;
    integrity.check_session(s, tag.as_deref())
}

/// The record and its tag, unchecked (for `audit verify`).
pub(crate) fn decode_tagged(r: &Row) -> Result<(SessionRecord, Option<String>), StoreError> {
    Ok((decode_record(r)?, get(r, "tag")?))
}

fn decode_record(r: &Row) -> Result<SessionRecord, StoreError> {
    let state: String = get(r, "state")?;
    let state = SessionState::parse(&state).ok_or_else(|| StoreError::Corrupt {
        column: "state",
        message: format!("`{state}`"),
    })?;
    let end_reason = get::<Option<String>>(r, "end_reason")?
        .map(|e| {
            EndReason::parse(&e).ok_or_else(|| StoreError::Corrupt {
                column: "end_reason",
                message: format!("`{e}`"),
            })
        })
        .transpose()?;
    Ok(SessionRecord {
        id: get(r, "id")?,
        tenant: get(r, "tenant")?,
        actor: get(r, "actor")?,
        target: get(r, "target")?,
        actor_principal: json("actor_principal", &get::<String>(r, "actor_principal")?)?,
        target_principal: json("target_principal", &get::<String>(r, "target_principal")?)?,
        reason: get(r, "reason")?,
        domain: get(r, "domain")?,
        read_only: get(r, "read_only")?,
        started_at: time("started_at", get(r, "started_at")?)?,
        expires_at: time("expires_at", get(r, "expires_at")?)?,
        max_expires_at: time("max_expires_at", get(r, "max_expires_at")?)?,
        state,
        ended_at: get::<Option<i64>>(r, "ended_at")?
            .map(|t| time("ended_at", t))
            .transpose()?,
        end_reason,
        return_to: get(r, "return_to")?,
        policy: PolicyRef {
            version: small("policy_version", get(r, "policy_version")?)?,
            digest: get(r, "policy_digest")?,
        },
        notify_target: get(r, "notify_target")?,
        obligations: json("obligations", &get::<String>(r, "obligations")?)?,
        revoke_reason: get(r, "revoke_reason")?,
        parent: get(r, "parent")?,
        depth: small("depth", get(r, "depth")?)?,
        approval: get::<Option<String>>(r, "approval")?
            .map(|a| json("approval", &a))
            .transpose()?,
        scope: get::<Option<String>>(r, "scope")?
            .map(|s| json("scope", &s))
            .transpose()?,
        idle_timeout_seconds: get::<Option<i64>>(r, "idle_timeout")?.map(|t| t.max(1) as u64),
        last_action_at: get::<Option<i64>>(r, "last_action_at")?
            .map(|t| time("last_action_at", t))
            .transpose()?,
    })
}

/// Session `id`; locked for the transaction when `for_update`.
pub(crate) fn by_id(
    c: &mut impl GenericClient,
    id: &str,
    for_update: bool,
    integrity: &Integrity,
) -> Result<Option<SessionRecord>, StoreError> {
    let lock = if for_update { " FOR UPDATE" } else { "" };
    c.query_opt(
        &format!("SELECT {READ_COLUMNS} FROM sessions WHERE id = $1{lock}"),
        &[&id],
    )
    .map_err(db)?
    .map(|r| decode(&r, integrity))
    .transpose()
}

/// The actor's innermost active session.
pub(crate) fn current(
    c: &mut impl GenericClient,
    tenant: &str,
    actor: &str,
    integrity: &Integrity,
) -> Result<Option<SessionRecord>, StoreError> {
    c.query_opt(
        &format!(
            "SELECT {READ_COLUMNS} FROM sessions WHERE tenant = $1 AND actor = $2 AND state = 'active' \
             ORDER BY depth DESC LIMIT 1"
        ),
        &[&tenant, &actor],
    )
    .map_err(db)?
    .map(|r| decode(&r, integrity))
    .transpose()
}

pub(crate) fn list(
    c: &mut impl GenericClient,
    tenant: &str,
    active_only: bool,
    integrity: &Integrity,
) -> Result<Vec<SessionRecord>, StoreError> {
    list_tagged(c, tenant, active_only)?
        .into_iter()
        .map(|(s, tag)| integrity.check_session(s, tag.as_deref()))
        .collect()
}

/// A tenant's sessions with their tags, unchecked (for `audit verify`).
pub(crate) fn list_tagged(
    c: &mut impl GenericClient,
    tenant: &str,
    active_only: bool,
) -> Result<Vec<(SessionRecord, Option<String>)>, StoreError> {
    let filter = if active_only { " AND state <> 'ended'" } else { "" };
    c.query(
        &format!("SELECT {READ_COLUMNS} FROM sessions WHERE tenant = $1{filter} ORDER BY started_at DESC, id"),
        &[&tenant],
    )
    .map_err(db)?
    .iter()
    .map(decode_tagged)
    .collect()
}

/// The sessions after `after` in the listing's order (newest first, then id).
pub(crate) fn page(
    c: &mut impl GenericClient,
    tenant: &str,
    active_only: bool,
    after: Option<&str>,
    limit: usize,
    integrity: &Integrity,
) -> Result<Vec<SessionRecord>, StoreError> {
    let filter = if active_only { " AND state <> 'ended'" } else { "" };
    c.query(
        &format!(
            "SELECT {READ_COLUMNS} FROM sessions WHERE tenant = $1{filter} AND ($2::TEXT IS NULL OR \
             started_at < (SELECT started_at FROM sessions WHERE id = $2 AND tenant = $1) OR \
             (started_at = (SELECT started_at FROM sessions WHERE id = $2 AND tenant = $1) AND id > $2)) \
             ORDER BY started_at DESC, id LIMIT $3"
        ),
        &[&tenant, &after, &i64::try_from(limit).unwrap_or(i64::MAX)],
    )
    .map_err(db)?
    .iter()
    .map(|r| decode(r, integrity))
    .collect()
}

pub(crate) fn due(c: &mut impl GenericClient, now: DateTime<Utc>) -> Result<Vec<String>, StoreError> {
    let rows = c
        .query(
            "SELECT id FROM sessions WHERE state IN ('active', 'pending') AND \
             (CASE state WHEN 'active' THEN LEAST(expires_at, started_at + 86400) ELSE expires_at END) <= $1 \
             ORDER BY expires_at",
            &[&ts(now)],
        )
        .map_err(db)?;
    let mut due: Vec<String> = rows.iter().map(|r| get(r, "id")).collect::<Result<_, _>>()?;
    // Idle ones (IT1), after: each found by its last audit row.
    let idle = c
        .query(
            concat!(
                "SELECT id FROM sessions WHERE state = 'active' AND idle_timeout IS NOT NULL AND \
                 GREATEST(started_at, COALESCE(",
                last_action!(),
                ", 0)) + idle_timeout <= $1 ORDER BY started_at"
            ),
            &[&ts(now)],
        )
        .map_err(db)?;
    for r in &idle {
        let id: String = get(r, "id")?;
        if !due.contains(&id) {
            due.push(id);
        }
    }
    Ok(due)
}

pub(crate) fn next_deadline(c: &mut postgres::Client) -> Result<Option<DateTime<Utc>>, StoreError> {
    let row = c
        .query_one(
            concat!(
                "SELECT MIN(d) AS at FROM ( \
                 SELECT MIN(CASE state WHEN 'active' THEN LEAST(expires_at, started_at + 86400) ELSE expires_at END) \
                 AS d FROM sessions WHERE state IN ('active', 'pending') UNION ALL \
                 SELECT MIN(GREATEST(started_at, COALESCE(",
                last_action!(),
                ", 0)) + idle_timeout) FROM sessions WHERE state = 'active' AND idle_timeout IS NOT NULL) AS deadlines"
            ),
            &[],
        )
        .map_err(db)?;
    get::<Option<i64>>(&row, "at")?
        .map(|t| time("expires_at", t))
        .transpose()
}

/// Inserts `s` with the tag `integrity` makes for it.
pub(crate) fn insert(c: &mut impl GenericClient, s: &SessionRecord, integrity: &Integrity) -> Result<(), StoreError> {
    let params = (1..=27).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
    c.execute(
        &format!("INSERT INTO sessions ({COLUMNS}) VALUES ({params})"),
        &[
            &s.id,
            &s.tenant,
            &s.actor,
            &s.target,
            &to_json(&s.actor_principal),
            &to_json(&s.target_principal),
            &s.reason,
            &s.domain,
            &s.read_only,
            &ts(s.started_at),
            &ts(s.expires_at),
            &ts(s.max_expires_at),
            &s.state.as_str(),
            &s.ended_at.map(ts),
            &s.end_reason.map(EndReason::as_str),
            &s.return_to,
            &(s.policy.version as i32),
            &s.policy.digest,
            &s.notify_target,
            &to_json(&s.obligations),
            &s.revoke_reason,
            &s.parent,
            &(s.depth as i32),
            &s.approval.as_ref().map(to_json),
            &integrity.session_tag(s),
            &s.scope.as_ref().map(to_json),
            &s.idle_timeout_seconds.map(|t| t as i64),
        ],
    )
    .map_err(db)?;
    Ok(())
}

/// Updates what can change of a session: its deadline, its end, its
/// principals, and what an approval sets; and its tag.
pub(crate) fn update(c: &mut impl GenericClient, s: &SessionRecord, integrity: &Integrity) -> Result<(), StoreError> {
    let n = c
        .execute(
            "UPDATE sessions SET expires_at = $2, state = $3, ended_at = $4, end_reason = $5, revoke_reason = $6, \
             actor_principal = $7, target_principal = $8, started_at = $9, max_expires_at = $10, parent = $11, \
             depth = $12, approval = $13, tag = $14 WHERE id = $1",
            &[
                &s.id,
                &ts(s.expires_at),
                &s.state.as_str(),
                &s.ended_at.map(ts),
                &s.end_reason.map(EndReason::as_str),
                &s.revoke_reason,
                &to_json(&s.actor_principal),
                &to_json(&s.target_principal),
                &ts(s.started_at),
                &ts(s.max_expires_at),
                &s.parent,
                &(s.depth as i32),
                &s.approval.as_ref().map(to_json),
                &integrity.session_tag(s),
            ],
        )
        .map_err(db)?;
    if n == 0 {
        return Err(StoreError::UnknownSession(s.id.clone()));
    }
    Ok(())
}

/// A session's id and its row, or why the row is not used.
pub(crate) type Shared = (String, Result<SessionRecord, StoreError>);

/// Standin `ids`, each locked `FOR SHARE` for the transaction, in id
/// order; a row whose tag does not hold is an error of its own.
/// Reads sessions `FOR SHARE` (a group commit's, `group`), prepared per
/// writer connection (`native::prepared`).
pub(crate) static SHARE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!("SELECT {READ_COLUMNS} FROM sessions WHERE id = ANY($1) ORDER BY id FOR SHARE")
});

pub(crate) fn share(
    c: &mut impl GenericClient,
    prepared: &crate::native::prepared::Prepared,
    ids: &[&str],
    integrity: &Integrity,
) -> Result<Vec<Shared>, StoreError> {
    c.query(&prepared.share, &[&ids])
        .map_err(db)?
        .iter()
        .map(|r| Ok((get(r, "id")?, decode(r, integrity))))
        .collect()
}

impl SessionStore for PostgresStore {
    fn session(&self, id: &str) -> Result<Option<SessionRecord>, StoreError> {
        self.read(|c| by_id(c, id, false, &self.integrity()))
    }

    fn sessions(&self, tenant: &str, active_only: bool) -> Result<Vec<SessionRecord>, StoreError> {
        self.read(|c| list(c, tenant, active_only, &self.integrity()))
    }

    fn sessions_page(
        &self,
        tenant: &str,
        active_only: bool,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<SessionRecord>, StoreError> {
        self.read(|c| page(c, tenant, active_only, after, limit, &self.integrity()))
    }

    fn current_session(&self, tenant: &str, actor: &str) -> Result<Option<SessionRecord>, StoreError> {
        self.read(|c| current(c, tenant, actor, &self.integrity()))
    }

    fn due(&self, now: DateTime<Utc>) -> Result<Vec<String>, StoreError> {
        self.read(|c| due(c, now))
    }

    fn next_deadline(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.read(next_deadline)
    }

    fn start(
        &self,
        tenant: &str,
        actor: &str,
        decide: &mut dyn FnMut(Option<&SessionRecord>) -> Change,
    ) -> Result<Applied, StoreError> {
        self.write(|tx| {
            // Starts of one actor, from any replica, one at a time.
            tx.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                &[&format!("{tenant}\u{1f}{actor}")],
            )
            .map_err(db)?;
            let integrity = self.integrity();
            let current = current(tx, tenant, actor, &integrity)?;
            apply(tx, decide(current.as_ref()), integrity)
        })
    }

    fn modify(&self, id: &str, decide: &mut dyn FnMut(&SessionRecord) -> Change) -> Result<Applied, StoreError> {
        self.write(|tx| {
            let integrity = self.integrity();
            let current = by_id(tx, id, true, &integrity)?.ok_or_else(|| StoreError::UnknownSession(id.to_string()))?;
            apply(tx, decide(&current), integrity)
        })
    }

    fn record(&self, change: Change) -> Result<Applied, StoreError> {
        self.write(|tx| apply(tx, change, self.integrity()))
    }

    fn append_action(&self, record: ActionRecord) -> Result<ActionAppended, StoreError> {
        let mut answers = self.append_grouped(vec![(record, true)]);
        answers
            .pop()
            .unwrap_or(Err(StoreError::Contract("an append was not answered")))
    }

    fn append_actions(
        &self,
        records: &mut dyn Iterator<Item = ActionRecord>,
    ) -> Vec<Result<ActionAppended, StoreError>> {
        self.append_all(records, true)
    }

    fn append_events(
        &self,
        rows: &mut dyn Iterator<Item = Vec<AuditEvent>>,
    ) -> Vec<Result<ActionAppended, StoreError>> {
        ActionRecord::append_no_session(rows, |records| self.append_all(records, false))
    }

    fn watch_sessions(&self, f: SessionWatcher) -> Result<(), StoreError> {
        crate::native::watch::spawn(self.url.clone(), f, self.watching.clone())
    }

    /// One replica sweeps: see `leader`.
    fn lead_sweeps(&self) -> Result<bool, StoreError> {
        self.try_lead()
    }
}
