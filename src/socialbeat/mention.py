"""The canonical mention model (schemas/contracts/v1/_mention.yaml): every source maps into it."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

import yaml

from socialbeat.contracts import Contracts, load_contracts, schemas_dir

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame


@lru_cache(maxsize=2)
def mention_spec(version: str = "v1") -> dict[str, Any]:
    path = schemas_dir() / "contracts" / version / "_mention.yaml"
    spec: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return spec


def mention_fields(version: str = "v1") -> list[str]:
    return [f["name"] for f in mention_spec(version)["fields"]]


def _by_source(contracts: Contracts, value_of: dict[str, Column], otherwise: Column) -> Column:
    from pyspark.sql import functions as F

    expr = None
    for source in contracts.source_names:
        condition = F.col("source") == source
        expr = F.when(condition, value_of[source]) if expr is None else expr.when(condition, value_of[source])
    return otherwise if expr is None else expr.otherwise(otherwise)


def _thread_root(contracts: Contracts) -> Column:
    """The contract's thread_root is either an envelope column or a source-specific field."""
    from pyspark.sql import functions as F

    roots = {}
    for source, contract in contracts.sources.items():
        field = contract.thread_root
        if field in contracts.envelope_names:
            roots[source] = F.col(field)
        else:
            roots[source] = F.coalesce(F.col("source_fields").getItem(field), F.col("parent_id"))
    return _by_source(contracts, roots, F.col("platform_item_id"))


def mention_id_column(source: Column | str, platform_item_id: Column | str) -> Column:
    """mention_id: the first 32 hex characters of sha256(source, US, platform_item_id).

    The one definition: silver derives it here, and erasure recomputes it over bronze rows.
    """
    from pyspark.sql import functions as F

    return F.substring(F.sha2(F.concat_ws("\u001f", source, platform_item_id), 256), 1, 32)


def to_mentions(crawl_items: DataFrame, version: str = "v1", keep: tuple[str, ...] = ()) -> DataFrame:
    """bronze.crawl_items rows -> canonical mentions (one per row; deduplication is silver's job).

    `keep` names bronze columns to carry along (e.g. lineage columns).
    """
    from pyspark.sql import functions as F

    contracts = load_contracts(version)
    platform = {s: F.lit(c.platform) for s, c in contracts.sources.items()}
    kind = {s: F.lit(c.kind) for s, c in contracts.sources.items()}
    engagement = F.col("engagement")
    mapped = {
        "mention_id": mention_id_column("source", "platform_item_id"),
        "platform": _by_source(contracts, platform, F.lit(None).cast("string")),
        "kind": _by_source(contracts, kind, F.lit(None).cast("string")),
        "thread_root_id": _thread_root(contracts),
        "likes": engagement["likes"],
        "shares": engagement["shares"],
        "comments": engagement["comments"],
        "views": engagement["views"],
    }
    fields = [mapped.get(name, F.col(name)).alias(name) for name in mention_fields(version)]
    return crawl_items.select(*fields, *keep)
