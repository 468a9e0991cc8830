"""A tenant's webhook endpoints: create, change, rotate the secret, delete. Keyword-only, in the
caller's transaction; every query is scoped by tenant."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from jisik.db.models import WebhookEndpoint
from jisik.errors import Blocked, InvalidInput, NotFound
from jisik.netguard import AddressPolicy
from jisik.secret_box import SecretBox
from jisik.settings import WebhookSettings

from .events import EventType
from .signing import new_secret

__all__ = [
    "MAX_URL_LENGTH",
    "check_endpoint_url",
    "check_event_types",
    "create_endpoint",
    "delete_endpoint",
    "get_endpoint",
    "list_endpoints",
    "rotate_secret",
    "update_endpoint",
]

MAX_URL_LENGTH = 2048
SECRET_PREFIX_SHOWN = 12


def _now() -> datetime:
    return datetime.now(UTC)


def check_endpoint_url(url: str, policy: AddressPolicy) -> str:
    """``url`` if it is an http(s) URL within limits that does not name an internal address.

    :raises InvalidInput: (field ``url``) malformed, not http(s), too long, or internal and not allow-listed.
    """
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise InvalidInput(f"the URL is longer than {MAX_URL_LENGTH} characters", field="url")
    try:
        policy.check_url(url)
    except Blocked as exc:
        raise InvalidInput(exc.message, field="url") from exc
    return url


def check_event_types(names: Sequence[str]) -> list[str]:
    """The distinct known event types in ``names``, in their documented order.

    :raises InvalidInput: (field ``event_types``) empty or naming an unknown type.
    """
    known = {kind.value for kind in EventType}
    unknown = sorted(set(names) - known)
    if unknown:
        raise InvalidInput(f"unknown event types: {', '.join(unknown)[:200]}", field="event_types")
    if not names:
        raise InvalidInput("subscribe to at least one event type", field="event_types")
    return [kind.value for kind in EventType if kind.value in names]


async def create_endpoint(
    session: AsyncSession,
    *,
    tenant_id: str,
    url: str,
    event_types: Sequence[str],
    description: str,
    enabled: bool,
    policy: AddressPolicy,
    settings: WebhookSettings,
    box: SecretBox,
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint with a fresh secret, stored sealed by ``box``.

    :returns: the endpoint and its secret in clear (for the caller to show once).
    :raises InvalidInput: bad URL or event types, the tenant has as many endpoints as it may, or ``box``
        has no key.
    """
    count = await session.scalar(
        select(func.count()).select_from(WebhookEndpoint).where(col(WebhookEndpoint.tenant_id) == tenant_id)
    )
    if (count or 0) >= settings.max_endpoints_per_tenant:
        raise InvalidInput(
            f"a tenant may have at most {settings.max_endpoints_per_tenant} webhook endpoints", field="url"
        )
    secret = new_secret()
    endpoint = WebhookEndpoint(
        tenant_id=tenant_id,
        url=check_endpoint_url(url, policy),
        event_types=check_event_types(event_types),
        description=description,
        enabled=enabled,
        secret=box.encrypt(secret),
        secret_prefix=secret[:SECRET_PREFIX_SHOWN],
    )
    session.add(endpoint)
    await session.flush()
    return endpoint, secret


async def get_endpoint(session: AsyncSession, *, tenant_id: str, endpoint_id: str) -> WebhookEndpoint:
    """:raises NotFound: no such endpoint for this tenant."""
    endpoint = await session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.tenant_id != tenant_id:
        raise NotFound(f"webhook endpoint {endpoint_id} not found")
    return endpoint


async def list_endpoints(session: AsyncSession, *, tenant_id: str) -> list[WebhookEndpoint]:
    result = await session.execute(
        select(WebhookEndpoint)
        .where(col(WebhookEndpoint.tenant_id) == tenant_id)
        .order_by(col(WebhookEndpoint.created_at))
    )
    return list(result.scalars())


async def update_endpoint(
    session: AsyncSession,
    *,
    endpoint: WebhookEndpoint,
    policy: AddressPolicy,
    url: str | None = None,
    event_types: Sequence[str] | None = None,
    description: str | None = None,
    enabled: bool | None = None,
) -> WebhookEndpoint:
    """Change the given attributes. Enabling an endpoint clears the notice of why it was disabled and
    its failure run."""
    if url is not None:
        endpoint.url = check_endpoint_url(url, policy)
    if event_types is not None:
        endpoint.event_types = check_event_types(event_types)
    if description is not None:
        endpoint.description = description
    if enabled is not None:
        if enabled and not endpoint.enabled:
            endpoint.disabled_reason = ""
            endpoint.failing_since = None
        endpoint.enabled = enabled
    session.add(endpoint)
    await session.flush()
    return endpoint


async def rotate_secret(
    session: AsyncSession, *, endpoint: WebhookEndpoint, overlap_s: float, box: SecretBox
) -> tuple[WebhookEndpoint, str]:
    """Give the endpoint a new secret; the current one keeps signing (beside the new) for ``overlap_s``.

    :returns: the endpoint and its new secret in clear (for the caller to show once).
    """
    secret = new_secret()
    sealed = box.encrypt(secret)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = _now() + timedelta(seconds=overlap_s)
    endpoint.secret = sealed
    endpoint.secret_prefix = secret[:SECRET_PREFIX_SHOWN]
    session.add(endpoint)
    await session.flush()
    return endpoint, secret


async def delete_endpoint(session: AsyncSession, *, endpoint: WebhookEndpoint) -> None:
    """Delete the endpoint with its messages and their attempts."""
    await session.delete(endpoint)
    await session.flush()
