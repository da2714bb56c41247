"""The gold Spark transforms on tiny frames: key phrases, the mention row, aggregates, trends, campaigns."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from socialbeat.gold import aggregates, campaigns, mentions, trending
from socialbeat.gold.terms import load_stopwords, stopword_frame, with_terms
from socialbeat.settings import CampaignSettings, TrendingSettings
from socialbeat.tables import TableDef, table
from table_rows import placeholder

pytestmark = pytest.mark.spark

TZ = "Asia/Ho_Chi_Minh"
T0 = datetime(2024, 3, 11, 10, 30)  # UTC: 17:30 in Ho Chi Minh City


def _frame(spark: Any, definition: TableDef, rows: list[dict[str, Any]]) -> Any:
    data = [tuple(r.get(c.name, placeholder(c.type, c.nullable)) for c in definition.columns) for r in rows]
    return spark.createDataFrame(data, definition.spark_schema())


def test_key_phrases_leave_out_stopwords_placeholders_and_emoji(spark: Any) -> None:
    posts = spark.createDataFrame(
        [("a", "<PHONE> mọi người ơi đường nguyễn hữu cảnh ngập quá emo_sad 123 , khong biet"), ("b", "")],
        "mention_id string, text_norm string",
    )
    stops = stopword_frame(spark, load_stopwords(None))
    rows = {r["mention_id"]: r["terms"] for r in with_terms(posts, stops, "text_norm", 3).collect()}
    terms = set(rows["a"])
    assert {"nguyễn hữu cảnh", "đường nguyễn hữu", "cảnh ngập", "ngập"} <= terms
    words = {w for t in terms for w in t.split()}
    assert not words & {"phone", "emo_sad", "123", "quá", "ơi", "khong", "biet"}
    assert not any(t.startswith(("mọi ", "người ")) or t.endswith((" quá", " ơi")) for t in terms)
    assert rows["b"] == []


def test_the_gold_mention_row(spark: Any) -> None:
    enriched = _frame(
        spark,
        table("silver.mentions_enriched"),
        [
            {
                "mention_id": "m1",
                "source": "facebook_post",
                "author_id": "fb-1",
                "created_at": T0,
                "likes": 3,
                "shares": None,
                "comments": 2,
                "sentiment": "negative",
                "sentiment_scores": {"negative": 0.7, "neutral": 0.2, "positive": 0.1},
                "categories": ["flooding", "traffic"],
                "category_scores": {"flooding": 0.9, "traffic": 0.4},
                "locations": ["Quận Bình Thạnh", "Phường 22"],
                "primary_district": None,
                "model_versions": {"sentiment": "v1", "categories": "v2"},
            }
        ],
    )
    silver = _frame(
        spark,
        table("silver.mentions"),
        [
            {
                "mention_id": "m1",
                "text_norm": "đường nguyễn hữu cảnh ngập nặng",
                "text_display": "Đường ngập nặng",
                "pii_fingerprints": [{"type": "phone", "fingerprint": "ab"}],
            }
        ],
    )
    stops = stopword_frame(spark, load_stopwords(None))
    built = mentions.build_mentions(enriched, silver, stops, TZ, "Chưa xác định", 3)
    row = table("gold.mentions").conform(built).first()
    assert row["hour_vn"] == datetime(2024, 3, 11, 17) and row["hour"] == 17
    assert row["engagement"] == 5 and row["sentiment_score"] == pytest.approx(0.7)
    assert row["primary_category"] == "flooding" and row["district"] == "Chưa xác định"
    assert row["primary_ward"] == "Phường 22" and "nguyễn hữu cảnh" in row["terms"]
    bridge = mentions.mention_categories(built).collect()
    assert sorted((r["category"], r["is_primary"]) for r in bridge) == [
        ("flooding", True),
        ("traffic", False),
    ]


def _bridge(spark: Any, rows: list[tuple[str, str, str, str, int]]) -> Any:
    hour = datetime(2024, 3, 11, 17)
    return spark.createDataFrame(
        [(m, c, date(2024, 3, 11), hour, 17, "facebook_post", "Quận 8", s, e, a) for m, c, s, a, e in rows],
        "mention_id string, category string, created_date date, hour_vn timestamp_ntz, hour int, "
        "source string, district string, sentiment string, engagement bigint, author_id string",
    )


def test_hourly_and_daily_measures(spark: Any) -> None:
    bridge = _bridge(
        spark,
        [
            ("m1", "flooding", "negative", "a", 0),
            ("m2", "flooding", "negative", "a", 9),
            ("m3", "flooding", "positive", "b", 0),
            ("m3", "traffic", "positive", "b", 0),
        ],
    )
    rows = {r["category"]: r for r in aggregates.category_hourly(bridge).collect()}
    flood = rows["flooding"]
    assert (flood["volume"], flood["negative"], flood["positive"], flood["unique_authors"]) == (3, 2, 1, 2)
    assert flood["net_sentiment"] == pytest.approx(-1 / 3)
    assert flood["engagement_weighted_volume"] == pytest.approx(3 + 2.302585, rel=1e-5)
    assert aggregates.category_daily(bridge).count() == 2


def test_trending_growth_against_the_trailing_days(spark: Any) -> None:
    rows = [
        (date(2024, 3, 10), "flooding", "triều cường", 2, 2, 2),
        (date(2024, 3, 11), "flooding", "triều cường", 2, 10, 9),
        (date(2024, 3, 11), "flooding", "nguyễn hữu cảnh", 3, 6, 6),
        (date(2024, 3, 11), "flooding", "nguyễn hữu", 2, 6, 6),
        (date(2024, 3, 11), "flooding", "ngập", 1, 20, 20),
    ]
    daily = spark.createDataFrame(
        rows, "created_date date, category string, term string, ngram int, mentions bigint, authors bigint"
    )
    cfg = TrendingSettings(min_mentions=3, top_terms=10)
    found = {r["term"]: r for r in trending.trending_terms(daily, ["2024-03-11"], cfg).collect()}
    assert set(found) == {"triều cường", "nguyễn hữu cảnh"}  # "ngập" is one syllable, "nguyễn hữu" is inside
    tide = found["triều cường"]
    assert (tide["baseline_days"], tide["baseline_mentions"]) == (1, 2.0)
    assert tide["growth"] == pytest.approx(11 / 3) and tide["rank"] == 1
    assert found["nguyễn hữu cảnh"]["growth"] == pytest.approx(7.0)  # no history of the phrase: baseline 0


def _posts(
    spark: Any, authors: int, step: timedelta, cluster: str, phone: str | None
) -> list[dict[str, Any]]:
    return [
        {
            "mention_id": f"{cluster}-{i}",
            "author_id": f"a{i}",
            "created_at": T0 + step * i,
            "created_at_vn": T0 + step * i + timedelta(hours=7),
            "primary_category": "misinformation",
            "district": "Quận 12",
            "source": "facebook_post",
            "engagement": 1,
            "sentiment": "negative",
            "text_display": "Tin giả",
            "near_dup_cluster_id": cluster,
            "pii_fingerprints": [{"type": "phone", "fingerprint": phone}] if phone else [],
        }
        for i in range(authors)
    ]


def test_campaigns_need_many_authors_in_a_burst_or_one_shared_number(spark: Any) -> None:
    rows = (
        _posts(spark, 20, timedelta(minutes=2), "burst", None)
        + _posts(spark, 20, timedelta(hours=1), "steady", None)
        + _posts(spark, 12, timedelta(minutes=25), "scam", "f00d")
    )
    schema = (
        "mention_id string, author_id string, created_at timestamp, created_at_vn timestamp_ntz, "
        "primary_category string, district string, source string, engagement bigint, sentiment string, "
        "text_display string, near_dup_cluster_id string, "
        "pii_fingerprints array<struct<type:string,fingerprint:string>>"
    )
    frame = spark.createDataFrame([tuple(r.values()) for r in rows], schema)
    found = {r["campaign_id"]: r for r in campaigns.campaigns(frame, CampaignSettings()).collect()}
    assert set(found) == {"near_duplicate:burst", "shared_identifier:phone:f00d"}
    burst = found["near_duplicate:burst"]
    assert (burst["authors"], burst["peak_window_authors"], burst["category"]) == (20, 20, "misinformation")
    assert burst["first_mention_id"] == "burst-0" and burst["spread_rate"] == pytest.approx(20.0)
    scam = found["shared_identifier:phone:f00d"]
    assert scam["recurring_pii"][0]["fingerprint"] == "f00d" and scam["recurring_pii"][0]["mentions"] == 12


def test_top_authors_rank_by_engagement(spark: Any) -> None:
    rows = [
        ("m1", "a", "A", 10, "facebook", "facebook_post", 5, "negative", 1, ["flooding"]),
        ("m2", "b", "B", 99, "facebook", "facebook_post", 50, "neutral", 1, ["flooding"]),
        ("m3", "a", "A", 10, "facebook", "facebook_post", 60, "negative", 1, []),
    ]
    frame = spark.createDataFrame(
        [(date(2024, 3, 11), *r) for r in rows],
        "created_date date, mention_id string, author_id string, author_name string, "
        "author_followers bigint, platform string, source string, engagement bigint, sentiment string, "
        "views bigint, categories array<string>",
    )
    top = {(r["category"], r["rank"]): r for r in aggregates.top_authors(frame, 10).collect()}
    assert top[("all", 1)]["author_id"] == "a" and top[("all", 1)]["engagement"] == 65
    assert top[("all", 1)]["top_mention_id"] == "m3"
    assert top[("flooding", 1)]["author_id"] == "b" and top[("flooding", 2)]["reach"] == 10


def test_a_gold_write_never_reaches_outside_its_dates(spark: Any, settings: Any) -> None:
    """replace_dates replaces whole Vietnam dates; a batch row of another date fails the write (Delta's
    replaceWhere constraint check) and the table keeps what it had."""
    from socialbeat.gold.store import replace_dates

    name = "gold.category_daily"
    keys = ["created_date", "source", "category", "district"]
    row = {"source": "forum_post", "category": "flooding", "district": "Quận 1", "volume": 1, "neutral": 1}
    day, other = date(2024, 3, 11), date(2024, 3, 12)
    frame = _frame(spark, table(name), [{**row, "created_date": day}])
    assert replace_dates(spark, name, settings.lake_uri, frame, [str(day)], keys) == 1
    stray = _frame(spark, table(name), [{**row, "created_date": day}, {**row, "created_date": other}])
    with pytest.raises(Exception, match="DELTA_REPLACE_WHERE_MISMATCH"):
        replace_dates(spark, name, settings.lake_uri, stray, [str(day)], keys)
    kept = spark.read.format("delta").load(table(name).location(settings.lake_uri)).collect()
    assert [(r["created_date"], r["volume"]) for r in kept] == [(day, 1)]
