"""Requests as a policy reads them: the packed words of the WIT world
(``wit/policy.wit``, "The words") read back into plain objects, the same
fields as the Rust SDK's views (``standin-policy-sdk``, facts.rs) and the
TypeScript SDK's (``sdk-ts/src/wire.ts``).

A request's header is read when the request is; a principal's fields are
read when a rule first asks for them (a rule reads a few fields, and every
string read costs an allocation in the interpreter a component embeds). A
span or list out of range (only a broken host sends one) reads as empty,
as in Rust.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Optional

PRINCIPAL = 10
#: Header words of a start: tenant, actor, target, reason, ttl, domain,
#: actor-session (2), now, flags.
START = 1 + 2 * PRINCIPAL + 7
#: Header words of an action.
ACTION = 2 + 2 * PRINCIPAL + 8
#: A start's header, then the approver.
APPROVAL = START + PRINCIPAL
ACTION_ITEM = 3
_LOW = 0xFFFF_FFFF


class _Packed:
    """``text`` and the span list (words ``first .. end`` of ``words``)."""

    __slots__ = ("text", "words", "first", "end", "_bytes")

    def __init__(self, text: str, words: list[int], first: int, end: int) -> None:
        self.text = text
        self.words = words
        self.first = first
        self.end = end
        # Spans count UTF-8 bytes: an ASCII text is its own bytes (and
        # `isascii` is a flag CPython keeps, not a scan).
        self._bytes: Optional[bytes] = None if text.isascii() else text.encode()

    def span(self, word: int) -> str:
        start, end = word >> 32, (word >> 32) + (word & _LOW)
        if self._bytes is None:
            return self.text[start:end] if end <= len(self.text) else ""
        if end > len(self._bytes):
            return ""
        try:
            return self._bytes[start:end].decode()
        except UnicodeDecodeError:
            return ""

    def str(self, i: int) -> str:
        return self.span(self.words[i])

    def opt(self, i: int, present: bool) -> Optional[str]:
        return self.str(i) if present else None

    def strs(self, i: int) -> list[str]:
        word = self.words[i]
        first = self.first + (word >> 32)
        end = first + (word & _LOW)
        if end > self.end:
            return []
        return [self.span(self.words[k]) for k in range(first, end)]

    def bit(self, i: int, n: int) -> bool:
        return (self.words[i] >> n) & 1 == 1


class Principal:
    """A principal (a user): the facts the platform gave about them, each
    read from the words when first asked for."""

    def __init__(self, packed: _Packed, at: int) -> None:
        self._p = packed
        self._at = at

    @cached_property
    def id(self) -> str:
        return self._p.str(self._at)

    @cached_property
    def tenant(self) -> str:
        return self._p.str(self._at + 1)

    @cached_property
    def roles(self) -> list[str]:
        return self._p.strs(self._at + 2)

    @cached_property
    def permissions(self) -> list[str]:
        """Every access, locations and reports included (E1, E6)."""
        return self._p.strs(self._at + 3)

    @cached_property
    def groups(self) -> list[str]:
        """Org units."""
        return self._p.strs(self._at + 4)

    @cached_property
    def manages(self) -> list[str]:
        """Group or user ids it administers (E5)."""
        return self._p.strs(self._at + 5)

    @cached_property
    def domains(self) -> list[str]:
        return self._p.strs(self._at + 6)

    @cached_property
    def consents(self) -> list[str]:
        """Terms accepted (E3)."""
        return self._p.strs(self._at + 7)

    @cached_property
    def attributes(self) -> dict[str, str]:
        """Key and value pairs; the first of a repeated key wins."""
        pairs = self._p.strs(self._at + 8)
        out: dict[str, str] = {}
        for k in range(0, len(pairs) - 1, 2):
            out.setdefault(pairs[k], pairs[k + 1])
        return out

    @property
    def active(self) -> bool:
        return self._p.bit(self._at + 9, 0)

    @property
    def has_logged_in(self) -> bool:
        return self._p.bit(self._at + 9, 1)

    def to_dict(self) -> dict[str, Any]:
        """Every field, as plain values."""
        names = ("id", "tenant", "roles", "permissions", "groups", "manages", "domains", "consents")
        out: dict[str, Any] = {name: getattr(self, name) for name in names}
        out.update(attributes=dict(self.attributes), active=self.active, has_logged_in=self.has_logged_in)
        return out

    def __repr__(self) -> str:
        return f"Principal({self.to_dict()!r})"


@dataclass
class ScopeRequest:
    """The action patterns and resources a start asks its session to be limited to."""

    actions: list[str]
    #: Empty: any resource.
    resources: list[str]


@dataclass
class ActorSession:
    """The actor's own current session (E7)."""

    id: str
    target: str


@dataclass
class StartRequest:
    """May ``actor`` start impersonating ``target``?"""

    tenant: str
    actor: Principal
    target: Principal
    consent_on_behalf: bool
    #: Unix seconds.
    now: int
    reason: Optional[str] = None
    ttl_seconds: Optional[int] = None
    domain: Optional[str] = None
    actor_session: Optional[ActorSession] = None
    scope: Optional[ScopeRequest] = None


@dataclass
class Session:
    """The session an action happens in."""

    id: str
    actor: Principal
    target: Principal
    started_at: int
    expires_at: int
    read_only: bool
    domain: Optional[str] = None
    reason: Optional[str] = None


@dataclass
class ActionRequest:
    """May the actor, inside ``session``, do ``action``?"""

    tenant: str
    session: Session
    action: str
    #: Unix seconds.
    now: int
    resource: Optional[str] = None


@dataclass
class ApprovalRequest:
    """May ``approver`` answer (approve or reject) the pending ``start``?"""

    start: StartRequest
    approver: Principal


@dataclass
class Action:
    """One action of several asked in one session at one time."""

    name: str
    resource: Optional[str] = None


@dataclass
class _Tail:
    end: int
    scope_at: Optional[int] = field(default=None)


def _split_tail(words: list[int]) -> _Tail:
    """The span list's end and the scope tail's index (bit 5 of the start's flags)."""
    end = len(words)
    if (words[START - 1] >> 5) & 1 == 0 or end - START < 2:
        return _Tail(end)
    return _Tail(end - 2, end - 2)


def _start_in(p: _Packed, scope_at: Optional[int]) -> StartRequest:
    w, flags = p.words, START - 1
    request = StartRequest(
        tenant=p.str(0),
        actor=Principal(p, 1),
        target=Principal(p, 1 + PRINCIPAL),
        consent_on_behalf=p.bit(flags, 4),
        now=w[26],
        reason=p.opt(21, p.bit(flags, 0)),
        ttl_seconds=w[22] if p.bit(flags, 1) else None,
        domain=p.opt(23, p.bit(flags, 2)),
    )
    if p.bit(flags, 3):
        request.actor_session = ActorSession(p.str(24), p.str(25))
    if scope_at is not None:
        request.scope = ScopeRequest(p.strs(scope_at), p.strs(scope_at + 1))
    return request


def read_start(text: str, words: list[int]) -> Optional[StartRequest]:
    """A start request; ``None`` when ``words`` is shorter than the header."""
    if len(words) < START:
        return None
    tail = _split_tail(words)
    return _start_in(_Packed(text, words, START, tail.end), tail.scope_at)


def read_approval(text: str, words: list[int]) -> Optional[ApprovalRequest]:
    """An approval request; ``None`` when ``words`` is shorter than the header."""
    if len(words) < APPROVAL:
        return None
    tail = _split_tail(words)
    p = _Packed(text, words, APPROVAL, tail.end)
    return ApprovalRequest(_start_in(p, tail.scope_at), Principal(p, START))


def read_action(text: str, words: list[int]) -> Optional[ActionRequest]:
    """An action request; ``None`` when ``words`` is shorter than the header."""
    if len(words) < ACTION:
        return None
    p = _Packed(text, words, ACTION, len(words))
    flags = ACTION - 1
    session = Session(
        id=p.str(1),
        actor=Principal(p, 2),
        target=Principal(p, 2 + PRINCIPAL),
        started_at=words[22],
        expires_at=words[23],
        read_only=p.bit(flags, 3),
        domain=p.opt(24, p.bit(flags, 0)),
        reason=p.opt(25, p.bit(flags, 1)),
    )
    return ActionRequest(
        tenant=p.str(0),
        session=session,
        action=p.str(26),
        now=words[28],
        resource=p.opt(27, p.bit(flags, 2)),
    )


def read_actions(text: str, actions: list[int]) -> list[Action]:
    """The actions of ``evaluate-actions``; a trailing partial item is ignored."""
    p = _Packed(text, actions, 0, 0)
    out = []
    for i in range(0, len(actions) - ACTION_ITEM + 1, ACTION_ITEM):
        out.append(Action(p.str(i), p.str(i + 1) if p.bit(i + 2, 0) else None))
    return out
