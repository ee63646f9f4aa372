//! The one place that generates host bindings: for `wit/policy.wit` (the
//! current version of the package) and for the versions before it that
//! components may still be built against (`wit/archive/`), with the one
//! type the rest of the host calls, whichever version a component has
//! ([`WorldPre`], [`World`]).
//!
//! Everything else in the host speaks the SDK's wire types and the
//! contract's JSON types. A request crosses as its text and words
//! (`standin_wire::words`), so nothing here converts requests;
//! an older version's answers are turned into the current version's types
//! here, and checked where every answer is (`answer`).

use crate::sandbox::Limiter;

pub(crate) mod answer;
mod lazy;
use wasmtime::Store;
use wasmtime::component::{Component, InstancePre};

wasmtime::component::bindgen!({
    path: "../wit",
    world: "policy-world",
});

/// The current version's types, with the answers as the host lifts them
/// ([`answer`]: a deny's codes and rules borrowed, not copied) in place
/// of the generated ones.
pub mod wit {
    pub use super::answer::{ActionDecision, ApprovalDecision, Reason, StartDecision};
    pub use super::standin::policy::types::*;
}

/// `standin:policy@0.6.0`: no prepared settings. Its types are the current
/// version's, word for word, so they are shared (answers included).
mod v0_6 {
    wasmtime::component::bindgen!({
        path: "../wit/archive/0.6.0",
        world: "policy-world",
        with: {
            "standin:policy/types": crate::bindings::wit,
        },
    });
}

/// `standin:policy@0.5.0`: no scope, no idle timeout, no settings schema.
/// Its answers are turned into the current version's types in
/// [`older`](crate::bindings::older).
mod v0_5 {
    wasmtime::component::bindgen!({
        path: "../wit/archive/0.5.0",
        world: "policy-world",
    });

    pub(crate) use self::standin::policy::types as wit;
}

/// `standin:policy@0.4.0`: no generic questions. Its types are 0.5.0's
/// (which only adds some), so they are shared.
mod v0_4 {
    wasmtime::component::bindgen!({
        path: "../wit/archive/0.4.0",
        world: "policy-world",
        with: {
            "standin:policy/types": crate::bindings::v0_5::standin::policy::types,
        },
    });
}

/// `standin:policy@0.3.0`: no `evaluate-actions`. Its types are 0.5.0's,
/// word for word, so they are shared.
mod v0_3 {
    wasmtime::component::bindgen!({
        path: "../wit/archive/0.3.0",
        world: "policy-world",
        with: {
            "standin:policy/types": crate::bindings::v0_5::standin::policy::types,
        },
    });
}

/// `standin:policy@0.2.0`: no approval. Such a component never answers
/// `pending`, and nobody may approve for it.
mod v0_2 {
    wasmtime::component::bindgen!({
        path: "../wit/archive/0.2.0",
        world: "policy-world",
    });

    pub(crate) use self::standin::policy::types as wit;
}

/// The versions of the package the host calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Version {
    /// `0.7.x`, the current one (`wit/policy.wit`).
    Current,
    /// `0.6.x` (`wit/archive/0.6.0`): no prepared settings.
    V0_6,
    /// `0.5.x` (`wit/archive/0.5.0`): no scope, idle timeout or schema.
    V0_5,
    /// `0.4.x` (`wit/archive/0.4.0`): no generic questions.
    V0_4,
    /// `0.3.x` (`wit/archive/0.3.0`): one call per action.
    V0_3,
    /// `0.2.x` (`wit/archive/0.2.0`).
    V0_2,
}

/// A component ready to instantiate, in the version it was built for.
pub(crate) enum WorldPre {
    /// Checked by the bindings; instantiated with its exports looked up
    /// when first called ([`lazy`]).
    Current(PolicyWorldPre<Limiter>, std::sync::Arc<lazy::Indices>),
    V0_6(v0_6::PolicyWorldPre<Limiter>),
    V0_5(v0_5::PolicyWorldPre<Limiter>),
    V0_4(v0_4::PolicyWorldPre<Limiter>),
    V0_3(v0_3::PolicyWorldPre<Limiter>),
    V0_2(v0_2::PolicyWorldPre<Limiter>),
}

/// An instance, in the version it was built for.
pub(crate) enum World {
    Current(lazy::Current),
    V0_6(v0_6::PolicyWorld),
    V0_5(v0_5::PolicyWorld),
    V0_4(v0_4::PolicyWorld),
    V0_3(v0_3::PolicyWorld),
    V0_2(v0_2::PolicyWorld),
}

impl WorldPre {
    /// Checks that `pre` exports the functions and types of `version`.
    pub(crate) fn new(pre: InstancePre<Limiter>, version: Version) -> wasmtime::Result<Self> {
        Ok(match version {
            Version::Current => {
                let indices = std::sync::Arc::new(lazy::Indices::new(&pre)?);
                Self::Current(PolicyWorldPre::new(pre)?, indices)
            }
            Version::V0_6 => Self::V0_6(v0_6::PolicyWorldPre::new(pre)?),
            Version::V0_5 => Self::V0_5(v0_5::PolicyWorldPre::new(pre)?),
            Version::V0_4 => Self::V0_4(v0_4::PolicyWorldPre::new(pre)?),
            Version::V0_3 => Self::V0_3(v0_3::PolicyWorldPre::new(pre)?),
            Version::V0_2 => Self::V0_2(v0_2::PolicyWorldPre::new(pre)?),
        })
    }

    pub(crate) fn instantiate(&self, store: &mut Store<Limiter>) -> wasmtime::Result<World> {
        Ok(match self {
            Self::Current(pre, indices) => {
                World::Current(lazy::Current::instantiate(pre.instance_pre(), indices, store)?)
            }
            Self::V0_6(pre) => World::V0_6(pre.instantiate(store)?),
            Self::V0_5(pre) => World::V0_5(pre.instantiate(store)?),
            Self::V0_4(pre) => World::V0_4(pre.instantiate(store)?),
            Self::V0_3(pre) => World::V0_3(pre.instantiate(store)?),
            Self::V0_2(pre) => World::V0_2(pre.instantiate(store)?),
        })
    }

    pub(crate) fn component(&self) -> &Component {
        match self {
            Self::Current(pre, _) => pre.instance_pre().component(),
            Self::V0_6(pre) => pre.instance_pre().component(),
            Self::V0_5(pre) => pre.instance_pre().component(),
            Self::V0_4(pre) => pre.instance_pre().component(),
            Self::V0_3(pre) => pre.instance_pre().component(),
            Self::V0_2(pre) => pre.instance_pre().component(),
        }
    }

    pub(crate) fn version(&self) -> Version {
        match self {
            Self::Current(..) => Version::Current,
            Self::V0_6(_) => Version::V0_6,
            Self::V0_5(_) => Version::V0_5,
            Self::V0_4(_) => Version::V0_4,
            Self::V0_3(_) => Version::V0_3,
            Self::V0_2(_) => Version::V0_2,
        }
    }
}

type Call<T> = wasmtime::Result<T>;

impl World {
    pub(crate) fn describe(&self, s: &mut Store<Limiter>) -> Call<wit::PolicyInfo> {
        match self {
            Self::Current(w) => w.describe(s),
            Self::V0_6(w) => w.standin_policy_policy().call_describe(s),
            Self::V0_5(w) => w.standin_policy_policy().call_describe(s).map(older::info),
            Self::V0_4(w) => w.standin_policy_policy().call_describe(s).map(older::info),
            Self::V0_3(w) => w.standin_policy_policy().call_describe(s).map(older::info),
            Self::V0_2(w) => w.standin_policy_policy().call_describe(s).map(|i| wit::PolicyInfo {
                name: i.name,
                version: i.version,
                rules: i.rules,
            }),
        }
    }

    pub(crate) fn configure(&self, s: &mut Store<Limiter>, settings: &str) -> Call<Result<(), Vec<String>>> {
        match self {
            Self::Current(w) => w.configure(s, settings),
            Self::V0_6(w) => w.standin_policy_policy().call_configure(s, settings),
            Self::V0_5(w) => w.standin_policy_policy().call_configure(s, settings),
            Self::V0_4(w) => w.standin_policy_policy().call_configure(s, settings),
            Self::V0_3(w) => w.standin_policy_policy().call_configure(s, settings),
            Self::V0_2(w) => w.standin_policy_policy().call_configure(s, settings),
        }
    }

    pub(crate) fn evaluate_start(&self, s: &mut Store<Limiter>, text: &str, words: &[u64]) -> Call<wit::StartDecision> {
        match self {
            Self::Current(w) => w.evaluate_start(s, text, words),
            Self::V0_6(w) => w.standin_policy_policy().call_evaluate_start(s, text, words),
            Self::V0_5(w) => w
                .standin_policy_policy()
                .call_evaluate_start(s, text, words)
                .map(older::start),
            Self::V0_4(w) => w
                .standin_policy_policy()
                .call_evaluate_start(s, text, words)
                .map(older::start),
            Self::V0_3(w) => w
                .standin_policy_policy()
                .call_evaluate_start(s, text, words)
                .map(older::start),
            Self::V0_2(w) => Ok(match w.standin_policy_policy().call_evaluate_start(s, text, words)? {
                v0_2::wit::StartDecision::Allow(g) => wit::StartDecision::Allow(wit::StartGrant {
                    ttl_seconds: g.ttl_seconds,
                    max_ttl_seconds: g.max_ttl_seconds,
                    notify_target: g.notify_target,
                    read_only: g.read_only,
                    obligations: g.obligations,
                    scope: None,
                    idle_timeout_seconds: None,
                }),
                v0_2::wit::StartDecision::Deny(reasons) => wit::StartDecision::Deny(current(reasons)),
            }),
        }
    }

    pub(crate) fn evaluate_action(
        &self,
        s: &mut Store<Limiter>,
        text: &str,
        words: &[u64],
    ) -> Call<wit::ActionDecision> {
        match self {
            Self::Current(w) => w.evaluate_action(s, text, words),
            Self::V0_6(w) => w.standin_policy_policy().call_evaluate_action(s, text, words),
            Self::V0_5(w) => w
                .standin_policy_policy()
                .call_evaluate_action(s, text, words)
                .map(older::action),
            Self::V0_4(w) => w
                .standin_policy_policy()
                .call_evaluate_action(s, text, words)
                .map(older::action),
            Self::V0_3(w) => w
                .standin_policy_policy()
                .call_evaluate_action(s, text, words)
                .map(older::action),
            Self::V0_2(w) => Ok(match w.standin_policy_policy().call_evaluate_action(s, text, words)? {
                v0_2::wit::ActionDecision::Allow(obligations) => wit::ActionDecision::Allow(answer::names(obligations)),
                v0_2::wit::ActionDecision::Deny(reasons) => wit::ActionDecision::Deny(current(reasons)),
            }),
        }
    }

    /// A 0.2 component has no approval: nobody may answer for it (it never
    /// answers `pending`, so only a forged request could ask).
    pub(crate) fn evaluate_approval(
        &self,
        s: &mut Store<Limiter>,
        text: &str,
        words: &[u64],
    ) -> Call<wit::ApprovalDecision> {
        match self {
            Self::Current(w) => w.evaluate_approval(s, text, words),
            Self::V0_6(w) => w.standin_policy_policy().call_evaluate_approval(s, text, words),
            Self::V0_5(w) => w
                .standin_policy_policy()
                .call_evaluate_approval(s, text, words)
                .map(older::approval),
            Self::V0_4(w) => w
                .standin_policy_policy()
                .call_evaluate_approval(s, text, words)
                .map(older::approval),
            Self::V0_3(w) => w
                .standin_policy_policy()
                .call_evaluate_approval(s, text, words)
                .map(older::approval),
            Self::V0_2(_) => Ok(wit::ApprovalDecision::Deny(vec![wit::Reason {
                code: "approver-not-allowed".into(),
                rule: "AP1".into(),
                message: "the policy is built against `standin:policy@0.2.0`, which has no approval".to_string(),
            }])),
        }
    }
}

impl World {
    /// Several actions of one session in one call; `None` for a component
    /// built before `evaluate-actions`.
    pub(crate) fn evaluate_actions(
        &self,
        s: &mut Store<Limiter>,
        text: &str,
        words: &[u64],
        actions: &[u64],
    ) -> Option<Call<Vec<wit::ActionDecision>>> {
        match self {
            Self::Current(w) => Some(w.evaluate_actions(s, text, words, actions)),
            Self::V0_6(w) => Some(w.standin_policy_policy().call_evaluate_actions(s, text, words, actions)),
            Self::V0_5(w) => Some(older::actions(
                w.standin_policy_policy().call_evaluate_actions(s, text, words, actions),
            )),
            Self::V0_4(w) => Some(older::actions(
                w.standin_policy_policy().call_evaluate_actions(s, text, words, actions),
            )),
            Self::V0_3(_) | Self::V0_2(_) => None,
        }
    }
}

impl World {
    /// A generic AuthZEN question; `None` for a component built before
    /// them (as for one that answers `none`).
    pub(crate) fn evaluate_question(
        &self,
        s: &mut Store<Limiter>,
        question: &wit::Question,
    ) -> Option<Call<Option<wit::GenericDecision>>> {
        match self {
            Self::Current(w) => Some(w.evaluate_question(s, question)),
            Self::V0_6(w) => Some(w.standin_policy_policy().call_evaluate_question(s, question)),
            Self::V0_5(w) => Some(
                w.standin_policy_policy()
                    .call_evaluate_question(s, &older::question(question))
                    .map(|d| d.map(older::generic)),
            ),
            Self::V0_4(_) | Self::V0_3(_) | Self::V0_2(_) => None,
        }
    }

    /// A search; `None` for a component built before them.
    pub(crate) fn search(
        &self,
        s: &mut Store<Limiter>,
        kind: wit::SearchKind,
        question: &wit::Question,
    ) -> Option<Call<Option<Vec<String>>>> {
        match self {
            Self::Current(w) => Some(w.search(s, kind, question)),
            Self::V0_6(w) => Some(w.standin_policy_policy().call_search(s, kind, question)),
            Self::V0_5(w) => Some(w.standin_policy_policy().call_search(
                s,
                older::kind(kind),
                &older::question(question),
            )),
            Self::V0_4(_) | Self::V0_3(_) | Self::V0_2(_) => None,
        }
    }

    /// The JSON Schema of the policy's settings; `None` for a component
    /// built before `settings-schema` (as for one that answers `none`).
    pub(crate) fn settings_schema(&self, s: &mut Store<Limiter>) -> Option<Call<Option<String>>> {
        match self {
            Self::Current(w) => Some(w.settings_schema(s)),
            Self::V0_6(w) => Some(w.standin_policy_policy().call_settings_schema(s)),
            Self::V0_5(_) | Self::V0_4(_) | Self::V0_3(_) | Self::V0_2(_) => None,
        }
    }
}

impl World {
    /// `prepare(settings)`; `None` before 0.7.0.
    pub(crate) fn prepare(&self, s: &mut Store<Limiter>, settings: &str) -> Option<Call<Result<u32, Vec<String>>>> {
        match self {
            Self::Current(w) => Some(w.prepare(s, settings)),
            _ => None,
        }
    }

    /// `select(handle)`; `None` before 0.7.0.
    pub(crate) fn select(&self, s: &mut Store<Limiter>, handle: u32) -> Option<Call<()>> {
        match self {
            Self::Current(w) => Some(w.select(s, handle)),
            _ => None,
        }
    }

    /// `release(handle)`; `None` before 0.7.0.
    pub(crate) fn release(&self, s: &mut Store<Limiter>, handle: u32) -> Option<Call<()>> {
        match self {
            Self::Current(w) => Some(w.release(s, handle)),
            _ => None,
        }
    }
}

/// 0.5.0's types (shared by 0.4.0 and 0.3.0) turned into the current
/// version's: the same records, with no scope and no idle timeout granted.
mod older {
    use super::{Call, answer, v0_5, wit};

    pub(super) fn info(i: v0_5::wit::PolicyInfo) -> wit::PolicyInfo {
        wit::PolicyInfo {
            name: i.name,
            version: i.version,
            rules: i.rules,
        }
    }

    pub(super) fn reasons(reasons: Vec<v0_5::wit::Reason>) -> Vec<wit::Reason> {
        reasons
            .into_iter()
            .map(|r| wit::Reason {
                code: r.code.into(),
                rule: r.rule.into(),
                message: r.message,
            })
            .collect()
    }

    fn grant(g: v0_5::wit::StartGrant) -> wit::StartGrant {
        wit::StartGrant {
            ttl_seconds: g.ttl_seconds,
            max_ttl_seconds: g.max_ttl_seconds,
            notify_target: g.notify_target,
            read_only: g.read_only,
            obligations: g.obligations,
            scope: None,
            idle_timeout_seconds: None,
        }
    }

    pub(super) fn start(d: v0_5::wit::StartDecision) -> wit::StartDecision {
        match d {
            v0_5::wit::StartDecision::Allow(g) => wit::StartDecision::Allow(grant(g)),
            v0_5::wit::StartDecision::Pending(p) => wit::StartDecision::Pending(wit::PendingStart {
                grant: grant(p.grant),
                approvers: wit::Approvers {
                    roles: p.approvers.roles,
                    target: p.approvers.target,
                    ttl_seconds: p.approvers.ttl_seconds,
                },
            }),
            v0_5::wit::StartDecision::Deny(r) => wit::StartDecision::Deny(reasons(r)),
        }
    }

    pub(super) fn action(d: v0_5::wit::ActionDecision) -> wit::ActionDecision {
        match d {
            v0_5::wit::ActionDecision::Allow(obligations) => wit::ActionDecision::Allow(answer::names(obligations)),
            v0_5::wit::ActionDecision::Deny(r) => wit::ActionDecision::Deny(reasons(r)),
        }
    }

    pub(super) fn actions(d: Call<Vec<v0_5::wit::ActionDecision>>) -> Call<Vec<wit::ActionDecision>> {
        d.map(|all| all.into_iter().map(action).collect())
    }

    pub(super) fn approval(d: v0_5::wit::ApprovalDecision) -> wit::ApprovalDecision {
        match d {
            v0_5::wit::ApprovalDecision::Approve => wit::ApprovalDecision::Approve,
            v0_5::wit::ApprovalDecision::Deny(r) => wit::ApprovalDecision::Deny(reasons(r)),
        }
    }

    fn entity(e: &wit::Entity) -> v0_5::wit::Entity {
        v0_5::wit::Entity {
            type_: e.type_.clone(),
            id: e.id.clone(),
            properties: e.properties.clone(),
        }
    }

    pub(super) fn question(q: &wit::Question) -> v0_5::wit::Question {
        v0_5::wit::Question {
            subject: entity(&q.subject),
            action: q.action.clone(),
            action_properties: q.action_properties.clone(),
            resource: entity(&q.resource),
            context: q.context.clone(),
        }
    }

    pub(super) fn generic(d: v0_5::wit::GenericDecision) -> wit::GenericDecision {
        wit::GenericDecision {
            decision: d.decision,
            context: d.context,
            obligations: d.obligations,
        }
    }

    pub(super) fn kind(k: wit::SearchKind) -> v0_5::wit::SearchKind {
        match k {
            wit::SearchKind::Subject => v0_5::wit::SearchKind::Subject,
            wit::SearchKind::Resource => v0_5::wit::SearchKind::Resource,
            wit::SearchKind::Action => v0_5::wit::SearchKind::Action,
        }
    }
}

fn current(reasons: Vec<v0_2::wit::Reason>) -> Vec<wit::Reason> {
    reasons
        .into_iter()
        .map(|r| wit::Reason {
            code: r.code.into(),
            rule: r.rule.into(),
            message: r.message,
        })
        .collect()
}
