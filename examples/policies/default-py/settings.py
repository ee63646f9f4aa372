"""The tenant's settings (docs/contract.md, "Settings of the default
policy"), as default-policy/src/settings.rs reads and checks them.

Every field is optional. Nonsense is refused when the policy is loaded,
never discovered during a request: an unknown field, a key given twice (at
any depth), a field of the wrong type, a maximum above 24 h, a default
above the maximum, an empty name or a bad pattern. A refusal names every
problem, in the Rust policy's order and words: duplicate keys, then each
field in key order (unknown, or of the wrong type, in serde's words), then
every value that makes no sense.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Literal, Optional

from serde import Json, Obj, SerdeError, duplicate_keys, invalid_type, read
from standin_policy import Pattern, SettingsError, is_rust_whitespace

#: No session outlives this, whatever the settings say (S1).
HARD_MAX_TTL_SECONDS = 86_400
#: Longest an approval request may wait, in seconds (a week).
MAX_APPROVAL_TTL_SECONDS = 7 * 86_400

Preset = Literal["permissive", "strict"]
Approval = Literal["never", "always", "privileged"]
Beyond = Literal["narrow", "refuse"]

#: The settings as given, before they are checked (the Rust policy's
#: ``Raw``, field for field, as JSON): the defaults every tenant had before
#: presets, read-write, reason optional, up to 24 h.
PERMISSIVE: dict[str, Any] = {
    "preset": "permissive",
    "impersonator_roles": ["super_admin"],
    "impersonate_permission": "users.impersonate",
    "role_levels": {},
    "scoped_roles": [],
    "require_domain": False,
    "domain_scoped_roles": [],
    "require_active": True,
    "require_logged_in": True,
    "required_consents": [],
    "consent_on_behalf_roles": [],
    "forbid_wider_access": False,
    "allow_nested": False,
    "require_reason": False,
    "default_ttl_seconds": 3600,
    "max_ttl_seconds": HARD_MAX_TTL_SECONDS,
    "notify_target": True,
    "read_only": False,
    "read_actions": ["*.view", "*.read", "*.list"],
    "forbidden_actions": [
        "billing.*", "payment.*", "subscription.*", "user.password.*", "user.credentials.*", "esign.*"
    ],  # fmt: skip
    "reserved_for_target": ["guide.dismiss", "notification.read"],
    "deliver_to_target": ["report.*"],
    "ephemeral_actions": ["preferences.*", "layout.*"],
    "notify_changes": [],
    "approval": "never",
    "approval_min_target_level": 0,
    "approver_roles": [],
    "target_approves": False,
    "approval_ttl_seconds": 900,
    "require_scope": False,
    "grantable_actions": ["*"],
    "scope_beyond_grantable": "narrow",
    "idle_timeout_seconds": None,
    "do_not_track": False,
    "reason_pattern": None,
    "read_only_unless_scoped": False,
}

#: The defaults of each preset (ST1): strict is what peers default to.
PRESETS: dict[str, dict[str, Any]] = {
    "permissive": PERMISSIVE,
    "strict": {
        **PERMISSIVE,
        "preset": "strict",
        "require_reason": True,
        "reason_pattern": "*-*",
        "read_only_unless_scoped": True,
        "default_ttl_seconds": 3600,
        "max_ttl_seconds": 3600,
        "idle_timeout_seconds": 900,
        "notify_target": True,
        "approval": "privileged",
        "approval_min_target_level": 100,
        "approver_roles": ["super_admin"],
        "do_not_track": True,
    },
}

# Each field's reader: its value, or serde's refusal (raised).
Reader = Callable[[Json], Any]


def boolean(j: Json) -> bool:
    if isinstance(j, bool):
        return j
    raise invalid_type(j, "a boolean")


def unsigned(name: str, bits: int) -> Reader:
    """An unsigned integer of ``bits`` bits, named ``name`` as serde names it."""

    def read_unsigned(j: Json) -> int:
        if isinstance(j, bool) or not isinstance(j, int):
            raise invalid_type(j, name)
        if not 0 <= j < 1 << bits:
            raise SerdeError(f"invalid value: integer `{j}`, expected {name}")
        return j

    return read_unsigned


u64, u32 = unsigned("u64", 64), unsigned("u32", 32)


def string(j: Json) -> str:
    if isinstance(j, str):
        return j
    raise invalid_type(j, "a string")


def strings(j: Json) -> list[str]:
    if not isinstance(j, list):
        raise invalid_type(j, "a sequence")
    return [string(item) for item in j]


def optional(inner: Reader) -> Reader:
    return lambda j: None if j is None else inner(j)


def levels(j: Json) -> dict[str, int]:
    if not isinstance(j, Obj):
        raise invalid_type(j, "an object of role levels")
    return {role: u32(level) for role, level in j.entries()}


def variants(*names: str) -> Reader:
    """A unit-only enum: a variant's name, or serde_json's ``{"name": null}``."""
    if len(names) == 2:
        expected = f"`{names[0]}` or `{names[1]}`"
    else:
        expected = "one of " + ", ".join(f"`{n}`" for n in names)

    def known(name: str) -> str:
        if name not in names:
            raise SerdeError(f"unknown variant `{name}`, expected {expected}")
        return name

    def read_variant(j: Json) -> str:
        if isinstance(j, str):
            return known(j)
        if not isinstance(j, Obj):
            raise invalid_type(j, "string or map")
        one = j.entries()
        if len(one) != 1:
            raise SerdeError("invalid value: map, expected map with a single key")
        [(name, value)] = one
        known(name)
        if value is not None:
            raise invalid_type(value, "unit")
        return name

    return read_variant


preset = variants("permissive", "strict")

READERS: dict[str, Reader] = {
    "preset": preset,
    "impersonator_roles": strings,
    "impersonate_permission": optional(string),
    "role_levels": levels,
    "scoped_roles": strings,
    "require_domain": boolean,
    "domain_scoped_roles": strings,
    "require_active": boolean,
    "require_logged_in": boolean,
    "required_consents": strings,
    "consent_on_behalf_roles": strings,
    "forbid_wider_access": boolean,
    "allow_nested": boolean,
    "require_reason": boolean,
    "default_ttl_seconds": u64,
    "max_ttl_seconds": u64,
    "notify_target": boolean,
    "read_only": boolean,
    "read_actions": strings,
    "forbidden_actions": strings,
    "reserved_for_target": strings,
    "deliver_to_target": strings,
    "ephemeral_actions": strings,
    "notify_changes": strings,
    "approval": variants("never", "always", "privileged"),
    "approval_min_target_level": u32,
    "approver_roles": strings,
    "target_approves": boolean,
    "approval_ttl_seconds": u64,
    "require_scope": boolean,
    "grantable_actions": strings,
    "scope_beyond_grantable": variants("narrow", "refuse"),
    "idle_timeout_seconds": optional(u64),
    "do_not_track": boolean,
    "reason_pattern": optional(string),
    "read_only_unless_scoped": boolean,
}

#: Names that must not be empty, checked in this order.
NAMES = ("impersonator_roles", "scoped_roles", "required_consents", "consent_on_behalf_roles", "approver_roles")
#: Lists of action patterns, checked in this order.
PATTERNS = ("read_actions", "forbidden_actions", "reserved_for_target", "deliver_to_target", "ephemeral_actions",
            "notify_changes", "grantable_actions")  # fmt: skip


@dataclass(frozen=True)
class Settings:
    """Checked settings, ready for every request (the Rust policy's ``Settings``)."""

    impersonator_roles: list[str]
    impersonate_permission: Optional[str]
    role_levels: dict[str, int]
    scoped_roles: list[str]
    require_domain: bool
    #: When not empty, ``require_domain`` applies only to actors holding one of these roles (E5).
    domain_scoped_roles: list[str]
    require_active: bool
    require_logged_in: bool
    required_consents: list[str]
    consent_on_behalf_roles: list[str]
    forbid_wider_access: bool
    allow_nested: bool
    require_reason: bool
    default_ttl_seconds: int
    max_ttl_seconds: int
    notify_target: bool
    read_only: bool
    read_actions: list[Pattern]
    forbidden_actions: list[Pattern]
    reserved_for_target: list[Pattern]
    deliver_to_target: list[Pattern]
    ephemeral_actions: list[Pattern]
    #: Allowed actions the target is told of when the session ends (N2).
    notify_changes: list[Pattern]
    approval: Approval
    #: With approval ``privileged``: targets at this level or above wait.
    approval_min_target_level: int
    approver_roles: list[str]
    target_approves: bool
    approval_ttl_seconds: int
    require_scope: bool
    #: The widest scope a start may be granted (SC1).
    grantable_actions: list[Pattern]
    scope_beyond_grantable: Beyond
    idle_timeout_seconds: Optional[int]
    #: Every allowed start and action carries ``do-not-track`` (DT1).
    do_not_track: bool
    #: A reason must match it, e.g. a ticket id (E10).
    reason_pattern: Optional[Pattern]
    #: A start that asks for no scope gets a read-only session (ST1).
    read_only_unless_scoped: bool


def is_blank(name: str) -> bool:
    """Whether ``name`` is empty or only white space (Rust's ``trim().is_empty()``)."""
    return all(is_rust_whitespace(c) for c in name)


def parse(text: str) -> Settings:
    """Parses and checks ``text`` (which ``json.loads`` accepted); on
    refusal raises every problem found, as the Rust policy's
    ``Settings::parse`` words them."""
    value = read(text)
    if not isinstance(value, Obj):
        raise SettingsError(["settings: must be a JSON object"])
    fields = value.entries()
    # A preset changes what the fields left out mean (ST1).
    chosen = "permissive"
    for name, given in fields:
        if name == "preset":
            try:
                chosen = preset(given)
            except SerdeError:
                pass  # reported below, with the other fields
    raw = dict(PRESETS[chosen])
    problems = [f"duplicate key `{path}`" for path in duplicate_keys(value)]
    for name, field in fields:
        reader = READERS.get(name)
        if reader is None:
            problems.append(f"unknown field `{name}`")
            continue
        # Each field alone, so that one wrong type hides no other.
        try:
            raw[name] = reader(field)
        except SerdeError as e:
            problems.append(f"`{name}`: {e}")
    settings = check(raw, problems)
    if problems:
        raise SettingsError(problems)
    return settings


def check(raw: dict[str, Any], problems: list[str]) -> Settings:
    """Every value that makes no sense, appended to ``problems``; the settings the rules read."""
    max_ttl, default_ttl = raw["max_ttl_seconds"], raw["default_ttl_seconds"]
    if max_ttl > HARD_MAX_TTL_SECONDS:
        problems.append(f"`max_ttl_seconds`: {max_ttl} is above {HARD_MAX_TTL_SECONDS} (24 hours)")
    if max_ttl == 0:
        problems.append("`max_ttl_seconds`: must be at least 1")
    if default_ttl == 0:
        problems.append("`default_ttl_seconds`: must be at least 1")
    if default_ttl > max_ttl:
        problems.append(f"`default_ttl_seconds`: {default_ttl} is above `max_ttl_seconds` {max_ttl}")
    if raw["impersonate_permission"] == "":
        problems.append("`impersonate_permission`: is empty (use null to turn it off)")
    for field in NAMES:
        problems += [f"`{field}[{i}]`: is empty" for i, name in enumerate(raw[field]) if is_blank(name)]
    if raw["approval"] != "never" and not raw["approver_roles"] and not raw["target_approves"]:
        problems.append("`approval`: nobody could approve; name `approver_roles` or set `target_approves`")
    approval_ttl = raw["approval_ttl_seconds"]
    if not 1 <= approval_ttl <= MAX_APPROVAL_TTL_SECONDS:
        problems.append(
            f"`approval_ttl_seconds`: {approval_ttl} is not between 1 and {MAX_APPROVAL_TTL_SECONDS} (a week)"
        )
    if any(is_blank(role) for role in raw["role_levels"]):
        problems.append("`role_levels`: has an empty role name")

    def patterns(field: str, items: list[str]) -> list[Pattern]:
        out = []
        for i, item in enumerate(items):
            try:
                out.append(Pattern.of(item))
            except ValueError as e:
                problems.append(f"`{field}[{i}]`: {e}")
        return out

    values = {**raw, **{field: patterns(field, raw[field]) for field in PATTERNS}}
    reason = patterns("reason_pattern", [] if raw["reason_pattern"] is None else [raw["reason_pattern"]])
    values["reason_pattern"] = reason[0] if reason else None
    if raw["idle_timeout_seconds"] == 0:
        problems.append("`idle_timeout_seconds`: must be at least 1 (use null for none)")
    del values["preset"]
    return Settings(**values)
