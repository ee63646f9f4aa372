//! A tenant's activity at a glance: sessions started and decisions made
//! per day, denials by code, who impersonates most and who is
//! impersonated most (the console's overview, `GET .../stats`).
//!
//! **Why a rollup kept in memory.** Counting the trail on every page view
//! would read every event of the window each time (a million for a busy
//! tenant). Instead each process keeps, per tenant, counts by day and key
//! and the `seq` they cover, and reads only the events appended since
//! (`after_seq`, the chain's own index), so a page view costs the events
//! of the last minutes, not the month. The counts are derived data: they
//! are not stored, every replica makes its own, and a restart rebuilds
//! them from the trail on the first view. Days are UTC; an event counts on
//! the day of its `at` (a chain never runs backwards, so a past day never
//! changes).

use super::{AuditEvent, events};
use crate::SessionError;
use crate::store::AuditFilter;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, PoisonError};

/// Events read per store call while catching up.
const PAGE: usize = 10_000;
/// Tenants whose counts one process keeps; past it, it starts over.
const MAX_TENANTS: usize = 10_000;
/// Longest window asked at once, in days.
pub const MAX_DAYS: i64 = 366;
/// How many of the top actors and targets are listed.
pub const TOP: usize = 10;

/// What is counted, per day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Kind {
    Started,
    StartDenied,
    Allowed,
    Denied,
    /// A deny's code (start or action).
    Code,
    /// Sessions started, by actor.
    Actor,
    /// Sessions started, by target.
    Target,
}

#[derive(Debug, Default)]
struct Rollup {
    /// The last `seq` counted.
    seq: u64,
    counts: BTreeMap<(NaiveDate, Kind, String), u64>,
}

impl Rollup {
    fn add(&mut self, e: &AuditEvent) {
        let day = e.at.date_naive();
        let mut count = |kind, key: &str| *self.counts.entry((day, kind, key.to_string())).or_default() += 1;
        match e.event.as_str() {
            events::SESSION_STARTED => {
                count(Kind::Started, "");
                count(Kind::Actor, &e.actor);
                count(Kind::Target, &e.target);
            }
            events::SESSION_DENIED => count(Kind::StartDenied, ""),
            events::ACTION_ALLOWED => count(Kind::Allowed, ""),
            events::ACTION_DENIED => count(Kind::Denied, ""),
            _ => {}
        }
        if matches!(e.event.as_str(), events::SESSION_DENIED | events::ACTION_DENIED) {
            for code in &e.codes {
                count(Kind::Code, code);
            }
        }
        self.seq = e.seq;
    }
}

/// Each process's rollups, by tenant.
#[derive(Debug, Default)]
pub(crate) struct Rollups(Mutex<HashMap<String, Rollup>>);

/// One day of a window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Day {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    pub sessions_started: u64,
    pub starts_denied: u64,
    pub actions_allowed: u64,
    pub actions_denied: u64,
}

/// A key and how often it came up in the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Count {
    pub key: String,
    pub count: u64,
}

/// A tenant's activity over a window of whole days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Activity {
    /// The first day and the last, included.
    pub first_day: String,
    pub last_day: String,
    pub days: Vec<Day>,
    /// Denials (of starts and of actions) by reason code, most first.
    pub denials: Vec<Count>,
    /// Sessions started, by actor and by target: the first [`TOP`].
    pub top_actors: Vec<Count>,
    pub top_targets: Vec<Count>,
    /// Sessions active and waiting for approval now.
    pub active: u64,
    pub pending: u64,
    /// The last `seq` of the tenant's chain the counts include.
    pub through_seq: u64,
}

/// Why a window was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WindowError {
    #[error("`from` ({from}) is after `to` ({to})")]
    Backwards { from: NaiveDate, to: NaiveDate },
    #[error("a window is at most {MAX_DAYS} days")]
    TooLong,
}

impl crate::tenant::TenantAudit<'_> {
    /// The tenant's activity from day `from` to day `to` (both included,
    /// UTC), with its sessions as they stand at `now`.
    pub fn activity(&self, from: NaiveDate, to: NaiveDate, now: DateTime<Utc>) -> Result<Activity, ActivityError> {
        if from > to {
            return Err(WindowError::Backwards { from, to }.into());
        }
        if (to - from).num_days() >= MAX_DAYS {
            return Err(WindowError::TooLong.into());
        }
        let tenant = self.name().to_string();
        let mut all = self.sessions.activity.0.lock().unwrap_or_else(PoisonError::into_inner);
        if all.len() >= MAX_TENANTS && !all.contains_key(&tenant) {
            all.clear();
        }
        let rollup = all.entry(tenant.clone()).or_default();
        loop {
            let page = self.query(&AuditFilter {
                after_seq: Some(rollup.seq),
                limit: Some(PAGE),
                ..AuditFilter::default()
            })?;
            for e in &page {
                rollup.add(e);
            }
            if page.len() < PAGE {
                break;
            }
        }
        let mut days: BTreeMap<NaiveDate, Day> = BTreeMap::new();
        let mut day = from;
        while day <= to {
            days.insert(
                day,
                Day {
                    day: day.to_string(),
                    sessions_started: 0,
                    starts_denied: 0,
                    actions_allowed: 0,
                    actions_denied: 0,
                },
            );
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
        let mut keyed: [HashMap<&str, u64>; 3] = Default::default();
        for ((d, kind, key), n) in rollup.counts.range((from, Kind::Started, String::new())..) {
            if *d > to {
                break;
            }
            let Some(row) = days.get_mut(d) else { continue };
            match kind {
                Kind::Started => row.sessions_started += n,
                Kind::StartDenied => row.starts_denied += n,
                Kind::Allowed => row.actions_allowed += n,
                Kind::Denied => row.actions_denied += n,
                Kind::Code => *keyed[0].entry(key).or_default() += n,
                Kind::Actor => *keyed[1].entry(key).or_default() += n,
                Kind::Target => *keyed[2].entry(key).or_default() += n,
            }
        }
        let through_seq = rollup.seq;
        let [codes, actors, targets] = keyed.map(|m| ranked(m, usize::MAX));
        drop(all);
        let sessions = self.sessions().list(true, now)?;
        let pending = sessions.iter().filter(|s| s.is_pending()).count() as u64;
        Ok(Activity {
            first_day: from.to_string(),
            last_day: to.to_string(),
            days: days.into_values().collect(),
            denials: codes,
            top_actors: actors.into_iter().take(TOP).collect(),
            top_targets: targets.into_iter().take(TOP).collect(),
            active: sessions.len() as u64 - pending,
            pending,
            through_seq,
        })
    }
}

/// Most first, then by key.
fn ranked(m: HashMap<&str, u64>, n: usize) -> Vec<Count> {
    let mut v: Vec<Count> = m
        .into_iter()
        .map(|(key, count)| Count {
            key: key.to_string(),
            count,
        })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    v.truncate(n);
    v
}

/// Why the activity could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ActivityError {
    #[error(transparent)]
    Window(#[from] WindowError),
    #[error(transparent)]
    Session(#[from] SessionError),
}
