"""The SDK's pure parts, in plain CPython (no component): patterns as the
Rust SDK's (their refusals in its words, what covers what), reasons
gathered rule by rule, words read back as packed, and ``configure`` given
the settings' text when it asks for it."""

from __future__ import annotations

import pytest

from standin_policy import (
    Deny,
    Pattern,
    Reason,
    Reasons,
    define_policy,
    is_rust_whitespace,
    read_actions,
    read_start,
    rust_debug_char,
    rust_debug_str,
)
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


@pytest.mark.parametrize(
    ("bad", "refusal"),
    [
        ("", "pattern is empty"),
        ("a b", "pattern `a b` contains ' '"),
        ("tab\there", "pattern `tab\there` contains '\\t'"),
        ("nul\x00", "pattern `nul\x00` contains '\\0'"),
        ("c1\x85", "pattern `c1\x85` contains '\\u{85}'"),
        ("nbsp\xa0", "pattern `nbsp\xa0` contains '\\u{a0}'"),
        ("wide\u3000", "pattern `wide\u3000` contains '\\u{3000}'"),
        ("sep\x1c", "pattern `sep\x1c` contains '\\u{1c}'"),
        ("a**", "pattern `a**` contains `**`"),
    ],
)
def test_patterns_refuse_what_the_rust_sdk_refuses_in_its_words(bad: str, refusal: str) -> None:
    with pytest.raises(ValueError) as refused:
        Pattern.of(bad)
    assert str(refused.value) == refusal


def test_rust_debug_escapes_what_rust_deems_unprintable_by_code_point() -> None:
    assert rust_debug_char("'") == "'\\''" and rust_debug_char('"') == "'\"'"
    # A string: quotes and backslashes escaped, controls, format characters,
    # combining marks, unassigned and private use by code point; the rest,
    # letters beyond ASCII and emoji included, as they are.
    text = 'a"b\\é\x07\t\xa0\u0301\u0378\ue000\u200b\uff9e漢😀'
    assert rust_debug_str(text) == '"a\\"b\\\\é\\u{7}\\t\\u{a0}\\u{301}\\u{378}\\u{e000}\\u{200b}\\u{ff9e}漢😀"'


def test_rust_white_space_leaves_out_the_separators_python_counts() -> None:
    assert all(is_rust_whitespace(c) for c in " \t\n\x85\xa0\u2028\u3000")
    assert not any(is_rust_whitespace(c) for c in "\x1c\x1d\x1e\x1fa\u200b")


@pytest.mark.parametrize(
    ("wide", "narrow", "covers"),
    [
        ("report.*", "report.view", True),
        ("report.*", "report.view.*", True),
        ("report.*", "*.view", False),
        ("*", "a*b*c", True),
        ("*.view", "report.*.view", True),
        ("a*b*c", "a*b*c", True),
        ("a*b*c", "a*bb*c", False),
        ("report.view", "report.*", False),
    ],
)
def test_a_pattern_covers_only_what_it_surely_matches(wide: str, narrow: str, covers: bool) -> None:
    assert Pattern.of(wide).covers(Pattern.of(narrow)) is covers


def test_configure_gets_the_settings_text_when_it_takes_a_second_parameter() -> None:
    def spec(configure):
        return define_policy(name="p", version="1", rules=[], configure=configure, start=print, action=print)

    text = '{"a": 1, "a": 2}'
    assert spec(lambda settings: settings).configure({"a": 2}, text) == {"a": 2}
    assert spec(lambda settings, given: given).configure({"a": 2}, text) == text
    assert spec(lambda *given: given).configure({"a": 2}, text) == ({"a": 2}, text)


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
