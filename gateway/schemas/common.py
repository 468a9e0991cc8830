"""The ``{success, data}`` envelope and paging."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict

from jisik.errors import InvalidInput
from jisik.parameters import check_model_parameters, check_summary_parameters

__all__ = ["Envelope", "ModelParameters", "Paged", "Strict", "SummaryParameters"]

T = TypeVar("T")


def _checked(check: Callable[[Any], dict[str, Any]]) -> AfterValidator:
    def run(value: dict[str, Any]) -> dict[str, Any]:
        try:
            return check(value)
        except InvalidInput as exc:
            raise ValueError(exc.message) from None

    return AfterValidator(run)


SummaryParameters = Annotated[dict[str, Any], _checked(check_summary_parameters)]
ModelParameters = Annotated[dict[str, Any], _checked(check_model_parameters)]


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
