"""Gold tables as pandas frames through delta-rs (no JVM): the briefing, the summary and notebooks."""

from __future__ import annotations

from typing import Any

import pandas as pd

from socialbeat.settings import Settings
from socialbeat.tables import delta_rs_uri, delta_storage_options, table


def read_frame(
    settings: Settings,
    name: str,
    filters: list[tuple[str, str, Any]] | None = None,
    columns: list[str] | None = None,
) -> pd.DataFrame:
    """The rows of a lake table matching the (column, op, value) filters; an empty frame with the
    table's columns when the table does not exist yet."""
    from deltalake import DeltaTable
    from deltalake.exceptions import TableNotFoundError

    definition = table(name)
    try:
        delta = DeltaTable(
            delta_rs_uri(definition.location(settings.lake_uri)),
            storage_options=delta_storage_options(settings.s3),
        )
    except TableNotFoundError:
        return pd.DataFrame(columns=columns or definition.column_names)
    return delta.to_pandas(columns=columns, filters=filters or None)
