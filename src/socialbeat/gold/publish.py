"""Publish gold to SQL readers: external Delta tables in a metastore, and one database of views per agency.

`publish(spark, settings)` runs idempotent DDL on a session: `CREATE DATABASE IF NOT EXISTS gold`,
each gold table as an external Delta table over its lake location (dropped and re-created, so a moved
lake or a new column is picked up; dropping an external table never touches its files), and for each
agency in `gold.agencies` a database `agency_<code>` of views that keep only its categories and units.
Run it in a Hive-enabled session over the metastore under the state folder (`socialbeat publish`,
jobs/publish.py), or send `publish_statements` to a running Thrift server (the CLI does that when
`make serve-sql` holds the embedded metastore).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from socialbeat.gold.aggregates import ALL
from socialbeat.gold.job import GOLD_TABLES
from socialbeat.settings import Agency, Settings
from socialbeat.tables import ensure_table, table

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

log = logging.getLogger(__name__)
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")


def short_name(name: str) -> str:
    return name.split(".", 1)[1]


def agency_database(agency: Agency) -> str:
    database = f"agency_{agency.code.lower()}"
    if not _IDENTIFIER.fullmatch(database):
        raise ValueError(f"agency code {agency.code!r} must be letters, digits and _")
    return database


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _values(values: list[str]) -> str:
    return ", ".join(_quote(v) for v in values)


def agency_filter(name: str, agency: Agency) -> str:
    """The WHERE clause of the agency's view of a gold table ("TRUE" when it reads everything).

    Tables by district keep the agency's districts (city-wide alerts only for agencies of the whole
    city); trending terms and top authors are city-wide, so they are filtered by category only."""
    columns = {c.name for c in table(name).columns}
    terms = []
    if agency.categories:
        if "category" in columns:
            terms.append(f"category IN ({_values(agency.categories)})")
        elif "categories" in columns:
            terms.append(f"arrays_overlap(categories, array({_values(agency.categories)}))")
    if agency.districts:
        if "district" in columns:
            terms.append(f"district IN ({_values(agency.districts)})")
        elif "districts" in columns:
            terms.append(f"arrays_overlap(districts, array({_values(agency.districts)}))")
    if agency.categories and "category" in columns and name in ("gold.trending_terms", "gold.top_authors"):
        terms = [t for t in terms if not t.startswith("category IN")] + [
            f"category IN ({_values(agency.categories)}) AND category <> {_quote(ALL)}"
        ]
    return " AND ".join(terms) or "TRUE"


def publish_statements(settings: Settings) -> list[str]:
    """The DDL, in order: the gold database and tables, then every agency's views."""
    database = settings.gold.sql.database
    statements = [f"CREATE DATABASE IF NOT EXISTS {database} COMMENT 'Socialbeat gold tables (Delta)'"]
    for name in GOLD_TABLES:
        definition = table(name)
        target = f"{database}.{short_name(name)}"
        statements += [
            f"DROP TABLE IF EXISTS {target}",
            f"CREATE TABLE {target} USING DELTA LOCATION {_quote(definition.location(settings.lake_uri))} "
            f"COMMENT {_quote(definition.description[:400])}",
        ]
    for agency in settings.gold.agencies:
        views = agency_database(agency)
        statements.append(f"CREATE DATABASE IF NOT EXISTS {views} COMMENT {_quote(agency.name)}")
        for name in GOLD_TABLES:
            where = agency_filter(name, agency)
            statements.append(
                f"CREATE OR REPLACE VIEW {views}.{short_name(name)} AS "
                f"SELECT * FROM {database}.{short_name(name)} WHERE {where}"
            )
    return statements


def ensure_gold_tables(spark: SparkSession, settings: Settings) -> None:
    """Create every gold table that does not exist yet (empty), so that it can be registered."""
    for name in GOLD_TABLES:
        ensure_table(spark, table(name), settings.lake_uri)


def publish(spark: SparkSession, settings: Settings) -> list[str]:
    """Register the gold tables and (re)create the agencies' views in the session's catalog."""
    ensure_gold_tables(spark, settings)
    statements = publish_statements(settings)
    for statement in statements:
        spark.sql(statement)
    log.info(
        "published %d gold tables and %d agency view sets", len(GOLD_TABLES), len(settings.gold.agencies)
    )
    return statements
