//! Tenants' policies while the host serves: which version answers, the
//! cache of loaded versions, and activation and rollback.
//!
//! A version never changes once stored, so a loaded [`Policy`] is cached by
//! tenant and version and shared by every call. Which version is active is
//! read from the store at each start; activation flips it in one store
//! transaction. A call holds its own clone of the policy it started with,
//! so calls in flight finish on their version while new calls take the new
//! one, and sessions keep the version they started under for all their
//! actions.
//!
//! Compiled code is cached twice: in memory by the host (per digest), and
//! in the store as artifacts keyed by digest and engine, so a cold process
//! deserializes instead of compiling. An artifact is native code, so it is
//! trusted only with a tag made by the host key, which the store never
//! holds (`standin_engine::HostKey`).

use super::Registry;
use crate::Standin;
use crate::decision::PolicyRef;
use crate::decision::Verdict;
use crate::decision::{Decision, codes};
use crate::policies::{ArtifactKey, StoredPolicy};
use crate::request::{ActionRequest, ApprovalRequest, PackedSession, RequestError, StartRequest};
use crate::sessions::changes::{builtin_digest, secs};
use crate::sessions::{PolicyUnavailable, SessionError};
use crate::store::StoreError;
use crate::trace;
use chrono::{DateTime, Utc};
use standin_engine::Policy;
use standin_engine::{Artifacts, Compiled};
use standin_engine::{Digest, Host};
use std::sync::{Arc, PoisonError};
use std::time::Instant;

/// A tenant's policy version as a call uses it: loaded, or the
/// `policy-unavailable` deny that answers every question in its place
/// (fail closed).
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    pub(crate) policy: Result<Policy, Decision>,
    pub(crate) reference: PolicyRef,
}

impl Resolved {
    /// The `policy-unavailable` deny standing in for version `version`.
    fn unavailable(version: u32, message: String) -> Self {
        Self {
            policy: Err(Decision::host_deny(codes::POLICY_UNAVAILABLE, message)),
            reference: PolicyRef {
                version,
                digest: String::new(),
            },
        }
    }

    pub(crate) fn evaluate_start(&self, request: &StartRequest, now: DateTime<Utc>) -> Decision {
        let t = trace::start();
        let d = match &self.policy {
            Ok(p) => p.evaluate_start(request, now),
            Err(deny) => deny.clone(),
        };
        self.called(t, "start", std::slice::from_ref(&d));
        d
    }

    pub(crate) fn evaluate_approval(&self, request: &ApprovalRequest, now: DateTime<Utc>) -> Decision {
        let t = trace::start();
        let d = match &self.policy {
            Ok(p) => p.evaluate_approval(request, now),
            Err(deny) => deny.clone(),
        };
        self.called(t, "approval", std::slice::from_ref(&d));
        d
    }

    pub(crate) fn evaluate_action(&self, request: &ActionRequest, now: DateTime<Utc>) -> Decision {
        let t = trace::start();
        let d = match &self.policy {
            Ok(p) => p.evaluate_action(request, now),
            Err(deny) => deny.clone(),
        };
        self.called(t, "action", std::slice::from_ref(&d));
        d
    }

    /// [`Self::evaluate_action`] in a session packed once.
    pub(crate) fn evaluate_action_in(
        &self,
        session: &Result<PackedSession, RequestError>,
        action: &str,
        resource: Option<&str>,
        now: DateTime<Utc>,
    ) -> Decision {
        let t = trace::start();
        let d = match (&self.policy, session) {
            (Err(deny), _) => deny.clone(),
            (Ok(_), Err(e)) => Decision::host_deny(codes::INVALID_REQUEST, e.to_string()),
            (Ok(p), Ok(session)) => p.evaluate_action_in(session, action, resource, now),
        };
        self.called(t, "action", std::slice::from_ref(&d));
        d
    }
}

impl Resolved {
    /// [`Self::evaluate_action_in`] for several actions at one time.
    pub(crate) fn evaluate_actions_in(
        &self,
        session: &Result<PackedSession, RequestError>,
        actions: &[(&str, Option<&str>)],
        now: DateTime<Utc>,
    ) -> Vec<Decision> {
        let t = trace::start();
        let d = match (&self.policy, session) {
            (Err(deny), _) => vec![deny.clone(); actions.len()],
            (Ok(_), Err(e)) => vec![Decision::host_deny(codes::INVALID_REQUEST, e.to_string()); actions.len()],
            (Ok(p), Ok(session)) => p.evaluate_actions_in(session, actions, now),
        };
        self.called(t, "action", &d);
        d
    }

    /// Records the `policy.call` phase of a call begun at `t` that answered
    /// `decisions` (one, or a run of actions in one call).
    fn called(&self, t: Option<Instant>, question: &'static str, decisions: &[Decision]) {
        trace::phase("policy.call", t, || {
            let verdict = |d: &Decision| match d.verdict() {
                Verdict::Allow => "allow",
                Verdict::Deny => "deny",
                Verdict::Pending => "pending",
            };
            let mut a = vec![
                ("standin.question", question.into()),
                ("standin.policy.version", i64::from(self.reference.version).into()),
                ("standin.policy.digest", self.reference.digest.as_str().into()),
                (
                    "standin.policy.builtin",
                    (self.reference.digest == builtin_digest()).into(),
                ),
                ("standin.policy.loaded", self.policy.is_ok().into()),
                ("standin.decisions", (decisions.len() as i64).into()),
            ];
            if let Some(d) = decisions.first() {
                a.push(("standin.decision", verdict(d).into()));
                if let Some(code) = d.codes().next() {
                    a.push(("standin.reason_code", code.into()));
                }
            }
            a
        });
    }
}

impl Standin {
    /// A stored version, loaded (cached per tenant and version).
    pub(crate) fn load_version(&self, stored: &StoredPolicy) -> Result<Policy, PolicyUnavailable> {
        let key = (stored.tenant.clone(), stored.version);
        if let Some((p, _)) = self.loaded.read().unwrap_or_else(PoisonError::into_inner).get(&key) {
            return Ok(p.clone());
        }
        let compiled = self.compiled(&stored.digest)?;
        // A fresh instance per call starts from the component pre-initialized
        // with the settings, which needs its bytes.
        let bytes = match self.host.config().reuse_instances {
            true => None,
            false => self.component_bytes(&stored.digest).ok(),
        };
        let policy = self
            .host
            .configure(compiled, &stored.settings, bytes.as_deref(), Some(self))?;
        self.remember_policy(stored, &policy);
        Ok(policy)
    }

    pub(crate) fn remember_policy(&self, stored: &StoredPolicy, policy: &Policy) {
        self.loaded.write().unwrap_or_else(PoisonError::into_inner).insert(
            (stored.tenant.clone(), stored.version),
            (policy.clone(), stored.reference()),
        );
    }

    /// The compiled component of `digest`: from the host's memory, else
    /// from an artifact in the store, else compiled from the stored bytes
    /// (and the artifact written for the next process).
    fn compiled(&self, digest_text: &str) -> Result<Arc<Compiled>, PolicyUnavailable> {
        let digest = Digest::parse(digest_text).ok_or_else(|| PolicyUnavailable::BadDigest(digest_text.to_string()))?;
        if let Some(hit) = self.host.cached(&digest) {
            return Ok(hit);
        }
        if let Some(compiled) = Artifacts::compiled(self, &self.host, digest) {
            return Ok(compiled);
        }
        let bytes = self.component_bytes(digest_text)?;
        let compiled = self.host.compile(&bytes)?;
        if compiled.digest() != digest {
            return Err(PolicyUnavailable::WrongDigest(digest_text.to_string()));
        }
        self.keep(&self.host, &compiled);
        Ok(compiled)
    }

    /// A component's bytes: the built-in policy's, or the store's.
    fn component_bytes(&self, digest_text: &str) -> Result<Vec<u8>, PolicyUnavailable> {
        if digest_text == builtin_digest() {
            return Ok(crate::DEFAULT_POLICY.to_vec());
        }
        let bytes = self
            .store
            .component(digest_text)?
            .ok_or_else(|| PolicyUnavailable::MissingComponent(digest_text.to_string()))?;
        // The store is not trusted to hand back what it was given.
        if Digest::of(&bytes).to_string() != digest_text {
            return Err(PolicyUnavailable::WrongDigest(digest_text.to_string()));
        }
        Ok(bytes)
    }

    pub(crate) fn artifact_key(&self, digest: Digest) -> ArtifactKey {
        ArtifactKey {
            digest: digest.to_string(),
            engine: self.host.engine_key().to_string(),
        }
    }
}

/// The store's artifacts: components this host compiled, pre-initialized
/// ones included, for the next process.
impl Artifacts for Standin {
    /// Only an artifact whose tag proves this host's key made it for this
    /// digest and engine is deserialized (native code); anything else in
    /// the store is ignored and the component compiled from its bytes.
    fn compiled(&self, host: &Host, digest: Digest) -> Option<Arc<Compiled>> {
        let host_key = self.host_key.as_ref()?;
        let sealed = self.store.artifact(&self.artifact_key(digest)).ok()??;
        host_key.open_compiled(host, digest, &sealed)
    }

    /// Writes the artifact of a component this host compiled (best effort:
    /// without it the next process compiles again).
    /// Without a host key nothing is written: no later process could trust it.
    fn keep(&self, host: &Host, compiled: &Compiled) {
        if let Some(host_key) = &self.host_key
            && let Some(sealed) = host_key.seal_compiled(host, compiled)
        {
            let _ = self
                .store
                .put_artifact(&self.artifact_key(compiled.digest()), &sealed, secs(Utc::now()));
        }
    }
}

impl Standin {
    /// A policy version, loaded; a policy that cannot be had is a
    /// `policy-unavailable` deny, not an error. `None` is the tenant's
    /// active version; version 0 the built-in policy with its defaults.
    pub(crate) fn policy(&self, tenant: &str, version: Option<u32>) -> Result<Resolved, StoreError> {
        let t = trace::start();
        let resolved = self.resolve(tenant, version);
        trace::phase("policy.resolve", t, || {
            let mut a = vec![("standin.tenant", tenant.into())];
            if let Ok(r) = &resolved {
                a.push(("standin.policy.version", i64::from(r.reference.version).into()));
                a.push(("standin.policy.loaded", r.policy.is_ok().into()));
            }
            a
        });
        resolved
    }

    fn resolve(&self, tenant: &str, version: Option<u32>) -> Result<Resolved, StoreError> {
        // The active version's number is read at every call (another
        // process may have activated one); the loaded policy is cached.
        let version = match version {
            Some(v) => Some(v),
            None => match self.store.active_ref(tenant) {
                Ok(r) => r.map(|r| r.version),
                // A forged or edited active mark: no version serves (a deny).
                Err(StoreError::Forged(what)) => return Ok(Resolved::unavailable(0, forged(&what))),
                Err(e) => return Err(e),
            },
        };
        if version.is_none() && !self.builtin_fallback {
            return Ok(Resolved::unavailable(
                0,
                format!("tenant `{tenant}` has no policy: store one with `standin policy set` (T1)"),
            ));
        }
        let v = version.unwrap_or(0);
        if let Some((p, r)) = self
            .loaded
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&(tenant.to_string(), v))
        {
            return Ok(Resolved {
                policy: Ok(p.clone()),
                reference: r.clone(),
            });
        }
        let stored = match version {
            None => None,
            Some(0) => None,
            Some(v) => match self.store.policy(tenant, v) {
                Err(StoreError::Forged(what)) => return Ok(Resolved::unavailable(v, forged(&what))),
                Err(e) => return Err(e),
                Ok(Some(s)) => Some(s),
                Ok(None) => {
                    return Ok(Resolved::unavailable(
                        v,
                        format!("tenant `{tenant}` has no policy version {v}"),
                    ));
                }
            },
        };
        let stored = stored.unwrap_or_else(|| builtin(tenant));
        let reference = stored.reference();
        let policy = self.load_version(&stored).map_err(|e| {
            Decision::host_deny(
                codes::POLICY_UNAVAILABLE,
                format!("the policy of tenant `{tenant}` cannot be loaded: {e}"),
            )
        });
        Ok(Resolved { policy, reference })
    }
}

/// Version 0: the built-in policy with its defaults.
pub(crate) fn builtin(tenant: &str) -> StoredPolicy {
    StoredPolicy {
        tenant: tenant.to_string(),
        version: 0,
        digest: builtin_digest(),
        settings: "{}".to_string(),
        created_at: DateTime::UNIX_EPOCH,
        uploaded_by: None,
        note: None,
        active: true,
        activated_at: None,
        policy: None,
    }
}

/// Why a version the store holds is not used.
fn forged(what: &str) -> String {
    format!("{what} is not authenticated by the host key (written or edited outside Standin): it is not used")
}

impl Registry<'_> {
    /// Asks the tenant's active policy whether `request` may start, without
    /// starting a session or writing anything (a platform deciding whether
    /// to offer "log in as"). The answer names the version that decided.
    pub fn evaluate_start(
        &self,
        request: &StartRequest,
        now: DateTime<Utc>,
    ) -> Result<(Decision, PolicyRef), SessionError> {
        crate::request::check_id("tenant", &request.tenant)?;
        let policy = self.policy(&request.tenant, None)?;
        Ok((policy.evaluate_start(request, now), policy.reference))
    }

    /// Asks the tenant's active policy about an action described whole in
    /// `request` (its session facts included), without a stored session or
    /// an audit row: a stateless check.
    pub fn evaluate_action(
        &self,
        request: &ActionRequest,
        now: DateTime<Utc>,
    ) -> Result<(Decision, PolicyRef), SessionError> {
        crate::request::check_id("tenant", &request.tenant)?;
        let policy = self.policy(&request.tenant, None)?;
        Ok((policy.evaluate_action(request, now), policy.reference))
    }
}
