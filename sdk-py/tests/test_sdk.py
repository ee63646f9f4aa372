"""The SDK's pure parts, in plain CPython (no component): patterns as the
Rust SDK's, reasons gathered rule by rule, words read back as packed."""

from __future__ import annotations

import pytest

from standin_policy import Deny, Pattern, Reason, Reasons, read_actions, read_start
from standin_policy.wire import START


@pytest.mark.parametrize(
    ("pattern", "name", "matches"),
    [
        ("billing.*", "billing.purchase", True),
        ("billing.*", "billing", False),
        ("*.view", "report.view", True),
        ("a*b*c", "abc", True),
        ("a*b*c", "acb", False),
        ("a*bb*b", "abbb", True),
        ("a*bb*b", "abb", False),
        ("guide.dismiss", "guide.dismiss", True),
        ("*", "", True),
    ],
)
def test_patterns_match_as_the_rust_sdks(pattern: str, name: str, matches: bool) -> None:
    assert Pattern.of(pattern).matches(name) is matches


@pytest.mark.parametrize("bad", ["", "a b", "a**", "tab\there", "nul\x00", "c1\x85"])
def test_patterns_refuse_what_the_rust_sdk_refuses(bad: str) -> None:
    with pytest.raises(ValueError):
        Pattern.of(bad)


def test_reasons_list_every_failing_rule() -> None:
    reasons = Reasons()
    assert reasons.deny() is None
    reasons.push("a", "E1", "one")
    reasons.push("b", "E2", "two")
    assert reasons.deny() == Deny([Reason("a", "E1", "one"), Reason("b", "E2", "two")])


def span(text: str, part: str) -> int:
    raw = text.encode()
    at = raw.index(part.encode())
    return at << 32 | len(part.encode())


def test_words_read_back_spans_in_utf8_bytes_and_empty_when_out_of_range() -> None:
    text = "acmeé漢u-1u-2SUP-1"
    words = [0] * START
    words[0] = span(text, "acme")
    words[1] = span(text, "u-1")
    words[11] = span(text, "u-2")
    words[21] = span(text, "SUP-1")
    words[26] = 1795428000
    words[START - 1] = 1  # a reason
    words[1 + 2] = 5 << 32 | 1  # roles: span 5 of the list, past its end
    request = read_start(text, words)
    assert request is not None
    assert (request.tenant, request.actor.id, request.target.id, request.reason) == ("acme", "u-1", "u-2", "SUP-1")
    assert request.actor.roles == [] and request.now == 1795428000 and request.scope is None
    assert read_start(text, words[:-1]) is None


def test_a_trailing_partial_action_is_ignored() -> None:
    text = "ab"
    actions = [0 << 32 | 1, 1 << 32 | 1, 1, 1 << 32 | 1]
    read = read_actions(text, actions)
    assert [(a.name, a.resource) for a in read] == [("a", "b")]
