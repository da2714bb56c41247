"""The table registry: every lake table describes itself in schemas/tables/<name>.yaml.

Schema, partitioning, owner, readers and expectations live in that one file; writers create
and check tables from it, and `socialbeat tables` lists them with their Delta state.
"""

from __future__ import annotations

import contextlib
import logging
import random
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

import yaml

from socialbeat.contracts import schemas_dir
from socialbeat.settings import S3Settings, Settings

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.types import StructType


log = logging.getLogger(__name__)
T = TypeVar("T")

_STATS_TYPES = ("string", "bigint", "int", "smallint", "tinyint", "double", "float", "decimal", "date",
                "timestamp", "struct")  # fmt: skip


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    nullable: bool = True
    doc: str = ""
    personal: bool = False  # may hold a person's id, name or words: never in Delta's log statistics


@dataclass(frozen=True)
class TableDef:
    name: str
    layer: str
    path: str
    owner: str
    description: str
    grain: str
    columns: tuple[Column, ...]
    partition_by: tuple[str, ...] = ()
    replace_by: tuple[str, ...] = ()
    readers: tuple[str, ...] = ()
    expectations: tuple[dict[str, Any], ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def stats_columns(self) -> list[str] | None:
        """Columns Delta may keep min/max statistics of (in its log, which VACUUM never cleans):
        all but the personal ones, the partition columns and types Delta keeps none for (arrays,
        maps, booleans); None when no column is personal (Delta's default)."""
        if not any(c.personal for c in self.columns):
            return None
        return [
            c.name
            for c in self.columns
            if not c.personal and c.name not in self.partition_by and c.type.startswith(_STATS_TYPES)
        ]

    def location(self, lake_uri: str) -> str:
        return f"{lake_uri.rstrip('/')}/{self.path}"

    def spark_schema(self) -> StructType:
        from pyspark.sql.types import StructType

        return StructType(list(_spark_schema(self.columns).fields))  # a copy: StructType is mutable

    def conform(self, frame: DataFrame) -> DataFrame:
        """Select the table's columns in order, cast to its types; fail on a missing column."""
        from pyspark.sql import functions as F

        missing = [c for c in self.column_names if c not in frame.columns]
        if missing:
            raise ValueError(f"{self.name}: frame lacks columns {missing}")
        return frame.select(*[F.col(c.name).cast(c.type).alias(c.name) for c in self.columns])


@lru_cache(maxsize=256)
def _spark_schema(columns: tuple[Column, ...]) -> StructType:
    """The Spark schema of these columns. Each type string is parsed by the JVM (a round trip per
    column), and jobs ask for the same tables' schemas again and again."""
    from pyspark.sql.types import StructType, _parse_datatype_string

    schema = StructType()
    for col in columns:
        schema.add(col.name, _parse_datatype_string(col.type), nullable=col.nullable)
    return schema


_KNOWN_KEYS = {
    "name",
    "layer",
    "path",
    "owner",
    "description",
    "grain",
    "columns",
    "partition_by",
    "replace_by",
    "readers",
    "expectations",
}


@lru_cache(maxsize=1)
def registry() -> dict[str, TableDef]:
    tables: dict[str, TableDef] = {}
    for path in sorted((schemas_dir() / "tables").glob("*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        tables[spec["name"]] = TableDef(
            name=spec["name"],
            layer=spec["layer"],
            path=spec["path"],
            owner=spec["owner"],
            description=" ".join(spec.get("description", "").split()),
            grain=spec.get("grain", ""),
            columns=tuple(Column(**c) for c in spec["columns"]),
            partition_by=tuple(spec.get("partition_by", [])),
            replace_by=tuple(spec.get("replace_by", [])),
            readers=tuple(spec.get("readers", [])),
            expectations=tuple(spec.get("expectations", [])),
            extra={k: v for k, v in spec.items() if k not in _KNOWN_KEYS},
        )
    return tables


def table(name: str) -> TableDef:
    try:
        return registry()[name]
    except KeyError:
        raise KeyError(f"unknown table {name!r}; known: {sorted(registry())}") from None


# Delta's optimistic concurrency: a commit that lost the race against another writer's commit (two
# crawl hours MERGEing into the same date partitions, two jobs creating one table) fails with one of
# these (io.delta.exceptions.*). Re-running the whole write against the new snapshot is correct for
# every writer here: MERGE keeps the latest crawl, replaceWhere replaces the same hour again.
DELTA_CONFLICTS = frozenset(
    {
        "ConcurrentAppendException",
        "ConcurrentDeleteReadException",
        "ConcurrentDeleteDeleteException",
        "ConcurrentTransactionException",
        "ConcurrentWriteException",
        "MetadataChangedException",
        "ProtocolChangedException",
    }
)
_CONFLICT_ERROR_CLASSES = {  # Delta's error classes for the same exceptions: "[DELTA_CONCURRENT_APPEND] ..."
    "DELTA_CONCURRENT_APPEND": "ConcurrentAppendException",
    "DELTA_CONCURRENT_DELETE_READ": "ConcurrentDeleteReadException",
    "DELTA_CONCURRENT_DELETE_DELETE": "ConcurrentDeleteDeleteException",
    "DELTA_CONCURRENT_TRANSACTION": "ConcurrentTransactionException",
    "DELTA_CONCURRENT_WRITE": "ConcurrentWriteException",
    "DELTA_METADATA_CHANGED": "MetadataChangedException",
    "DELTA_PROTOCOL_CHANGED": "ProtocolChangedException",
}
_CREATE_RACE = ("DELTA_TABLE_NOT_FOUND",)  # a table whose creator has not committed yet
CONFLICT_ATTEMPTS = 8
_CONFLICT_BACKOFF_S = (0.5, 10.0)  # first delay, cap (exponential, with jitter)


def _error_texts(exc: BaseException) -> list[str]:
    """The messages of `exc` and its causes, with the Java exception's class and message when any."""
    seen: list[str] = []
    current: BaseException | None = exc
    while current is not None and len(seen) < 10:
        java = getattr(current, "java_exception", None) or getattr(current, "_origin", None)
        text = f"{type(current).__name__}: {current}"
        if java is not None:
            with contextlib.suppress(Exception):  # a closed gateway: the Python text is all there is
                text = f"{java.getClass().getName()}: {java.getMessage()} {text}"
        seen.append(text)
        current = current.__cause__ or current.__context__
    return seen


def delta_conflict(exc: BaseException, also: Collection[str] = ()) -> str | None:
    """The name of the Delta concurrent-modification exception behind `exc`, or None. `also` names
    more error classes (e.g. DELTA_TABLE_NOT_FOUND) that count as a conflict for the caller."""
    error_classes = {**_CONFLICT_ERROR_CLASSES, **{c: c for c in also}}
    for text in _error_texts(exc):
        for name in DELTA_CONFLICTS:
            if f"{name}:" in text or f".{name}" in text:
                return name
        for error_class, name in error_classes.items():
            if f"[{error_class}]" in text:
                return name
    return None


def retry_on_conflict(
    action: Callable[[], T], what: str, attempts: int = CONFLICT_ATTEMPTS, also: Collection[str] = ()
) -> T:
    """Run `action`; when it loses a Delta commit race (or raises one of the error classes `also`
    names), run it again (up to `attempts` times)."""
    first, cap = _CONFLICT_BACKOFF_S
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except Exception as exc:
            conflict = delta_conflict(exc, also)
            if conflict is None or attempt == attempts:
                raise
            delay = min(cap, first * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)
            log.warning(
                "%s: %s from a concurrent commit (attempt %d/%d); retrying in %.1f s",
                what,
                conflict,
                attempt,
                attempts,
                delay,
            )
            time.sleep(delay)
    raise AssertionError("unreachable")


def ensure_table(spark: SparkSession, definition: TableDef, lake_uri: str) -> str:
    """Create the Delta table from its definition if it does not exist; return its location.

    Two jobs may create a table at once (two hours' first runs on a new lake): the one that finds
    the other's `_delta_log` folder before its first commit gets DELTA_TABLE_NOT_FOUND, and tries
    again once that commit has landed.
    """
    return retry_on_conflict(
        lambda: _ensure_table(spark, definition, lake_uri), f"create {definition.name}", also=_CREATE_RACE
    )


def _ensure_table(spark: SparkSession, definition: TableDef, lake_uri: str) -> str:
    from delta.tables import DeltaTable

    location = definition.location(lake_uri)
    builder = DeltaTable.createIfNotExists(spark).location(location).comment(definition.description)
    for col in definition.columns:
        builder = builder.addColumn(col.name, col.type, nullable=col.nullable, comment=col.doc or None)
    if definition.partition_by:
        builder = builder.partitionedBy(*definition.partition_by)
    if definition.stats_columns is not None:
        builder = builder.property("delta.dataSkippingStatsColumns", ",".join(definition.stats_columns))
    builder.execute()
    return location


def crawl_hour_rows(spark: SparkSession, definition: TableDef, lake_uri: str, hour: datetime) -> DataFrame:
    """The rows of a table whose (crawl_date, crawl_hour) is the given UTC crawl hour."""
    return crawl_hours_rows(spark, definition, lake_uri, [hour])


def crawl_hours_rows(
    spark: SparkSession, definition: TableDef, lake_uri: str, hours: Sequence[datetime]
) -> DataFrame:
    """The rows of a table whose (crawl_date, crawl_hour) is one of the given UTC crawl hours."""
    from functools import reduce

    from pyspark.sql import functions as F

    matches = [
        (F.col("crawl_date") == h.strftime("%Y-%m-%d")) & (F.col("crawl_hour") == h.hour) for h in hours
    ]
    return (
        spark.read.format("delta")
        .load(definition.location(lake_uri))
        .where(reduce(lambda a, b: a | b, matches))
    )


def upsert_latest(
    spark: SparkSession,
    definition: TableDef,
    location: str,
    batch: DataFrame,
    keep_earliest: tuple[str, ...] = (),
) -> None:
    """MERGE keyed on the YAML's `merge_on`, within the batch's `created_date` partitions: a row
    replaces the stored one only if crawled at the same time or later; `keep_earliest` columns keep
    the smaller of the two values. A commit conflict with a concurrent writer is retried."""
    retry_on_conflict(
        lambda: _upsert_latest(spark, definition, location, batch, keep_earliest), f"merge {definition.name}"
    )


def _upsert_latest(
    spark: SparkSession, definition: TableDef, location: str, batch: DataFrame, keep_earliest: tuple[str, ...]
) -> None:
    from delta.tables import DeltaTable
    from pyspark.sql import functions as F

    conformed = definition.conform(batch)
    dates = sorted(r[0] for r in conformed.select("created_date").distinct().collect())
    if not dates:
        return
    in_dates = ", ".join(f"DATE'{d}'" for d in dates)
    keys = " AND ".join(f"t.{k} = s.{k}" for k in definition.extra["merge_on"])
    columns: dict[str, Any] = {c: F.col(f"s.{c}") for c in definition.column_names}
    columns.update({c: F.least(F.col(f"t.{c}"), F.col(f"s.{c}")) for c in keep_earliest})
    (
        DeltaTable.forPath(spark, location)
        .alias("t")
        .merge(conformed.alias("s"), f"t.created_date IN ({in_dates}) AND {keys}")
        .whenMatchedUpdate(condition="s.crawled_at >= t.crawled_at", set=columns)
        .whenNotMatchedInsertAll()
        .execute()
    )


def replace_partitions(
    spark: SparkSession,
    definition: TableDef,
    lake_uri: str,
    frame: DataFrame,
    keys: dict[str, Any] | Sequence[dict[str, Any]],
) -> None:
    """Atomically replace the rows matching `keys` (the table's replace_by columns; several sets of
    them replace several partitions at once) with `frame`.

    One Delta commit: readers see the old partition or the new one, never a mix, and a job that
    dies before the commit leaves the previous state untouched. A commit conflict with a concurrent
    writer is retried.
    """
    sets = [keys] if isinstance(keys, dict) else list(keys)
    for one in sets:
        if set(one) != set(definition.replace_by):
            raise ValueError(f"{definition.name} is replaced by {definition.replace_by}, got {sorted(one)}")
    if not sets:
        raise ValueError(f"{definition.name}: no partitions to replace")
    location = ensure_table(spark, definition, lake_uri)
    predicate = " OR ".join(
        "(" + " AND ".join(f"{name} = {_sql_literal(value)}" for name, value in sorted(one.items())) + ")"
        for one in sets
    )
    writer = (
        definition.conform(frame).write.format("delta").mode("overwrite").option("replaceWhere", predicate)
    )
    retry_on_conflict(lambda: writer.save(location), f"replace {definition.name} where {predicate}")


DELTA_DEFAULT_RETENTION_HOURS = 168  # delta.deletedFileRetentionDuration's default: 7 days
_RETENTION_CHECK = "spark.databricks.delta.retentionDurationCheck.enabled"


def vacuum(spark: SparkSession, location: str, retain_hours: int) -> None:
    """VACUUM the table: delete files that no version of the last `retain_hours` hours reads.

    Below Delta's 7-day default, Delta's safety check is lifted for this call only (a shorter
    retention is a deliberate setting): readers and writers still running on versions older than
    the horizon may then fail, and time travel before it is gone.
    """
    from delta.tables import DeltaTable

    if retain_hours < 0:
        raise ValueError("retain_hours must be >= 0")
    if retain_hours >= DELTA_DEFAULT_RETENTION_HOURS:
        DeltaTable.forPath(spark, location).vacuum(retain_hours)
        return
    previous = spark.conf.get(_RETENTION_CHECK, "true") or "true"
    spark.conf.set(_RETENTION_CHECK, "false")
    try:
        DeltaTable.forPath(spark, location).vacuum(retain_hours)
    finally:
        spark.conf.set(_RETENTION_CHECK, previous)


def _sql_literal(value: Any) -> str:
    if isinstance(value, int | float):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


@dataclass(frozen=True)
class TableState:
    name: str
    location: str
    exists: bool
    version: int | None = None
    rows: int | None = None
    last_write: datetime | None = None
    last_operation: str | None = None


def delta_storage_options(s3: S3Settings) -> dict[str, str]:
    options: dict[str, str] = {"AWS_REGION": s3.region}
    if s3.endpoint_url:
        options["AWS_ENDPOINT_URL"] = s3.endpoint_url
        options["AWS_ALLOW_HTTP"] = "true"
    if s3.access_key_id and s3.secret_access_key:
        options["AWS_ACCESS_KEY_ID"] = s3.access_key_id
        options["AWS_SECRET_ACCESS_KEY"] = s3.secret_access_key
    if s3.path_style:
        options["AWS_VIRTUAL_HOSTED_STYLE_REQUEST"] = "false"
    return options


def delta_rs_uri(location: str) -> str:
    """The URI delta-rs opens for a table location (it names s3a:// buckets s3://)."""
    return "s3://" + location.removeprefix("s3a://") if location.startswith("s3a://") else location


def table_state(definition: TableDef, settings: Settings) -> TableState:
    """Read a table's Delta log with delta-rs (no JVM): version, row count, last commit."""
    from deltalake import DeltaTable
    from deltalake.exceptions import TableNotFoundError

    location = definition.location(settings.lake_uri)
    try:
        delta = DeltaTable(delta_rs_uri(location), storage_options=delta_storage_options(settings.s3))
    except TableNotFoundError:
        return TableState(definition.name, location, exists=False)
    actions = delta.get_add_actions(flatten=True)
    rows = int(sum(v for v in actions.column("num_records").to_pylist() if v is not None))
    last = delta.history(1)[0]
    return TableState(
        name=definition.name,
        location=location,
        exists=True,
        version=delta.version(),
        rows=rows,
        last_write=datetime.fromtimestamp(last["timestamp"] / 1000, tz=UTC),
        last_operation=last.get("operation"),
    )
