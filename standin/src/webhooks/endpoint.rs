//! What a webhook endpoint is (its URL, the events it wants, its secrets)
//! and where its delivery stands (a cursor into its tenant's audit chain,
//! the retry of the event at the cursor, the lease of the deliverer that
//! holds it). Plain data: the store keeps it, [`super::schedule`] moves it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// At most this many bytes of URL.
pub const MAX_URL_BYTES: usize = 2048;
/// At most this many event patterns per endpoint.
pub const MAX_EVENT_PATTERNS: usize = 32;
/// At most this many endpoints per tenant.
pub const MAX_ENDPOINTS_PER_TENANT: usize = 16;
/// The outbox's message kinds an endpoint may ask for (`outbox.KIND`).
pub const OUTBOX_KINDS: [&str; 4] = [
    crate::model::kinds::STARTED,
    crate::model::kinds::ENDED,
    crate::model::kinds::CHANGES,
    crate::model::kinds::APPROVAL_REQUESTED,
];

/// One endpoint of a tenant, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Endpoint {
    /// `wh-` and 16 hex digits.
    pub id: String,
    pub tenant: String,
    pub url: String,
    /// The events it receives (see [`EventFilter`]).
    pub events: EventFilter,
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Signing secrets, newest first: during a rotation the previous one
    /// signs too, until it expires.
    #[serde(skip)]
    pub secrets: Vec<Secret>,
    /// An SSF stream's own settings (SETs instead of Standard Webhooks
    /// messages); `None` for a webhook.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream: Option<super::ssf::Stream>,
    /// Where delivery stands.
    pub cursor: Cursor,
    /// Who holds the endpoint's delivery, until when (see
    /// [`crate::store::WebhookStore::lease_webhooks`]).
    #[serde(skip)]
    pub lease: Option<Lease>,
}

/// A signing secret (`whsec_` and base64), until when it signs.
#[derive(Clone, PartialEq)]
pub struct Secret {
    pub value: String,
    /// `None`: the current secret.
    pub expires_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secret")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// A deliverer's hold on an endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct Lease {
    pub holder: String,
    pub until: DateTime<Utc>,
}

/// Where an endpoint's delivery stands: every event of the tenant's chain
/// up to `seq` is delivered, dead-lettered or not for this endpoint; the
/// next one is being tried.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Cursor {
    /// The last `seq` handled (0: none).
    pub seq: u64,
    /// Failed attempts at the event after `seq`.
    pub attempts: u32,
    /// When its first attempt failed (the retry horizon counts from then).
    pub failing_since: Option<DateTime<Utc>>,
    /// Not before then (a retry's backoff).
    pub next_at: Option<DateTime<Utc>>,
    /// The last failure, as the deliverer saw it.
    pub last_error: Option<String>,
    /// The last outbox message (its id) handled, for an endpoint that
    /// takes them (`outbox.*`): they follow the audit events.
    #[serde(default)]
    pub outbox: i64,
}

/// Which events an endpoint receives: exact names (`action.denied`),
/// families (`session.*`) or every audit event (`*`); and the messages the
/// outbox has for targets, as `outbox.KIND` (`outbox.impersonation.started`)
/// or all of them (`outbox.*`), which `*` does not include. Serialized as
/// the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EventFilter(Vec<String>);

/// Why an endpoint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EndpointError {
    #[error("url: {0}")]
    Url(String),
    #[error("events: {0}")]
    Events(String),
    #[error("description: at most 256 bytes")]
    Description,
}

impl EventFilter {
    /// Every event.
    pub fn all() -> Self {
        Self(vec!["*".into()])
    }

    /// Checks the patterns: each an event of [`crate::audit::events::ALL`],
    /// a family of them (`session.*`) or `*`; at least one.
    pub fn new(patterns: Vec<String>) -> Result<Self, EndpointError> {
        use crate::audit::events::ALL;
        if patterns.is_empty() {
            return Err(EndpointError::Events(
                "name at least one event, a family (`session.*`) or `*`".into(),
            ));
        }
        if patterns.len() > MAX_EVENT_PATTERNS {
            return Err(EndpointError::Events(format!("at most {MAX_EVENT_PATTERNS} patterns")));
        }
        for p in &patterns {
            let known = p == "*"
                || p == "outbox.*"
                || p.strip_prefix("outbox.").is_some_and(|k| OUTBOX_KINDS.contains(&k))
                || ALL.contains(&p.as_str())
                || p.strip_suffix(".*")
                    .is_some_and(|family| ALL.iter().any(|e| e.split_once('.').is_some_and(|(f, _)| f == family)));
            if !known {
                return Err(EndpointError::Events(format!(
                    "`{p}` is no event, family (`session.*`), `outbox.*` or `*`; events: {}; outbox messages: {}",
                    ALL.join(", "),
                    OUTBOX_KINDS.map(|k| format!("outbox.{k}")).join(", ")
                )));
            }
        }
        Ok(Self(patterns))
    }

    /// Whether `event` (an audit event's name, or `outbox.KIND`) is one of these.
    pub fn matches(&self, event: &str) -> bool {
        self.0.iter().any(|p| {
            (p == "*" && !event.starts_with("outbox."))
                || p == event
                || p.strip_suffix(".*")
                    .is_some_and(|family| event.split_once('.').is_some_and(|(f, _)| f == family))
        })
    }

    /// Whether any outbox message is asked for.
    pub fn wants_outbox(&self) -> bool {
        self.0.iter().any(|p| p.starts_with("outbox."))
    }

    pub fn patterns(&self) -> &[String] {
        &self.0
    }
}

/// Checks an endpoint URL as given: `https://`, or `http://` to a loopback
/// host (a receiver on the same machine); no credentials, no fragment.
/// Where it may point once resolved is the deliverer's check (private
/// addresses: see `standin-server`'s `[webhooks] allow_private`).
pub fn check_url(url: &str) -> Result<(), EndpointError> {
    let bad = |why: &str| Err(EndpointError::Url(why.to_string()));
    if url.len() > MAX_URL_BYTES {
        return bad(&format!("at most {MAX_URL_BYTES} bytes"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("no spaces or control characters");
    }
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => return bad("an absolute https:// URL"),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if url.contains('#') {
        return bad("no fragment");
    }
    if authority.contains('@') {
        return bad("no user or password in the URL");
    }
    let host = host_of(authority);
    if host.is_empty() {
        return bad("no host");
    }
    match scheme.as_str() {
        "https" => Ok(()),
        "http" if is_loopback_name(host) => Ok(()),
        "http" => bad("http:// only to a loopback host (127.0.0.1, [::1], localhost); use https://"),
        _ => bad("the scheme must be https:// (or http:// to loopback)"),
    }
}

/// The host of `host[:port]` or `[v6]:port`, lowercased brackets removed.
fn host_of(authority: &str) -> &str {
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split(']').next().unwrap_or("");
    }
    authority.rsplit_once(':').map_or(authority, |(h, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            authority
        }
    })
}

fn is_loopback_name(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl Endpoint {
    /// How the store files it: `webhook`, `ssf-push` or `ssf-poll` (a poll
    /// stream is never delivered to: its receiver comes for its events).
    pub fn format(&self) -> &'static str {
        match &self.stream {
            None => "webhook",
            Some(s) if s.method == super::ssf::POLL => "ssf-poll",
            Some(_) => "ssf-push",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_https_or_loopback_http() {
        for ok in [
            "https://example.com/hook",
            "http://127.0.0.1:8080/x",
            "http://[::1]:9/x",
            "http://localhost/x",
        ] {
            assert_eq!(check_url(ok), Ok(()), "{ok}");
        }
        for bad in [
            "http://example.com/hook",
            "ftp://example.com",
            "https://user:pw@example.com/",
            "https://example.com/#frag",
            "example.com/hook",
            "https:///path",
            "http://127.0.0.1.evil.com/",
            "https://exa mple.com/",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn filters_name_events_families_or_all() {
        let f = EventFilter::new(vec!["session.*".into(), "action.denied".into()]).unwrap();
        assert!(f.matches("session.started") && f.matches("session.ended") && f.matches("action.denied"));
        assert!(!f.matches("action.allowed") && !f.matches("policy.uploaded"));
        assert!(EventFilter::all().matches("approval.denied"));
        assert!(
            !EventFilter::all().matches("outbox.impersonation.started"),
            "`*` is the audit events"
        );
        let o = EventFilter::new(vec!["outbox.*".into()]).unwrap();
        assert!(o.wants_outbox() && o.matches("outbox.impersonation.changes") && !o.matches("session.started"));
        let one = EventFilter::new(vec!["outbox.impersonation.started".into()]).unwrap();
        assert!(one.matches("outbox.impersonation.started") && !one.matches("outbox.impersonation.ended"));
        assert!(EventFilter::new(vec!["outbox.nonsense".into()]).is_err());
        for bad in [
            vec![],
            vec!["session".into()],
            vec!["nope.*".into()],
            vec!["session.strated".into()],
        ] {
            assert!(EventFilter::new(bad).is_err());
        }
    }
}
