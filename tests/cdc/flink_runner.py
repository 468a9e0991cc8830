"""Runs rendered Flink SQL in PyFlink and prints the final rows of one query as JSON.

Executed by test_flink_jobs.py with an interpreter that has ``apache-flink`` (it pins old
dependencies, so it lives in its own virtualenv). Input on stdin: {"statements": [...], "query": "...",
"mode": "streaming" (default) or "batch"}.
The query's changelog is folded (+I/+U add a row, -U/-D remove it) into its final state.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from decimal import Decimal
from typing import Any

from pyflink.common import RowKind
from pyflink.table import EnvironmentSettings, TableEnvironment


def _plain(value: Any) -> Any:
    """JSON for values json cannot write: DECIMAL as its exact digits, arrays and rows as lists."""
    return str(value) if isinstance(value, Decimal) else list(value)


def main() -> None:
    spec = json.load(sys.stdin)
    batch = spec.get("mode") == "batch"  # final rows only: no changelog to carry over to Python
    env = TableEnvironment.create(EnvironmentSettings.in_batch_mode() if batch else EnvironmentSettings.in_streaming_mode())
    env.get_config().set("parallelism.default", "1")
    for statement in spec["statements"]:
        setting = re.fullmatch(r"SET\s+'([^']+)'\s*=\s*'([^']*)'", statement, flags=re.IGNORECASE)
        if setting:  # an SQL-client statement; TableEnvironment takes it as configuration
            env.get_config().set(setting.group(1), setting.group(2))
        else:
            env.execute_sql(statement)
    table = env.execute_sql(spec["query"])
    names = table.get_table_schema().get_field_names()
    rows: Counter[str] = Counter()  # each row as JSON (rows may hold lists), with its multiplicity
    with table.collect() as results:
        for row in results:
            key = json.dumps([row[i] for i in range(len(names))], default=_plain)
            if row.get_row_kind() in (RowKind.INSERT, RowKind.UPDATE_AFTER):
                rows[key] += 1
            else:
                rows[key] -= 1
    final = [json.loads(key) for key, count in rows.items() for _ in range(count)]
    json.dump([dict(zip(names, values, strict=True)) for values in final], sys.stdout)

if __name__ == "__main__":
    main()
