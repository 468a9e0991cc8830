"""Secrets at rest."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from jisik.errors import InvalidInput, Unavailable
from jisik.runtime.bootstrap import ensure_encryption_key
from jisik.secret_box import SecretBox
from jisik.settings import EndpointSettings


class TestSecretBox:
    def test_round_trip_and_ciphertext_hides_the_key(self) -> None:
        box = SecretBox(SecretBox.generate_key())
        token = box.encrypt("sk-live-abcdef")
        assert "sk-live-abcdef" not in token
        assert box.decrypt(token, owner="model 'm'") == "sk-live-abcdef"

    def test_refuses_to_store_without_a_key(self) -> None:
        with pytest.raises(InvalidInput, match="ENCRYPTION_KEY"):
            SecretBox("").encrypt("sk-1")
        assert SecretBox("").encrypt("") == ""

    def test_wrong_key_is_a_typed_error(self) -> None:
        token = SecretBox(SecretBox.generate_key()).encrypt("sk-1")
        with pytest.raises(Unavailable, match="cannot be decrypted"):
            SecretBox(SecretBox.generate_key()).decrypt(token, owner="model 'm'")

    def test_malformed_key(self) -> None:
        with pytest.raises(InvalidInput):
            SecretBox("not-a-fernet-key")


class TestOperatorKey:
    def test_jisik_up_generates_the_key_once_owner_only(self, tmp_path: Path) -> None:
        path = tmp_path / "data" / "encryption_key"
        key = ensure_encryption_key(path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert ensure_encryption_key(path) == key  # the next start reads it back
        assert SecretBox(key).decrypt(SecretBox(key).encrypt("whsec_x"), owner="t") == "whsec_x"
        path.write_text("damaged\n")
        with pytest.raises(InvalidInput):
            ensure_encryption_key(path)

    def test_one_setting_with_the_model_key_name_still_read(self, monkeypatch: pytest.MonkeyPatch) -> None:
        old, new = SecretBox.generate_key(), SecretBox.generate_key()
        monkeypatch.delenv("JISIK_ENCRYPTION_KEY", raising=False)
        monkeypatch.setenv("JISIK_MODEL_ENCRYPTION_KEY", old)
        assert EndpointSettings().encryption_key.get_secret_value() == old
        monkeypatch.setenv("JISIK_ENCRYPTION_KEY", new)
        assert EndpointSettings().encryption_key.get_secret_value() == new
