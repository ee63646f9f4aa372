"""standin-policy: Standin impersonation policies in Python, built into
WebAssembly components of the world ``standin:policy@0.6.0``
(``wit/policy.wit``) with componentize-py (``python -m standin_policy build``).

A policy is a module with ``policy = define_policy(...)``::

    policy = define_policy(
        name="my-policy", version="1.0.0", rules=["E1"],
        configure=lambda settings: settings,
        start=lambda req, settings: ...,   # allow(...), Pending(...) or a Deny
        action=lambda req, settings: ...,  # allow_action(...) or a Deny
    )

Why a wrapper rather than the raw WIT functions: the requests cross the
boundary packed into words (one string and one u64 list, see the WIT),
which this SDK reads back into plain objects (``wire``), and the answers
are plain dataclasses (``decision``) that rule code and its tests use
without a component. Anything a rule raises traps the call, and the host
denies it (``policy-error``): an exception is never an allow.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Callable, Generic, Literal, Optional, TypeVar, Union

from .decision import (
    ActionDecision,
    Allow,
    AllowAction,
    ApprovalDecision,
    Approve,
    Approvers,
    Deny,
    Grant,
    Pending,
    Reason,
    Reasons,
    Scope,
    StartDecision,
    allow,
    allow_action,
    refuse,
)
from .pattern import Pattern, is_rust_whitespace, rust_debug_char, rust_debug_str
from .wire import (
    Action,
    ActionRequest,
    ActorSession,
    ApprovalRequest,
    Principal,
    ScopeRequest,
    Session,
    StartRequest,
    read_action,
    read_actions,
    read_approval,
    read_start,
)

__all__ = [
    "Action", "ActionDecision", "ActionRequest", "ActorSession", "Allow", "AllowAction", "ApprovalDecision",
    "ApprovalRequest", "Approve", "Approvers", "Deny", "Entity", "GenericDecision", "Grant", "Pattern", "Pending",
    "Principal", "Question", "Reason", "Reasons", "Scope", "ScopeRequest", "Session", "SettingsError",
    "StartDecision", "StartRequest", "allow", "allow_action", "define_policy", "is_rust_whitespace", "read_action",
    "read_actions", "read_approval", "read_start", "refuse", "rust_debug_char", "rust_debug_str",
]  # fmt: skip

S = TypeVar("S")
SearchKind = Literal["subject", "resource", "action"]


@dataclass
class Entity:
    """An entity of a generic AuthZEN question; ``properties`` parsed (``{}`` when none)."""

    type: str
    id: str
    properties: dict[str, Any]


@dataclass
class Question:
    """A generic AuthZEN question: may ``subject`` do ``action`` on ``resource``?"""

    subject: Entity
    action: str
    action_properties: dict[str, Any]
    resource: Entity
    context: dict[str, Any]


@dataclass
class GenericDecision:
    """The answer to a generic question."""

    decision: bool
    #: The answer's ``context`` (None: nothing to say).
    context: Optional[dict[str, Any]] = None
    obligations: list[str] = field(default_factory=list)


class SettingsError(Exception):
    """Refused settings: every problem found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class _Spec(Generic[S]):
    """A policy: who it is, how it reads its settings, and its rules over them."""

    name: str
    version: str
    rules: list[str]
    #: Called with the parsed settings and their text (``define_policy``).
    configure: Callable[[Any, str], S]
    start: Callable[[StartRequest, S], StartDecision]
    action: Callable[[ActionRequest, S], ActionDecision]
    approval: Optional[Callable[[ApprovalRequest, S], ApprovalDecision]] = None
    actions: Optional[Callable[[ActionRequest, list[Action], S], list[ActionDecision]]] = None
    question: Optional[Callable[[Question, S], GenericDecision]] = None
    search: Optional[Callable[[SearchKind, Question, S], list[str]]] = None
    settings_schema: Optional[dict[str, Any]] = None


def define_policy(
    *,
    name: str,
    version: str,
    rules: list[str],
    configure: Union[Callable[[Any], S], Callable[[Any, str], S]],
    start: Callable[[StartRequest, S], StartDecision],
    action: Callable[[ActionRequest, S], ActionDecision],
    approval: Optional[Callable[[ApprovalRequest, S], ApprovalDecision]] = None,
    actions: Optional[Callable[[ActionRequest, list[Action], S], list[ActionDecision]]] = None,
    question: Optional[Callable[[Question, S], GenericDecision]] = None,
    search: Optional[Callable[[SearchKind, Question, S], list[str]]] = None,
    settings_schema: Optional[dict[str, Any]] = None,
) -> _Spec[S]:
    """A policy, for the module's ``policy``.

    ``configure`` checks the tenant's settings (parsed JSON) and returns
    what the rules read; it raises ``SettingsError`` (or anything) to
    refuse them. A ``configure`` that takes a second parameter gets the
    settings' text too, as the host gave them (as in the TypeScript SDK),
    for a policy that must see what parsing loses, such as a key given
    twice. ``approval``: may the approver answer a pending start (without
    it, every approver is denied). ``actions``: several actions of one
    session (without it, ``action`` once per action). ``question`` and
    ``search``: generic AuthZEN questions (without them, the host denies
    them and searches find nothing). ``settings_schema``: the JSON Schema
    of the settings, for the console's form.
    """
    return _Spec(
        name, version, list(rules), _with_text(configure), start, action, approval, actions, question, search,
        settings_schema,
    )  # fmt: skip


def _with_text(configure: Callable[..., S]) -> Callable[[Any, str], S]:
    """``configure`` called with the parsed settings and their text: one
    that takes a single parameter gets the parsed settings alone."""
    kinds = [p.kind for p in inspect.signature(configure).parameters.values()]
    positional = sum(k in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD) for k in kinds)
    if positional >= 2 or inspect.Parameter.VAR_POSITIONAL in kinds:
        return configure
    return lambda settings, _text: configure(settings)
