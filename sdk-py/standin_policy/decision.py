"""What a policy answers, in the shapes of the WIT world, and the helpers
of the Rust and TypeScript SDKs (``Reasons``, ``refuse``).

Decisions are plain dataclasses, so rule code and its unit tests need
nothing of the component: the SDK turns them into the WIT's types only
inside a built component (``standin_policy._component``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union


@dataclass(frozen=True)
class Reason:
    """Why a request is refused: ``code`` stable, ``rule`` the requirement id, ``message`` for people."""

    code: str
    rule: str
    message: str


@dataclass(frozen=True)
class Scope:
    """What a session may do: action patterns, and resources (none: any)."""

    actions: list[str]
    resources: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Grant:
    """What an allowed start grants. Numbers are whole seconds."""

    ttl_seconds: int
    #: Ceiling for extensions, counted from the start (at most 86400).
    max_ttl_seconds: int
    notify_target: bool = False
    read_only: bool = False
    #: Duties of the host, e.g. ``revert-consent``.
    obligations: list[str] = field(default_factory=list)
    #: None: what the start asked for (the host never grants more).
    scope: Optional[Scope] = None
    #: The session ends (``idle``) after this long without an action.
    idle_timeout_seconds: Optional[int] = None


@dataclass(frozen=True)
class Approvers:
    """Who may answer a start that needs approval."""

    roles: list[str]
    target: bool
    ttl_seconds: int


@dataclass(frozen=True)
class Allow:
    """A start allowed with ``grant``."""

    grant: Grant


@dataclass(frozen=True)
class Pending:
    """A start allowed once one of ``approvers`` approves it."""

    grant: Grant
    approvers: Approvers


@dataclass(frozen=True)
class Deny:
    """A refusal (of any kind of request), listing every failing rule (E9)."""

    reasons: list[Reason]


@dataclass(frozen=True)
class AllowAction:
    """An action allowed, with the host's ``obligations``."""

    obligations: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Approve:
    """The approver may answer the pending start."""


StartDecision = Union[Allow, Pending, Deny]
ActionDecision = Union[AllowAction, Deny]
ApprovalDecision = Union[Approve, Deny]


def allow(grant: Grant) -> Allow:
    """A start allowed with ``grant``."""
    return Allow(grant)


def allow_action(obligations: Optional[list[str]] = None) -> AllowAction:
    """An action allowed, with the host's ``obligations``."""
    return AllowAction(list(obligations or []))


def refuse(code: str, rule: str, message: str) -> Deny:
    """A refusal for one reason (any decision kind)."""
    return Deny([Reason(code, rule, message)])


class Reasons:
    """The reasons of a refusal, gathered rule by rule: a refusal lists every failing rule (E9)."""

    def __init__(self) -> None:
        self.list: list[Reason] = []

    def push(self, code: str, rule: str, message: str) -> None:
        self.list.append(Reason(code, rule, message))

    @property
    def is_empty(self) -> bool:
        return not self.list

    def deny(self) -> Optional[Deny]:
        """A deny of every reason, or ``None`` when there is none."""
        return Deny(self.list) if self.list else None
