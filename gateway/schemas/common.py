"""The ``{success, data}`` envelope and paging."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict

__all__ = ["Envelope", "Paged", "Strict"]

T = TypeVar("T")


class Strict(BaseModel):
    """Request bodies: unknown fields are errors, so a typo is not silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class Envelope(BaseModel, Generic[T]):
    success: bool = True
    data: T


class Paged(BaseModel, Generic[T]):
    success: bool = True
    data: list[T]
    total: int
    page: int
    page_size: int
