"""The business-hours example policy (examples/policies/business-hours, in
Rust) written in Python, rule for rule: it passes the same suite
(``../business-hours/suite.json``) through ``standin test``.

The tenant's rules, stranger than the built-in policy's settings allow:
- only holders of ``users.impersonate`` may start (E1), never on themselves
  or across tenants (E8);
- the reason must be a ticket id such as ``SUP-1234`` (E10, ``reason-required``);
- only during the target's business hours, read from the target's
  attributes ``business_hours`` (``"09:00-17:00"``) and ``utc_offset``
  (``"+02:00"``), Monday to Friday (``BH1``, ``outside-business-hours``);
- never a target whose ``vip`` attribute is ``"true"`` (``VIP1``, ``target-is-vip``);
- during a session, nothing that spends money or touches credentials (F1, F2).

Build: ``python -m standin_policy build policy.py -o business-hours-py.wasm``
(with ``../../../sdk-py`` on ``PYTHONPATH`` and componentize-py installed:
``.ci/install.d/policies-py.sh``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional, Union

from standin_policy import (
    ActionDecision,
    ActionRequest,
    Grant,
    Pattern,
    Principal,
    Reasons,
    SettingsError,
    StartDecision,
    StartRequest,
    allow,
    allow_action,
    define_policy,
    refuse,
)

KNOWN = {"ticket_prefixes", "ttl_seconds"}
OFFSET = re.compile(r"([+-])(\d+):(\d+)")
CLOCK = re.compile(r"(\d+):(\d+)")
DIGITS = re.compile(r"[0-9]+")
FORBIDDEN = [(Pattern.of("billing.*"), "F1"), (Pattern.of("payment.*"), "F1"), (Pattern.of("user.password.*"), "F2")]


@dataclass(frozen=True)
class Settings:
    #: Accepted ticket prefixes: a reason is a prefix followed by digits.
    ticket_prefixes: list[str]
    #: Session length, in seconds.
    ttl_seconds: int


def configure(raw: Any) -> Settings:
    if not isinstance(raw, dict):
        raise SettingsError(["settings: not a JSON object"])
    problems = [f"settings: unknown field `{k}`" for k in raw if k not in KNOWN]
    prefixes = raw.get("ticket_prefixes", ["SUP-", "INC-"])
    if not isinstance(prefixes, list) or not all(isinstance(p, str) for p in prefixes):
        problems.append("`ticket_prefixes`: a list of strings")
    elif "" in prefixes:
        problems.append("`ticket_prefixes`: a prefix is empty")
    ttl = raw.get("ttl_seconds", 1800)
    if isinstance(ttl, bool) or not isinstance(ttl, int) or not 1 <= ttl <= 86_400:
        problems.append("`ttl_seconds`: must be 1 to 86400")
    if problems:
        raise SettingsError(problems)
    return Settings(prefixes, ttl)


def offset_minutes(offset: str) -> Optional[int]:
    """``"+02:00"`` or ``"-05:30"`` as minutes east of UTC."""
    m = OFFSET.fullmatch(offset)
    if m is None:
        return None
    return (-1 if m[1] == "-" else 1) * (int(m[2]) * 60 + int(m[3]))


def clock(hhmm: str) -> Optional[int]:
    """``"09:00"`` as minutes after midnight."""
    m = CLOCK.fullmatch(hhmm)
    if m is None:
        return None
    h, minute = int(m[1]), int(m[2])
    return h * 60 + minute if h < 24 and minute < 60 else None


def in_business_hours(target: Principal, now: int) -> Union[bool, str]:
    """Whether ``now`` (Unix seconds) falls in the target's business hours;
    a string says why the attributes cannot tell."""
    hours = target.attributes.get("business_hours")
    if hours is None:
        return "`business_hours` is not set"
    offset_text = target.attributes.get("utc_offset", "+00:00")
    offset = offset_minutes(offset_text)
    if offset is None:
        return f"`utc_offset` `{offset_text}` is not like `+02:00`"
    open_text, dash, close_text = hours.partition("-")
    opens, closes = (clock(open_text), clock(close_text)) if dash else (None, None)
    if opens is None or closes is None:
        return f"`business_hours` `{hours}` is not like `09:00-17:00`"
    local_minutes = now // 60 + offset
    minute_of_day = local_minutes % (24 * 60)
    # 1970-01-01 was a Thursday: day 0 is Thursday, days 2 and 3 the weekend.
    weekday = (local_minutes // (24 * 60)) % 7
    return weekday not in (2, 3) and opens <= minute_of_day < closes


def is_ticket(prefixes: list[str], reason: str) -> bool:
    return any(reason.startswith(p) and DIGITS.fullmatch(reason[len(p) :]) for p in prefixes)


def start(req: StartRequest, settings: Settings) -> StartDecision:
    actor, target = req.actor, req.target
    reasons = Reasons()
    if "users.impersonate" not in actor.permissions:
        reasons.push("not-permitted", "E1", f"`{actor.id}` lacks `users.impersonate`")
    if actor.id == target.id:
        reasons.push("self-impersonation", "E8", "nobody impersonates themselves")
    if actor.tenant != req.tenant or target.tenant != req.tenant:
        reasons.push("cross-tenant", "E8", f"both users must belong to `{req.tenant}`")
    if req.reason is None or not is_ticket(settings.ticket_prefixes, req.reason.strip()):
        prefixes = ", ".join(settings.ticket_prefixes)
        reasons.push("reason-required", "E10", f"the reason must be a ticket id ({prefixes} and digits)")
    hours = in_business_hours(target, req.now)
    if hours is False:
        reasons.push("outside-business-hours", "BH1", f"it is outside the business hours of `{target.id}`")
    elif isinstance(hours, str):
        reasons.push("outside-business-hours", "BH1", f"`{target.id}`: {hours}")
    if target.attributes.get("vip") == "true":
        reasons.push("target-is-vip", "VIP1", f"`{target.id}` is a VIP and is never impersonated")
    ttl = settings.ttl_seconds
    return reasons.deny() or allow(Grant(ttl_seconds=ttl, max_ttl_seconds=ttl, notify_target=True))


def action(req: ActionRequest, settings: Settings) -> ActionDecision:
    for pattern, rule in FORBIDDEN:
        if pattern.matches(req.action):
            return refuse("forbidden-action", rule, f"`{req.action}` is forbidden")
    return allow_action()


policy = define_policy(
    name="business-hours-py",
    version="0.1.0",
    rules=["E1", "E8", "E10", "BH1", "VIP1", "F1", "F2"],
    configure=configure,
    start=start,
    action=action,
)
