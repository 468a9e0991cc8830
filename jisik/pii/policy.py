"""Which mask applies to a tenant: its own policy and types, else the operator's defaults."""

from __future__ import annotations

from jisik.db.models import Tenant
from jisik.pii.hits import PiiType
from jisik.pii.mask import MaskPolicy

__all__ = ["tenant_mask"]


def tenant_mask(
    tenant: Tenant | None, default_policy: MaskPolicy, default_types: frozenset[PiiType] | None
) -> tuple[MaskPolicy, frozenset[PiiType] | None]:
    """The tenant's (policy, types); ``None`` types means every type."""
    policy = MaskPolicy(tenant.pii_policy) if tenant is not None and tenant.pii_policy else default_policy
    if tenant is not None and tenant.pii_types:
        return policy, frozenset(PiiType(name) for name in tenant.pii_types.split(","))
    return policy, default_types
