"""How many items each (source, hour) gets: the diurnal/weekly volume, the source mix, the incidents.

The plan is computed once, before any worker starts, and every worker gets the whole of it: a
comment needs to know how many posts earlier hours have in order to pick a real parent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from socialbeat.simulator.scenario import COMMENT_PARENTS, SOURCES, Scenario
from socialbeat.simulator.timing import volume_factor

SOURCE_INDEX: dict[str, int] = {name: i for i, name in enumerate(SOURCES)}


@dataclass(frozen=True, slots=True)
class SourceHourPlan:
    """Items 0..base-1 are baseline; then one block of items per active incident, in scenario order."""

    base: int
    incidents: tuple[tuple[int, int], ...] = ()  # (incident index, count)

    @property
    def total(self) -> int:
        return self.base + sum(count for _, count in self.incidents)

    def incident_of(self, index: int) -> int | None:
        start = self.base
        for incident, count in self.incidents:
            if start <= index < start + count:
                return incident
            start += count
        return None

    def incident_block(self, incident: int) -> tuple[int, int]:
        """(first index, count) of an incident's items; count 0 when it has none here."""
        start = self.base
        for candidate, count in self.incidents:
            if candidate == incident:
                return start, count
            start += count
        return start, 0


EMPTY_PLAN = SourceHourPlan(0)


@dataclass(frozen=True, slots=True)
class IncidentWindow:
    start: int  # epoch seconds, UTC
    end: int

    def overlap(self, hour: int) -> float:
        """Fraction of the UTC hour (ordinal) inside the window."""
        lo, hi = max(self.start, hour * 3600), min(self.end, hour * 3600 + 3600)
        return max(0, hi - lo) / 3600


@dataclass(frozen=True)
class RunPlan:
    first_hour: int
    hours: int
    mentions_per_hour: int
    windows: tuple[IncidentWindow, ...]
    counts: dict[tuple[int, int], SourceHourPlan] = field(default_factory=dict)  # (source index, hour)

    @property
    def hour_ordinals(self) -> range:
        return range(self.first_hour, self.first_hour + self.hours)

    def get(self, source_index: int, hour: int) -> SourceHourPlan:
        return self.counts.get((source_index, hour), EMPTY_PLAN)

    def in_range(self, hour: int) -> bool:
        return self.first_hour <= hour < self.first_hour + self.hours


def apportion(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Split an integer total by weights (largest remainders; ties go to the earlier key)."""
    weight_sum = sum(weights.values())
    if total <= 0 or weight_sum <= 0:
        return {key: 0 for key in weights}
    shares = {key: total * w / weight_sum for key, w in weights.items()}
    counts = {key: int(share) for key, share in shares.items()}
    order = sorted(weights, key=lambda k: (-(shares[k] - counts[k]), list(weights).index(k)))
    for key in order[: total - sum(counts.values())]:
        counts[key] += 1
    return counts


def build_plan(scenario: Scenario, first_hour: int, hours: int, mentions_per_hour: int) -> RunPlan:
    first = datetime.fromtimestamp(first_hour * 3600, UTC).replace(tzinfo=None)
    windows = []
    for incident in scenario.incidents:
        start, end = incident.window(first)
        windows.append(
            IncidentWindow(
                int(start.replace(tzinfo=UTC).timestamp()), int(end.replace(tzinfo=UTC).timestamp())
            )
        )
    plan = RunPlan(first_hour, hours, mentions_per_hour, tuple(windows))
    for hour in plan.hour_ordinals:
        base = apportion(round(mentions_per_hour * volume_factor(hour)), scenario.sources)
        extra = _incident_counts(scenario, plan.windows, hour, mentions_per_hour)
        for comment, parent in COMMENT_PARENTS.items():  # every comment needs a post to answer
            comments = base[comment] + sum(counts[comment] for _, counts in extra)
            if comments > 0 and base[parent] == 0:
                base[parent] = 1
        for source in SOURCES:
            blocks = tuple((k, counts[source]) for k, counts in extra if counts[source] > 0)
            plan.counts[(SOURCE_INDEX[source], hour)] = SourceHourPlan(base[source], blocks)
    return plan


def _incident_counts(
    scenario: Scenario, windows: tuple[IncidentWindow, ...], hour: int, mentions_per_hour: int
) -> list[tuple[int, dict[str, int]]]:
    out = []
    for k, (incident, window) in enumerate(zip(scenario.incidents, windows, strict=True)):
        fraction = window.overlap(hour)
        if fraction <= 0:
            continue
        since_start = max(0.0, (hour * 3600 - window.start) / 3600)
        peak = max(
            incident.volume * mentions_per_hour * incident.shape_at(since_start), incident.min_per_hour
        )
        out.append((k, apportion(round(peak * fraction), incident.sources)))
    return out
