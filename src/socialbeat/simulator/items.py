"""One crawled item: its skeleton (when, who, about what, replying to what) and its contract record.

Each item derives from its own key (seed, source, hour, index). The skeleton is what other items
need (a comment needs its parent's id, time and topic); the record adds the text and counters.
"""

from __future__ import annotations

import bisect
import random
import time
from dataclasses import dataclass
from typing import Any

from socialbeat.simulator import places
from socialbeat.simulator.authors import Author, AuthorBook
from socialbeat.simulator.compose import COMMENT_SOURCES, Composer, Topic
from socialbeat.simulator.ids import (
    SALT_CONTENT,
    SALT_SKELETON,
    SALT_VIDEO,
    b64_id,
    digits_id,
    h64,
    item_seed,
    slug,
)
from socialbeat.simulator.phrases import chatter, civic, fillers
from socialbeat.simulator.plan import SOURCE_INDEX, RunPlan
from socialbeat.simulator.scenario import SOURCES, Incident, Scenario
from socialbeat.simulator.text import Composed
from socialbeat.simulator.timing import VN_OFFSET_SECONDS, iso_local, iso_utc, sample_lag

POST_SOURCES = frozenset({"facebook_post", "news_article", "forum_post", "zalo_post"})
CRAWLER_NAMES = {
    "facebook_post": "fbpage",
    "facebook_comment": "fbcmt",
    "tiktok_comment": "ttcmt",
    "youtube_comment": "ytcmt",
    "news_article": "news",
    "news_comment": "newscmt",
    "forum_post": "forum",
    "zalo_post": "zalooa",
}
VIDEOS_PER_HOUR = 12
_CIVIC_SENTIMENT = {"negative": 0.62, "neutral": 0.28, "positive": 0.10}
_CATEGORY_SENTIMENT = {
    "healthcare": {"negative": 0.5, "neutral": 0.3, "positive": 0.2},
    "education": {"negative": 0.45, "neutral": 0.35, "positive": 0.2},
    "public_services": {"negative": 0.5, "neutral": 0.35, "positive": 0.15},
    "social_welfare": {"negative": 0.35, "neutral": 0.35, "positive": 0.3},
    "fire_safety": {"negative": 0.55, "neutral": 0.3, "positive": 0.15},
}
_CHATTER_SENTIMENT = {"negative": 0.22, "neutral": 0.4, "positive": 0.38}
_REACTION_SENTIMENT = {"negative": 0.2, "neutral": 0.55, "positive": 0.25}
_EMOJI_SENTIMENT = {"positive": 0.5, "negative": 0.3, "neutral": 0.2}
_CO_OCCUR = {
    "flooding": ("traffic", "environment", "utilities"),
    "traffic": ("urban_order", "public_security", "flooding"),
    "environment": ("healthcare", "urban_order"),
    "urban_order": ("traffic", "land_housing"),
    "land_housing": ("urban_order", "public_services"),
    "public_security": ("traffic", "online_fraud"),
    "online_fraud": ("data_privacy", "public_security"),
    "misinformation": ("online_fraud", "healthcare"),
    "utilities": ("public_services", "flooding"),
    "healthcare": ("public_services", "environment"),
    "education": ("public_services", "traffic"),
    "public_services": ("education", "healthcare"),
    "social_welfare": ("public_services", "healthcare"),
    "fire_safety": ("public_security", "utilities"),
    "data_privacy": ("online_fraud", "public_services"),
}
_SECTIONS = {
    "public_security": "Pháp luật",
    "online_fraud": "Pháp luật",
    "healthcare": "Sức khỏe",
    "education": "Giáo dục",
    "land_housing": "Bất động sản",
    "football": "Thể thao",
    "celebrity": "Giải trí",
    "shopping": "Kinh doanh",
}
_OA_KIND = {
    "utilities": "power",
    "healthcare": "health",
    "public_security": "police",
    "online_fraud": "police",
    "data_privacy": "police",
    "misinformation": "police",
    "education": "school",
    "fire_safety": "fire",
}
_REACTIONS = {
    "negative": (("like", 0.35), ("angry", 0.3), ("sad", 0.2), ("haha", 0.1), ("wow", 0.05)),
    "neutral": (("like", 0.8), ("love", 0.08), ("haha", 0.06), ("wow", 0.06)),
    "positive": (("like", 0.55), ("love", 0.35), ("haha", 0.04), ("wow", 0.06)),
}


@dataclass(frozen=True, slots=True)
class ItemRef:
    source: int
    hour: int
    index: int


@dataclass(frozen=True, slots=True)
class Thread:
    parent_id: str
    root_id: str
    depth: int
    root_url: str
    root_title: str
    root_owner: str  # page id, channel id, video owner handle, outlet or forum


@dataclass(slots=True)
class Skeleton:
    ref: ItemRef
    source: str
    item_id: str
    url: str
    crawled: int
    created: int
    author: Author
    topic: Topic
    long: bool = False
    thread: Thread | None = None
    title: str | None = None
    extra: dict[str, Any] | None = None
    repost_of: ItemRef | None = None


@dataclass(frozen=True, slots=True)
class Video:
    id: str
    title: str
    owner: Author
    topic: Topic
    created: int


@dataclass(slots=True)
class Built:
    skeleton: Skeleton
    record: dict[str, Any]
    truth: dict[str, Any]
    composed: Composed


class Weights:
    """A fixed discrete distribution: keys with cumulative weights, sampled by bisection."""

    __slots__ = ("cumulative", "keys", "total")

    def __init__(self, weights: dict[str, float]) -> None:
        self.keys = tuple(key for key, weight in weights.items() if weight > 0)
        self.cumulative: list[float] = []
        total = 0.0
        for key in self.keys:
            total += weights[key]
            self.cumulative.append(total)
        self.total = total

    def pick(self, rng: random.Random) -> str:
        return self.keys[bisect.bisect(self.cumulative, rng.random() * self.total)]


_WEIGHTS: dict[int, tuple[dict[str, float], Weights]] = {}


def weighted(rng: random.Random, weights: dict[str, float]) -> str:
    """Draw a key; `weights` must be a long-lived dict (its sampler is cached by identity)."""
    cached = _WEIGHTS.get(id(weights))
    if cached is None or cached[0] is not weights:
        cached = (weights, Weights(weights))
        _WEIGHTS[id(weights)] = cached
    return cached[1].pick(rng)


def _available(weights: dict[str, float], bank: dict[str, Any]) -> dict[str, float]:
    return {k: w for k, w in weights.items() if k in bank} or {next(iter(bank)): 1.0}


_CHATTER_SENTIMENTS = {theme: _available(_CHATTER_SENTIMENT, bank) for theme, bank in chatter.CHATTER.items()}
_ENGLISH_SENTIMENTS = {
    category: _available(_CIVIC_SENTIMENT, bank) for category, bank in civic.ENGLISH.items()
}
_ENGLISH_CATEGORIES = tuple(sorted(civic.ENGLISH))
_CHATTER_THEMES = {
    "zalo_post": {"ads": 0.7, "food": 0.3},
    "tiktok_comment": chatter.CHATTER_WEIGHTS
    | {"celebrity": 0.25, "jokes": 0.25, "ads": 0.01, "lost_found": 0.0},
}


class ItemFactory:
    """Regenerates any item of the run from its key; caches skeletons for the items others refer to."""

    def __init__(self, scenario: Scenario, plan: RunPlan, seed: int) -> None:
        self.scenario = scenario
        self.plan = plan
        self.seed = seed
        self.authors = AuthorBook(seed)
        self.composer = Composer(scenario, seed)
        self._skeletons: dict[ItemRef, Skeleton] = {}
        self._videos: dict[tuple[int, int, int], Video] = {}

    # --- skeletons ----------------------------------------------------------------------------
    def skeleton(self, ref: ItemRef) -> Skeleton:
        found = self._skeletons.get(ref)
        if found is None:
            if len(self._skeletons) > 300_000:
                self._skeletons.clear()
            found = self._make_skeleton(ref)
            self._skeletons[ref] = found
        return found

    def _make_skeleton(self, ref: ItemRef) -> Skeleton:
        rng = random.Random(item_seed(self.seed, ref.source, ref.hour, ref.index, SALT_SKELETON))
        source = SOURCES[ref.source]
        plan = self.plan.get(ref.source, ref.hour)
        incident = plan.incident_of(ref.index)
        lo, hi = self._window(ref.hour, incident)
        crawled = lo + rng.randrange(hi - lo)
        kind = "news" if source == "news_article" else ("post" if source in POST_SOURCES else "comment")
        late = 0.0 if incident is not None else self.scenario.noise["late_arrival"]
        created = crawled - sample_lag(rng, kind, late)
        if incident is not None:
            created = min(crawled, max(created, self.plan.windows[incident].start))
        maker = _SKELETON_MAKERS[source]
        return maker(self, rng, ref, crawled, created, incident, hi)

    def _window(self, hour: int, incident: int | None) -> tuple[int, int]:
        lo, hi = hour * 3600, hour * 3600 + 3600
        if incident is not None:
            window = self.plan.windows[incident]
            lo, hi = max(lo, window.start), min(hi, window.end)
            hi = max(hi, lo + 1)
        return lo, hi

    def _topic(
        self, rng: random.Random, source: str, incident: int | None, parent: Topic | None = None
    ) -> Topic:
        if incident is not None:
            return self._incident_topic(rng, self.scenario.incidents[incident], incident)
        if parent is not None and parent.kind != "spam" and rng.random() < 0.45:
            if parent.categories:  # the thread's civic topic, often at the same place
                category = parent.categories[0]
                sentiment = weighted(rng, _CATEGORY_SENTIMENT.get(category, _CIVIC_SENTIMENT))
                return Topic("civic", sentiment, (category,), "", parent.place)
            if parent.kind == "chatter":
                return Topic("chatter", weighted(rng, _CHATTER_SENTIMENTS[parent.theme]), (), parent.theme)
        return self._baseline_topic(rng, source)

    def _incident_topic(self, rng: random.Random, incident: Incident, index: int) -> Topic:
        sentiment = weighted(rng, incident.sentiment)
        place = None
        if incident.place is not None:
            district = places.DISTRICTS_BY_NAME[incident.place.district]
            street = (
                places.find_feature(district, incident.place.street, "street")
                if incident.place.street
                else None
            )
            place = places.Place(district, incident.place.ward, street, None)
            place = places.Place(district, place.ward, street, None, places.former_of(place))
        return Topic("incident", sentiment, incident.categories, incident.id, place, index)

    def _baseline_topic(self, rng: random.Random, source: str) -> Topic:
        noise = self.scenario.noise
        comment = source in COMMENT_SOURCES
        social = source not in ("news_article", "zalo_post")
        spam_factor = 2.0 if source in ("tiktok_comment", "youtube_comment") else (1.0 if social else 0.0)
        special = (
            ("empty", noise["empty_text"] if source in ("facebook_post", "facebook_comment") else 0.0),
            ("emoji", noise["emoji_only"] if comment else noise["emoji_only"] / 8 if social else 0.0),
            ("spam", noise["spam"] * spam_factor),
            ("hard_negative", noise["hard_negative"] if social else 0.0),
            ("english", noise["english_civic"] if social else 0.0),
        )
        roll = rng.random()
        for kind, share in special:
            if roll < share:
                return self._special_topic(rng, kind)
            roll -= share
        if rng.random() < self.scenario.civic_share[source]:
            return self._civic_topic(rng, source)
        if comment and rng.random() < 0.3:
            return Topic("reaction", weighted(rng, _REACTION_SENTIMENT))
        return self._chatter_topic(rng, source)

    def _special_topic(self, rng: random.Random, kind: str) -> Topic:
        if kind == "empty":
            return Topic("empty", "neutral")
        if kind == "emoji":
            return Topic("emoji", weighted(rng, _EMOJI_SENTIMENT))
        if kind == "spam":
            return Topic("spam", "neutral", (), rng.choice(("en", "en", "zh", "vi", "vi")))
        if kind == "hard_negative":
            return Topic("hard_negative", weighted(rng, _CHATTER_SENTIMENT))
        category = rng.choice(_ENGLISH_CATEGORIES)
        sentiment = weighted(rng, _ENGLISH_SENTIMENTS[category])
        return Topic("english", sentiment, (category,), "", places.place_for_category(rng, category))

    def _civic_topic(self, rng: random.Random, source: str) -> Topic:
        category = weighted(rng, self.scenario.categories)
        categories: tuple[str, ...] = (category,)
        if rng.random() < self.scenario.noise["multi_label"] * (0.4 if source in COMMENT_SOURCES else 1.0):
            categories = (category, rng.choice(_CO_OCCUR[category]))
        if source in ("zalo_post", "news_article"):
            sentiment = "neutral"
        else:
            sentiment = weighted(rng, _CATEGORY_SENTIMENT.get(category, _CIVIC_SENTIMENT))
        return Topic("civic", sentiment, categories, "", places.place_for_category(rng, category))

    def _chatter_topic(self, rng: random.Random, source: str) -> Topic:
        theme = weighted(rng, _CHATTER_THEMES.get(source, chatter.CHATTER_WEIGHTS))
        sentiment = weighted(rng, _CHATTER_SENTIMENTS[theme])
        return Topic("chatter", sentiment, (), theme)

    # --- posts ----------------------------------------------------------------------------------
    def _key(self, ref: ItemRef, *extra: object) -> int:
        return h64(self.seed, ref.source, ref.hour, ref.index, *extra)

    def _facebook_post(
        self, rng: random.Random, ref: ItemRef, crawled: int, created: int, incident: int | None, hi: int
    ) -> Skeleton:
        page = self.authors.pick(rng, "fb_page")
        topic = self._topic(rng, "facebook_post", incident)
        author = page if rng.random() < 0.7 else self.authors.pick(rng, self._user_pool(topic, "fb_user"))
        repost = self._repost_target(rng, ref, topic)
        if repost is not None:
            original = self.skeleton(repost)
            topic = original.topic
            crawled, created = _after(rng, crawled, created, original.created, hi)
        post_number = digits_id(self._key(ref), 16, "7")
        post_type = (
            "photo" if topic.kind == "empty" else rng.choice(("status", "status", "photo", "video", "link"))
        )
        extra = {
            "page_id": page.id,
            "page_name": page.name,
            "post_type": "share" if repost else post_type,
            "is_sponsored": topic.theme == "ads" and rng.random() < 0.5,
        }
        return Skeleton(
            ref,
            "facebook_post",
            f"{page.id}_{post_number}",
            f"https://www.facebook.com/{page.id}/posts/{post_number}",
            crawled,
            created,
            author,
            topic,
            self._is_long(rng, topic, repost),
            extra=extra,
            repost_of=repost,
        )

    def _user_pool(self, topic: Topic, default: str) -> str:
        incident = self.composer.incident(topic.incident)
        return "campaign" if incident is not None and incident.campaign else default

    def _is_long(self, rng: random.Random, topic: Topic, repost: ItemRef | None) -> bool:
        plain = topic.kind in ("civic", "chatter", "hard_negative") and repost is None
        return plain and rng.random() < self.scenario.noise["long_post"]

    def _repost_target(self, rng: random.Random, ref: ItemRef, topic: Topic) -> ItemRef | None:
        if (
            topic.kind in ("incident", "spam", "empty", "emoji")
            or rng.random() >= self.scenario.noise["repost"]
        ):
            return None
        source = SOURCE_INDEX["facebook_post"]
        hour = self._earlier_hour(rng, ref.hour, (0.4, 0.4, 0.2), 12)
        limit = self.plan.get(source, hour).base
        if hour == ref.hour and ref.source == source:
            limit = min(limit, ref.index)
        if limit <= 0:
            return None
        target = ItemRef(source, hour, rng.randrange(limit))
        if self.skeleton(target).topic.kind in ("empty", "emoji", "spam"):
            return None
        return target

    def _earlier_hour(
        self, rng: random.Random, hour: int, shares: tuple[float, float, float], far: int
    ) -> int:
        """Same hour, 1-3 hours earlier, or up to `far` hours earlier; never before the first hour."""
        roll = rng.random()
        back = (
            0
            if roll < shares[0]
            else rng.randint(1, 3)
            if roll < shares[0] + shares[1]
            else rng.randint(4, far)
        )
        return max(self.plan.first_hour, hour - back)

    def _news_article(
        self, rng: random.Random, ref: ItemRef, crawled: int, created: int, incident: int | None, hi: int
    ) -> Skeleton:
        domain, outlet_name, sections = fillers.OUTLETS[rng.randrange(len(fillers.OUTLETS))]
        topic = self._topic(rng, "news_article", incident)
        if topic.kind not in ("civic", "chatter", "incident"):
            topic = self._civic_topic(rng, "news_article")
        if incident is not None:  # reporters write about incidents in the scenario's news voice
            sentiment = self.scenario.incidents[incident].news_sentiment
            topic = Topic(topic.kind, sentiment, topic.categories, topic.theme, topic.place, topic.incident)
        title = self.composer.title(rng, topic, created, "news")
        byline = rng.choice(fillers.BYLINES)
        article_id = time.strftime("%Y%m%d%H%M%S", time.gmtime(created + VN_OFFSET_SECONDS)) + digits_id(
            self._key(ref), 5
        )
        key = topic.categories[0] if topic.categories else topic.theme
        section = _SECTIONS.get(key) or ("Thời sự" if topic.categories else rng.choice(sections))
        author = Author("news_outlet", 0, f"{domain}/{slug(byline, 3)}", byline, None, byline)
        extra = {"outlet": domain, "outlet_name": outlet_name, "section": section, "byline": byline}
        return Skeleton(
            ref,
            "news_article",
            article_id,
            f"https://{domain}/{slug(title)}-{article_id}.htm",
            crawled,
            created,
            author,
            topic,
            rng.random() < 0.02,
            title=title,
            extra=extra,
        )

    def _forum_post(
        self, rng: random.Random, ref: ItemRef, crawled: int, created: int, incident: int | None, hi: int
    ) -> Skeleton:
        domain, boards = fillers.FORUMS[self._key(ref, "forum") % len(fillers.FORUMS)]
        author = self.authors.pick(rng, "forum_user")
        post_id = f"{ref.hour}{ref.index:06d}"
        if ref.index % 4 == 0:  # every fourth post opens a thread
            topic = self._topic(rng, "forum_post", incident)
            repost = self._repost_target(rng, ref, topic)
            if repost is not None:
                original = self.skeleton(repost)
                topic = original.topic
                crawled, created = _after(rng, crawled, created, original.created, hi)
            title = self.composer.title(rng, topic, created, "forum")
            thread_id = f"{ref.hour}{ref.index // 4:05d}"
            extra = {
                "forum": domain,
                "board": rng.choice(boards),
                "thread_id": thread_id,
                "thread_title": title,
            }
            return Skeleton(
                ref,
                "forum_post",
                post_id,
                _forum_url(domain, title, thread_id, post_id),
                crawled,
                created,
                author,
                topic,
                self._is_long(rng, topic, repost),
                title=title,
                extra=extra,
                repost_of=repost,
            )
        opener = self.skeleton(self._forum_opener(rng, ref, incident))
        assert opener.extra is not None
        crawled, created = _after(rng, crawled, created, opener.created, hi)
        topic = self._topic(rng, "forum_post", incident, opener.topic)
        thread_title = opener.extra["thread_title"]
        thread = Thread(opener.item_id, opener.extra["thread_id"], 1, opener.url, thread_title, domain)
        extra = {
            "forum": opener.extra["forum"],
            "board": opener.extra["board"],
            "thread_id": thread.root_id,
            "thread_title": thread_title,
        }
        return Skeleton(
            ref,
            "forum_post",
            post_id,
            _forum_url(opener.extra["forum"], thread_title, thread.root_id, post_id),
            crawled,
            created,
            author,
            topic,
            thread=thread,
            extra=extra,
        )

    def _forum_opener(self, rng: random.Random, ref: ItemRef, incident: int | None) -> ItemRef:
        if incident is not None:
            found = self._incident_parent(rng, ref, incident, ref.source, lambda i: i % 4 == 0)
            if found is not None:
                return found
        hour = self._earlier_hour(rng, ref.hour, (0.5, 0.3, 0.2), 24)
        total = self.plan.get(ref.source, hour).total
        if hour == ref.hour:
            total = min(total, ref.index)
        openers = (total + 3) // 4
        if openers <= 0:
            hour, openers = ref.hour, (min(ref.index, self.plan.get(ref.source, ref.hour).total) + 3) // 4
        return ItemRef(ref.source, hour, 4 * min(openers - 1, int(openers * rng.random() ** 2)))

    def _zalo_post(
        self, rng: random.Random, ref: ItemRef, crawled: int, created: int, incident: int | None, hi: int
    ) -> Skeleton:
        topic = self._topic(rng, "zalo_post", incident)
        official = incident is not None and "neutral" in self.scenario.incidents[incident].texts
        if official:  # agencies report incidents in their neutral voice
            topic = Topic(topic.kind, "neutral", topic.categories, topic.theme, topic.place, topic.incident)
        if topic.categories:
            oa = self.authors.organisation(
                _OA_KIND.get(topic.categories[0], "ubnd"), topic.place or places.random_place(rng)
            )
        else:
            oa = self.authors.pick(rng, "zalo_oa")
        article = f"{self._key(ref):016x}"
        extra = {"oa_id": oa.id, "oa_name": oa.name}
        return Skeleton(
            ref,
            "zalo_post",
            article,
            f"https://zalo.me/{oa.id}/article/{article}",
            crawled,
            created,
            oa,
            topic,
            extra=extra,
        )

    # --- comments -------------------------------------------------------------------------------
    def _incident_parent(
        self, rng: random.Random, ref: ItemRef, incident: int, parent_source: int, accept: Any = None
    ) -> ItemRef | None:
        """An item of the same incident in the parent source, this hour or earlier, if there is one."""
        for back in range(0, 6):
            hour = ref.hour - back
            if not self.plan.in_range(hour):
                break
            start, count = self.plan.get(parent_source, hour).incident_block(incident)
            if hour == ref.hour and parent_source == ref.source:
                count = min(count, ref.index - start)
            candidates = [start + i for i in range(count) if accept is None or accept(start + i)]
            if candidates and (back > 0 or rng.random() < 0.8):
                return ItemRef(parent_source, hour, candidates[int(len(candidates) * rng.random() ** 1.5)])
        return None

    def _post_parent(
        self, rng: random.Random, ref: ItemRef, parent_source: int, incident: int | None
    ) -> ItemRef:
        if incident is not None:
            found = self._incident_parent(rng, ref, incident, parent_source)
            if found is not None:
                return found
        hour = self._earlier_hour(rng, ref.hour, (0.55, 0.3, 0.15), 24)
        total = self.plan.get(parent_source, hour).total
        if total <= 0:
            hour, total = ref.hour, self.plan.get(parent_source, ref.hour).total
        return ItemRef(parent_source, hour, min(total - 1, int(total * rng.random() ** 2)))

    def _reply_target(self, rng: random.Random, ref: ItemRef) -> Skeleton | None:
        """A top-level comment of the same source, earlier in this hour or in the previous one."""
        hour = ref.hour if rng.random() < 0.8 or not self.plan.in_range(ref.hour - 1) else ref.hour - 1
        limit = self.plan.get(ref.source, hour).total
        if hour == ref.hour:
            limit = min(limit, ref.index)
        if limit <= 0:
            return None
        target = self.skeleton(ItemRef(ref.source, hour, int(limit * rng.random() ** 1.5)))
        if target.thread is None or target.topic.kind == "spam":
            return None
        return target

    def _comment(
        self,
        rng: random.Random,
        ref: ItemRef,
        crawled: int,
        created: int,
        incident: int | None,
        hi: int,
        reply_share: float,
    ) -> tuple[Thread, Topic, int, int, Author | None]:
        """Thread, topic and (possibly moved) times of a comment; replies answer a top-level comment."""
        source = SOURCES[ref.source]
        target = self._reply_target(rng, ref) if rng.random() < reply_share and incident is None else None
        if target is not None and target.thread is not None:
            parent_id = target.item_id if target.thread.depth == 0 else target.thread.parent_id
            root = target.thread
            crawled, created = _after(rng, crawled, created, target.created, hi)
            thread = Thread(parent_id, root.root_id, 1, root.root_url, root.root_title, root.root_owner)
            return thread, self._topic(rng, source, None, target.topic), crawled, created, None
        if source in ("tiktok_comment", "youtube_comment"):
            video = self._video_for(rng, ref, incident)
            crawled, created = _after(rng, crawled, created, video.created, hi)
            url = (
                f"https://www.youtube.com/watch?v={video.id}"
                if source == "youtube_comment"
                else f"https://www.tiktok.com/@{video.owner.handle}/video/{video.id}"
            )
            thread = Thread(video.id, video.id, 0, url, video.title, video.owner.id)
            return thread, self._topic(rng, source, incident, video.topic), crawled, created, video.owner
        parent_source = SOURCE_INDEX["facebook_post" if source == "facebook_comment" else "news_article"]
        post = self.skeleton(self._post_parent(rng, ref, parent_source, incident))
        crawled, created = _after(rng, crawled, created, post.created, hi)
        owner = (post.extra or {}).get("page_id") or (post.extra or {}).get("outlet", "")
        thread = Thread(post.item_id, post.item_id, 0, post.url, post.title or "", owner)
        return thread, self._topic(rng, source, incident, post.topic), crawled, created, None

    def _video_for(self, rng: random.Random, ref: ItemRef, incident: int | None) -> Video:
        if incident is not None:
            start_hour = self.plan.windows[incident].start // 3600
            return self.video(ref.source, start_hour, 1000 + 16 * incident + rng.randrange(3), incident)
        back = min(int(rng.expovariate(1 / 6)), 72)
        return self.video(ref.source, ref.hour - back, int(VIDEOS_PER_HOUR * rng.random() ** 2), None)

    def video(self, source: int, hour: int, index: int, incident: int | None) -> Video:
        """A video (not crawled itself) that YouTube/TikTok comments hang under."""
        key = (source, hour, index)
        found = self._videos.get(key)
        if found is not None:
            return found
        rng = random.Random(item_seed(self.seed, source, hour, index, SALT_VIDEO))
        youtube = SOURCES[source] == "youtube_comment"
        if incident is not None:
            topic = self._incident_topic(rng, self.scenario.incidents[incident], incident)
            created = self.plan.windows[incident].start + rng.randrange(600)
        else:
            topic = (
                self._civic_topic(rng, "youtube_comment")
                if rng.random() < 0.35
                else self._chatter_topic(rng, "")
            )
            created = hour * 3600 + rng.randrange(3600)
        owner = self.authors.pick(rng, "yt_channel" if youtube else "tiktok_owner")
        mixed = h64(self.seed, "video", source, hour, index)
        video_id = b64_id(mixed, 11) if youtube else digits_id(mixed, 19, "73")
        title = self.composer.title(rng, topic, created, "youtube" if youtube else "tiktok")
        found = Video(video_id, title, owner, topic, created)
        self._videos[key] = found
        return found

    def _facebook_comment(
        self, rng: random.Random, ref: ItemRef, crawled: int, created: int, incident: int | None, hi: int
    ) -> Skeleton:
        thread, topic, crawled, created, _ = self._comment(rng, ref, crawled, created, incident, hi, 0.3)
        author = self.authors.pick(rng, self._user_pool(topic, "fb_user"))
        post_number = thread.root_id.rpartition("_")[2]
        number = digits_id(self._key(ref), 15, "1")
        top_level = number if thread.depth == 0 else thread.parent_id.rpartition("_")[2]
        url = f"{thread.root_url}?comment_id={top_level}"
        if thread.depth:
            url += f"&reply_comment_id={number}"
        extra = {"post_id": thread.root_id, "reply_depth": thread.depth}
        return Skeleton(
            ref,
            "facebook_comment",
            f"{post_number}_{number}",
            url,
            crawled,
            created,
            author,
            topic,
            thread=thread,
            extra=extra,
        )

    def _tiktok_comment(
        self, rng: random.Random, ref: ItemRef, crawled: int, created: int, incident: int | None, hi: int
    ) -> Skeleton:
        thread, topic, crawled, created, _ = self._comment(rng, ref, crawled, created, incident, hi, 0.2)
        author = self.authors.pick(rng, self._user_pool(topic, "tiktok_user"))
        item_id = digits_id(self._key(ref), 19, "73")
        extra = {
            "video_id": thread.root_id,
            "video_caption": thread.root_title,
            "author_region": "CN" if topic.theme == "zh" else rng.choice(fillers.TIKTOK_REGIONS),
        }
        return Skeleton(
            ref,
            "tiktok_comment",
            item_id,
            f"{thread.root_url}?comment_id={item_id}",
            crawled,
            created,
            author,
            topic,
            thread=thread,
            extra=extra,
        )

    def _youtube_comment(
        self, rng: random.Random, ref: ItemRef, crawled: int, created: int, incident: int | None, hi: int
    ) -> Skeleton:
        thread, topic, crawled, created, _ = self._comment(rng, ref, crawled, created, incident, hi, 0.25)
        author = self.authors.pick(rng, "yt_user")
        mixed = self._key(ref)
        if thread.depth == 0:
            item_id = "Ug" + rng.choice("zxwy") + b64_id(mixed, 19) + "4AaABAg"
        else:
            item_id = f"{thread.parent_id}.{b64_id(mixed, 22)}"
        extra = {
            "video_id": thread.root_id,
            "video_title": thread.root_title,
            "channel_id": thread.root_owner,
        }
        return Skeleton(
            ref,
            "youtube_comment",
            item_id,
            f"{thread.root_url}&lc={item_id}",
            crawled,
            created,
            author,
            topic,
            thread=thread,
            extra=extra,
        )

    def _news_comment(
        self, rng: random.Random, ref: ItemRef, crawled: int, created: int, incident: int | None, hi: int
    ) -> Skeleton:
        thread, topic, crawled, created, _ = self._comment(rng, ref, crawled, created, incident, hi, 0.2)
        author = self.authors.pick(rng, "news_reader")
        item_id = digits_id(self._key(ref), 11, "5")
        extra = {"outlet": thread.root_owner, "article_id": thread.root_id}
        return Skeleton(
            ref,
            "news_comment",
            item_id,
            f"{thread.root_url}#comment-{item_id}",
            crawled,
            created,
            author,
            topic,
            thread=thread,
            extra=extra,
        )

    # --- records --------------------------------------------------------------------------------
    def build(self, ref: ItemRef) -> Built:
        skel = self.skeleton(ref)
        rng = random.Random(item_seed(self.seed, ref.source, ref.hour, ref.index, SALT_CONTENT))
        if skel.repost_of is not None:
            original = self.build(skel.repost_of).composed
            composed = self.composer.repost(rng, original, skel.topic, skel.created)
        else:
            composed = self.composer.compose(rng, skel.source, skel.topic, skel.created, skel.long)
        engagement = self._engagement(rng, skel)
        record = self.record(skel, composed, engagement, rng)
        return Built(skel, record, self.truth(skel, composed), composed)

    def crawl_id(self, source: str, crawled: int, recrawl: bool = False) -> str:
        stamp = time.strftime("%Y%m%dT%H", time.gmtime(crawled))
        batch = (crawled % 3600) // 900 + 1
        return f"{CRAWLER_NAMES[source]}-{stamp}-{'r' if recrawl else 'b'}{batch}"

    def record(
        self, skel: Skeleton, composed: Composed, engagement: dict[str, int], rng: random.Random
    ) -> dict[str, Any]:
        """The line the crawler writes: envelope fields first, then the source's own fields."""
        source = skel.source
        record: dict[str, Any] = {
            "contract_version": "v1",
            "crawl_id": self.crawl_id(source, skel.crawled),
            "source": source,
            "platform_item_id": skel.item_id,
            "url": skel.url,
            "author_id": skel.author.id,
            "author_name": skel.author.name,
        }
        if skel.author.followers is not None:
            record["author_followers"] = skel.author.followers
        if skel.thread is not None:
            record["parent_id"] = skel.thread.parent_id
        if skel.title:
            record["title"] = skel.title
        record["text"] = composed.text
        record["created_at"] = (
            iso_utc(skel.created) if source == "youtube_comment" else iso_local(skel.created)
        )
        record["crawled_at"] = iso_utc(skel.crawled)
        record["engagement"] = engagement
        record.update(self._source_fields(skel, composed, engagement, rng))
        return record

    def _source_fields(
        self, skel: Skeleton, composed: Composed, engagement: dict[str, int], rng: random.Random
    ) -> dict[str, Any]:
        extra = dict(skel.extra or {})
        if skel.source == "facebook_post":
            extra["reactions"] = split_reactions(engagement["likes"], skel.topic.sentiment)
        elif skel.source == "facebook_comment":
            extra["reactions"] = {"like": engagement["likes"]}
        elif skel.source == "youtube_comment":
            extra["reply_count"] = engagement.get("comments", 0)
        elif skel.source == "news_article":
            extra.pop("outlet_name", None)
            extra["summary"] = composed.text.split("\n\n")[0][:400]
            extra["tags"] = _tags(skel.topic)
        return extra

    def _engagement(self, rng: random.Random, skel: Skeleton) -> dict[str, int]:
        source = skel.source
        boost = 3.0 if skel.topic.incident is not None else 1.0
        if source == "facebook_post":
            reach = skel.author.followers or rng.randint(200, 5000)
            likes = min(5_000_000, int(reach * 0.0006 * boost * rng.paretovariate(1.15)))
            counts = {
                "likes": likes,
                "shares": int(likes * rng.uniform(0.01, 0.2)),
                "comments": int(likes * rng.uniform(0.05, 0.3)),
            }
            if (skel.extra or {}).get("post_type") == "video":
                counts["views"] = int(likes * rng.uniform(20, 60))
            return counts
        if source in ("news_article", "zalo_post"):
            views = int(rng.lognormvariate(8.5 if source == "news_article" else 7.0, 1.1) * boost)
            return {
                "likes": int(views * rng.uniform(0.002, 0.03)),
                "shares": int(views * rng.uniform(0.001, 0.02)),
                "comments": int(views * rng.uniform(0.0005, 0.01)),
                "views": views,
            }
        likes = min(2_000_000, int(rng.paretovariate(1.25) * boost) - 1)
        counts = {"likes": likes}
        if skel.thread is not None and skel.thread.depth == 0 and source != "forum_post":
            counts["comments"] = int(rng.paretovariate(2.2)) - 1
        return counts

    def truth(self, skel: Skeleton, composed: Composed) -> dict[str, Any]:
        topic = skel.topic
        repost = None
        if skel.repost_of is not None:
            original = self.skeleton(skel.repost_of)
            repost = {"source": original.source, "platform_item_id": original.item_id}
        return {
            "source": skel.source,
            "platform_item_id": skel.item_id,
            "kind": "original",
            "incident": self.scenario.incidents[topic.incident].id if topic.incident is not None else None,
            "topic": topic.kind
            if not topic.theme or topic.kind == "incident"
            else f"{topic.kind}:{topic.theme}",
            "categories": list(topic.categories),
            "sentiment": topic.sentiment,
            "lang": topic.lang,
            "style": composed.styles,
            "locations": composed.locations,
            "pii": composed.pii,
            "repost_of": repost,
            "late_arrival": skel.crawled - skel.created > 6 * 3600,
        }


def _after(rng: random.Random, crawled: int, created: int, parent_created: int, hi: int) -> tuple[int, int]:
    """Move a reply after its parent: parent created <= created <= crawled < hi."""
    if created >= parent_created:
        return crawled, created
    if parent_created >= hi:
        return hi - 1, hi - 1
    earliest = min(parent_created + rng.randint(5, 300), hi - 1)
    if crawled < earliest:
        crawled = rng.randint(earliest, hi - 1)
    return crawled, rng.randint(parent_created, min(earliest, crawled))


def _forum_url(domain: str, title: str, thread_id: str, post_id: str) -> str:
    folder = "t" if domain == "voz.vn" else "threads"
    return f"https://{domain}/{folder}/{slug(title)}.{thread_id}/post-{post_id}"


def split_reactions(likes: int, sentiment: str) -> dict[str, int]:
    shares = _REACTIONS.get(sentiment, _REACTIONS["neutral"])
    counts = {name: int(likes * share) for name, share in shares[1:]}
    return {shares[0][0]: likes - sum(counts.values()), **counts}


def _tags(topic: Topic) -> list[str]:
    from socialbeat.taxonomy import CATEGORY_LABELS_VI

    tags = [CATEGORY_LABELS_VI[c] for c in topic.categories] or [topic.theme.replace("_", " ").capitalize()]
    if topic.place is not None:
        tags.append(places.district_label(topic.place.district))
    return [*tags, "TP.HCM"]


_SKELETON_MAKERS = {
    "facebook_post": ItemFactory._facebook_post,
    "facebook_comment": ItemFactory._facebook_comment,
    "tiktok_comment": ItemFactory._tiktok_comment,
    "youtube_comment": ItemFactory._youtube_comment,
    "news_article": ItemFactory._news_article,
    "news_comment": ItemFactory._news_comment,
    "forum_post": ItemFactory._forum_post,
    "zalo_post": ItemFactory._zalo_post,
}
