"""The generator's own Vietnamese phrase banks (civic.yaml, chatter.yaml) and slot fillers (fillers.py).

Written for this project (no external corpus). Template syntax: see `socialbeat.simulator.text`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

SentimentBank = dict[str, tuple[str, ...]]
_HERE = Path(__file__).resolve().parent


def load_phrases(name: str) -> dict[str, Any]:
    """A phrase file of this package, parsed (C loader when available: it is read by every worker)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document = yaml.load((_HERE / f"{name}.yaml").read_text(encoding="utf-8"), Loader=loader)
    if not isinstance(document, dict):
        raise ValueError(f"{name}.yaml: expected a mapping")
    return document


def bank(value: dict[str, list[str]]) -> SentimentBank:
    """Templates by the sentiment they express (a sentiment may have none)."""
    return {sentiment: tuple(templates) for sentiment, templates in value.items() if templates}


def banks(value: dict[str, dict[str, list[str]]]) -> dict[str, SentimentBank]:
    return {key: bank(inner) for key, inner in value.items()}


def groups(value: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    return {key: tuple(templates) for key, templates in value.items()}
