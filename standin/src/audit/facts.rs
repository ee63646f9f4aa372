//! How an event is stored and chained, beside its fields ([`Seal`]), and
//! the request facts an action's row refers to ([`RequestFacts`]).
//!
//! Every `action.*` row must keep the request the policy saw, for replay.
//! Most of that request is the session (both principals, about 1 KB of
//! JSON) and is the same for every action of the session; only `action`,
//! `resource` and `now` change, and those are fields of the event. So the
//! session part is stored once, in `audit_facts`, under its sha256, and
//! each row stores that digest; reading the trail puts the whole request
//! back together ([`action_request_json`]), byte for byte what
//! `serde_json` makes of the `ActionRequest`.

use super::chain::{CHAIN_V1, hex};
use chrono::{DateTime, Utc};
use sha2::{Digest as _, Sha256};
use std::collections::HashMap;
use std::sync::Arc;

/// The session part of an action's request (`ActionRequest.session` as
/// JSON) and its sha256 in hex: what an `action.*` row refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFacts {
    pub digest: String,
    /// Empty when the row refers to facts that are not in the database
    /// (`audit verify` then reports the row).
    pub body: String,
}

impl RequestFacts {
    /// Facts with their digest.
    pub fn new(body: String) -> Self {
        Self {
            digest: digest_of(&body),
            body,
        }
    }

    /// Whether `body` is what `digest` names.
    pub fn is_intact(&self) -> bool {
        digest_of(&self.body) == self.digest
    }
}

fn digest_of(body: &str) -> String {
    hex(&Sha256::digest(body.as_bytes()))
}

/// How the trail stores and chains an event: not one of the contract's
/// fields, never serialized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seal {
    /// The chain format of the row ([`CHAIN_V1`], [`CHAIN_V2`](super::chain::CHAIN_V2)).
    /// The store appends in the current format whatever this says.
    pub chain: u32,
    /// The request is stored as these facts (plus the event's `tenant`,
    /// `action`, `resource` and `at`), not as text.
    pub facts: Option<Arc<RequestFacts>>,
    /// The event's [`row_digest`](super::chain::row_digest), computed by the
    /// caller off the writer's thread; the store computes it when `None`.
    pub digest: Option<[u8; 32]>,
}

impl Default for Seal {
    /// A row of the first format, as JSON read from elsewhere is.
    fn default() -> Self {
        Self {
            chain: CHAIN_V1,
            facts: None,
            digest: None,
        }
    }
}

fn push_json<T: serde::Serialize + ?Sized>(out: &mut String, v: &T) {
    out.push_str(&serde_json::to_string(v).unwrap_or_else(|_| "null".to_string()));
}

/// What comes before the session facts in an action request's text.
fn head(tenant: &str) -> String {
    let mut out = String::with_capacity(tenant.len() + 24);
    out.push_str("{\"tenant\":");
    push_json(&mut out, tenant);
    out.push_str(",\"session\":");
    out
}

/// What comes after them.
fn tail(action: Option<&str>, resource: Option<&str>, now: DateTime<Utc>) -> String {
    let mut out = String::with_capacity(96);
    out.push_str(",\"action\":");
    push_json(&mut out, action.unwrap_or_default());
    out.push_str(",\"resource\":");
    push_json(&mut out, &resource);
    out.push_str(",\"now\":");
    push_json(&mut out, &now);
    out.push('}');
    out
}

/// The text of the `ActionRequest` of `tenant`, with session facts `body`,
/// for `action` on `resource` at `now`: what `serde_json::to_string` gives
/// for that request.
pub fn action_request_json(
    tenant: &str,
    body: &str,
    action: Option<&str>,
    resource: Option<&str>,
    now: DateTime<Utc>,
) -> String {
    let (head, tail) = (head(tenant), tail(action, resource, now));
    let mut out = String::with_capacity(head.len() + body.len() + tail.len());
    out.push_str(&head);
    out.push_str(body);
    out.push_str(&tail);
    out
}

/// Whether `text` is [`action_request_json`] of the same arguments, without
/// building it.
pub fn is_action_request_json(
    text: &str,
    tenant: &str,
    body: &str,
    action: Option<&str>,
    resource: Option<&str>,
    now: DateTime<Utc>,
) -> bool {
    let (head, tail) = (head(tenant), tail(action, resource, now));
    text.len() == head.len() + body.len() + tail.len()
        && text.starts_with(&head)
        && text.ends_with(&tail)
        && text.get(head.len()..head.len() + body.len()) == Some(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{ActionRequest, Principal, SessionFacts};

    #[test]
    fn the_rebuilt_request_is_what_serde_json_makes_of_it() {
        let facts = SessionFacts {
            id: "s-1".into(),
            actor: Principal {
                id: "u-\"1\"\n".into(),
                roles: vec!["super_admin".into()],
                ..Principal::default()
            },
            target: Principal {
                id: "u-42".into(),
                ..Principal::default()
            },
            started_at: "2026-11-21T10:00:00Z".parse().expect("time"),
            expires_at: "2026-11-21T11:00:00Z".parse().expect("time"),
            domain: None,
            reason: Some("ticket é".into()),
            read_only: false,
        };
        let body = serde_json::to_string(&facts).expect("json");
        for resource in [None, Some("course \"17\"")] {
            let request = ActionRequest {
                tenant: "acme\t".into(),
                session: facts.clone(),
                action: "billing.purchase".into(),
                resource: resource.map(str::to_string),
                now: Some("2026-11-21T10:05:00Z".parse().expect("time")),
            };
            let rebuilt = action_request_json(
                &request.tenant,
                &body,
                Some(&request.action),
                resource,
                request.now.expect("now"),
            );
            assert_eq!(rebuilt, serde_json::to_string(&request).expect("json"));
            let now = request.now.expect("now");
            assert!(is_action_request_json(
                &rebuilt,
                "acme\t",
                &body,
                Some("billing.purchase"),
                resource,
                now
            ));
            assert!(!is_action_request_json(
                &rebuilt,
                "acme",
                &body,
                Some("billing.purchase"),
                resource,
                now
            ));
            assert!(!is_action_request_json(
                &rebuilt,
                "acme\t",
                &body,
                Some("billing"),
                resource,
                now
            ));
        }
        assert!(RequestFacts::new(body).is_intact());
    }
}

/// The facts rows refer to, read once per query: the rows of one session
/// share them. Every store reads its trail through this and
/// [`super::AuditEvent::restore_request`].
#[derive(Debug, Default)]
pub struct FactsSeen(HashMap<String, Arc<RequestFacts>>);

impl FactsSeen {
    /// The facts of `digest`, their `body` read only the first time.
    /// Facts missing from the store read as empty: `audit verify` names
    /// the row.
    pub fn get<E>(
        &mut self,
        digest: String,
        body: impl FnOnce() -> Result<Option<String>, E>,
    ) -> Result<Arc<RequestFacts>, E> {
        if let Some(f) = self.0.get(&digest) {
            return Ok(f.clone());
        }
        let f = Arc::new(RequestFacts {
            digest: digest.clone(),
            body: body()?.unwrap_or_default(),
        });
        self.0.insert(digest, f.clone());
        Ok(f)
    }
}
