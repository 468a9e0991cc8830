from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class AuditChange(BaseModel):
    """One column's values before and after (absent on a create or a delete), secrets and PII masked."""

    before: Any = None
    after: Any = None


class AuditEventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    entity_type: str = Field(description="document, knowledge_base, tenant, field_review, ...")
    entity_id: str
    action: Literal["created", "updated", "deleted"]
    knowledge_base_id: str = Field(description="The knowledge base the entity belongs to, or ''")
    document_id: str = Field(description="The document the entity belongs to, or ''")
    actor: str = Field(description="kind:id (key:sk-ab12, user:...), 'system' outside any request, "
                                   "'unknown' for a request without an authenticated actor")
    request_id: str
    occurred_at: datetime = Field(description="Commit time of the transaction")
    changes: dict[str, AuditChange]
