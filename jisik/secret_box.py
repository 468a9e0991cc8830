"""Encryption of stored secrets at rest (Fernet: AES-128-CBC + HMAC-SHA256) with the operator's key.

One key (``JISIK_ENCRYPTION_KEY``; ``JISIK_MODEL_ENCRYPTION_KEY`` and the config file's old
``[model] encryption_key`` are still read) seals every secret jisik must be able to use again later:
webhook signing secrets, remote models' API keys and tenants' SSO client secrets. ``jisik up`` generates the key on first start and keeps it in its data folder
(:func:`jisik.runtime.bootstrap.ensure_encryption_key`); other deployments set it themselves.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

from jisik.errors import InvalidInput, Unavailable

__all__ = ["KEY_SETTING", "SecretBox"]

KEY_SETTING = "JISIK_ENCRYPTION_KEY"


class SecretBox:
    """Encrypts and decrypts secrets with the operator's key.

    Without a key, storing a secret is refused (never stored in clear) and reading one fails.
    """

    def __init__(self, key: str) -> None:
        self._fernet: Fernet | None = None
        if key:
            try:
                self._fernet = Fernet(key.encode())
            except (ValueError, TypeError) as exc:
                raise InvalidInput(
                    "the encryption key must be 32 url-safe base64-encoded bytes", field="encryption_key"
                ) from exc

    @staticmethod
    def generate_key() -> str:
        return Fernet.generate_key().decode()

    def encrypt(self, secret: str, *, field: str = "secret") -> str:
        """The sealed ``secret`` ('' for '').

        :raises InvalidInput: (naming ``field``) no key is configured.
        """
        if not secret:
            return ""
        if self._fernet is None:
            raise InvalidInput(f"cannot store a secret: {KEY_SETTING} is not set", field=field)
        return self._fernet.encrypt(secret.encode()).decode()

    def decrypt(self, token: str, *, owner: str) -> str:
        """``token`` opened ('' for ''); ``owner`` names what the secret belongs to in errors.

        :raises Unavailable: no key is configured, or the token was sealed with another key.
        """
        if not token:
            return ""
        if self._fernet is None:
            raise Unavailable(f"{owner} has a stored secret but {KEY_SETTING} is not set")
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise Unavailable(f"the stored secret of {owner} cannot be decrypted with the current key") from exc
