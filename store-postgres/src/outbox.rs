//! [`OutboxStore`] for [`PostgresStore`]: the `outbox` table, messages for
//! targets written in the transaction of the change that caused them;
//! claims skip rows another replica is claiming (`SKIP LOCKED`).

use crate::codec::{get, time, ts};
use crate::{PostgresStore, db};
use chrono::{DateTime, Utc};
use postgres::{GenericClient, Row};
use standin::model::{Acked, NewMessage, OutboxMessage};
use standin::store::{OutboxStore, StoreError};

/// Writes a message; returns it with its id.
pub(crate) fn push(c: &mut impl GenericClient, m: NewMessage) -> Result<OutboxMessage, StoreError> {
    let row = c
        .query_one(
            "INSERT INTO outbox (tenant, recipient, kind, session, text, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
             RETURNING id",
            &[&m.tenant, &m.to, &m.kind, &m.session, &m.text, &ts(m.created_at)],
        )
        .map_err(db)?;
    Ok(m.stored(get(&row, "id")?))
}

fn message(r: &Row) -> Result<OutboxMessage, StoreError> {
    Ok(OutboxMessage {
        id: get(r, "id")?,
        tenant: get(r, "tenant")?,
        to: get(r, "recipient")?,
        kind: get(r, "kind")?,
        session: get(r, "session")?,
        text: get(r, "text")?,
        created_at: time("created_at", get(r, "created_at")?)?,
        acked_at: get::<Option<i64>>(r, "acked_at")?
            .map(|t| time("acked_at", t))
            .transpose()?,
    })
}

pub(crate) fn outbox(
    c: &mut impl GenericClient,
    tenant: Option<&str>,
    include_acked: bool,
) -> Result<Vec<OutboxMessage>, StoreError> {
    c.query(
        "SELECT id, tenant, recipient, kind, session, text, created_at, acked_at FROM outbox \
         WHERE ($1::TEXT IS NULL OR tenant = $1) AND ($2 OR acked_at IS NULL) ORDER BY id",
        &[&tenant, &include_acked],
    )
    .map_err(db)?
    .iter()
    .map(message)
    .collect()
}

/// Messages with ids above `after`, oldest first.
pub(crate) fn outbox_page(
    c: &mut impl GenericClient,
    tenant: Option<&str>,
    include_acked: bool,
    after: Option<i64>,
    limit: usize,
) -> Result<Vec<OutboxMessage>, StoreError> {
    c.query(
        "SELECT id, tenant, recipient, kind, session, text, created_at, acked_at FROM outbox \
         WHERE ($1::TEXT IS NULL OR tenant = $1) AND ($2 OR acked_at IS NULL) AND id > $3 ORDER BY id LIMIT $4",
        &[
            &tenant,
            &include_acked,
            &after.unwrap_or(0),
            &i64::try_from(limit).unwrap_or(i64::MAX),
        ],
    )
    .map_err(db)?
    .iter()
    .map(message)
    .collect()
}

/// Claims (see `OutboxStore::claim`): rows another consumer is claiming right
/// now are skipped, not waited for (`SKIP LOCKED`), and those under a
/// claim that still holds are not taken.
pub(crate) fn claim(
    c: &mut impl GenericClient,
    tenant: Option<&str>,
    limit: usize,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<OutboxMessage>, StoreError> {
    let mut claimed = c
        .query(
            "UPDATE outbox SET claimed_until = $4 WHERE id IN (SELECT id FROM outbox \
             WHERE ($1::TEXT IS NULL OR tenant = $1) AND acked_at IS NULL \
             AND (claimed_until IS NULL OR claimed_until <= $2) ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED) \
             RETURNING id, tenant, recipient, kind, session, text, created_at, acked_at",
            &[&tenant, &ts(now), &i64::try_from(limit).unwrap_or(i64::MAX), &ts(until)],
        )
        .map_err(db)?
        .iter()
        .map(message)
        .collect::<Result<Vec<_>, _>>()?;
    claimed.sort_by_key(|m| m.id);
    Ok(claimed)
}

/// All or nothing: every id is checked to be one of `tenant`'s messages
/// before any is acknowledged.
pub(crate) fn ack(
    c: &mut impl GenericClient,
    tenant: Option<&str>,
    ids: &[i64],
    at: DateTime<Utc>,
) -> Result<Acked, StoreError> {
    let mut unknown = Vec::new();
    for id in ids {
        let known = c
            .query_opt(
                "SELECT 1 FROM outbox WHERE id = $1 AND ($2::TEXT IS NULL OR tenant = $2) FOR UPDATE",
                &[id, &tenant],
            )
            .map_err(db)?
            .is_some();
        if !known && !unknown.contains(id) {
            unknown.push(*id);
        }
    }
    if !unknown.is_empty() {
        return Ok(Acked { acked: 0, unknown });
    }
    let mut acked = 0;
    for id in ids {
        acked += c
            .execute(
                "UPDATE outbox SET acked_at = $2 WHERE id = $1 AND acked_at IS NULL",
                &[id, &ts(at)],
            )
            .map_err(db)? as usize;
    }
    Ok(Acked { acked, unknown })
}

impl OutboxStore for PostgresStore {
    fn outbox(&self, tenant: Option<&str>, include_acked: bool) -> Result<Vec<OutboxMessage>, StoreError> {
        self.read(|c| outbox(c, tenant, include_acked))
    }

    fn outbox_page(
        &self,
        tenant: Option<&str>,
        include_acked: bool,
        after: Option<i64>,
        limit: usize,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        self.read(|c| outbox_page(c, tenant, include_acked, after, limit))
    }

    fn ack(&self, tenant: Option<&str>, ids: &[i64], at: DateTime<Utc>) -> Result<Acked, StoreError> {
        self.write(|tx| ack(tx, tenant, ids, at))
    }

    fn claim(
        &self,
        tenant: Option<&str>,
        limit: usize,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        self.write(|tx| claim(tx, tenant, limit, now, until))
    }
}
