"""API keys at rest."""

from __future__ import annotations

import pytest

from jisik.errors import InvalidInput, Unavailable
from ml.serving.secrets import SecretBox


class TestSecretBox:
    def test_round_trip_and_ciphertext_hides_the_key(self) -> None:
        box = SecretBox(SecretBox.generate_key())
        token = box.encrypt("sk-live-abcdef")
        assert "sk-live-abcdef" not in token
        assert box.decrypt(token, model="m") == "sk-live-abcdef"

    def test_refuses_to_store_without_a_key(self) -> None:
        with pytest.raises(InvalidInput, match="ENCRYPTION_KEY"):
            SecretBox("").encrypt("sk-1")
        assert SecretBox("").encrypt("") == ""

    def test_wrong_key_is_a_typed_error(self) -> None:
        token = SecretBox(SecretBox.generate_key()).encrypt("sk-1")
        with pytest.raises(Unavailable, match="cannot be decrypted"):
            SecretBox(SecretBox.generate_key()).decrypt(token, model="m")

    def test_malformed_key(self) -> None:
        with pytest.raises(InvalidInput):
            SecretBox("not-a-fernet-key")
