"""`socialbeat score`: JSON Lines in, one JSON object per input line out, in the same order.

Every line is answered. A line that is not UTF-8, not a JSON object, or has no usable `id` or `text`, gets
`{"line": n, "id": ..., "error": "..."}` and the run goes on. A good line goes through the pipeline's
own code path (PII masking, silver normalisation, location tagging, the registered models) in
batches of `batch_size` lines.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO

from socialbeat.nlp.enrich import Models, score_mentions
from socialbeat.nlp.prepare import prepare_texts
from socialbeat.settings import Settings
from socialbeat.silver.locations import Gazetteer, load_gazetteer, tag_locations

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

OUTPUT_KEYS = ("id", "sentiment", "sentiment_scores", "categories", "category_scores", "locations",
               "text_masked", "model_versions")  # fmt: skip


@dataclass
class ScoreSummary:
    lines: int = 0
    scored: int = 0
    errors: int = 0

    def as_dict(self) -> dict[str, int]:
        return self.__dict__


def parse_line(number: int, line: str) -> tuple[str, str] | dict[str, Any]:
    """(id, text) for a usable line, else the error object to write for it."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        return {"line": number, "id": None, "error": f"invalid JSON: {error.msg} at column {error.colno}"}
    if not isinstance(record, dict):
        return {"line": number, "id": None, "error": "not a JSON object"}
    item_id = record.get("id")
    if item_id is None or isinstance(item_id, (dict, list)):
        return {"line": number, "id": None, "error": "missing id"}
    text = record.get("text")
    if not isinstance(text, str):
        return {
            "line": number,
            "id": item_id,
            "error": "missing text" if text is None else "text is not a string",
        }
    if not text.strip():
        return {"line": number, "id": item_id, "error": "empty text"}
    return str(item_id), text


def score_texts(frame: DataFrame, settings: Settings, models: Models, gazetteer: Gazetteer) -> DataFrame:
    """(line, id, text) -> the output columns; `text` comes back masked."""
    from pyspark.sql import functions as F

    prepared = tag_locations(prepare_texts(frame, settings), "text_norm", gazetteer)
    scored = score_mentions(prepared, models)
    places = F.array_distinct(
        F.concat(F.col("locations"), F.coalesce("locations_2025", F.array().cast("array<string>")))
    )
    return scored.select(
        "line", "id", "sentiment", "sentiment_scores", "categories", "category_scores",
        places.alias("locations"), F.col("text").alias("text_masked"), "model_versions",
    )  # fmt: skip


def decode_line(number: int, raw: bytes) -> tuple[str, str] | dict[str, Any]:
    try:
        text = raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as error:
        return {"line": number, "id": None, "error": f"not UTF-8: byte {error.start}"}
    return parse_line(number, text)


def _batches(lines: Iterable[bytes], size: int) -> Iterator[list[tuple[int, bytes]]]:
    numbered = enumerate(lines, 1)
    while batch := list(islice(numbered, size)):
        yield batch


def _score_batch(
    spark: SparkSession,
    settings: Settings,
    models: Models,
    gazetteer: Gazetteer,
    batch: list[tuple[int, bytes]],
) -> list[dict[str, Any]]:
    parsed = [(number, decode_line(number, line)) for number, line in batch]
    good = [(number, *value) for number, value in parsed if isinstance(value, tuple)]
    results: dict[int, dict[str, Any]] = {}
    if good:
        frame = spark.createDataFrame(good, "line long, id string, text string")
        for row in score_texts(frame, settings, models, gazetteer).collect():
            values = row.asDict(recursive=True)
            results[values.pop("line")] = {key: values[key] for key in OUTPUT_KEYS}
    return [results[number] if isinstance(value, tuple) else value for number, value in parsed]


def score_stream(
    spark: SparkSession, settings: Settings, models: Models, source: BinaryIO, sink: TextIO, batch_size: int
) -> ScoreSummary:
    gazetteer = load_gazetteer(settings.datasets_path)
    summary = ScoreSummary()
    for batch in _batches(source, batch_size):
        for answer in _score_batch(spark, settings, models, gazetteer, batch):
            summary.lines += 1
            summary.errors += "error" in answer
            sink.write(json.dumps(answer, ensure_ascii=False) + "\n")
    summary.scored = summary.lines - summary.errors
    return summary


def score_file(
    spark: SparkSession, settings: Settings, models: Models, source: Path, target: Path, batch_size: int
) -> ScoreSummary:
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb") as inp, target.open("w", encoding="utf-8") as out:
        return score_stream(spark, settings, models, inp, out, batch_size)
