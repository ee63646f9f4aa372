"""Action and name patterns, as the Rust SDK's ``Pattern``: ``*`` matches
any run of characters, everything else matches itself."""

from __future__ import annotations


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
        usually hides a typo). Raises ``ValueError`` saying what is wrong."""
        if not pattern:
            raise ValueError("pattern is empty")
        for c in pattern:
            if c.isspace() or ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F:  # white space, Cc
                raise ValueError(f"pattern `{pattern}` contains {c!r}")
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

    def __repr__(self) -> str:
        return f"Pattern({self.text!r})"
