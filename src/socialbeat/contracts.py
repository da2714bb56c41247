"""Crawl contracts (schemas/contracts/<version>/*.yaml), loaded into typed objects.

The YAML files are the single source of truth: the bronze parser, the simulator, the mention
model and the crawler documentation all read them from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from socialbeat.settings import PROJECT_ROOT

FIELD_TYPES = ("string", "long", "timestamp", "struct", "object")


def schemas_dir() -> Path:
    """`schemas/` of a source checkout, or the copy packed into the wheel."""
    packaged = Path(__file__).resolve().parent / "_schemas"
    return packaged if packaged.is_dir() else PROJECT_ROOT / "schemas"


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool = False
    doc: str = ""
    min: int | None = None
    max_chars: int | None = None
    fields: tuple[Field, ...] = ()

    @classmethod
    def parse(cls, spec: dict[str, Any]) -> Field:
        if spec["type"] not in FIELD_TYPES:
            raise ValueError(f"field {spec['name']!r}: unknown type {spec['type']!r}")
        return cls(
            name=spec["name"],
            type=spec["type"],
            required=bool(spec.get("required", False)),
            doc=spec.get("doc", ""),
            min=spec.get("min"),
            max_chars=spec.get("max_chars"),
            fields=tuple(cls.parse(child) for child in spec.get("fields", [])),
        )


@dataclass(frozen=True)
class SourceContract:
    source: str
    version: str
    platform: str
    kind: str
    doc: str
    required: tuple[str, ...]
    thread_root: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Contracts:
    version: str
    timezone: str
    envelope: tuple[Field, ...]
    sources: dict[str, SourceContract] = field(default_factory=dict)

    @property
    def source_names(self) -> list[str]:
        return sorted(self.sources)

    @property
    def envelope_names(self) -> list[str]:
        return [f.name for f in self.envelope]

    def required_for(self, source: str) -> list[str]:
        envelope_required = [f.name for f in self.envelope if f.required]
        return envelope_required + [n for n in self.sources[source].required if n not in envelope_required]

    def long_fields(self) -> list[tuple[str, ...]]:
        """Paths of every integer field in the envelope, e.g. ("engagement", "likes")."""
        paths: list[tuple[str, ...]] = []
        for f in self.envelope:
            if f.type == "long":
                paths.append((f.name,))
            paths.extend((f.name, child.name) for child in f.fields if child.type == "long")
        return paths


def _load_yaml(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=4)
def load_contracts(version: str = "v1") -> Contracts:
    folder = schemas_dir() / "contracts" / version
    envelope = _load_yaml(folder / "_envelope.yaml")
    sources = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        spec = _load_yaml(path)
        sources[spec["source"]] = SourceContract(
            source=spec["source"],
            version=spec["version"],
            platform=spec["platform"],
            kind=spec["kind"],
            doc=spec.get("doc", ""),
            required=tuple(spec.get("required", [])),
            thread_root=spec.get("thread_root", "platform_item_id"),
            fields=tuple(Field.parse(f) for f in spec.get("fields", [])),
        )
    return Contracts(
        version=envelope["version"],
        timezone=envelope["timezone"],
        envelope=tuple(Field.parse(f) for f in envelope["fields"]),
        sources=sources,
    )
