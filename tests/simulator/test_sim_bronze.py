"""A simulated crawl reconciles exactly through bronze: every malformed line is quarantined as scripted."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

import pytest

from socialbeat.bronze.ingest import CRAWL_ITEMS, INGEST_LOG, QUARANTINE, ingest_hour, ingest_hours
from socialbeat.settings import Settings
from socialbeat.simulator import simulate
from socialbeat.tables import table

pytestmark = [pytest.mark.spark, pytest.mark.slow]

START = datetime(2024, 3, 11, 10)


def test_simulated_hours_reconcile_and_quarantine_matches_the_truth(spark: Any, settings: Settings) -> None:
    summary = simulate(
        settings.landing_uri, START, hours=2, mentions_per_hour=400, seed=11, malformed_rate=0.03
    )
    assert summary.total_malformed > 0

    hours = [START.replace(hour=START.hour + i) for i in range(2)]
    reports = [ingest_hour(spark, settings, hour) for hour in hours]

    assert sum(r.lines_read for r in reports) == summary.total_lines
    assert sum(r.bronze_rows for r in reports) == summary.total_valid
    assert all(f.balanced for r in reports for f in r.files)
    reasons: Counter[str] = Counter()
    for report in reports:
        reasons.update(report.reasons)
    assert dict(reasons) == {code: n for code, n in summary.malformed.items() if n}
    declared = [f for r in reports for f in r.files if f.declared_lines is not None]
    # The manifest counts complete lines; a cut gzip part has one more: its broken tail.
    assert declared and all(f.lines_read - f.declared_lines in (0, 1) for f in declared)
    assert sum(f.lines_read - f.declared_lines for f in declared) == summary.malformed.get(
        "truncated_gzip", 0
    )

    # Both hours in one pass (a backfill) give the same reports and the very same tables.
    def tables() -> list[list[tuple[Any, ...]]]:
        frames = [spark.read.format("delta").load(table(n).location(settings.lake_uri)) for n in names]
        return [sorted(map(tuple, f.collect()), key=repr) for f in frames]

    names = (CRAWL_ITEMS, QUARANTINE, INGEST_LOG)
    hour_by_hour = tables()
    assert [r.as_dict() for r in ingest_hours(spark, settings, hours)] == [r.as_dict() for r in reports]
    assert tables() == hour_by_hour
