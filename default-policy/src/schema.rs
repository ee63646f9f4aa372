//! The settings as a JSON Schema (2020-12), for forms and editors: the
//! console's settings form, `GET /v1/settings-schema`,
//! `docs/settings.schema.json`.
//!
//! **Why generated here.** Each field's type and default come from the
//! code that reads the settings (`Raw`'s defaults, as `defaults()` prints
//! them); only what no code can say, a sentence and the rule ids a field
//! drives, is written by hand, in [`FIELDS`]. A field `Raw` gains without a
//! line here fails this crate's tests, so the schema never lags behind
//! the parser. Native only: the component carries none of it.

use crate::settings::{HARD_MAX_TTL_SECONDS, MAX_APPROVAL_TTL_SECONDS, defaults};
use serde_json::{Map, Value, json};

/// Each field: its name, what it means, and the rule ids it drives.
pub const FIELDS: &[(&str, &str, &[&str])] = &[
    (
        "preset",
        "Which defaults the fields left out take: permissive (read-write, reason optional, up to 24 h) or strict (a ticket as the reason, read-only unless scoped, 1 h, 15 min idle, approval by a super_admin for targets of level 100 or more, do-not-track).",
        &["ST1"],
    ),
    ("impersonator_roles", "Roles whose holders may impersonate.", &["E1"]),
    (
        "impersonate_permission",
        "A permission that also lets its holder impersonate (null: none).",
        &["E1"],
    ),
    (
        "role_levels",
        "Level of each role; a principal's level is its highest role's (unknown: 0). The target must be below the actor. Empty: no level check.",
        &["E4"],
    ),
    (
        "scoped_roles",
        "Actors holding one of these reach only targets they manage (by id or group).",
        &["E5"],
    ),
    (
        "require_domain",
        "The start must name a domain that both actor and target hold.",
        &["E5"],
    ),
    (
        "domain_scoped_roles",
        "When not empty, require_domain applies only to actors holding one of these roles.",
        &["E5"],
    ),
    ("require_active", "The target must be an active user.", &["E2"]),
    (
        "require_logged_in",
        "The target must have logged in at least once.",
        &["E3"],
    ),
    (
        "required_consents",
        "Terms the target must have accepted before anyone acts as them.",
        &["E3"],
    ),
    (
        "consent_on_behalf_roles",
        "Actors holding one of these may accept missing consents on the target's behalf (the allow carries revert-consent).",
        &["E3"],
    ),
    (
        "forbid_wider_access",
        "Refuse a target who holds a permission the actor lacks.",
        &["E6"],
    ),
    (
        "allow_nested",
        "An actor already impersonating may start another session.",
        &["E7", "S6"],
    ),
    ("require_reason", "A start must give a reason (a ticket).", &["E10"]),
    (
        "default_ttl_seconds",
        "Session length when the start asks none, in seconds.",
        &["S1"],
    ),
    (
        "max_ttl_seconds",
        "Longest session, in seconds; never above 86400.",
        &["S1"],
    ),
    (
        "notify_target",
        "Tell the target when someone starts acting as them.",
        &["N1"],
    ),
    ("read_only", "Sessions may only do read actions.", &["S7"]),
    (
        "read_actions",
        "Action patterns that count as reads (`*` any run of characters).",
        &["S7"],
    ),
    (
        "forbidden_actions",
        "Action patterns never allowed while impersonating.",
        &["F1", "F2", "F3"],
    ),
    (
        "reserved_for_target",
        "Action patterns only the target may do themselves (not while impersonated).",
        &["F4"],
    ),
    (
        "deliver_to_target",
        "Allowed actions whose result goes to the target, not the actor (deliver-to-target).",
        &["F5"],
    ),
    (
        "ephemeral_actions",
        "Allowed actions whose changes are not kept (do-not-persist).",
        &["F6"],
    ),
    (
        "notify_changes",
        "Allowed actions summed up to the target when the session ends (change-digest).",
        &["N2"],
    ),
    ("approval", "When a start waits for approval.", &["AP1"]),
    (
        "approval_min_target_level",
        "With approval `privileged`: targets at this level or above wait.",
        &["AP1"],
    ),
    (
        "approver_roles",
        "A second person holding one of these roles may approve (never the actor).",
        &["AP1"],
    ),
    ("target_approves", "The target itself may approve (consent).", &["AP1"]),
    (
        "approval_ttl_seconds",
        "How long a request waits for an answer, in seconds, before it expires.",
        &["AP1"],
    ),
    (
        "require_scope",
        "Every start must ask for a scope: the actions (and optionally resources) the job needs.",
        &["SC1"],
    ),
    (
        "grantable_actions",
        "The widest scope a start may be granted, as action patterns.",
        &["SC1"],
    ),
    (
        "scope_beyond_grantable",
        "A start asking for more than grantable_actions: narrow (grant what is grantable) or refuse (scope-not-grantable).",
        &["SC1"],
    ),
    (
        "idle_timeout_seconds",
        "A session with no action for this long ends as idle (null: none).",
        &["IT1"],
    ),
    (
        "reason_pattern",
        "A reason must match this pattern (e.g. SUP-* for a ticket id; null: any reason).",
        &["E10"],
    ),
    (
        "read_only_unless_scoped",
        "A start that asks for no scope gets a read-only session.",
        &["ST1", "S7"],
    ),
    (
        "do_not_track",
        "Every allowed action carries the do-not-track obligation: the platform must not update the target's presence, last-seen or login history.",
        &["DT1"],
    ),
];

/// The schema of the default policy's settings.
pub fn settings_schema() -> Value {
    let defaults: Map<String, Value> = serde_json::from_str(&defaults()).unwrap_or_default();
    let mut properties = Map::new();
    for (name, default) in &defaults {
        let (description, rules) = FIELDS
            .iter()
            .find(|(n, _, _)| n == name)
            .map_or(("", &[][..]), |(_, d, r)| (*d, *r));
        let mut p = type_of(name, default);
        p["description"] = json!(description);
        p["default"] = default.clone();
        p["x-standin-rules"] = json!(rules);
        properties.insert(name.clone(), p);
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://standin.dev/schemas/default-policy-settings.json",
        "title": "Settings of Standin's default policy",
        "description": "Every field is optional; an omitted field has its default. Unknown fields are refused.",
        "type": "object",
        "additionalProperties": false,
        "properties": properties,
        // A form's order: as the fields are listed here, by subject
        // (properties themselves are an object, kept sorted).
        "x-standin-order": FIELDS.iter().map(|(n, _, _)| *n).collect::<Vec<_>>(),
    })
}

/// The JSON Schema of a field, from its name and default value.
fn type_of(name: &str, default: &Value) -> Value {
    match (name, default) {
        ("approval", _) => json!({"type": "string", "enum": ["never", "always", "privileged"]}),
        ("preset", _) => json!({"type": "string", "enum": ["permissive", "strict"]}),
        ("reason_pattern", _) => json!({"type": ["string", "null"], "minLength": 1}),
        ("scope_beyond_grantable", _) => json!({"type": "string", "enum": ["narrow", "refuse"]}),
        ("idle_timeout_seconds", _) => {
            json!({"type": ["integer", "null"], "minimum": 1, "maximum": HARD_MAX_TTL_SECONDS})
        }
        ("role_levels", _) => json!({
            "type": "object",
            "additionalProperties": {"type": "integer", "minimum": 0, "maximum": u32::MAX},
        }),
        ("impersonate_permission", _) => json!({"type": ["string", "null"], "minLength": 1}),
        ("default_ttl_seconds" | "max_ttl_seconds", _) => {
            json!({"type": "integer", "minimum": 1, "maximum": HARD_MAX_TTL_SECONDS})
        }
        ("approval_ttl_seconds", _) => json!({"type": "integer", "minimum": 1, "maximum": MAX_APPROVAL_TTL_SECONDS}),
        (_, Value::Bool(_)) => json!({"type": "boolean"}),
        (_, Value::Number(_)) => json!({"type": "integer", "minimum": 0, "maximum": u32::MAX}),
        (_, Value::Array(_)) => json!({
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "uniqueItems": true,
        }),
        _ => json!({"type": "string"}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_has_a_description_and_rules_and_nothing_else_does() {
        let defaults: Map<String, Value> = serde_json::from_str(&defaults()).unwrap();
        for name in defaults.keys() {
            let field = FIELDS.iter().find(|(n, _, _)| n == name);
            assert!(
                field.is_some_and(|(_, d, r)| !d.is_empty() && !r.is_empty()),
                "`{name}` has no line in FIELDS"
            );
        }
        for (name, _, _) in FIELDS {
            assert!(
                defaults.contains_key(*name),
                "FIELDS names `{name}`, which the settings lack"
            );
        }
    }

    #[test]
    fn the_schema_types_every_default() {
        let schema = settings_schema();
        for (name, p) in schema["properties"].as_object().unwrap() {
            let default = &p["default"];
            let ok = match p["type"].clone() {
                Value::String(t) => matches(&t, default),
                Value::Array(ts) => ts.iter().any(|t| matches(t.as_str().unwrap(), default)),
                _ => false,
            };
            assert!(ok, "`{name}`: default {default} is not of {}", p["type"]);
        }
    }

    /// The rule ids agree with the rule catalogue's "Settings at a glance".
    #[test]
    fn the_rules_are_the_catalogues() {
        let catalogue = include_str!("../../docs/rules.md");
        for (name, _, rules) in FIELDS {
            let row = catalogue
                .lines()
                .find(|l| l.starts_with(&format!("| `{name}` |")))
                .unwrap_or_else(|| panic!("docs/rules.md has no row for `{name}`"));
            let last = row.trim_end_matches('|').rsplit('|').next().unwrap();
            let listed: Vec<&str> = last.split(',').map(str::trim).collect();
            assert_eq!(&listed, rules, "`{name}`");
        }
    }

    fn matches(t: &str, v: &Value) -> bool {
        match t {
            "boolean" => v.is_boolean(),
            "integer" => v.is_u64(),
            "array" => v.is_array(),
            "object" => v.is_object(),
            "string" => v.is_string(),
            "null" => v.is_null(),
            _ => false,
        }
    }
}
