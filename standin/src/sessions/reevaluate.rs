//! Standin that end when their grounds go: new facts about a principal
//! re-ask the policy for every active session it is part of, and an actor's
//! sessions can be revoked all at once ("beyond the seeds": re-evaluation).
//!
//! Why: an admin whose role is taken away, or a target who is deactivated,
//! must not keep a session granted on the old facts. Each session is asked
//! with the policy version it started under, as a start of the same actor,
//! target, reason and domain with the new facts; one no longer allowed ends
//! (`revoked`, its `session.ended` event carrying the codes that ended
//! it), one still allowed keeps running with the new facts, which its
//! actions then see. Each session's change is its own transaction (the
//! store's `modify`), so other replicas see it as any end or change.

use super::changes::{codes_of, end_change, secs};
use super::{SessionError, Sessions};
use crate::model::{EndReason, SessionRecord};
use crate::request::{MAX_REASON_BYTES, Principal, check_id, check_text};
use crate::store::Change;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// What [`Sessions::update_principal`](crate::sessions::Sessions::update_principal) did.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct Reevaluated {
    /// The principal's id.
    pub principal: String,
    /// Standin still allowed with the new facts, which they now carry.
    pub kept: Vec<String>,
    /// Standin no longer allowed, as they ended.
    pub ended: Vec<SessionRecord>,
}

impl Sessions<'_> {
    /// New facts about `principal` in `tenant`: every active session where
    /// it is the actor or the target is asked again (see the module
    /// documentation). Standin that ended meanwhile are left alone.
    pub fn update_principal(
        &self,
        tenant: &str,
        principal: &Principal,
        now: DateTime<Utc>,
    ) -> Result<Reevaluated, SessionError> {
        check_id("principal id", &principal.id)?;
        let now = secs(now);
        let n = self.store.notifications(tenant)?;
        let mut out = Reevaluated {
            principal: principal.id.clone(),
            ..Reevaluated::default()
        };
        let involved = self
            .store
            .sessions(tenant, true)?
            .into_iter()
            .filter(|s| s.actor == principal.id || s.target == principal.id);
        for pre in involved {
            let mut updated = pre.clone();
            if updated.actor == principal.id {
                updated.actor_principal = principal.clone();
            }
            if updated.target == principal.id {
                updated.target_principal = principal.clone();
            }
            let request = self.restart_request(&updated, now)?;
            let decision = self
                .policy(tenant, Some(pre.policy.version))?
                .evaluate_start(&request, now);
            let (after, allowed) = self.transition(
                &pre.id,
                now,
                |s| {
                    if decision.is_granted() {
                        let mut kept = s.clone();
                        kept.actor_principal = updated.actor_principal.clone();
                        kept.target_principal = updated.target_principal.clone();
                        let change = Change {
                            update: Some(kept),
                            ..Change::default()
                        };
                        return (change, true);
                    }
                    let note = format!("no longer allowed after new facts about `{}`", principal.id);
                    let mut change = end_change(s, EndReason::Revoked, now, Some(note), &n);
                    for event in &mut change.audit {
                        event.codes = codes_of(&decision);
                    }
                    (change, false)
                },
                |_| (Change::default(), true),
            )?;
            match (allowed, after.is_open()) {
                (true, true) => out.kept.push(after.id),
                (false, _) => out.ended.push(after),
                // Ended (or expired) meanwhile: not this update's doing.
                (true, false) => {}
            }
        }
        Ok(out)
    }

    /// Ends every active session of `actor` in `tenant`, innermost first,
    /// as [`Sessions::revoke`](crate::sessions::Sessions::revoke) ends one (`revoked`, with `reason`); returns
    /// them. Standin that end meanwhile are left out.
    pub fn revoke_actor(
        &self,
        tenant: &str,
        actor: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<SessionRecord>, SessionError> {
        check_text("reason", reason, MAX_REASON_BYTES)?;
        let mut active: Vec<SessionRecord> = self
            .store
            .sessions(tenant, true)?
            .into_iter()
            .filter(|s| s.actor == actor)
            .collect();
        active.sort_by_key(|s| std::cmp::Reverse(s.depth));
        let mut ended = Vec::with_capacity(active.len());
        for s in active {
            match self.revoke(&s.id, reason, now) {
                Ok(s) => ended.push(s),
                Err(SessionError::Ended { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(ended)
    }
}
