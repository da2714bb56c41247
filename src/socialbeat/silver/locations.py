"""Location tagging: the HCMC districts and wards a text names, before and after the 1 July 2025 reform.

The gazetteer is the repository's `data/districts.yaml` (22 districts, the 2021 Thủ Đức merge, city
names) plus, when `<datasets>/gazetteer/` exists, the 273 old HCMC wards and the old→new ward mapping.
From it one regular expression is generated (tries of literal aliases, so the JVM tries a handful of
branches per character, not thousands) and a map from each alias key (the match with everything but
letters and digits removed: "q. 1" → "q1") to the units it can mean. Spark runs the regex with
`regexp_extract_all` and looks keys up in CRC-32-bucketed map literals; `find_locations`/`tag_text`
run the same regex and map in plain Python.

Rules (each has tests in tests/silver/test_locations.py):

1. Matches are whole words: no letter or digit right before or after ("quận 1" is not in "quận 10").
2. Numbered districts need a prefix: "quận 1", "quan 1", "q1", "q.1", "q 1", "q. 1", "district 1",
   "dist. 1". Bare numbers are never places. "D1"/"D2" are not districts (they are street names).
   "q<n>" followed by "/2024", "-2024", " 2024" or " năm 2024" is a quarter, and "audi q7" a car.
3. "Quận 2", "Quận 9" and "Quận Thủ Đức" (merged in 2021) resolve to "Thành phố Thủ Đức".
4. Named districts count bare ("bình thạnh", "binh thanh", "gò vấp", "thủ đức", "củ chi") or after a kind
   word ("quận", "quan", "q.", "huyện", "huyen", "h.", "thành phố", "thanh pho", "tp", "tp."), both
   tone-mark conventions ("hoà"/"hòa"). Spellings that are ordinary words on their own count only after
   a kind word: "tan binh" (tân binh), "cu chi" (cử chỉ), "hoc mon" (học môn), "can gio", "nha be".
   "nhà bè bạn" is not Nhà Bè.
5. Initials count only after "quận"/"quan"/"q.": "q.bt", "q tb", "quận gv", "q.pn"; bare "bt" is
   "biết", bare "tb" is nothing, and "q" alone is not a district.
6. The city is never tagged ("TP.HCM", "TPHCM", "Sài Gòn", "Hồ Chí Minh", "thành phố Hồ Chí Minh"); these
   spans, and names that merely contain a unit name ("kcn tân bình", ward names such as "hiệp bình
   chánh" or "tân phú trung" that contain another district's name), are consumed and yield nothing.
7. Wards need their kind word: "phường bến nghé", "p. bến nghé", "p.bến nghé", "xã tân thông hội",
   "thị trấn củ chi", "tt củ chi"; numbered wards also "p3", "p.3", "f3", "f.3", "ward 3". A bare ward
   name is not tagged: "chợ bến thành", "ga bến thành" stay untagged. Street and landmark names
   ("bến xe miền đông", "cầu sài gòn") are never tagged.
   English: a name without diacritics followed by its kind ("cu chi district", "thu duc city", "ben
   nghe ward", "binh chanh commune", "cu chi town") counts, before any blocked span.
8. A ward name that exists in several districts ("Phường 3", "Phường Tân Phú") counts only when exactly
   one of its districts is also named in the text; a ward brings its district into `locations`.
9. `primary_district` is the first district named directly, else the district of the first ward.
10. `locations_2025` (only with the shared mapping): the 2025 units of each named ward; for a district
    named without any of its wards, every 2025 unit that took over part of it.
11. Canonical names use the old tone style, like the normaliser ("Phường Hòa Hưng", though the source
    file writes "Hoà"); a ward's kind comes from its name ("Phường 15" of Phú Nhuận is typed "Xã").
    Only the 22 old HCMC districts (province 79) are units; Bình Dương and Bà Rịa–Vũng Tàu are not.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from socialbeat.silver.pii import first_chars, literal_trie

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame

DISTRICTS_YAML = Path(__file__).with_name("data") / "districts.yaml"
HCMC_PROVINCE_CODE = "79"

_WORD = r"0-9a-zA-Z_\u00c0-\u024f\u0300-\u036f\u1e00-\u1eff"
_BOUNDARY_BEFORE = f"(?<![{_WORD}])"
_BOUNDARY_AFTER = f"(?![{_WORD}])"
_PREFIX_SEPARATOR = "[ .]{0,2}"
KEY_STRIP_REGEX = "[^0-9a-z\u00c0-\u024f\u1e00-\u1eff]"
_QUARTER_GUARD = "(?![ ]?[/\\-][ ]?[0-9])(?! (?:năm|nam) [0-9])(?! 20[0-9]{2})"

NUMBERED_DISTRICT_PREFIXES = ("quận", "quan", "q", "district", "dist")
NAMED_DISTRICT_PREFIXES = ("quận", "quan", "q", "huyện", "huyen", "h", "thành phố", "thanh pho", "tp")
ACRONYM_PREFIXES = ("quận", "quan", "q")
WARD_PREFIXES = {
    "phường": ("phường", "phuong", "p"),
    "xã": ("xã", "xa"),
    "thị trấn": ("thị trấn", "thi tran", "tt"),
}
NUMBERED_WARD_PREFIXES = ("phường", "phuong", "p", "f", "ward")
WARD_KINDS = ("Phường", "Xã", "Thị trấn")
# Words that make a following unit name part of a landmark's name ("chợ Gò Vấp", "Bệnh viện Quận 11",
# "ngã tư Phú Nhuận", "ga Thủ Đức"): never the unit itself. Forms that are common words without
# diacritics ("cho" = give, "cau", "truong") are left out.
LANDMARK_WORDS = (
    "chợ", "bệnh viện", "benh vien", "bv", "ga", "bến xe", "ben xe", "cầu", "công viên", "cong vien",
    "sân bay", "san bay", "vòng xoay", "vong xoay", "siêu thị", "sieu thi", "trường", "kcn",
    "khu công nghiệp", "khu cong nghiep", "nhà văn hóa", "nha van hoa", "đại học", "làng đại học",
    "bệnh viện đa khoa", "bệnh viện đa khoa khu vực", "địa đạo", "chợ đầu mối", "cảng", "bến phà",
    *(f"{nga} {n}" for nga in ("ngã", "nga") for n in ("ba", "tư", "tu", "năm", "sáu", "sau", "bảy", "bay")),
)  # fmt: skip
# English suffixes after a name without diacritics: "Cu Chi District", "Ben Nghe Ward", "An Phu Commune".
ENGLISH_SUFFIXES = {
    "quận": "district",
    "huyện": "district",
    "thành phố": "city",
    "phường": "ward",
    "xã": "commune",
    "thị trấn": "town",
}


# --- the gazetteer ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class District:
    name: str  # canonical: "Quận 1", "Quận Bình Thạnh", "Thành phố Thủ Đức", "Huyện Củ Chi"
    kind: str  # quận | huyện | thành phố
    short: str  # "1", "Bình Thạnh", "Thủ Đức"
    acronyms: tuple[str, ...] = ()
    prefix_only: tuple[str, ...] = ()
    not_before: tuple[str, ...] = ()

    @property
    def numbered(self) -> bool:
        return self.short.isdigit()


@dataclass(frozen=True, slots=True)
class Ward:
    name: str  # canonical: "Phường Bến Nghé", "Phường 3", "Xã Tân Thông Hội", "Thị trấn Củ Chi"
    kind: str  # phường | xã | thị trấn
    short: str  # "Bến Nghé", "3"
    district: str  # canonical district name
    code: str = ""

    @property
    def key(self) -> str:
        return f"{self.district}|{self.name}"


@dataclass(frozen=True, slots=True)
class Candidate:
    """One unit an alias can mean."""

    name: str
    district: str
    ward: bool


@dataclass(frozen=True, slots=True)
class LocationTags:
    locations: list[str]
    primary_district: str | None
    locations_2025: list[str]


@dataclass(frozen=True, slots=True)
class _Matcher:
    regex: str
    compiled: re.Pattern[str]
    aliases: dict[str, tuple[Candidate, ...]]  # alias key -> candidates; () for a blocked span


@dataclass(frozen=True, eq=False)
class Gazetteer:
    districts: tuple[District, ...]
    former: tuple[District, ...]  # pre-2021 districts that now resolve to `merged_into`
    merged_into: str
    city_names: tuple[str, ...]
    contained_names: tuple[str, ...]
    wards: tuple[Ward, ...] = ()
    wards_2025: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # Ward.key -> 2025 units
    districts_2025: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # district -> 2025 units

    @property
    def has_2025(self) -> bool:
        return bool(self.wards_2025)

    @cached_property
    def matcher(self) -> _Matcher:
        return _build_matcher(self)


def load_gazetteer(datasets_path: Path | None) -> Gazetteer:
    """The repo's districts, plus wards and the 2025 mapping when `<datasets>/gazetteer/` exists."""
    spec = yaml.safe_load(DISTRICTS_YAML.read_text(encoding="utf-8"))
    districts = tuple(_district(entry) for entry in spec["districts"])
    merged = spec["merged_2021"]
    base = Gazetteer(
        districts=districts,
        former=tuple(_district(entry) for entry in merged["former"]),
        merged_into=str(merged["into"]),
        city_names=tuple(spec["city_names"]),
        contained_names=tuple(spec["contained_names"]),
    )
    folder = datasets_path / "gazetteer" if datasets_path is not None else None
    if folder is None or not (folder / "hcmc_area_units_pre2025.csv").is_file():
        return base
    wards = _read_wards(folder / "hcmc_area_units_pre2025.csv", {d.name for d in districts})
    wards_2025, districts_2025 = _read_mapping(folder, wards)
    return Gazetteer(
        districts=base.districts,
        former=base.former,
        merged_into=base.merged_into,
        city_names=base.city_names,
        contained_names=base.contained_names,
        wards=wards,
        wards_2025=wards_2025,
        districts_2025=districts_2025,
    )


def _district(entry: Mapping[str, Any]) -> District:
    return District(
        name=str(entry["name"]),
        kind=str(entry["kind"]),
        short=str(entry["short"]),
        acronyms=tuple(entry.get("acronyms", ())),
        prefix_only=tuple(entry.get("prefix_only", ())),
        not_before=tuple(entry.get("not_before", ())),
    )


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _read_wards(path: Path, district_names: set[str]) -> tuple[Ward, ...]:
    """Old HCMC wards (province 79) of the districts this repo knows, names in the old tone style.

    The kind comes from the name ("Phường 15" of Phú Nhuận is typed "Xã" in the source file).
    """
    wards = []
    for row in _csv_rows(path):
        if row["province_code"] != HCMC_PROVINCE_CODE or row["district_name"] not in district_names:
            continue
        name = old_style_tones(row["ward_name"])
        kind = next((k for k in WARD_KINDS if name.startswith(k + " ")), row["ward_type"])
        short = name.removeprefix(kind).strip()
        wards.append(Ward(name, kind.lower(), short, row["district_name"], row["ward_code"]))
    return tuple(wards)


def _read_mapping(
    folder: Path, wards: tuple[Ward, ...]
) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Old ward → 2025 units, and old district → every 2025 unit that took over part of it."""
    path = folder / "hcmc_ward_mapping_pre2025_to_2025.csv"
    if not path.is_file():
        return {}, {}
    known_2025 = _known_2025(folder / "hcmc_wards_2025.csv")
    by_code = {ward.code: ward for ward in wards}
    per_ward: dict[str, list[str]] = {}
    per_district: dict[str, list[str]] = {}
    for row in _csv_rows(path):
        ward = by_code.get(row["old_ward_code"])
        new_name = old_style_tones(row["ward_name_2025"])
        if row["old_province_code"] != HCMC_PROVINCE_CODE or ward is None:
            continue
        if known_2025 is not None and new_name not in known_2025:
            continue
        _append_unique(per_ward.setdefault(ward.key, []), new_name)
        _append_unique(per_district.setdefault(ward.district, []), new_name)
    return _frozen(per_ward), _frozen(per_district)


def _known_2025(path: Path) -> set[str] | None:
    return {old_style_tones(row["ward_name_2025"]) for row in _csv_rows(path)} if path.is_file() else None


def _append_unique(values: list[str], value: str) -> None:
    if value not in values:
        values.append(value)


def _frozen(mapping: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    return {key: tuple(values) for key, values in mapping.items()}


# --- spellings -----------------------------------------------------------------------------------

_TONED = {"a": "àáảãạ", "e": "èéẻẽẹ", "o": "òóỏõọ", "u": "ùúủũụ", "y": "ỳýỷỹỵ"}
_LETTERS = f"[{_WORD}]"
# (tone on the first vowel, tone on the second): "hòa"/"hoà", "hòe"/"hoè", "thủy"/"thuỷ".
_TONE_PAIRS = tuple(
    (_TONED[first][tone] + second, first + _TONED[second][tone])
    for first, second in (("o", "a"), ("o", "e"), ("u", "y"))
    for tone in range(5)
)


def _retone(text: str, old_first: bool) -> str:
    for first_style, second_style in _TONE_PAIRS:
        source, target = (second_style, first_style) if old_first else (first_style, second_style)
        text = re.sub(f"(?<![qQ]){re.escape(source)}(?!{_LETTERS})", target, text)
    return text


def old_style_tones(text: str) -> str:
    """The tone on the first vowel of an open "oa"/"oe"/"uy" ("Hoà" -> "Hòa"), as the normaliser writes it."""
    return _retone(text, True)


def strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def spellings(name: str) -> set[str]:
    """Lower-case forms people type: as written, both tone-mark placements, and without diacritics."""
    lower = unicodedata.normalize("NFC", name.lower())
    return {lower, _retone(lower, True), _retone(lower, False), strip_diacritics(lower)}


def alias_key(surface: str) -> str:
    """What identifies a match: lower-case letters and digits only ("Q. 1" → "q1")."""
    return re.sub(KEY_STRIP_REGEX, "", surface.lower())


# --- the matcher ---------------------------------------------------------------------------------


@dataclass
class _Family:
    """Aliases written as prefix + separator + name, or bare names (no prefixes)."""

    prefixes: tuple[str, ...]
    names: dict[str, tuple[Candidate, ...]] = field(default_factory=dict)
    tails: dict[str, str] = field(default_factory=dict)
    before: str = ""
    after: str = ""

    def add(self, names: Iterable[str], candidate: Candidate | None, tail: str = "") -> None:
        for name in names:
            known = self.names.setdefault(name, ())
            if candidate is not None and candidate not in known:
                self.names[name] = (*known, candidate)
            self.tails[name] = tail

    def regex(self) -> str:
        body = literal_trie(self.tails)
        if self.prefixes:
            body = literal_trie(dict.fromkeys(self.prefixes, "")) + _PREFIX_SEPARATOR + body
        return self.before + body + self.after

    def starts(self) -> Iterable[str]:
        return self.prefixes or self.names

    def alias_keys(self) -> Iterable[tuple[str, tuple[Candidate, ...]]]:
        for prefix in self.prefixes or ("",):
            for name, candidates in self.names.items():
                yield alias_key(prefix) + alias_key(name), candidates


def _district_candidate(gazetteer: Gazetteer, district: District) -> Candidate:
    target = gazetteer.merged_into if district in gazetteer.former else district.name
    return Candidate(target, target, False)


def _district_families(gazetteer: Gazetteer) -> list[_Family]:
    numbered = _Family(NUMBERED_DISTRICT_PREFIXES, before="(?<!audi )", after=_QUARTER_GUARD)
    acronyms = _Family(ACRONYM_PREFIXES)
    prefixed = _Family(NAMED_DISTRICT_PREFIXES)
    bare = _Family(())
    for district in (*gazetteer.districts, *gazetteer.former):
        candidate = _district_candidate(gazetteer, district)
        if district.numbered:
            numbered.add([district.short], candidate)
            continue
        forms = spellings(district.short)
        acronyms.add(district.acronyms, candidate)
        prefixed.add(forms, candidate)
        tail = "".join(f"(?! {re.escape(word)})" for word in district.not_before)
        bare.add(forms - set(district.prefix_only), candidate, tail)
    return [numbered, acronyms, prefixed, bare]


def _english(short: str, kind: str) -> set[str]:
    """ "Cu Chi District", "Thu Duc City", "Ben Nghe Ward", "An Phu Commune", "Cu Chi Town"."""
    return {f"{strip_diacritics(short.lower())} {ENGLISH_SUFFIXES[kind]}"}


def _ward_families(gazetteer: Gazetteer) -> list[_Family]:
    numbered = _Family(NUMBERED_WARD_PREFIXES)
    named = {kind: _Family(prefixes) for kind, prefixes in WARD_PREFIXES.items()}
    for ward in gazetteer.wards:
        candidate = Candidate(ward.name, ward.district, True)
        if ward.short.isdigit():
            numbered.add([ward.short], candidate)
        elif ward.kind in named:
            named[ward.kind].add(spellings(ward.short), candidate)
    return [numbered, *named.values()]


def _english_family(gazetteer: Gazetteer) -> _Family:
    """Name + English kind word, tried before blocked spans ("hiep binh chanh ward" is a ward)."""
    english = _Family(())
    for district in (*gazetteer.districts, *gazetteer.former):
        if not district.numbered:
            english.add(_english(district.short, district.kind), _district_candidate(gazetteer, district))
    for ward in gazetteer.wards:
        if not ward.short.isdigit():
            english.add(_english(ward.short, ward.kind), Candidate(ward.name, ward.district, True))
    return english


def _contained_ward_names(gazetteer: Gazetteer) -> set[str]:
    """Ward names with another district's name inside ("hiệp bình chánh"): never that district."""
    district_forms = {form for d in gazetteer.districts if not d.numbered for form in spellings(d.short)}
    found = set()
    for ward in gazetteer.wards:
        for form in spellings(ward.short):
            inside = any(re.search(rf"(?<!\S){re.escape(d)}(?!\S)", form) for d in district_forms)
            if inside and form not in district_forms:
                found.add(form)
    return found


def _blocker_family(gazetteer: Gazetteer) -> _Family:
    blockers = _Family(())
    for name in (*gazetteer.city_names, *gazetteer.contained_names):
        blockers.add(spellings(name), None)
    blockers.add(_contained_ward_names(gazetteer), None)
    return blockers


def _landmark_family(gazetteer: Gazetteer) -> _Family:
    """A landmark word + a district's name, with or without its kind word: consumed, never tagged."""
    landmarks = _Family(LANDMARK_WORDS)
    for district in (*gazetteer.districts, *gazetteer.former):
        prefixes = NUMBERED_DISTRICT_PREFIXES if district.numbered else NAMED_DISTRICT_PREFIXES
        forms = {district.short} if district.numbered else spellings(district.short)
        prefixed = {f"{p}{sep}{form}" for p in prefixes for sep in (" ", ".", ". ") for form in forms}
        landmarks.add(prefixed if district.numbered else forms | prefixed, None)
    return landmarks


def _unknown_ward_family(gazetteer: Gazetteer, taken: set[str]) -> _Family:
    """ "phường Tân Phú" is a ward even when the gazetteer does not know it: never the district."""
    prefixes = tuple(p for kind in WARD_PREFIXES.values() for p in kind)
    unknown = _Family(prefixes)
    for district in (*gazetteer.districts, *gazetteer.former):
        if district.numbered:
            continue
        forms = spellings(district.short)
        if not any(alias_key(p) + alias_key(form) in taken for p in prefixes for form in forms):
            unknown.add(forms, None)
    return unknown


def _build_matcher(gazetteer: Gazetteer) -> _Matcher:
    """One regex: a first-character guard, a word boundary, then English forms, blocked spans (they
    win over a shorter name at the same position), prefixed forms and bare names."""
    district_families = _district_families(gazetteer)
    blockers = [_blocker_family(gazetteer), _landmark_family(gazetteer)]
    families = [_english_family(gazetteer), *blockers, *district_families[:3]]
    wards = _ward_families(gazetteer)
    taken = {key for family in wards for key, _ in family.alias_keys()}
    families += [*wards, _unknown_ward_family(gazetteer, taken), district_families[3]]
    families = [family for family in families if family.names]
    starts = first_chars(start for family in families for start in family.starts())
    body = "(?:" + "|".join(f.regex() for f in families) + ")"
    regex = f"(?={starts}){_BOUNDARY_BEFORE}{body}{_BOUNDARY_AFTER}"
    aliases: dict[str, tuple[Candidate, ...]] = {}
    for family in families:
        for key, candidates in family.alias_keys():
            known = aliases.setdefault(key, candidates)
            if known != candidates:
                raise ValueError(f"alias key {key!r} means both {known} and {candidates}")
    return _Matcher(regex, re.compile(regex), aliases)


# --- plain Python --------------------------------------------------------------------------------


def _resolve(hits: list[tuple[Candidate, ...]]) -> list[Candidate]:
    named = {c.name for hit in hits for c in hit if not c.ward}
    resolved = []
    for hit in hits:
        narrowed = hit if len(hit) <= 1 else tuple(c for c in hit if c.district in named)
        if len(narrowed) == 1:
            resolved.append(narrowed[0])
    return resolved


def _units_2025(items: list[Candidate], gazetteer: Gazetteer) -> list[str]:
    ward_districts = {c.district for c in items if c.ward}
    units: list[str] = []
    for item in items:
        if item.ward:
            new = gazetteer.wards_2025.get(f"{item.district}|{item.name}", ())
        else:
            new = () if item.name in ward_districts else gazetteer.districts_2025.get(item.name, ())
        for name in new:
            _append_unique(units, name)
    return units


def tag_text(text: str | None, gazetteer: Gazetteer) -> LocationTags:
    """The same three values `tag_locations` adds, for one text."""
    matcher = gazetteer.matcher
    hits = [
        matcher.aliases.get(alias_key(m.group(0)), ())
        for m in matcher.compiled.finditer((text or "").lower())
    ]
    items = _resolve(hits)
    locations: list[str] = []
    for item in items:
        for name in (item.name, item.district) if item.ward else (item.name,):
            _append_unique(locations, name)
    districts = [c.name for c in items if not c.ward]
    primary = districts[0] if districts else (items[0].district if items else None)
    return LocationTags(locations, primary, _units_2025(items, gazetteer))


def find_locations(text: str, gazetteer: Gazetteer) -> list[str]:
    """Canonical names of the districts and wards `text` names, in order of first mention."""
    return tag_text(text, gazetteer).locations


# --- Spark ---------------------------------------------------------------------------------------

_CANDIDATES_TYPE = "array<struct<name:string,district:string,ward:boolean>>"


def _candidates_json(candidates: tuple[Candidate, ...]) -> list[dict[str, Any]]:
    return [{"name": c.name, "district": c.district, "ward": c.ward} for c in candidates]


def _hashed_lookup(mapping: Mapping[str, Any], key: Column, value_type: str) -> Column:
    """`mapping[key]` (null when absent) from an array of small map literals indexed by CRC-32.

    Spark looks a key up in a map by scanning its keys; CRC-32 (the same in `zlib` and in Spark's
    `crc32`) spreads the keys over as many buckets as there are keys, so a lookup scans one or two.
    The literal travels as one JSON string that the optimizer parses once (`from_json` of a literal
    is constant-folded): building it from thousands of `lit` columns costs tens of seconds of py4j.
    """
    from pyspark.sql import functions as F

    buckets = 1 << max(len(mapping) - 1, 1).bit_length()
    groups: list[dict[str, Any]] = [{} for _ in range(buckets)]
    for name, value in mapping.items():
        groups[zlib.crc32(name.encode("utf-8")) % buckets][name] = value
    table = F.from_json(F.lit(json.dumps(groups, ensure_ascii=False)), f"array<map<string,{value_type}>>")
    index = (F.pmod(F.crc32(key.cast("binary")), F.lit(buckets)) + 1).cast("int")
    return F.try_element_at(F.try_element_at(table, index), key)


def _alias_json(aliases: Mapping[str, tuple[Candidate, ...]]) -> dict[str, list[dict[str, Any]]]:
    return {key: _candidates_json(candidates) for key, candidates in aliases.items()}


def _hits_column(text_col: str, matcher: _Matcher) -> Column:
    """Per match, the units it can mean (empty for a blocked span)."""
    from pyspark.sql import functions as F

    empty = F.array().cast(_CANDIDATES_TYPE)
    matches = F.coalesce(
        F.regexp_extract_all(F.lower(F.col(text_col)), F.lit(matcher.regex), 0),
        F.array().cast("array<string>"),
    )
    keys = F.transform(matches, lambda m: F.regexp_replace(m, KEY_STRIP_REGEX, ""))
    return F.transform(
        keys,
        lambda k: F.coalesce(_hashed_lookup(_alias_json(matcher.aliases), k, _CANDIDATES_TYPE), empty),
    )


def _items_column(hits: Column) -> Column:
    """Resolved candidates: ambiguous wards narrowed to the districts the text names."""
    from pyspark.sql import functions as F

    named = F.transform(F.filter(F.flatten(hits), lambda c: ~c["ward"]), lambda c: c["name"])
    narrowed = F.transform(
        hits,
        lambda h: F.when(
            F.size(h) > 1, F.filter(h, lambda c: F.array_contains(named, c["district"]))
        ).otherwise(h),
    )
    return F.transform(F.filter(narrowed, lambda h: F.size(h) == 1), lambda h: F.get(h, 0))


def _locations_2025_column(items: Column, gazetteer: Gazetteer) -> Column:
    from pyspark.sql import functions as F

    empty = F.array().cast("array<string>")
    if not gazetteer.has_2025:
        return empty
    ward_districts = F.transform(F.filter(items, lambda c: c["ward"]), lambda c: c["district"])

    def units(c: Column) -> Column:
        ward_key = F.concat(c["district"], F.lit("|"), c["name"])
        of_ward = _hashed_lookup(gazetteer.wards_2025, ward_key, "array<string>")
        of_district = F.when(F.array_contains(ward_districts, c["name"]), empty).otherwise(
            _hashed_lookup(gazetteer.districts_2025, c["name"], "array<string>")
        )
        return F.coalesce(F.when(c["ward"], of_ward).otherwise(of_district), empty)

    return F.array_distinct(F.flatten(F.transform(items, units)))


def tag_locations(frame: DataFrame, text_col: str, gazetteer: Gazetteer) -> DataFrame:
    """Add `locations`, `primary_district` and `locations_2025` from the units `text_col` names."""
    from pyspark.sql import functions as F

    hits_col, items_col = "__location_hits", "__location_items"
    frame = frame.withColumn(hits_col, _hits_column(text_col, gazetteer.matcher))
    frame = frame.withColumn(items_col, _items_column(F.col(hits_col))).drop(hits_col)
    items = F.col(items_col)
    names = F.transform(
        items, lambda c: F.when(c["ward"], F.array(c["name"], c["district"])).otherwise(F.array(c["name"]))
    )
    first_named = F.get(F.filter(items, lambda c: ~c["ward"]), 0)["name"]
    return (
        frame.withColumn("locations", F.array_distinct(F.flatten(names)))
        .withColumn("primary_district", F.coalesce(first_named, F.get(items, 0)["district"]))
        .withColumn("locations_2025", _locations_2025_column(items, gazetteer))
        .drop(items_col)
    )
