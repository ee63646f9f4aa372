"""Decoding and encoding of the API's JSON forms, for the generated models.

The models in `standin.models` are generated from docs/openapi.json
(scripts/gen_models.py); each carries a `_SPEC` of its fields, and this
module reads answers against it. Why checked decoding rather than trusting
the JSON: a client whose caller acts on `decision == "allow"` must never
see an allow that the server did not send. An answer that is not the
documented shape (a missing required field, a wrong type, a decision that
is not `allow`, `deny` or `pending`) raises `ProtocolError`, so it is a
failure, never a decision. Fields the server adds later are ignored (the
contract only ever adds fields).
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, ClassVar, TypeVar

from .errors import ProtocolError

# A field's type, as the generator writes it:
#   ("str",) ("int",) ("float",) ("bool",) ("any",) ("dict",)
#   ("enum", (values...))  ("list", spec)  ("opt", spec)  ("ref", "Name")
#   ("oneof", ("Name", ...))  ("union", (spec, ...))  ("dict|str",)
Spec = tuple[Any, ...]

_MODELS: dict[str, type[Model]] = {}

M = TypeVar("M", bound="Model")


class Model:
    """A schema of docs/openapi.json: `from_json` checks, `to_json` drops unset fields."""

    _SPEC: ClassVar[dict[str, tuple[Spec, bool]]] = {}

    @classmethod
    def from_json(cls: type[M], data: object, path: str = "$") -> M:
        if not isinstance(data, dict):
            raise ProtocolError(f"{path}: expected an object for {cls.__name__}")
        values: dict[str, Any] = {}
        for name, (spec, required) in cls._SPEC.items():
            if name not in data:
                if required:
                    raise ProtocolError(f"{path}: {cls.__name__} lacks `{name}`")
                continue
            values[name] = decode(spec, data[name], f"{path}.{name}")
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if value is not None:
                out[f.name] = encode(value)
        return out


def register(*models: type[Model]) -> None:
    for model in models:
        _MODELS[model.__name__] = model


def encode(value: Any) -> Any:
    if isinstance(value, Model):
        return value.to_json()
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    return value


def decode(spec: Spec, value: object, path: str) -> Any:
    kind = spec[0]
    if kind == "opt":
        return None if value is None else decode(spec[1], value, path)
    if kind == "any":
        return value
    if kind == "str":
        if isinstance(value, str):
            return value
    elif kind == "bool":
        if isinstance(value, bool):
            return value
    elif kind == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif kind == "float":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif kind == "dict":
        if isinstance(value, dict):
            return value
    elif kind == "dict|str":
        if isinstance(value, (dict, str)):
            return value
    elif kind == "enum":
        if value in spec[1]:
            return value
        raise ProtocolError(f"{path}: {value!r} is not one of {list(spec[1])}")
    elif kind == "list":
        if isinstance(value, list):
            return [decode(spec[1], v, f"{path}[{i}]") for i, v in enumerate(value)]
    elif kind == "ref":
        return _MODELS[spec[1]].from_json(value, path)
    elif kind == "oneof":
        for name in spec[1]:
            try:
                return _MODELS[name].from_json(value, path)
            except ProtocolError:
                continue
        raise ProtocolError(f"{path}: none of {list(spec[1])}")
    elif kind == "union":
        for option in spec[1]:
            try:
                return decode(option, value, path)
            except ProtocolError:
                continue
        raise ProtocolError(f"{path}: none of the forms {[s[0] for s in spec[1]]}")
    raise ProtocolError(f"{path}: expected {kind}, got {type(value).__name__}")
