"""Labelled data for the models: the project's civic seed set and the shared sentiment corpora.

Splits are fixed by a hash, so every run, test and report sees the same rows in each split:
- seed set (`data/labelled/civic/*.jsonl`, see GUIDE.md): crc32(id) mod 100 < 15 is `validation`
  (model choice and per-category thresholds), < 30 is `test` (reported, never used for a choice),
  the rest is `train`;
- VLSP2016 (when `SOCIALBEAT_DATASETS` has it): the same rule on crc32 of the text, because the set
  has no ids and carries a few duplicate texts, which must land in one split;
- UIT-VSFC and AIVIVN-2019 only ever add to `train`.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path
from typing import TYPE_CHECKING, Any

from socialbeat.settings import PROJECT_ROOT
from socialbeat.taxonomy import CATEGORIES, SENTIMENTS

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

SEED_DIR = PROJECT_ROOT / "data" / "labelled" / "civic"
SPLITS = ("train", "validation", "test")
STYLES = ("standard", "no_diacritics", "teencode", "emoji", "news_comment", "english")
_VLSP = {"NEG": "negative", "NEU": "neutral", "POS": "positive"}


class LabelledDataError(ValueError):
    """A labelled record that breaks the annotation guide's format."""


@dataclass(frozen=True)
class Example:
    id: str
    text: str
    sentiment: str | None
    categories: tuple[str, ...] | None  # None: the source has no category labels
    source: str
    split: str


def split_of(key: str) -> str:
    bucket = zlib.crc32(key.encode("utf-8")) % 100
    return "validation" if bucket < 15 else "test" if bucket < 30 else "train"


def parse_record(record: dict[str, Any], where: str) -> Example:
    """One seed-set record -> Example; a clear error naming the file and line when it is malformed."""
    missing = [key for key in ("id", "text", "categories", "sentiment") if key not in record]
    if missing:
        raise LabelledDataError(f"{where}: missing {', '.join(missing)}")
    categories = record["categories"]
    unknown = [c for c in categories if c not in CATEGORIES]
    if unknown or record["sentiment"] not in SENTIMENTS or not str(record["text"]).strip():
        raise LabelledDataError(f"{where}: bad label or empty text: {unknown or record['sentiment']}")
    if record.get("style", "standard") not in STYLES:
        raise LabelledDataError(f"{where}: unknown style {record['style']!r}")
    return Example(
        id=str(record["id"]),
        text=str(record["text"]),
        sentiment=record["sentiment"],
        categories=tuple(sorted(set(categories))),
        source="seed",
        split=split_of(str(record["id"])),
    )


def read_seed(folder: Path = SEED_DIR) -> list[Example]:
    examples: list[Example] = []
    for path in sorted(folder.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                examples.append(parse_record(json.loads(line), f"{path.name}:{number}"))
    ids = [e.id for e in examples]
    if len(ids) != len(set(ids)):
        raise LabelledDataError(f"duplicate ids in {folder}")
    return examples


def _csv(path: Path) -> Iterator[dict[str, str]]:
    import csv

    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def read_shared_sentiment(datasets: Path | None) -> list[Example]:
    """VLSP2016 (split by text hash), UIT-VSFC train+dev and AIVIVN-2019 (train only); [] when absent."""
    if datasets is None:
        return []
    root = datasets / "sentiment"
    examples: list[Example] = []
    vlsp = root / "vlsp2016" / "train.csv"
    if vlsp.exists():
        for i, row in enumerate(_csv(vlsp)):
            if row.get("text") and row.get("label") in _VLSP:
                text = row["text"]
                examples.append(
                    Example(f"vlsp-{i}", text, _VLSP[row["label"]], None, "vlsp2016", split_of(text))
                )
    for part in ("train", "dev"):
        path = root / "uit_vsfc" / f"{part}.csv"
        if path.exists():
            for i, row in enumerate(_csv(path)):
                if row.get("text") and row.get("sentiment_name") in SENTIMENTS:
                    examples.append(
                        Example(
                            f"uit-{part}-{i}", row["text"], row["sentiment_name"], None, "uit_vsfc", "train"
                        )
                    )
    aivivn = root / "aivivn2019" / "train.csv"
    if aivivn.exists():
        for row in _csv(aivivn):
            if row.get("text") and row.get("label_name") in SENTIMENTS:
                examples.append(
                    Example(row["id"], row["text"], row["label_name"], None, "aivivn2019", "train")
                )
    return examples


def read_labelled_jsonl(path: Path) -> list[Example]:
    """Labelled JSONL for `socialbeat evaluate --input`: id, text, and sentiment and/or categories."""
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        record = json.loads(line)
        if "text" not in record or ("sentiment" not in record and "categories" not in record):
            raise LabelledDataError(f"{path.name}:{number}: needs text and sentiment or categories")
        categories = record.get("categories")
        examples.append(
            Example(
                id=str(record.get("id", number)),
                text=str(record["text"]),
                sentiment=record.get("sentiment"),
                categories=tuple(sorted(set(categories))) if categories is not None else None,
                source=path.name,
                split="input",
            )
        )
    return examples


def data_hash(examples: Iterable[Example]) -> str:
    """sha256 over every training example (id, text, labels, split), in a stable order."""
    digest = sha256()
    for e in sorted(examples, key=lambda e: (e.source, e.id)):
        digest.update(json.dumps([e.source, e.id, e.text, e.sentiment, e.categories, e.split]).encode())
    return digest.hexdigest()


def to_frame(spark: SparkSession, examples: list[Example]) -> DataFrame:
    schema = "id string, text string, sentiment string, categories array<string>, source string, split string"
    rows = [
        (
            e.id,
            e.text,
            e.sentiment,
            list(e.categories) if e.categories is not None else None,
            e.source,
            e.split,
        )
        for e in examples
    ]
    return spark.createDataFrame(rows, schema)
