"""gold.category_hourly, gold.category_daily and gold.top_authors: aggregates of the bridge table."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

ALL = "all"  # the category value of rows over every mention (civic or not) in top_authors / trending


def engagement_weight(engagement: Column) -> Column:
    """One mention counts 1 + ln(1 + likes + shares + comments): a viral post weighs more, not 10,000x."""
    from pyspark.sql import functions as F

    return F.lit(1.0) + F.log1p(engagement.cast("double"))


def _measures() -> list[Column]:
    from pyspark.sql import functions as F

    def count(label: str) -> Column:
        return F.count(F.when(F.col("sentiment") == label, 1)).alias(label)

    return [
        F.count("*").alias("volume"),
        count("negative"),
        count("neutral"),
        count("positive"),
        F.sum(engagement_weight(F.col("engagement"))).alias("engagement_weighted_volume"),
        F.sum("engagement").alias("engagement"),
        F.countDistinct("author_id").alias("unique_authors"),
    ]


def _net(frame: DataFrame) -> DataFrame:
    from pyspark.sql import functions as F

    return frame.withColumn("net_sentiment", (F.col("positive") - F.col("negative")) / F.col("volume"))


def category_hourly(bridge: DataFrame) -> DataFrame:
    """Per Vietnam hour x source x category x district."""
    keys = ["created_date", "hour_vn", "hour", "source", "category", "district"]
    return _net(bridge.groupBy(*keys).agg(*_measures()))


def category_daily(bridge: DataFrame) -> DataFrame:
    """Per Vietnam date x source x category x district (unique authors counted over the day)."""
    keys = ["created_date", "source", "category", "district"]
    return _net(bridge.groupBy(*keys).agg(*_measures()))


def by_category(mentions: DataFrame, *columns: str) -> DataFrame:
    """`columns` of each mention once per category it has, and once more under category `all`."""
    from pyspark.sql import functions as F

    civic = mentions.select(F.explode("categories").alias("category"), *columns)
    return civic.unionByName(mentions.select(F.lit(ALL).alias("category"), *columns))


def top_authors(mentions: DataFrame, limit: int) -> DataFrame:
    """Per date x category (and `all`): the `limit` authors with the most engagement, with their reach."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    columns = ["created_date", "author_id", "author_name", "author_followers", "platform", "source",
               "mention_id", "engagement", "sentiment", "views"]  # fmt: skip
    rows = by_category(mentions, *columns)
    best_first = Window.partitionBy("created_date", "category", "author_id").orderBy(
        F.desc("engagement"), "mention_id"
    )
    per_author = (
        rows.withColumn("_n", F.row_number().over(best_first))
        .groupBy("created_date", "category", "author_id")
        .agg(
            F.max("author_name").alias("author_name"),
            F.min_by("platform", "_n").alias("platform"),
            F.max(F.coalesce("author_followers", F.lit(0))).alias("reach"),
            F.count("*").alias("mentions"),
            F.sum("engagement").alias("engagement"),
            F.sum(F.coalesce("views", F.lit(0))).alias("views"),
            F.count(F.when(F.col("sentiment") == "negative", 1)).alias("negative"),
            F.min_by("mention_id", "_n").alias("top_mention_id"),
        )
    )
    ranked = Window.partitionBy("created_date", "category").orderBy(
        F.desc("engagement"), F.desc("reach"), "author_id"
    )
    return per_author.withColumn("rank", F.row_number().over(ranked)).where(F.col("rank") <= limit)
