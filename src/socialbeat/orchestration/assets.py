"""Airflow Assets of the lake, so that downstream DAGs can be scheduled on data, not on the clock.

`publish` (the last task of socialbeat_hourly) updates `socialbeat.gold` (the layer) and one asset per
gold table of the registry; a DAG with `schedule=[GOLD]` runs each time an hour's gold is published.
The URI is the table's real location (file:///... or s3://...), the name is the table name.
"""

from __future__ import annotations

from airflow.sdk import Asset

from socialbeat.settings import Settings
from socialbeat.tables import delta_rs_uri, registry

GOLD_LAYER = "socialbeat.gold"


def _uri(location: str) -> str:
    location = delta_rs_uri(location)
    return location if "://" in location else f"file://{location}"


def gold_layer_asset(settings: Settings) -> Asset:
    return Asset(name=GOLD_LAYER, uri=_uri(f"{settings.lake_uri}/gold"), group="socialbeat")


def gold_assets(settings: Settings) -> list[Asset]:
    """The gold layer's asset, then one per gold table (by name)."""
    tables = [
        Asset(name=name, uri=_uri(definition.location(settings.lake_uri)), group="socialbeat")
        for name, definition in sorted(registry().items())
        if definition.layer == "gold"
    ]
    return [gold_layer_asset(settings), *tables]
