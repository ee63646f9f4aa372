"""Writes standin/models.py, a frozen dataclass per schema of docs/openapi.json.

    python scripts/gen_models.py            # write standin/models.py
    python scripts/gen_models.py --check    # exit 1 when it is out of date

tests/test_models.py fails when the document changed and this was not run
again, so the client's types cannot drift from what the server serves.
Each class carries `_SPEC`, which `standin._wire` checks answers against.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DOCUMENT = HERE.parents[2] / "docs" / "openapi.json"
OUTPUT = HERE.parent / "standin" / "models.py"


def pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.replace("-", "_").split("_"))


class Generator:
    def __init__(self, schemas: dict[str, Any]) -> None:
        self.schemas = schemas
        self.classes: list[str] = []
        self.names: list[str] = []
        self.aliases: list[str] = []

    def ref(self, schema: dict[str, Any]) -> str:
        return str(schema["$ref"]).rsplit("/", 1)[1]

    def typ(self, schema: dict[str, Any], owner: str, prop: str) -> tuple[str, str]:
        """(Python annotation, spec literal) of a property's schema."""
        if "$ref" in schema:
            name = self.ref(schema)
            if "oneOf" in self.schemas[name]:
                return self.oneof(self.schemas[name]["oneOf"], owner, prop)
            return name, f'("ref", "{name}")'
        if "oneOf" in schema:
            return self.oneof(schema["oneOf"], owner, prop)
        if "const" in schema:
            return f"Literal[{json.dumps(schema['const'])}]", f"(\"enum\", ({json.dumps(schema['const'])},))"
        if "enum" in schema:
            values = schema["enum"]
            strings = [v for v in values if v is not None]
            annotation = f"Literal[{', '.join(json.dumps(v) for v in strings)}]"
            spec = f"(\"enum\", ({', '.join(json.dumps(v) for v in strings)},))"
            if None in values:
                return f"{annotation} | None", f'("opt", {spec})'
            return annotation, spec
        kind = schema.get("type")
        if isinstance(kind, list):
            rest = [k for k in kind if k != "null"]
            if rest == ["object", "string"]:
                inner = ("dict[str, Any] | str", '("dict|str",)')
            else:
                inner = self.typ({**schema, "type": rest[0]}, owner, prop)
            if "null" in kind:
                return f"{inner[0]} | None", f'("opt", {inner[1]})'
            return inner
        if kind == "string":
            return "str", '("str",)'
        if kind == "integer":
            return "int", '("int",)'
        if kind == "number":
            return "float", '("float",)'
        if kind == "boolean":
            return "bool", '("bool",)'
        if kind == "array":
            if "items" not in schema:
                return "list[Any]", '("list", ("any",))'
            item = self.typ(schema["items"], owner, prop + "_item")
            return f"list[{item[0]}]", f'("list", {item[1]})'
        if kind == "object" and "properties" in schema:
            name = owner + ("Detail" if prop == "error" else pascal(prop))
            self.model(name, schema)
            return name, f'("ref", "{name}")'
        if kind == "object":
            return "dict[str, Any]", '("dict",)'
        return "Any", '("any",)'

    def oneof(self, options: list[dict[str, Any]], owner: str, prop: str) -> tuple[str, str]:
        if all("$ref" in option for option in options):
            names = [self.ref(option) for option in options]
            return " | ".join(names), f"(\"oneof\", ({', '.join(json.dumps(n) for n in names)},))"
        # Not only forms (`aud`: a string or strings): the first that decodes.
        parts = [self.typ(option, owner, prop) for option in options]
        return " | ".join(p[0] for p in parts), f"(\"union\", ({', '.join(p[1] for p in parts)},))"

    def model(self, name: str, schema: dict[str, Any]) -> None:
        if "oneOf" in schema:
            names = [self.typ(option, name, "item")[0] for option in schema["oneOf"]]
            self.aliases.append(f"{name} = Union[{', '.join(names)}]")
            return
        properties: dict[str, Any] = {}
        required: set[str] = set()
        for part in schema.get("allOf", []):
            base = self.schemas[self.ref(part)]
            properties.update(base.get("properties", {}))
            required.update(base.get("required", []))
        properties.update(schema.get("properties", {}))
        required.update(schema.get("required", []))
        lines: list[str] = []
        specs: list[str] = []
        ordered = sorted(properties, key=lambda p: (p not in required, p))
        for prop in ordered:
            annotation, spec = self.typ(properties[prop], name, prop)
            if prop in required:
                lines.append(f"    {prop}: {annotation}")
            else:
                optional = annotation if annotation.endswith("| None") else f"{annotation} | None"
                lines.append(f"    {prop}: {optional} = None")
            specs.append(f'        "{prop}": ({spec}, {prop in required}),')
        doc = schema.get("description", f"The `{name}` form of docs/openapi.json.").split("\n")[0]
        body = [
            "@dataclass(frozen=True)",
            f"class {name}(Model):",
            f'    """{doc}"""',
            "",
            *lines,
            "",
            "    _SPEC: ClassVar[dict[str, tuple[Spec, bool]]] = {",
            *specs,
            "    }",
        ]
        if not lines:
            body = body[:4] + body[5:]
        self.classes.append("\n".join(body))
        self.names.append(name)

    def render(self) -> str:
        for name in sorted(self.schemas):
            self.model(name, self.schemas[name])
        head = [
            '"""The API\'s JSON forms, one frozen dataclass per schema of docs/openapi.json.',
            "",
            "Generated by scripts/gen_models.py: do not edit; run it after the document changes.",
            '"""',
            "",
            "from __future__ import annotations",
            "",
            "from dataclasses import dataclass",
            "from typing import Any, ClassVar, Literal, Union",
            "",
            "from ._wire import Model, Spec, register",
        ]
        tail = ["register(", *[f"    {n}," for n in self.names], ")"]
        return "\n".join(head) + "\n\n\n" + "\n\n\n".join(self.classes) + "\n\n\n" + "\n".join(self.aliases + [""] + tail) + "\n"


def generate() -> str:
    document = json.loads(DOCUMENT.read_text())
    return Generator(document["components"]["schemas"]).render()


def main() -> int:
    text = generate()
    if "--check" in sys.argv:
        if OUTPUT.read_text() != text:
            print(f"{OUTPUT} is out of date: run python {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
