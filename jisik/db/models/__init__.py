"""Table models. Importing this package registers every table on ``SQLModel.metadata``."""

from .accounts import ApiKey, Group, GroupMember, Invitation, User, WebSession
from .audit import SYSTEM_ACTOR, AuditContext, AuditEvent
from .billing import BillingThreshold, BillingUsage, Plan, TenantPlan, UsageRecord
from .chat import DEFAULT_FALLBACK_RESPONSE, ChatSession, Message
from .fields import DocumentFields, DocumentLines, FieldReview, FieldSchemaVersion
from .knowledge import DEFAULT_CHUNKING, Chunk, Knowledge, KnowledgeBase, KnowledgeType, ParseStatus
from .model_registry import ModelSource, ModelType, RegisteredModel
from .outbox import OutboxEvent
from .sso import SsoIdentity, SsoLogin, TenantSso
from .tenant import Tenant
from .training import (
    AnswerFeedback,
    LabelledPair,
    ModelAlias,
    ModelVersion,
    Rollout,
    ServingSignal,
    TaggerAlias,
    TrainingJob,
    TrainingSnapshot,
)
from .webhooks import WebhookAttempt, WebhookEndpoint, WebhookMessage

__all__ = [
    "ApiKey",
    "Group",
    "GroupMember",
    "Invitation",
    "User",
    "WebSession",
    "BillingThreshold",
    "BillingUsage",
    "SYSTEM_ACTOR",
    "AnswerFeedback",
    "AuditContext",
    "AuditEvent",
    "LabelledPair",
    "ModelAlias",
    "ModelVersion",
    "TaggerAlias",
    "Rollout",
    "ServingSignal",
    "TrainingJob",
    "TrainingSnapshot",
    "DEFAULT_CHUNKING",
    "DEFAULT_FALLBACK_RESPONSE",
    "DocumentFields",
    "DocumentLines",
    "FieldReview",
    "FieldSchemaVersion",
    "ChatSession",
    "Chunk",
    "Knowledge",
    "KnowledgeBase",
    "KnowledgeType",
    "Message",
    "ModelSource",
    "ModelType",
    "OutboxEvent",
    "ParseStatus",
    "Plan",
    "RegisteredModel",
    "SsoIdentity",
    "SsoLogin",
    "Tenant",
    "TenantPlan",
    "TenantSso",
    "UsageRecord",
    "WebhookAttempt",
    "WebhookEndpoint",
    "WebhookMessage",
]
