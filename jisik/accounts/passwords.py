"""Password hashing with argon2id. Hashing is slow on purpose, so it runs in a worker thread."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from jisik.errors import InvalidInput
from jisik.settings import AccountSettings

__all__ = ["Passwords"]

_MAX_CHARS = 1024


class Passwords:
    def __init__(self, settings: AccountSettings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.password_hash_iterations, memory_cost=settings.password_hash_memory_kib
        )
        self._min_chars = settings.password_min_chars
        # Verified against when the e-mail is unknown, so a wrong e-mail costs as long as a wrong password.
        self._decoy = self._hasher.hash("decoy password that matches no sign-in")

    def checked(self, password: str) -> str:
        """:raises InvalidInput: the password is too short or too long."""
        if len(password) < self._min_chars:
            raise InvalidInput(f"a password needs at least {self._min_chars} characters", field="password")
        if len(password) > _MAX_CHARS:
            raise InvalidInput(f"a password may have at most {_MAX_CHARS} characters", field="password")
        return password

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, self.checked(password))

    async def verify(self, stored: str | None, password: str) -> bool:
        """Whether ``password`` matches ``stored`` (None: no password set, checked against a decoy)."""
        candidate = password[:_MAX_CHARS]
        try:
            matched = await asyncio.to_thread(self._hasher.verify, stored or self._decoy, candidate)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        return bool(matched) and stored is not None
