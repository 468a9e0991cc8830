"""Where a tenant's local model files may come from: only inside the operator's models directory.

``parameters.path`` is taken relative to ``JISIK_MODEL_MODELS_DIR`` (an absolute path must lie inside it
after symlinks are resolved). Without that setting no tenant path is accepted. Every refusal reads the
same ("not available"), whether the path is outside the directory, missing or unreadable, so the model
service never tells a tenant what exists on the server.
"""

from __future__ import annotations

from pathlib import Path

from jisik.errors import Unavailable

__all__ = ["ModelPaths", "not_available"]


def not_available(name: str) -> str:
    return (
        f"model {name!r} is not available: local models must be files or folders inside the models "
        "directory set by the operator"
    )


class ModelPaths:
    def __init__(self, models_dir: Path | None) -> None:
        self._root = models_dir.resolve() if models_dir is not None else None

    def problem(self, name: str, value: object) -> str | None:
        """Why ``value`` cannot be used as model ``name``'s path (None when it can)."""
        try:
            self.resolve(name, value)
        except Unavailable as exc:
            return exc.message
        return None

    def resolve(self, name: str, value: object) -> Path:
        """The real path of ``value`` inside the models directory.

        :raises Unavailable: always with the same message, for any reason the path cannot be used.
        """
        refused = Unavailable(not_available(name), field="parameters.path")
        if self._root is None or not isinstance(value, str) or not value.strip() or "\x00" in value:
            raise refused
        try:
            path = (self._root / value).resolve(strict=True)
        except (OSError, RuntimeError, ValueError):
            raise refused from None
        if path != self._root and self._root not in path.parents:
            raise refused
        return path
