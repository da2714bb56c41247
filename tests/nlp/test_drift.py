"""The daily model-quality check on tiny enriched days: shares, baseline, PSI, drift, idempotence."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from socialbeat.nlp.drift import QUALITY, run_model_quality
from socialbeat.settings import Settings
from socialbeat.tables import table
from socialbeat.taxonomy import CATEGORIES, SENTIMENTS

pytestmark = pytest.mark.spark

DAY = date(2024, 3, 11)


def _enriched_day(spark: Any, settings: Settings, day: date, sentiments: list[str], flooding: int) -> None:
    """Write `len(sentiments)` enriched mentions of `day`, the first `flooding` of them about floods."""
    from pyspark.sql import functions as F

    definition = table("silver.mentions_enriched")
    rows = []
    for i, sentiment in enumerate(sentiments):
        categories = ["flooding"] if i < flooding else []
        rows.append(
            {
                "mention_id": f"{day}-{i}",
                "platform_item_id": f"{day}-{i}",
                "sentiment": sentiment,
                "sentiment_scores": {s: (0.8 if s == sentiment else 0.1) for s in SENTIMENTS},
                "categories": categories,
                "category_scores": {c: (0.9 if c in categories else 0.05) for c in CATEGORIES},
                "model_versions": {"sentiment": "s-1", "categories": "c-1"},
                "created_date": day,
            }
        )
    frame = spark.createDataFrame(
        rows,
        "mention_id string, platform_item_id string, sentiment string, sentiment_scores map<string,double>, "
        "categories array<string>, category_scores map<string,double>, model_versions map<string,string>, "
        "created_date date",
    )
    filled = {
        c.name: F.lit(None if c.nullable else {"timestamp": datetime(2024, 3, 11)}.get(c.type, "x")).cast(
            c.type
        )
        for c in definition.columns
        if c.name not in frame.columns
    }
    frame = definition.conform(frame.withColumns(filled))
    frame.write.format("delta").mode("append").partitionBy("created_date").save(
        definition.location(settings.lake_uri)
    )


def _rows(spark: Any, settings: Settings, day: date) -> dict[tuple[str, str], Any]:
    frame = spark.read.format("delta").load(table(QUALITY).location(settings.lake_uri))
    return {(r["model"], r["label"]): r for r in frame.where(f"created_date = '{day}'").collect()}


def test_a_shifted_day_drifts_against_its_trailing_days_and_a_rerun_changes_nothing(
    spark: Any, settings: Settings
) -> None:
    calm, before = ["negative", "neutral", "positive", "positive"] * 5, DAY - timedelta(days=1)
    _enriched_day(spark, settings, before, calm, flooding=1)
    _enriched_day(spark, settings, DAY, ["negative"] * 18 + ["positive"] * 2, flooding=15)
    run_model_quality(spark, settings, before)
    report = run_model_quality(spark, settings, DAY)

    first = _rows(spark, settings, before)
    assert (
        first[("sentiment", "positive")]["share"] == 0.5
        and first[("sentiment", "positive")]["baseline_days"] == 0
    )
    assert not first[("sentiment", "positive")]["drift"] and first[("sentiment", "positive")]["psi"] is None

    shifted = _rows(spark, settings, DAY)
    assert len(shifted) == len(SENTIMENTS) + len(CATEGORIES)
    flooding = shifted[("categories", "flooding")]
    assert (flooding["mentions"], flooding["predicted"], flooding["share"]) == (20, 15, 0.75)
    assert flooding["baseline_days"] == 1 and flooding["baseline_share"] == pytest.approx(0.05)
    assert flooding["mean_score"] == pytest.approx((15 * 0.9 + 5 * 0.05) / 20)
    assert shifted[("categories", "traffic")]["psi"] == pytest.approx(0.0)  # 0 then, 0 now
    assert shifted[("sentiment", "negative")]["share"] == 0.9 and shifted[("sentiment", "negative")]["drift"]
    assert report.drift == ["categories", "sentiment"] and shifted[("sentiment", "neutral")][
        "model_versions"
    ] == ["s-1"]

    location = table(QUALITY).location(settings.lake_uri)
    stored = sorted(map(tuple, spark.read.format("delta").load(location).collect()))
    run_model_quality(spark, settings, DAY)
    assert sorted(map(tuple, spark.read.format("delta").load(location).collect())) == stored
