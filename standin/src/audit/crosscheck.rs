//! `audit verify` beyond the hash chain: the tables the host acts on must
//! say what the chain recorded.
//!
//! The chain is the record, but the host decides from the `sessions` and
//! `policies` tables: a session row set back to `active` would let an
//! ended impersonation act again, and a version's settings edited in place
//! would change what the policy allows, while every hash still holds. So
//! each tenant's tables are compared with what its chain says:
//!
//! - Standin: `session.started` (or `session.requested`, for a start that
//!   waited for approval) gives the actor, target, reason, start, deadline,
//!   policy version and obligations; `session.approved` makes a request
//!   active and moves its start and deadline; `session.extended` moves the
//!   deadline; `session.ended` gives the end and its reason. A row active
//!   whose request the chain never approved is broken: that is a database
//!   writer letting an impersonation in. A row that
//!   differs, a row with no `session.started`, and a started session with
//!   no row are broken. A session past its deadline that nothing touched
//!   yet is still `active` with no `session.ended`: that is not a mismatch
//!   (the first call that touches it records the expiry).
//! - Policy versions: each has its `policy.uploaded` event, whose `policy`
//!   names the version and component digest and whose `note` is the
//!   settings' sha256 ([`settings_note`](crate::policies::settings_note)); the
//!   version's digest, settings,
//!   time, uploader and note must match it. A version with no such event
//!   is broken, and so are versions stored by releases that did not write
//!   the event yet: their trails report `no policy.uploaded event` (strict
//!   on purpose: an inserted version looks exactly like one of those).
//!
//! What the chain does not record cannot be compared: a session's
//! `read_only`, `max_expires_at`, principals, domain and parent, and which
//! version is active.

use super::Broken;
use crate::audit::{AuditEvent, events};
use crate::model::{SessionRecord, SessionState};
use crate::policies::StoredPolicy;
use crate::store::Trail;
use chrono::{DateTime, SecondsFormat, Utc};
use standin_engine::Digest;
use std::collections::HashMap;

/// Every mismatch between `trail`'s tables and its chain, by event.
pub(crate) fn crosscheck(tenant: &str, trail: &Trail) -> Vec<Broken> {
    let mut problems = sessions(tenant, &trail.events, &trail.sessions);
    problems.extend(policies(tenant, &trail.events, &trail.policies));
    problems.sort_by_key(|b| b.seq);
    problems
}

/// A session as its chain tells it.
struct Told<'a> {
    /// `session.started`, or `session.requested`.
    started: &'a AuditEvent,
    /// When it started: the approval's time, for a request.
    started_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    /// Requested and not approved (yet).
    pending: bool,
    ended: Option<&'a AuditEvent>,
}

fn when(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn shown(s: Option<&str>) -> String {
    s.map_or_else(|| "none".to_string(), |s| format!("`{s}`"))
}

/// `field` differs: the row's value, then the chain's.
fn differs(out: &mut Vec<String>, field: &str, row: String, chain: String) {
    if row != chain {
        out.push(format!("`{field}` is {row} in the row, {chain} in the chain"));
    }
}

fn sessions(tenant: &str, chain: &[AuditEvent], rows: &[SessionRecord]) -> Vec<Broken> {
    let broken = |seq: u64, problem: String| Broken {
        tenant: tenant.to_string(),
        seq,
        problem,
    };
    let mut problems = Vec::new();
    let mut told: HashMap<&str, Told<'_>> = HashMap::new();
    let mut order = Vec::new();
    for e in chain {
        let Some(id) = e.session.as_deref() else { continue };
        match e.event.as_str() {
            events::SESSION_STARTED | events::SESSION_REQUESTED => {
                if let Some(first) = told.get(id) {
                    problems.push(broken(
                        e.seq,
                        format!("session `{id}` is started again (first at event {})", first.started.seq),
                    ));
                    continue;
                }
                order.push(id);
                told.insert(
                    id,
                    Told {
                        started: e,
                        started_at: e.at,
                        expires_at: e.expires_at,
                        pending: e.event == events::SESSION_REQUESTED,
                        ended: None,
                    },
                );
            }
            events::SESSION_APPROVED => match told.get_mut(id) {
                Some(t) if t.pending && t.ended.is_none() => {
                    t.pending = false;
                    t.started_at = e.at;
                    t.expires_at = e.expires_at.or(t.expires_at);
                }
                Some(_) => problems.push(broken(
                    e.seq,
                    format!("session `{id}` is approved but was not waiting for approval"),
                )),
                None => problems.push(broken(
                    e.seq,
                    format!("session `{id}` has a `{}` event but no `session.requested`", e.event),
                )),
            },
            events::SESSION_EXTENDED | events::SESSION_ENDED => match told.get_mut(id) {
                Some(t) if e.event == events::SESSION_ENDED => t.ended = Some(e),
                Some(t) => t.expires_at = e.expires_at.or(t.expires_at),
                None => problems.push(broken(
                    e.seq,
                    format!("session `{id}` has a `{}` event but no `session.started`", e.event),
                )),
            },
            _ => {}
        }
    }
    let mut with_row = std::collections::HashSet::new();
    for row in rows {
        with_row.insert(row.id.as_str());
        let Some(t) = told.get(row.id.as_str()) else {
            problems.push(broken(
                0,
                format!("session `{}` has a row but no `session.started` event", row.id),
            ));
            continue;
        };
        let found = session_differences(row, t);
        if !found.is_empty() {
            problems.push(broken(
                t.started.seq,
                format!("session `{}` disagrees with the chain: {}", row.id, found.join("; ")),
            ));
        }
    }
    for id in order {
        if !with_row.contains(id)
            && let Some(t) = told.get(id)
        {
            problems.push(broken(
                t.started.seq,
                format!("session `{id}` was started but has no row"),
            ));
        }
    }
    problems
}

/// How `row` differs from what its chain told.
fn session_differences(row: &SessionRecord, t: &Told<'_>) -> Vec<String> {
    let s = t.started;
    let mut out = Vec::new();
    differs(&mut out, "actor", format!("`{}`", row.actor), format!("`{}`", s.actor));
    differs(
        &mut out,
        "target",
        format!("`{}`", row.target),
        format!("`{}`", s.target),
    );
    differs(
        &mut out,
        "reason",
        shown(row.reason.as_deref()),
        shown(s.reason.as_deref()),
    );
    differs(&mut out, "started_at", when(row.started_at), when(t.started_at));
    if let Some(expires_at) = t.expires_at {
        differs(&mut out, "expires_at", when(row.expires_at), when(expires_at));
    }
    differs(
        &mut out,
        "policy",
        format!("version {} ({})", row.policy.version, row.policy.digest),
        format!("version {} ({})", s.policy.version, s.policy.digest),
    );
    // SC1: the scope granted, as the start's event noted it.
    let noted = s.note.as_deref().filter(|n| n.starts_with("scope "));
    differs(&mut out, "scope", shown(row.scope_note().as_deref()), shown(noted));
    if let Some(obligations) = &s.obligations {
        differs(
            &mut out,
            "obligations",
            format!("{:?}", row.obligations),
            format!("{obligations:?}"),
        );
    }
    match (row.state, t.ended) {
        (SessionState::Active | SessionState::Pending, Some(end)) => out.push(format!(
            "the row is {}, but the chain ended it at {} ({}, event {})",
            row.state.as_str(),
            when(end.at),
            end.end_reason.as_deref().unwrap_or("no reason"),
            end.seq
        )),
        (SessionState::Ended, None) => out.push(format!(
            "the row is ended ({}), but the chain has no `session.ended`",
            row.end_reason.map_or("no reason", |r| r.as_str())
        )),
        (SessionState::Ended, Some(end)) => {
            differs(
                &mut out,
                "ended_at",
                row.ended_at.map_or_else(|| "none".to_string(), when),
                when(end.at),
            );
            differs(
                &mut out,
                "end_reason",
                shown(row.end_reason.map(|r| r.as_str())),
                shown(end.end_reason.as_deref()),
            );
        }
        (SessionState::Active, None) if t.pending => {
            out.push("the row is active, but the chain never approved it".to_string())
        }
        (SessionState::Pending, None) if !t.pending => {
            out.push("the row is pending, but the chain started it".to_string())
        }
        (SessionState::Active | SessionState::Pending, None) => {}
    }
    out
}

fn policies(tenant: &str, chain: &[AuditEvent], versions: &[StoredPolicy]) -> Vec<Broken> {
    let broken = |seq: u64, problem: String| Broken {
        tenant: tenant.to_string(),
        seq,
        problem,
    };
    let mut problems = Vec::new();
    let mut uploaded: HashMap<u32, &AuditEvent> = HashMap::new();
    for e in chain.iter().filter(|e| e.event == events::POLICY_UPLOADED) {
        if let Some(first) = uploaded.insert(e.policy.version, e) {
            problems.push(broken(
                e.seq,
                format!(
                    "policy version {} is uploaded again (first at event {}): a version was deleted",
                    e.policy.version, first.seq
                ),
            ));
        }
    }
    for p in versions {
        let Some(e) = uploaded.remove(&p.version) else {
            problems.push(broken(
                0,
                format!(
                    "policy version {} has no `policy.uploaded` event (inserted, or stored by a release before \
                     the event)",
                    p.version
                ),
            ));
            continue;
        };
        let mut found = Vec::new();
        differs(
            &mut found,
            "digest",
            format!("`{}`", p.digest),
            format!("`{}`", e.policy.digest),
        );
        // The note is `settings sha256:...`: compare and show the digests.
        let recorded = e.note.as_deref().map(|n| n.strip_prefix("settings ").unwrap_or(n));
        differs(
            &mut found,
            "settings",
            format!("`{}`", settings_digest(&p.settings)),
            shown(recorded),
        );
        differs(&mut found, "created_at", when(p.created_at), when(e.at));
        differs(
            &mut found,
            "uploaded_by",
            shown(p.uploaded_by.as_deref().filter(|a| !a.is_empty())),
            shown(Some(e.actor.as_str()).filter(|a| !a.is_empty())),
        );
        differs(&mut found, "note", shown(p.note.as_deref()), shown(e.reason.as_deref()));
        if !found.is_empty() {
            problems.push(broken(
                e.seq,
                format!(
                    "policy version {} disagrees with the chain: {}",
                    p.version,
                    found.join("; ")
                ),
            ));
        }
    }
    let mut missing: Vec<&AuditEvent> = uploaded.into_values().collect();
    missing.sort_by_key(|e| e.seq);
    for e in missing {
        problems.push(broken(
            e.seq,
            format!("policy version {} was uploaded but is not stored", e.policy.version),
        ));
    }
    problems
}

/// `sha256:` and the hex sha256 of the settings text.
fn settings_digest(settings: &str) -> String {
    Digest::of(settings.as_bytes()).to_string()
}
