//! The one place that generates host bindings for `wit/policy.wit`.
//!
//! Everything else in the host speaks the SDK's wire types and the
//! contract's JSON types; this module converts between them and the
//! generated ones. The conversions are field moves: the packed text and
//! spans of a request are handed to wasmtime without another copy.

wasmtime::component::bindgen!({
    path: "../wit",
    world: "policy-world",
});

pub(crate) use self::standin::policy::types as wit;

use standin_policy_sdk::wire;

fn principal(p: &wire::Principal) -> wit::Principal {
    wit::Principal {
        id: p.id,
        tenant: p.tenant,
        roles: p.roles,
        permissions: p.permissions,
        groups: p.groups,
        manages: p.manages,
        domains: p.domains,
        consents: p.consents,
        attributes: p.attributes,
        active: p.active,
        has_logged_in: p.has_logged_in,
    }
}

impl From<wire::StartRequest> for wit::StartRequest {
    fn from(r: wire::StartRequest) -> Self {
        Self {
            actor: principal(&r.actor),
            target: principal(&r.target),
            text: r.text,
            spans: r.spans,
            tenant: r.tenant,
            reason: r.reason,
            ttl_seconds: r.ttl_seconds,
            domain: r.domain,
            actor_session: r.actor_session.map(|s| wit::SessionRef {
                id: s.id,
                target: s.target,
            }),
            consent_on_behalf: r.consent_on_behalf,
            now: r.now,
        }
    }
}

impl From<wire::ActionRequest> for wit::ActionRequest {
    fn from(r: wire::ActionRequest) -> Self {
        let s = &r.session;
        Self {
            session: wit::Session {
                id: s.id,
                actor: principal(&s.actor),
                target: principal(&s.target),
                started_at: s.started_at,
                expires_at: s.expires_at,
                domain: s.domain,
                reason: s.reason,
                read_only: s.read_only,
            },
            text: r.text,
            spans: r.spans,
            tenant: r.tenant,
            action: r.action,
            resource: r.resource,
            now: r.now,
        }
    }
}
