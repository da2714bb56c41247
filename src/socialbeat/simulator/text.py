"""Templates and the text builder that keeps track of location and PII spans through every restyling.

Template syntax (phrase banks and scenario files):
- `{slot}` or `{slot:argument}` is filled by the composer: `{street}`, `{district}`, `{phone}`,
  `{district:Quận 12}` (a named district), `{emo_neg}`, ...
- `[a|b|c]` picks one alternative; alternatives may hold slots and nested choices; `[a|]` is optional.

A text is built as a list of parts (plain, location, PII or raw). Restyling (teencode, no
diacritics, case) touches plain and location parts only, never PII, and the spans are computed
after restyling, so every span in the ground truth is exactly `text[start:end]`.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from socialbeat.simulator.style import has_diacritics, stretch, strip_diacritics, teencode

PLAIN, LOCATION, PII, RAW = 0, 1, 2, 3


@dataclass(frozen=True, slots=True)
class Slot:
    name: str
    arg: str | None = None


@dataclass(frozen=True, slots=True)
class Choice:
    options: tuple[tuple[Node, ...], ...]


Node = str | Slot | Choice


def _parse(text: str, pos: int, inside_choice: bool) -> tuple[tuple[Node, ...], int]:
    """Parse until the end of text, or (inside a choice) until the `|` or `]` that ends an option."""
    nodes: list[Node] = []
    literal: list[str] = []

    def flush() -> None:
        if literal:
            nodes.append("".join(literal))
            literal.clear()

    while pos < len(text):
        char = text[pos]
        if char == "{":
            end = text.index("}", pos)
            name, _, arg = text[pos + 1 : end].partition(":")
            flush()
            nodes.append(Slot(name.strip(), arg.strip() or None))
            pos = end + 1
        elif char == "[":
            flush()
            options: list[tuple[Node, ...]] = []
            pos += 1
            while True:
                option, pos = _parse(text, pos, True)
                options.append(option)
                if text[pos] == "]":
                    pos += 1
                    break
                pos += 1  # skip "|"
            nodes.append(Choice(tuple(options)))
        elif inside_choice and char in "|]":
            break
        else:
            literal.append(char)
            pos += 1
    else:
        if inside_choice:
            raise ValueError(f"unclosed [ in template {text!r}")
    flush()
    return tuple(nodes), pos


@lru_cache(maxsize=8192)
def compile_template(text: str) -> tuple[Node, ...]:
    try:
        nodes, _ = _parse(text, 0, False)
    except (ValueError, IndexError) as exc:
        raise ValueError(f"bad template {text!r}: {exc}") from exc
    return nodes


def template_slots(text: str) -> list[str]:
    """Every slot name a template uses (for validating scenario files)."""
    found: list[str] = []

    def walk(nodes: tuple[Node, ...]) -> None:
        for node in nodes:
            if isinstance(node, Slot):
                found.append(node.name)
            elif isinstance(node, Choice):
                for option in node.options:
                    walk(option)

    walk(compile_template(text))
    return found


@dataclass(slots=True)
class TextBuilder:
    parts: list[str] = field(default_factory=list)
    kinds: list[int] = field(default_factory=list)
    infos: list[dict[str, Any] | None] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # composition styles: emoji, hashtag, url, ...

    def add(self, text: str, kind: int = PLAIN, info: dict[str, Any] | None = None) -> None:
        """Append a part; consecutive plain text is merged (restyling sees whole phrases)."""
        if kind == PLAIN:
            if not text:
                return
            if self.kinds and self.kinds[-1] == PLAIN:
                self.parts[-1] += text
                return
        self.parts.append(text)
        self.kinds.append(kind)
        self.infos.append(info)

    def flag(self, name: str) -> None:
        if name not in self.flags:
            self.flags.append(name)

    def extend(self, other: TextBuilder) -> None:
        self.parts.extend(other.parts)
        self.kinds.extend(other.kinds)
        self.infos.extend(other.infos)
        for name in other.flags:
            self.flag(name)

    def is_empty(self) -> bool:
        return not any(self.parts)


Resolver = Callable[[Slot, TextBuilder], None]


def render(nodes: tuple[Node, ...], out: TextBuilder, resolve: Resolver, rng: random.Random) -> None:
    for node in nodes:
        kind = type(node)
        if kind is str:
            out.add(node)  # type: ignore[arg-type]
        elif kind is Slot:
            resolve(node, out)  # type: ignore[arg-type]
        else:
            options = node.options  # type: ignore[union-attr]
            render(options[int(rng.random() * len(options))], out, resolve, rng)


@dataclass(frozen=True, slots=True)
class TextStyle:
    no_diacritics: bool = False
    teencode: bool = False
    lowercase: bool = False
    caps: bool = False
    stretch: bool = False


@dataclass(slots=True)
class Composed:
    text: str
    locations: list[dict[str, Any]]
    pii: list[dict[str, Any]]
    styles: list[str]


_SPACES = re.compile(r"[ \t]{2,}")
_SPACE_BEFORE_PUNCT = re.compile(r" +([,.?!:])")


def _merge_plain(builder: TextBuilder) -> list[tuple[str, int, dict[str, Any] | None]]:
    merged: list[tuple[str, int, dict[str, Any] | None]] = []
    for text, kind, info in zip(builder.parts, builder.kinds, builder.infos, strict=True):
        if kind == PLAIN and merged and merged[-1][1] == PLAIN:
            merged[-1] = (merged[-1][0] + text, PLAIN, None)
        else:
            merged.append((text, kind, info))
    return merged


def _restyle(text: str, kind: int, style: TextStyle, rng: random.Random, applied: set[str]) -> str:
    if kind == PII:
        return text
    if kind == RAW:  # emoji, hashtags, mentions, URLs: only typed without diacritics
        return strip_diacritics(text) if style.no_diacritics else text
    if kind == PLAIN:
        if style.teencode:
            changed = teencode(text, rng)
            if changed != text:
                applied.add("teencode")
            text = changed
        if style.stretch:
            changed = stretch(text, rng)
            if changed != text:
                applied.add("stretched_letters")
            text = changed
        if "  " in text or "\t" in text:
            text = _SPACES.sub(" ", text)
        if " ," in text or " ." in text or " ?" in text or " !" in text or " :" in text:
            text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    if style.caps:
        text = text.upper()
    elif style.lowercase:
        text = text.lower()
    if style.no_diacritics and has_diacritics(text):
        applied.add("no_diacritics")
        text = strip_diacritics(text)
    return text


def finalize(builder: TextBuilder, style: TextStyle, rng: random.Random) -> Composed:
    """Restyle the parts, join them and compute every span on the final text."""
    applied: set[str] = set()
    parts = _merge_plain(builder)
    texts = [_restyle(text, kind, style, rng, applied) for text, kind, _ in parts]
    if texts and parts[0][1] == PLAIN:
        texts[0] = texts[0].lstrip()
    if texts and parts[-1][1] == PLAIN:
        texts[-1] = texts[-1].rstrip()
    locations: list[dict[str, Any]] = []
    pii: list[dict[str, Any]] = []
    offset = 0
    for text, (_, kind, info) in zip(texts, parts, strict=True):
        if kind in (LOCATION, PII) and info is not None:
            span = {**info, "text": text, "start": offset, "end": offset + len(text)}
            (locations if kind == LOCATION else pii).append(span)
        offset += len(text)
    if style.caps:
        applied.add("all_caps")
    elif style.lowercase:
        applied.add("lowercase")
    styles = sorted(applied | set(builder.flags))
    return Composed("".join(texts), locations, pii, styles)
