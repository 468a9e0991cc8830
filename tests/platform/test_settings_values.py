"""Settings own their derived values: database DSN, broker list, typed endpoints, and paths that do not
depend on the folder a process was started from."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from jisik.secret_box import SecretBox
from jisik.settings import EndpointSettings, Settings
from jisik.settings._paths import INSTALL_ROOT
from jisik.settings.endpoints import Endpoint

PATH_VARIABLES = ("JISIK_DATA_DIR", "JISIK_STORAGE_LOCAL_DIR", "JISIK_GATEWAY_WEB_DIST", "JISIK_CONFIG")


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A process started in some other folder, with no path settings of its own."""
    for name in PATH_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_default_paths_are_under_the_installation_not_the_working_directory(elsewhere: Path) -> None:
    settings = Settings.load()
    assert settings.runtime.data_dir == INSTALL_ROOT / "var"
    assert settings.storage.local_dir == INSTALL_ROOT / "var" / "objects"
    assert Path(settings.gateway.web_dist) == INSTALL_ROOT / "web" / "dist"
    assert (INSTALL_ROOT / "jisik" / "__init__.py").is_file()  # the anchor is the installation


def test_objects_live_in_an_explicit_data_directory(elsewhere: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JISIK_DATA_DIR", str(elsewhere / "data"))
    assert Settings.load().storage.local_dir == elsewhere / "data" / "objects"
    monkeypatch.setenv("JISIK_STORAGE_LOCAL_DIR", "blobs")
    assert Settings.load().storage.local_dir == elsewhere / "data" / "blobs"


def test_dsn_and_brokers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JISIK_DB_URL", raising=False)
    monkeypatch.delenv("JISIK_KAFKA_BOOTSTRAP_SERVERS", raising=False)
    monkeypatch.setenv("JISIK_DB_EMBEDDED_PORT", "40001")
    monkeypatch.setenv("JISIK_KAFKA_EMBEDDED_PORT", "40002")
    settings = Settings.load()
    assert settings.database.dsn == "postgresql://postgres@127.0.0.1:40001/jisik"
    assert settings.kafka.brokers == "127.0.0.1:40002"
    monkeypatch.setenv("JISIK_DB_URL", "postgresql://u@db:5432/x")
    monkeypatch.setenv("JISIK_KAFKA_BOOTSTRAP_SERVERS", "k1:9092,k2:9092")
    settings = Settings.load()
    assert (settings.database.dsn, settings.kafka.brokers) == ("postgresql://u@db:5432/x", "k1:9092,k2:9092")


def test_endpoints_are_typed_and_checked() -> None:
    endpoints = EndpointSettings(retriever_addr="retriever.internal:7000", model_addr="[::1]:7001")
    assert endpoints.retriever == Endpoint("retriever.internal", 7000)
    assert endpoints.model == Endpoint("[::1]", 7001)
    for bad in ("retriever", "host:", "host:99999", ":7000"):
        with pytest.raises(ValidationError):
            EndpointSettings(retriever_addr=bad)


ENCRYPTION_KEY_VARIABLES = ("JISIK_ENCRYPTION_KEY", "JISIK_MODEL_ENCRYPTION_KEY")


def _config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    for name in ENCRYPTION_KEY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "jisik.toml"
    config.write_text(text)
    monkeypatch.setenv("JISIK_CONFIG", str(config))


def test_an_old_config_files_model_encryption_key_still_opens_its_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = SecretBox.generate_key()
    sealed = SecretBox(key).encrypt("whsec-old-deployment")
    _config(tmp_path, monkeypatch, f'[model]\nencryption_key = "{key}"\n')
    loaded = Settings.load().endpoints.encryption_key.get_secret_value()
    assert SecretBox(loaded).decrypt(sealed, owner="a webhook") == "whsec-old-deployment"


def test_the_encryption_keys_new_place_wins_over_its_old_one_and_the_environment_over_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new, from_env = (SecretBox.generate_key() for _ in range(3))
    _config(tmp_path, monkeypatch, f'[model]\nencryption_key = "{old}"\n[endpoints]\nencryption_key = "{new}"\n')
    assert Settings.load().endpoints.encryption_key.get_secret_value() == new
    monkeypatch.setenv("JISIK_MODEL_ENCRYPTION_KEY", from_env)
    assert Settings.load().endpoints.encryption_key.get_secret_value() == from_env
