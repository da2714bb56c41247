"""Daily maintenance for one logical date: per-layer retention, OPTIMIZE (Z-ORDER), then VACUUM.

Each table declares in its YAML how long it keeps rows: `retention: {days_from: <a field of
settings.retention>, date_column: <a date column>}`, or `retention: forever`. A row is deleted once
its date is more than that many days before `as_of`: `date_column < as_of - days`. `as_of` is the
orchestrator's logical date, never today's date, so a re-run for the same date deletes the same rows.
Then the recent date partitions (`settings.maintenance.optimize_days` back from `as_of`) of every table
are compacted with OPTIMIZE, clustered with Z-ORDER on the columns the table's YAML lists in
`zorder_by:` (the columns reports filter by; never a partition column). Afterwards every table is
vacuumed with `settings.retention.vacuum_hours` (or the override): from then on, time travel cannot
read rows deleted (by retention or by an erasure) more than that many hours ago, and the files that
OPTIMIZE replaced are gone. Each Delta operation retries when a concurrent job's commit wins the race.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from socialbeat.settings import RetentionSettings, Settings
from socialbeat.tables import TableDef, registry, retry_on_conflict, vacuum

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

log = logging.getLogger(__name__)

FOREVER = "forever"


@dataclass(frozen=True)
class RetentionRule:
    days_from: str  # the field of settings.retention that holds the number of days
    date_column: str

    def days(self, retention: RetentionSettings) -> int:
        days = int(getattr(retention, self.days_from))
        if days < 0:
            raise ValueError(f"retention.{self.days_from} must be >= 0, got {days}")
        return days

    def cutoff(self, as_of: date, retention: RetentionSettings) -> date:
        """Rows dated before this day are deleted."""
        return as_of - timedelta(days=self.days(retention))


def retention_rule(definition: TableDef) -> RetentionRule | None:
    """The table's `retention:` block; None for `forever`. Every table must declare one."""
    if "retention" not in definition.extra:
        raise ValueError(f"{definition.name} does not declare `retention:` in its YAML")
    spec = definition.extra["retention"]
    if spec == FOREVER:
        return None
    if not isinstance(spec, dict) or set(spec) != {"days_from", "date_column"}:
        raise ValueError(f"{definition.name}: retention is `forever` or {{days_from, date_column}}: {spec}")
    day_fields = set(RetentionSettings.model_fields) - {"vacuum_hours"}
    if spec["days_from"] not in day_fields:
        raise ValueError(
            f"{definition.name}: days_from {spec['days_from']!r} is not one of {sorted(day_fields)}"
        )
    column = next((c for c in definition.columns if c.name == spec["date_column"]), None)
    if column is None or column.type != "date":
        raise ValueError(f"{definition.name}: date_column {spec['date_column']!r} is not a date column")
    return RetentionRule(days_from=spec["days_from"], date_column=spec["date_column"])


def zorder_columns(definition: TableDef) -> list[str]:
    """The table's `zorder_by:` columns (optional; empty: OPTIMIZE only compacts)."""
    columns = list(definition.extra.get("zorder_by") or [])
    names = set(definition.column_names)
    unknown = [c for c in columns if c not in names]
    if unknown:
        raise ValueError(f"{definition.name}: zorder_by names unknown columns {unknown}")
    partitioned = [c for c in columns if c in definition.partition_by]
    if partitioned:
        raise ValueError(f"{definition.name}: zorder_by cannot name partition columns {partitioned}")
    return columns


def optimize_window(definition: TableDef, as_of: date, days: int) -> str | None:
    """The partition predicate OPTIMIZE is limited to: the table's first date partition column from
    `as_of - days` on; None (the whole table) when it has no date partition column."""
    types = {c.name: c.type for c in definition.columns}
    column = next((c for c in definition.partition_by if types.get(c) == "date"), None)
    if column is None:
        return None
    return f"{column} >= DATE'{(as_of - timedelta(days=days)).isoformat()}'"


@dataclass(frozen=True)
class Optimized:
    where: str | None
    zorder_by: list[str]
    files_removed: int
    files_added: int


@dataclass(frozen=True)
class TableMaintenance:
    table: str
    retention_days: int | None  # None: kept forever
    cutoff: str | None  # rows dated before this day were deleted
    rows_deleted: int
    version: int  # Delta version after the retention delete, the OPTIMIZE and the VACUUM
    optimized: Optimized | None = None  # None: no OPTIMIZE ran


@dataclass
class MaintenanceReport:
    as_of: str
    vacuum_hours: int | None  # None: no VACUUM ran
    tables: list[TableMaintenance] = field(default_factory=list)
    tables_skipped: list[str] = field(default_factory=list)  # not created yet

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def apply_retention(spark: SparkSession, location: str, rule: RetentionRule, cutoff: date) -> int:
    """DELETE the rows dated before `cutoff`; the number deleted (0 and no commit when none)."""
    from delta.tables import DeltaTable

    def delete() -> int:
        target = DeltaTable.forPath(spark, location)
        before = _last_commit(target)["version"]
        target.delete(f"{rule.date_column} < DATE'{cutoff.isoformat()}'")
        last = _last_commit(target)
        if last["version"] == before:
            return 0
        return int((last["operationMetrics"] or {}).get("numDeletedRows", 0))

    return retry_on_conflict(delete, f"retention delete in {location}")


def optimize_table(spark: SparkSession, location: str, definition: TableDef, where: str | None) -> Optimized:
    """OPTIMIZE the partitions matching `where` (all when None), Z-ordered by the table's `zorder_by`."""
    from delta.tables import DeltaTable

    columns = zorder_columns(definition)

    def run() -> Any:
        builder = DeltaTable.forPath(spark, location).optimize()
        if where:
            builder = builder.where(where)
        result = builder.executeZOrderBy(*columns) if columns else builder.executeCompaction()
        return result.select("metrics.numFilesRemoved", "metrics.numFilesAdded").first()

    metrics = retry_on_conflict(run, f"optimize {definition.name}")
    return Optimized(
        where=where,
        zorder_by=columns,
        files_removed=int(metrics["numFilesRemoved"] or 0) if metrics else 0,
        files_added=int(metrics["numFilesAdded"] or 0) if metrics else 0,
    )


def _last_commit(target: Any) -> Any:
    return target.history(1).select("version", "operationMetrics").first()


def run_maintenance(
    spark: SparkSession,
    settings: Settings,
    as_of: date,
    vacuum_hours: int | None = None,
    run_vacuum: bool = True,
    run_optimize: bool | None = None,
) -> MaintenanceReport:
    """Apply every table's retention for the logical date `as_of`, OPTIMIZE its recent partitions
    (unless `run_optimize` is False, default settings.maintenance.optimize), then VACUUM every table
    (retaining `vacuum_hours`, default settings.retention.vacuum_hours; none if not `run_vacuum`)."""
    from delta.tables import DeltaTable

    rules = {name: retention_rule(definition) for name, definition in registry().items()}  # all valid first
    for definition in registry().values():
        zorder_columns(definition)
    optimize = settings.maintenance.optimize if run_optimize is None else run_optimize
    hours = (
        (settings.retention.vacuum_hours if vacuum_hours is None else vacuum_hours) if run_vacuum else None
    )
    report = MaintenanceReport(as_of=as_of.isoformat(), vacuum_hours=hours)
    for name, rule in rules.items():
        location = registry()[name].location(settings.lake_uri)
        if not DeltaTable.isDeltaTable(spark, location):
            report.tables_skipped.append(name)
            continue
        cutoff = rule.cutoff(as_of, settings.retention) if rule else None
        deleted = apply_retention(spark, location, rule, cutoff) if rule and cutoff else 0
        definition = registry()[name]
        window = optimize_window(definition, as_of, settings.maintenance.optimize_days)
        optimized = optimize_table(spark, location, definition, window) if optimize else None
        if hours is not None:
            vacuum(spark, location, hours)
        report.tables.append(
            TableMaintenance(
                table=name,
                retention_days=rule.days(settings.retention) if rule else None,
                cutoff=cutoff.isoformat() if cutoff else None,
                rows_deleted=deleted,
                version=int(_last_commit(DeltaTable.forPath(spark, location))["version"]),
                optimized=optimized,
            )
        )
    log.info("maintenance %s: %s", report.as_of, report.as_dict())
    return report
