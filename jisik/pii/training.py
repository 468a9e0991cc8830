"""The one gate every training-data snapshot passes: no consent, no data; with consent, masked data.

A snapshot builder calls :func:`training_snapshot` with the tenant and the texts it wants to keep. The
consent flag is read in the caller's transaction, so a tenant who withdraws consent stops the next
snapshot. Every detected value of every type is replaced by its type (``⟦PHONE⟧``) for good, whatever
the tenant's chat mask policy says: training data is kept, a chat prompt is not."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from jisik.db.models import Tenant
from jisik.errors import Blocked, NotFound
from jisik.pii.mask import scrub

__all__ = ["ConsentRequired", "training_snapshot"]


class ConsentRequired(Blocked):
    """The tenant has not agreed that its data may be used for training."""

    code = "consent_required"


async def training_snapshot(session: AsyncSession, tenant_id: str, texts: Iterable[str]) -> list[str]:
    """``texts`` with every personal value masked, in order.

    :raises ConsentRequired: the tenant's training consent is off.
    :raises NotFound: there is no such tenant.
    """
    tenant = await session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound(f"tenant {tenant_id} not found", field="tenant_id")
    if not tenant.training_consent:
        raise ConsentRequired(
            "this tenant has not consented to training on its data (privacy settings)", field="training_consent"
        )
    return [scrub(text) for text in texts]
