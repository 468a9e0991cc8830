"""Which models a tenant may use: built-in local models plus the tenant's rows in the ``models`` table."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import select

from jisik.db.models import ModelSource, ModelType, RegisteredModel
from jisik.errors import InvalidInput, NotFound
from jisik.secret_box import SecretBox
from jisik.settings.model import ModelSettings

__all__ = ["BUILTINS", "ModelRegistry", "ModelSpec", "register_model"]

CHAT_TYPES = (ModelType.KNOWLEDGE_QA, ModelType.VLLM)


@dataclass(frozen=True)
class ModelSpec:
    """A resolved model: enough to build its backend. ``api_key`` is decrypted and never printed."""

    id: str
    name: str
    type: ModelType
    source: ModelSource
    parameters: dict[str, Any] = field(default_factory=dict)
    api_key: str = field(default="", repr=False)
    is_default: bool = False
    builtin: bool = False
    version: str = ""

    @property
    def dimension(self) -> int:
        return int(self.parameters.get("dimension", 0) or 0)


def _builtin(name: str, type_: ModelType, **parameters: Any) -> ModelSpec:
    return ModelSpec(
        id=name, name=name, type=type_, source=ModelSource.LOCAL, parameters=parameters, builtin=True
    )


BUILTINS: dict[str, ModelSpec] = {
    spec.id: spec
    for spec in (
        _builtin("multilingual-e5-small", ModelType.EMBEDDING, dimension=384, engine="e5"),
        _builtin("all-minilm-l6-v2", ModelType.EMBEDDING, dimension=384, engine="minilm"),
        _builtin("e5-similarity", ModelType.RERANK, engine="e5-similarity"),
        _builtin("extractive", ModelType.KNOWLEDGE_QA, engine="extractive"),
        _builtin("gemma3-270m", ModelType.KNOWLEDGE_QA, engine="gemma"),
    )
}


def _spec(row: RegisteredModel, box: SecretBox) -> ModelSpec:
    return ModelSpec(
        id=row.id,
        name=row.name,
        type=ModelType(row.type),
        source=ModelSource(row.source),
        parameters=dict(row.parameters or {}),
        api_key=box.decrypt(row.api_key_encrypted, owner=f"model {row.name!r}"),
        is_default=row.is_default,
        version=row.updated_at.isoformat() if row.updated_at else "",
    )


def _matches(spec: ModelSpec, wanted: tuple[ModelType, ...]) -> bool:
    return spec.type in wanted


class ModelRegistry:
    """Resolves model ids per tenant. Without a database only the built-ins exist."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession] | None, box: SecretBox, settings: ModelSettings
    ) -> None:
        self._sessions = sessions
        self._box = box
        self._defaults = {
            ModelType.EMBEDDING: settings.default_embedding,
            ModelType.RERANK: settings.default_rerank or "e5-similarity",
            ModelType.KNOWLEDGE_QA: settings.default_chat,
        }

    async def resolve(self, tenant_id: str, model_id: str, wanted: tuple[ModelType, ...]) -> ModelSpec:
        """The model ``model_id`` (or the tenant's default of the first wanted type).

        :raises NotFound: unknown id, or a model of another tenant.
        :raises InvalidInput: the model exists but is of another type.
        """
        spec = await (self._find(tenant_id, model_id) if model_id else self._default(tenant_id, wanted[0]))
        if not _matches(spec, wanted):
            raise InvalidInput(
                f"model {spec.name!r} is a {spec.type.value} model, not {'/'.join(w.value for w in wanted)}",
                field="model_id",
            )
        return spec

    async def _find(self, tenant_id: str, model_id: str) -> ModelSpec:
        if model_id in BUILTINS:
            return BUILTINS[model_id]
        if self._sessions is not None and tenant_id:
            async with self._sessions() as session:
                row = await session.get(RegisteredModel, model_id)
            if row is not None and row.tenant_id == tenant_id and row.status == "active":
                return _spec(row, self._box)
        raise NotFound(f"model {model_id!r} does not exist", field="model_id")

    async def _default(self, tenant_id: str, type_: ModelType) -> ModelSpec:
        if self._sessions is not None and tenant_id:
            async with self._sessions() as session:
                result = await session.execute(
                    select(RegisteredModel).where(
                        RegisteredModel.tenant_id == tenant_id,
                        RegisteredModel.type == type_,
                        RegisteredModel.is_default.is_(True),  # type: ignore[attr-defined]  # SQLModel types the column as its Python value
                        RegisteredModel.status == "active",
                    )
                )
                row = result.scalars().first()
            if row is not None:
                return _spec(row, self._box)
        return BUILTINS[self._defaults[type_]]

    async def list(self, tenant_id: str) -> list[ModelSpec]:
        specs = [
            ModelSpec(**{**spec.__dict__, "is_default": spec.id == self._defaults.get(spec.type)})
            for spec in BUILTINS.values()
        ]
        if self._sessions is not None and tenant_id:
            async with self._sessions() as session:
                result = await session.execute(
                    select(RegisteredModel)
                    .where(RegisteredModel.tenant_id == tenant_id, RegisteredModel.status == "active")
                    .order_by(RegisteredModel.created_at)  # type: ignore[arg-type]  # SQLModel types the column as its Python value
                )
                rows = list(result.scalars())
            tenant_defaults = {ModelType(r.type) for r in rows if r.is_default}
            specs = [
                ModelSpec(**{**s.__dict__, "is_default": s.is_default and s.type not in tenant_defaults})
                for s in specs
            ]
            specs.extend(_spec(row, self._box) for row in rows)
        return specs


async def register_model(
    session: AsyncSession,
    box: SecretBox,
    *,
    tenant_id: str,
    name: str,
    type: ModelType,
    source: ModelSource,
    parameters: dict[str, Any] | None = None,
    api_key: str = "",
    is_default: bool = False,
) -> RegisteredModel:
    """Add a model for a tenant; the API key is stored only encrypted (never in ``parameters``)."""
    params = dict(parameters or {})
    if "api_key" in params:
        raise InvalidInput(
            "pass the API key separately; it is never stored in parameters", field="parameters"
        )
    if source is ModelSource.REMOTE and not str(params.get("base_url", "")).startswith(
        ("http://", "https://")
    ):
        raise InvalidInput("a remote model needs an http(s) base_url", field="parameters.base_url")
    if (
        type is ModelType.EMBEDDING
        and source is ModelSource.REMOTE
        and int(params.get("dimension", 0) or 0) <= 0
    ):
        raise InvalidInput("a remote embedding model needs its dimension", field="parameters.dimension")
    row = RegisteredModel(
        tenant_id=tenant_id,
        name=name,
        type=type,
        source=source,
        parameters=params,
        api_key_encrypted=box.encrypt(api_key, field="api_key"),
        is_default=is_default,
        status="active",
    )
    session.add(row)
    await session.flush()
    return row
