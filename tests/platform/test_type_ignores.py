"""Every ``# type: ignore`` in the type-checked code (tests/ included) names its error code and says why.

mypy itself rejects a bare ignore (``ignore-without-code``) and one that is no longer needed
(``warn_unused_ignores``); the reason is what this test adds. This file is left out: its examples are
deliberately bad.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_IGNORE = re.compile(r"#\s*type:\s*ignore(?P<codes>\[[^\]]*\])?(?P<rest>.*)$")


def checked_files() -> list[Path]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    this_file = Path(__file__).resolve()
    return sorted(
        path for folder in config["files"] for path in (ROOT / folder).rglob("*.py") if path.resolve() != this_file
    )


def unexplained_ignores(source: str) -> list[tuple[int, str]]:
    """(line number, line) for each ignore that lacks an error code or a ``# reason`` after it."""
    bad: list[tuple[int, str]] = []
    for number, line in enumerate(source.splitlines(), start=1):
        found = _IGNORE.search(line)
        if found is None:
            continue
        reason = found["rest"].strip().removeprefix("#").strip()
        if not found["codes"] or not found["rest"].strip().startswith("#") or not reason:
            bad.append((number, line.strip()))
    return bad


@pytest.mark.unit
@pytest.mark.parametrize(
    ("line", "ok"),
    [
        ("x = f()  # type: ignore[arg-type]  # the stub is wrong", True),
        ("x = f()  # type: ignore[arg-type]", False),
        ("x = f()  # type: ignore  # no code", False),
        ("x = f()  # type: ignore[arg-type]  #", False),
        ("x = f()", True),
    ],
)
def test_the_rule(line: str, ok: bool) -> None:
    assert (unexplained_ignores(line) == []) is ok


@pytest.mark.unit
def test_every_ignore_in_checked_code_and_tests_has_a_code_and_a_reason() -> None:
    files = checked_files()
    assert any(path.parts[-2:] == ("jisik", "cli.py") for path in files)
    assert any(path.parts[-2:] == ("retriever", "test_search.py") for path in files)
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line}"
        for path in files
        for number, line in unexplained_ignores(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "\n".join(offenders)
