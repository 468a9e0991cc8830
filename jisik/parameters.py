"""Free-form parameter objects checked when they are written, so a bad value fails its own request (422)
instead of every later one that reads it.

Two such objects exist: a chat session's ``summary_parameters`` (generation settings) and a registered
model's ``parameters`` (endpoint, dimension, local path ...). Both are bounded in size and nesting;
known keys must have their documented type and range; any URL must be http(s).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from jisik.errors import InvalidInput

__all__ = [
    "MAX_PARAMETERS_BYTES",
    "SummarySettings",
    "check_model_parameters",
    "check_summary_parameters",
    "summary_settings",
]

MAX_PARAMETERS_BYTES = 16 * 1024
_MAX_DEPTH = 3
_MAX_STRING = 8000
_URL_LIKE = re.compile(r"^\s*[A-Za-z][A-Za-z0-9+.\-]*://")

Check = Callable[[str, Any], None]


def _number(low: float, high: float, *, integer: bool = False) -> Check:
    def check(field: str, value: Any) -> None:
        ok = isinstance(value, int) if integer else isinstance(value, int | float)
        if isinstance(value, bool) or not ok or not math.isfinite(value) or not low <= value <= high:
            kind = "an integer" if integer else "a number"
            raise InvalidInput(f"{field} must be {kind} from {low:g} to {high:g}", field=field)

    return check


def _text(max_chars: int, choices: tuple[str, ...] = ()) -> Check:
    def check(field: str, value: Any) -> None:
        if not isinstance(value, str) or len(value) > max_chars:
            raise InvalidInput(f"{field} must be text of at most {max_chars} characters", field=field)
        if choices and value not in choices:
            raise InvalidInput(f"{field} must be one of {', '.join(choices)}", field=field)

    return check


def _flag(field: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise InvalidInput(f"{field} must be true or false", field=field)


def _http_url(field: str, value: Any) -> None:
    _text(2048)(field, value)
    if not re.match(r"^https?://[^/?#\s]+", value) or "@" in value.split("/")[2]:
        raise InvalidInput(f"{field} must be an http:// or https:// URL without credentials", field=field)


SUMMARY_KEYS: dict[str, Check] = {
    "temperature": _number(0, 2),
    "max_completion_tokens": _number(1, 32768, integer=True),
    "max_tokens": _number(1, 32768, integer=True),
    "top_p": _number(0, 1),
    "top_k": _number(0, 1000, integer=True),
    "repeat_penalty": _number(0, 10),
    "frequency_penalty": _number(-2, 2),
    "presence_penalty": _number(-2, 2),
    "seed": _number(0, 2**31 - 1, integer=True),
    "prompt": _text(_MAX_STRING),
    "context_template": _text(_MAX_STRING),
    "no_match_prefix": _text(2000),
}

MODEL_KEYS: dict[str, Check] = {
    "base_url": _http_url,
    "path": _text(1024),
    "model": _text(255),
    "provider": _text(32, ("openai", "ollama")),
    "interface_type": _text(32),
    "engine": _text(64),
    "chat_format": _text(64),
    "dimension": _number(1, 16384, integer=True),
    "timeout_s": _number(0.1, 600),
    "max_retries": _number(0, 10, integer=True),
    "max_concurrency": _number(1, 64, integer=True),
    "batch_size": _number(1, 2048, integer=True),
    "e5_prefixes": _flag,
}


def _walk(field: str, value: Any, depth: int) -> None:
    """Generic bounds for keys without a specific rule: JSON scalars, short text, shallow nesting."""
    if depth > _MAX_DEPTH:
        raise InvalidInput(f"{field} is nested too deeply (at most {_MAX_DEPTH} levels)", field=field)
    if isinstance(value, str):
        if "\x00" in value:
            raise InvalidInput(f"{field} contains a NUL character", field=field)
        if len(value) > _MAX_STRING:
            raise InvalidInput(f"{field} is longer than {_MAX_STRING} characters", field=field)
        if _URL_LIKE.match(value) and not re.match(r"^\s*https?://", value, re.IGNORECASE):
            raise InvalidInput(f"{field}: only http:// and https:// URLs are accepted", field=field)
    elif isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput(f"{field} must be a finite number", field=field)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _walk(f"{field}.{key}", item, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(f"{field}[{index}]", item, depth + 1)
    elif value is not None and not isinstance(value, bool | int | float):
        raise InvalidInput(f"{field} has an unsupported type", field=field)


def _check(name: str, parameters: Any, known: Mapping[str, Check]) -> dict[str, Any]:
    if not isinstance(parameters, Mapping):
        raise InvalidInput(f"{name} must be an object", field=name)
    try:
        size = len(json.dumps(parameters, ensure_ascii=False).encode())
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{name} must be plain JSON", field=name) from exc
    if size > MAX_PARAMETERS_BYTES:
        raise InvalidInput(f"{name} is {size} bytes; the limit is {MAX_PARAMETERS_BYTES}", field=name)
    for key, value in parameters.items():
        field = f"{name}.{key}"
        rule = known.get(key)
        if rule is not None and value is not None:
            rule(field, value)
        _walk(field, value, 1)
    return dict(parameters)


def check_summary_parameters(parameters: Any) -> dict[str, Any]:
    """A chat session's ``summary_parameters``, or InvalidInput naming the bad key."""
    return _check("summary_parameters", parameters, SUMMARY_KEYS)


def check_model_parameters(parameters: Any) -> dict[str, Any]:
    """A registered model's ``parameters``, or InvalidInput naming the bad key."""
    return _check("parameters", parameters, MODEL_KEYS)


@dataclass(frozen=True, slots=True)
class SummarySettings:
    temperature: float = 0.3
    max_completion_tokens: int = 2048


def summary_settings(parameters: Mapping[str, Any] | None) -> SummarySettings:
    """The generation settings of stored ``summary_parameters``; a value stored before validation
    existed that is out of range falls back to its default rather than failing the chat."""
    defaults = SummarySettings()
    values: dict[str, Any] = {}
    for key in ("temperature", "max_completion_tokens"):
        value = (parameters or {}).get(key)
        try:
            if value is not None:
                SUMMARY_KEYS[key](key, value)
                values[key] = value
        except InvalidInput:
            continue
    return SummarySettings(
        temperature=float(values.get("temperature", defaults.temperature)),
        max_completion_tokens=int(values.get("max_completion_tokens", defaults.max_completion_tokens)),
    )
