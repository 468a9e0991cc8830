"""Change-data-capture settings: the outbox relay, Debezium-format change events and their processors."""

from __future__ import annotations

import re

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from ._base import JisikSettings

_IDENTIFIER = r"^[a-z_][a-z0-9_]{0,62}$"


class CdcSettings(JisikSettings):
    """Slot and publication names are per deployment; tests give each run its own."""

    config_table = "cdc"
    model_config = SettingsConfigDict(env_prefix="JISIK_CDC_", extra="ignore", frozen=True)

    slot_name: str = Field("jisik_cdc", pattern=_IDENTIFIER, description="Logical replication slot")
    publication_name: str = Field("jisik_cdc", pattern=_IDENTIFIER, description="Publication read by the slot")
    outbox_table: str = Field("outbox", pattern=_IDENTIFIER, description="Table the transactional outbox lives in")
    tables: tuple[str, ...] = Field(
        ("tenants", "knowledge_bases", "knowledges", "sessions", "messages", "models", "field_schemas",
         "document_fields", "field_reviews", "webhook_endpoints", "usage_records", "users", "groups",
         "group_members", "api_keys", "invitations"),
        description="Tables whose changes go to db.<table> as Debezium envelopes (chunks are left out: "
        "they are large, churn on every re-index and carry document text); usage_records go to db.usage",
    )
    excluded_columns: tuple[str, ...] = Field(
        ("tenants.api_key_hash", "models.api_key_encrypted", "messages.content", "messages.knowledge_references",
         "messages.model_input", "sessions.title", "sessions.description",
         "document_fields.fields", "document_fields.validated_data", "document_fields.errors",
         "field_reviews.corrections", "webhook_endpoints.secret", "webhook_endpoints.previous_secret",
         "webhook_endpoints.secret_prefix",
         "users.password_hash", "api_keys.key_hash", "invitations.token_hash"),
        description="table.column pairs never copied into change events (secrets, chat and document text)",
    )
    snapshot_on_create: bool = Field(True, description="Emit op=r for existing rows when the slot is created")
    delete_published_outbox: bool = Field(True, description="Delete outbox rows once Kafka acked them")
    poll_interval_s: float = Field(0.2, gt=0, le=60, description="Pause between slot reads when idle")
    max_changes: int = Field(1000, ge=1, description="Changes read from the slot per batch (whole transactions)")
    index_meta_group: str = Field("jisik.cdc.index-meta", description="Consumer group: db.knowledges -> index.meta")
    retriever_access_group: str = Field("jisik.cdc.retriever-access", description="Consumer group: index.meta -> retriever")
    billing_group: str = Field(
        "jisik.cdc.billing", description="Consumer group: db.usage -> billing_usage totals and thresholds"
    )
    audit_group: str = Field("jisik.cdc.audit", description="Consumer group: db.* -> audit_events")
    audit_excluded_tables: tuple[str, ...] = Field(
        ("messages", "usage_records"),
        description="Captured tables left out of the audit trail (chat turns: their session is audited; usage records are billing's)",
    )
    audit_context_retention_s: float = Field(
        7 * 24 * 3600.0, gt=0,
        description="How long a transaction's audit context (actor, request id) waits for its changes to be read",
    )
    apply_to_retriever: bool = Field(
        True, description="Apply index.meta to the retriever (SetKnowledgeAccess) from the cdc process"
    )
    retriever_timeout_s: float = Field(5.0, gt=0, description="Deadline of one SetKnowledgeAccess call")
    fetch_max_wait_ms: int = Field(
        50, ge=1, le=5000,
        description="Longest a processor's fetch waits at the broker for new records; each of the two hops from "
        "a changed access list to search (db.knowledges, index.meta) can add up to this",
    )

    @field_validator("tables")
    @classmethod
    def _identifiers(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for table in value:
            if not re.match(_IDENTIFIER, table):
                raise ValueError(f"not a plain table name: {table!r}")
        return value
