//! Approval (AP1, beyond the seeds): a start the policy answers `pending`
//! waits, stored as a `pending` session, until someone answers it.
//!
//! The answer is the policy's to judge, not the caller's: the approver's
//! facts and the start as it stands at the answer (the principals' newest
//! facts, the actor's current session) go to `evaluate-approval` of the
//! version that asked for approval, and the host refuses the actor as
//! approver whatever the policy says. An approval that is refused leaves
//! the request waiting (`approval.denied`); one that is allowed starts the
//! session then, its clock running from the approval (`session.approved`),
//! or, for a rejection, ends it `rejected`. A request nobody answers in
//! time ends `approval-expired` like any deadline (the sweeper).
//!
//! Between the answer and its commit the actor may start another session;
//! the store's one-active-session rule then refuses the commit, as it
//! refuses a second start.

use super::changes::{codes_of, end_change, event_of, policy_error, render_template, secs};
use super::lifecycle::restart_request_under;
use super::{SessionError, Sessions};
use crate::Standin;
use crate::audit::events;
use crate::decision::Decision;
use crate::model::{EndReason, NewMessage, SessionRecord, SessionState, kinds};
use crate::request::{ApprovalRequest, MAX_REASON_BYTES, Principal, SessionRef, check_text};
use crate::store::Change;
use chrono::{DateTime, SecondsFormat, Utc};

/// What an answer to a pending start came to.
#[derive(Debug, Clone)]
pub struct ApprovalOutcome {
    /// The policy's (and the host's) judgement of the approver: an allow
    /// when the answer was taken, a deny with its reasons when not.
    pub decision: Decision,
    /// The session after the answer: active when approved, ended
    /// `rejected` when rejected, still pending when the answer was refused.
    pub session: SessionRecord,
}

/// The messages that ask for an answer: to the target when it may approve,
/// and to `role:NAME` for each approver role.
pub(crate) fn requests(s: &SessionRecord) -> Vec<NewMessage> {
    let Some(approval) = &s.approval else {
        return Vec::new();
    };
    let until = s.expires_at.to_rfc3339_opts(SecondsFormat::Secs, true);
    let text = format!(
        "`{}` asks to act as `{}` ({}); approve or reject session `{}` before {until}",
        s.actor,
        s.target,
        s.reason.as_deref().unwrap_or("no reason given"),
        s.id
    );
    let target = approval.approvers.target.then(|| s.target.clone());
    let roles = approval.approvers.roles.iter().map(|r| format!("role:{r}"));
    target
        .into_iter()
        .chain(roles)
        .map(|to| NewMessage {
            tenant: s.tenant.clone(),
            to,
            kind: kinds::APPROVAL_REQUESTED.to_string(),
            session: s.id.clone(),
            text: text.clone(),
            created_at: s.started_at,
        })
        .collect()
}

impl Standin {
    fn answer(
        &self,
        id: &str,
        approver: &Principal,
        rejection: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<ApprovalOutcome, SessionError> {
        let now = secs(now);
        let pre = self.stored(id)?;
        if !pre.is_pending() {
            return Err(not_pending(&pre));
        }
        let policy = self.policy(&pre.tenant, Some(pre.policy.version))?;
        // An approval is judged on the start as it stands now, with the
        // actor's current session; a rejection on the request as it was
        // made, so that only the approver's right to answer decides it (an
        // actor who moved on meanwhile can still be turned down).
        let (current, mut start) = match rejection {
            None => {
                let current = self
                    .store
                    .current_session(&pre.tenant, &pre.actor)?
                    .filter(|c| !c.is_due(now));
                let parent = current.as_ref().map(|c| SessionRef {
                    id: c.id.clone(),
                    target: c.target.clone(),
                });
                (current, restart_request_under(&pre, parent, now))
            }
            Some(_) => {
                let asked_at = pre.approval.as_ref().map_or(pre.started_at, |a| a.requested_at);
                (None, self.restart_request(&pre, asked_at)?)
            }
        };
        start.ttl_seconds = pre.approval.as_ref().map(|a| a.ttl_seconds);
        let request = ApprovalRequest {
            start,
            approver: approver.clone(),
        };
        let decision = if pre.is_due(now) {
            None
        } else {
            Some(policy.evaluate_approval(&request, now))
        };
        // The tenant's notifications are needed only for an answer taken.
        let n = match &decision {
            Some(d) if d.is_granted() => self.store.notifications(&pre.tenant)?,
            _ => Default::default(),
        };
        let (session, taken) = self.transition(
            id,
            now,
            |s| {
                let Some(decision) = decision.as_ref().filter(|_| s.is_pending()) else {
                    return (Change::default(), None);
                };
                if !decision.is_granted() {
                    let mut event = event_of(s, events::APPROVAL_DENIED, now);
                    event.codes = codes_of(decision);
                    event.note = Some(format!("`{}` may not answer", approver.id));
                    event.request = serde_json::to_string(&request).ok();
                    let error = policy_error(&event, decision);
                    let change = Change {
                        audit: std::iter::once(event).chain(error).collect(),
                        ..Change::default()
                    };
                    return (change, Some(decision.clone()));
                }
                let change = match rejection {
                    Some(reason) => {
                        let note = format!("rejected by `{}`: {reason}", approver.id);
                        let mut change = end_change(s, EndReason::Rejected, now, Some(note), &n);
                        if let Some(ended) = &mut change.update {
                            ended.revoke_reason = Some(reason.to_string());
                        }
                        change
                    }
                    None => approved(s, approver, current.as_ref(), now, &n),
                };
                (change, Some(decision.clone()))
            },
            |_| (Change::default(), None),
        )?;
        match taken {
            Some(decision) => {
                if session.is_active() {
                    self.wake.notify();
                }
                Ok(ApprovalOutcome { decision, session })
            }
            None => Err(not_pending(&session)),
        }
    }
}

/// The change that starts pending session `s` at `now`, approved by
/// `approver`, one level inside the actor's `current` session if any.
fn approved(
    s: &SessionRecord,
    approver: &Principal,
    current: Option<&SessionRecord>,
    now: DateTime<Utc>,
    n: &crate::model::Notifications,
) -> Change {
    let started = s.approved(&approver.id, current, now);
    let mut event = event_of(&started, events::SESSION_APPROVED, now);
    event.expires_at = Some(started.expires_at);
    event.obligations = Some(started.obligations.clone());
    event.note = Some(format!("approved by `{}`", approver.id));
    let mut change = Change {
        audit: vec![event],
        ..Change::default()
    };
    if n.enabled && started.notify_target {
        change.outbox.push(NewMessage {
            tenant: started.tenant.clone(),
            to: started.target.clone(),
            kind: kinds::STARTED.to_string(),
            session: started.id.clone(),
            text: render_template(&n.started_template, &started),
            created_at: now,
        });
    }
    change.update = Some(started);
    change
}

fn not_pending(s: &SessionRecord) -> SessionError {
    SessionError::NotPending {
        id: s.id.clone(),
        state: match (s.state, s.end_reason) {
            (SessionState::Active, _) => "active",
            (SessionState::Pending, _) => "pending",
            (SessionState::Ended, Some(r)) => r.as_str(),
            (SessionState::Ended, None) => "ended",
        },
    }
}

impl Sessions<'_> {
    /// `approver` approves pending session `id`: when the policy lets them
    /// answer, the session is active from `now` for what the pending start
    /// granted; otherwise it keeps waiting and the refusal is audited.
    pub fn approve(&self, id: &str, approver: &Principal, now: DateTime<Utc>) -> Result<ApprovalOutcome, SessionError> {
        self.answer(id, approver, None, now)
    }

    /// `approver` rejects pending session `id` for `reason`: when the policy
    /// lets them answer, it ends `rejected`.
    pub fn reject(
        &self,
        id: &str,
        approver: &Principal,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<ApprovalOutcome, SessionError> {
        check_text("reason", reason, MAX_REASON_BYTES)?;
        self.answer(id, approver, Some(reason), now)
    }
}
