"""Accounts settings: sign-in, lockout, web sessions, invitations, API keys and seats."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ._base import JisikSettings


class AccountSettings(JisikSettings):
    config_table = "accounts"
    model_config = SettingsConfigDict(env_prefix="JISIK_ACCOUNTS_", extra="ignore", frozen=True)

    signin_max_failures: int = Field(
        5, ge=1, description="Failed sign-ins of one user in a row before the account is locked"
    )
    signin_lockout_s: int = Field(900, ge=1, description="How long a locked account refuses sign-in, seconds")
    session_ttl_hours: float = Field(
        24 * 7, gt=0, description="A web session ends this many hours after sign-in, however active"
    )
    session_idle_minutes: float = Field(
        60 * 12, gt=0, description="A web session ends after this many minutes without a request"
    )
    session_cookie_secure: bool = Field(
        True,
        description="Session cookie is Secure and named __Host-jisik-session (browsers send it over HTTPS and "
        "to localhost only); turn off only for plain-HTTP access by another host name",
    )
    invitation_ttl_hours: float = Field(72, gt=0, description="An invitation link works this many hours")
    api_key_max_days: int = Field(
        365, ge=1, description="Longest lifetime a new API key may have (an expiry is always set)"
    )
    default_seat_limit: int = Field(
        25, ge=1, description="Active people a tenant may have when neither its plan nor its own limit says"
    )
    first_admin_email: str = Field(
        "admin@jisik.local", description="E-mail of the bootstrap tenant's first owner that `jisik up` creates"
    )
    password_min_chars: int = Field(10, ge=8, description="Shortest accepted password")
    password_hash_memory_kib: int = Field(
        19456, ge=8192, description="argon2id memory cost per password hash, KiB (OWASP minimum 19 MiB)"
    )
    password_hash_iterations: int = Field(2, ge=1, description="argon2id time cost (passes over the memory)")
