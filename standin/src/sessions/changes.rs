//! What each change writes besides the session row: its audit events
//! (without chain fields: the store chains them), the message to the
//! target, and the deny of a session that is no longer active. Pure
//! functions, shared by the lifecycle and the per-action guard.

use super::session_codes;
use crate::audit::{AuditEvent, RequestFacts, Seal, events};
use crate::decision::{Decision, Reason, codes};
use crate::model::{EndReason, NewMessage, Notifications, SessionRecord, SessionState, kinds};
use crate::request::{MAX_REASON_BYTES, SessionFacts};
use crate::store::Change;
use chrono::{DateTime, Utc};
use standin_engine::Digest;
use std::sync::OnceLock;

/// Whole seconds.
pub(crate) fn secs(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

pub(crate) fn builtin_digest() -> String {
    static DIGEST: OnceLock<String> = OnceLock::new();
    DIGEST
        .get_or_init(|| Digest::of(crate::DEFAULT_POLICY).to_string())
        .clone()
}

/// `s-` and 16 random hex digits (see `ids.rs`).
pub fn new_session_id() -> String {
    crate::model::random_id("s-")
}

/// Longest message text the outbox keeps, and longest template, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 8 * 1024;

/// Longest placeholder name, with its closing `}` (`{expires_at}`).
const PLACEHOLDER_BYTES: usize = 16;

/// A message's text: each `{placeholder}` of `template` replaced by its
/// value in one pass (a value that itself holds `{reason}` is not expanded
/// again), and the text cut at [`MAX_MESSAGE_BYTES`], so no template and no
/// reason can make a message larger than that.
pub(crate) fn render_template(template: &str, s: &SessionRecord) -> String {
    let expires_at = s.expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let value = |name: &str| -> Option<&str> {
        Some(match name {
            "actor" => &s.actor,
            "target" => &s.target,
            "reason" => s.reason.as_deref().unwrap_or("no reason given"),
            "session" => &s.id,
            "expires_at" => &expires_at,
            "end_reason" => s.end_reason.map_or("", EndReason::as_str),
            _ => return None,
        })
    };
    let mut out = String::with_capacity(template.len().min(MAX_MESSAGE_BYTES));
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        // A placeholder's name is short: look for its `}` in the next few
        // bytes only, so a template of many `{` costs one pass, not one per `{`.
        let close = after.bytes().take(PLACEHOLDER_BYTES).position(|b| b == b'}');
        match close.and_then(|close| Some((value(&after[..close])?, close))) {
            Some((v, close)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
        if out.len() > MAX_MESSAGE_BYTES {
            break;
        }
    }
    if out.len() <= MAX_MESSAGE_BYTES {
        out.push_str(rest);
    }
    clip(&out, MAX_MESSAGE_BYTES)
}

/// `s` as an audit row or message keeps it: whole when at most `max`
/// bytes; otherwise its first bytes (at a character boundary), its length
/// and its digest, so nothing over a cap is stored whole.
pub(crate) fn clip(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut cut = max.saturating_sub(96);
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}… ({} bytes, {})", &s[..cut], s.len(), Digest::of(s.as_bytes()))
}

/// The request an audit row keeps: the JSON whole when the host accepted
/// the request; when it refused it (`invalid-request`: malformed or over a
/// cap), only its size and digest, so a refused 20 MB request costs the
/// trail a few bytes. Replay skips such rows.
pub(crate) fn recorded_request(json: Option<String>, decision: &Decision) -> Option<String> {
    let json = json?;
    if !decision.codes().any(|c| c == codes::INVALID_REQUEST) {
        return Some(json);
    }
    Some(
        serde_json::json!({
            "refused": codes::INVALID_REQUEST,
            "bytes": json.len(),
            "digest": Digest::of(json.as_bytes()).to_string(),
        })
        .to_string(),
    )
}

/// An optional text clipped like [`clip`].
pub(crate) fn clip_opt(s: Option<&str>, max: usize) -> Option<String> {
    s.map(|s| clip(s, max))
}

pub(crate) fn is_policy_failure(d: &Decision) -> bool {
    d.reasons()
        .iter()
        .any(|r| r.rule == codes::HOST_RULE && r.code.starts_with("policy-"))
}

pub(crate) fn codes_of(d: &Decision) -> Vec<String> {
    d.codes().map(str::to_string).collect()
}

/// An audit event about `s`, without chain fields.
pub(crate) fn event_of(s: &SessionRecord, event: &str, at: DateTime<Utc>) -> AuditEvent {
    AuditEvent {
        seq: 0,
        tenant: s.tenant.clone(),
        at,
        event: event.to_string(),
        session: Some(s.id.clone()),
        actor: s.actor.clone(),
        target: s.target.clone(),
        action: None,
        resource: None,
        reason: clip_opt(s.reason.as_deref(), MAX_REASON_BYTES),
        codes: Vec::new(),
        end_reason: None,
        policy: s.policy.clone(),
        expires_at: None,
        obligations: None,
        note: None,
        request: None,
        prev_hash: String::new(),
        hash: String::new(),
        seal: Seal::default(),
    }
}

/// What the policy sees of session `s` in every action request.
pub(crate) fn session_facts(s: &SessionRecord) -> SessionFacts {
    SessionFacts {
        id: s.id.clone(),
        actor: s.actor_principal.clone(),
        target: s.target_principal.clone(),
        started_at: s.started_at,
        expires_at: s.expires_at,
        domain: s.domain.clone(),
        reason: s.reason.clone(),
        read_only: s.read_only,
    }
}

/// The session part of every action request in `s`, as the trail stores
/// it once (see [`RequestFacts`]).
pub(crate) fn request_facts(s: &SessionRecord) -> RequestFacts {
    RequestFacts::new(serde_json::to_string(&session_facts(s)).unwrap_or_else(|_| "null".to_string()))
}

/// A `policy.error` event after `event`, when the decision was a policy failure.
pub(crate) fn policy_error(event: &AuditEvent, decision: &Decision) -> Option<AuditEvent> {
    is_policy_failure(decision).then(|| AuditEvent {
        event: events::POLICY_ERROR.to_string(),
        note: Some(
            decision
                .reasons()
                .iter()
                .map(|r| r.message.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        ),
        // Another event: its digest is not the first one's.
        seal: Seal {
            digest: None,
            ..event.seal.clone()
        },
        ..event.clone()
    })
}

/// Ends `s` at `at` ([`SessionRecord::ended`]), with its audit event and,
/// when the tenant and the policy want it, the message to the target.
pub(crate) fn end_change(
    s: &SessionRecord,
    reason: EndReason,
    at: DateTime<Utc>,
    note: Option<String>,
    n: &Notifications,
) -> Change {
    let ended = s.ended(reason, at, note.as_deref());
    let mut event = event_of(&ended, events::SESSION_ENDED, at);
    event.end_reason = Some(reason.as_str().to_string());
    event.note = note;
    let mut change = Change {
        audit: vec![event],
        ..Change::default()
    };
    // A request that never started told the target nothing to end.
    if n.enabled && s.notify_target && !s.is_pending() {
        change.outbox.push(NewMessage {
            tenant: s.tenant.clone(),
            to: s.target.clone(),
            kind: kinds::ENDED.to_string(),
            session: s.id.clone(),
            text: render_template(&n.ended_template, &ended),
            created_at: at,
        });
    }
    change.update = Some(ended);
    change
}

/// How a due session ends: `expired`, or `approval-expired` for a request
/// nobody answered.
/// Records a due session as expired at its deadline.
pub(crate) fn expire_change(s: &SessionRecord, n: &Notifications) -> Change {
    end_change(s, s.expiry_reason(), s.deadline(), None, n)
}

/// The deny of anything asked of a session that is not active: ended,
/// expired, or still waiting for approval.
pub(crate) fn inactive_deny(s: &SessionRecord) -> Decision {
    let (code, rule, message) = match (s.state, s.end_reason) {
        (SessionState::Pending, _) => (
            session_codes::SESSION_PENDING,
            "AP1",
            format!("session `{}` is waiting for approval", s.id),
        ),
        (_, Some(EndReason::Expired)) => (
            session_codes::SESSION_EXPIRED,
            "S3",
            format!("session `{}` expired at {}", s.id, s.deadline().to_rfc3339()),
        ),
        (_, Some(EndReason::Idle)) => (
            session_codes::SESSION_ENDED,
            "IT1",
            format!(
                "session `{}` ended idle: no action for {} s",
                s.id,
                s.idle_timeout_seconds.unwrap_or_default()
            ),
        ),
        (_, reason) => (
            session_codes::SESSION_ENDED,
            "S2",
            format!(
                "session `{}` was {}",
                s.id,
                reason.map_or("ended", |r| match r {
                    EndReason::Revoked => "revoked",
                    EndReason::Rejected => "rejected",
                    EndReason::ApprovalExpired => "never approved",
                    _ => "ended",
                })
            ),
        ),
    };
    Decision::deny(vec![Reason {
        code: code.into(),
        rule: rule.into(),
        message,
    }])
}

impl crate::Standin {
    /// The `impersonation.changes` message for `s` (N2): its allowed
    /// actions that carry the `change-digest` obligation, with resources
    /// and times; `None` when there is none, or messages are off.
    pub(crate) fn change_digest(
        &self,
        s: &SessionRecord,
        n: &Notifications,
    ) -> Result<Option<NewMessage>, crate::store::StoreError> {
        if !n.enabled {
            return Ok(None);
        }
        let filter = crate::store::AuditFilter {
            tenant: Some(s.tenant.clone()),
            session: Some(s.id.clone()),
            event: Some(events::ACTION_ALLOWED.to_string()),
            ..crate::store::AuditFilter::default()
        };
        let changes: Vec<String> = self
            .store
            .audit(&filter)?
            .iter()
            .filter(|e| {
                e.obligations
                    .as_ref()
                    .is_some_and(|o| o.iter().any(|o| o == CHANGE_DIGEST))
            })
            .map(|e| {
                let at = e.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                match &e.resource {
                    Some(r) => format!("{} on {r} at {at}", e.action.as_deref().unwrap_or("?")),
                    None => format!("{} at {at}", e.action.as_deref().unwrap_or("?")),
                }
            })
            .collect();
        if changes.is_empty() {
            return Ok(None);
        }
        let mut text = format!("{} changed on your behalf: {}", s.actor, changes.join("; "));
        if text.len() > MAX_MESSAGE_BYTES {
            let mut cut = MAX_MESSAGE_BYTES;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
        }
        Ok(Some(NewMessage {
            tenant: s.tenant.clone(),
            to: s.target.clone(),
            kind: kinds::CHANGES.to_string(),
            session: s.id.clone(),
            text,
            created_at: s.started_at,
        }))
    }
}

/// The obligation of an allowed action the target is told of at the end (N2).
pub const CHANGE_DIGEST: &str = "change-digest";
