"""Runs rendered Flink SQL in PyFlink and prints the final rows of one query as JSON.

Executed by test_flink_jobs.py with an interpreter that has ``apache-flink`` (it pins old
dependencies, so it lives in its own virtualenv). Input on stdin: {"statements": [...], "query": "..."}.
The query's changelog is folded (+I/+U add a row, -U/-D remove it) into its final state.
"""

from __future__ import annotations

import json
import re
import sys

from pyflink.common import RowKind
from pyflink.table import EnvironmentSettings, TableEnvironment


def main() -> None:
    spec = json.load(sys.stdin)
    env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    env.get_config().set("parallelism.default", "1")
    for statement in spec["statements"]:
        setting = re.fullmatch(r"SET\s+'([^']+)'\s*=\s*'([^']*)'", statement, flags=re.IGNORECASE)
        if setting:  # an SQL-client statement; TableEnvironment takes it as configuration
            env.get_config().set(setting.group(1), setting.group(2))
        else:
            env.execute_sql(statement)
    table = env.execute_sql(spec["query"])
    names = table.get_table_schema().get_field_names()
    rows: list[list[object]] = []
    with table.collect() as results:
        for row in results:
            values = [row[i] for i in range(len(names))]
            if row.get_row_kind() in (RowKind.INSERT, RowKind.UPDATE_AFTER):
                rows.append(values)
            else:
                rows.remove(values)
    json.dump([dict(zip(names, values, strict=True)) for values in rows], sys.stdout, default=list)


if __name__ == "__main__":
    main()
