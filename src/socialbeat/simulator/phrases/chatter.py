"""Everyday chatter, reactions, hard negatives, spam and post pieces (chatter.yaml)."""

from __future__ import annotations

from socialbeat.simulator.phrases import SentimentBank, bank, banks, groups, load_phrases

_DOC = load_phrases("chatter")

CHATTER: dict[str, SentimentBank] = banks(_DOC["chatter"])
CHATTER_WEIGHTS: dict[str, float] = {theme: float(w) for theme, w in _DOC["chatter_weights"].items()}
REACTIONS: SentimentBank = bank(_DOC["reactions"])
HARD_NEGATIVES: SentimentBank = bank(_DOC["hard_negatives"])  # "kẹt tiền", "cháy hàng": no civic issue
SPAM: dict[str, tuple[str, ...]] = groups(_DOC["spam"])  # by language: en, zh, vi
OPENERS: SentimentBank = bank(_DOC["openers"])
CLOSERS: SentimentBank = bank(_DOC["closers"])
CAPS_PREFIXES: SentimentBank = bank(_DOC["caps_prefixes"])
EDIT_SUFFIXES: tuple[str, ...] = tuple(_DOC["edit_suffixes"])
REPOST_PREFIXES: tuple[str, ...] = tuple(_DOC["repost_prefixes"])
REPOST_SUFFIXES: tuple[str, ...] = tuple(_DOC["repost_suffixes"])
VIDEO_TITLES: dict[str, tuple[str, ...]] = groups(_DOC["video_titles"])
TIKTOK_CAPTIONS: dict[str, tuple[str, ...]] = groups(_DOC["tiktok_captions"])
FORUM_TITLES: dict[str, tuple[str, ...]] = groups(_DOC["forum_titles"])
FORUM_LEADS: tuple[str, ...] = tuple(_DOC["forum_leads"])
