"""The text of an item: pick templates for its topic and source, fill the slots, restyle, decorate."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from socialbeat.simulator import pii, places
from socialbeat.simulator.phrases import SentimentBank, chatter, civic, fillers
from socialbeat.simulator.scenario import Incident, Scenario
from socialbeat.simulator.style import emoji_run, hashtags, strip_diacritics, url
from socialbeat.simulator.text import (
    LOCATION,
    PII,
    PLAIN,
    RAW,
    Composed,
    Slot,
    TextBuilder,
    TextStyle,
    compile_template,
    finalize,
    render,
)
from socialbeat.simulator.timing import local_clock, local_date

COMMENT_SOURCES = frozenset({"facebook_comment", "tiktok_comment", "youtube_comment", "news_comment"})
_MOODS = {"negative": "negative", "neutral": "neutral", "positive": "positive"}


@dataclass(frozen=True, slots=True)
class Topic:
    """What an item is about and how it feels; `kind` decides which phrase bank writes it."""

    kind: str  # civic | chatter | reaction | hard_negative | spam | empty | emoji | english | incident
    sentiment: str
    categories: tuple[str, ...] = ()
    theme: str = ""  # chatter theme, spam language
    place: places.Place | None = None
    incident: int | None = None

    @property
    def lang(self) -> str:
        if self.kind == "spam":
            return self.theme if self.theme in ("en", "zh") else "vi"
        if self.kind == "english":
            return "en"
        if self.kind in ("empty", "emoji"):
            return "none"
        return "vi"


class SlotFiller:
    """Fills the slots of one item's templates, keeping the item's place and personal data coherent."""

    def __init__(
        self,
        composer: Composer,
        rng: random.Random,
        topic: Topic,
        register: str,
        created: int,
        landmarks: tuple[places.Feature, ...] = (),
    ) -> None:
        self.composer = composer
        self.rng = rng
        self.topic = topic
        self.register = register
        self.created = created
        self._place = topic.place
        self.landmarks = landmarks
        self.landmark_uses = 0
        incident = composer.incident(topic.incident)
        self.incident_pii = incident.pii if incident else {}
        self.person = ""
        self.issue = ""

    @property
    def place(self) -> places.Place:
        """The item's place; chatter gets one only when a template names a place."""
        if self._place is None:
            self._place = places.random_place(self.rng)
        return self._place

    # --- locations ----------------------------------------------------------------------------
    def _district(self, out: TextBuilder, district: places.District, former: str | None) -> None:
        forms = places.district_forms(district.name, self.register, former)
        info: dict[str, Any] = {"type": "district", "name": district.name, "district": district.name}
        if former:
            info["former"] = former
        out.add(forms[self.rng.randrange(len(forms))], LOCATION, info)

    def _ward(self, out: TextBuilder) -> None:
        ward = self.place.ward or self.rng.choice(self.place.district.wards)
        forms = places.ward_forms(ward, self.register)
        out.add(
            forms[self.rng.randrange(len(forms))],
            LOCATION,
            {"type": "ward", "name": ward, "district": self.place.district.name},
        )

    def _feature(self, out: TextBuilder, feature: places.Feature) -> None:
        info: dict[str, Any] = {
            "type": "street" if feature.kind == "street" else "landmark",
            "name": feature.name,
            "district": feature.district,
        }
        if feature.kind != "street":
            info["kind"] = feature.kind
        out.add(feature.name, LOCATION, info)

    def _landmark(self) -> places.Feature:
        self.landmark_uses += 1
        if self.landmarks:
            return self.landmarks[self.rng.randrange(len(self.landmarks))]
        if self.landmark_uses == 1 and self.place.landmark is not None:
            return self.place.landmark
        return self.rng.choice(self.place.district.landmarks)

    def _kind_feature(self, kind: str, fallback: tuple[places.Feature, ...]) -> places.Feature | None:
        if self.place.landmark is not None and self.place.landmark.kind == kind:
            return self.place.landmark
        local = [f for f in self.place.district.landmarks if f.kind == kind]
        if local:
            return self.rng.choice(local)
        return self.rng.choice(fallback) if fallback and kind == "hospital" else None

    def _place_phrase(self, out: TextBuilder) -> None:
        street = self.place.street or self.rng.choice(self.place.district.streets)
        former = self.place.former
        form = self.rng.randrange(8 if self.register == "social" else 4)
        if form in (0, 4):
            out.add("đường " if self.register != "en" else "")
            self._feature(out, street)
            out.add(", ")
            self._district(out, self.place.district, former)
        elif form == 1:
            self._feature(out, self._landmark())
        elif form == 2:
            out.add("khu vực " if self.register != "en" else "")
            self._feature(out, self._landmark())
            out.add(" (")
            self._district(out, self.place.district, former)
            out.add(")")
        elif form == 3:
            self._ward(out)
            out.add(", ")
            self._district(out, self.place.district, former)
        elif form == 5:
            self._feature(out, street)
            out.add(" ")
            self._district(out, self.place.district, former)
        elif form == 6:
            out.add(f"hẻm {self.rng.randint(2, 400)} ")
            self._feature(out, street)
            out.add(", ")
            self._ward(out)
            out.add(", ")
            self._district(out, self.place.district, former)
        else:
            self._district(out, self.place.district, former)

    # --- personal data --------------------------------------------------------------------------
    def _pii(self, out: TextBuilder, kind: str) -> None:
        rng = self.rng
        if kind == "phone":
            fixed = self.incident_pii.get("phone")
            surface, normal = (pii.format_phone(fixed, rng), fixed) if fixed else pii.phone(rng)
        elif kind == "email":
            surface, normal = pii.email(rng, self.person or self.composer.person_name(rng))
        elif kind == "cccd":
            surface, normal = pii.cccd(rng)
        elif kind == "bank_account":
            fixed = self.incident_pii.get("bank_account")
            surface, normal = (pii.format_account(fixed, rng), fixed) if fixed else pii.bank_account(rng)
        else:
            surface, normal = pii.plate(rng)
        out.add(surface, PII, {"type": kind, "normalized": normal})

    # --- the slot dispatcher ------------------------------------------------------------------
    def __call__(self, slot: Slot, out: TextBuilder) -> None:
        handler = _SLOT_HANDLERS.get(slot.name)
        if handler is None:
            raise ValueError(f"unknown template slot {{{slot.name}}}")
        handler(self, slot, out)


def _slot_district(f: SlotFiller, slot: Slot, out: TextBuilder) -> None:
    if slot.arg:
        f._district(out, places.find_district(slot.arg), None)
    else:
        f._district(out, f.place.district, f.place.former)


def _slot_street(f: SlotFiller, slot: Slot, out: TextBuilder) -> None:
    if slot.arg:
        f._feature(out, places.find_feature(f.place.district, slot.arg, "street"))
    else:
        f._feature(out, f.place.street or f.rng.choice(f.place.district.streets))


def _slot_landmark(f: SlotFiller, slot: Slot, out: TextBuilder) -> None:
    f._feature(out, places.find_feature(f.place.district, slot.arg) if slot.arg else f._landmark())


def _slot_kind(kind: str, fallback: tuple[places.Feature, ...], plain: str) -> Any:
    def handle(f: SlotFiller, slot: Slot, out: TextBuilder) -> None:
        feature = f._kind_feature(kind, fallback)
        if feature is None:
            out.add(plain)
        else:
            f._feature(out, feature)

    return handle


def _slot_city(f: SlotFiller, slot: Slot, out: TextBuilder) -> None:
    forms = places.CITY_FORMS.get(f.register, places.CITY_FORMS["social"])
    out.add(
        forms[f.rng.randrange(len(forms))],
        LOCATION,
        {"type": "city", "name": places.CITY_NAME, "district": None},
    )


def _slot_emoji(mood: str) -> Any:
    def handle(f: SlotFiller, slot: Slot, out: TextBuilder) -> None:
        out.add(emoji_run(f.rng, mood), RAW)
        out.flag("emoji")

    return handle


def _slot_pick(values: tuple[str, ...]) -> Any:
    def handle(f: SlotFiller, slot: Slot, out: TextBuilder) -> None:
        out.add(values[f.rng.randrange(len(values))])

    return handle


def _slot_name(f: SlotFiller, slot: Slot, out: TextBuilder) -> None:
    f.person = f.composer.person_name(f.rng)
    out.add(f.person)


def _slot_mention(f: SlotFiller, slot: Slot, out: TextBuilder) -> None:
    name = f.composer.person_name(f.rng).split()
    out.add("@" + " ".join((name[-1], name[0])), RAW)
    out.flag("mention")


def _slot_url(f: SlotFiller, slot: Slot, out: TextBuilder) -> None:
    out.add(url(f.rng), RAW)
    out.flag("url")


def _slot_bank(f: SlotFiller, slot: Slot, out: TextBuilder) -> None:
    out.add(f.incident_pii.get("bank") or f.rng.choice(pii.BANKS))


def _slot_issue(f: SlotFiller, slot: Slot, out: TextBuilder) -> None:
    incident = f.composer.incident(f.topic.incident)
    if incident is not None:
        out.add(incident.title[0].lower() + incident.title[1:])
        return
    if not f.issue:
        category = f.topic.categories[0] if f.topic.categories else "traffic"
        f.issue = f.rng.choice(civic.ISSUES[category])
    out.add(f.issue)


def _slot_agency(f: SlotFiller, slot: Slot, out: TextBuilder) -> None:
    category = f.topic.categories[0] if f.topic.categories else "public_services"
    out.add(civic.AGENCIES[category])


def _slot_headline(f: SlotFiller, slot: Slot, out: TextBuilder) -> None:
    render(compile_template(f.composer.headline_template(f.rng, f.topic)), out, f, f.rng)


_SLOT_HANDLERS: dict[str, Any] = {
    "district": _slot_district,
    "ward": lambda f, slot, out: f._ward(out),
    "street": _slot_street,
    "landmark": _slot_landmark,
    "place": lambda f, slot, out: f._place_phrase(out),
    "hospital": _slot_kind("hospital", places.HOSPITALS, "bệnh viện"),
    "canal": _slot_kind("canal", (), "con kênh gần nhà"),
    "station": _slot_kind("station", (), "trạm xe buýt"),
    "city": _slot_city,
    "phone": lambda f, slot, out: f._pii(out, "phone"),
    "email": lambda f, slot, out: f._pii(out, "email"),
    "cccd": lambda f, slot, out: f._pii(out, "cccd"),
    "stk": lambda f, slot, out: f._pii(out, "bank_account"),
    "plate": lambda f, slot, out: f._pii(out, "plate"),
    "bank": _slot_bank,
    "emo_pos": _slot_emoji("positive"),
    "emo_neg": _slot_emoji("negative"),
    "emo_neu": _slot_emoji("neutral"),
    "emo_sad": _slot_emoji("sad"),
    "emo_laugh": _slot_emoji("laugh"),
    "time": _slot_pick(fillers.TIMES),
    "money": _slot_pick(fillers.MONEY),
    "price": _slot_pick(fillers.PRICES),
    "rent": _slot_pick(fillers.RENTS),
    "food": _slot_pick(fillers.FOODS),
    "team": _slot_pick(fillers.TEAMS),
    "player": _slot_pick(fillers.PLAYERS),
    "celeb": _slot_pick(fillers.CELEBS),
    "brand": _slot_pick(fillers.BRANDS),
    "product": _slot_pick(fillers.PRODUCTS),
    "movie": _slot_pick(fillers.MOVIES),
    "num": lambda f, slot, out: out.add(str(f.rng.randint(2, 99))),
    "clock": lambda f, slot, out: out.add(local_clock(f.created)),
    "date": lambda f, slot, out: out.add(local_date(f.created, f.rng.randint(1, 10))),
    "name": _slot_name,
    "mention": _slot_mention,
    "url": _slot_url,
    "issue": _slot_issue,
    "agency": _slot_agency,
    "headline": _slot_headline,
}
SLOT_NAMES = frozenset(_SLOT_HANDLERS)


class Composer:
    def __init__(self, scenario: Scenario, seed: int) -> None:
        self.scenario = scenario
        self.seed = seed
        self._campaigns: dict[int, TextBuilder] = {}
        self._rates = {
            (name, source): rate for name, rates in scenario.style.items() for source, rate in rates.items()
        }

    def _rate(self, name: str, source: str) -> float:
        return self._rates.get((name, source), 0.0)

    def incident(self, index: int | None) -> Incident | None:
        return None if index is None else self.scenario.incidents[index]

    @staticmethod
    def person_name(rng: random.Random) -> str:
        family, given = rng.choice(fillers.FAMILY_NAMES), rng.choice(fillers.GIVEN_NAMES)
        middle = rng.choice(fillers.MIDDLE_NAMES)
        return " ".join(p for p in (family, middle, given) if p)

    def filler(self, rng: random.Random, topic: Topic, register: str, created: int) -> SlotFiller:
        incident = self.incident(topic.incident)
        landmarks: tuple[places.Feature, ...] = ()
        if incident is not None and incident.place is not None:
            landmarks = tuple(
                places.find_feature(places.DISTRICTS_BY_NAME[d], name) for name, d in incident.place.landmarks
            )
        return SlotFiller(self, rng, topic, register, created, landmarks)

    # --- titles -------------------------------------------------------------------------------
    def headline_template(self, rng: random.Random, topic: Topic) -> str:
        incident = self.incident(topic.incident)
        if incident is not None and incident.headlines:
            return rng.choice(incident.headlines)
        if topic.categories:
            return rng.choice(civic.HEADLINES[topic.categories[0]])
        return rng.choice(chatter.VIDEO_TITLES["chatter"])

    def title(self, rng: random.Random, topic: Topic, created: int, kind: str) -> str:
        """A headline (news), a video title (youtube), a caption (tiktok) or a thread title (forum)."""
        group = "civic" if topic.categories else "chatter"
        if kind == "news":
            template = self.headline_template(rng, topic)
        elif kind == "youtube":
            template = rng.choice(chatter.VIDEO_TITLES[group])
        elif kind == "tiktok":
            template = rng.choice(chatter.TIKTOK_CAPTIONS[group])
        else:
            template = rng.choice(chatter.FORUM_TITLES[group])
        out = TextBuilder()
        filler = self.filler(rng, topic, "formal" if kind == "news" else "social", created)
        render(compile_template(template), out, filler, rng)
        return finalize(out, TextStyle(), rng).text

    # --- bodies ---------------------------------------------------------------------------------
    def compose(self, rng: random.Random, source: str, topic: Topic, created: int, long: bool) -> Composed:
        if topic.kind == "empty":
            return Composed("", [], [], ["empty"])
        if topic.kind == "emoji":
            mood = {"positive": "positive", "negative": "negative"}.get(topic.sentiment, "neutral")
            text = " ".join(emoji_run(rng, mood) for _ in range(rng.choice((1, 1, 2))))
            return Composed(text, [], [], ["emoji", "emoji_only"])
        incident = self.incident(topic.incident)
        if incident is not None and incident.campaign:
            return self._campaign_copy(rng, topic, created)
        register = (
            "en"
            if topic.lang == "en"
            else ("formal" if source in ("news_article", "zalo_post") else "social")
        )
        filler = self.filler(rng, topic, register, created)
        if source == "news_article":
            out = self._news(rng, topic, filler, long)
        elif source == "zalo_post":
            out = self._announcement(rng, topic, filler)
        else:
            out = self._social(rng, source, topic, filler, long)
        self._decorate(rng, source, topic, out)
        return finalize(out, self._style(rng, source, topic), rng)

    def _bank_for(self, rng: random.Random, source: str, topic: Topic) -> SentimentBank:
        comment = source in COMMENT_SOURCES
        incident = self.incident(topic.incident)
        if incident is not None:
            if comment and incident.comments and topic.sentiment in incident.comments and rng.random() < 0.7:
                return incident.comments
            return incident.texts
        if topic.kind == "civic":
            category = topic.categories[0]
            return civic.COMMENTS[category] if comment and rng.random() < 0.6 else civic.POSTS[category]
        if topic.kind == "english":
            return civic.ENGLISH[topic.categories[0]]
        if topic.kind == "chatter":
            return chatter.CHATTER[topic.theme]
        if topic.kind == "reaction":
            return chatter.REACTIONS
        if topic.kind == "hard_negative":
            return chatter.HARD_NEGATIVES
        return {"neutral": chatter.SPAM[topic.theme]}

    def _sentence(
        self, rng: random.Random, bank: SentimentBank, sentiment: str, out: TextBuilder, filler: SlotFiller
    ) -> None:
        templates = bank.get(sentiment) or next(iter(bank.values()))
        render(compile_template(templates[rng.randrange(len(templates))]), out, filler, rng)

    def _social(
        self, rng: random.Random, source: str, topic: Topic, filler: SlotFiller, long: bool
    ) -> TextBuilder:
        out = TextBuilder()
        bank = self._bank_for(rng, source, topic)
        sentiment = topic.sentiment
        is_post = source not in COMMENT_SOURCES
        core = TextBuilder()
        self._sentence(rng, bank, sentiment, core, filler)
        if source == "forum_post":
            out.add(rng.choice(chatter.FORUM_LEADS))
        if is_post and topic.lang == "vi" and rng.random() < 0.04:
            out.add(
                rng.choice(chatter.CAPS_PREFIXES.get(sentiment, chatter.CAPS_PREFIXES["neutral"])) + " ", RAW
            )
        opener = is_post and topic.lang == "vi" and rng.random() < 0.25
        if opener and not _starts_like_opener(core):
            out.add(rng.choice(chatter.OPENERS.get(sentiment, chatter.OPENERS["neutral"])) + " ")
        out.extend(core)
        if topic.kind == "civic" and len(topic.categories) > 1:
            out.add(" ")
            second = civic.COMMENTS if not is_post else civic.POSTS
            self._sentence(rng, second[topic.categories[1]], sentiment, out, filler)
        if long:
            self._long_tail(rng, bank, sentiment, out, filler)
        if is_post and topic.lang == "vi" and rng.random() < 0.2:
            out.add(" " + rng.choice(chatter.CLOSERS.get(sentiment, chatter.CLOSERS["neutral"])))
        if is_post and topic.lang == "vi" and rng.random() < self.scenario.noise["pii_extra"]:
            out.add(rng.choice((" Liên hệ ", " LH ", " Zalo ", " Ai cần hỏi thêm gọi ")))
            filler._pii(out, "phone")
        return out

    def _long_tail(
        self, rng: random.Random, bank: SentimentBank, sentiment: str, out: TextBuilder, filler: SlotFiller
    ) -> None:
        for _ in range(rng.randint(6, 60)):
            out.add("\n\n")
            for sentence in range(rng.randint(2, 4)):
                if sentence:
                    out.add(" ")
                self._sentence(rng, bank, sentiment, out, filler)

    def _news(self, rng: random.Random, topic: Topic, filler: SlotFiller, long: bool) -> TextBuilder:
        out = TextBuilder()
        incident = self.incident(topic.incident)
        if not topic.categories:
            for i in range(rng.randint(3, 6)):
                out.add(" " if i else "")
                self._sentence(rng, chatter.CHATTER[topic.theme], topic.sentiment, out, filler)
            return out
        if incident is not None and incident.news:
            return self._incident_news(rng, topic, incident, filler, out)
        frames = list(civic.NEWS_FRAMES)
        rng.shuffle(frames)
        paragraphs = frames[: rng.randint(3, len(frames))] * (rng.randint(8, 30) if long else 1)
        for i, frame in enumerate(paragraphs):
            if i:
                out.add("\n\n")
            render(compile_template(frame), out, filler, rng)
            if i == 1:
                self._quote(rng, topic, incident, out, filler)
        out.add(
            "\n\n"
            + rng.choice(
                (
                    "Vụ việc đang được cơ quan chức năng tiếp tục xác minh.",
                    "Phóng viên sẽ tiếp tục thông tin.",
                    "Cơ quan chức năng đang xử lý.",
                )
            )
        )
        return out

    def _incident_news(
        self, rng: random.Random, topic: Topic, incident: Incident, filler: SlotFiller, out: TextBuilder
    ) -> TextBuilder:
        sentences = list(incident.news)
        rng.shuffle(sentences)
        for i, template in enumerate(sentences):
            if i:
                out.add("\n\n")
            render(compile_template(template), out, filler, rng)
            if i == 0:
                self._quote(rng, topic, incident, out, filler)
        return out

    def _quote(
        self,
        rng: random.Random,
        topic: Topic,
        incident: Incident | None,
        out: TextBuilder,
        filler: SlotFiller,
    ) -> None:
        html = rng.random() < self._rate("html_entity", "news_article")
        open_quote, close_quote = ("&quot;", "&quot;") if html else ("“", "”")
        if html:
            out.flag("html_entity")
        out.add(f"\n\n{rng.choice(('Chị', 'Anh', 'Ông', 'Bà'))} ")
        _slot_name(filler, Slot("name"), out)
        out.add(", sống tại ")
        filler._ward(out)
        out.add(", cho biết: " + open_quote)
        bank = incident.texts if incident is not None else civic.POSTS[topic.categories[0]]
        quote = TextBuilder()
        voice = topic.sentiment if topic.sentiment in bank and topic.sentiment != "neutral" else "negative"
        self._sentence(rng, bank, voice, quote, filler)
        kept = [(t, k, i) for t, k, i in zip(quote.parts, quote.kinds, quote.infos, strict=True) if k != RAW]
        if kept and kept[-1][1] == PLAIN:
            kept[-1] = (kept[-1][0].rstrip(" ,"), PLAIN, None)
        for text, kind, info in kept:
            out.add(text, kind, info)
        out.add(close_quote + ".")

    def _announcement(self, rng: random.Random, topic: Topic, filler: SlotFiller) -> TextBuilder:
        out = TextBuilder()
        incident = self.incident(topic.incident)
        if incident is not None:
            self._sentence(rng, incident.texts, topic.sentiment, out, filler)
        elif topic.kind == "civic":
            render(compile_template(rng.choice(civic.ANNOUNCEMENTS[topic.categories[0]])), out, filler, rng)
            out.add(rng.choice(("", " Trân trọng thông báo.", " Trân trọng.")))
        else:
            self._sentence(rng, self._bank_for(rng, "zalo_post", topic), topic.sentiment, out, filler)
        return out

    # --- decoration and style -------------------------------------------------------------------
    def _decorate(self, rng: random.Random, source: str, topic: Topic, out: TextBuilder) -> None:
        rate = self._rate
        if topic.lang != "vi":
            return
        if source in COMMENT_SOURCES and rng.random() < rate("mention", source):
            _slot_mention_prefix(rng, out, self)
        if "emoji" not in out.flags and rng.random() < rate("emoji", source):
            out.add(" ")
            out.add(emoji_run(rng, _MOODS.get(topic.sentiment, "neutral")), RAW)
            out.flag("emoji")
        if rng.random() < rate("hashtag", source):
            theme = topic.categories[0] if topic.categories else topic.theme
            out.add("\n" if rng.random() < 0.5 else " ")
            out.add(hashtags(rng, theme), RAW)
            out.flag("hashtag")
        if rng.random() < rate("url", source):
            out.add(" ")
            out.add(url(rng), RAW)
            out.flag("url")
        if source != "news_article" and rng.random() < rate("html_entity", source):
            _html_entities(rng, out)

    def _style(self, rng: random.Random, source: str, topic: Topic) -> TextStyle:
        if topic.lang != "vi":
            return TextStyle()
        rate = self._rate
        return TextStyle(
            no_diacritics=rng.random() < rate("no_diacritics", source),
            teencode=rng.random() < rate("teencode", source),
            lowercase=rng.random() < rate("lowercase", source),
            caps=rng.random() < rate("all_caps", source),
            stretch=rng.random() < rate("stretched_letters", source),
        )

    # --- campaigns, edits, reposts ---------------------------------------------------------------
    def _campaign_base(self, topic: Topic, created: int) -> TextBuilder:
        assert topic.incident is not None
        base = self._campaigns.get(topic.incident)
        if base is None:
            incident = self.scenario.incidents[topic.incident]
            rng = random.Random(f"{self.seed}:{incident.id}")
            base = TextBuilder()
            filler = self.filler(rng, topic, "social", created)
            templates = incident.texts.get(topic.sentiment) or next(iter(incident.texts.values()))
            render(compile_template(templates[0]), base, filler, rng)
            self._campaigns[topic.incident] = base
        return base

    def _campaign_copy(self, rng: random.Random, topic: Topic, created: int) -> Composed:
        """The campaign's one text with small edits: prefix, suffix, punctuation, a little teencode."""
        base = self._campaign_base(topic, created)
        out = TextBuilder()
        out.add(rng.choice(("", "", "", "Mọi người ơi, ", "Cả nhà ơi ", "Share: ", "Ai ở gần đó chú ý: ")))
        for text, kind, info in zip(base.parts, base.kinds, base.infos, strict=True):
            if kind == PLAIN and rng.random() < 0.3:
                text = text.replace("!!!", rng.choice(("!!", "!!!!", "!", "‼️")))
            out.add(text, kind, info)
        out.add(
            rng.choice(("", "", " 😱😱", " Chia sẻ ngay!", " (nguồn: người quen làm trong ngành)", " 🙏"))
        )
        style = TextStyle(teencode=rng.random() < 0.15, lowercase=rng.random() < 0.05)
        composed = finalize(out, style, rng)
        composed.styles = sorted({*composed.styles, "campaign_copy"})
        return composed

    def edit_suffix(self, rng: random.Random, topic: Topic, created: int) -> str:
        out = TextBuilder()
        render(
            compile_template(rng.choice(chatter.EDIT_SUFFIXES)),
            out,
            self.filler(rng, topic, "social", created),
            rng,
        )
        return "".join(out.parts)

    def repost(self, rng: random.Random, original: Composed, topic: Topic, created: int) -> Composed:
        """Prefix and suffix around a copied text; the copied spans shift by the prefix."""
        filler = self.filler(rng, topic, "social", created)
        head, tail = TextBuilder(), TextBuilder()
        render(compile_template(rng.choice(chatter.REPOST_PREFIXES)), head, filler, rng)
        render(compile_template(rng.choice(chatter.REPOST_SUFFIXES)), tail, filler, rng)
        prefix, suffix = "".join(head.parts), "".join(tail.parts)
        if "no_diacritics" in original.styles:
            prefix, suffix = strip_diacritics(prefix), strip_diacritics(suffix)
        shift = len(prefix)

        def moved(spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [{**s, "start": s["start"] + shift, "end": s["end"] + shift} for s in spans]

        styles = sorted({*original.styles, "repost"})
        return Composed(
            prefix + original.text + suffix, moved(original.locations), moved(original.pii), styles
        )


_OPENING_WORDS = (
    "mọi người",
    "mn",
    "cả nhà",
    "cho ",
    "trời",
    "bức",
    "chán",
    "vui",
    "ai ",
    "thông",
    "cảnh",
    "khen",
)


def _starts_like_opener(core: TextBuilder) -> bool:
    first = core.parts[0].lower() if core.parts else ""
    return first.startswith(_OPENING_WORDS)


def _slot_mention_prefix(rng: random.Random, out: TextBuilder, composer: Composer) -> None:
    name = composer.person_name(rng).split()
    out.parts.insert(0, "@" + " ".join((name[-1], name[0])) + " ")
    out.kinds.insert(0, RAW)
    out.infos.insert(0, None)
    out.flag("mention")


def _html_entities(rng: random.Random, out: TextBuilder) -> None:
    """What crawlers that keep innerHTML leave in the text: &amp; &quot; &gt; &lt;3 &nbsp;."""
    choice = rng.randrange(4)
    replaced = [
        p.replace(" và ", " &amp; ") if k == PLAIN else p for p, k in zip(out.parts, out.kinds, strict=True)
    ]
    if choice == 0 and replaced != out.parts:
        out.parts[:] = replaced
    elif choice == 1:
        out.parts.insert(0, "&quot;")
        out.kinds.insert(0, RAW)
        out.infos.insert(0, None)
        out.add("&quot;", RAW)
    elif choice == 2:
        out.add(" &gt;&gt; Xem thêm", RAW)
    else:
        out.add("&nbsp;&lt;3", RAW)
    out.flag("html_entity")
