"""Pydantic models for the Python SDK from the gateway's OpenAPI document, one per component schema.

Models accept fields they do not know (``extra="allow"``), so an older SDK keeps reading a newer
gateway; the drift test keeps the committed file equal to what the gateway serves.
"""

from __future__ import annotations

import json
import keyword
from typing import Any

from pydantic import BaseModel

from .spec import schema_name

__all__ = ["render_python_models"]

HEADER = '''"""Models of the jisik gateway's JSON, generated from its OpenAPI document by scripts/openapi_clients.py.

Do not edit: run ``.venv/bin/python scripts/openapi_clients.py`` after changing a route or a schema.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ApiModel(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)
'''
_TAKEN = set(dir(BaseModel)) | {"model_config"}


def py_type(schema: dict[str, Any] | bool | None) -> str:
    """The Python annotation of a JSON schema."""
    if schema is None or schema is True or schema == {}:
        return "Any"
    if schema is False:
        return "None"
    assert isinstance(schema, dict)
    if "$ref" in schema:
        return schema_name(schema["$ref"])
    if "const" in schema:
        return f"Literal[{schema['const']!r}]"
    if "enum" in schema:
        return "Literal[" + ", ".join(repr(value) for value in schema["enum"]) + "]"
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            return " | ".join(dict.fromkeys(py_type(item) for item in schema[combinator]))
    if "allOf" in schema:
        return py_type(schema["allOf"][0]) if len(schema["allOf"]) == 1 else "dict[str, Any]"
    kind = schema.get("type")
    if isinstance(kind, list):
        return " | ".join(py_type({**schema, "type": item}) for item in kind)
    if kind == "string":
        if schema.get("format") == "date-time":
            return "datetime"
        return "bytes" if schema.get("format") == "binary" or "contentMediaType" in schema else "str"
    simple = {"integer": "int", "number": "float", "boolean": "bool", "null": "None"}
    if kind in simple:
        return simple[str(kind)]
    if kind == "array":
        return f"list[{py_type(schema.get('items'))}]"
    if kind == "object" or "properties" in schema:
        extra = schema.get("additionalProperties")
        value = "Any" if extra in (None, True) or extra == {} else py_type(extra)
        return f"dict[str, {value}]"
    return "Any"


def _field(name: str, schema: dict[str, Any], required: bool) -> str:
    annotation = py_type(schema)
    attribute = name if name.isidentifier() and not keyword.iskeyword(name) and name not in _TAKEN else f"{name}_"
    arguments: list[str] = []
    if not required:
        default = schema.get("default")
        if default is None and "None" not in annotation.split(" | ") and annotation != "Any":
            annotation += " | None"
        if isinstance(default, (list, dict)):
            arguments.append(f"default_factory=lambda: {json.loads(json.dumps(default))!r}")
        else:
            arguments.append(f"default={default!r}")
    if attribute != name:
        arguments.append(f"alias={name!r}")
    if not arguments:
        return f"    {attribute}: {annotation}"
    if arguments == [f"default={schema.get('default')!r}"]:
        return f"    {attribute}: {annotation} = {schema.get('default')!r}"
    return f"    {attribute}: {annotation} = Field({', '.join(arguments)})"


def _model(name: str, schema: dict[str, Any]) -> str:
    properties: dict[str, Any] = schema.get("properties") or {}
    if not properties and schema.get("type") != "object":
        return f"{name} = {py_type(schema)}\n"
    required = set(schema.get("required") or [])
    lines = [f"class {name}(ApiModel):"]
    if description := schema.get("description"):
        lines.append(f'    """{" ".join(description.split())}"""')
        lines.append("")
    lines += [_field(prop, value, prop in required) for prop, value in properties.items()]
    if len(lines) == 1:
        lines.append("    pass")
    return "\n".join(lines) + "\n"


def render_python_models(document: dict[str, Any]) -> str:
    """The whole generated module."""
    schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
    aliases = [(schema_name(n), s) for n, s in schemas.items() if not s.get("properties") and s.get("type") != "object"]
    models = [(schema_name(n), s) for n, s in schemas.items() if s.get("properties") or s.get("type") == "object"]
    parts = [HEADER]
    # Aliases (enums) first: a class body's default may not name them before they exist.
    parts += ["\n" + _model(name, schema) for name, schema in aliases]
    parts += ["\n\n" + _model(name, schema) for name, schema in models]
    parts.append("\n\nfor _model in list(globals().values()):\n"
                 "    if isinstance(_model, type) and issubclass(_model, ApiModel) and _model is not ApiModel:\n"
                 "        _model.model_rebuild()\n")
    return "".join(parts)
