"""Read landing files on the executors: file list -> one row per line (see decode.py for why)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from socialbeat.bronze.decode import decode_file, iter_rows
from socialbeat.landing import LandingFile, LandingStore

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession

LINES_DDL = (
    "source string, _source_file string, _line_number bigint, lines_in_file bigint, raw_text string, "
    "raw_base64 string, raw_bytes_length bigint, decode_error string, decode_detail string"
)
FILES_DDL = "uri string, source string, name string"


def _decoder(
    store: LandingStore, max_line_bytes: int
) -> Callable[[Iterable[pa.RecordBatch]], Iterable[pa.RecordBatch]]:
    def decode_batches(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import pyarrow as pa

        names = LINES_DDL_NAMES
        for batch in batches:
            for file in batch.to_pylist():
                decoded = decode_file(
                    store.read_bytes(file["uri"]), file["name"].endswith(".gz"), max_line_bytes
                )
                rows = list(iter_rows(decoded))
                columns = list(zip(*rows, strict=True)) if rows else [()] * 6
                count = decoded.lines_read
                yield pa.RecordBatch.from_arrays(
                    [
                        pa.array([file["source"]] * count, pa.string()),
                        pa.array([file["uri"]] * count, pa.string()),
                        pa.array(columns[0], pa.int64()),
                        pa.array([count] * count, pa.int64()),
                        pa.array(columns[1], pa.string()),
                        pa.array(columns[2], pa.string()),
                        pa.array(columns[3], pa.int64()),
                        pa.array(columns[4], pa.string()),
                        pa.array(columns[5], pa.string()),
                    ],
                    names=names,
                )

    return decode_batches


LINES_DDL_NAMES = [part.strip().split(" ")[0] for part in LINES_DDL.split(",")]


def read_lines(
    spark: SparkSession, store: LandingStore, files: list[LandingFile], max_line_bytes: int
) -> DataFrame:
    """One row per line of every file, decoded in parallel (one file per task slice)."""
    rows = [(f.uri, f.source, f.name) for f in files]
    partitions = max(1, min(len(rows), spark.sparkContext.defaultParallelism * 2))
    file_frame = spark.createDataFrame(rows, FILES_DDL).repartition(partitions, "uri")
    return file_frame.mapInArrow(_decoder(store, max_line_bytes), LINES_DDL)
