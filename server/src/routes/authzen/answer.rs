//! AuthZEN answers: `{"decision": bool, "context": {...}}` from a decision,
//! and the deny that stands for a question that could not be answered.

use super::obligations::{Obligations, Profile};
use super::question::Kind;
use crate::error::ApiError;
use crate::routes::now;
use serde::{Serialize, Serializer};
use standin::authzen::access_request::{APPROVAL_REQUIRED, RequestableDenial, rfc3339};
use standin::decision::{Approvers, PolicyRef, Reason};
use standin::{Authorization, Decision, Standin};
use std::borrow::Cow;
use std::time::{Duration, Instant};

/// One AuthZEN answer, typed: what was decided, kept as the library gave
/// it, and written as `{"context": {...}, "decision": bool}` by
/// [`Serialize`] below (no handler builds or edits a JSON value). Members
/// are written in the order the answers have always had (alphabetical).
#[derive(Debug)]
pub(super) enum Evaluation {
    /// A question inside a session: `authorize`'s answer.
    Action(Authorization),
    /// May this start, storing nothing.
    Start(Box<StartAnswer>),
    /// A start re-evaluated with an approval that applies: the session
    /// the approval opened (the Access Request profile).
    Approved(Box<standin::SessionRecord>),
    /// A generic question, as the tenant's policy answered it.
    Generic(standin::authzen::Answer),
    /// A question that could not be answered: a deny, with why.
    Refused { status: u16, message: String },
}

impl Evaluation {
    /// The AuthZEN `decision`: only an allow is a permit (a pending start is not).
    pub(super) fn permits(&self) -> bool {
        match self {
            Self::Action(a) => a.decision.is_allow(),
            Self::Start(a) => a.decision.is_allow(),
            Self::Approved(_) => true,
            Self::Generic(a) => a.decision,
            Self::Refused { .. } => false,
        }
    }
}

/// A start question's answer: the decision, the version that made it,
/// the target, and for a pending start the Access Request profile's
/// requestable denial (when a token key can bind one).
#[derive(Debug)]
pub(super) struct StartAnswer {
    pub decision: Decision,
    pub policy: PolicyRef,
    pub target: String,
    pub requestable: Option<(RequestableDenial, String)>,
    /// Why an approval the question presented did not apply.
    pub approval_refused: Option<&'static str>,
}

#[derive(Serialize)]
struct Answer<C> {
    context: C,
    decision: bool,
}

#[derive(Serialize)]
struct ActionContext<'a> {
    acting_as: &'a str,
    obligations: Obligations<'a, Cow<'static, str>>,
    on_behalf_of: &'a str,
    policy: &'a PolicyRef,
    reasons: &'a [Reason],
    session: &'a str,
}

/// A start's context: a pending start says so and who may approve it;
/// a start that would be granted says what it would grant.
#[derive(Serialize)]
struct StartContext<'a> {
    /// The Access Request profile's requestable denial.
    #[serde(skip_serializing_if = "Option::is_none")]
    access_request: Option<AccessRequestContext<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    approvers: Option<Option<&'a Approvers>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    evaluated_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    evaluation_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    grant: Option<GrantContext<'a>>,
    /// What a PEP should do after a re-evaluation whose approval did not
    /// apply: `request` (a fresh `access_request` is here) or `none`.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_action: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pending: Option<bool>,
    policy: &'a PolicyRef,
    /// The profile's reason code: `approval_required`, or why a presented
    /// approval did not apply.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
    reasons: &'a [Reason],
}

#[derive(Serialize)]
struct AccessRequestContext<'a> {
    binding_token: &'a str,
    endpoint: &'a str,
    expires_at: String,
}

/// A re-evaluation's allow: the approval (as the profile echoes it) and
/// the session it opened.
#[derive(Serialize)]
struct ApprovedContext<'a> {
    acting_as: &'a str,
    approval: ApprovalContext<'a>,
    on_behalf_of: &'a str,
    policy: &'a PolicyRef,
    reasons: [Reason; 0],
    session: &'a str,
}

#[derive(Serialize)]
struct ApprovalContext<'a> {
    approved_until: String,
    id: &'a str,
}

#[derive(Serialize)]
struct GrantContext<'a> {
    /// The idle timeout it would grant (IT1), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    idle_timeout_seconds: Option<u64>,
    max_ttl_seconds: Option<u64>,
    notify_target: Option<bool>,
    obligations: Obligations<'a, Cow<'static, str>>,
    read_only: Option<bool>,
    /// The scope it would grant (SC1), when the start asked for one.
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'a standin::Scope>,
    ttl_seconds: Option<u64>,
}

#[derive(Serialize)]
struct ErrorContext<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    message: &'a str,
    status: u16,
}

/// An answer as written: `objects` when the question asked for the
/// Obligations profile's form (see [`super::obligations`]).
#[derive(Debug)]
pub(super) struct Reply {
    pub evaluation: Evaluation,
    pub objects: bool,
}

/// Whether an in-session deny says the session is over.
fn ended(d: &Decision) -> bool {
    use standin::sessions::session_codes::{SESSION_ENDED, SESSION_EXPIRED};
    d.codes().any(|c| c == SESSION_ENDED || c == SESSION_EXPIRED)
}

impl Serialize for Reply {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let decision = self.evaluation.permits();
        let objects = self.objects;
        match &self.evaluation {
            Evaluation::Action(a) => Answer {
                context: ActionContext {
                    acting_as: &a.acting_as,
                    obligations: Obligations {
                        list: a.decision.obligations(),
                        objects: objects.then(|| Profile {
                            target: &a.acting_as,
                            ended_session: ended(&a.decision).then_some(a.session.as_str()),
                        }),
                    },
                    on_behalf_of: &a.on_behalf_of,
                    policy: &a.policy,
                    reasons: a.decision.reasons(),
                    session: &a.session,
                },
                decision,
            }
            .serialize(serializer),
            Evaluation::Approved(session) => Answer {
                context: ApprovedContext {
                    acting_as: &session.target,
                    approval: ApprovalContext {
                        approved_until: rfc3339(session.deadline()),
                        id: &session.id,
                    },
                    on_behalf_of: &session.actor,
                    policy: &session.policy,
                    reasons: [],
                    session: &session.id,
                },
                decision,
            }
            .serialize(serializer),
            Evaluation::Start(a) => {
                let StartAnswer {
                    decision: d,
                    policy,
                    target,
                    requestable,
                    approval_refused,
                } = a.as_ref();
                let lease = d.lease();
                let requestable = requestable.as_ref().filter(|_| d.is_pending());
                let granted = match d {
                    Decision::Allow(g) | Decision::Pending(g, _) => Some(g),
                    Decision::Deny(_) => None,
                };
                Answer {
                    context: StartContext {
                        access_request: requestable.map(|(r, endpoint)| AccessRequestContext {
                            binding_token: &r.binding_token,
                            endpoint,
                            expires_at: rfc3339(r.expires_at),
                        }),
                        approvers: d.is_pending().then(|| d.approvers()),
                        evaluated_at: requestable.map(|(r, _)| rfc3339(r.evaluated_at)),
                        evaluation_id: requestable.map(|(r, _)| r.evaluation_id.as_str()),
                        grant: d.is_granted().then(|| GrantContext {
                            idle_timeout_seconds: granted.and_then(|g| g.idle_timeout_seconds),
                            max_ttl_seconds: lease.map(|l| l.max_ttl_seconds()),
                            notify_target: lease.map(|l| l.notify_target()),
                            obligations: Obligations {
                                list: d.obligations(),
                                objects: objects.then_some(Profile {
                                    target: target.as_str(),
                                    ended_session: None,
                                }),
                            },
                            read_only: lease.map(|l| l.read_only()),
                            scope: granted.and_then(|g| g.scope.as_deref()),
                            ttl_seconds: lease.map(|l| l.ttl_seconds()),
                        }),
                        next_action: approval_refused.map(|_| if requestable.is_some() { "request" } else { "none" }),
                        pending: d.is_pending().then_some(true),
                        policy,
                        reason: approval_refused.or(requestable.map(|_| APPROVAL_REQUIRED)),
                        reasons: d.reasons(),
                    },
                    decision,
                }
                .serialize(serializer)
            }
            Evaluation::Generic(a) => generic(a, objects, serializer),
            Evaluation::Refused { status, message } => Answer {
                context: ErrorContext {
                    error: ErrorDetail {
                        message,
                        status: *status,
                    },
                },
                decision,
            }
            .serialize(serializer),
        }
    }
}

/// A generic answer: `{"decision": bool}`, and `context` only when there
/// is something to say (what the policy put there, its obligations, or
/// why it could not answer), as the interop suites compare answers whole.
fn generic<S: Serializer>(a: &standin::authzen::Answer, objects: bool, serializer: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut context = a.context.clone().unwrap_or_default();
    if !a.obligations.is_empty() {
        let obligations = Obligations {
            list: &a.obligations,
            objects: objects.then_some(Profile {
                target: "",
                ended_session: None,
            }),
        };
        context.insert(
            "obligations".to_string(),
            serde_json::to_value(&obligations).unwrap_or_default(),
        );
    }
    if let Some((code, message)) = &a.error {
        context.insert(
            "error".to_string(),
            serde_json::json!({"code": code, "message": message}),
        );
    }
    let mut map = serializer.serialize_map(None)?;
    if !context.is_empty() {
        map.serialize_entry("context", &context)?;
    }
    map.serialize_entry("decision", &a.decision)?;
    map.end()
}

/// An `authorize`'s result as an AuthZEN answer: the decision (counted in
/// the metrics as having taken `took`), or the deny that stands for the
/// error.
pub(super) fn authorized(
    result: Result<Authorization, ApiError>,
    tenant: &str,
    metrics: &crate::metrics::Metrics,
    took: Duration,
) -> Evaluation {
    match result {
        Ok(a) => {
            metrics.decision(tenant, "action", &a.decision, took);
            Evaluation::Action(a)
        }
        Err(e) => refusal(e.status.as_u16(), &e.message),
    }
}

pub(super) fn refusal(status: u16, message: &str) -> Evaluation {
    Evaluation::Refused {
        status,
        message: message.to_string(),
    }
}

/// Answers one question (on the blocking pool's thread), asked of the
/// PDP `pdp` (where a requestable denial's access request goes).
pub(super) fn answer(
    s: &Standin,
    tenant: &str,
    kind: Kind,
    metrics: &crate::metrics::Metrics,
    pdp: &str,
) -> Evaluation {
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
        Kind::Start(q) => {
            let authzen = s.tenant(tenant).authzen();
            let refused = match &q.approval {
                None => None,
                Some(id) => match authzen.approved(id, &q.request.actor.id, &q.request.target.id, now()) {
                    Ok(session) => return Evaluation::Approved(Box::new(session)),
                    Err(why) => Some(why),
                },
            };
            match s.policies().evaluate_start(&q.request, now()) {
                Ok((decision, policy)) => {
                    metrics.decision(tenant, "check-start", &decision, started.elapsed());
                    let requestable = decision
                        .is_pending()
                        .then(|| authzen.requestable(&q.bound, pdp, now()))
                        .flatten()
                        .map(|r| (r, format!("{pdp}/access/v1/requests")));
                    Evaluation::Start(Box::new(StartAnswer {
                        decision,
                        policy,
                        target: q.request.target.id.clone(),
                        requestable,
                        approval_refused: refused,
                    }))
                }
                Err(e) => {
                    let e = ApiError::from(e);
                    refusal(e.status.as_u16(), &e.message)
                }
            }
        }
        Kind::Generic(question) => {
            let a = s.tenant(tenant).authzen().evaluate(&question, now());
            metrics.decision(tenant, "generic", &a.to_decision(), started.elapsed());
            Evaluation::Generic(a)
        }
        Kind::TooLarge(message) | Kind::Unanswerable(message) => refusal(400, &message),
    }
}
