//! Actions' audit rows, the hot path: many calls in one transaction (the
//! group commit the trait allows, [`SessionStore::append_actions`]).
//!
//! A batch first takes its sessions' rows `FOR SHARE`, in id order: an
//! end, a revoke or an expiry (which takes the row `FOR UPDATE`) then
//! waits for the batch, or commits first and the batch sees it; two
//! batches do not wait for each other on a session. Only then are the
//! tenants' chain heads locked, so no transaction holds a head while it
//! waits for a session (a change holds its session, then the head): no
//! cycle. Every record whose session is active and not past its deadline
//! at the call's `now` is appended, the others are answered
//! [`ActionAppended::Inactive`].
//!
//! [`SessionStore::append_actions`]: standin::store::SessionStore::append_actions

use crate::PostgresStore;
use crate::audit::Appender;
use chrono::{DateTime, Utc};
use postgres::Transaction;
use standin::store::Integrity;
use standin::store::{ActionAppended, ActionRecord, LATENCY_BUCKETS, StoreError};
use std::collections::HashMap;
use std::sync::{Arc, PoisonError};

/// Calls per transaction: bounds one statement's size and one commit's wait.
pub(crate) const MAX_BATCH: usize = 2048;

/// What each record became, in order.
pub(crate) fn append(
    tx: &mut Transaction<'_>,
    records: Vec<ActionRecord>,
    integrity: Arc<Integrity>,
) -> Result<Vec<Result<ActionAppended, StoreError>>, StoreError> {
    let mut ids: Vec<&str> = records.iter().map(|r| r.session.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    // The whole rows, so their tags are checked: a row a database writer
    // set back to active allows nothing. A deadline is never past 24 h
    // from the start (S1), whatever `expires_at` says.
    let mut sessions = HashMap::new();
    for (id, row) in crate::sessions::share(tx, &ids, &integrity)? {
        let open = row.ok().filter(|s| s.is_active()).map(|s| s.deadline());
        sessions.insert(id, (open.is_some(), open.unwrap_or(DateTime::<Utc>::MIN_UTC)));
    }
    // The heads are locked before the deadlines are looked at: a call that
    // waited past its caller's deadline for a head writes nothing.
    let mut appender = Appender::new(integrity);
    let mut tenants: Vec<String> = records
        .iter()
        .filter_map(|r| r.audit.first().map(|e| e.tenant.clone()))
        .collect();
    tenants.sort_unstable();
    tenants.dedup();
    for tenant in &tenants {
        appender.head(tx, tenant)?;
    }
    let mut answers: Vec<Option<Result<ActionAppended, StoreError>>> = Vec::with_capacity(records.len());
    let (mut events, mut counts) = (Vec::new(), Vec::new());
    for r in records {
        match sessions.get(&r.session) {
            None => answers.push(Some(Err(StoreError::UnknownSession(r.session)))),
            Some(&(active, _)) if active && standin::deadline::passed(r.answer_by) => {
                answers.push(Some(Ok(ActionAppended::Late)));
            }
            Some(&(active, expires_at)) if active && r.now < expires_at => {
                counts.push(r.audit.len());
                events.extend(r.audit);
                answers.push(None);
            }
            Some(_) => answers.push(Some(Ok(ActionAppended::Inactive))),
        }
    }
    let mut sealed = appender.append_all(tx, events)?.into_iter();
    let mut counts = counts.into_iter();
    Ok(answers
        .into_iter()
        .map(|a| {
            a.unwrap_or_else(|| {
                let n = counts.next().unwrap_or(0);
                Ok(ActionAppended::Committed(sealed.by_ref().take(n).collect()))
            })
        })
        .collect())
}

impl PostgresStore {
    /// Appends `records` in one transaction; one answer per record, in
    /// order (each an error when the transaction failed: none was committed).
    pub(crate) fn append_many(&self, records: Vec<ActionRecord>) -> Vec<Result<ActionAppended, StoreError>> {
        let n = records.len();
        let began = std::time::Instant::now();
        let integrity = self.integrity();
        let written = self.write(|tx| append(tx, records, integrity));
        self.count_commit(began.elapsed(), n, written.is_ok());
        match written {
            Ok(answers) => answers,
            Err(e) => {
                let why = e.to_string();
                (0..n).map(|_| Err(StoreError::Writer(why.clone()))).collect()
            }
        }
    }

    /// Counts one group commit of `calls` actions that took `took`.
    pub(crate) fn count_commit(&self, took: std::time::Duration, calls: usize, committed: bool) {
        if !committed {
            return;
        }
        let mut stats = self.stats.lock().unwrap_or_else(PoisonError::into_inner);
        stats.commits += 1;
        stats.rows += calls as u64;
        let secs = took.as_secs_f64();
        stats.commit_seconds += secs;
        if let Some(i) = LATENCY_BUCKETS.iter().position(|b| secs <= *b) {
            stats.commit_buckets[i] += 1;
        }
    }
}
