//! The shared requests of the equivalence test: the bench's own allow
//! requests ([`START`](crate::requests::START),
//! [`ACTION`](crate::requests::ACTION)) and variations of them, each made
//! to trip one rule (or none, or several), with the reason codes the
//! default policy gives. Every rule the Cedar and Rego versions implement
//! has a case where it alone decides, so that removing it from either
//! changes an answer.

use crate::requests::{action_request, start_request};
use chrono::{DateTime, Duration, Utc};
use standin::{ActionRequest, SessionRef, StartRequest};

/// A request and the codes Standin denies it with (none: allowed).
#[derive(Debug, Clone)]
pub struct Case<R> {
    pub name: &'static str,
    pub request: R,
    pub codes: &'static [&'static str],
}

fn start(
    name: &'static str,
    codes: &'static [&'static str],
    edit: impl FnOnce(&mut StartRequest),
) -> Case<StartRequest> {
    let mut request = start_request();
    edit(&mut request);
    Case { name, request, codes }
}

fn action(
    name: &'static str,
    codes: &'static [&'static str],
    edit: impl FnOnce(&mut ActionRequest),
) -> Case<ActionRequest> {
    let mut request = action_request();
    edit(&mut request);
    Case { name, request, codes }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Start requests: 31 cases.
pub fn starts() -> Vec<Case<StartRequest>> {
    vec![
        start("allow: the bench's request", &[], |_| {}),
        start("allow: ttl over the maximum is clamped (S1)", &[], |r| {
            r.ttl_seconds = Some(200_000)
        }),
        start("allow: no ttl takes the default (S1)", &[], |r| r.ttl_seconds = None),
        start("allow: ttl 0 takes the default (S1)", &[], |r| r.ttl_seconds = Some(0)),
        start("allow: super admin alone is not scoped (E5)", &[], |r| {
            r.actor.roles = strings(&["super_admin"]);
            r.target.groups = strings(&["dept-engineering"]);
        }),
        start("allow: HR admin over a group they manage (E5)", &[], |r| {
            r.actor.roles = strings(&["hr_admin"]);
        }),
        start("allow: HR admin over a user they manage (E5)", &[], |r| {
            r.actor.roles = strings(&["hr_admin"]);
            r.target.id = "u-2001".to_string();
            r.target.groups = strings(&["dept-finance"]);
        }),
        start("allow: HR admin over an unknown role, level 0 (E4)", &[], |r| {
            r.actor.roles = strings(&["hr_admin"]);
            r.target.roles = strings(&["contractor"]);
        }),
        start("allow: super admin over an HR admin (E4)", &[], |r| {
            r.target.roles = strings(&["hr_admin", "employee"]);
        }),
        start("allow: the roles alone, without the permission (E1)", &[], |r| {
            r.actor.permissions.retain(|p| p != "users.impersonate");
        }),
        start("allow: no reason, no domain (E10 and domains off)", &[], |r| {
            r.reason = None;
            r.domain = None;
        }),
        start("allow: explicit tenant equal to the request's (E8)", &[], |r| {
            r.actor.tenant = Some("acme".to_string());
            r.target.tenant = Some("acme".to_string());
        }),
        start("deny: self-impersonation (E8)", &["self-impersonation"], |r| {
            r.target.id = r.actor.id.clone();
        }),
        start("deny: target in another tenant (E8)", &["cross-tenant"], |r| {
            r.target.tenant = Some("globex".to_string());
        }),
        start("deny: actor in another tenant (E8)", &["cross-tenant"], |r| {
            r.actor.tenant = Some("globex".to_string());
        }),
        start(
            "deny: no impersonator role nor permission (E1)",
            &["not-permitted", "target-level-not-lower"],
            |r| {
                r.actor.roles = strings(&["employee", "manager"]);
                r.actor.permissions.retain(|p| p != "users.impersonate");
            },
        ),
        start(
            "deny: the permission alone gives level 0 (E4)",
            &["target-level-not-lower"],
            |r| {
                r.actor.roles = strings(&["employee", "manager"]);
            },
        ),
        start("deny: inactive target (E2)", &["target-inactive"], |r| {
            r.target.active = false
        }),
        start("deny: target never logged in (E3)", &["target-never-logged-in"], |r| {
            r.target.has_logged_in = false;
        }),
        start("deny: consent missing (E3)", &["target-consent-missing"], |r| {
            r.target.consents = strings(&["terms-of-service", "cookies"]);
        }),
        start(
            "deny: consent missing, on behalf by nobody allowed (E3)",
            &["target-consent-missing"],
            |r| {
                r.target.consents.clear();
                r.consent_on_behalf = true;
            },
        ),
        start(
            "deny: target at the same level (E4)",
            &["target-level-not-lower"],
            |r| {
                r.target.roles = strings(&["super_admin"]);
            },
        ),
        start(
            "deny: target outranks the actor (E4)",
            &["target-level-not-lower"],
            |r| {
                r.actor.roles = strings(&["hr_admin"]);
                r.target.roles = strings(&["super_admin"]);
            },
        ),
        start(
            "deny: HR admin over an HR admin (E4)",
            &["target-level-not-lower"],
            |r| {
                r.actor.roles = strings(&["hr_admin"]);
                r.target.roles = strings(&["hr_admin"]);
            },
        ),
        start(
            "deny: outside the scope, super admin also HR admin (E5)",
            &["target-out-of-scope"],
            |r| {
                r.target.groups = strings(&["dept-engineering", "loc-paris"]);
            },
        ),
        start(
            "deny: HR admin managing only other users (E5)",
            &["target-out-of-scope"],
            |r| {
                r.actor.roles = strings(&["hr_admin"]);
                r.actor.manages = strings(&["u-2001"]);
            },
        ),
        start("deny: already in a session (E7)", &["nested-impersonation"], |r| {
            r.actor_session = Some(SessionRef {
                id: "s-1".to_string(),
                target: "u-3003".to_string(),
            });
        }),
        start(
            "deny: inactive and never logged in (E2, E3)",
            &["target-inactive", "target-never-logged-in"],
            |r| {
                r.target.active = false;
                r.target.has_logged_in = false;
            },
        ),
        start(
            "deny: everything at once",
            &[
                "cross-tenant",
                "not-permitted",
                "target-inactive",
                "target-never-logged-in",
                "target-consent-missing",
                "target-level-not-lower",
                "nested-impersonation",
            ],
            |r| {
                r.actor.roles = strings(&["employee"]);
                r.actor.permissions.clear();
                r.target.tenant = Some("globex".to_string());
                r.target.active = false;
                r.target.has_logged_in = false;
                r.target.consents.clear();
                r.actor_session = Some(SessionRef {
                    id: "s-1".to_string(),
                    target: "u-3003".to_string(),
                });
            },
        ),
        start(
            "deny: HR admin, self, out of scope, same level (E8, E5, E4)",
            &["self-impersonation", "target-out-of-scope", "target-level-not-lower"],
            |r| {
                r.actor.roles = strings(&["hr_admin"]);
                r.target = r.actor.clone();
                r.target.groups = strings(&["dept-engineering"]);
            },
        ),
        start(
            "deny: bare principals",
            &[
                "not-permitted",
                "target-inactive",
                "target-never-logged-in",
                "target-consent-missing",
                "target-level-not-lower",
            ],
            |r| {
                r.actor = standin::Principal {
                    id: "u-1".to_string(),
                    ..standin::Principal::default()
                };
                r.target = standin::Principal {
                    id: "u-2".to_string(),
                    ..standin::Principal::default()
                };
            },
        ),
    ]
}

fn at(request: &ActionRequest, seconds: i64) -> Option<DateTime<Utc>> {
    Some(request.session.expires_at + Duration::seconds(seconds))
}

/// Action requests: 26 cases.
pub fn actions() -> Vec<Case<ActionRequest>> {
    let name = |action: &str| {
        let action = action.to_string();
        move |r: &mut ActionRequest| r.action = action
    };
    vec![
        action("allow: the bench's report, delivered to the target", &[], |_| {}),
        action("allow: a read", &[], name("goals.view")),
        action("allow: a write", &[], name("goals.edit")),
        action("allow: preferences, not persisted", &[], name("preferences.theme.set")),
        action("allow: layout, not persisted", &[], name("layout.save")),
        action("allow: `billing` is not `billing.*`", &[], name("billing")),
        action(
            "allow: `user.passwords.list` is not `user.password.*`",
            &[],
            name("user.passwords.list"),
        ),
        action(
            "allow: `notification.read.all` is not reserved",
            &[],
            name("notification.read.all"),
        ),
        action("allow: one second before the end (S3)", &[], |r| r.now = at(r, -1)),
        action("allow: read-only session reads (S7)", &[], |r| {
            r.session.read_only = true;
            r.action = "reviews.list".to_string();
        }),
        action("allow: read-only session reads a report", &[], |r| {
            r.session.read_only = true;
            r.action = "report.read".to_string();
        }),
        action("deny: payment (F1)", &["forbidden-action"], name("billing.invoice.pay")),
        action(
            "deny: another payment (F1)",
            &["forbidden-action"],
            name("payment.refund"),
        ),
        action(
            "deny: subscription (F1)",
            &["forbidden-action"],
            name("subscription.cancel"),
        ),
        action(
            "deny: password (F2)",
            &["forbidden-action"],
            name("user.password.change"),
        ),
        action(
            "deny: credentials (F2)",
            &["forbidden-action"],
            name("user.credentials.rotate"),
        ),
        action("deny: signature (F3)", &["forbidden-action"], name("esign.sign")),
        action(
            "deny: billing even as a read (F1)",
            &["forbidden-action"],
            name("billing.view"),
        ),
        action(
            "deny: reserved for the target (F4)",
            &["reserved-for-target"],
            name("guide.dismiss"),
        ),
        action(
            "deny: notifications reserved (F4)",
            &["reserved-for-target"],
            name("notification.read"),
        ),
        action("deny: at the session's end (S3)", &["session-expired"], |r| {
            r.now = at(r, 0)
        }),
        action("deny: an hour after the end (S3)", &["session-expired"], |r| {
            r.now = at(r, 3600)
        }),
        action("deny: read-only session writes (S7)", &["read-only-session"], |r| {
            r.session.read_only = true;
            r.action = "goals.edit".to_string();
        }),
        action("deny: target in another tenant (E8)", &["cross-tenant"], |r| {
            r.session.target.tenant = Some("globex".to_string());
        }),
        action(
            "deny: read-only, expired, paying",
            &["read-only-session", "session-expired", "forbidden-action"],
            |r| {
                r.session.read_only = true;
                r.now = at(r, 60);
                r.action = "payment.send".to_string();
            },
        ),
        action(
            "deny: read-only session dismisses a guide",
            &["read-only-session", "reserved-for-target"],
            |r| {
                r.session.read_only = true;
                r.action = "guide.dismiss".to_string();
            },
        ),
    ]
}
