"""Action and name patterns, as the Rust SDK's ``Pattern``: ``*`` matches
any run of characters, everything else matches itself. Refusals read as
the Rust SDK's, character for character (``rust_debug_char``), so that a
policy ported from Rust refuses the same settings with the same words.
"""

from __future__ import annotations

import unicodedata

#: General categories Rust's ``{:?}`` escapes by code point (its
#: ``is_printable`` is false for them), besides the space itself.
_UNPRINTABLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"})
#: Grapheme extenders outside the categories Mn and Me, which Rust escapes
#: too (``unicodedata`` has no Grapheme_Extend property): Unicode 16's
#: Other_Grapheme_Extend, less its format characters (Cf, escaped anyway).
#: Checked against the built-in policy's refusals, code point by code
#: point: the only difference left is the code points new in Unicode 17,
#: which Rust prints and the component's CPython (Unicode 16) escapes.
_OTHER_EXTENDERS = frozenset(map(chr, [
    0x9BE, 0x9D7, 0xB3E, 0xB57, 0xBBE, 0xBD7, 0xCC0, 0xCC2, 0xCC7, 0xCC8, 0xCCA, 0xCCB, 0xCD5, 0xCD6, 0xD3E, 0xD57,
    0xDCF, 0xDDF, 0x1715, 0x1734, 0x1B35, 0x1B3B, 0x1B3D, 0x1B43, 0x1B44, 0x1BAA, 0x1BF2, 0x1BF3, 0x302E, 0x302F,
    0xA953, 0xA9C0, 0xFF9E, 0xFF9F, 0x111C0, 0x11235, 0x1133E, 0x1134D, 0x11357, 0x113B8, 0x113C2, 0x113C5,
    0x113C7, 0x113C8, 0x113C9, 0x113CF, 0x114B0, 0x114BD, 0x115AF, 0x116B6, 0x11930, 0x1193D, 0x11F41, 0x16FF0,
    0x16FF1, 0x1D165, 0x1D166, 0x1D16D, 0x1D16E, 0x1D16F, 0x1D170, 0x1D171, 0x1D172
]))  # fmt: skip
_SHORT = {"\0": "\\0", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\\": "\\\\"}


def is_rust_whitespace(c: str) -> bool:
    """Whether ``c`` (one character) is white space as Rust's
    ``char::is_whitespace`` says: Python's ``isspace`` also counts the
    separators U+001C to U+001F."""
    return c.isspace() and not "\x1c" <= c <= "\x1f"


def _escape(c: str, quote: str) -> str:
    """``c`` inside Rust's ``{:?}`` of a text quoted with ``quote``."""
    short = _SHORT.get(c)
    if short is not None:
        return short
    if c == quote:
        return "\\" + c
    if " " <= c <= "~":
        return c
    category = unicodedata.category(c)
    if (category in _UNPRINTABLE and c != " ") or category in ("Mn", "Me") or c in _OTHER_EXTENDERS:
        return f"\\u{{{ord(c):x}}}"
    return c


def rust_debug_char(c: str) -> str:
    """``c`` (one character) as Rust's ``{:?}`` prints a ``char``: ``' '``,
    ``'\\t'``, ``'\\u{a0}'``."""
    return f"'{_escape(c, chr(39))}'"


def rust_debug_str(text: str) -> str:
    """``text`` as Rust's ``{:?}`` prints a ``str``: quoted, ``"`` and ``\\``
    escaped, what Rust deems unprintable by code point."""
    return '"' + "".join(_escape(c, '"') for c in text) + '"'


class Pattern:
    """A checked pattern (``Pattern.of``)."""

    __slots__ = ("text", "_parts")

    def __init__(self, text: str) -> None:
        self.text = text
        self._parts = text.split("*")

    @staticmethod
    def of(pattern: str) -> "Pattern":
        """Checks ``pattern``: non-empty, without white space or control
        characters, and without ``**`` (which means the same as ``*`` and
        usually hides a typo). Raises ``ValueError`` saying what is wrong,
        in the Rust SDK's words."""
        if not pattern:
            raise ValueError("pattern is empty")
        for c in pattern:
            if is_rust_whitespace(c) or ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F:  # white space, Cc
                raise ValueError(f"pattern `{pattern}` contains {rust_debug_char(c)}")
        if "**" in pattern:
            raise ValueError(f"pattern `{pattern}` contains `**`")
        return Pattern(pattern)

    def matches(self, name: str) -> bool:
        """Whether ``name`` matches."""
        parts = self._parts
        if len(parts) == 1:
            return name == self.text
        first, last = parts[0], parts[-1]
        if len(name) < len(first) + len(last) or not name.startswith(first) or not name.endswith(last):
            return False
        at, end = len(first), len(name) - len(last)
        for part in parts[1:-1]:
            found = name.find(part, at, end)
            if found < 0:
                return False
            at = found + len(part)
        return True

    @property
    def stars(self) -> int:
        """How many ``*`` the pattern holds."""
        return len(self._parts) - 1

    def covers(self, other: "Pattern") -> bool:
        """Whether every text ``other`` matches, this pattern matches too
        (``billing.*`` covers ``billing.refund.*`` and ``billing.view``), as
        the Rust SDK's ``covers``: ``False`` when it cannot tell cheaply
        (patterns of several stars each), so a scope checked with it is
        never wider than the one it is checked against."""
        if other.stars == 0:
            return self.matches(other.text)
        if self.stars != 1:
            return self.text == other.text
        # One star here: every text `other` matches starts with `other`'s
        # part before its first star and ends with its part after the last
        # one; those must start and end as this pattern asks.
        prefix, suffix = self._parts
        return other._parts[0].startswith(prefix) and other._parts[-1].endswith(suffix)

    def __repr__(self) -> str:
        return f"Pattern({self.text!r})"
