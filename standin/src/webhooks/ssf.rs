//! OpenID Shared Signals (SSF 1.0) streams with CAEP 1.0 events: the same
//! endpoints and cursors as webhooks, with Security Event Tokens (RFC 8417)
//! for messages. A session's start or approval is `session-established`;
//! its end, however it ends, `session-revoked`, with who ended it
//! (`initiating_entity`) and why. The subject is the target's user and the
//! impersonation session (a complex subject); the actor rides in the event.
//! SETs are signed with the server's token key (EdDSA, its `kid`), whose
//! public half is in `/.well-known/jwks.json`.

use crate::audit::{AuditEvent, events};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// RFC 8935: the transmitter POSTs each SET to the receiver.
pub const PUSH: &str = "urn:ietf:rfc:8935";
/// RFC 8936: the receiver polls the transmitter and acknowledges.
pub const POLL: &str = "urn:ietf:rfc:8936";
pub const SESSION_ESTABLISHED: &str = "https://schemas.openid.net/secevent/caep/event-type/session-established";
pub const SESSION_REVOKED: &str = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";
pub const VERIFICATION: &str = "https://schemas.openid.net/secevent/ssf/event-type/verification";
/// What a stream may ask for.
pub const EVENTS_SUPPORTED: [&str; 2] = [SESSION_ESTABLISHED, SESSION_REVOKED];

/// A stream's state (SSF 1.0 §8.1.2): `paused` holds events until it is
/// enabled again; `disabled` drops them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Enabled,
    Paused,
    Disabled,
}

/// What an SSF stream adds to an endpoint: its audience, the events it
/// asked for, how its receiver is reached and its state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Stream {
    pub aud: Vec<String>,
    /// CAEP event types asked for (a subset of [`EVENTS_SUPPORTED`]).
    pub events_requested: Vec<String>,
    /// [`PUSH`] or [`POLL`].
    pub method: String,
    /// Sent as `Authorization` with every push, when the receiver gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_header: Option<String>,
    #[serde(default)]
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
}

impl Stream {
    pub fn new(method: &str, aud: Vec<String>, events_requested: Vec<String>) -> Result<Self, String> {
        if method != PUSH && method != POLL {
            return Err(format!("`delivery.method` must be `{PUSH}` (push) or `{POLL}` (poll)"));
        }
        if let Some(e) = events_requested
            .iter()
            .find(|e| !EVENTS_SUPPORTED.contains(&e.as_str()))
        {
            return Err(format!("`{e}` is not an event this transmitter supports"));
        }
        Ok(Self {
            aud,
            events_requested,
            method: method.to_string(),
            authorization_header: None,
            status: Status::Enabled,
            status_reason: None,
        })
    }

    /// The events delivered: those asked for that are supported (all
    /// supported ones when none were asked for).
    pub fn events_delivered(&self) -> Vec<&'static str> {
        EVENTS_SUPPORTED
            .iter()
            .copied()
            .filter(|e| self.events_requested.is_empty() || self.events_requested.iter().any(|r| r == e))
            .collect()
    }

    /// The audit events the endpoint's filter takes for these.
    pub fn audit_events(&self) -> Vec<String> {
        let mut out = Vec::new();
        for e in self.events_delivered() {
            if e == SESSION_ESTABLISHED {
                out.extend([
                    events::SESSION_STARTED.to_string(),
                    events::SESSION_APPROVED.to_string(),
                ]);
            } else {
                out.push(events::SESSION_ENDED.to_string());
            }
        }
        out
    }
}

/// `jti` of the SET of audit event `seq` whose chain hash is `hash`: the
/// same on every attempt, and the `seq` readable from it (a poll's `ack`).
pub fn jti(seq: u64, hash: &str) -> String {
    format!("{seq}-{}", hash.get(..16).unwrap_or(hash))
}

/// The `seq` of a `jti` this transmitter made.
pub fn seq_of(jti: &str) -> Option<u64> {
    jti.split_once('-').and_then(|(seq, _)| seq.parse().ok())
}

/// The claims of the SET for `event`, or `None` when the event is no CAEP
/// event (an action, a policy upload) or not one the stream asked for.
pub fn claims(event: &AuditEvent, stream: &Stream, iss: &str, now: DateTime<Utc>) -> Option<Value> {
    let session = event.session.as_deref()?;
    let (kind, body) = match event.event.as_str() {
        events::SESSION_STARTED | events::SESSION_APPROVED => (
            SESSION_ESTABLISHED,
            json!({
                "event_timestamp": event.at.timestamp(),
                "initiating_entity": "admin",
            }),
        ),
        events::SESSION_ENDED => {
            let (entity, why) = match event.end_reason.as_deref() {
                Some("stopped") => ("user", "the acting admin ended the impersonation"),
                Some("revoked") => ("admin", "an administrator revoked the impersonation"),
                Some("expired") => ("system", "the impersonation reached its deadline"),
                Some("rejected") => ("admin", "the impersonation request was rejected"),
                Some("approval-expired") => ("system", "the impersonation request expired unapproved"),
                // Re-evaluation and anything newer: the policy decided.
                _ => ("policy", "the policy no longer allows the impersonation"),
            };
            let mut reason = why.to_string();
            if let Some(note) = &event.note {
                reason = format!("{why}: {note}");
            }
            (
                SESSION_REVOKED,
                json!({
                    "event_timestamp": event.at.timestamp(),
                    "initiating_entity": entity,
                    "reason_admin": {"en": reason},
                    "end_reason": event.end_reason,
                }),
            )
        }
        _ => return None,
    };
    if !stream.events_delivered().contains(&kind) {
        return None;
    }
    let mut body = body;
    body["actor"] = json!({"format": "opaque", "id": event.actor});
    Some(json!({
        "iss": iss,
        "jti": jti(event.seq, &event.hash),
        "iat": now.timestamp(),
        "aud": stream.aud,
        "txn": event.hash,
        "sub_id": {
            "format": "complex",
            "user": {"format": "opaque", "id": event.target},
            "session": {"format": "opaque", "id": session},
            "tenant": {"format": "opaque", "id": event.tenant},
        },
        "events": {kind: body},
    }))
}

/// The claims of a verification SET (SSF 1.0 §8.1.4) for stream `id`.
pub fn verification(stream_id: &str, aud: &[String], iss: &str, state: Option<&str>, now: DateTime<Utc>) -> Value {
    let mut event = json!({});
    if let Some(state) = state {
        event["state"] = json!(state);
    }
    json!({
        "iss": iss,
        "jti": format!("v-{}", crate::model::random_id("")),
        "iat": now.timestamp(),
        "aud": aud,
        "sub_id": {"format": "opaque", "id": stream_id},
        "events": {VERIFICATION: event},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jti_carries_the_seq() {
        let j = jti(42, "abcdef0123456789ffff");
        assert_eq!(j, "42-abcdef0123456789");
        assert_eq!(seq_of(&j), Some(42));
        assert_eq!(seq_of("nonsense"), None);
    }

    #[test]
    fn streams_take_only_caep_events_they_support() {
        assert!(Stream::new("urn:example", vec![], vec![]).is_err());
        assert!(Stream::new(PUSH, vec![], vec!["https://example.com/other".into()]).is_err());
        let s = Stream::new(POLL, vec!["rp".into()], vec![SESSION_REVOKED.into()]).unwrap();
        assert_eq!(s.events_delivered(), [SESSION_REVOKED]);
        assert_eq!(s.audit_events(), ["session.ended"]);
    }
}
