"""Shared base for every settings class: env vars first, then an optional TOML config file.

The config file is named by ``JISIK_CONFIG``; each service reads its own table
(``[gateway]``, ``[docreader]`` ...). A setting that moved to another table keeps its old place as an
alias (``config_aliases``), read only when the new table does not set it. Environment variables always win.
"""

from __future__ import annotations

import os
import tomllib
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

CONFIG_FILE_ENV = "JISIK_CONFIG"


@cache
def _config_tables(path: str) -> dict[str, Any]:
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"{CONFIG_FILE_ENV}={path}: no such config file")
    with file.open("rb") as handle:
        return tomllib.load(handle)


class _TomlTableSource(PydanticBaseSettingsSource):
    """Reads one table of the JISIK_CONFIG file, plus the old places of settings that moved into it.

    :param aliases: field name -> ``(table, key)`` read when ``table`` itself lacks the field.
    """

    def __init__(self, settings_cls: type[BaseSettings], table: str, aliases: dict[str, tuple[str, str]]) -> None:
        super().__init__(settings_cls)
        path = os.environ.get(CONFIG_FILE_ENV, "")
        tables = _config_tables(path) if path else {}
        self._values: dict[str, Any] = dict(tables.get(table, {}))
        for field, (old_table, old_key) in aliases.items():
            old_values = tables.get(old_table, {})
            if field not in self._values and old_key in old_values:
                self._values[field] = old_values[old_key]

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return {key: value for key, value in self._values.items() if key in self.settings_cls.model_fields}


class JisikSettings(BaseSettings):
    """Base for per-service settings. Subclasses set ``config_table`` and an ``env_prefix``."""

    config_table: ClassVar[str] = ""
    config_aliases: ClassVar[dict[str, tuple[str, str]]] = {}
    model_config = SettingsConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlTableSource(settings_cls, cls.config_table, cls.config_aliases))
