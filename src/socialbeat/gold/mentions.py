"""gold.mentions and gold.mention_categories: one row per mention, and one per (mention, category).

The model output (silver.mentions_enriched) joined to the masked text of silver.mentions, with the
hour in Vietnam time, engagement, a district that is never null, the primary ward and category, and
the mention's key phrases.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from socialbeat.gold.terms import with_terms

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

WARD_PREFIXES = ("Phường ", "Xã ", "Thị trấn ")
# Silver columns gold adds to the enriched row (everything else comes from silver.mentions_enriched).
SILVER_COLUMNS = ("author_name", "author_followers", "title", "text_display", "text_norm",
                  "pii_types", "pii_fingerprints", "near_dup_first_seen", "hashtags")  # fmt: skip


def vietnam_hour(created_at: Column, timezone: str) -> Column:
    """The wall-clock hour in `timezone` of a UTC timestamp, as timestamp_ntz."""
    from pyspark.sql import functions as F

    local = F.from_utc_timestamp(created_at, timezone)
    return F.date_trunc("hour", local).cast("timestamp_ntz")


def engagement(frame: DataFrame) -> Column:
    from pyspark.sql import functions as F

    return sum((F.coalesce(F.col(c), F.lit(0)) for c in ("likes", "shares", "comments")), F.lit(0))


def primary_ward(locations: Column) -> Column:
    """The first ward named (silver lists districts and wards by their canonical names)."""
    from pyspark.sql import functions as F

    def is_ward(name: Column) -> Column:
        return F.exists(F.array(*[F.lit(p) for p in WARD_PREFIXES]), lambda p: name.startswith(p))

    return F.element_at(F.filter(F.coalesce(locations, F.array()), is_ward), 1)


def primary_category(scores: Column, categories: Column) -> Column:
    """The category with the highest score among the assigned ones (null when not civic)."""
    from pyspark.sql import functions as F

    ranked = F.transform(categories, lambda c: F.struct(scores[c].alias("score"), c.alias("category")))
    return F.when(F.size(categories) > 0, F.array_max(ranked)["category"])


def build_mentions(
    enriched: DataFrame,
    silver: DataFrame,
    stopwords: DataFrame,
    timezone: str,
    unknown_district: str,
    max_ngram: int,
) -> DataFrame:
    """Enriched rows + their silver text -> gold.mentions columns (and text_norm, for terms)."""
    from pyspark.sql import functions as F

    text = silver.select("mention_id", *SILVER_COLUMNS)
    joined = enriched.join(text, "mention_id", "inner")
    out = (
        joined.withColumn("hour_vn", vietnam_hour(F.col("created_at"), timezone))
        .withColumn("hour", F.hour("hour_vn"))
        .withColumn("engagement", engagement(joined))
        .withColumn("sentiment_score", F.col("sentiment_scores")[F.col("sentiment")])
        .withColumn("primary_category", primary_category(F.col("category_scores"), F.col("categories")))
        .withColumn("district", F.coalesce(F.col("primary_district"), F.lit(unknown_district)))
        .withColumn("primary_ward", primary_ward(F.col("locations")))
    )
    return with_terms(out, stopwords, "text_norm", max_ngram)


def mention_categories(mentions: DataFrame) -> DataFrame:
    """One row per (mention, assigned category), with the facts the aggregates and alerts need."""
    from pyspark.sql import functions as F

    exploded = mentions.select("*", F.explode("categories").alias("category"))
    return exploded.withColumn("category_score", F.col("category_scores")[F.col("category")]).withColumn(
        "is_primary", F.col("category") == F.col("primary_category")
    )
