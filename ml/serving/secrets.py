"""Encryption of remote models' API keys at rest (Fernet: AES-128-CBC + HMAC-SHA256)."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

from jisik.errors import InvalidInput, Unavailable

__all__ = ["SecretBox"]


class SecretBox:
    """Encrypts and decrypts API keys with the key from ``JISIK_MODEL_ENCRYPTION_KEY``.

    Without a key, storing an API key is refused (never stored in clear) and reading one fails.
    """

    def __init__(self, key: str) -> None:
        self._fernet: Fernet | None = None
        if key:
            try:
                self._fernet = Fernet(key.encode())
            except (ValueError, TypeError) as exc:
                raise InvalidInput(
                    "the model encryption key must be 32 url-safe base64-encoded bytes",
                    field="encryption_key",
                ) from exc

    @staticmethod
    def generate_key() -> str:
        return Fernet.generate_key().decode()

    def encrypt(self, secret: str) -> str:
        if not secret:
            return ""
        if self._fernet is None:
            raise InvalidInput(
                "cannot store an API key: JISIK_MODEL_ENCRYPTION_KEY is not set", field="api_key"
            )
        return self._fernet.encrypt(secret.encode()).decode()

    def decrypt(self, token: str, *, model: str) -> str:
        if not token:
            return ""
        if self._fernet is None:
            raise Unavailable(
                f"model {model!r} has a stored API key but JISIK_MODEL_ENCRYPTION_KEY is not set"
            )
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise Unavailable(
                f"the stored API key of model {model!r} cannot be decrypted with the current key"
            ) from exc
