"""Format parsers behind one facade (:mod:`docreader.parsers.registry`); each loads lazily."""

from .base import ParseOptions, Parser
from .registry import detect_format, get_parser, parse_document

__all__ = ["ParseOptions", "Parser", "detect_format", "get_parser", "parse_document"]
