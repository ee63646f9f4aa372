//! The outbox as the session logic offers it: each tenant's notification
//! switch and texts (N1), and the messages, read, claimed by consumers and
//! acknowledged once delivered.

use crate::model::{Acked, Notifications, OutboxMessage};
use crate::sessions::SessionError;
use crate::sessions::changes::{MAX_MESSAGE_BYTES, secs};
use chrono::{DateTime, Utc};

/// The messages for targets (N1) and their settings; from [`Outbox::list`](crate::outbox::Outbox::list).
#[derive(Debug, Clone, Copy)]
pub struct Outbox<'a>(pub(crate) &'a crate::Standin);

impl std::ops::Deref for Outbox<'_> {
    type Target = crate::Standin;

    fn deref(&self) -> &crate::Standin {
        self.0
    }
}

impl Outbox<'_> {
    /// Switches a tenant's notifications and texts (N1). A template is at
    /// most [`MAX_MESSAGE_BYTES`] long.
    pub fn set_notifications(&self, tenant: &str, n: &Notifications) -> Result<(), SessionError> {
        crate::request::check_id("tenant", tenant)?;
        for (field, template) in [
            ("started_template", &n.started_template),
            ("ended_template", &n.ended_template),
        ] {
            if template.len() > MAX_MESSAGE_BYTES {
                return Err(crate::request::RequestError::FieldTooLong {
                    field,
                    actual: template.len(),
                    max: MAX_MESSAGE_BYTES,
                }
                .into());
            }
        }
        Ok(self.store.set_notifications(tenant, n)?)
    }

    pub fn notifications(&self, tenant: &str) -> Result<Notifications, SessionError> {
        Ok(self.store.notifications(tenant)?)
    }

    /// Messages not yet acknowledged (or all), oldest first.
    pub fn list(&self, tenant: Option<&str>, include_acked: bool) -> Result<Vec<OutboxMessage>, SessionError> {
        Ok(self.store.outbox(tenant, include_acked)?)
    }

    /// One page of [`Self::list`]: at most `limit` messages with ids above `after`.
    pub fn page(
        &self,
        tenant: Option<&str>,
        include_acked: bool,
        after: Option<i64>,
        limit: usize,
    ) -> Result<Vec<OutboxMessage>, SessionError> {
        Ok(self.store.outbox_page(tenant, include_acked, after, limit)?)
    }

    /// Marks `tenant`'s messages `ids` delivered, all or nothing: when
    /// some id is not one of `tenant`'s messages, none is acknowledged and
    /// [`Acked::unknown`] names them.
    pub fn ack(&self, tenant: &str, ids: &[i64], now: DateTime<Utc>) -> Result<Acked, SessionError> {
        Ok(self.store.ack(Some(tenant), ids, secs(now))?)
    }

    /// Claims up to `limit` unacknowledged messages (of `tenant`, or of any
    /// tenant) no other consumer holds, oldest first, for `lease`: until
    /// then no other consumer gets them; one not acknowledged by then may
    /// be claimed again (see [`OutboxStore::claim`](crate::store::OutboxStore::claim)).
    pub fn claim(
        &self,
        tenant: Option<&str>,
        limit: usize,
        lease: std::time::Duration,
        now: DateTime<Utc>,
    ) -> Result<Vec<OutboxMessage>, SessionError> {
        let now = secs(now);
        let lease = chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::MAX);
        let until = now.checked_add_signed(lease).unwrap_or(DateTime::<Utc>::MAX_UTC);
        Ok(self.store.claim(tenant, limit, now, secs(until))?)
    }

    /// [`Self::ack`] for the operator, whose ids may be any tenant's
    /// (`standin outbox ack` without `--tenant`); unknown ids are still named.
    pub fn ack_any(&self, ids: &[i64], now: DateTime<Utc>) -> Result<Acked, SessionError> {
        Ok(self.store.ack(None, ids, secs(now))?)
    }
}
