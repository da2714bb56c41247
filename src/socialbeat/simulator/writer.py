"""Write one simulated hour: the crawl files of every source, the ground truth, the _SUCCESS manifests.

Layout (docs/simulator.md):
    <landing>/source=<s>/dt=YYYY-MM-DD/hour=HH/part-0000.jsonl.gz   crawl lines, in crawl order
    <landing>/source=<s>/dt=YYYY-MM-DD/hour=HH/part-0001.jsonl.gz   ... more parts, then cut-gzip parts
    <landing>/_truth/dt=YYYY-MM-DD/hour=HH/truth.jsonl.gz           one record per line of those files
    <landing>/_truth/dt=YYYY-MM-DD/hour=HH/incidents.json           incidents active in the hour
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from socialbeat.landing import LandingFile, LandingStore, format_hour, hour_prefix
from socialbeat.simulator.generator import SourceHour, SourceHourGenerator, gzip_lines
from socialbeat.simulator.items import ItemFactory
from socialbeat.simulator.plan import RunPlan
from socialbeat.simulator.scenario import SOURCES, Scenario
from socialbeat.simulator.timing import hour_of, iso_utc

MAX_LINES_PER_PART = 50_000
TRUTH_ROOT = "_truth"


def truth_prefix(hour: datetime) -> str:
    return f"{TRUTH_ROOT}/dt={hour:%Y-%m-%d}/hour={hour:%H}"


@dataclass
class HourResult:
    hour: str
    lines: dict[str, int] = field(default_factory=dict)  # per source: lines bronze will read
    valid: dict[str, int] = field(default_factory=dict)  # per source: lines that are valid items
    kinds: dict[str, int] = field(
        default_factory=dict
    )  # original / refetch / edit / duplicate_line / malformed
    malformed: dict[str, int] = field(default_factory=dict)  # per quarantine code
    incidents: dict[str, int] = field(default_factory=dict)  # incident id -> new items
    files: list[str] = field(default_factory=list)
    truth_file: str = ""


def write_hour(
    factory: ItemFactory, store: LandingStore, hour_ordinal: int, malformed_rate: float
) -> HourResult:
    hour = hour_of(hour_ordinal)
    result = HourResult(format_hour(hour))
    generator = SourceHourGenerator(factory, malformed_rate)
    truths: list[dict[str, Any]] = []
    kinds: Counter[str] = Counter()
    malformed: Counter[str] = Counter()
    incidents: Counter[str] = Counter()
    written: dict[str, list[LandingFile]] = {}
    for index, source in enumerate(SOURCES):
        produced = generator.generate(index, hour_ordinal)
        source_truths, written[source] = _write_source(store, source, hour, produced)
        result.files.extend(f.uri for f in written[source])
        for truth in source_truths:
            kinds[truth["kind"]] += 1
            if truth["kind"] == "malformed":
                malformed[truth["malformed"]] += 1
            elif truth["kind"] == "original" and truth.get("incident"):
                incidents[truth["incident"]] += 1
        result.lines[source] = len(source_truths)
        result.valid[source] = sum(1 for t in source_truths if t["kind"] != "malformed")
        truths.extend(source_truths)
    result.kinds, result.malformed, result.incidents = dict(kinds), dict(malformed), dict(incidents)
    prefix = truth_prefix(hour)
    result.truth_file = store.write_bytes(
        f"{prefix}/truth.jsonl.gz",
        gzip_lines([json.dumps(t, ensure_ascii=False, separators=(",", ":")).encode() for t in truths]),
    )
    incidents_doc = _incidents_doc(factory.scenario, factory.plan, hour_ordinal)
    store.write_bytes(
        f"{prefix}/incidents.json", (json.dumps(incidents_doc, ensure_ascii=False, indent=2) + "\n").encode()
    )
    completed_at = iso_utc(hour_ordinal * 3600 + 3600 + 300)
    for source in SOURCES:  # the manifest lists exactly the files of this run
        store.mark_complete(source, hour, files=written[source], completed_at=completed_at)
    return result


def _write_source(
    store: LandingStore, source: str, hour: datetime, produced: SourceHour
) -> tuple[list[dict[str, Any]], list[LandingFile]]:
    """Write the parts of one (source, hour); return the truth records (with file and line) and the files."""
    folder = hour_prefix(source, hour)
    truths: list[dict[str, Any]] = []
    files: list[LandingFile] = []
    chunks = [
        [line.data for line in produced.lines[start : start + MAX_LINES_PER_PART]]
        for start in range(0, len(produced.lines), MAX_LINES_PER_PART)
    ]
    truth_chunks = [
        [line.truth for line in produced.lines[start : start + MAX_LINES_PER_PART]]
        for start in range(0, len(produced.lines), MAX_LINES_PER_PART)
    ]
    payloads = [gzip_lines(chunk) for chunk in chunks] + [part.data for part in produced.truncated]
    truth_lists = truth_chunks + [part.truths for part in produced.truncated]
    for number, (payload, part_truths) in enumerate(zip(payloads, truth_lists, strict=True)):
        name = f"part-{number:04d}.jsonl.gz"
        uri = store.write_bytes(f"{folder}/{name}", payload)
        files.append(LandingFile(uri=uri, source=source, hour=hour, name=name, size=len(payload)))
        truths.extend(_located(f"{folder}/{name}", part_truths))
    return truths, files


def _located(path: str, truths: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"file": path, "line": number, **truth} for number, truth in enumerate(truths, start=1)]


def _incidents_doc(scenario: Scenario, plan: RunPlan, hour_ordinal: int) -> dict[str, Any]:
    active = []
    for index, (incident, window) in enumerate(zip(scenario.incidents, plan.windows, strict=True)):
        if window.overlap(hour_ordinal) <= 0:
            continue
        items = {
            source: plan.get(s, hour_ordinal).incident_block(index)[1] for s, source in enumerate(SOURCES)
        }
        active.append(
            {
                "id": incident.id,
                "title": incident.title,
                "categories": list(incident.categories),
                "campaign": incident.campaign,
                "start": iso_utc(window.start),
                "end": iso_utc(window.end),
                "items": {source: count for source, count in items.items() if count},
            }
        )
    return {"hour": format_hour(hour_of(hour_ordinal)), "incidents": active}
