//! Cedar's side: `policies/standin.cedar` parsed once, and a Cedar request
//! and entity store built from each Standin request.
//!
//! What Cedar needs prebuilt, per request: the two principals as entities
//! (`Actor`, `Target`; their attributes as tags), the request's other facts
//! as context, and times as Unix seconds (Cedar compares Longs; the host
//! also hands the policy Unix seconds). Everything else is in the policy
//! text: role levels as an `if` chain, action patterns as `like`. What Cedar
//! cannot answer: the granted time of an allow (S1 clamps it to the
//! maximum; a Cedar decision carries no values), so [`Cedar::start`]
//! computes it in Rust. Reason codes and obligations are annotations of the
//! determining policies, read by [`Cedar::outcome`].

use crate::Outcome;
use crate::requests::unix;
use cedar_policy::{
    Authorizer, Context, Decision, Entities, Entity, EntityId, EntityTypeName, EntityUid, PolicySet, Request, Response,
    RestrictedExpression, Schema, ValidationMode, Validator,
};
use standin::{ActionRequest, Principal, StartRequest};
use std::str::FromStr;

/// The policies, in Cedar.
pub const POLICIES: &str = include_str!("../policies/standin.cedar");
/// Their schema.
pub const SCHEMA: &str = include_str!("../policies/standin.cedarschema");

/// The settings Cedar cannot hold (S1): `default_ttl_seconds` and
/// `max_ttl_seconds` of `examples/settings/betterworks.json`.
const DEFAULT_TTL_SECONDS: u64 = 3600;
const MAX_TTL_SECONDS: u64 = 86_400;

/// A request built for Cedar, ready to authorize.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub request: Request,
    pub entities: Entities,
    /// The granted time of a start, if it is allowed (S1).
    ttl_seconds: Option<u64>,
}

/// Cedar's answer: its response, and for a start the granted time.
#[derive(Debug)]
pub struct Answer {
    pub response: Response,
    pub ttl_seconds: Option<u64>,
}

/// The policies and the names every request uses, parsed once.
#[derive(Debug)]
pub struct Cedar {
    policies: PolicySet,
    authorizer: Authorizer,
    actor: EntityTypeName,
    target: EntityTypeName,
    start: EntityUid,
    act: EntityUid,
}

impl Default for Cedar {
    fn default() -> Self {
        let action = |name: &str| EntityUid::from_str(&format!("Action::\"{name}\"")).expect("an action uid");
        Self {
            policies: PolicySet::from_str(POLICIES).expect("the Cedar policies parse"),
            authorizer: Authorizer::new(),
            actor: EntityTypeName::from_str("Actor").expect("a type name"),
            target: EntityTypeName::from_str("Target").expect("a type name"),
            start: action("start"),
            act: action("act"),
        }
    }
}

fn string(s: &str) -> RestrictedExpression {
    RestrictedExpression::new_string(s.to_string())
}

fn strings(items: &[String]) -> RestrictedExpression {
    RestrictedExpression::new_set(items.iter().map(|s| string(s)))
}

fn long(n: i64) -> RestrictedExpression {
    RestrictedExpression::new_long(n)
}

impl Cedar {
    /// Problems the validator finds in the policies against the schema
    /// (none expected): checked once, by a test.
    pub fn validate() -> Vec<String> {
        let (schema, _) = Schema::from_cedarschema_str(SCHEMA).expect("the Cedar schema parses");
        let policies = PolicySet::from_str(POLICIES).expect("the Cedar policies parse");
        let result = Validator::new(schema).validate(&policies, ValidationMode::Strict);
        result.validation_errors().map(|e| e.to_string()).collect()
    }

    /// A principal as an entity of `kind`; attributes other than strings
    /// become their JSON text, as the host packs them.
    fn entity(&self, kind: &EntityTypeName, p: &Principal, tenant: &str) -> Entity {
        let uid = EntityUid::from_type_name_and_id(kind.clone(), EntityId::new(&p.id));
        let attrs = [
            ("id", string(&p.id)),
            ("tenant", string(p.tenant.as_deref().unwrap_or(tenant))),
            ("roles", strings(&p.roles)),
            ("permissions", strings(&p.permissions)),
            ("groups", strings(&p.groups)),
            ("manages", strings(&p.manages)),
            ("domains", strings(&p.domains)),
            ("consents", strings(&p.consents)),
            ("active", RestrictedExpression::new_bool(p.active)),
            ("has_logged_in", RestrictedExpression::new_bool(p.has_logged_in)),
        ]
        .map(|(k, v)| (k.to_string(), v));
        let tags = p.attributes.iter().map(|(k, v)| {
            let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
            (k.clone(), RestrictedExpression::new_string(v))
        });
        Entity::new_with_tags(uid, attrs, [], tags).expect("attributes are values")
    }

    fn store(&self, actor: &Principal, target: &Principal, tenant: &str) -> Entities {
        let entities = [
            self.entity(&self.actor, actor, tenant),
            self.entity(&self.target, target, tenant),
        ];
        Entities::from_entities(entities, None).expect("two distinct entities")
    }

    fn uids(&self, actor: &Principal, target: &Principal) -> (EntityUid, EntityUid) {
        (
            EntityUid::from_type_name_and_id(self.actor.clone(), EntityId::new(&actor.id)),
            EntityUid::from_type_name_and_id(self.target.clone(), EntityId::new(&target.id)),
        )
    }

    /// A start request as Cedar's request and entities.
    pub fn prepare_start(&self, r: &StartRequest) -> Prepared {
        let mut context = vec![
            ("tenant".to_string(), string(&r.tenant)),
            (
                "consent_on_behalf".to_string(),
                RestrictedExpression::new_bool(r.consent_on_behalf),
            ),
            ("now".to_string(), long(unix(r.now))),
        ];
        let optional = [("reason", &r.reason), ("domain", &r.domain)];
        context.extend(
            optional
                .iter()
                .filter_map(|(k, v)| Some((k.to_string(), string(v.as_deref()?)))),
        );
        if let Some(ttl) = r.ttl_seconds {
            context.push(("ttl_seconds".to_string(), long(ttl.min(i64::MAX as u64) as i64)));
        }
        if let Some(s) = &r.actor_session {
            let session = [
                ("id".to_string(), string(&s.id)),
                ("target".to_string(), string(&s.target)),
            ];
            let session = RestrictedExpression::new_record(session).expect("distinct keys");
            context.push(("actor_session".to_string(), session));
        }
        let (principal, resource) = self.uids(&r.actor, &r.target);
        let context = Context::from_pairs(context).expect("distinct keys");
        let ttl = match r.ttl_seconds {
            Some(t) if t > 0 => t,
            _ => DEFAULT_TTL_SECONDS,
        };
        Prepared {
            request: Request::new(principal, self.start.clone(), resource, context, None).expect("no schema"),
            entities: self.store(&r.actor, &r.target, &r.tenant),
            ttl_seconds: Some(ttl.min(MAX_TTL_SECONDS)),
        }
    }

    /// An action request as Cedar's request and entities.
    pub fn prepare_action(&self, r: &ActionRequest) -> Prepared {
        let s = &r.session;
        let mut context = vec![
            ("tenant".to_string(), string(&r.tenant)),
            ("session_id".to_string(), string(&s.id)),
            ("started_at".to_string(), long(s.started_at.timestamp())),
            ("expires_at".to_string(), long(s.expires_at.timestamp())),
            ("read_only".to_string(), RestrictedExpression::new_bool(s.read_only)),
            ("action".to_string(), string(&r.action)),
            ("now".to_string(), long(unix(r.now))),
        ];
        let optional = [("domain", &s.domain), ("reason", &s.reason), ("resource", &r.resource)];
        context.extend(
            optional
                .iter()
                .filter_map(|(k, v)| Some((k.to_string(), string(v.as_deref()?)))),
        );
        let (principal, resource) = self.uids(&s.actor, &s.target);
        let context = Context::from_pairs(context).expect("distinct keys");
        Prepared {
            request: Request::new(principal, self.act.clone(), resource, context, None).expect("no schema"),
            entities: self.store(&s.actor, &s.target, &r.tenant),
            ttl_seconds: None,
        }
    }

    /// Authorizes a prepared request.
    pub fn decide(&self, prepared: &Prepared) -> Answer {
        let response = self
            .authorizer
            .is_authorized(&prepared.request, &self.policies, &prepared.entities);
        let ttl_seconds = prepared.ttl_seconds.filter(|_| response.decision() == Decision::Allow);
        Answer { response, ttl_seconds }
    }

    /// Builds and authorizes a start: the timed path.
    pub fn start(&self, request: &StartRequest) -> Answer {
        self.decide(&self.prepare_start(request))
    }

    /// Builds and authorizes an action: the timed path.
    pub fn action(&self, request: &ActionRequest) -> Answer {
        self.decide(&self.prepare_action(request))
    }

    /// Cedar's answer as an [`Outcome`]: a deny's codes are the `@code` of
    /// the forbids that held, an allow's obligations the `@obligation` of
    /// the permits that held. Panics on an evaluation error: Cedar skips a
    /// policy that errors, which for a forbid would be a silent allow.
    pub fn outcome(&self, answer: &Answer) -> Outcome {
        let errors: Vec<String> = answer.response.diagnostics().errors().map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "Cedar evaluation errors: {errors:?}");
        let annotations = |key: &str| {
            let reasons = answer.response.diagnostics().reason();
            reasons
                .filter_map(|id| self.policies.annotation(id, key))
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        match answer.response.decision() {
            Decision::Allow => Outcome::allow(answer.ttl_seconds, annotations("obligation")),
            Decision::Deny => Outcome::deny(annotations("code")),
        }
    }
}
