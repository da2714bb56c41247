"""Scenario files: the source mix, content shares, noise rates and scripted incidents of a simulation.

The format is documented in docs/simulator.md; `schemas/scenarios/default.yaml` is the default.
Every key is optional except each incident's id, time and texts; missing keys take the defaults below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml

from socialbeat.settings import PROJECT_ROOT
from socialbeat.simulator import places
from socialbeat.simulator.text import compile_template
from socialbeat.taxonomy import CATEGORIES, SENTIMENTS

SOURCES: tuple[str, ...] = (
    "facebook_post",
    "facebook_comment",
    "tiktok_comment",
    "youtube_comment",
    "news_article",
    "news_comment",
    "forum_post",
    "zalo_post",
)
COMMENT_PARENTS: dict[str, str] = {"facebook_comment": "facebook_post", "news_comment": "news_article"}
VN_OFFSET = timedelta(hours=7)

DEFAULT_SOURCES: dict[str, float] = {
    "facebook_post": 0.15,
    "facebook_comment": 0.37,
    "tiktok_comment": 0.14,
    "youtube_comment": 0.12,
    "news_article": 0.03,
    "news_comment": 0.08,
    "forum_post": 0.07,
    "zalo_post": 0.04,
}
DEFAULT_CIVIC_SHARE: dict[str, float] = {
    "facebook_post": 0.42,
    "facebook_comment": 0.2,
    "tiktok_comment": 0.12,
    "youtube_comment": 0.22,
    "news_article": 0.8,
    "news_comment": 0.4,
    "forum_post": 0.35,
    "zalo_post": 0.75,
}
DEFAULT_CATEGORIES: dict[str, float] = {
    "traffic": 0.17,
    "flooding": 0.08,
    "environment": 0.08,
    "urban_order": 0.08,
    "land_housing": 0.06,
    "public_security": 0.09,
    "online_fraud": 0.08,
    "misinformation": 0.03,
    "utilities": 0.08,
    "healthcare": 0.06,
    "education": 0.05,
    "public_services": 0.06,
    "social_welfare": 0.03,
    "fire_safety": 0.03,
    "data_privacy": 0.02,
}
DEFAULT_STYLE: dict[str, dict[str, float]] = {
    # share of items (per source) written without diacritics, with teencode, in lower case, ...
    "no_diacritics": {
        "facebook_post": 0.06,
        "facebook_comment": 0.13,
        "tiktok_comment": 0.16,
        "youtube_comment": 0.12,
        "news_comment": 0.07,
        "forum_post": 0.08,
    },
    "teencode": {
        "facebook_post": 0.2,
        "facebook_comment": 0.45,
        "tiktok_comment": 0.5,
        "youtube_comment": 0.35,
        "news_comment": 0.08,
        "forum_post": 0.25,
    },
    "lowercase": {
        "facebook_post": 0.12,
        "facebook_comment": 0.4,
        "tiktok_comment": 0.55,
        "youtube_comment": 0.35,
        "news_comment": 0.08,
        "forum_post": 0.3,
    },
    "all_caps": {
        "facebook_post": 0.02,
        "facebook_comment": 0.02,
        "tiktok_comment": 0.03,
        "youtube_comment": 0.02,
        "news_comment": 0.01,
        "forum_post": 0.01,
        "zalo_post": 0.03,
    },
    "stretched_letters": {
        "facebook_post": 0.08,
        "facebook_comment": 0.15,
        "tiktok_comment": 0.25,
        "youtube_comment": 0.1,
        "forum_post": 0.04,
    },
    "emoji": {
        "facebook_post": 0.35,
        "facebook_comment": 0.3,
        "tiktok_comment": 0.45,
        "youtube_comment": 0.2,
        "news_comment": 0.03,
        "forum_post": 0.05,
        "zalo_post": 0.1,
    },
    "hashtag": {"facebook_post": 0.2, "tiktok_comment": 0.04, "zalo_post": 0.05},
    "mention": {"facebook_comment": 0.12, "tiktok_comment": 0.1, "youtube_comment": 0.03, "forum_post": 0.04},
    "url": {
        "facebook_post": 0.06,
        "facebook_comment": 0.01,
        "forum_post": 0.06,
        "zalo_post": 0.1,
        "news_comment": 0.01,
    },
    "html_entity": {
        "facebook_post": 0.03,
        "news_article": 0.4,
        "news_comment": 0.03,
        "forum_post": 0.05,
        "zalo_post": 0.05,
    },
}
DEFAULT_NOISE: dict[str, float] = {
    "refetch": 0.02,  # share of new items re-fetched unchanged later (same or later hour)
    "edit": 0.007,  # ... re-fetched with changed text and engagement
    "duplicate_line": 0.003,  # byte-identical copy of a line in the same file
    "repost": 0.03,  # facebook/forum posts that copy another post nearly verbatim
    "long_post": 0.006,  # posts of 3,000-30,000 characters
    "empty_text": 0.02,  # photo posts and sticker comments without text
    "emoji_only": 0.04,  # comments that are only emoji
    "spam": 0.02,  # English, Chinese and Vietnamese spam
    "hard_negative": 0.03,  # civic words, no civic issue ("kẹt tiền", "cháy hàng")
    "english_civic": 0.006,  # civic complaints written in English
    "multi_label": 0.15,  # civic posts with a second category
    "pii_extra": 0.01,  # posts that end with a contact phone number
    "late_arrival": 0.02,  # items crawled 6-72 hours after they were created
}
MALFORMED_CODES: tuple[str, ...] = (
    "bad_json",
    "truncated_gzip",
    "invalid_encoding",
    "missing_field",
    "wrong_type",
    "bad_timestamp",
    "unknown_source",
    "timestamp_out_of_range",
    "absurd_value",
    "oversized_text",
    "empty_line",
)
DEFAULT_MALFORMED_WEIGHTS: dict[str, float] = {code: 1.0 for code in MALFORMED_CODES} | {
    "truncated_gzip": 0.3,
    "oversized_text": 0.3,
}
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class IncidentPlace:
    district: str
    ward: str | None = None
    street: str | None = None
    landmarks: tuple[tuple[str, str], ...] = ()  # (name, district)


@dataclass(frozen=True)
class Incident:
    id: str
    title: str
    day: int
    start: str  # HH:MM, Vietnam time
    duration_hours: float
    volume: float  # extra mentions per hour at the peak, as a share of mentions_per_hour
    min_per_hour: int
    shape: tuple[float, ...]
    categories: tuple[str, ...]
    sentiment: dict[str, float]
    sources: dict[str, float]
    texts: dict[str, tuple[str, ...]]
    comments: dict[str, tuple[str, ...]]
    headlines: tuple[str, ...]
    news: tuple[str, ...] = ()  # formal sentences for news articles about the incident
    news_sentiment: str = "neutral"
    place: IncidentPlace | None = None
    campaign: bool = False
    pii: dict[str, str] = field(default_factory=dict)

    def window(self, first_hour: datetime) -> tuple[datetime, datetime]:
        """UTC start and end (naive) for a run whose first crawl hour is `first_hour` (UTC)."""
        local_day: date = (first_hour + VN_OFFSET).date() + timedelta(days=self.day)
        match = _TIME.match(self.start)
        assert match is not None
        local_start = datetime.combine(local_day, time(int(match.group(1)), int(match.group(2))))
        start = local_start - VN_OFFSET
        return start, start + timedelta(hours=self.duration_hours)

    def shape_at(self, hours_since_start: float) -> float:
        if not self.shape:
            return 1.0
        index = min(int(hours_since_start), len(self.shape) - 1)
        return self.shape[index]


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    sources: dict[str, float]
    civic_share: dict[str, float]
    categories: dict[str, float]
    style: dict[str, dict[str, float]]
    noise: dict[str, float]
    malformed_weights: dict[str, float]
    incidents: tuple[Incident, ...]
    path: str | None = None

    def style_rate(self, name: str, source: str) -> float:
        return self.style.get(name, {}).get(source, 0.0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "path": self.path,
            "sources": self.sources,
            "civic_share": self.civic_share,
            "categories": self.categories,
            "style": self.style,
            "noise": self.noise,
            "malformed_weights": self.malformed_weights,
        }


def default_scenario_path() -> Path:
    packaged = Path(__file__).resolve().parents[1] / "_schemas" / "scenarios" / "default.yaml"
    return packaged if packaged.is_file() else PROJECT_ROOT / "schemas" / "scenarios" / "default.yaml"


def load_scenario(path: str | Path | None = None) -> Scenario:
    """Read a scenario YAML file (default: schemas/scenarios/default.yaml) and validate it."""
    chosen = Path(path) if path else default_scenario_path()
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document = yaml.load(chosen.read_text(encoding="utf-8"), Loader=loader) or {}
    if not isinstance(document, dict):
        raise ValueError(f"{chosen}: a scenario is a YAML mapping")
    try:
        return parse_scenario(document, _display_path(chosen))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{chosen}: {exc}") from exc


def _display_path(path: Path) -> str:
    """Relative to the project when inside it, so the recorded scenario does not depend on the checkout."""
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


_TOP_KEYS = {
    "name",
    "description",
    "sources",
    "civic_share",
    "categories",
    "style",
    "noise",
    "malformed",
    "incidents",
}


def parse_scenario(document: dict[str, Any], path: str | None = None) -> Scenario:
    unknown = set(document) - _TOP_KEYS
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}; expected some of {sorted(_TOP_KEYS)}")
    sources = _weights(document.get("sources"), DEFAULT_SOURCES, SOURCES, "sources")
    for comment, parent in COMMENT_PARENTS.items():
        if sources[comment] > 0 and sources[parent] <= 0:
            raise ValueError(f"sources: {comment} needs {parent} > 0 (comments reply to its items)")
    style = {name: dict(rates) for name, rates in DEFAULT_STYLE.items()}
    for name, rates in (document.get("style") or {}).items():
        if name not in DEFAULT_STYLE:
            raise ValueError(f"style: unknown style {name!r}; known: {sorted(DEFAULT_STYLE)}")
        style[name] = _weights(rates, style[name], SOURCES, f"style.{name}", probabilities=True)
    malformed = document.get("malformed") or {}
    incidents = tuple(_incident(spec) for spec in document.get("incidents") or [])
    ids = [i.id for i in incidents]
    if len(set(ids)) != len(ids):
        raise ValueError(f"incidents: ids must be unique, got {ids}")
    return Scenario(
        name=str(document.get("name", "default")),
        description=str(document.get("description", "")).strip(),
        sources=sources,
        civic_share=_weights(document.get("civic_share"), DEFAULT_CIVIC_SHARE, SOURCES, "civic_share", True),
        categories=_weights(document.get("categories"), DEFAULT_CATEGORIES, CATEGORIES, "categories"),
        style=style,
        noise=_weights(document.get("noise"), DEFAULT_NOISE, tuple(DEFAULT_NOISE), "noise", True),
        malformed_weights=_weights(
            malformed.get("weights"), DEFAULT_MALFORMED_WEIGHTS, MALFORMED_CODES, "malformed.weights"
        ),
        incidents=incidents,
        path=path,
    )


def _weights(
    given: Any, defaults: dict[str, float], known: tuple[str, ...], where: str, probabilities: bool = False
) -> dict[str, float]:
    values = dict(defaults)
    for key, value in (given or {}).items():
        if key not in known:
            raise ValueError(f"{where}: unknown key {key!r}; known: {', '.join(known)}")
        number = float(value)
        if number < 0 or (probabilities and number > 1):
            raise ValueError(f"{where}.{key}: {value!r} out of range")
        values[key] = number
    if not probabilities and sum(values.values()) <= 0:
        raise ValueError(f"{where}: weights must not all be zero")
    return {key: values.get(key, 0.0) for key in known}


_INCIDENT_KEYS = {
    "id",
    "title",
    "day",
    "start",
    "duration_hours",
    "volume",
    "min_per_hour",
    "shape",
    "categories",
    "sentiment",
    "sources",
    "texts",
    "comments",
    "headlines",
    "news",
    "news_sentiment",
    "place",
    "campaign",
    "pii",
}


def _incident(spec: dict[str, Any]) -> Incident:
    ident = str(spec.get("id") or "")
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", ident):
        raise ValueError(f"incident id {ident!r}: use lower-case letters, digits, - and _")
    unknown = set(spec) - _INCIDENT_KEYS
    if unknown:
        raise ValueError(f"incident {ident}: unknown keys {sorted(unknown)}")
    start = str(spec["start"])
    if not _TIME.match(start):
        raise ValueError(f"incident {ident}: start {start!r} is not HH:MM")
    categories = tuple(spec.get("categories") or ())
    for code in categories:
        if code not in CATEGORIES:
            raise ValueError(f"incident {ident}: unknown category {code!r}")
    texts = _by_sentiment(spec.get("texts"), f"incident {ident}: texts")
    if not texts:
        raise ValueError(f"incident {ident}: texts needs at least one template")
    sentiment = {k: float(v) for k, v in (spec.get("sentiment") or {"negative": 1.0}).items()}
    if set(sentiment) - set(SENTIMENTS) or sum(sentiment.values()) <= 0:
        raise ValueError(f"incident {ident}: sentiment needs weights for {SENTIMENTS}")
    sentiment = {k: v for k, v in sentiment.items() if k in texts and v > 0} or {next(iter(texts)): 1.0}
    headlines = tuple(str(t) for t in spec.get("headlines") or ())
    news = tuple(str(t) for t in spec.get("news") or ())
    for template in headlines + news:
        compile_template(template)
    news_sentiment = str(spec.get("news_sentiment", "neutral"))
    if news_sentiment not in SENTIMENTS:
        raise ValueError(f"incident {ident}: news_sentiment {news_sentiment!r} is not one of {SENTIMENTS}")
    return Incident(
        id=ident,
        title=str(spec.get("title", ident)),
        day=int(spec.get("day", 0)),
        start=start,
        duration_hours=float(spec.get("duration_hours", 1)),
        volume=float(spec.get("volume", 0.02)),
        min_per_hour=int(spec.get("min_per_hour", 10)),
        shape=tuple(float(x) for x in spec.get("shape") or ()),
        categories=categories,
        sentiment=sentiment,
        sources=_weights(spec.get("sources"), {"facebook_post": 1.0}, SOURCES, f"incident {ident}: sources"),
        texts=texts,
        comments=_by_sentiment(spec.get("comments"), f"incident {ident}: comments"),
        headlines=headlines,
        news=news,
        news_sentiment=news_sentiment,
        place=_incident_place(spec.get("place"), ident),
        campaign=bool(spec.get("campaign", False)),
        pii={str(k): str(v) for k, v in (spec.get("pii") or {}).items()},
    )


def _by_sentiment(given: Any, where: str) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for key, templates in (given or {}).items():
        if key not in SENTIMENTS:
            raise ValueError(f"{where}: {key!r} is not one of {SENTIMENTS}")
        out[key] = tuple(str(t) for t in templates)
        for template in out[key]:
            compile_template(template)
    return out


def _incident_place(spec: dict[str, Any] | None, ident: str) -> IncidentPlace | None:
    if not spec:
        return None
    district = places.find_district(str(spec["district"]))
    landmarks = []
    for entry in spec.get("landmarks") or []:
        if isinstance(entry, dict):
            landmarks.append((str(entry["name"]), places.find_district(str(entry["district"])).name))
        else:
            landmarks.append((str(entry), district.name))
    ward = spec.get("ward")
    if ward is not None and ward not in district.wards:
        raise ValueError(f"incident {ident}: {ward!r} is not a ward of {district.name}")
    return IncidentPlace(district.name, ward, spec.get("street"), tuple(landmarks))
