"""When people post: diurnal and weekly volume in Vietnam time, and the created_at -> crawled_at lag."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime

VN_OFFSET_SECONDS = 7 * 3600

# Relative volume per Vietnam-time hour 0..23: low at night, a lunch peak, the highest at 20-22h.
DIURNAL: tuple[float, ...] = (
    0.45,
    0.28,
    0.18,
    0.12,
    0.12,
    0.2,
    0.45,
    0.75,
    0.95,
    1.0,
    1.05,
    1.35,
    1.6,
    1.35,
    1.05,
    1.0,
    1.05,
    1.15,
    1.3,
    1.5,
    1.75,
    1.85,
    1.6,
    0.95,
)
# Monday..Sunday (Vietnam time): a little more on Friday-Saturday evenings and weekends.
WEEKLY: tuple[float, ...] = (0.96, 0.95, 0.96, 0.98, 1.03, 1.08, 1.04)
_DIURNAL_MEAN = sum(DIURNAL) / len(DIURNAL)
_WEEKLY_MEAN = sum(WEEKLY) / len(WEEKLY)


def hour_ordinal(hour: datetime) -> int:
    """Hours since 1970-01-01T00 UTC of a naive UTC hour."""
    return int(hour.replace(tzinfo=UTC).timestamp()) // 3600


def hour_of(ordinal: int) -> datetime:
    return datetime.fromtimestamp(ordinal * 3600, UTC).replace(tzinfo=None)


def local_hour_and_weekday(ordinal: int) -> tuple[int, int]:
    local = time.gmtime(ordinal * 3600 + VN_OFFSET_SECONDS)
    return local.tm_hour, local.tm_wday


def volume_factor(ordinal: int) -> float:
    """Mentions in this UTC hour relative to the average hour of a week (mean 1.0)."""
    local_hour, weekday = local_hour_and_weekday(ordinal)
    return (DIURNAL[local_hour] / _DIURNAL_MEAN) * (WEEKLY[weekday] / _WEEKLY_MEAN)


def sample_lag(rng: random.Random, kind: str, late_share: float) -> int:
    """Seconds between created_at and crawled_at: mostly minutes, some hours, a few late arrivals."""
    roll = rng.random()
    if roll < late_share:
        return rng.randint(6 * 3600, 72 * 3600)
    if kind == "news":
        return int(rng.expovariate(1 / 600)) if roll < 0.9 else rng.randint(3600, 6 * 3600)
    if roll < late_share + 0.15:
        return rng.randint(3600, 6 * 3600)
    mean = 25 * 60 if kind == "post" else 12 * 60
    return int(rng.expovariate(1 / mean))


def iso_local(epoch: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+07:00", time.gmtime(epoch + VN_OFFSET_SECONDS))


def iso_utc(epoch: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def local_clock(epoch: int) -> str:
    """ "18h25" in Vietnam time."""
    local = time.gmtime(epoch + VN_OFFSET_SECONDS)
    return f"{local.tm_hour}h{local.tm_min:02d}"


def local_date(epoch: int, days_ahead: int = 0) -> str:
    """ "15/3" in Vietnam time."""
    local = time.gmtime(epoch + VN_OFFSET_SECONDS + days_ahead * 86400)
    return f"{local.tm_mday}/{local.tm_mon}"
