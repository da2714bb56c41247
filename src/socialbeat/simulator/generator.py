"""The lines of one (source, hour): new items, re-fetches, edits, duplicates and malformed lines.

Which earlier items are re-fetched, and which lines break, is drawn from a seed of the (source,
hour) alone, so hours can be generated in any order and in parallel with identical output.
"""

from __future__ import annotations

import gzip
import io
import math
import random
from dataclasses import dataclass, field
from typing import Any

from socialbeat.simulator.ids import (
    MALFORMED_INDEX_BASE,
    SALT_EXTRAS,
    SALT_MALFORMED,
    SALT_TRUNCATED,
    TRUNCATED_INDEX_BASE,
    item_seed,
)
from socialbeat.simulator.items import Built, ItemFactory, ItemRef, split_reactions, weighted
from socialbeat.simulator.malformed import corrupt, dumps, truncate_gzip
from socialbeat.simulator.scenario import SOURCES
from socialbeat.simulator.timing import iso_utc


@dataclass(slots=True)
class Line:
    crawled: int
    order: int
    data: bytes
    truth: dict[str, Any]


@dataclass(slots=True)
class TruncatedPart:
    data: bytes
    truths: list[dict[str, Any]]  # one per line bronze will see: the complete ones, then the cut one


@dataclass(slots=True)
class SourceHour:
    lines: list[Line] = field(default_factory=list)
    truncated: list[TruncatedPart] = field(default_factory=list)


def stochastic_round(value: float, rng: random.Random) -> int:
    whole = math.floor(value)
    return whole + (1 if rng.random() < value - whole else 0)


def gzip_lines(lines: list[bytes]) -> bytes:
    """Newline-terminated lines, gzip-compressed with mtime 0 (same input, same bytes)."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=6, mtime=0) as stream:
        for start in range(0, len(lines), 2000):
            stream.write(b"\n".join(lines[start : start + 2000]) + b"\n")
    return buffer.getvalue()


class SourceHourGenerator:
    def __init__(self, factory: ItemFactory, malformed_rate: float) -> None:
        self.factory = factory
        self.malformed_rate = malformed_rate
        self.noise = factory.scenario.noise

    def generate(self, source: int, hour: int) -> SourceHour:
        out = SourceHour()
        total = self.factory.plan.get(source, hour).total
        for index in range(total):
            built = self.factory.build(ItemRef(source, hour, index))
            self._add(out, built.skeleton.crawled, built.record, built.truth)
        extras = random.Random(item_seed(self.factory.seed, source, hour, 0, SALT_EXTRAS))
        if total:
            self._refetches(out, extras, source, hour, total)
            self._duplicates(out, extras, total)
        self._malformed(out, source, hour)
        out.lines.sort(key=lambda line: (line.crawled, line.order))
        return out

    def _add(
        self, out: SourceHour, crawled: int, record: Any, truth: dict[str, Any], data: bytes | None = None
    ) -> None:
        out.lines.append(
            Line(crawled, len(out.lines), data if data is not None else dumps(record).encode(), truth)
        )

    # --- re-fetches and edits -------------------------------------------------------------------
    def _refetches(self, out: SourceHour, rng: random.Random, source: int, hour: int, total: int) -> None:
        refetches = stochastic_round(total * self.noise["refetch"], rng)
        edits = stochastic_round(total * self.noise["edit"], rng)
        for number in range(refetches + edits):
            target = self._earlier_item(rng, source, hour)
            if target is None:
                continue
            built = self.factory.build(target)
            edit = number >= refetches
            if edit and built.skeleton.topic.kind in ("empty", "emoji"):
                continue
            crawled = self._later_crawl(rng, built, hour)
            record = self._refetched_record(rng, built, crawled)
            truth = {**built.truth, "kind": "edit" if edit else "refetch"}
            if edit:
                suffix = self.factory.composer.edit_suffix(rng, built.skeleton.topic, built.skeleton.created)
                record["text"] = record["text"] + suffix
                truth["style"] = sorted({*truth["style"], "edited"})
            self._add(out, crawled, record, truth)

    def _earlier_item(self, rng: random.Random, source: int, hour: int) -> ItemRef | None:
        roll = rng.random()
        back = 0 if roll < 0.3 else rng.randint(1, 6) if roll < 0.9 else rng.randint(7, 24)
        target_hour = hour - back
        if not self.factory.plan.in_range(target_hour):
            target_hour = hour
        total = self.factory.plan.get(source, target_hour).total
        return ItemRef(source, target_hour, rng.randrange(total)) if total else None

    @staticmethod
    def _later_crawl(rng: random.Random, built: Built, hour: int) -> int:
        start = hour * 3600
        if built.skeleton.crawled >= start:
            return rng.randint(built.skeleton.crawled, start + 3599)
        return start + rng.randrange(3600)

    def _refetched_record(self, rng: random.Random, built: Built, crawled: int) -> dict[str, Any]:
        """The same item seen again: new crawl id and time, counters grown with the hours since."""
        record = dict(built.record)
        skeleton = built.skeleton
        record["crawl_id"] = self.factory.crawl_id(skeleton.source, crawled, recrawl=True)
        record["crawled_at"] = iso_utc(crawled)
        hours = max(0.0, (crawled - skeleton.crawled) / 3600)
        growth = 1 + (0.2 + (skeleton.ref.index % 7) / 10) * math.log1p(hours)
        engagement = {key: int(value * growth) for key, value in record["engagement"].items()}
        record["engagement"] = engagement
        if "reactions" in record:
            if skeleton.source == "facebook_post":
                record["reactions"] = split_reactions(engagement["likes"], skeleton.topic.sentiment)
            else:
                record["reactions"] = {"like": engagement["likes"]}
        if "reply_count" in record:
            record["reply_count"] = engagement.get("comments", 0)
        return record

    def _duplicates(self, out: SourceHour, rng: random.Random, total: int) -> None:
        """Byte-identical copies of lines already in the file (a crawler retry that wrote twice)."""
        originals = len(out.lines)
        for _ in range(stochastic_round(total * self.noise["duplicate_line"], rng)):
            line = out.lines[rng.randrange(originals)]
            out.lines.append(
                Line(line.crawled, len(out.lines), line.data, {**line.truth, "kind": "duplicate_line"})
            )

    # --- malformed lines ------------------------------------------------------------------------
    def _malformed(self, out: SourceHour, source: int, hour: int) -> None:
        if self.malformed_rate <= 0 or not out.lines:
            return
        rng = random.Random(item_seed(self.factory.seed, source, hour, 0, SALT_MALFORMED))
        expected = len(out.lines) * self.malformed_rate / (1 - self.malformed_rate)
        weights = self.factory.scenario.malformed_weights
        for number in range(stochastic_round(expected, rng)):
            code = weighted(rng, weights)
            if code == "truncated_gzip":
                out.truncated.append(self._truncated(rng, source, hour, len(out.truncated)))
                continue
            built = self.factory.build(ItemRef(source, hour, MALFORMED_INDEX_BASE + number))
            data = corrupt(code, built.record, rng)
            truth = {
                "source": SOURCES[source],
                "platform_item_id": built.skeleton.item_id,
                "kind": "malformed",
                "malformed": code,
            }
            self._add(out, built.skeleton.crawled, None, truth, data)

    def _truncated(self, rng: random.Random, source: int, hour: int, number: int) -> TruncatedPart:
        """A small part file whose gzip stream is cut: some complete lines, then a broken tail."""
        part_rng = random.Random(item_seed(self.factory.seed, source, hour, number, SALT_TRUNCATED))
        built = [
            self.factory.build(ItemRef(source, hour, TRUNCATED_INDEX_BASE + 64 * number + i))
            for i in range(part_rng.randint(3, 12))
        ]
        built.sort(key=lambda b: b.skeleton.crawled)
        data, complete = truncate_gzip(gzip_lines([dumps(b.record).encode() for b in built]), part_rng)
        truths = [b.truth for b in built[:complete]]
        cut_id = built[complete].skeleton.item_id if complete < len(built) else None
        truths.append(
            {
                "source": SOURCES[source],
                "platform_item_id": cut_id,
                "kind": "malformed",
                "malformed": "truncated_gzip",
                "lines_lost": len(built) - complete,
            }
        )
        return TruncatedPart(data, truths)
