//! [`WebhookStore`] for [`PostgresStore`]: the `webhooks` and
//! `webhook_log` tables. Replicas lease endpoints with `FOR UPDATE SKIP
//! LOCKED`, so deliverers never wait for each other; a round's record is
//! committed with `synchronous_commit = off` (losing one to a crash only
//! means its events are sent again, with the same `webhook-id`).

use crate::codec::get;
use crate::{PostgresStore, db};
use chrono::{DateTime, Utc};
use postgres::{GenericClient, Row};
use standin::store::webhooks::{DELIVERY_COLUMNS, ENDPOINT_COLUMNS, EndpointRow, delivery_row};
use standin::store::{StoreError, WebhookStore};
use standin::webhooks::{Delivery, DeliveryStatus, Endpoint, Lease, Progress};

fn endpoint_row(r: &Row) -> Result<EndpointRow, StoreError> {
    Ok(EndpointRow {
        id: get(r, "id")?,
        tenant: get(r, "tenant")?,
        url: get(r, "url")?,
        events: get(r, "events")?,
        description: get(r, "description")?,
        created_at: get(r, "created_at")?,
        secrets: get(r, "secrets")?,
        cursor_seq: get(r, "cursor_seq")?,
        attempts: i64::from(get::<i32>(r, "attempts")?),
        failing_since: get(r, "failing_since")?,
        next_at: get(r, "next_at")?,
        last_error: get(r, "last_error")?,
        lease_holder: get(r, "lease_holder")?,
        lease_until: get(r, "lease_until")?,
        tag: get(r, "tag")?,
        format: get(r, "format")?,
        options: get(r, "options")?,
        outbox_seq: get(r, "outbox_seq")?,
    })
}

fn delivery(r: &Row) -> Result<Delivery, StoreError> {
    delivery_row(
        get(r, "endpoint")?,
        get(r, "seq")?,
        get(r, "message_id")?,
        get(r, "event")?,
        &get::<String>(r, "status")?,
        i64::from(get::<i32>(r, "attempts")?),
        get::<Option<i32>>(r, "response_status")?.map(i64::from),
        get(r, "error")?,
        get(r, "at")?,
    )
}

fn one(c: &mut impl GenericClient, id: &str, lock: &str) -> Result<Option<EndpointRow>, StoreError> {
    c.query_opt(
        &format!("SELECT {ENDPOINT_COLUMNS} FROM webhooks WHERE id = $1 {lock}"),
        &[&id],
    )
    .map_err(db)?
    .map(|r| endpoint_row(&r))
    .transpose()
}

fn seq(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl WebhookStore for PostgresStore {
    fn put_webhook(&self, endpoint: &Endpoint) -> Result<(), StoreError> {
        let row = EndpointRow::new(endpoint, &self.integrity());
        self.write(|tx| {
            // From the tenant's head as this transaction sees it: an event
            // committing meanwhile has a later `seq`, so it is delivered.
            let head: i64 = tx
                .query_one(
                    "SELECT COALESCE(MAX(seq), 0) FROM audit WHERE tenant = $1",
                    &[&row.tenant],
                )
                .map_err(db)?
                .get(0);
            let last_message: i64 = tx
                .query_one(
                    "SELECT COALESCE(MAX(id), 0) FROM outbox WHERE tenant = $1",
                    &[&row.tenant],
                )
                .map_err(db)?
                .get(0);
            tx.execute(
                &format!(
                    "INSERT INTO webhooks ({ENDPOINT_COLUMNS}) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, NULL, NULL, NULL, NULL, NULL, $9, $10, $11, $12)"
                ),
                &[
                    &row.id,
                    &row.tenant,
                    &row.url,
                    &row.events,
                    &row.description,
                    &row.created_at,
                    &row.secrets,
                    &head,
                    &row.tag,
                    &row.format,
                    &row.options,
                    &last_message,
                ],
            )
            .map_err(db)?;
            Ok(())
        })
    }

    fn update_webhook(&self, endpoint: &Endpoint) -> Result<bool, StoreError> {
        let row = EndpointRow::new(endpoint, &self.integrity());
        self.write(|tx| {
            let n = tx
                .execute(
                    "UPDATE webhooks SET url = $2, events = $3, description = $4, secrets = $5, format = $6, \
                     options = $7, tag = $8 WHERE id = $1",
                    &[
                        &row.id,
                        &row.url,
                        &row.events,
                        &row.description,
                        &row.secrets,
                        &row.format,
                        &row.options,
                        &row.tag,
                    ],
                )
                .map_err(db)?;
            Ok(n > 0)
        })
    }

    fn ack_webhook(&self, id: &str, seq: u64) -> Result<bool, StoreError> {
        let seq = i64::try_from(seq).unwrap_or(i64::MAX);
        self.write(|tx| {
            tx.batch_execute("SET LOCAL synchronous_commit = off").map_err(db)?;
            let n = tx
                .execute(
                    "UPDATE webhooks SET cursor_seq = GREATEST(cursor_seq, $2) WHERE id = $1",
                    &[&id, &seq],
                )
                .map_err(db)?;
            Ok(n > 0)
        })
    }

    fn webhooks(&self, tenant: Option<&str>) -> Result<Vec<Endpoint>, StoreError> {
        let integrity = self.integrity();
        self.read(|c| {
            c.query(
                &format!(
                    "SELECT {ENDPOINT_COLUMNS} FROM webhooks WHERE ($1::TEXT IS NULL OR tenant = $1) \
                     ORDER BY created_at, id"
                ),
                &[&tenant],
            )
            .map_err(db)?
            .iter()
            .map(|r| endpoint_row(r)?.endpoint(&integrity))
            .collect()
        })
    }

    fn webhook(&self, id: &str) -> Result<Option<Endpoint>, StoreError> {
        let integrity = self.integrity();
        self.read(|c| one(c, id, "")?.map(|r| r.endpoint(&integrity)).transpose())
    }

    fn remove_webhook(&self, id: &str) -> Result<bool, StoreError> {
        self.write(|tx| {
            tx.execute("DELETE FROM webhook_log WHERE endpoint = $1", &[&id])
                .map_err(db)?;
            Ok(tx.execute("DELETE FROM webhooks WHERE id = $1", &[&id]).map_err(db)? > 0)
        })
    }

    fn lease_webhooks(
        &self,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<Endpoint>, StoreError> {
        let integrity = self.integrity();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.write(|tx| {
            tx.batch_execute("SET LOCAL synchronous_commit = off").map_err(db)?;
            let due = tx
                .query(
                    &format!(
                        "SELECT {ENDPOINT_COLUMNS} FROM webhooks WHERE format <> 'ssf-poll' AND (lease_until IS NULL OR lease_until <= $1) \
                         AND ((next_at IS NULL OR next_at <= $1) AND (cursor_seq < (SELECT COALESCE(MAX(seq), 0) FROM audit \
                 WHERE audit.tenant = webhooks.tenant) OR (events LIKE '%\"outbox.%' AND outbox_seq < \
                 (SELECT COALESCE(MAX(id), 0) FROM outbox WHERE outbox.tenant = webhooks.tenant))) OR EXISTS (SELECT 1 FROM webhook_log \
                         WHERE endpoint = webhooks.id AND status = 'replaying')) \
                         ORDER BY COALESCE(next_at, 0), id LIMIT $2 FOR UPDATE SKIP LOCKED"
                    ),
                    &[&now.timestamp_millis(), &limit],
                )
                .map_err(db)?;
            let mut leased = Vec::new();
            for row in &due {
                // A row a database writer made or edited is never leased.
                let Ok(mut endpoint) = endpoint_row(row)?.endpoint(&integrity) else {
                    continue;
                };
                tx.execute(
                    "UPDATE webhooks SET lease_holder = $2, lease_until = $3 WHERE id = $1",
                    &[&endpoint.id, &holder, &until.timestamp_millis()],
                )
                .map_err(db)?;
                endpoint.lease = Some(Lease {
                    holder: holder.to_string(),
                    until,
                });
                leased.push(endpoint);
            }
            Ok(leased)
        })
    }

    fn advance_webhook(&self, p: &Progress) -> Result<bool, StoreError> {
        self.write(|tx| {
            tx.batch_execute("SET LOCAL synchronous_commit = off").map_err(db)?;
            let held: Option<String> = tx
                .query_opt(
                    "SELECT lease_holder FROM webhooks WHERE id = $1 FOR UPDATE",
                    &[&p.endpoint],
                )
                .map_err(db)?
                .and_then(|r| r.get(0));
            if held.as_deref() != Some(p.holder.as_str()) {
                return Ok(false);
            }
            if !p.log.is_empty() {
                let put = tx
                    .prepare(&format!(
                        "INSERT INTO webhook_log ({DELIVERY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                         ON CONFLICT (endpoint, seq) DO UPDATE SET message_id = EXCLUDED.message_id, \
                         event = EXCLUDED.event, status = EXCLUDED.status, attempts = EXCLUDED.attempts, \
                         response_status = EXCLUDED.response_status, error = EXCLUDED.error, at = EXCLUDED.at"
                    ))
                    .map_err(db)?;
                for d in &p.log {
                    let attempts = i32::try_from(d.attempts).unwrap_or(i32::MAX);
                    let status = d.response_status.map(i32::from);
                    tx.execute(
                        &put,
                        &[
                            &d.endpoint,
                            &seq(d.seq),
                            &d.message_id,
                            &d.event,
                            &d.status.as_str(),
                            &attempts,
                            &status,
                            &d.error,
                            &d.at.timestamp(),
                        ],
                    )
                    .map_err(db)?;
                }
            }
            if let Some(c) = &p.cursor {
                let attempts = i32::try_from(c.attempts).unwrap_or(i32::MAX);
                tx.execute(
                    "UPDATE webhooks SET cursor_seq = $2, attempts = $3, failing_since = $4, next_at = $5, \
                     last_error = $6, outbox_seq = $7 WHERE id = $1",
                    &[
                        &p.endpoint,
                        &seq(c.seq),
                        &attempts,
                        &c.failing_since.map(|t| t.timestamp()),
                        &c.next_at.map(|t| t.timestamp_millis()),
                        &c.last_error,
                        &c.outbox,
                    ],
                )
                .map_err(db)?;
            }
            if p.release {
                tx.execute(
                    "UPDATE webhooks SET lease_holder = NULL, lease_until = NULL WHERE id = $1",
                    &[&p.endpoint],
                )
                .map_err(db)?;
            }
            Ok(true)
        })
    }

    fn webhook_deliveries(
        &self,
        id: &str,
        status: Option<DeliveryStatus>,
        limit: usize,
    ) -> Result<Vec<Delivery>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let status = status.map(DeliveryStatus::as_str);
        self.read(|c| {
            c.query(
                &format!(
                    "SELECT {DELIVERY_COLUMNS} FROM webhook_log WHERE endpoint = $1 \
                     AND ($2::TEXT IS NULL OR status = $2) ORDER BY seq DESC LIMIT $3"
                ),
                &[&id, &status, &limit],
            )
            .map_err(db)?
            .iter()
            .map(delivery)
            .collect()
        })
    }

    fn replay_webhook(&self, id: &str, at: DateTime<Utc>) -> Result<usize, StoreError> {
        self.write(|tx| {
            let n = tx
                .execute(
                    "UPDATE webhook_log SET status = 'replaying', at = $2 WHERE endpoint = $1 AND status = 'dead'",
                    &[&id, &at.timestamp()],
                )
                .map_err(db)?;
            Ok(usize::try_from(n).unwrap_or(usize::MAX))
        })
    }

    fn prune_webhook_log(&self, before: DateTime<Utc>) -> Result<usize, StoreError> {
        self.write(|tx| {
            let n = tx
                .execute(
                    "DELETE FROM webhook_log WHERE status = 'delivered' AND at < $1",
                    &[&before.timestamp()],
                )
                .map_err(db)?;
            Ok(usize::try_from(n).unwrap_or(usize::MAX))
        })
    }
}
