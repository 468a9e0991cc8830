"""Where relative paths in settings point: the installation folder, never the working directory."""

from __future__ import annotations

from pathlib import Path

__all__ = ["INSTALL_ROOT", "installed"]

#: The folder holding the jisik package (the repository in a source checkout, /app in the image).
INSTALL_ROOT = Path(__file__).resolve().parents[2]


def installed(path: Path) -> Path:
    """``path`` itself when absolute, else under the installation folder."""
    path = path.expanduser()
    return path if path.is_absolute() else INSTALL_ROOT / path
