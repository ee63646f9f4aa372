//! What-if replay: the decisions the audit trail recorded, asked again of
//! a candidate policy version, and every answer that would change.
//!
//! Each `session.started`, `session.extended`, `session.denied`,
//! `action.allowed` and `action.denied` row keeps the request its policy
//! saw (with its time and the actor's session as they were), so the
//! candidate answers exactly the question that was asked. Rows written
//! without a request are counted as skipped, never guessed.

use super::{PolicyError, Registry};
use crate::audit::{AuditEvent, events};
use crate::decision::PolicyRef;
use crate::decision::{Decision, Verdict};
use crate::request::{ActionRequest, StartRequest};
use crate::store::AuditFilter;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// A decision, as far as replay compares it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplayOutcome {
    pub decision: Verdict,
    /// Reason codes, sorted, without repeats.
    pub codes: Vec<String>,
}

impl ReplayOutcome {
    fn of(decision: Verdict, codes: impl IntoIterator<Item = String>) -> Self {
        let mut codes: Vec<String> = codes.into_iter().collect();
        codes.sort();
        codes.dedup();
        Self { decision, codes }
    }

    fn recorded(e: &AuditEvent) -> Self {
        let allowed = matches!(
            e.event.as_str(),
            events::SESSION_STARTED | events::SESSION_EXTENDED | events::ACTION_ALLOWED
        );
        let verdict = if allowed { Verdict::Allow } else { Verdict::Deny };
        Self::of(verdict, e.codes.iter().cloned())
    }

    fn decided(d: &Decision) -> Self {
        Self::of(d.verdict(), d.codes().map(str::to_string))
    }
}

/// How a decision would change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    AllowToDeny,
    DenyToAllow,
    /// Still a deny, for other reasons.
    CodesChanged,
}

/// One recorded decision the candidate would answer differently.
#[derive(Debug, Clone, Serialize)]
pub struct ReplayChange {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub event: String,
    pub session: Option<String>,
    pub actor: String,
    pub target: String,
    pub action: Option<String>,
    pub change: ChangeKind,
    /// As recorded, with the version that decided it.
    pub before: ReplayOutcome,
    pub before_policy: PolicyRef,
    pub after: ReplayOutcome,
}

/// The report of `standin policy diff`.
#[derive(Debug, Clone, Serialize)]
pub struct Replay {
    pub tenant: String,
    pub candidate: PolicyRef,
    pub since: Option<DateTime<Utc>>,
    /// Recorded decisions asked again.
    pub replayed: usize,
    pub unchanged: usize,
    pub changed: usize,
    pub allow_to_deny: usize,
    pub deny_to_allow: usize,
    pub codes_changed: usize,
    /// Decision rows without a recorded request.
    pub skipped: usize,
    pub changes: Vec<ReplayChange>,
}

const REPLAYED: [&str; 5] = [
    events::SESSION_STARTED,
    events::SESSION_EXTENDED,
    events::SESSION_DENIED,
    events::ACTION_ALLOWED,
    events::ACTION_DENIED,
];

impl Registry<'_> {
    /// Asks version `candidate` of the tenant's policy (0: the built-in
    /// policy with its defaults) every recorded decision since `since`, and
    /// reports those it would answer differently.
    pub fn replay(&self, tenant: &str, candidate: u32, since: Option<DateTime<Utc>>) -> Result<Replay, PolicyError> {
        let stored = match candidate {
            0 => super::resolve::builtin(tenant),
            v => self.version(tenant, v)?,
        };
        let (stored, policy) = self.load(stored)?;
        let reference = stored.reference();
        let rows = self.sessions.store.audit(&AuditFilter {
            tenant: Some(tenant.to_string()),
            since,
            ..AuditFilter::default()
        })?;
        let mut report = Replay {
            tenant: tenant.to_string(),
            candidate: reference,
            since,
            replayed: 0,
            unchanged: 0,
            changed: 0,
            allow_to_deny: 0,
            deny_to_allow: 0,
            codes_changed: 0,
            skipped: 0,
            changes: Vec::new(),
        };
        for row in rows.iter().filter(|r| REPLAYED.contains(&r.event.as_str())) {
            let Some(text) = &row.request else {
                report.skipped += 1;
                continue;
            };
            let decision = if row.event.starts_with("action.") {
                serde_json::from_str::<ActionRequest>(text).map(|r| policy.evaluate_action(&r, row.at))
            } else {
                serde_json::from_str::<StartRequest>(text).map(|r| policy.evaluate_start(&r, row.at))
            };
            let Ok(decision) = decision else {
                report.skipped += 1;
                continue;
            };
            report.replayed += 1;
            let (before, after) = (ReplayOutcome::recorded(row), ReplayOutcome::decided(&decision));
            let change = match (before.decision, after.decision) {
                _ if before == after => {
                    report.unchanged += 1;
                    continue;
                }
                (Verdict::Allow, Verdict::Deny) => {
                    report.allow_to_deny += 1;
                    ChangeKind::AllowToDeny
                }
                (Verdict::Deny, Verdict::Allow) => {
                    report.deny_to_allow += 1;
                    ChangeKind::DenyToAllow
                }
                _ => {
                    report.codes_changed += 1;
                    ChangeKind::CodesChanged
                }
            };
            report.changed += 1;
            report.changes.push(ReplayChange {
                seq: row.seq,
                at: row.at,
                event: row.event.clone(),
                session: row.session.clone(),
                actor: row.actor.clone(),
                target: row.target.clone(),
                action: row.action.clone(),
                change,
                before,
                before_policy: row.policy.clone(),
                after,
            });
        }
        Ok(report)
    }
}
