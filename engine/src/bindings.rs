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
use wasmtime::Store;
use wasmtime::component::{Component, InstancePre};

wasmtime::component::bindgen!({
    path: "../wit",
    world: "policy-world",
});

pub(crate) use self::standin::policy::types as wit;

/// `standin:policy@0.4.0`: no generic questions. Its types are the
/// current version's (which only adds some), so they are shared.
mod v0_4 {
    wasmtime::component::bindgen!({
        path: "../wit/archive/0.4.0",
        world: "policy-world",
        with: {
            "standin:policy/types": crate::bindings::standin::policy::types,
        },
    });
}

/// `standin:policy@0.3.0`: no `evaluate-actions`. Its types are the
/// current version's, word for word, so they are shared.
mod v0_3 {
    wasmtime::component::bindgen!({
        path: "../wit/archive/0.3.0",
        world: "policy-world",
        with: {
            "standin:policy/types": crate::bindings::standin::policy::types,
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
    /// `0.5.x`, the current one (`wit/policy.wit`).
    Current,
    /// `0.4.x` (`wit/archive/0.4.0`): no generic questions.
    V0_4,
    /// `0.3.x` (`wit/archive/0.3.0`): one call per action.
    V0_3,
    /// `0.2.x` (`wit/archive/0.2.0`).
    V0_2,
}

/// A component ready to instantiate, in the version it was built for.
pub(crate) enum WorldPre {
    Current(PolicyWorldPre<Limiter>),
    V0_4(v0_4::PolicyWorldPre<Limiter>),
    V0_3(v0_3::PolicyWorldPre<Limiter>),
    V0_2(v0_2::PolicyWorldPre<Limiter>),
}

/// An instance, in the version it was built for.
pub(crate) enum World {
    Current(PolicyWorld),
    V0_4(v0_4::PolicyWorld),
    V0_3(v0_3::PolicyWorld),
    V0_2(v0_2::PolicyWorld),
}

impl WorldPre {
    /// Checks that `pre` exports the functions and types of `version`.
    pub(crate) fn new(pre: InstancePre<Limiter>, version: Version) -> wasmtime::Result<Self> {
        Ok(match version {
            Version::Current => Self::Current(PolicyWorldPre::new(pre)?),
            Version::V0_4 => Self::V0_4(v0_4::PolicyWorldPre::new(pre)?),
            Version::V0_3 => Self::V0_3(v0_3::PolicyWorldPre::new(pre)?),
            Version::V0_2 => Self::V0_2(v0_2::PolicyWorldPre::new(pre)?),
        })
    }

    pub(crate) fn instantiate(&self, store: &mut Store<Limiter>) -> wasmtime::Result<World> {
        Ok(match self {
            Self::Current(pre) => World::Current(pre.instantiate(store)?),
            Self::V0_4(pre) => World::V0_4(pre.instantiate(store)?),
            Self::V0_3(pre) => World::V0_3(pre.instantiate(store)?),
            Self::V0_2(pre) => World::V0_2(pre.instantiate(store)?),
        })
    }

    pub(crate) fn component(&self) -> &Component {
        match self {
            Self::Current(pre) => pre.instance_pre().component(),
            Self::V0_4(pre) => pre.instance_pre().component(),
            Self::V0_3(pre) => pre.instance_pre().component(),
            Self::V0_2(pre) => pre.instance_pre().component(),
        }
    }

    pub(crate) fn version(&self) -> Version {
        match self {
            Self::Current(_) => Version::Current,
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
            Self::Current(w) => w.standin_policy_policy().call_describe(s),
            Self::V0_4(w) => w.standin_policy_policy().call_describe(s),
            Self::V0_3(w) => w.standin_policy_policy().call_describe(s),
            Self::V0_2(w) => w.standin_policy_policy().call_describe(s).map(|i| wit::PolicyInfo {
                name: i.name,
                version: i.version,
                rules: i.rules,
            }),
        }
    }

    pub(crate) fn configure(&self, s: &mut Store<Limiter>, settings: &str) -> Call<Result<(), Vec<String>>> {
        match self {
            Self::Current(w) => w.standin_policy_policy().call_configure(s, settings),
            Self::V0_4(w) => w.standin_policy_policy().call_configure(s, settings),
            Self::V0_3(w) => w.standin_policy_policy().call_configure(s, settings),
            Self::V0_2(w) => w.standin_policy_policy().call_configure(s, settings),
        }
    }

    pub(crate) fn evaluate_start(&self, s: &mut Store<Limiter>, text: &str, words: &[u64]) -> Call<wit::StartDecision> {
        match self {
            Self::Current(w) => w.standin_policy_policy().call_evaluate_start(s, text, words),
            Self::V0_4(w) => w.standin_policy_policy().call_evaluate_start(s, text, words),
            Self::V0_3(w) => w.standin_policy_policy().call_evaluate_start(s, text, words),
            Self::V0_2(w) => Ok(match w.standin_policy_policy().call_evaluate_start(s, text, words)? {
                v0_2::wit::StartDecision::Allow(g) => wit::StartDecision::Allow(wit::StartGrant {
                    ttl_seconds: g.ttl_seconds,
                    max_ttl_seconds: g.max_ttl_seconds,
                    notify_target: g.notify_target,
                    read_only: g.read_only,
                    obligations: g.obligations,
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
            Self::Current(w) => w.standin_policy_policy().call_evaluate_action(s, text, words),
            Self::V0_4(w) => w.standin_policy_policy().call_evaluate_action(s, text, words),
            Self::V0_3(w) => w.standin_policy_policy().call_evaluate_action(s, text, words),
            Self::V0_2(w) => Ok(match w.standin_policy_policy().call_evaluate_action(s, text, words)? {
                v0_2::wit::ActionDecision::Allow(obligations) => wit::ActionDecision::Allow(obligations),
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
            Self::Current(w) => w.standin_policy_policy().call_evaluate_approval(s, text, words),
            Self::V0_4(w) => w.standin_policy_policy().call_evaluate_approval(s, text, words),
            Self::V0_3(w) => w.standin_policy_policy().call_evaluate_approval(s, text, words),
            Self::V0_2(_) => Ok(wit::ApprovalDecision::Deny(vec![wit::Reason {
                code: "approver-not-allowed".to_string(),
                rule: "AP1".to_string(),
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
            Self::Current(w) => Some(w.standin_policy_policy().call_evaluate_actions(s, text, words, actions)),
            Self::V0_4(w) => Some(w.standin_policy_policy().call_evaluate_actions(s, text, words, actions)),
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
            Self::Current(w) => Some(w.standin_policy_policy().call_evaluate_question(s, question)),
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
            Self::Current(w) => Some(w.standin_policy_policy().call_search(s, kind, question)),
            Self::V0_4(_) | Self::V0_3(_) | Self::V0_2(_) => None,
        }
    }
}

fn current(reasons: Vec<v0_2::wit::Reason>) -> Vec<wit::Reason> {
    reasons
        .into_iter()
        .map(|r| wit::Reason {
            code: r.code,
            rule: r.rule,
            message: r.message,
        })
        .collect()
}
