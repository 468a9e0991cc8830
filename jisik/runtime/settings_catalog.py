"""Every jisik setting with the environment variable that sets it.

Used by the CLI (to name the variable behind a validation error), by ``scripts/settings_doc.py``
(the README table) and by the compose test (every ``JISIK_*`` name must be a real setting).
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from jisik.settings import Settings
from jisik.settings._base import JisikSettings

__all__ = ["SettingInfo", "all_settings", "env_name", "env_name_for_error", "env_names"]


@dataclass(frozen=True)
class SettingInfo:
    group: str
    field: str
    env: str
    type: str
    default: str
    description: str
    secret: bool
    aliases: tuple[str, ...] = ()
    config_aliases: tuple[str, ...] = ()  # old places in the TOML file, as "[table] key"


def env_name(settings_cls: type[JisikSettings], field: str) -> str:
    """The environment variable that sets ``field`` of ``settings_cls`` (its jisik name when aliased)."""
    info = settings_cls.model_fields[field]
    prefix = str(settings_cls.model_config.get("env_prefix", ""))
    alias = info.validation_alias or info.alias
    if isinstance(alias, AliasChoices):
        names = [choice for choice in alias.choices if isinstance(choice, str)]
        return next((name for name in names if name.upper().startswith(prefix.upper())), names[0]).upper()
    if isinstance(alias, str):
        return alias.upper()
    return (prefix + field).upper()


def _aliases(settings_cls: type[JisikSettings], field: str) -> list[str]:
    alias = settings_cls.model_fields[field].validation_alias
    if isinstance(alias, AliasChoices):
        return [choice.upper() for choice in alias.choices if isinstance(choice, str)]
    return [env_name(settings_cls, field)]


def _config_aliases(settings_cls: type[JisikSettings], field: str) -> tuple[str, ...]:
    old_place = settings_cls.config_aliases.get(field)
    return (f"[{old_place[0]}] {old_place[1]}",) if old_place else ()


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return " \\| ".join(repr(arg) for arg in typing.get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        return " \\| ".join(_type_name(arg) for arg in typing.get_args(annotation))
    if annotation is SecretStr:
        return "secret"
    if annotation is Path:
        return "path"
    return getattr(annotation, "__name__", str(annotation))


def _default(info: FieldInfo) -> str:
    value = info.default
    if value is PydanticUndefined:
        return "(required)"
    if isinstance(value, SecretStr):
        return '""'
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def _groups() -> list[tuple[str, type[JisikSettings]]]:
    return [(name, typing.cast(type[JisikSettings], field.annotation)) for name, field in Settings.model_fields.items()]


def all_settings() -> list[SettingInfo]:
    """Every setting of every group, in declaration order."""
    rows: list[SettingInfo] = []
    for group, settings_cls in _groups():
        for field, info in settings_cls.model_fields.items():
            rows.append(
                SettingInfo(
                    group=group,
                    field=field,
                    env=env_name(settings_cls, field),
                    type=_type_name(info.annotation),
                    default=_default(info),
                    description=info.description or "",
                    secret=info.annotation is SecretStr,
                    aliases=tuple(
                        name for name in _aliases(settings_cls, field) if name != env_name(settings_cls, field)
                    ),
                    config_aliases=_config_aliases(settings_cls, field),
                )
            )
    return rows


def env_names() -> set[str]:
    """Every environment variable jisik reads, including accepted aliases, upper-case."""
    names = {"JISIK_CONFIG"}
    for _, settings_cls in _groups():
        for field in settings_cls.model_fields:
            names.update(_aliases(settings_cls, field))
    return names


def env_name_for_error(model_title: str, location: tuple[int | str, ...]) -> str:
    """The variable behind a pydantic error of the settings class titled ``model_title``."""
    for _, settings_cls in _groups():
        if settings_cls.__name__ == model_title and location and str(location[0]) in settings_cls.model_fields:
            return env_name(settings_cls, str(location[0]))
        if settings_cls.__name__ == model_title and location:
            upper = str(location[0]).upper()
            for field in settings_cls.model_fields:
                if upper in _aliases(settings_cls, field):
                    return env_name(settings_cls, field)
    return ".".join(str(part) for part in location) or model_title
