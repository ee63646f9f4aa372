"""The settings' JSON as the Rust policy's parser (serde_json) sees it, and
serde's words for what it refuses.

Why not the value ``json.loads`` gives: it keeps the last of a key given
twice and reads ``-0`` as the integer 0, where the Rust policy refuses the
key given twice and takes ``-0`` for a float; it also reads what
serde_json refuses (``NaN``, a lone surrogate, nesting 128 deep). So the
text is read again here, keeping every key in order (``Obj``) and each
number as serde_json classes it, refusing what serde_json refuses (in
words of its own, where serde_json's name a line and column), and the
refusals of values are worded as serde's (a float as ryu prints it, a
string as Rust's ``{:?}``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Union

from standin_policy import rust_debug_str

U64_MAX = (1 << 64) - 1
I64_MIN = -(1 << 63)
#: serde_json refuses objects and arrays nested this deep.
MAX_DEPTH = 128


@dataclass(frozen=True)
class Obj:
    """A JSON object with every key kept, in document order."""

    pairs: list[tuple[str, "Json"]]

    def entries(self) -> list[tuple[str, "Json"]]:
        """The entries as serde_json's map holds them: the last of a key
        given twice, in key order (Rust's ``String`` order is Python's, by
        code point)."""
        return sorted(dict(self.pairs).items())


#: A JSON value: a number is an ``int`` where serde_json reads u64 (or,
#: negative, i64), a ``float`` where it reads f64.
Json = Union[None, bool, int, float, str, list["Json"], Obj]


class SerdeError(ValueError):
    """A value refused, in serde's words."""


def _float(text: str) -> float:
    x = float(text)
    if math.isinf(x):
        raise ValueError(f"number out of range: {text}")
    return x


def _integer(text: str) -> Union[int, float]:
    """serde_json's class of an integer's text: one that fits u64 (or,
    negative, i64) stays an integer; ``-0`` and the rest are floats."""
    n = int(text)
    if 0 < n <= U64_MAX or (n == 0 and not text.startswith("-")) or I64_MIN <= n < 0:
        return n
    return _float(text)


def _not_json(constant: str) -> float:
    raise ValueError(f"`{constant}` is not JSON")


def read(text: str) -> Json:
    """Reads ``text`` (which ``json.loads`` accepted) keeping what the Rust
    policy sees; raises ``ValueError`` for what serde_json refuses."""
    value: Json = json.loads(
        text, object_pairs_hook=Obj, parse_int=_integer, parse_float=_float, parse_constant=_not_json
    )
    _refuse_beyond_serde(value, 1)
    return value


def _refuse_beyond_serde(value: Json, depth: int) -> None:
    """Raises for the JSON that Python reads and serde_json refuses:
    objects and arrays nested ``MAX_DEPTH`` deep, and strings holding a
    lone surrogate (``"\\ud800"``, which is no UTF-8)."""
    if isinstance(value, str):
        if any("\ud800" <= c <= "\udfff" for c in value):
            raise ValueError("a string holds a lone surrogate")
        return
    if not isinstance(value, (list, Obj)):
        return
    if depth >= MAX_DEPTH:
        raise ValueError(f"objects and arrays nested {MAX_DEPTH} deep")
    for item in value if isinstance(value, list) else [x for pair in value.pairs for x in pair]:
        _refuse_beyond_serde(item, depth + 1)


def duplicate_keys(value: Json, path: str = "") -> list[str]:
    """Every key an object holds more than once, at any depth, by its path
    (``role_levels.admin``, ``x[0].k``), in the order the Rust policy
    reports them: each object's keys in turn, what lies below a key first."""
    found: list[str] = []
    if isinstance(value, list):
        for i, item in enumerate(value):
            found += duplicate_keys(item, f"{path}[{i}]")
    elif isinstance(value, Obj):
        seen: set[str] = set()
        for key, item in value.pairs:
            here = f"{path}.{key}" if path else key
            found += duplicate_keys(item, here)
            if key in seen:
                found.append(here)
            seen.add(key)
    return found


def rust_float(x: float) -> str:
    """A float as serde_json prints it in a refusal (ryu): ``1000.0``,
    ``0.00001``, ``1e-6``, ``2e+19``, ``-0.0``."""
    if x == 0:
        return "-0.0" if math.copysign(1, x) < 0 else "0.0"
    sign, digits, exponent = Decimal(repr(x)).normalize().as_tuple()
    assert isinstance(exponent, int)  # finite: JSON has no NaN
    e = exponent + len(digits) - 1  # the exponent of d.ddd
    minus = "-" if sign else ""
    if e < -5 or e > 15:
        mantissa = "".join(map(str, digits))
        fraction = f".{mantissa[1:]}" if len(mantissa) > 1 else ""
        return f"{minus}{mantissa[0]}{fraction}e{'+' if e > 0 else '-'}{abs(e)}"
    fixed = format(abs(Decimal(repr(x))), "f")
    return f"{minus}{fixed}" if "." in fixed else f"{minus}{fixed}.0"


def unexpected(value: Json) -> str:
    """What a value is, in serde's words (``invalid type: {this}, expected ...``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean `{'true' if value else 'false'}`"
    if isinstance(value, int):
        return f"integer `{value}`"
    if isinstance(value, float):
        return f"floating point `{rust_float(value)}`"
    if isinstance(value, str):
        return f"string {rust_debug_str(value)}"
    return "sequence" if isinstance(value, list) else "map"


def invalid_type(value: Json, expected: str) -> SerdeError:
    """serde's refusal of a value of the wrong type."""
    return SerdeError(f"invalid type: {unexpected(value)}, expected {expected}")
