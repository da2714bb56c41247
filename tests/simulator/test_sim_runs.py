"""Small simulation runs: determinism, malformed lines of every kind, the command line."""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sim_support import SimLine, read_day, run_simulation

from socialbeat.contracts import load_contracts
from socialbeat.simulator import command
from socialbeat.simulator.scenario import MALFORMED_CODES, SOURCES

pytestmark = pytest.mark.slow
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$")


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_whatever_the_workers(tmp_path: Path) -> None:
    small = {"hours": 3, "mentions_per_hour": 150, "seed": 11, "start": datetime(2024, 3, 11, 10)}
    run_simulation(tmp_path / "a", workers=1, **small)
    run_simulation(tmp_path / "b", workers=3, **small)
    first, second = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert len(first) > 3 * 8 * 2 and first == second
    run_simulation(tmp_path / "c", workers=1, **{**small, "seed": 12})
    other = tree(tmp_path / "c")
    crawl = [name for name in first if name.endswith(".jsonl.gz") and name.startswith("source=")]
    assert all(other.get(name) != first[name] for name in crawl)


def test_a_longer_run_starts_with_the_same_hours(tmp_path: Path) -> None:
    base = {"mentions_per_hour": 120, "seed": 5, "start": datetime(2024, 3, 11, 10), "workers": 1}
    run_simulation(tmp_path / "short", hours=2, **base)
    run_simulation(tmp_path / "long", hours=3, **base)
    short, long = tree(tmp_path / "short"), tree(tmp_path / "long")
    shared = [name for name in short if name.startswith(("source=", "_truth/dt="))]
    assert shared and all(long[name] == short[name] for name in shared)


def classify(line: SimLine) -> str | None:
    """The quarantine reason of a line, checked in bronze's order (None for a good line)."""
    raw = line.raw
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "invalid_encoding"
    if not text.strip():
        return "empty_line"
    try:
        record: Any = json.loads(text)
    except ValueError:
        return "bad_json"
    if not isinstance(record, dict):
        return "bad_json"
    if record.get("source") not in SOURCES:
        return "unknown_source"
    contracts = load_contracts()
    if any(record.get(name) is None for name in contracts.required_for(record["source"])):
        return "missing_field"
    engagement = record.get("engagement")
    if not isinstance(engagement, dict):
        return "wrong_type"
    values = [record.get("author_followers"), *engagement.values()]
    if any(v is not None and type(v) is not int for v in values):
        return "wrong_type"
    for name in ("created_at", "crawled_at"):
        if not ISO.match(record[name]):
            return "bad_timestamp"
        try:
            datetime.fromisoformat(record[name])
        except ValueError:
            return "bad_timestamp"
    created = datetime.fromisoformat(record["created_at"])
    if created.year < 2004 or created > datetime.fromisoformat(record["crawled_at"]):
        return "timestamp_out_of_range"
    if any(v is not None and not 0 <= v <= 10_000_000_000 for v in values):
        return "absurd_value"
    if len(record["text"]) > 100_000:
        return "oversized_text"
    return None


def test_every_malformed_kind_at_the_configured_rate(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    summary = run_simulation(
        landing, hours=2, mentions_per_hour=400, malformed_rate=0.2, seed=3, start=datetime(2024, 3, 11, 12)
    )
    day = read_day(landing, summary)
    malformed = [line for line in day.lines if line.truth["kind"] == "malformed"]
    assert 0.16 < len(malformed) / len(day.lines) < 0.24
    assert set(Counter(line.truth["malformed"] for line in malformed)) == set(MALFORMED_CODES)
    for line in day.lines:
        if line.truth["kind"] != "malformed":
            assert classify(line) is None, (line.file, line.number)
        elif line.truth["malformed"] == "truncated_gzip":
            parts = (landing / line.file).read_bytes()
            with pytest.raises(EOFError):
                import gzip

                gzip.decompress(parts)
            assert line.number == 1 + sum(
                1 for other in day.lines if other.file == line.file and other.truth["kind"] != "malformed"
            )
        else:
            assert classify(line) == line.truth["malformed"], (line.truth, line.raw[:200])


def test_no_malformed_lines_when_the_rate_is_zero(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    summary = run_simulation(landing, hours=2, mentions_per_hour=200, malformed_rate=0.0)
    assert summary.total_malformed == 0 and summary.malformed == {}
    day = read_day(landing, summary)
    assert all(classify(line) is None for line in day.lines)
    assert not [p for p in landing.rglob("part-0001.jsonl.gz")]


def test_simulate_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="socialbeat")
    subparsers = parser.add_subparsers(dest="command")
    command.register(subparsers)
    args = parser.parse_args(
        [
            "simulate",
            "--start",
            "2024-03-11T12",
            "--hours",
            "1",
            "--mentions-per-hour",
            "60",
            "--seed",
            "9",
            "--landing",
            str(tmp_path / "landing"),
            "--malformed-rate",
            "0.01",
            "--workers",
            "1",
        ]
    )
    assert command.run(args) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["total_lines"] > 60 and printed["hours"] == 1 and printed["seed"] == 9
    assert (tmp_path / "landing" / "_truth" / "scenario.json").is_file()
    help_text = subparsers.choices["simulate"].format_help()
    for option in (
        "--start",
        "--hours",
        "--mentions-per-hour",
        "--seed",
        "--landing",
        "--scenario",
        "--malformed-rate",
        "--workers",
    ):
        assert option in help_text
