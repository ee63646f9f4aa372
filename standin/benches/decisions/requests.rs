//! The requests both decision benches ask: one realistic allow start and
//! one allow action inside its session, with the settings they run under.
//! Shared so that `decisions` (wall-clock) and `instructions` (callgrind)
//! measure the same work.

use chrono::{DateTime, Utc};
use standin::{ActionRequest, StartRequest};
use std::sync::LazyLock;

/// The tenant's settings: scoped and levelled roles and a required consent,
/// so that an allow runs through most of the start rules.
pub const SETTINGS: &str = include_str!("../../../examples/settings/betterworks.json");

/// A super admin (who is also a scoped HR admin managing the target's
/// group) asks to impersonate an ordinary manager who has accepted the
/// privacy policy: allowed.
pub const START: &str = r#"{
  "tenant": "acme",
  "actor": {
    "id": "u-1001",
    "roles": ["super_admin", "hr_admin", "employee", "manager"],
    "permissions": ["users.impersonate", "users.view", "users.edit", "goals.view", "goals.edit",
                    "reviews.view", "reviews.edit", "reports.view", "reports.export", "feedback.view",
                    "admin.settings"],
    "groups": ["dept-people-ops", "loc-berlin", "all-staff"],
    "manages": ["dept-sales", "dept-marketing", "u-2001"],
    "domains": ["emea", "global"],
    "active": true,
    "has_logged_in": true,
    "consents": ["privacy-policy", "terms-of-service"],
    "attributes": {"title": "Head of People Operations", "employee_number": 1001}
  },
  "target": {
    "id": "u-4242",
    "roles": ["employee", "manager"],
    "permissions": ["users.view", "goals.view", "goals.edit", "reviews.view", "reviews.edit",
                    "reports.view", "feedback.view", "feedback.give", "calendar.view", "profile.edit"],
    "groups": ["dept-sales", "loc-berlin", "all-staff"],
    "manages": ["u-5001", "u-5002", "u-5003"],
    "domains": ["emea"],
    "active": true,
    "has_logged_in": true,
    "consents": ["privacy-policy", "terms-of-service", "cookies"],
    "attributes": {"title": "Sales Manager", "employee_number": 4242}
  },
  "reason": "ticket SUP-1234: goals page shows the wrong quarter",
  "ttl_seconds": 1800,
  "domain": "emea",
  "actor_session": null,
  "consent_on_behalf": false,
  "now": "2026-11-21T10:00:00Z"
}"#;

/// Inside that session, the actor generates a report: allowed, to be
/// delivered to the target.
pub const ACTION: &str = r#"{
  "tenant": "acme",
  "session": {
    "id": "s-7f3a9c",
    "actor": {
      "id": "u-1001",
      "roles": ["super_admin", "hr_admin", "employee", "manager"],
      "permissions": ["users.impersonate", "users.view", "users.edit", "goals.view", "goals.edit",
                      "reviews.view", "reviews.edit", "reports.view", "reports.export", "feedback.view",
                      "admin.settings"],
      "groups": ["dept-people-ops", "loc-berlin", "all-staff"],
      "manages": ["dept-sales", "dept-marketing", "u-2001"],
      "domains": ["emea", "global"],
      "active": true,
      "has_logged_in": true,
      "consents": ["privacy-policy", "terms-of-service"],
      "attributes": {"title": "Head of People Operations", "employee_number": 1001}
    },
    "target": {
      "id": "u-4242",
      "roles": ["employee", "manager"],
      "permissions": ["users.view", "goals.view", "goals.edit", "reviews.view", "reviews.edit",
                      "reports.view", "feedback.view", "feedback.give", "calendar.view", "profile.edit"],
      "groups": ["dept-sales", "loc-berlin", "all-staff"],
      "manages": ["u-5001", "u-5002", "u-5003"],
      "domains": ["emea"],
      "active": true,
      "has_logged_in": true,
      "consents": ["privacy-policy", "terms-of-service", "cookies"],
      "attributes": {"title": "Sales Manager", "employee_number": 4242}
    },
    "started_at": "2026-11-21T10:00:00Z",
    "expires_at": "2026-11-21T10:30:00Z",
    "domain": "emea",
    "reason": "ticket SUP-1234: goals page shows the wrong quarter",
    "read_only": false
  },
  "action": "report.generate",
  "resource": "goals-q4",
  "now": "2026-11-21T10:05:00Z"
}"#;

pub fn start_request() -> StartRequest {
    serde_json::from_str(START).expect("START is a start request")
}

/// [`START`] with the target in groups the actor does not manage: denied
/// `target-out-of-scope` (E5), one reason.
#[allow(dead_code, reason = "only `instructions` asks a deny")]
pub fn start_deny_request() -> StartRequest {
    let mut request = start_request();
    request.target.groups = vec!["dept-engineering".to_string(), "loc-paris".to_string()];
    request
}

pub fn action_request() -> ActionRequest {
    serde_json::from_str(ACTION).expect("ACTION is an action request")
}

/// Stands in for requests without a time; both requests carry one.
/// Parsed once: the measured loops pass it to every call, and parsing it
/// there (about 320 instructions) was counted as the engine's.
pub fn now() -> DateTime<Utc> {
    static NOW: LazyLock<DateTime<Utc>> = LazyLock::new(|| {
        DateTime::parse_from_rfc3339("2026-11-21T10:00:00Z")
            .expect("a time")
            .with_timezone(&Utc)
    });
    *NOW
}
