"""Append rows to a small lake table from an Airflow worker with delta-rs (no JVM, no Spark).

Used for the orchestrator's own records (ops.task_failures). The Arrow schema comes from the table's
YAML, so Spark reads the table like any other, and the daily maintenance keeps it.
"""

from __future__ import annotations

from typing import Any

from socialbeat.settings import Settings
from socialbeat.tables import delta_rs_uri, delta_storage_options, table

_ARROW_TYPES = ("string", "int", "bigint", "boolean", "double", "timestamp", "date")


def arrow_schema(name: str) -> Any:
    import pyarrow as pa

    types = {
        "string": pa.string(),
        "int": pa.int32(),
        "bigint": pa.int64(),
        "boolean": pa.bool_(),
        "double": pa.float64(),
        "timestamp": pa.timestamp("us", tz="UTC"),
        "date": pa.date32(),
    }
    fields = []
    for column in table(name).columns:
        if column.type not in types:
            raise ValueError(f"{name}.{column.name}: type {column.type} is not one of {_ARROW_TYPES}")
        fields.append(pa.field(column.name, types[column.type], nullable=column.nullable))
    return pa.schema(fields)


def append_rows(settings: Settings, name: str, rows: list[dict[str, Any]]) -> None:
    import pyarrow as pa
    from deltalake import write_deltalake

    definition = table(name)
    schema = arrow_schema(name)
    batch = pa.Table.from_pylist([{f.name: row.get(f.name) for f in schema} for row in rows], schema=schema)
    write_deltalake(
        delta_rs_uri(definition.location(settings.lake_uri)),
        batch,
        mode="append",
        partition_by=list(definition.partition_by) or None,
        storage_options=delta_storage_options(settings.s3),
    )
