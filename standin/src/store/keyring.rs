//! The keys derived from the host key ([`Keyring`]) and what each tag
//! covers: the fields of a session row, a policy version, an active mark,
//! an API key, an origin, a tenant's notification settings and a webhook
//! endpoint, each under
//! its own domain, so no tag can stand for another kind of row (see
//! [`Integrity`](super::Integrity) for how a store uses them).

use crate::access::ApiKey;
use crate::audit::hex;

use crate::model::{Notifications, SessionRecord};
use crate::policies::StoredPolicy;
use crate::webhooks::Endpoint;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac as _};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Keys derived from the host key, one per purpose, ready to use (the
/// HMAC's inner and outer pads are computed once).
#[derive(Clone)]
pub struct Keyring {
    chain: HmacSha256,
    rows: HmacSha256,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keyring(..)")
    }
}

impl Keyring {
    pub fn new(key: &crate::HostKey) -> Self {
        let mac = |label: &str| HmacSha256::new_from_slice(&key.derive(label)).expect("HMAC takes a key of any length");
        Self {
            chain: mac("audit-chain/v3"),
            rows: mac("rows/v1"),
        }
    }

    /// The keyed chain step: `HMAC(chain key, "audit/v3" || prev_hash ||
    /// seq || row digest)`, in hex.
    pub fn chain_hash(&self, prev_hash: &str, seq: u64, row: &[u8; 32]) -> String {
        let mut mac = self.chain.clone();
        mac.update(b"audit/v3");
        mac.update(&u32::try_from(prev_hash.len()).unwrap_or(u32::MAX).to_le_bytes());
        mac.update(prev_hash.as_bytes());
        mac.update(&seq.to_le_bytes());
        mac.update(row);
        hex(&mac.finalize().into_bytes())
    }

    fn tag(&self, fields: &Fields) -> String {
        let mut mac = self.rows.clone();
        mac.update(&fields.0);
        hex(&mac.finalize().into_bytes())
    }

    fn holds(&self, fields: &Fields, tag: Option<&str>) -> bool {
        let Some(tag) = tag.and_then(unhex) else { return false };
        let mut mac = self.rows.clone();
        mac.update(&fields.0);
        mac.verify_slice(&tag).is_ok()
    }

    /// A session row's tag: every column.
    pub fn session_tag(&self, s: &SessionRecord) -> String {
        self.tag(&session_fields(s))
    }

    /// Whether `tag` is the tag of session row `s`.
    pub fn session_holds(&self, s: &SessionRecord, tag: Option<&str>) -> bool {
        self.holds(&session_fields(s), tag)
    }

    /// A policy version's tag: what it is (not whether it is active).
    pub fn policy_tag(&self, p: &StoredPolicy) -> String {
        self.tag(&policy_fields(p))
    }

    pub fn policy_holds(&self, p: &StoredPolicy, tag: Option<&str>) -> bool {
        self.holds(&policy_fields(p), tag)
    }

    /// The tag of the mark that makes `version` the tenant's active one,
    /// set at `at`.
    pub fn active_tag(&self, tenant: &str, version: u32, digest: &str, at: DateTime<Utc>) -> String {
        self.tag(&active_fields(tenant, version, digest, at))
    }

    pub fn active_holds(&self, tenant: &str, version: u32, digest: &str, at: DateTime<Utc>, tag: Option<&str>) -> bool {
        self.holds(&active_fields(tenant, version, digest, at), tag)
    }

    /// An API key row's tag: every column, the secret's hash included (a
    /// revoke makes a new one).
    pub fn key_tag(&self, key: &ApiKey, hash: &str) -> String {
        self.tag(&key_fields(key, hash))
    }

    pub fn key_holds(&self, key: &ApiKey, hash: &str, tag: Option<&str>) -> bool {
        self.holds(&key_fields(key, hash), tag)
    }

    /// The tag of the row that allows `origin` as `tenant`'s `return_to`.
    pub fn origin_tag(&self, tenant: &str, origin: &str) -> String {
        self.tag(&origin_fields(tenant, origin))
    }

    pub fn origin_holds(&self, tenant: &str, origin: &str, tag: Option<&str>) -> bool {
        self.holds(&origin_fields(tenant, origin), tag)
    }

    /// The tag of `tenant`'s notification settings row.
    pub fn notifications_tag(&self, tenant: &str, n: &Notifications) -> String {
        self.tag(&notifications_fields(tenant, n))
    }

    pub fn notifications_hold(&self, tenant: &str, n: &Notifications, tag: Option<&str>) -> bool {
        self.holds(&notifications_fields(tenant, n), tag)
    }

    /// The tag of `tenant`'s document row (its text, as stored) under
    /// `domain`, the document kind's.
    pub fn document_tag(&self, domain: &str, tenant: &str, text: &str) -> String {
        self.tag(&document_fields(domain, tenant, text))
    }

    pub fn document_holds(&self, domain: &str, tenant: &str, text: &str, tag: Option<&str>) -> bool {
        self.holds(&document_fields(domain, tenant, text), tag)
    }

    /// A webhook endpoint's tag: where it sends, what, signed with what
    /// (not where its delivery stands, which moves with every round).
    pub fn endpoint_tag(&self, e: &Endpoint) -> String {
        self.tag(&endpoint_fields(e))
    }

    pub fn endpoint_holds(&self, e: &Endpoint, tag: Option<&str>) -> bool {
        self.holds(&endpoint_fields(e), tag)
    }
}

/// Values in an unambiguous binary form: LEB128 numbers and lengths,
/// options behind a presence byte.
#[derive(Default)]
struct Fields(Vec<u8>);

impl Fields {
    fn new(domain: &str) -> Self {
        let mut f = Self::default();
        f.str(domain);
        f
    }

    fn uint(&mut self, mut v: u64) {
        loop {
            let low = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.0.push(low);
                return;
            }
            self.0.push(low | 0x80);
        }
    }

    fn int(&mut self, v: i64) {
        self.uint(v as u64);
    }

    fn str(&mut self, s: &str) {
        self.uint(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }

    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.0.push(0),
            Some(s) => {
                self.0.push(1);
                self.str(s);
            }
        }
    }

    fn opt_int(&mut self, v: Option<i64>) {
        match v {
            None => self.0.push(0),
            Some(v) => {
                self.0.push(1);
                self.int(v);
            }
        }
    }

    fn json<T: serde::Serialize>(&mut self, v: &T) {
        self.str(&serde_json::to_string(v).unwrap_or_default());
    }
}

fn session_fields(s: &SessionRecord) -> Fields {
    let mut f = Fields::new("standin/session/v1");
    f.str(&s.id);
    f.str(&s.tenant);
    f.str(&s.actor);
    f.str(&s.target);
    f.json(&s.actor_principal);
    f.json(&s.target_principal);
    f.opt_str(s.reason.as_deref());
    f.opt_str(s.domain.as_deref());
    f.uint(u64::from(s.read_only));
    f.int(s.started_at.timestamp());
    f.int(s.expires_at.timestamp());
    f.int(s.max_expires_at.timestamp());
    f.str(s.state.as_str());
    f.opt_int(s.ended_at.map(|t| t.timestamp()));
    f.opt_str(s.end_reason.map(|r| r.as_str()));
    f.opt_str(s.return_to.as_deref());
    f.uint(u64::from(s.policy.version));
    f.str(&s.policy.digest);
    f.uint(u64::from(s.notify_target));
    f.json(&s.obligations);
    f.opt_str(s.revoke_reason.as_deref());
    f.opt_str(s.parent.as_deref());
    f.uint(u64::from(s.depth));
    match &s.approval {
        None => f.0.push(0),
        Some(a) => {
            f.0.push(1);
            f.json(a);
        }
    }
    // Only when there is one: rows stored before scopes keep their tags.
    if let Some(scope) = &s.scope {
        f.0.push(2);
        f.json(scope);
    }
    if let Some(idle) = s.idle_timeout_seconds {
        f.0.push(3);
        f.uint(idle);
    }
    f
}

fn policy_fields(p: &StoredPolicy) -> Fields {
    let mut f = Fields::new("standin/policy/v1");
    f.str(&p.tenant);
    f.uint(u64::from(p.version));
    f.str(&p.digest);
    f.str(&p.settings);
    f.int(p.created_at.timestamp());
    f.opt_str(p.uploaded_by.as_deref());
    f.opt_str(p.note.as_deref());
    f
}

fn active_fields(tenant: &str, version: u32, digest: &str, at: DateTime<Utc>) -> Fields {
    let mut f = Fields::new("standin/active/v1");
    f.str(tenant);
    f.uint(u64::from(version));
    f.str(digest);
    f.int(at.timestamp());
    f
}

fn key_fields(k: &ApiKey, hash: &str) -> Fields {
    let mut f = Fields::new("standin/key/v1");
    f.str(&k.id);
    f.str(&k.tenant);
    f.str(k.scope.as_str());
    f.opt_str(k.name.as_deref());
    f.str(hash);
    f.int(k.created_at.timestamp());
    f.opt_int(k.revoked_at.map(|t| t.timestamp()));
    f
}

fn origin_fields(tenant: &str, origin: &str) -> Fields {
    let mut f = Fields::new("standin/origin/v1");
    f.str(tenant);
    f.str(origin);
    f
}

fn notifications_fields(tenant: &str, n: &Notifications) -> Fields {
    let mut f = Fields::new("standin/notifications/v1");
    f.str(tenant);
    f.uint(u64::from(n.enabled));
    f.str(&n.started_template);
    f.str(&n.ended_template);
    f
}

fn document_fields(domain: &str, tenant: &str, text: &str) -> Fields {
    let mut f = Fields::new(domain);
    f.str(tenant);
    f.str(text);
    f
}

fn endpoint_fields(e: &Endpoint) -> Fields {
    let mut f = Fields::new("standin/webhook/v1");
    f.str(&e.id);
    f.str(&e.tenant);
    f.str(&e.url);
    f.json(&e.events);
    f.opt_str(e.description.as_deref());
    f.int(e.created_at.timestamp());
    f.uint(e.secrets.len() as u64);
    for s in &e.secrets {
        f.str(&s.value);
        f.opt_int(s.expires_at.map(|t| t.timestamp()));
    }
    match &e.stream {
        None => f.0.push(0),
        Some(stream) => {
            f.0.push(1);
            f.json(stream);
        }
    }
    f
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}
