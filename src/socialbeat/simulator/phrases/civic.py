"""Civic phrase banks (civic.yaml), one entry per category of `socialbeat.taxonomy.CATEGORIES`."""

from __future__ import annotations

from socialbeat.simulator.phrases import SentimentBank, banks, groups, load_phrases

_DOC = load_phrases("civic")

POSTS: dict[str, SentimentBank] = banks(_DOC["posts"])  # pages, groups, forums
COMMENTS: dict[str, SentimentBank] = banks(_DOC["comments"])  # short replies
HEADLINES: dict[str, tuple[str, ...]] = groups(_DOC["headlines"])
ISSUES: dict[str, tuple[str, ...]] = groups(_DOC["issues"])  # noun phrases for the news frames
AGENCIES: dict[str, str] = dict(_DOC["agencies"])
NEWS_FRAMES: tuple[str, ...] = tuple(_DOC["news_frames"])
ANNOUNCEMENTS: dict[str, tuple[str, ...]] = groups(_DOC["announcements"])  # ward and agency Zalo accounts
ENGLISH: dict[str, SentimentBank] = banks(_DOC["english"])  # expats
