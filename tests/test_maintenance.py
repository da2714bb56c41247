"""Daily maintenance: each layer keeps its configured number of days, counted back from `as_of`."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from socialbeat.maintenance import retention_rule, run_maintenance
from socialbeat.settings import RetentionSettings, Settings
from socialbeat.tables import TableDef, ensure_table, registry, table
from table_rows import placeholder

pytestmark = pytest.mark.spark

AS_OF = date(2024, 6, 10)
RETENTION = RetentionSettings(bronze_days=90, quarantine_days=30, silver_days=365, gold_days=730)
RETENTION_CHECK = "spark.databricks.delta.retentionDurationCheck.enabled"
ALWAYS = ("bronze.crawl_items", "bronze.quarantine", "silver.mentions", "silver.quarantine")


def _row(definition: TableDef, date_column: str, day: date) -> tuple[Any, ...]:
    """A row that satisfies the table's schema, dated `day`."""
    return tuple(
        day if c.name == date_column else placeholder(c.type, c.nullable) for c in definition.columns
    )


def _dated_tables() -> dict[str, tuple[TableDef, str, int]]:
    """One table per retention class (`days_from`), the layer's first: the rule is the same code for
    every table of a class, and each Delta table costs seconds here (every YAML rule is parsed and
    checked by run_maintenance itself)."""
    out: dict[str, tuple[TableDef, str, int]] = {}
    classes: set[str] = set()
    for name, definition in sorted(registry().items()):
        rule = retention_rule(definition)
        if rule is not None and (rule.days_from not in classes or name in ALWAYS):
            classes.add(rule.days_from)
            out[name] = (definition, rule.date_column, rule.days(RETENTION))
    return out


def _retention_class(definition: TableDef) -> str | None:
    rule = retention_rule(definition)
    return rule.days_from if rule else None


def _dates(spark: Any, settings: Settings, name: str, column: str) -> list[str]:
    frame = spark.read.format("delta").load(table(name).location(settings.lake_uri))
    return sorted(str(r[0]) for r in frame.select(column).collect())


def test_each_layer_keeps_its_days_counted_back_from_as_of(spark: Any, settings: Settings) -> None:
    settings = settings.model_copy(update={"retention": RETENTION})
    dated = _dated_tables()
    assert set(ALWAYS) <= set(dated)
    every_class = {_retention_class(definition) for definition in registry().values()} - {None}
    assert every_class == {_retention_class(definition) for definition, _, _ in dated.values()}
    for definition, column, days in dated.values():
        cutoff = AS_OF - timedelta(days=days)
        rows = [_row(definition, column, d) for d in (cutoff - timedelta(days=1), cutoff, AS_OF)]
        location = ensure_table(spark, definition, settings.lake_uri)
        spark.createDataFrame(rows, definition.spark_schema()).write.format("delta").mode("append").save(
            location
        )

    check = spark.conf.get(RETENTION_CHECK, "true")
    report = run_maintenance(spark, settings, AS_OF, vacuum_hours=0, run_optimize=False)

    assert spark.conf.get(RETENTION_CHECK, "true") == check  # lifted for the VACUUM call only
    by_table = {t.table: t for t in report.tables}
    assert sorted(report.tables_skipped) == sorted(set(registry()) - set(dated))
    assert report.vacuum_hours == 0
    for name, (_, column, days) in dated.items():
        cutoff = AS_OF - timedelta(days=days)
        assert _dates(spark, settings, name, column) == [str(cutoff), str(AS_OF)], name
        assert (by_table[name].rows_deleted, by_table[name].cutoff) == (1, str(cutoff)), name
    assert by_table["bronze.crawl_items"].retention_days == 90
    assert by_table["bronze.quarantine"].retention_days == 30

    # The same logical date again deletes nothing; a later one moves every cutoff on by a day.
    again = run_maintenance(spark, settings, AS_OF, run_vacuum=False, run_optimize=False)
    assert again.vacuum_hours is None and all(t.rows_deleted == 0 for t in again.tables)
    later = run_maintenance(spark, settings, AS_OF + timedelta(days=1), run_vacuum=False, run_optimize=False)
    assert all(t.rows_deleted == 1 for t in later.tables)
    for name, (_, column, _) in dated.items():
        assert _dates(spark, settings, name, column) == [str(AS_OF)], name
