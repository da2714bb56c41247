"""Placeholder values that satisfy a table definition's column types (for tests that build rows)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

DEFAULTS: dict[str, Any] = {
    "string": "x",
    "int": 0,
    "bigint": 0,
    "double": 0.0,
    "boolean": False,
    "date": date(2024, 1, 1),
    "timestamp": datetime(2024, 1, 1),
    "timestamp_ntz": datetime(2024, 1, 1),
}


def placeholder(type_: str, nullable: bool) -> Any:
    """None for a nullable column, else an empty array or map, else a fixed value of the type."""
    if nullable:
        return None
    if type_.startswith("array"):
        return []
    if type_.startswith("map"):
        return {}
    return DEFAULTS[type_]
