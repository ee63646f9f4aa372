//! [`WebhookStore`] for [`SqliteStore`]: the `webhooks` and `webhook_log`
//! tables. Leases and rounds are written without waiting for the log's
//! fsync: losing one to a crash only means its events are sent again
//! (same `webhook-id`), and an fsync per round would take the write lock
//! the decisions need for longer.

use super::codec::{cell, int, opt_int, opt_text, text};
use crate::{SqliteStore, db, lock};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use standin::store::webhooks::{DELIVERY_COLUMNS, ENDPOINT_COLUMNS, EndpointRow, delivery_row};
use standin::store::{Integrity, StoreError, WebhookStore};
use standin::webhooks::{Delivery, DeliveryStatus, Endpoint, Progress};

fn endpoint_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<EndpointRow, StoreError>> {
    let c = (0..18).map(|i| cell(r, i)).collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((|| {
        Ok(EndpointRow {
            id: text("id", &c[0])?,
            tenant: text("tenant", &c[1])?,
            url: text("url", &c[2])?,
            events: text("events", &c[3])?,
            description: opt_text("description", &c[4])?,
            created_at: int("created_at", &c[5])?,
            secrets: text("secrets", &c[6])?,
            cursor_seq: int("cursor_seq", &c[7])?,
            attempts: int("attempts", &c[8])?,
            failing_since: opt_int("failing_since", &c[9])?,
            next_at: opt_int("next_at", &c[10])?,
            last_error: opt_text("last_error", &c[11])?,
            lease_holder: opt_text("lease_holder", &c[12])?,
            lease_until: opt_int("lease_until", &c[13])?,
            tag: opt_text("tag", &c[14])?,
            format: text("format", &c[15])?,
            options: opt_text("options", &c[16])?,
            outbox_seq: int("outbox_seq", &c[17])?,
        })
    })())
}

fn endpoints(conn: &Connection, sql: &str, args: impl rusqlite::Params) -> Result<Vec<EndpointRow>, StoreError> {
    let mut stmt = conn.prepare_cached(sql).map_err(db)?;
    let rows = stmt.query_map(args, endpoint_row).map_err(db)?;
    rows.map(|r| r.map_err(db)?).collect()
}

fn delivery(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Delivery, StoreError>> {
    let c = (0..9).map(|i| cell(r, i)).collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((|| {
        delivery_row(
            text("endpoint", &c[0])?,
            int("seq", &c[1])?,
            text("message_id", &c[2])?,
            text("event", &c[3])?,
            &text("status", &c[4])?,
            int("attempts", &c[5])?,
            opt_int("response_status", &c[6])?,
            opt_text("error", &c[7])?,
            int("at", &c[8])?,
        )
    })())
}

/// The rows of a round, by endpoint and `seq`.
fn log(conn: &Connection, rows: &[Delivery]) -> Result<(), StoreError> {
    let mut put = conn
        .prepare_cached(&format!(
            "INSERT OR REPLACE INTO webhook_log ({DELIVERY_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
        ))
        .map_err(db)?;
    for d in rows {
        put.execute(params![
            d.endpoint,
            i64::try_from(d.seq).unwrap_or(i64::MAX),
            d.message_id,
            d.event,
            d.status.as_str(),
            d.attempts,
            d.response_status,
            d.error,
            d.at.timestamp()
        ])
        .map_err(db)?;
    }
    Ok(())
}

impl SqliteStore {
    /// A webhook write: in the write lock, without the log's fsync (see the
    /// module's documentation).
    fn write_unsynced<R>(&self, f: impl FnOnce(&Connection) -> Result<R, StoreError>) -> Result<R, StoreError> {
        self.writable("a webhook change")?;
        lock(&self.db).transaction(|conn, _, _| f(conn))
    }

    fn checked(&self, rows: Vec<EndpointRow>) -> Result<Vec<Endpoint>, StoreError> {
        let integrity: std::sync::Arc<Integrity> = self.integrity();
        rows.into_iter().map(|r| r.endpoint(&integrity)).collect()
    }
}

impl WebhookStore for SqliteStore {
    fn put_webhook(&self, endpoint: &Endpoint) -> Result<(), StoreError> {
        let row = EndpointRow::new(endpoint, &self.integrity());
        self.write(|conn, _| {
            // From the tenant's head as of this commit: what happens from now on.
            let head: i64 = conn
                .query_row(
                    "SELECT COALESCE(MAX(seq), 0) FROM audit WHERE tenant = ?1",
                    [&row.tenant],
                    |r| r.get(0),
                )
                .map_err(db)?;
            let last_message: i64 = conn
                .query_row(
                    "SELECT COALESCE(MAX(id), 0) FROM outbox WHERE tenant = ?1",
                    [&row.tenant],
                    |r| r.get(0),
                )
                .map_err(db)?;
            conn.execute(
                &format!(
                    "INSERT INTO webhooks ({ENDPOINT_COLUMNS}) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, NULL, NULL, NULL, NULL, NULL, ?9, ?10, ?11, ?12)"
                ),
                params![
                    row.id,
                    row.tenant,
                    row.url,
                    row.events,
                    row.description,
                    row.created_at,
                    row.secrets,
                    head,
                    row.tag,
                    row.format,
                    row.options,
                    last_message
                ],
            )
            .map_err(db)?;
            Ok(())
        })
    }

    fn update_webhook(&self, endpoint: &Endpoint) -> Result<bool, StoreError> {
        let row = EndpointRow::new(endpoint, &self.integrity());
        self.write(|conn, _| {
            let n = conn
                .execute(
                    "UPDATE webhooks SET url = ?2, events = ?3, description = ?4, secrets = ?5, format = ?6, \
                     options = ?7, tag = ?8 WHERE id = ?1",
                    params![
                        row.id,
                        row.url,
                        row.events,
                        row.description,
                        row.secrets,
                        row.format,
                        row.options,
                        row.tag
                    ],
                )
                .map_err(db)?;
            Ok(n > 0)
        })
    }

    fn ack_webhook(&self, id: &str, seq: u64) -> Result<bool, StoreError> {
        self.write_unsynced(|conn| {
            let seq = i64::try_from(seq).unwrap_or(i64::MAX);
            conn.execute(
                "UPDATE webhooks SET cursor_seq = MAX(cursor_seq, ?2) WHERE id = ?1",
                params![id, seq],
            )
            .map(|n| n > 0)
            .map_err(db)
        })
    }

    fn webhooks(&self, tenant: Option<&str>) -> Result<Vec<Endpoint>, StoreError> {
        let rows = self.read(|conn| {
            endpoints(
                conn,
                &format!(
                    "SELECT {ENDPOINT_COLUMNS} FROM webhooks WHERE (?1 IS NULL OR tenant = ?1) ORDER BY created_at, id"
                ),
                [tenant],
            )
        })?;
        self.checked(rows)
    }

    fn webhook(&self, id: &str) -> Result<Option<Endpoint>, StoreError> {
        let rows = self.read(|conn| {
            endpoints(
                conn,
                &format!("SELECT {ENDPOINT_COLUMNS} FROM webhooks WHERE id = ?1"),
                [id],
            )
        })?;
        Ok(self.checked(rows)?.pop())
    }

    fn remove_webhook(&self, id: &str) -> Result<bool, StoreError> {
        self.write(|conn, _| {
            conn.execute("DELETE FROM webhook_log WHERE endpoint = ?1", [id])
                .map_err(db)?;
            Ok(conn.execute("DELETE FROM webhooks WHERE id = ?1", [id]).map_err(db)? > 0)
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
        // Most polls find nothing due: look first without the write lock
        // the decisions need.
        let any: bool = self.read(|conn| {
            conn.prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM webhooks WHERE format <> 'ssf-poll' AND (lease_until IS NULL OR lease_until <= ?1) \
                 AND ((next_at IS NULL OR next_at <= ?1) AND (cursor_seq < (SELECT COALESCE(MAX(seq), 0) FROM audit \
                 WHERE audit.tenant = webhooks.tenant) OR (events LIKE '%\"outbox.%' AND outbox_seq < \
                 (SELECT COALESCE(MAX(id), 0) FROM outbox WHERE outbox.tenant = webhooks.tenant))) OR EXISTS (SELECT 1 FROM webhook_log \
                 WHERE endpoint = webhooks.id AND status = 'replaying')))",
            )
            .map_err(db)?
            .query_row([now.timestamp_millis()], |r| r.get(0))
            .map_err(db)
        })?;
        if !any {
            return Ok(Vec::new());
        }
        self.write_unsynced(|conn| {
            let due = endpoints(
                conn,
                &format!(
                    "SELECT {ENDPOINT_COLUMNS} FROM webhooks WHERE format <> 'ssf-poll' AND (lease_until IS NULL OR lease_until <= ?1) \
                     AND ((next_at IS NULL OR next_at <= ?1) AND (cursor_seq < (SELECT COALESCE(MAX(seq), 0) FROM audit \
                 WHERE audit.tenant = webhooks.tenant) OR (events LIKE '%\"outbox.%' AND outbox_seq < \
                 (SELECT COALESCE(MAX(id), 0) FROM outbox WHERE outbox.tenant = webhooks.tenant))) OR EXISTS (SELECT 1 FROM webhook_log \
                     WHERE endpoint = webhooks.id AND status = 'replaying')) ORDER BY COALESCE(next_at, 0), id"
                ),
                [now.timestamp_millis()],
            )?;
            let mut leased = Vec::new();
            let mut take = conn
                .prepare_cached("UPDATE webhooks SET lease_holder = ?2, lease_until = ?3 WHERE id = ?1")
                .map_err(db)?;
            for row in due {
                if leased.len() == limit {
                    break;
                }
                // A row a database writer made or edited is never leased.
                let Ok(mut endpoint) = row.endpoint(&integrity) else {
                    continue;
                };
                take.execute(params![endpoint.id, holder, until.timestamp_millis()])
                    .map_err(db)?;
                endpoint.lease = Some(standin::webhooks::Lease {
                    holder: holder.to_string(),
                    until,
                });
                leased.push(endpoint);
            }
            Ok(leased)
        })
    }

    fn advance_webhook(&self, p: &Progress) -> Result<bool, StoreError> {
        self.write_unsynced(|conn| {
            let held: Option<String> = conn
                .query_row("SELECT lease_holder FROM webhooks WHERE id = ?1", [&p.endpoint], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(db)?
                .flatten();
            if held.as_deref() != Some(p.holder.as_str()) {
                return Ok(false);
            }
            log(conn, &p.log)?;
            if let Some(c) = &p.cursor {
                conn.execute(
                    "UPDATE webhooks SET cursor_seq = ?2, attempts = ?3, failing_since = ?4, next_at = ?5, \
                     last_error = ?6, outbox_seq = ?7 WHERE id = ?1",
                    params![
                        p.endpoint,
                        i64::try_from(c.seq).unwrap_or(i64::MAX),
                        c.attempts,
                        c.failing_since.map(|t| t.timestamp()),
                        c.next_at.map(|t| t.timestamp_millis()),
                        c.last_error,
                        c.outbox
                    ],
                )
                .map_err(db)?;
            }
            if p.release {
                conn.execute(
                    "UPDATE webhooks SET lease_holder = NULL, lease_until = NULL WHERE id = ?1",
                    [&p.endpoint],
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
        self.read(|conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {DELIVERY_COLUMNS} FROM webhook_log WHERE endpoint = ?1 AND (?2 IS NULL OR status = ?2) \
                     ORDER BY seq DESC LIMIT ?3"
                ))
                .map_err(db)?;
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            let rows = stmt
                .query_map(params![id, status.map(DeliveryStatus::as_str), limit], delivery)
                .map_err(db)?;
            rows.map(|r| r.map_err(db)?).collect()
        })
    }

    fn replay_webhook(&self, id: &str, at: DateTime<Utc>) -> Result<usize, StoreError> {
        self.write(|conn, _| {
            conn.execute(
                "UPDATE webhook_log SET status = 'replaying', at = ?2 WHERE endpoint = ?1 AND status = 'dead'",
                params![id, at.timestamp()],
            )
            .map_err(db)
        })
    }

    fn prune_webhook_log(&self, before: DateTime<Utc>) -> Result<usize, StoreError> {
        self.write_unsynced(|conn| {
            conn.execute(
                "DELETE FROM webhook_log WHERE status = 'delivered' AND at < ?1",
                [before.timestamp()],
            )
            .map_err(db)
        })
    }
}
