"""Decoded lines -> parsed envelope + a quarantine reason (null for good lines).

Pure DataFrame -> DataFrame transforms built from Spark built-ins only (JVM speed). The checks
come from the crawl contracts and the ingest settings; the order of `reason` is the order below:
the first problem found is the reason, its detail says exactly what was wrong.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from socialbeat.contracts import Contracts
from socialbeat.settings import IngestSettings

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

ISO_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$"
HAS_OFFSET = r"(Z|[+-]\d{2}(:?\d{2})?)$"
SPARK_TYPES = {"string": "string", "timestamp": "string", "object": "string", "long": "bigint"}


def envelope_ddl(contracts: Contracts) -> str:
    """Spark DDL for parsing a line: timestamps stay text here so that bad ones can be named."""
    parts = []
    for f in contracts.envelope:
        if f.type == "struct":
            inner = ", ".join(f"{c.name}: {SPARK_TYPES[c.type]}" for c in f.fields)
            parts.append(f"{f.name} struct<{inner}>")
        else:
            parts.append(f"{f.name} {SPARK_TYPES[f.type]}")
    return ", ".join([*parts, "_corrupt string"])


def _timestamp(text: Column, timezone: str) -> Column:
    """ISO-8601 text -> UTC timestamp; text without an offset is local time in `timezone`."""
    from pyspark.sql import functions as F

    parsed = F.try_to_timestamp(text)
    return F.when(~text.rlike(ISO_TIMESTAMP), F.lit(None)).otherwise(
        F.when(text.rlike(HAS_OFFSET), parsed).otherwise(F.to_utc_timestamp(parsed, timezone))
    )


def _first(*cases: tuple[Column, Column]) -> Column:
    from pyspark.sql import functions as F

    expr = F.when(cases[0][0], cases[0][1])
    for condition, value in cases[1:]:
        expr = expr.when(condition, value)
    return expr


def _names(candidates: list[tuple[str, Column]]) -> Column:
    """Comma-separated names whose condition holds (null when none)."""
    from pyspark.sql import functions as F

    listed = F.concat_ws(", ", *[F.when(cond, F.lit(name)) for name, cond in candidates])
    return F.when(listed != "", listed)


def parse_lines(
    lines: DataFrame, contracts: Contracts, hour: datetime | Column, limits: IngestSettings
) -> DataFrame:
    """Add the parsed envelope (`item`), the raw key map (`fields`), `reason` and `reason_detail`.

    `hour` is the landing hour (UTC) the lines came from: one hour, or a timestamp column giving each
    line's own hour when several hours are parsed at once."""
    from pyspark.sql import functions as F

    known_sources = contracts.source_names
    parsed = lines.withColumn(
        "fields",
        F.when(
            F.col("decode_error").isNull() & F.trim("raw_text").rlike(r"^\{.*\}$"),
            F.from_json("raw_text", "map<string,string>"),
        ),
    ).withColumn(
        "item",
        F.when(
            F.col("fields").isNotNull(),
            F.from_json("raw_text", envelope_ddl(contracts), {"columnNameOfCorruptRecord": "_corrupt"}),
        ),
    )
    item, fields = F.col("item"), F.col("fields")
    created = _timestamp(item["created_at"], contracts.timezone)
    crawled = _timestamp(item["crawled_at"], contracts.timezone)
    parsed = parsed.withColumn("created_at_utc", created).withColumn("crawled_at_utc", crawled)

    def present(key: str) -> Column:
        return F.coalesce(fields.getItem(key).isNotNull(), F.lit(False))

    required = sorted({name for source in known_sources for name in contracts.required_for(source)})
    missing = _names(
        [
            (name, ~present(name) & item["source"].isin(_sources_requiring(contracts, name)))
            for name in required
        ]
    )
    engagement_raw = F.from_json(fields.getItem("engagement"), "map<string,string>")
    wrong_type = _names(
        [
            (".".join(path), _wrong_long(path, item, fields, engagement_raw))
            for path in contracts.long_fields()
        ]
        + [("engagement", present("engagement") & item["engagement"].isNull())]
    )
    bad_timestamps = _names(
        [
            ("created_at", present("created_at") & F.col("created_at_utc").isNull()),
            ("crawled_at", present("crawled_at") & F.col("crawled_at_utc").isNull()),
        ]
    )
    out_of_range = _time_range_problem(hour, limits)
    absurd = _names(
        [
            (".".join(path), (_long(item, path) < 0) | (_long(item, path) > limits.max_engagement))
            for path in contracts.long_fields()
        ]
    )
    text_length = F.length(item["text"])
    folder_known = F.col("source").isin(known_sources)

    reason = _first(
        (F.col("decode_error").isNotNull(), F.col("decode_error")),
        (fields.isNull(), F.lit("bad_json")),
        (~item["source"].isin(known_sources) | ~folder_known, F.lit("unknown_source")),
        (item["source"] != F.col("source"), F.lit("source_mismatch")),
        (missing.isNotNull(), F.lit("missing_field")),
        (wrong_type.isNotNull(), F.lit("wrong_type")),
        (bad_timestamps.isNotNull(), F.lit("bad_timestamp")),
        (out_of_range.isNotNull(), F.lit("timestamp_out_of_range")),
        (absurd.isNotNull(), F.lit("absurd_value")),
        (text_length > limits.max_text_chars, F.lit("oversized_text")),
    )
    detail = _first(
        (F.col("decode_error").isNotNull(), F.col("decode_detail")),
        (fields.isNull(), F.lit("not a JSON object")),
        (
            ~item["source"].isin(known_sources) | ~folder_known,
            F.format_string(
                "source %s (folder %s) is not one of: %s",
                F.coalesce(item["source"], F.lit("<none>")),
                F.col("source"),
                F.lit(", ".join(known_sources)),
            ),
        ),
        (
            item["source"] != F.col("source"),
            F.format_string("source field %s in folder source=%s", item["source"], F.col("source")),
        ),
        (missing.isNotNull(), F.concat(F.lit("required field(s) missing: "), missing)),
        (wrong_type.isNotNull(), F.concat(F.lit("expected integer/object for: "), wrong_type)),
        (bad_timestamps.isNotNull(), F.concat(F.lit("not ISO-8601: "), bad_timestamps)),
        (out_of_range.isNotNull(), out_of_range),
        (absurd.isNotNull(), F.concat(F.lit("negative or absurd counter: "), absurd)),
        (
            text_length > limits.max_text_chars,
            F.format_string("text has %d characters > %d", text_length, F.lit(limits.max_text_chars)),
        ),
    )
    return parsed.withColumn("reason", reason).withColumn("reason_detail", detail)


def _sources_requiring(contracts: Contracts, name: str) -> list[str]:
    return [s for s in contracts.source_names if name in contracts.required_for(s)]


def _long(item: Column, path: tuple[str, ...]) -> Column:
    value = item
    for part in path:
        value = value[part]
    return value


def _wrong_long(path: tuple[str, ...], item: Column, fields: Column, engagement_raw: Column) -> Column:
    from pyspark.sql import functions as F

    raw = fields.getItem(path[0]) if len(path) == 1 else engagement_raw.getItem(path[1])
    return F.coalesce(raw.isNotNull() & _long(item, path).isNull(), F.lit(False))


def _time_range_problem(hour: datetime | Column, limits: IngestSettings) -> Column:
    from pyspark.sql import functions as F

    start = _utc_literal(hour) if isinstance(hour, datetime) else hour
    slack = F.expr(f"INTERVAL {limits.crawled_at_slack_minutes} MINUTES")
    window_start = start - slack
    window_end = start + F.expr("INTERVAL 1 HOUR") + slack
    earliest = _utc_literal(
        datetime.fromisoformat(limits.earliest_created_at.replace("Z", "+00:00")).replace(tzinfo=None)
    )
    skew = F.expr(f"INTERVAL {limits.max_clock_skew_minutes} MINUTES")
    created, crawled = F.col("created_at_utc"), F.col("crawled_at_utc")
    return _first(
        (
            (crawled < window_start) | (crawled >= window_end),
            F.format_string(
                "crawled_at %s is outside its landing hour %s (±%d min)",
                crawled.cast("string"),
                F.date_format(start, "yyyy-MM-dd'T'HH:00'Z'"),
                F.lit(limits.crawled_at_slack_minutes),
            ),
        ),
        (
            created < earliest,
            F.format_string(
                "created_at %s is before %s", created.cast("string"), F.lit(limits.earliest_created_at)
            ),
        ),
        (
            created > crawled + skew,
            F.format_string(
                "created_at %s is after crawled_at %s", created.cast("string"), crawled.cast("string")
            ),
        ),
    )


def _utc_literal(moment: datetime) -> Column:
    """A naive UTC datetime as a timestamp literal (F.lit(datetime) would use the local zone)."""
    from pyspark.sql import functions as F

    return F.lit(moment.strftime("%Y-%m-%d %H:%M:%S")).cast("timestamp")
