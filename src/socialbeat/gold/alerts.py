"""Spike alerts per category x district x Vietnam hour (gold.alerts).

A cell is a (category, district) pair, or (category, the whole city). Its count in hour h is
compared with what its history expects:

- *same_hour*: the mean count of the cell at the same hour of the previous `baseline_days` days,
  over the days that have data at that hour (at least `baseline_coverage` of this hour's volume:
  late arrivals alone do not make a baseline), when at least `min_baseline_days` do;
- otherwise *trailing_share*: the cell's share of all mentions in the previous `fallback_hours`
  hours (shrunk towards its category's share with `prior_mentions` pseudo-mentions) times the
  hour's volume without the cell. No trailing data at all: the hour cannot be judged.

The expected count is at least `min_expected`. The hour spikes when its count reaches `min_volume`,
`min_ratio` times the expected count and a Poisson upper tail P(X >= count | expected) of at most
`max_p_value`. Consecutive spike hours, with gaps of fewer than `close_after_hours` quiet hours, make
one alert. It is *closed* once the data reaches `close_after_hours` hours past its last spike hour
(the watermark is the latest crawl hour in gold.mentions), else *open*. Everything is a function of
the data: no wall clock, and the same tables give the same alerts.

Unlocated mentions count towards the city-wide cells only: "somewhere" is not a place to send anyone.

A shared-identifier campaign (one phone number or bank account in the posts of many people,
gold.campaigns) also raises a city-wide alert (`method` = campaign) from the hour it reached its
author threshold: a scam wave adds a few posts an hour to a category that has many, which no volume
test sees early, while the same number in ten strangers' posts is a signal on its own.
The statistics run in pandas on the aggregated cells (small); evidence (driving terms, example
mentions) is joined in Spark.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import pandas as pd

from socialbeat.gold.trending import drop_subsumed
from socialbeat.settings import AlertSettings

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

HOUR = pd.Timedelta(hours=1)
SCOPES = ("district", "city")


def poisson_tail(count: int, expected: float) -> float:
    """P(X >= count) for X ~ Poisson(expected)."""
    from scipy.stats import poisson

    return float(poisson.sf(count - 1, expected)) if count > 0 else 1.0


def severity(p_value: float, thresholds: dict[str, float]) -> str:
    strength = -math.log10(max(p_value, 1e-300))
    level = "low"
    for name, bound in sorted(thresholds.items(), key=lambda kv: kv[1]):
        if strength >= bound:
            level = name
    return level


def with_citywide(cells: pd.DataFrame, citywide: str, unknown: str) -> pd.DataFrame:
    """District cells (unlocated ones dropped) plus one city-wide cell per category and hour."""
    city = cells.groupby(["hour_vn", "category"], as_index=False)["volume"].sum()
    city["district"], city["scope"] = citywide, "city"
    located = cells[cells["district"] != unknown].assign(scope="district")
    return pd.concat([located, city], ignore_index=True)[
        ["hour_vn", "category", "district", "scope", "volume"]
    ]


def _same_hour(
    cell: pd.Series, counts: dict[tuple[Any, ...], int], totals: dict[pd.Timestamp, int], cfg: AlertSettings
) -> float | None:
    days = [cell.hour_vn - pd.Timedelta(days=d) for d in range(1, cfg.baseline_days + 1)]
    # Late arrivals put a few mentions into earlier days: such an hour is no baseline.
    enough = max(1.0, cfg.baseline_coverage * totals.get(cell.hour_vn, 0))
    with_data = [h for h in days if totals.get(h, 0) >= enough]
    if len(with_data) < cfg.min_baseline_days:
        return None
    return sum(counts.get((h, cell.category, cell.district), 0) for h in with_data) / len(with_data)


def _trailing_share(
    cell: pd.Series,
    counts: dict[tuple[Any, ...], int],
    totals: dict[pd.Timestamp, int],
    category_totals: dict[tuple[Any, ...], int],
    districts: int,
    cfg: AlertSettings,
) -> float | None:
    window = [cell.hour_vn - HOUR * i for i in range(1, cfg.fallback_hours + 1)]
    volume = sum(totals.get(h, 0) for h in window)
    if volume == 0:
        return None
    own = sum(counts.get((h, cell.category, cell.district), 0) for h in window)
    category = sum(category_totals.get((h, cell.category), 0) for h in window)
    prior = category / volume / (1 if cell.scope == "city" else districts)
    share = (own + cfg.prior_mentions * prior) / (volume + cfg.prior_mentions)
    rest = max(totals.get(cell.hour_vn, 0) - cell.volume, 0)
    return rest * share / (1 - share) if share < 1 else float(rest)


def score_hours(
    cells: pd.DataFrame, totals: pd.DataFrame, target_dates: Sequence[str], cfg: AlertSettings
) -> pd.DataFrame:
    """Judge every cell-hour of `target_dates` that reaches min_volume; one row per judged hour with
    expected, ratio, z, p_value, method and `spike`. `cells`: hour_vn, category, district, scope,
    volume (from with_citywide); `totals`: hour_vn, volume (all mentions, civic or not)."""
    counts = {(r.hour_vn, r.category, r.district): int(r.volume) for r in cells.itertuples()}
    city = cells[cells["scope"] == "city"]
    category_totals = {(r.hour_vn, r.category): int(r.volume) for r in city.itertuples()}
    volume_by_hour = {r.hour_vn: int(r.volume) for r in totals.itertuples()}
    districts = max(1, cells.loc[cells["scope"] == "district", "district"].nunique())
    dates = set(target_dates)
    judged = cells[(cells["volume"] >= cfg.min_volume) & cells["hour_vn"].dt.strftime("%Y-%m-%d").isin(dates)]
    rows = []
    for cell in judged.itertuples(index=False):
        series = pd.Series(cell._asdict())
        expected, method = _same_hour(series, counts, volume_by_hour, cfg), "same_hour"
        if expected is None:
            expected = _trailing_share(series, counts, volume_by_hour, category_totals, districts, cfg)
            method = "trailing_share"
        if expected is None:
            continue
        expected = max(expected, cfg.min_expected)
        p_value = poisson_tail(int(cell.volume), expected)
        ratio = cell.volume / expected
        rows.append({**cell._asdict(), "expected": expected, "ratio": ratio,
                     "z_score": (cell.volume - expected) / math.sqrt(expected), "p_value": p_value,
                     "method": method,
                     "spike": ratio >= cfg.min_ratio and p_value <= cfg.max_p_value})  # fmt: skip
    columns = [*cells.columns, "expected", "ratio", "z_score", "p_value", "method", "spike"]
    return pd.DataFrame(rows, columns=columns)


def alert_id(category: str, district: str, start: datetime) -> str:
    key = f"{category}\x1f{district}\x1f{start:%Y-%m-%dT%H}"
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def episodes(scored: pd.DataFrame, watermark: datetime | None, cfg: AlertSettings) -> pd.DataFrame:
    """Group spike hours into alerts (one row each) with status open/closed against `watermark`."""
    # An empty object-typed mask would select columns, not rows: make it boolean first.
    spikes = scored[scored["spike"].astype(bool)].sort_values(["category", "district", "hour_vn"])
    rows = []
    gap = HOUR * cfg.close_after_hours
    for (category, district), hours in spikes.groupby(["category", "district"], sort=True):
        run: list[Any] = []
        for row in hours.itertuples(index=False):
            if run and row.hour_vn - run[-1].hour_vn > gap:
                rows.append(_episode(category, district, run, watermark, cfg))
                run = []
            run.append(row)
        rows.append(_episode(category, district, run, watermark, cfg))
    return pd.DataFrame(rows, columns=ALERT_COLUMNS)


ALERT_COLUMNS = ["alert_id", "alert_date", "category", "district", "scope", "start_hour_vn", "last_hour_vn",
                 "peak_hour_vn", "spike_hours", "hours", "volume", "peak_volume", "expected", "ratio",
                 "z_score", "p_value", "severity", "method", "status", "closes_at_hour_vn",
                 "campaign_id"]  # fmt: skip


def _episode(
    category: str, district: str, run: list[Any], watermark: datetime | None, cfg: AlertSettings
) -> dict[str, Any]:
    peak = min(run, key=lambda r: (r.p_value, -r.volume, r.hour_vn))
    start, last = run[0].hour_vn.to_pydatetime(), run[-1].hour_vn.to_pydatetime()
    closes = last + timedelta(hours=cfg.close_after_hours)
    return {
        "alert_id": alert_id(category, district, start),
        "alert_date": start.date(),
        "category": category,
        "district": district,
        "scope": run[0].scope,
        "start_hour_vn": start,
        "last_hour_vn": last,
        "peak_hour_vn": peak.hour_vn.to_pydatetime(),
        "spike_hours": [r.hour_vn.to_pydatetime() for r in run],
        "hours": len(run),
        "volume": int(sum(r.volume for r in run)),
        "peak_volume": int(peak.volume),
        "expected": float(peak.expected),
        "ratio": float(peak.ratio),
        "z_score": float(peak.z_score),
        "p_value": float(peak.p_value),
        "severity": severity(float(peak.p_value), cfg.severity),
        "method": peak.method,
        "status": _status(watermark, closes),
        "closes_at_hour_vn": closes,
        "campaign_id": None,
    }


def _status(watermark: datetime | None, closes: datetime) -> str:
    return "closed" if watermark is not None and watermark >= closes else "open"


def campaign_alerts(
    campaigns: pd.DataFrame,
    hourly: pd.DataFrame,
    watermark: datetime | None,
    citywide: str,
    min_authors: int,
    cfg: AlertSettings,
) -> pd.DataFrame:
    """One city-wide alert per shared-identifier campaign (a phone number, an account in the posts of
    many people), from the hour it reached `min_authors` distinct authors: a rule, not a volume test
    (expected = min_authors, ratio = peak window authors / min_authors, no p-value). `hourly`:
    campaign_id, hour_vn, volume (its mentions per Vietnam hour)."""
    rows = []
    for campaign in campaigns.sort_values("campaign_id").itertuples(index=False):
        start = pd.Timestamp(campaign.reached_at).floor("h")
        hours = hourly[(hourly["campaign_id"] == campaign.campaign_id) & (hourly["hour_vn"] >= start)]
        if hours.empty:
            continue
        hours = hours.sort_values("hour_vn")
        peak = hours.sort_values(["volume", "hour_vn"], ascending=[False, True]).iloc[0]
        last = hours["hour_vn"].max().to_pydatetime()
        ratio = float(campaign.peak_window_authors) / min_authors
        closes = last + timedelta(hours=cfg.close_after_hours)
        rows.append({
            "alert_id": alert_id(campaign.category, f"{citywide}|{campaign.campaign_id}", start),
            "alert_date": start.date(), "category": campaign.category, "district": citywide, "scope": "city",
            "start_hour_vn": start.to_pydatetime(), "last_hour_vn": last,
            "peak_hour_vn": peak["hour_vn"].to_pydatetime(),
            "spike_hours": [h.to_pydatetime() for h in hours["hour_vn"]], "hours": len(hours),
            "volume": int(hours["volume"].sum()), "peak_volume": int(peak["volume"]),
            "expected": float(min_authors), "ratio": ratio, "z_score": None, "p_value": None,
            "severity": "critical" if ratio >= 4 else "high" if ratio >= 2 else "medium",
            "method": "campaign", "status": _status(watermark, closes), "closes_at_hour_vn": closes,
            "campaign_id": campaign.campaign_id,
        })  # fmt: skip
    return pd.DataFrame(rows, columns=ALERT_COLUMNS)


def python_rows(frame: pd.DataFrame, columns: Sequence[str]) -> list[tuple[Any, ...]]:
    """Rows of plain Python values (datetime, int, float, lists of them) for spark.createDataFrame."""

    def plain(value: Any) -> Any:
        if isinstance(value, float) and math.isnan(value):
            return None
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        if isinstance(value, pd.Timestamp):
            return value.to_pydatetime()
        return value.item() if hasattr(value, "item") else value

    return [tuple(plain(v) for v in row) for row in frame[list(columns)].itertuples(index=False, name=None)]


def alert_mentions(alerts: DataFrame, bridge: DataFrame, citywide: str) -> DataFrame:
    """(alert_id, mention_id, engagement, sentiment) of every mention counted in a volume alert's spike
    hours (a campaign alert's mentions are its campaign's: see campaign_members)."""
    from pyspark.sql import functions as F

    volume_alerts = alerts.where(F.col("campaign_id").isNull())
    hours = volume_alerts.select(
        "alert_id", "category", "district", F.explode("spike_hours").alias("hour_vn")
    )
    same_district = (F.col("a.district") == F.lit(citywide)) | (F.col("a.district") == F.col("b.district"))
    return (
        hours.alias("a")
        .join(
            bridge.alias("b"),
            (F.col("a.category") == F.col("b.category"))
            & (F.col("a.hour_vn") == F.col("b.hour_vn"))
            & same_district,
        )
        .select("a.alert_id", "b.mention_id", "b.engagement", "b.sentiment")
    )


def campaign_members(alerts: DataFrame, members: DataFrame, timezone_hour: Any) -> DataFrame:
    """(alert_id, mention_id, engagement, sentiment) of the campaign alerts: their campaign's mentions
    in their hours. `members`: campaigns.members rows with campaign_id; `timezone_hour`: created_at_vn
    -> hour column function."""
    from pyspark.sql import functions as F

    hours = alerts.where(F.col("campaign_id").isNotNull()).select(
        "alert_id", "campaign_id", F.explode("spike_hours").alias("hour_vn")
    )
    posts = members.withColumn("hour_vn", timezone_hour(F.col("created_at_vn")))
    return hours.join(posts, ["campaign_id", "hour_vn"]).select(
        "alert_id", "mention_id", "engagement", "sentiment"
    )


def evidence(members: DataFrame, examples: int, terms: int, min_ngram: int) -> DataFrame:
    """Per alert: the `examples` most engaged mention ids, the `terms` most frequent key phrases (of
    `min_ngram` words or more, in two of its mentions or more, leaving out a phrase inside a longer one
    that is as frequent; longer phrases first on ties) and the negative share."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    by_alert = Window.partitionBy("alert_id")
    most_engaged = by_alert.orderBy(F.desc("engagement"), "mention_id")
    examples_of = _first(members, most_engaged, "mention_id", examples, "example_mention_ids")
    counted = drop_subsumed(
        members.select("alert_id", F.explode("terms").alias("term"))
        .groupBy("alert_id", "term")
        .count()
        .withColumn("ngram", F.size(F.split("term", " ")))
        .where((F.col("count") >= 2) & (F.col("ngram") >= min_ngram)),
        ["alert_id"],
        "count",
    )
    most_frequent = by_alert.orderBy(F.desc("count"), F.desc("ngram"), "term")
    driving = _first(counted, most_frequent, "term", terms, "driving_terms")
    negative = members.groupBy("alert_id").agg(
        F.avg(F.when(F.col("sentiment") == "negative", 1.0).otherwise(0.0)).alias("negative_share")
    )
    return negative.join(examples_of, "alert_id", "left").join(driving, "alert_id", "left")


def _first(frame: DataFrame, order: Any, column: str, n: int, name: str) -> DataFrame:
    """Per alert_id: the first `n` values of `column` in the window `order`, as an array `name`."""
    from pyspark.sql import functions as F

    return (
        frame.withColumn("_r", F.row_number().over(order))
        .where(F.col("_r") <= n)
        .groupBy("alert_id")
        .agg(F.sort_array(F.collect_list(F.struct("_r", column))).alias("_v"))
        .select("alert_id", F.col(f"_v.{column}").alias(name))
    )
