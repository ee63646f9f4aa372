//! The tenant's settings (docs/contract.md, "Settings of the default policy").
//!
//! Every field is optional. Nonsense is refused when the policy is loaded,
//! never discovered during a request: an unknown field, a key given twice
//! (at any depth: JSON parsers disagree on which one wins), a maximum above
//! 24 h, a default above the maximum, an empty name or a bad pattern.

use crate::lists::{self, Known, List};
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use standin_policy_sdk::Pattern;

/// No session outlives this, whatever the settings say (S1).
pub const HARD_MAX_TTL_SECONDS: u64 = 86_400;

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
struct Raw {
    preset: Preset,
    impersonator_roles: Vec<String>,
    impersonate_permission: Option<String>,
    #[serde(deserialize_with = "unique_keys")]
    role_levels: BTreeMap<String, u32>,
    scoped_roles: Vec<String>,
    require_domain: bool,
    domain_scoped_roles: Vec<String>,
    require_active: bool,
    require_logged_in: bool,
    required_consents: Vec<String>,
    consent_on_behalf_roles: Vec<String>,
    forbid_wider_access: bool,
    allow_nested: bool,
    require_reason: bool,
    default_ttl_seconds: u64,
    max_ttl_seconds: u64,
    notify_target: bool,
    read_only: bool,
    read_actions: Vec<String>,
    forbidden_actions: Vec<String>,
    reserved_for_target: Vec<String>,
    deliver_to_target: Vec<String>,
    ephemeral_actions: Vec<String>,
    notify_changes: Vec<String>,
    approval: Approval,
    approval_min_target_level: u32,
    approver_roles: Vec<String>,
    target_approves: bool,
    approval_ttl_seconds: u64,
    require_scope: bool,
    grantable_actions: Vec<String>,
    scope_beyond_grantable: Beyond,
    idle_timeout_seconds: Option<u64>,
    do_not_track: bool,
    reason_pattern: Option<String>,
    read_only_unless_scoped: bool,
}

/// Which defaults the fields a tenant leaves out take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Preset {
    /// The defaults every tenant had before presets: read-write, reason
    /// optional, up to 24 h.
    #[default]
    Permissive,
    /// What peers default to (ST1): a ticket as the reason, read-only
    /// unless the start asks for a scope, 1 h at most, 15 min idle, the
    /// target told, approval for privileged targets, do-not-track.
    Strict,
}

/// What a start gets that asks for a scope wider than `grantable_actions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Beyond {
    /// The scope is narrowed to what is grantable (refused when nothing is left).
    #[default]
    Narrow,
    /// The start is refused (`scope-not-grantable`).
    Refuse,
}

/// When a start needs someone's approval before it begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Approval {
    /// Never: allowed starts begin at once.
    #[default]
    Never,
    /// Every allowed start waits for approval.
    Always,
    /// Starts on targets at `approval_min_target_level` or above wait.
    Privileged,
}

/// Longest an approval request may wait, in seconds (a week).
pub const MAX_APPROVAL_TTL_SECONDS: u64 = 7 * 86_400;

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

impl Raw {
    /// The defaults of `preset` (ST1).
    fn of(preset: Preset) -> Self {
        match preset {
            Preset::Permissive => Self::default(),
            Preset::Strict => Self {
                preset,
                require_reason: true,
                reason_pattern: Some("*-*".to_string()),
                read_only_unless_scoped: true,
                default_ttl_seconds: 3600,
                max_ttl_seconds: 3600,
                idle_timeout_seconds: Some(900),
                notify_target: true,
                approval: Approval::Privileged,
                approval_min_target_level: 100,
                approver_roles: vec!["super_admin".to_string()],
                do_not_track: true,
                ..Self::default()
            },
        }
    }
}

impl Default for Raw {
    fn default() -> Self {
        Self {
            preset: Preset::Permissive,
            impersonator_roles: vec!["super_admin".to_string()],
            impersonate_permission: Some("users.impersonate".to_string()),
            role_levels: BTreeMap::new(),
            scoped_roles: Vec::new(),
            require_domain: false,
            domain_scoped_roles: Vec::new(),
            require_active: true,
            require_logged_in: true,
            required_consents: Vec::new(),
            consent_on_behalf_roles: Vec::new(),
            forbid_wider_access: false,
            allow_nested: false,
            require_reason: false,
            default_ttl_seconds: 3600,
            max_ttl_seconds: HARD_MAX_TTL_SECONDS,
            notify_target: true,
            read_only: false,
            read_actions: strings(&["*.view", "*.read", "*.list"]),
            forbidden_actions: strings(&[
                "billing.*",
                "payment.*",
                "subscription.*",
                "user.password.*",
                "user.credentials.*",
                "esign.*",
            ]),
            reserved_for_target: strings(&["guide.dismiss", "notification.read"]),
            deliver_to_target: strings(&["report.*"]),
            ephemeral_actions: strings(&["preferences.*", "layout.*"]),
            notify_changes: Vec::new(),
            approval: Approval::Never,
            approval_min_target_level: 0,
            approver_roles: Vec::new(),
            target_approves: false,
            approval_ttl_seconds: 900,
            require_scope: false,
            grantable_actions: strings(&["*"]),
            scope_beyond_grantable: Beyond::Narrow,
            idle_timeout_seconds: None,
            do_not_track: false,
            reason_pattern: None,
            read_only_unless_scoped: false,
        }
    }
}

/// What an empty settings object means, as JSON: every setting with its
/// default (what the built-in policy, version 0, runs with).
pub fn defaults() -> String {
    defaults_of(Preset::Permissive)
}

/// What `{"preset": ...}` alone means, as JSON (ST1).
pub fn defaults_of(preset: Preset) -> String {
    serde_json::to_string(&Raw::of(preset)).unwrap_or_default()
}

/// Checked settings, ready for every request.
///
/// Laid out by hand (`repr(C)`), in the order a start reads them: with a
/// million tenants on one instance a tenant's settings are a cache miss
/// per line read. On wasm32 everything an allowed start reads lies in the
/// first two lines (128 bytes: the numbers, the seven lists a start
/// consults, the reason's pattern, the flags), and the struct starts on a
/// line (`align(64)`); an action reads the flags at the end of the second
/// line and the action lists after them. Measured with `cargo bench -p standin --bench
/// million` (BENCHMARKS.md).
#[derive(Debug, Clone)]
#[repr(C, align(64))]
pub struct Settings {
    pub default_ttl_seconds: u64,
    pub max_ttl_seconds: u64,
    /// Granted to every session (its idle timeout), when set.
    pub idle_timeout_seconds: Option<u64>,
    pub impersonator_roles: List<String>,
    /// A list, not a map: a request looks up every role of both
    /// principals, and a scan that compares lengths first rarely compares
    /// bytes, where each step of a tree lookup does.
    pub role_levels: List<(String, u32)>,
    pub scoped_roles: List<String>,
    /// When not empty, `require_domain` applies only to actors holding one
    /// of these roles (E5, per-role domains); others need no domain.
    pub domain_scoped_roles: List<String>,
    pub required_consents: List<String>,
    pub consent_on_behalf_roles: List<String>,
    /// The widest scope a start may be granted (SC1).
    pub grantable_actions: List<Pattern>,
    /// A reason must match it, e.g. a ticket id (E10).
    pub reason_pattern: Option<Pattern>,
    pub require_domain: bool,
    pub require_active: bool,
    pub require_logged_in: bool,
    pub forbid_wider_access: bool,
    pub allow_nested: bool,
    pub require_reason: bool,
    pub notify_target: bool,
    pub read_only: bool,
    /// A start must ask for a scope (SC1).
    pub require_scope: bool,
    /// Every allowed action carries `do-not-track` (DT1).
    pub do_not_track: bool,
    /// A start that asks for no scope gets a read-only session (ST1).
    pub read_only_unless_scoped: bool,
    /// When a start waits for approval (four eyes, target consent).
    pub approval: Approval,
    /// Read only for a scope beyond the grantable one: the first byte past
    /// the two lines on wasm32.
    pub scope_beyond_grantable: Beyond,
    /// With [`Approval::Privileged`]: targets at this level or above.
    pub approval_min_target_level: u32,
    pub read_actions: List<Pattern>,
    pub forbidden_actions: List<Pattern>,
    pub reserved_for_target: List<Pattern>,
    pub deliver_to_target: List<Pattern>,
    pub ephemeral_actions: List<Pattern>,
    /// Allowed actions the target is told of, summed up, when the session
    /// ends (N2): they carry the `change-digest` obligation.
    pub notify_changes: List<Pattern>,
    /// A second person holding one of these roles may approve.
    pub approver_roles: List<String>,
    /// The target may approve (consent, "grant login access").
    pub target_approves: bool,
    /// How long a request waits for an answer.
    pub approval_ttl_seconds: u64,
    pub impersonate_permission: Option<String>,
}

// What a start reads fits the struct's first two lines on wasm32 (see above).
#[cfg(target_arch = "wasm32")]
const _: () = {
    assert!(core::mem::offset_of!(Settings, approval) < 128);
    assert!(core::mem::offset_of!(Settings, scope_beyond_grantable) == 128);
    assert!(align_of::<Settings>() == 64);
};

impl Default for Settings {
    fn default() -> Self {
        match Self::check(Raw::default()) {
            Ok(settings) => settings,
            Err(problems) => panic!("built-in defaults refused: {problems:?}"),
        }
    }
}

impl Settings {
    /// Parses and checks `json`; on refusal, every problem found: each
    /// unknown field and each field of the wrong type by name, then every
    /// value that makes no sense. Settings are a JSON object: a derived
    /// deserializer would also take an array, field by position, past the
    /// unknown-field check.
    pub fn parse(json: &str) -> Result<Self, Vec<String>> {
        // Settings that are an object and parse whole (the common case) take
        // one pass; only refused ones are taken apart field by field, which
        // costs several times a configure (measured 5 -> 21 us).
        if json.trim_start().starts_with('{')
            && let Ok(raw) = serde_json::from_str::<Raw>(json)
            && raw.preset == Preset::Permissive
        {
            return Self::check(raw);
        }
        let value: Value = serde_json::from_str(json).map_err(|e| vec![format!("settings: {e}")])?;
        let Value::Object(fields) = value else {
            return Err(vec!["settings: must be a JSON object".to_string()]);
        };
        // A preset changes what the fields left out mean (ST1).
        let preset = fields
            .get("preset")
            .and_then(|p| serde_json::from_value::<Preset>(p.clone()).ok())
            .unwrap_or_default();
        let Ok(Value::Object(known)) = serde_json::to_value(Raw::of(preset)) else {
            return Err(vec!["settings: the defaults do not serialize".to_string()]);
        };
        // `Value` keeps the last of a key given twice; the first pass
        // refused it (a field twice, a role of `role_levels` twice).
        let mut problems = duplicate_keys(json);
        let mut good = Map::new();
        for (name, value) in fields {
            if !known.contains_key(&name) {
                problems.push(format!("unknown field `{name}`"));
                continue;
            }
            // Each field alone, so that one wrong type hides no other.
            let mut one = Map::new();
            one.insert(name.clone(), value);
            match serde_json::from_value::<Raw>(Value::Object(one.clone())) {
                Ok(_) => good.extend(one),
                Err(e) => problems.push(format!("`{name}`: {e}")),
            }
        }
        let mut merged = known;
        merged.extend(good);
        let raw: Raw = serde_json::from_value(Value::Object(merged)).map_err(|e| vec![format!("settings: {e}")])?;
        match Self::check(raw) {
            Ok(settings) if problems.is_empty() => Ok(settings),
            Ok(_) => Err(problems),
            Err(more) => {
                problems.extend(more);
                Err(problems)
            }
        }
    }

    fn check(raw: Raw) -> Result<Self, Vec<String>> {
        let mut problems = Vec::new();
        if raw.max_ttl_seconds > HARD_MAX_TTL_SECONDS {
            problems.push(format!(
                "`max_ttl_seconds`: {} is above {HARD_MAX_TTL_SECONDS} (24 hours)",
                raw.max_ttl_seconds
            ));
        }
        if raw.max_ttl_seconds == 0 {
            problems.push("`max_ttl_seconds`: must be at least 1".to_string());
        }
        if raw.default_ttl_seconds == 0 {
            problems.push("`default_ttl_seconds`: must be at least 1".to_string());
        }
        if raw.default_ttl_seconds > raw.max_ttl_seconds {
            problems.push(format!(
                "`default_ttl_seconds`: {} is above `max_ttl_seconds` {}",
                raw.default_ttl_seconds, raw.max_ttl_seconds
            ));
        }
        if raw.impersonate_permission.as_deref() == Some("") {
            problems.push("`impersonate_permission`: is empty (use null to turn it off)".to_string());
        }
        for (field, names) in [
            ("impersonator_roles", &raw.impersonator_roles),
            ("scoped_roles", &raw.scoped_roles),
            ("required_consents", &raw.required_consents),
            ("consent_on_behalf_roles", &raw.consent_on_behalf_roles),
            ("approver_roles", &raw.approver_roles),
        ] {
            for (i, name) in names.iter().enumerate() {
                if name.trim().is_empty() {
                    problems.push(format!("`{field}[{i}]`: is empty"));
                }
            }
        }
        if raw.approval != Approval::Never && raw.approver_roles.is_empty() && !raw.target_approves {
            problems
                .push("`approval`: nobody could approve; name `approver_roles` or set `target_approves`".to_string());
        }
        if raw.approval_ttl_seconds == 0 || raw.approval_ttl_seconds > MAX_APPROVAL_TTL_SECONDS {
            problems.push(format!(
                "`approval_ttl_seconds`: {} is not between 1 and {MAX_APPROVAL_TTL_SECONDS} (a week)",
                raw.approval_ttl_seconds
            ));
        }
        if raw.role_levels.keys().any(|role| role.trim().is_empty()) {
            problems.push("`role_levels`: has an empty role name".to_string());
        }
        let mut patterns = |field: &str, items: Vec<String>| -> Vec<Pattern> {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                match Pattern::from_string(item) {
                    Ok(p) => out.push(p),
                    Err(e) => problems.push(format!("`{field}[{i}]`: {e}")),
                }
            }
            out
        };
        let read_actions = patterns("read_actions", raw.read_actions);
        let forbidden_actions = patterns("forbidden_actions", raw.forbidden_actions);
        let reserved_for_target = patterns("reserved_for_target", raw.reserved_for_target);
        let deliver_to_target = patterns("deliver_to_target", raw.deliver_to_target);
        let ephemeral_actions = patterns("ephemeral_actions", raw.ephemeral_actions);
        let notify_changes = patterns("notify_changes", raw.notify_changes);
        let grantable_actions = patterns("grantable_actions", raw.grantable_actions);
        let reason_pattern = patterns("reason_pattern", raw.reason_pattern.into_iter().collect()).pop();
        if raw.idle_timeout_seconds == Some(0) {
            problems.push("`idle_timeout_seconds`: must be at least 1 (use null for none)".to_string());
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        lists::with_known(preset_lists, |shared| {
            Ok(Self {
                impersonator_roles: shared.strings(raw.impersonator_roles),
                impersonate_permission: raw.impersonate_permission,
                role_levels: shared.levels(raw.role_levels.into_iter().collect()),
                scoped_roles: shared.strings(raw.scoped_roles),
                require_domain: raw.require_domain,
                domain_scoped_roles: shared.strings(raw.domain_scoped_roles),
                require_active: raw.require_active,
                require_logged_in: raw.require_logged_in,
                required_consents: shared.strings(raw.required_consents),
                consent_on_behalf_roles: shared.strings(raw.consent_on_behalf_roles),
                forbid_wider_access: raw.forbid_wider_access,
                allow_nested: raw.allow_nested,
                require_reason: raw.require_reason,
                default_ttl_seconds: raw.default_ttl_seconds,
                max_ttl_seconds: raw.max_ttl_seconds,
                notify_target: raw.notify_target,
                read_only: raw.read_only,
                read_actions: shared.patterns(read_actions),
                forbidden_actions: shared.patterns(forbidden_actions),
                reserved_for_target: shared.patterns(reserved_for_target),
                deliver_to_target: shared.patterns(deliver_to_target),
                ephemeral_actions: shared.patterns(ephemeral_actions),
                notify_changes: shared.patterns(notify_changes),
                approval: raw.approval,
                approval_min_target_level: raw.approval_min_target_level,
                approver_roles: shared.strings(raw.approver_roles),
                target_approves: raw.target_approves,
                approval_ttl_seconds: raw.approval_ttl_seconds,
                require_scope: raw.require_scope,
                grantable_actions: shared.patterns(grantable_actions),
                scope_beyond_grantable: raw.scope_beyond_grantable,
                idle_timeout_seconds: raw.idle_timeout_seconds,
                do_not_track: raw.do_not_track,
                reason_pattern,
                read_only_unless_scoped: raw.read_only_unless_scoped,
            })
        })
    }
}

/// The lists of every preset's defaults, for [`lists::known`]: settings
/// that leave a list alone share it with every other tenant.
pub(crate) fn preset_lists() -> Known {
    let (mut names, mut patterns) = (Vec::new(), Vec::new());
    for preset in [Preset::Permissive, Preset::Strict] {
        let raw = Raw::of(preset);
        names.extend([
            raw.impersonator_roles,
            raw.scoped_roles,
            raw.domain_scoped_roles,
            raw.required_consents,
            raw.consent_on_behalf_roles,
            raw.approver_roles,
        ]);
        for list in [
            raw.read_actions,
            raw.forbidden_actions,
            raw.reserved_for_target,
            raw.deliver_to_target,
            raw.ephemeral_actions,
            raw.notify_changes,
            raw.grantable_actions,
        ] {
            patterns.push(list.into_iter().filter_map(|p| Pattern::from_string(p).ok()).collect());
        }
    }
    Known::new(names, patterns)
}

/// `role_levels`, refusing a role given twice (a `BTreeMap` would keep the
/// last one silently).
fn unique_keys<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, u32>, D::Error> {
    struct Levels;
    impl<'de> Visitor<'de> for Levels {
        type Value = BTreeMap<String, u32>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object of role levels")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut levels = BTreeMap::new();
            while let Some((role, level)) = map.next_entry::<String, u32>()? {
                if levels.contains_key(&role) {
                    return Err(de::Error::custom(format!("duplicate key `{role}`")));
                }
                levels.insert(role, level);
            }
            Ok(levels)
        }
    }
    d.deserialize_map(Levels)
}

/// Every key that an object of `json` holds more than once, at any depth,
/// by its path (`role_levels.admin`), each time it repeats. Empty when
/// `json` does not parse (its parse error is reported instead).
fn duplicate_keys(json: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut de = serde_json::Deserializer::from_str(json);
    let walk = Walk {
        path: String::new(),
        found: &mut found,
    };
    match walk.deserialize(&mut de) {
        Ok(()) => found
            .into_iter()
            .map(|path| format!("duplicate key `{path}`"))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// A walk over any JSON value that notes repeated keys in `found`.
struct Walk<'f> {
    path: String,
    found: &'f mut Vec<String>,
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<(), A::Error> {
        let mut i = 0;
        loop {
            let item = Walk {
                path: format!("{}[{i}]", self.path),
                found: &mut *self.found,
            };
            if items.next_element_seed(item)?.is_none() {
                return Ok(());
            }
            i += 1;
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = BTreeSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = if self.path.is_empty() {
                key.clone()
            } else {
                format!("{}.{key}", self.path)
            };
            let value = Walk {
                path: path.clone(),
                found: &mut *self.found,
            };
            map.next_value_seed(value)?;
            if !seen.insert(key) {
                self.found.push(path);
            }
        }
        Ok(())
    }
}

/// Whether any of `patterns` matches `text`.
pub fn any_match(patterns: &[Pattern], text: &str) -> bool {
    patterns.iter().any(|p| p.matches(text))
}

#[cfg(test)]
mod tests {
    use super::{Raw, Settings, defaults};

    #[test]
    fn the_defaults_printed_are_what_an_empty_object_means() {
        let printed: Raw = serde_json::from_str(&defaults()).expect("the defaults parse back");
        let empty: Raw = serde_json::from_str("{}").expect("empty");
        assert_eq!(
            serde_json::to_value(&printed).expect("json"),
            serde_json::to_value(&empty).expect("json")
        );
        assert!(
            Settings::parse(&defaults()).is_ok(),
            "the printed defaults are valid settings"
        );
    }
}
