"""Authors, pages and channels: heavy-tailed activity (a few post a lot) and heavy-tailed followings.

An author is a rank in a pool; everything about it (id, name, followers) derives from the seed, the
pool and the rank, so the same rank is the same account in every hour and every worker.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from socialbeat.simulator import places
from socialbeat.simulator.ids import b64_id, digits_id, h64
from socialbeat.simulator.phrases import fillers
from socialbeat.simulator.style import strip_diacritics

# pool -> (size, flattening offset of the rank law: larger = less dominated by the top ranks)
POOLS: dict[str, tuple[int, int]] = {
    "fb_user": (400_000, 30),
    "fb_page": (600, 3),
    "tiktok_user": (300_000, 30),
    "tiktok_owner": (5_000, 5),
    "yt_user": (200_000, 30),
    "yt_channel": (150, 2),
    "news_reader": (80_000, 20),
    "forum_user": (30_000, 10),
    "zalo_oa": (300, 3),
    "campaign": (50_000, 50_000),  # fresh accounts of a coordinated campaign: nearly uniform
}


@dataclass(frozen=True, slots=True)
class Author:
    pool: str
    rank: int
    id: str
    name: str
    followers: int | None
    handle: str


def pick_rank(rng: random.Random, pool: str) -> int:
    """Rank r in [0, size) with P(r) roughly proportional to 1 / (r + offset): heavy-tailed activity."""
    size, offset = POOLS[pool]
    value = offset * math.exp(rng.random() * math.log((size + offset) / offset)) - offset
    return min(int(value), size - 1)


class AuthorBook:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._cache: dict[tuple[str, int], Author] = {}

    def pick(self, rng: random.Random, pool: str) -> Author:
        return self.get(pool, pick_rank(rng, pool))

    def organisation(self, kind: str, place: places.Place) -> Author:
        key = (f"org:{kind}:{place.district.name}:{place.ward}", 0)
        author = self._cache.get(key)
        if author is None:
            author = organisation_author(self.seed, kind, place)
            self._cache[key] = author
        return author

    def get(self, pool: str, rank: int) -> Author:
        key = (pool, rank)
        author = self._cache.get(key)
        if author is None:
            if len(self._cache) > 500_000:
                self._cache.clear()
            author = _make_author(self.seed, pool, rank)
            self._cache[key] = author
        return author


_ORGANISATIONS = {
    "ubnd": "UBND {ward} - {district}",
    "police": "Công an {ward} - {district}",
    "health": "Trạm Y tế {ward} - {district}",
    "power": "Điện lực {district}",
    "school": "Phòng Giáo dục và Đào tạo {district}",
    "fire": "Cảnh sát PCCC {district}",
}


def organisation_author(seed: int, kind: str, place: places.Place) -> Author:
    """The Zalo account of a ward office, a police station, a power company... of that place."""
    ward = place.ward or place.district.wards[0]
    name = _ORGANISATIONS[kind].format(ward=ward, district=places.district_label(place.district))
    mixed = h64(seed, "zalo_org", name)
    followers = 500 + mixed % 60_000
    return Author("zalo_org", 0, digits_id(mixed, 19, "4"), name, followers, name)


class Bits:
    """Cheap deterministic choices from one 64-bit hash (an author needs a few; Random costs more)."""

    def __init__(self, value: int) -> None:
        self.value = value

    def below(self, n: int) -> int:
        if self.value < n * 4:
            self.value = h64(self.value, n)
        self.value, rest = divmod(self.value, n)
        return rest

    def pick(self, options: tuple[str, ...]) -> str:
        return options[self.below(len(options))]

    def unit(self) -> float:
        return self.below(1_000_000) / 1_000_000


def person_name(rng: random.Random | Bits) -> str:
    pick = rng.pick if isinstance(rng, Bits) else rng.choice
    family, middle, given = pick(fillers.FAMILY_NAMES), pick(fillers.MIDDLE_NAMES), pick(fillers.GIVEN_NAMES)
    return " ".join(part for part in (family, middle, given) if part)


_FOREIGN_GIVEN = ("Kelvin", "Jenny", "Tony", "Lisa", "Kevin", "Anna")


def _display_name(bits: Bits) -> str:
    roll = bits.below(100)
    full = person_name(bits)
    if roll < 40:
        parts = full.split()
        return f"{parts[-1]} {parts[0]}"  # "Tuấn Nguyễn", as Facebook shows it
    if roll < 70:
        return full
    if roll < 85:
        return f"{bits.pick(fillers.NICKNAMES)} {bits.pick(fillers.DECORATIONS)}"
    if roll < 95:
        return strip_diacritics(full)
    return f"{bits.pick(_FOREIGN_GIVEN)} {full.split()[0]}"


def _handle(bits: Bits, name: str) -> str:
    base = "".join(c for c in strip_diacritics(name).lower() if c.isalnum())[:14] or "user"
    style = bits.below(3)
    if style == 0:
        return f"{base}{1 + bits.below(9999)}"
    if style == 1:
        return f"{base}.{90 + bits.below(1920)}"
    return f"{base}_{1 + bits.below(99)}"


def _fill_place(bits: Bits, template: str) -> str:
    district = places.DISTRICTS[bits.below(len(places.DISTRICTS))]
    return template.format(
        district=places.district_label(district),
        ward=bits.pick(district.wards),
        food=bits.pick(fillers.FOODS).capitalize(),
    )


def _heavy_followers(bits: Bits, top: float, rank: int, floor: int) -> int:
    """Followers of the rank-th biggest account: a power law with log-normal jitter."""
    jitter = math.exp((bits.unit() + bits.unit() + bits.unit() - 1.5) * 0.8)
    return max(floor, int(top / (rank + 1) ** 1.05 * jitter))


def _make_author(seed: int, pool: str, rank: int) -> Author:
    mixed = h64(seed, pool, rank)
    bits = Bits(h64(mixed, "attributes"))
    if pool == "fb_page":
        name = _fill_place(bits, fillers.PAGE_NAMES[rank % len(fillers.PAGE_NAMES)])
        followers = _heavy_followers(bits, 6_000_000, rank, 300)
        return Author(pool, rank, digits_id(mixed, 15, "1"), name, followers, _handle(bits, name))
    if pool == "yt_channel":
        base = fillers.YOUTUBE_CHANNELS[rank % len(fillers.YOUTUBE_CHANNELS)]
        name = (
            base
            if rank < len(fillers.YOUTUBE_CHANNELS)
            else f"{base} {rank // len(fillers.YOUTUBE_CHANNELS)}"
        )
        followers = _heavy_followers(bits, 4_000_000, rank, 100)
        return Author(pool, rank, "UC" + b64_id(mixed, 22), name, followers, _handle(bits, name))
    if pool == "zalo_oa":
        name = _fill_place(bits, fillers.ZALO_OA_NAMES[rank % len(fillers.ZALO_OA_NAMES)])
        followers = _heavy_followers(bits, 200_000, rank, 150)
        return Author(pool, rank, digits_id(mixed, 19, "4"), name, followers, _handle(bits, name))
    if pool == "tiktok_owner":
        name = _display_name(bits)
        followers = _heavy_followers(bits, 3_000_000, rank, 50)
        return Author(pool, rank, digits_id(mixed, 19, "6"), name, followers, _handle(bits, name))
    if pool == "news_reader":
        full = person_name(bits)
        name = bits.pick((full, full.split()[-1], strip_diacritics(full)))
        return Author(pool, rank, digits_id(mixed, 8, "1"), name, None, _handle(bits, name))
    if pool == "forum_user":
        name = _handle(bits, _display_name(bits))
        return Author(pool, rank, digits_id(mixed, 7, "1"), name, None, name)
    name = person_name(bits) if pool == "campaign" else _display_name(bits)
    if pool == "tiktok_user":
        return Author(pool, rank, digits_id(mixed, 19, "7"), name, None, _handle(bits, name))
    if pool == "yt_user":
        return Author(pool, rank, "UC" + b64_id(mixed, 22), name, None, _handle(bits, name))
    return Author(pool, rank, digits_id(mixed, 15, "1000"), name, None, _handle(bits, name))
