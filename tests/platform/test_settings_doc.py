"""README.md documents every setting, and the table is regenerated whenever settings change."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from jisik.runtime.settings_catalog import all_settings, env_name_for_error
from jisik.settings import DatabaseSettings
from tests.scripts import load_script

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def settings_doc() -> ModuleType:
    return load_script("settings_doc")


class TestSettingsDoc:
    def test_readme_table_is_current(self, settings_doc: ModuleType) -> None:
        text = (ROOT / "README.md").read_text()
        assert settings_doc.rendered_readme(text) == text, "run: .venv/bin/python scripts/settings_doc.py"

    def test_every_setting_is_in_the_table(self, settings_doc: ModuleType) -> None:
        table = settings_doc.render_table()
        for setting in all_settings():
            assert f"| `{setting.env}` |" in table

    def test_secrets_defaults_are_not_rendered(self, settings_doc: ModuleType) -> None:
        secrets = [setting for setting in all_settings() if setting.secret]
        assert secrets, "storage keys are secrets"
        assert all(setting.default == '""' for setting in secrets)

    def test_render_replaces_only_the_marked_block(self, settings_doc: ModuleType) -> None:
        text = f"intro\n{settings_doc.START}\nold table\n{settings_doc.END}\noutro\n"
        rendered = settings_doc.rendered_readme(text)
        assert rendered.startswith("intro\n") and rendered.endswith("\noutro\n")
        assert "old table" not in rendered and "`JISIK_DB_URL`" in rendered

    def test_missing_markers_are_an_error(self, settings_doc: ModuleType) -> None:
        with pytest.raises(ValueError, match="markers"):
            settings_doc.rendered_readme("no markers here")


class TestEnvNames:
    def test_validation_errors_map_to_variables(self) -> None:
        assert env_name_for_error(DatabaseSettings.__name__, ("url",)) == "JISIK_DB_URL"
        assert env_name_for_error("DocreaderSettings", ("GRPC_MAX_WORKERS",)) == "JISIK_DOCREADER_MAX_WORKERS"
