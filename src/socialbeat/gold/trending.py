"""Trending key phrases: per Vietnam date x category, n-gram burst scores against a trailing baseline.

gold.term_daily counts, per date x category (and `all`), the mentions and authors of each key phrase
(gold.mentions.terms). gold.trending_terms ranks a day's phrases by

    growth = (mentions + 1) / (baseline + 1),  score = mentions * ln(1 + growth)

where `baseline` is the phrase's mean daily mentions over the previous `baseline_days` days that
have data for the category (0 when it did not occur; `baseline_days` = 0 when there is no history,
so every phrase is new). A phrase is dropped when a longer one containing it has at least
SUBSUMED_SHARE of its mentions ("nguyễn hữu" under "nguyễn hữu cảnh").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from socialbeat.gold.aggregates import by_category
from socialbeat.settings import TrendingSettings

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

SUBSUMED_SHARE = 0.8
MIN_DAILY_MENTIONS = 2  # term_daily keeps phrases of two mentions or more


def term_daily(mentions: DataFrame) -> DataFrame:
    """(created_date, category, term, ngram, mentions, authors) for phrases of >= 2 mentions."""
    from pyspark.sql import functions as F

    exploded = by_category(mentions, "created_date", "mention_id", "author_id", "terms").select(
        "created_date", "category", "mention_id", "author_id", F.explode("terms").alias("term")
    )
    counted = exploded.groupBy("created_date", "category", "term").agg(
        F.countDistinct("mention_id").alias("mentions"), F.countDistinct("author_id").alias("authors")
    )
    return counted.where(F.col("mentions") >= MIN_DAILY_MENTIONS).withColumn(
        "ngram", F.size(F.split("term", " "))
    )


def trending_terms(daily: DataFrame, dates: list[str], cfg: TrendingSettings) -> DataFrame:
    """The top phrases (of cfg.min_ngram words or more) of each of `dates` (ISO strings) per
    category; `daily` must hold those dates and the `baseline_days` before them."""
    from pyspark.sql import functions as F

    baseline_days = cfg.baseline_days
    targets = daily.where(
        F.col("created_date").isin(dates)
        & (F.col("mentions") >= cfg.min_mentions)
        & (F.col("ngram") >= cfg.min_ngram)
    )
    history = daily.select(
        F.col("created_date").alias("h_date"), F.col("category").alias("h_category"),
        F.col("term").alias("h_term"), F.col("mentions").alias("h_mentions"),
    )  # fmt: skip
    in_window = (F.col("h_date") < F.col("created_date")) & (
        F.col("h_date") >= F.date_sub(F.col("created_date"), baseline_days)
    )
    days_with_data = (
        targets.select("created_date", "category")
        .distinct()
        .join(history.select("h_date", "h_category").distinct(), F.col("category") == F.col("h_category"))
        .where(in_window)
        .groupBy("created_date", "category")
        .agg(F.countDistinct("h_date").alias("baseline_days"))
    )
    past = (
        targets.join(
            history,
            (F.col("category") == F.col("h_category")) & (F.col("term") == F.col("h_term")) & in_window,
            "left",
        )
        .groupBy("created_date", "category", "term", "ngram", "mentions", "authors")
        .agg(F.sum(F.coalesce("h_mentions", F.lit(0))).alias("baseline_total"))
    )
    scored = (
        past.join(days_with_data, ["created_date", "category"], "left")
        .withColumn("baseline_days", F.coalesce("baseline_days", F.lit(0)))
        .withColumn(
            "baseline_mentions",
            F.when(F.col("baseline_days") > 0, F.col("baseline_total") / F.col("baseline_days")).otherwise(
                0.0
            ),
        )
        .withColumn("growth", (F.col("mentions") + 1) / (F.col("baseline_mentions") + 1))
        .withColumn("score", F.col("mentions") * F.log1p(F.col("growth")))
    )
    return _rank(drop_subsumed(_top(scored, 3 * cfg.top_terms), ["created_date", "category"]), cfg.top_terms)


def _top(frame: DataFrame, n: int) -> DataFrame:
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    order = Window.partitionBy("created_date", "category").orderBy(F.desc("score"), "term")
    return frame.withColumn("_r", F.row_number().over(order)).where(F.col("_r") <= n).drop("_r")


def drop_subsumed(frame: DataFrame, keys: list[str], count: str = "mentions") -> DataFrame:
    """Drop each phrase that a longer phrase of the same group (`keys`) contains and that has at least
    SUBSUMED_SHARE of its `count` (`frame` has term, ngram and `count`)."""
    from pyspark.sql import functions as F

    longer = frame.select(
        *[F.col(k).alias(f"_l_{k}") for k in keys],
        F.col("term").alias("_l_term"), F.col(count).alias("_l_count"), F.col("ngram").alias("_l_ngram"),
    )  # fmt: skip
    inside = F.concat(F.lit(" "), F.col("_l_term"), F.lit(" ")).contains(
        F.concat(F.lit(" "), F.col("term"), F.lit(" "))
    )
    covered = (
        F.col("_l_ngram") > F.col("ngram")
    ) & inside & (F.col("_l_count") >= F.lit(SUBSUMED_SHARE) * F.col(count))  # fmt: skip
    for k in keys:
        covered = covered & (F.col(f"_l_{k}") == F.col(k))
    return frame.join(longer, covered, "left_anti")


def _rank(frame: DataFrame, top: int) -> DataFrame:
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    order = Window.partitionBy("created_date", "category").orderBy(F.desc("score"), "term")
    return frame.withColumn("rank", F.row_number().over(order)).where(F.col("rank") <= top)
