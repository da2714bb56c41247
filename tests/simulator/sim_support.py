"""Read a simulated landing zone back, line by line, joined to its ground truth (for simulator tests)."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from socialbeat.simulator import SimulationSummary, simulate

DAY_START = datetime(2024, 3, 11, 0)  # 07:00 in Ho Chi Minh City: the day covers 07:00 -> 06:00
DAY_HOURS = 24
DAY_MENTIONS_PER_HOUR = 320


@dataclass
class SimLine:
    file: str  # relative to the landing root
    number: int  # 1-based, as bronze numbers lines
    raw: bytes
    truth: dict[str, Any]
    record: dict[str, Any] | None = None  # parsed JSON for valid lines

    @property
    def source(self) -> str:
        return str(self.truth["source"])

    @property
    def hour(self) -> datetime:
        parts = dict(p.split("=", 1) for p in self.file.split("/")[1:3])
        return datetime.strptime(f"{parts['dt']}T{parts['hour']}", "%Y-%m-%dT%H")


@dataclass
class SimDay:
    landing: Path
    summary: SimulationSummary
    lines: list[SimLine] = field(default_factory=list)

    def valid(self) -> list[SimLine]:
        return [line for line in self.lines if line.truth["kind"] != "malformed"]

    def originals(self) -> list[SimLine]:
        return [line for line in self.lines if line.truth["kind"] == "original"]

    def scenario_file(self) -> dict[str, Any]:
        return json.loads((self.landing / "_truth" / "scenario.json").read_text(encoding="utf-8"))


def decompress(data: bytes) -> bytes:
    """Like bronze: everything that decompresses, also from a cut gzip stream."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    return inflater.decompress(data) + inflater.flush()


def read_truth(landing: Path) -> Iterator[dict[str, Any]]:
    for path in sorted((landing / "_truth").glob("dt=*/hour=*/truth.jsonl.gz")):
        for raw in gzip.decompress(path.read_bytes()).splitlines():
            yield json.loads(raw)


def read_day(landing: Path, summary: SimulationSummary) -> SimDay:
    day = SimDay(landing, summary)
    contents: dict[str, list[bytes]] = {}
    for truth in read_truth(landing):
        file = truth["file"]
        if file not in contents:
            contents[file] = decompress((landing / file).read_bytes()).split(b"\n")
        parts = contents[file]
        raw = parts[truth["line"] - 1] if truth["line"] <= len(parts) else b""
        line = SimLine(file, truth["line"], raw, truth)
        if truth["kind"] != "malformed":
            line.record = json.loads(raw)
        day.lines.append(line)
    return day


def run_simulation(landing: Path, **overrides: Any) -> SimulationSummary:
    arguments: dict[str, Any] = {
        "landing": str(landing),
        "start": DAY_START,
        "hours": DAY_HOURS,
        "mentions_per_hour": DAY_MENTIONS_PER_HOUR,
        "seed": 7,
        "workers": 2,
    }
    arguments.update(overrides)
    return simulate(**arguments)
