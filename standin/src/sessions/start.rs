//! Starting a session (E1-E10, S1, S6, E7): the tenant's policy asked
//! outside any transaction, then one transaction that checks the actor's
//! session is still the one the policy saw, and writes the session, its
//! audit event and its message, or the refusal.

use super::changes::{
    clip, clip_opt, codes_of, event_of, expire_change, new_session_id, policy_error, recorded_request, render_template,
    secs,
};
use super::{SessionError, Sessions, StartOutcome};
use crate::Standin;
use crate::audit::{AuditEvent, events};
use crate::decision::Decision;
use crate::decision::PolicyRef;
use crate::model::{NewMessage, Notifications, Opening, SessionRecord, kinds};
use crate::request::{MAX_ID_BYTES, MAX_REASON_BYTES, SessionRef, StartRequest, check_id};
use crate::store::{Change, StoreError};
use chrono::{DateTime, Utc};
use standin_engine::decision::codes;

/// What one asking of the policy saw and answered.
struct Asked {
    /// The request as the policy saw it (the host's time, the actor's session).
    req: StartRequest,
    decision: Decision,
    /// The actor's current session when the policy was asked.
    seen: Option<SessionRecord>,
}

/// What every asking of one start shares.
#[derive(Clone, Copy)]
struct Context<'a> {
    reference: &'a PolicyRef,
    notifications: &'a Notifications,
    return_to: Option<&'a str>,
    now: DateTime<Utc>,
}

impl Standin {
    /// Writes what a start decided, if the actor's current session is still
    /// `seen`; `None` when it changed meanwhile (the caller asks again).
    fn commit_start(&self, context: &Context<'_>, asked: &Asked) -> Result<Option<StartOutcome>, SessionError> {
        let Asked { req, decision, seen } = asked;
        let Context {
            reference,
            notifications: n,
            return_to,
            now,
        } = *context;
        let tenant = req.tenant.as_str();
        let max_depth = self.max_depth;
        let (mut outcome, mut asked) = (None, false);
        let committing = crate::trace::start();
        let applied = self.store.start(tenant, &req.actor.id, &mut |current| {
            asked = true;
            let mut change = Change::default();
            let mut current = current.cloned();
            if let Some(due) = current.as_ref().filter(|c| c.is_due(now)) {
                change = expire_change(due, n);
                current = None;
            }
            if current.as_ref().map(|c| &c.id) != seen.as_ref().map(|c| &c.id) {
                return Change::default();
            }
            // The host caps nesting whatever the policy allows (E7): a
            // chain of sessions deeper than `max_depth` is refused.
            let depth = current.as_ref().map_or(0, |c| c.depth + 1);
            let decision = if decision.is_granted() && depth > max_depth {
                too_deep(depth, max_depth)
            } else if decision.is_granted() && decision.lease().is_none() {
                // Never from the engine, which reads every start grant
                // into a lease: refused rather than given a length here.
                Decision::host_deny(codes::POLICY_ERROR, "a start was granted without a session")
            } else {
                decision.clone()
            };
            let request_json = recorded_request(serde_json::to_string(&req).ok(), &decision);
            if let Some(grant) = decision.grant() {
                let session = SessionRecord::opened(Opening {
                    id: new_session_id(),
                    request: req,
                    grant,
                    approvers: decision.approvers(),
                    parent: current.as_ref(),
                    policy: reference,
                    return_to,
                    at: now,
                });
                let kind = if session.is_pending() {
                    events::SESSION_REQUESTED
                } else {
                    events::SESSION_STARTED
                };
                let mut event = event_of(&session, kind, now);
                event.expires_at = Some(session.expires_at);
                event.obligations = Some(session.obligations.clone());
                event.request = request_json;
                event.note = session.scope_note();
                change.audit.push(event);
                if session.is_pending() {
                    change.outbox.extend(super::approval::requests(&session));
                } else if n.enabled && session.notify_target {
                    change.outbox.push(NewMessage {
                        tenant: tenant.to_string(),
                        to: session.target.clone(),
                        kind: kinds::STARTED.to_string(),
                        session: session.id.clone(),
                        text: render_template(&n.started_template, &session),
                        created_at: now,
                    });
                }
                change.insert = Some(session.clone());
                outcome = Some(StartOutcome {
                    decision,
                    session: Some(session),
                    policy: reference.clone(),
                });
            } else {
                let event = AuditEvent {
                    seq: 0,
                    tenant: tenant.to_string(),
                    at: now,
                    event: events::SESSION_DENIED.to_string(),
                    session: None,
                    actor: clip(&req.actor.id, MAX_ID_BYTES),
                    target: clip(&req.target.id, MAX_ID_BYTES),
                    action: None,
                    resource: None,
                    reason: clip_opt(req.reason.as_deref(), MAX_REASON_BYTES),
                    codes: codes_of(&decision),
                    end_reason: None,
                    policy: reference.clone(),
                    expires_at: None,
                    obligations: None,
                    note: None,
                    request: request_json,
                    prev_hash: String::new(),
                    hash: String::new(),
                    seal: crate::audit::Seal::default(),
                };
                let error = policy_error(&event, &decision);
                change.audit.push(event);
                change.audit.extend(error);
                outcome = Some(StartOutcome {
                    decision,
                    session: None,
                    policy: reference.clone(),
                });
            }
            change
        });
        crate::trace::phase("audit.commit", committing, || {
            vec![("standin.audit.transaction", "start".into())]
        });
        let applied = applied?;
        if !asked {
            return Err(StoreError::Contract("`start` returned without asking for the change").into());
        }
        // The session as written: its times are the chain's.
        if let Some(session) = outcome.as_mut().and_then(|o: &mut StartOutcome| o.session.as_mut())
            && let Some(written) = applied.session.filter(|w| w.id == session.id)
        {
            *session = written;
        }
        Ok(outcome)
    }
}

/// The deny of a start nested deeper than the host allows.
fn too_deep(depth: u32, max: u32) -> Decision {
    Decision::deny(vec![crate::decision::Reason {
        code: crate::invariants::NESTED_IMPERSONATION.into(),
        rule: "E7".into(),
        message: format!("this start would nest {depth} sessions deep; the host allows at most {max}"),
    }])
}

impl Sessions<'_> {
    /// Starts a session if the tenant's active policy allows it (E1-E10),
    /// in one transaction with its audit event (`session.started` or
    /// `session.denied`, A1, A2) and the message to the target (N1). A
    /// start the policy answers `pending` is stored waiting for approval
    /// (`session.requested`, messages to the approvers; see `approval`).
    ///
    /// The host's clock `now` is the request's time and `actor_session` is
    /// the actor's current session from the store, whatever the request says.
    pub fn start(
        &self,
        request: &StartRequest,
        return_to: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<StartOutcome, SessionError> {
        let now = secs(now);
        let tenant = request.tenant.as_str();
        // A tenant id that is not one gets no chain of its own: refused
        // before anything is recorded. Every other malformed field is a
        // recorded deny (`invalid-request`).
        check_id("tenant", tenant)?;
        if let Some(url) = return_to {
            self.check_return_to(tenant, url)?;
        }
        let policy = self.policy(tenant, None)?;
        let n = self.store.notifications(tenant)?;
        // The policy runs outside the write transaction, so a slow policy
        // holds up no other tenant's writes; the transaction then checks the
        // actor's session is still the one the policy saw, or asks again.
        loop {
            let seen = self
                .store
                .current_session(tenant, &request.actor.id)?
                .filter(|c| !c.is_due(now));
            let mut req = request.clone();
            req.now = Some(now);
            req.actor_session = seen.as_ref().map(|c| SessionRef {
                id: c.id.clone(),
                target: c.target.clone(),
            });
            let decision = policy.evaluate_start(&req, now);
            let asked = Asked { req, decision, seen };
            let context = Context {
                reference: &policy.reference,
                notifications: &n,
                return_to,
                now,
            };
            if let Some(outcome) = self.commit_start(&context, &asked)? {
                if let Some(s) = &outcome.session {
                    self.active.remember(s);
                    self.wake.notify();
                }
                return Ok(outcome);
            }
        }
    }
}
