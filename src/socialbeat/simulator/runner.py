"""simulate(): plan the run, generate the hours (in parallel processes if asked), summarise."""

from __future__ import annotations

import json
import logging
import multiprocessing
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from socialbeat.landing import LandingStore, format_hour, open_landing
from socialbeat.settings import S3Settings
from socialbeat.simulator.items import ItemFactory
from socialbeat.simulator.plan import RunPlan, build_plan
from socialbeat.simulator.scenario import SOURCES, Scenario, load_scenario
from socialbeat.simulator.timing import hour_of, hour_ordinal, iso_utc
from socialbeat.simulator.writer import TRUTH_ROOT, HourResult, write_hour

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunJob:
    """Everything a worker needs; small enough to send to every process."""

    landing: str
    s3: S3Settings | None
    scenario: Scenario
    plan: RunPlan
    seed: int
    malformed_rate: float


@dataclass
class SimulationSummary:
    landing: str
    start: str
    hours: int
    seed: int
    mentions_per_hour: int
    malformed_rate: float
    scenario: str
    workers: int
    lines: dict[str, dict[str, int]] = field(default_factory=dict)  # source -> hour -> lines written
    valid: dict[str, dict[str, int]] = field(default_factory=dict)  # source -> hour -> valid lines
    kinds: dict[str, int] = field(default_factory=dict)
    malformed: dict[str, int] = field(default_factory=dict)
    incidents: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    truth_files: list[str] = field(default_factory=list)
    scenario_file: str = ""
    elapsed_seconds: float = 0.0

    @property
    def total_lines(self) -> int:
        return sum(sum(hours.values()) for hours in self.lines.values())

    @property
    def total_valid(self) -> int:
        return sum(sum(hours.values()) for hours in self.valid.values())

    @property
    def total_malformed(self) -> int:
        return sum(self.malformed.values())

    def lines_per_source(self) -> dict[str, int]:
        return {source: sum(hours.values()) for source, hours in self.lines.items()}

    def as_dict(self, with_files: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "landing": self.landing,
            "start": self.start,
            "hours": self.hours,
            "seed": self.seed,
            "mentions_per_hour": self.mentions_per_hour,
            "malformed_rate": self.malformed_rate,
            "scenario": self.scenario,
            "workers": self.workers,
            "total_lines": self.total_lines,
            "valid_lines": self.total_valid,
            "malformed_lines": self.total_malformed,
            "lines_per_source": self.lines_per_source(),
            "kinds": self.kinds,
            "malformed": self.malformed,
            "incidents": self.incidents,
            "scenario_file": self.scenario_file,
            "elapsed_seconds": round(self.elapsed_seconds, 2),
            "lines_per_second": round(self.total_lines / self.elapsed_seconds)
            if self.elapsed_seconds
            else None,
        }
        if with_files:
            out["files"] = self.files
            out["truth_files"] = self.truth_files
        return out


def simulate(
    landing: str,
    start: datetime,
    hours: int,
    mentions_per_hour: int,
    seed: int,
    scenario: Path | None = None,
    malformed_rate: float = 0.005,
    s3: S3Settings | None = None,
    workers: int = 1,
) -> SimulationSummary:
    """Write `hours` crawl hours from `start` (naive UTC hour) into the landing zone, with ground truth."""
    if hours < 1 or mentions_per_hour < 0 or workers < 1:
        raise ValueError("hours and workers must be >= 1 and mentions_per_hour >= 0")
    if not 0 <= malformed_rate < 1:
        raise ValueError(f"malformed_rate must be in [0, 1), got {malformed_rate}")
    began = time.perf_counter()
    loaded = load_scenario(scenario)
    first = hour_ordinal(start)
    plan = build_plan(loaded, first, hours, mentions_per_hour)
    job = RunJob(landing, s3, loaded, plan, seed, malformed_rate)
    workers = min(workers, hours)
    results = _run_hours(job, list(plan.hour_ordinals), workers)
    summary = SimulationSummary(
        landing=landing,
        start=format_hour(start),
        hours=hours,
        seed=seed,
        mentions_per_hour=mentions_per_hour,
        malformed_rate=malformed_rate,
        scenario=loaded.path or loaded.name,
        workers=workers,
    )
    _merge(summary, results)
    store = open_landing(landing, s3)
    summary.scenario_file = _write_scenario_file(store, job, summary)
    summary.elapsed_seconds = time.perf_counter() - began
    log.info(
        "simulated %d lines (%d malformed) in %d hours in %.1f s",
        summary.total_lines,
        summary.total_malformed,
        hours,
        summary.elapsed_seconds,
    )
    return summary


# --- workers ------------------------------------------------------------------------------------
_WORKER: tuple[RunJob, ItemFactory, LandingStore] | None = None


def _init_worker(job: RunJob) -> None:
    global _WORKER
    _WORKER = (job, ItemFactory(job.scenario, job.plan, job.seed), open_landing(job.landing, job.s3))


def _run_hour(hour: int) -> HourResult:
    assert _WORKER is not None, "worker not initialised"
    job, factory, store = _WORKER
    result = write_hour(factory, store, hour, job.malformed_rate)
    log.debug("hour %s: %d lines", result.hour, sum(result.lines.values()))
    return result


def _run_hours(job: RunJob, hours: list[int], workers: int) -> list[HourResult]:
    if workers == 1:
        _init_worker(job)
        try:
            return [_run_hour(hour) for hour in hours]
        finally:
            _release_worker()
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_init_worker, initargs=(job,)
    ) as pool:
        return list(pool.map(_run_hour, hours))


def _release_worker() -> None:
    global _WORKER
    _WORKER = None


# --- summary ------------------------------------------------------------------------------------
def _merge(summary: SimulationSummary, results: list[HourResult]) -> None:
    kinds: Counter[str] = Counter()
    malformed: Counter[str] = Counter()
    incidents: Counter[str] = Counter()
    for result in results:
        for source, count in result.lines.items():
            summary.lines.setdefault(source, {})[result.hour] = count
            summary.valid.setdefault(source, {})[result.hour] = result.valid[source]
        kinds.update(result.kinds)
        malformed.update(result.malformed)
        incidents.update(result.incidents)
        summary.files.extend(result.files)
        summary.truth_files.append(result.truth_file)
    summary.kinds, summary.malformed, summary.incidents = dict(kinds), dict(malformed), dict(incidents)


def _write_scenario_file(store: LandingStore, job: RunJob, summary: SimulationSummary) -> str:
    """`_truth/scenario.json`: the run's parameters, the resolved scenario and its incidents."""
    incidents = []
    for index, (incident, window) in enumerate(zip(job.scenario.incidents, job.plan.windows, strict=True)):
        by_hour = {
            format_hour(hour_of(hour)): sum(
                job.plan.get(source, hour).incident_block(index)[1] for source in range(len(SOURCES))
            )
            for hour in job.plan.hour_ordinals
            if window.overlap(hour) > 0
        }
        place = None
        if incident.place is not None:
            place = {
                "district": incident.place.district,
                "ward": incident.place.ward,
                "street": incident.place.street,
                "landmarks": [{"name": n, "district": d} for n, d in incident.place.landmarks],
            }
        incidents.append(
            {
                "id": incident.id,
                "title": incident.title,
                "categories": list(incident.categories),
                "campaign": incident.campaign,
                "start": iso_utc(window.start),
                "end": iso_utc(window.end),
                "local_start": f"day {incident.day} {incident.start} (UTC+7)",
                "place": place,
                "pii": incident.pii,
                "sentiment": incident.sentiment,
                "items_by_hour": by_hour,
                "items": sum(by_hour.values()),
            }
        )
    document = {
        "seed": job.seed,
        "start": summary.start,
        "hours": summary.hours,
        "mentions_per_hour": summary.mentions_per_hour,
        "malformed_rate": job.malformed_rate,
        "scenario": job.scenario.as_dict(),
        "incidents": incidents,
        "totals": {
            "lines": summary.total_lines,
            "valid": summary.total_valid,
            "malformed": summary.malformed,
            "kinds": summary.kinds,
        },
    }
    body = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    return store.write_bytes(f"{TRUTH_ROOT}/scenario.json", body.encode())
