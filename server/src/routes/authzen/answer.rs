//! AuthZEN answers: `{"decision": bool, "context": {...}}` from a decision,
//! and the deny that stands for a question that could not be answered.

use super::question::Kind;
use crate::error::ApiError;
use crate::routes::now;
use serde_json::{Value, json};
use standin::{Authorization, Decision, Standin};
use std::time::{Duration, Instant};

fn from_authorization(a: &Authorization) -> Value {
    json!({
        "decision": a.decision.is_allow(),
        "context": {
            "reasons": a.decision.reasons(),
            "obligations": a.decision.obligations(),
            "acting_as": a.acting_as,
            "on_behalf_of": a.on_behalf_of,
            "session": a.session,
            "policy": a.policy,
        }
    })
}

fn from_start(d: &Decision, policy: &standin::decision::PolicyRef) -> Value {
    let mut context = json!({ "reasons": d.reasons(), "policy": policy });
    // A start that needs approval is not a permit: `decision` is false, and
    // the context says it would be granted once approved, and by whom.
    if d.is_pending() {
        context["pending"] = true.into();
        context["approvers"] = serde_json::to_value(d.approvers()).unwrap_or_default();
    }
    if d.is_granted() {
        context["grant"] = json!({
            "ttl_seconds": d.lease().map(|l| l.ttl_seconds()),
            "max_ttl_seconds": d.lease().map(|l| l.max_ttl_seconds()),
            "notify_target": d.lease().map(|l| l.notify_target()),
            "read_only": d.lease().map(|l| l.read_only()),
            "obligations": d.obligations(),
        });
    }
    json!({ "decision": d.is_allow(), "context": context })
}

/// An `authorize`'s result as an AuthZEN answer: the decision (counted in
/// the metrics as having taken `took`), or the deny that stands for the
/// error.
pub(super) fn authorized(
    result: Result<Authorization, ApiError>,
    tenant: &str,
    metrics: &crate::metrics::Metrics,
    took: Duration,
) -> Value {
    match result {
        Ok(a) => {
            metrics.decision(tenant, "action", &a.decision, took);
            from_authorization(&a)
        }
        Err(e) => refusal(e.status.as_u16(), &e.message),
    }
}

pub(super) fn refusal(status: u16, message: &str) -> Value {
    json!({ "decision": false, "context": { "error": { "status": status, "message": message } } })
}

/// Answers one question (on the blocking pool's thread).
pub(super) fn answer(s: &Standin, tenant: &str, kind: Kind, metrics: &crate::metrics::Metrics) -> Value {
    let started = Instant::now();
    match kind {
        Kind::Action {
            session,
            action,
            resource,
        } => {
            let result = s
                .tenant(tenant)
                .sessions()
                .authorize(&session, &action, resource.as_deref(), now())
                .map_err(ApiError::from);
            authorized(result, tenant, metrics, started.elapsed())
        }
        Kind::Start(request) => match s.policies().evaluate_start(&request, now()) {
            Ok((d, policy)) => {
                metrics.decision(tenant, "check-start", &d, started.elapsed());
                from_start(&d, &policy)
            }
            Err(e) => {
                let e = ApiError::from(e);
                refusal(e.status.as_u16(), &e.message)
            }
        },
        Kind::Unanswerable(message) => refusal(400, &message),
    }
}
