"""Render every jisik setting as a Markdown table into README.md (between the settings markers).

Run after changing a settings class:  .venv/bin/python scripts/settings_doc.py
``--check`` exits 1 when README.md is stale (the test suite does the same check).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from jisik.runtime.settings_catalog import SettingInfo, all_settings

README = Path(__file__).resolve().parents[1] / "README.md"
START = "<!-- settings:start -->"
END = "<!-- settings:end -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _row(setting: SettingInfo) -> str:
    default = "*(secret)*" if setting.secret and setting.default != '""' else setting.default
    type_name = setting.type if "\\|" in setting.type else _cell(setting.type)
    description = _cell(setting.description)
    aliases = [f"`{alias}`" for alias in setting.aliases] + [f"TOML `{alias}`" for alias in setting.config_aliases]
    if aliases:
        description += " (also " + ", ".join(aliases) + ")"
    return f"| `{setting.env}` | {type_name} | `{default}` | {description.strip()} |"


def render_table() -> str:
    """The Markdown for every setting, grouped by concern."""
    lines: list[str] = []
    group = ""
    for setting in all_settings():
        if setting.group != group:
            group = setting.group
            lines += ["", f"**{group}**", "", "| Variable | Type | Default | Description |", "|---|---|---|---|"]
        lines.append(_row(setting))
    return "\n".join(lines[1:])


def rendered_readme(text: str) -> str:
    """``text`` with the block between the markers replaced by the current table."""
    if START not in text or END not in text:
        raise ValueError(f"README.md lacks the markers {START} / {END}")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{render_table()}\n{END}{tail}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when README.md is stale instead of writing")
    args = parser.parse_args()
    current = README.read_text()
    wanted = rendered_readme(current)
    if args.check:
        if wanted != current:
            sys.stderr.write("README.md settings table is stale: run python scripts/settings_doc.py\n")
            return 1
        return 0
    if wanted != current:
        README.write_text(wanted)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
