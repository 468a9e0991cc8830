"""jisik's public HTTP surface: the WeKnora-compatible REST API, SSE chat, docs and the web app."""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
