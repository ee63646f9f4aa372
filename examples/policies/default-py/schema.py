"""The settings as a JSON Schema (2020-12), for the console's settings
form (default-policy/src/schema.rs, which makes docs/settings.schema.json).

Why made here, not copied: each field's type and default come from the
defaults ``settings.py`` reads with (``PERMISSIVE``), as the Rust schema's
come from the Rust policy's, so the two schemas agreeing
(sdk-py/tests/test_default_py.py) checks every default of the port too.
Only what no code can say, a sentence and the rule ids a field drives, is
written by hand, in ``FIELDS``, as in the Rust module. The schema is made
once, when the component is built.
"""

from __future__ import annotations

from typing import Any

from settings import HARD_MAX_TTL_SECONDS, MAX_APPROVAL_TTL_SECONDS, PERMISSIVE

U32_MAX = 0xFFFF_FFFF

#: Each field: its name, what it means, and the rule ids it drives (in a form's order).
FIELDS: list[tuple[str, str, list[str]]] = [
    (
        "preset",
        (
            "Which defaults the fields left out take: permissive (read-write, reason optional, up to 24 h) or "
            "strict (a ticket as the reason, read-only unless scoped, 1 h, 15 min idle, approval by a super_admin"
            " for targets of level 100 or more, do-not-track)."
        ),
        ["ST1"],
    ),
    ("impersonator_roles", "Roles whose holders may impersonate.", ["E1"]),
    ("impersonate_permission", "A permission that also lets its holder impersonate (null: none).", ["E1"]),
    (
        "role_levels",
        (
            "Level of each role; a principal's level is its highest role's (unknown: 0). The target must be below"
            " the actor. Empty: no level check."
        ),
        ["E4"],
    ),
    ("scoped_roles", "Actors holding one of these reach only targets they manage (by id or group).", ["E5"]),
    ("require_domain", "The start must name a domain that both actor and target hold.", ["E5"]),
    (
        "domain_scoped_roles",
        "When not empty, require_domain applies only to actors holding one of these roles.",
        ["E5"],
    ),
    ("require_active", "The target must be an active user.", ["E2"]),
    ("require_logged_in", "The target must have logged in at least once.", ["E3"]),
    ("required_consents", "Terms the target must have accepted before anyone acts as them.", ["E3"]),
    (
        "consent_on_behalf_roles",
        (
            "Actors holding one of these may accept missing consents on the target's behalf (the allow carries "
            "revert-consent)."
        ),
        ["E3"],
    ),
    ("forbid_wider_access", "Refuse a target who holds a permission the actor lacks.", ["E6"]),
    ("allow_nested", "An actor already impersonating may start another session.", ["E7", "S6"]),
    ("require_reason", "A start must give a reason (a ticket).", ["E10"]),
    ("default_ttl_seconds", "Session length when the start asks none, in seconds.", ["S1"]),
    ("max_ttl_seconds", "Longest session, in seconds; never above 86400.", ["S1"]),
    ("notify_target", "Tell the target when someone starts acting as them.", ["N1"]),
    ("read_only", "Sessions may only do read actions.", ["S7"]),
    ("read_actions", "Action patterns that count as reads (`*` any run of characters).", ["S7"]),
    ("forbidden_actions", "Action patterns never allowed while impersonating.", ["F1", "F2", "F3"]),
    ("reserved_for_target", "Action patterns only the target may do themselves (not while impersonated).", ["F4"]),
    (
        "deliver_to_target",
        "Allowed actions whose result goes to the target, not the actor (deliver-to-target).",
        ["F5"],
    ),
    ("ephemeral_actions", "Allowed actions whose changes are not kept (do-not-persist).", ["F6"]),
    ("notify_changes", "Allowed actions summed up to the target when the session ends (change-digest).", ["N2"]),
    ("approval", "When a start waits for approval.", ["AP1"]),
    ("approval_min_target_level", "With approval `privileged`: targets at this level or above wait.", ["AP1"]),
    ("approver_roles", "A second person holding one of these roles may approve (never the actor).", ["AP1"]),
    ("target_approves", "The target itself may approve (consent).", ["AP1"]),
    ("approval_ttl_seconds", "How long a request waits for an answer, in seconds, before it expires.", ["AP1"]),
    (
        "require_scope",
        "Every start must ask for a scope: the actions (and optionally resources) the job needs.",
        ["SC1"],
    ),
    ("grantable_actions", "The widest scope a start may be granted, as action patterns.", ["SC1"]),
    (
        "scope_beyond_grantable",
        (
            "A start asking for more than grantable_actions: narrow (grant what is grantable) or refuse (scope-"
            "not-grantable)."
        ),
        ["SC1"],
    ),
    ("idle_timeout_seconds", "A session with no action for this long ends as idle (null: none).", ["IT1"]),
    ("reason_pattern", "A reason must match this pattern (e.g. SUP-* for a ticket id; null: any reason).", ["E10"]),
    ("read_only_unless_scoped", "A start that asks for no scope gets a read-only session.", ["ST1", "S7"]),
    (
        "do_not_track",
        (
            "Every allowed action carries the do-not-track obligation: the platform must not update the target's "
            "presence, last-seen or login history."
        ),
        ["DT1"],
    ),
]

#: Fields whose type their default cannot tell.
TYPES: dict[str, dict[str, Any]] = {
    "approval": {"type": "string", "enum": ["never", "always", "privileged"]},
    "preset": {"type": "string", "enum": ["permissive", "strict"]},
    "reason_pattern": {"type": ["string", "null"], "minLength": 1},
    "scope_beyond_grantable": {"type": "string", "enum": ["narrow", "refuse"]},
    "idle_timeout_seconds": {"type": ["integer", "null"], "minimum": 1, "maximum": HARD_MAX_TTL_SECONDS},
    "role_levels": {
        "type": "object",
        "additionalProperties": {"type": "integer", "minimum": 0, "maximum": U32_MAX},
    },
    "impersonate_permission": {"type": ["string", "null"], "minLength": 1},
    "default_ttl_seconds": {"type": "integer", "minimum": 1, "maximum": HARD_MAX_TTL_SECONDS},
    "max_ttl_seconds": {"type": "integer", "minimum": 1, "maximum": HARD_MAX_TTL_SECONDS},
    "approval_ttl_seconds": {"type": "integer", "minimum": 1, "maximum": MAX_APPROVAL_TTL_SECONDS},
}


def type_of(name: str, default: Any) -> dict[str, Any]:
    """The JSON Schema of a field, from its name and default value."""
    if name in TYPES:
        return dict(TYPES[name])
    if isinstance(default, bool):
        return {"type": "boolean"}
    if isinstance(default, int):
        return {"type": "integer", "minimum": 0, "maximum": U32_MAX}
    if isinstance(default, list):
        return {"type": "array", "items": {"type": "string", "minLength": 1}, "uniqueItems": True}
    return {"type": "string"}


def settings_schema() -> dict[str, Any]:
    """The schema of the default policy's settings."""
    described = {name: (description, rules) for name, description, rules in FIELDS}
    properties = {}
    for name, default in PERMISSIVE.items():
        description, rules = described.get(name, ("", []))
        properties[name] = {**type_of(name, default), "description": description, "default": default,
                            "x-standin-rules": rules}  # fmt: skip
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://standin.dev/schemas/default-policy-settings.json",
        "title": "Settings of Standin's default policy",
        "description": "Every field is optional; an omitted field has its default. Unknown fields are refused.",
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
        # A form's order: as the fields are listed here, by subject.
        "x-standin-order": [name for name, _, _ in FIELDS],
    }
