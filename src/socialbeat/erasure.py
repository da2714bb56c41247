"""The right to erasure (decree 13/2023/ND-CP): delete one person's rows from every layer, keep a record.

Each table declares in its YAML (`erasure:`) which SQL expressions over a row give the author id or the
mention's key; `erase` deletes every row that matches from every table that can hold the subject,
bronze and quarantine included, then appends one row to `audit.erasures`. That row names the subject
only by its keyed fingerprint (the HMAC-SHA256 of silver's PII masking, same key), and the audit table
doubles as the suppression list: bronze ingest drops landing lines of erased people (`erased_lines`),
so replaying an old landing hour cannot bring them back.

The delete is a Delta MERGE ... WHEN MATCHED THEN DELETE against a one-row frame holding the subject,
not `DeltaTable.delete(condition)`: Delta writes a DELETE's predicate, literals included, into the
commit's `operationParameters`, so a literal author id would stay in every table's `_delta_log` (kept
for `logRetentionDuration`, untouched by VACUUM). A MERGE records only `author_id = s.erase_subject`.
The rows stay readable through time travel until VACUUM removes the files of the versions before the
erasure (docs/privacy.md: the VACUUM horizon).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any

from socialbeat.mention import mention_id_column
from socialbeat.settings import Settings, pii_secret
from socialbeat.silver.pii import fingerprint_column
from socialbeat.tables import TableDef, ensure_table, registry, table, vacuum

if TYPE_CHECKING:
    from pyspark.sql import Column, SparkSession

log = logging.getLogger(__name__)

AUDIT = "audit.erasures"
# The table whose expressions read a raw landing line (source, raw_text, raw_base64): ingest applies
# them to every line it reads, good or bad, to drop the lines of erased people.
LANDING_LINE_SPEC = "bronze.quarantine"
SUBJECT_KINDS = ("author", "mention")
MENTION_ID = re.compile(r"[0-9a-f]{32}")


# --- what each table declares -------------------------------------------------------------------


@dataclass(frozen=True)
class Matcher:
    """One way a row names its subject: an SQL expression giving the id, or the key of a mention
    (source + platform_item_id expressions, hashed into mention_id exactly as silver does)."""

    expression: str = ""
    source: str = ""
    platform_item_id: str = ""

    @classmethod
    def parse(cls, spec: str | dict[str, str]) -> Matcher:
        if isinstance(spec, str):
            return cls(expression=spec)
        if set(spec) != {"source", "platform_item_id"}:
            raise ValueError(f"an erasure matcher is an expression or {{source, platform_item_id}}: {spec}")
        return cls(source=spec["source"], platform_item_id=spec["platform_item_id"])

    def value(self) -> Column:
        from pyspark.sql import functions as F

        if self.expression:
            return F.expr(self.expression)
        item = F.expr(self.platform_item_id)
        return F.when(item.isNotNull(), mention_id_column(F.expr(self.source), item))


@dataclass(frozen=True)
class ErasureSpec:
    """A table's `erasure:` block: matchers per subject kind, and an optional base64 raw-bytes column."""

    matchers: dict[str, tuple[Matcher, ...]] = field(default_factory=dict)
    raw_bytes: str | None = None

    def applies_to(self, kind: str) -> bool:
        return bool(self.matchers.get(kind)) or (kind == "author" and self.raw_bytes is not None)

    def condition(self, kind: str, subject: Column, needle: Column) -> Column:
        """Rows naming `subject` (a column holding the id); `needle`: the id as a quoted JSON string."""
        from pyspark.sql import functions as F

        hits = [matcher.value() == subject for matcher in self.matchers.get(kind, ())]
        if kind == "author" and self.raw_bytes:
            raw = F.col(self.raw_bytes)
            bytes_as_text = F.decode(F.unbase64(raw), "ISO-8859-1")
            hits.append(raw.isNotNull() & needle.isNotNull() & bytes_as_text.contains(needle))
        return F.coalesce(reduce(or_, hits), F.lit(False))


def erasure_spec(definition: TableDef) -> ErasureSpec:
    """Read a table's `erasure:` block; every table must declare one (`{}` when it holds no person)."""
    if "erasure" not in definition.extra:
        raise ValueError(f"{definition.name} does not declare `erasure:` in its YAML (use {{}} if no person)")
    block: dict[str, Any] = definition.extra["erasure"] or {}
    unknown = set(block) - {*SUBJECT_KINDS, "raw_bytes"}
    if unknown:
        raise ValueError(f"{definition.name}: unknown erasure keys {sorted(unknown)}")
    matchers = {kind: tuple(Matcher.parse(m) for m in block.get(kind, [])) for kind in SUBJECT_KINDS}
    return ErasureSpec(matchers=matchers, raw_bytes=block.get("raw_bytes"))


# --- fingerprints -----------------------------------------------------------------------------------


def subject_fingerprint(value: str, secret: bytes) -> str:
    """The same HMAC as `fingerprint_column`, for one id on the driver (no Spark job)."""
    return hmac.new(secret, value.encode("utf-8"), hashlib.sha256).hexdigest()


# --- the erasure --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    kind: str
    value: str = field(repr=False)  # the raw id: never logged, printed or stored

    @property
    def needle(self) -> str | None:
        """The id as it stands in a raw JSON line (quoted, UTF-8 bytes read as ISO-8859-1)."""
        if self.kind != "author":
            return None
        return json.dumps(self.value, ensure_ascii=False).encode("utf-8").decode("latin-1")


@dataclass
class ErasureReport:
    erasure_id: str
    requested_at: datetime
    requested_by: str
    reason: str
    subject_kind: str
    subject_fingerprint: str
    rows_deleted: dict[str, int] = field(default_factory=dict)
    table_versions: dict[str, int] = field(default_factory=dict)
    tables_skipped: list[str] = field(default_factory=list)
    vacuum_hours: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["requested_at"] = self.requested_at.isoformat()
        return out


def _subject(author_id: str | None, mention_id: str | None) -> Subject:
    if (author_id is None) == (mention_id is None):
        raise ValueError("give exactly one of author_id and mention_id")
    if author_id is not None:
        if not author_id.strip():
            raise ValueError("author_id is empty")
        return Subject("author", author_id)
    assert mention_id is not None
    if not MENTION_ID.fullmatch(mention_id):
        raise ValueError("mention_id is silver's 32-hex mention_id (sha256 of source and platform_item_id)")
    return Subject("mention", mention_id)


def _check_request(subject: Subject, requested_by: str, requested_at: datetime, reason: str) -> None:
    if not requested_by.strip():
        raise ValueError("requested_by is required: an operator or ticket reference")
    if requested_at.tzinfo is None:
        raise ValueError("requested_at must carry a time zone (UTC is stored)")
    if subject.value in requested_by or subject.value in reason:
        raise ValueError(
            "requested_by and reason are stored in audit.erasures: they must not name the subject"
        )


def erasure_id_for(kind: str, fingerprint: str, requested_at: datetime) -> str:
    key = f"{kind}\x1f{fingerprint}\x1f{requested_at.astimezone(UTC).isoformat()}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def erasable_tables(kind: str) -> dict[str, ErasureSpec]:
    """Every registered table that can hold a subject of `kind` (each table must declare `erasure:`)."""
    specs = {name: erasure_spec(definition) for name, definition in registry().items()}
    return {name: spec for name, spec in specs.items() if spec.applies_to(kind)}


def _delete_subject(
    spark: SparkSession, location: str, spec: ErasureSpec, subject: Subject
) -> tuple[int, int]:
    """MERGE-delete the subject's rows; (rows deleted, table version after). No match: no commit."""
    from delta.tables import DeltaTable
    from pyspark.sql import functions as F

    target = DeltaTable.forPath(spark, location)
    before = _last_commit(target)["version"]
    source = spark.createDataFrame(
        [(subject.value, subject.needle)], "erase_subject string, erase_needle string"
    )
    condition = spec.condition(subject.kind, F.col("s.erase_subject"), F.col("s.erase_needle"))
    target.alias("t").merge(source.alias("s"), condition).whenMatchedDelete().execute()
    last = _last_commit(target)
    if last["version"] == before:
        return 0, int(before)
    return int((last["operationMetrics"] or {}).get("numTargetRowsDeleted", 0)), int(last["version"])


def _last_commit(target: Any) -> Any:
    return target.history(1).select("version", "operationMetrics").first()


def _table_exists(spark: SparkSession, location: str) -> bool:
    from delta.tables import DeltaTable

    return bool(DeltaTable.isDeltaTable(spark, location))


def erase(
    spark: SparkSession,
    settings: Settings,
    *,
    author_id: str | None = None,
    mention_id: str | None = None,
    requested_by: str,
    requested_at: datetime,
    reason: str = "",
    vacuum_hours: int | None = None,
) -> ErasureReport:
    """Delete an author's (or one mention's) rows from every table, then record it in audit.erasures.

    `requested_at` comes from the caller (the CLI defaults it to the wall clock); `vacuum_hours`, when
    given, VACUUMs the tables afterwards with that retention. The audit row is appended only once
    every delete has committed; re-running the same request (same subject and requested_at) deletes
    whatever came back and adds no second audit row.
    """
    subject = _subject(author_id, mention_id)
    _check_request(subject, requested_by, requested_at, reason)
    fingerprint = subject_fingerprint(subject.value, pii_secret(settings))
    report = ErasureReport(
        erasure_id=erasure_id_for(subject.kind, fingerprint, requested_at),
        requested_at=requested_at.astimezone(UTC),
        requested_by=requested_by,
        reason=reason,
        subject_kind=subject.kind,
        subject_fingerprint=fingerprint,
    )
    for name, spec in erasable_tables(subject.kind).items():
        location = table(name).location(settings.lake_uri)
        if not _table_exists(spark, location):
            report.tables_skipped.append(name)
            continue
        report.rows_deleted[name], report.table_versions[name] = _delete_subject(
            spark, location, spec, subject
        )
    if vacuum_hours is not None:
        for name in report.table_versions:
            vacuum(spark, table(name).location(settings.lake_uri), vacuum_hours)
        report.vacuum_hours = vacuum_hours
    _record(spark, settings, report)
    log.info("erasure %s: %s", report.erasure_id, report.as_dict())
    return report


def _record(spark: SparkSession, settings: Settings, report: ErasureReport) -> None:
    """Append the audit row (MERGE on erasure_id: a re-run of the same request adds nothing)."""
    from delta.tables import DeltaTable

    definition = table(AUDIT)
    location = ensure_table(spark, definition, settings.lake_uri)
    values = asdict(report)
    row = spark.createDataFrame(
        [tuple(values[c] for c in definition.column_names)], definition.spark_schema()
    )
    (
        DeltaTable.forPath(spark, location)
        .alias("t")
        .merge(row.alias("s"), "t.erasure_id = s.erasure_id")
        .whenNotMatchedInsertAll()
        .execute()
    )


# --- suppression on replay ------------------------------------------------------------------------


@dataclass(frozen=True)
class Suppression:
    """Fingerprints of erased authors and mentions, from audit.erasures."""

    authors: frozenset[str] = frozenset()
    mentions: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.authors or self.mentions)

    def of(self, kind: str) -> frozenset[str]:
        return self.authors if kind == "author" else self.mentions


def load_suppression(spark: SparkSession, settings: Settings) -> Suppression:
    location = table(AUDIT).location(settings.lake_uri)
    if not _table_exists(spark, location):
        return Suppression()
    rows = spark.read.format("delta").load(location).select("subject_kind", "subject_fingerprint").collect()
    by_kind = {kind: frozenset(r[1] for r in rows if r[0] == kind) for kind in SUBJECT_KINDS}
    return Suppression(authors=by_kind["author"], mentions=by_kind["mention"])


def erased_lines(suppression: Suppression, settings: Settings) -> Column:
    """True for a landing line (columns source, raw_text, raw_base64) whose author or mention is erased.

    The PII secret is only needed once someone has been erased. Fingerprint lists are small (one per
    request); Spark turns a long `isin` into a hash set.
    """
    from pyspark.sql import functions as F

    if not suppression:
        return F.lit(False)
    secret = pii_secret(settings)
    spec = erasure_spec(table(LANDING_LINE_SPEC))
    hits = [
        fingerprint_column(matcher.value(), secret).isin(sorted(suppression.of(kind)))
        for kind in SUBJECT_KINDS
        if suppression.of(kind)
        for matcher in spec.matchers.get(kind, ())
    ]
    return F.coalesce(reduce(or_, hits), F.lit(False))
