"""The pipeline stages, one module each."""

from __future__ import annotations

from .index import IndexStage
from .parse import ParseStage
from .validate import ValidateStage

__all__ = ["IndexStage", "ParseStage", "ValidateStage"]
