"""Location tagging: alias rules, city and contained names, wards, the 2025 mapping, Spark == plain Python."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from socialbeat.settings import load_settings
from socialbeat.silver.locations import (
    Gazetteer,
    find_locations,
    load_gazetteer,
    spellings,
    tag_locations,
    tag_text,
)

SHARED = load_settings().datasets_path

# A miniature of the shared gazetteer's three files (same headers), with made-up codes.
_UNITS = [
    ("79", "Quận 1", "Phường", "Bến Nghé", "1"),
    ("79", "Quận 1", "Phường", "Bến Thành", "2"),
    ("79", "Quận 1", "Phường", "Tân Định", "3"),
    ("79", "Quận 3", "Phường", "3", "4"),
    ("79", "Quận Gò Vấp", "Phường", "3", "5"),
    ("79", "Quận 7", "Phường", "Tân Phú", "6"),
    ("79", "Thành phố Thủ Đức", "Phường", "Tân Phú", "7"),
    ("79", "Thành phố Thủ Đức", "Phường", "Hiệp Bình Chánh", "8"),
    ("79", "Thành phố Thủ Đức", "Phường", "Thảo Điền", "9"),
    ("79", "Huyện Củ Chi", "Thị trấn", "Củ Chi", "10"),
    ("79", "Huyện Củ Chi", "Xã", "Tân Phú Trung", "11"),
    ("79", "Quận Bình Thạnh", "Phường", "22", "12"),
    ("79", "Quận 10", "Phường", "Hoà Hưng", "13"),
    ("79", "Quận Tân Phú", "Phường", "Tân Quý", "15"),
    ("79", "Quận Phú Nhuận", "Xã", "Phường 15", "16"),
    ("74", "Thành phố Thủ Dầu Một", "Phường", "Phú Cường", "14"),
]
_MAPPING = [  # (new ward, old ward code, merge type)
    ("Phường Sài Gòn", "1", "full"),
    ("Phường Bến Thành", "2", "full"),
    ("Phường Tân Định", "3", "full"),
    ("Phường Sài Gòn", "3", "partial"),
    ("Phường Bàn Cờ", "4", "full"),
    ("Phường Hạnh Thông", "5", "full"),
    ("Phường Tân Mỹ", "6", "full"),
    ("Phường Tăng Nhơn Phú", "7", "full"),
    ("Phường Hiệp Bình", "8", "full"),
    ("Phường An Khánh", "9", "full"),
    ("Xã Củ Chi", "10", "full"),
    ("Xã Củ Chi", "11", "partial"),
    ("Phường Thạnh Mỹ Tây", "12", "full"),
    ("Phường Hòa Hưng", "13", "full"),
    ("Phường Thủ Dầu Một", "14", "full"),
]


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _full_name(kind: str, name: str) -> str:
    return name if name.startswith("Phường ") else f"{kind} {name}"


def _write_shared(root: Path) -> Path:
    folder = root / "gazetteer"
    folder.mkdir(parents=True)
    units = {code: (province, district, kind, name) for province, district, kind, name, code in _UNITS}
    province_name = {"79": "Thành phố Hồ Chí Minh", "74": "Tỉnh Bình Dương"}
    _write_csv(
        folder / "hcmc_area_units_pre2025.csv",
        [
            "province_code",
            "province_name",
            "province_type",
            "district_code",
            "district_name",
            "district_type",
            "ward_code",
            "ward_name",
            "ward_type",
        ],
        [
            [p, province_name[p], "", "0", d, d.split()[0], code, _full_name(kind, name), kind]
            for code, (p, d, kind, name) in units.items()
        ],
    )
    new_names = sorted({new for new, _, _ in _MAPPING})
    _write_csv(
        folder / "hcmc_wards_2025.csv",
        ["ward_code_2025", "ward_name_2025", "ward_type_2025", "province_2025"],
        [[str(i), name, name.split()[0], "Thành phố Hồ Chí Minh"] for i, name in enumerate(new_names)],
    )
    mapping_header = [
        "ward_code_2025",
        "ward_name_2025",
        "old_ward_code",
        "old_ward_name",
        "merge_type",
        "old_district_code",
        "old_district_name",
        "old_province_code",
        "old_province_name",
    ]
    mapping_rows = []
    for new, code, merge in _MAPPING:
        province, district, kind, name = units[code]
        row = [
            "0",
            new,
            code,
            _full_name(kind, name),
            merge,
            "0",
            district,
            province,
            province_name[province],
        ]
        mapping_rows.append(row)
    _write_csv(folder / "hcmc_ward_mapping_pre2025_to_2025.csv", mapping_header, mapping_rows)
    return root


@pytest.fixture(scope="module")
def bare() -> Gazetteer:
    return load_gazetteer(Path("/nonexistent"))


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    return load_gazetteer(_write_shared(tmp_path_factory.mktemp("datasets")))


# --- districts (the repo's own list, no shared data) ---------------------------------------------

DISTRICT_POSITIVES = [
    ("ngập ở Q1 quá", ["Quận 1"]),
    ("Q.1", ["Quận 1"]),
    ("q 1 kẹt xe", ["Quận 1"]),
    ("q. 1", ["Quận 1"]),
    ("quận 1", ["Quận 1"]),
    ("quan 1", ["Quận 1"]),
    ("q1", ["Quận 1"]),
    ("q.7 ngập", ["Quận 7"]),
    ("district 7, dist. 3", ["Quận 7", "Quận 3"]),
    ("Cu Chi District, Thu Duc City", ["Huyện Củ Chi", "Thành phố Thủ Đức"]),
    ("quận 10 rồi quận 11 rồi quận 12", ["Quận 10", "Quận 11", "Quận 12"]),
    ("quận 1, quận 10", ["Quận 1", "Quận 10"]),
    ("ở bình thạnh", ["Quận Bình Thạnh"]),
    ("binh thanh", ["Quận Bình Thạnh"]),
    ("quan binh thanh", ["Quận Bình Thạnh"]),
    ("q.bình thạnh", ["Quận Bình Thạnh"]),
    ("go vap", ["Quận Gò Vấp"]),
    ("gò vấp", ["Quận Gò Vấp"]),
    ("TP Thủ Đức", ["Thành phố Thủ Đức"]),
    ("tp. thủ đức", ["Thành phố Thủ Đức"]),
    ("tp.thủ đức", ["Thành phố Thủ Đức"]),
    ("thành phố thủ đức", ["Thành phố Thủ Đức"]),
    ("Thủ Đức", ["Thành phố Thủ Đức"]),
    ("thu duc", ["Thành phố Thủ Đức"]),
    ("quận thủ đức cũ", ["Thành phố Thủ Đức"]),
    ("Quận 2", ["Thành phố Thủ Đức"]),
    ("quận 9", ["Thành phố Thủ Đức"]),
    ("q2", ["Thành phố Thủ Đức"]),
    ("q9 với q.2", ["Thành phố Thủ Đức"]),
    ("huyện Củ Chi", ["Huyện Củ Chi"]),
    ("Củ Chi", ["Huyện Củ Chi"]),
    ("huyen cu chi", ["Huyện Củ Chi"]),
    ("h.củ chi", ["Huyện Củ Chi"]),
    ("hóc môn", ["Huyện Hóc Môn"]),
    ("nhà bè ngập", ["Huyện Nhà Bè"]),
    ("huyện nhà bè", ["Huyện Nhà Bè"]),
    ("huyen nha be", ["Huyện Nhà Bè"]),
    ("cần giờ", ["Huyện Cần Giờ"]),
    ("bình chánh", ["Huyện Bình Chánh"]),
    ("tân bình và tân phú và bình tân", ["Quận Tân Bình", "Quận Tân Phú", "Quận Bình Tân"]),
    ("quan tan binh", ["Quận Tân Bình"]),
    ("phú nhuận", ["Quận Phú Nhuận"]),
    ("q.tb", ["Quận Tân Bình"]),
    ("quận tb", ["Quận Tân Bình"]),
    ("q.bt", ["Quận Bình Thạnh"]),
    ("q.gv và q pn", ["Quận Gò Vấp", "Quận Phú Nhuận"]),
    ("đường Nguyễn Văn Linh quận 7", ["Quận 7"]),
    ("ngập ở q.7, tp.hcm", ["Quận 7"]),
    ("quận 1 sài gòn", ["Quận 1"]),
    ("(q.3)", ["Quận 3"]),
]

DISTRICT_NEGATIVES = [
    "bt rồi",  # "biết"
    "tb nha",
    "q",
    "q là gì",
    "12345 người",
    "có 7 người ở số 1",
    "quận",
    "quận 13",
    "d1 với d2",  # street names
    "audi q7",
    "doanh thu q1/2024, q2-2024, q3 2024, q4 năm 2023",
    "tân binh nhập ngũ",
    "tan binh",
    "cu chi",  # "cử chỉ"
    "hoc mon toan",  # "học môn toán"
    "can gio",
    "nha be",
    "nhà bè bạn",
    "quận1a",
    "xq1",
]

CITY_AND_CONTAINED = [
    "TP.HCM",
    "tphcm",
    "tp hcm",
    "TP. HCM",
    "Sài Gòn",
    "sai gon",
    "saigon",
    "Hồ Chí Minh",
    "thành phố Hồ Chí Minh",
    "HCMC",
    "chợ Bến Thành",
    "ga Bến Thành",
    "cầu Sài Gòn",
    "bến xe Miền Đông",
    "kcn tân bình",
    "khu công nghiệp tân bình",
    "hiệp bình chánh",
    "tân phú trung",
    "Bến Nghé",
]

# A landmark word before a unit's name makes it the landmark's name, not the unit (bare gazetteer too).
LANDMARKS = [
    "kẹt xe ở ngã tư Phú Nhuận",
    "nga sau go vap ngap",
    "đi chợ Gò Vấp",
    "khám ở Bệnh viện Quận 11",
    "bv quận tân phú quá tải",
    "bệnh viện huyện Nhà Bè",
    "Bệnh viện Đa khoa khu vực Hóc Môn",
    "ga Thủ Đức",
    "làng đại học Thủ Đức",
    "địa đạo Củ Chi",
    "chợ đầu mối hóc môn",
]


@pytest.mark.fast
@pytest.mark.parametrize(("text", "expected"), DISTRICT_POSITIVES)
def test_district_aliases(bare: Gazetteer, text: str, expected: list[str]) -> None:
    assert find_locations(text, bare) == expected


@pytest.mark.fast
@pytest.mark.parametrize("text", DISTRICT_NEGATIVES)
def test_ambiguous_short_forms_are_not_tagged(bare: Gazetteer, text: str) -> None:
    assert find_locations(text, bare) == []


@pytest.mark.fast
@pytest.mark.parametrize("text", CITY_AND_CONTAINED)
def test_city_and_names_that_merely_contain_a_unit_are_not_tagged(full: Gazetteer, text: str) -> None:
    assert find_locations(text, full) == []


@pytest.mark.fast
@pytest.mark.parametrize("text", LANDMARKS)
def test_landmarks_named_after_a_unit_are_not_the_unit(bare: Gazetteer, full: Gazetteer, text: str) -> None:
    assert find_locations(text, bare) == find_locations(text, full) == []


@pytest.mark.fast
def test_a_ward_named_like_a_district_is_never_that_district(bare: Gazetteer, full: Gazetteer) -> None:
    text = "lừa đảo tại phường Tân Phú, quận 7"
    assert find_locations(text, bare) == ["Quận 7"]  # the ward is unknown without the shared data
    assert find_locations(text, full) == ["Phường Tân Phú", "Quận 7"]
    assert find_locations("ngập ở khu vực Gò Vấp và Q.7", bare) == ["Quận Gò Vấp", "Quận 7"]


@pytest.mark.fast
def test_input_is_lower_cased_and_all_22_districts_have_a_bare_or_prefixed_form(bare: Gazetteer) -> None:
    assert find_locations("KẸT XE Ở QUẬN BÌNH THẠNH", bare) == ["Quận Bình Thạnh"]
    assert len(bare.districts) == 22
    for district in bare.districts:
        assert find_locations(f"ở {district.name.lower()} nè", bare) == [district.name]


@pytest.mark.fast
def test_both_tone_mark_conventions() -> None:
    assert {"hòa hưng", "hoà hưng", "hoa hung"} <= spellings("Hoà Hưng")
    assert {"thủy", "thuỷ"} <= spellings("Thủy")
    assert spellings("Quý") == {"quý", "quy"}


# --- wards and the 2025 mapping (a miniature shared gazetteer) ------------------------------------

WARD_CASES = [
    ("Phường Bến Nghé", ["Phường Bến Nghé", "Quận 1"], "Quận 1"),
    ("p. bến nghé", ["Phường Bến Nghé", "Quận 1"], "Quận 1"),
    ("P.Bến Nghé", ["Phường Bến Nghé", "Quận 1"], "Quận 1"),
    ("phuong ben nghe", ["Phường Bến Nghé", "Quận 1"], "Quận 1"),
    ("ở phường thảo điền q2", ["Phường Thảo Điền", "Thành phố Thủ Đức"], "Thành phố Thủ Đức"),
    ("thị trấn củ chi", ["Thị trấn Củ Chi", "Huyện Củ Chi"], "Huyện Củ Chi"),
    ("tt củ chi", ["Thị trấn Củ Chi", "Huyện Củ Chi"], "Huyện Củ Chi"),
    ("xã tân phú trung", ["Xã Tân Phú Trung", "Huyện Củ Chi"], "Huyện Củ Chi"),
    ("phường hiệp bình chánh", ["Phường Hiệp Bình Chánh", "Thành phố Thủ Đức"], "Thành phố Thủ Đức"),
    # canonical names use the old tone style, like the normaliser ("Hoà" in the source file)
    ("phường hoà hưng", ["Phường Hòa Hưng", "Quận 10"], "Quận 10"),
    ("phường tân quý", ["Phường Tân Quý", "Quận Tân Phú"], "Quận Tân Phú"),
    ("phường 15 phú nhuận", ["Phường 15", "Quận Phú Nhuận"], "Quận Phú Nhuận"),  # typed "Xã" in the file
    ("Ben Nghe Ward, District 1", ["Phường Bến Nghé", "Quận 1"], "Quận 1"),
    ("Hiep Binh Chanh Ward", ["Phường Hiệp Bình Chánh", "Thành phố Thủ Đức"], "Thành phố Thủ Đức"),
    ("Cu Chi Town", ["Thị trấn Củ Chi", "Huyện Củ Chi"], "Huyện Củ Chi"),
    # a district named first stays primary even when a ward of another district follows
    ("quận 7 gần phường bến thành", ["Quận 7", "Phường Bến Thành", "Quận 1"], "Quận 7"),
    # numbered and ambiguous wards need one of their districts in the text
    ("phường 3, quận gò vấp", ["Phường 3", "Quận Gò Vấp"], "Quận Gò Vấp"),
    ("p3 q.3", ["Phường 3", "Quận 3"], "Quận 3"),
    ("F22 Bình Thạnh", ["Phường 22", "Quận Bình Thạnh"], "Quận Bình Thạnh"),
    ("phường 3", [], None),
    ("phường 3 quận 3 và gò vấp", ["Quận 3", "Quận Gò Vấp"], "Quận 3"),
    ("p. tân phú, quận 7", ["Phường Tân Phú", "Quận 7"], "Quận 7"),
    ("phường tân phú", [], None),  # in Quận 7 and in Thủ Đức; not Quận Tân Phú either
    ("phường tân phú, tp thủ đức", ["Phường Tân Phú", "Thành phố Thủ Đức"], "Thành phố Thủ Đức"),
    ("phường phú cường", [], None),  # a Bình Dương ward: not an old HCMC unit
]


@pytest.mark.fast
@pytest.mark.parametrize(("text", "locations", "primary"), WARD_CASES)
def test_wards_bring_their_district(
    full: Gazetteer, text: str, locations: list[str], primary: str | None
) -> None:
    tags = tag_text(text, full)
    assert (tags.locations, tags.primary_district) == (locations, primary)


@pytest.mark.fast
def test_wards_need_the_shared_gazetteer(bare: Gazetteer) -> None:
    tags = tag_text("phường bến nghé, quận 1", bare)
    assert (tags.locations, tags.primary_district, tags.locations_2025) == (["Quận 1"], "Quận 1", [])


@pytest.mark.fast
def test_2025_units_from_the_mapping(full: Gazetteer, bare: Gazetteer) -> None:
    assert tag_text("phường bến nghé", full).locations_2025 == ["Phường Sài Gòn"]
    assert tag_text("phường tân định quận 1", full).locations_2025 == ["Phường Tân Định", "Phường Sài Gòn"]
    # a district without any of its wards: every 2025 unit that took over part of it
    assert tag_text("quận 1", full).locations_2025 == [
        "Phường Sài Gòn",
        "Phường Bến Thành",
        "Phường Tân Định",
    ]
    assert tag_text("q2 và củ chi", full).locations_2025 == [
        "Phường Tăng Nhơn Phú",
        "Phường Hiệp Bình",
        "Phường An Khánh",
        "Xã Củ Chi",
    ]
    assert tag_text("sài gòn", full).locations_2025 == []
    assert tag_text("quận 1", bare).locations_2025 == []
    assert not bare.has_2025 and full.has_2025


@pytest.mark.fast
@pytest.mark.skipif(not (SHARED / "gazetteer").is_dir(), reason="shared data sets absent")
def test_the_real_shared_gazetteer_loads() -> None:
    gazetteer = load_gazetteer(SHARED)
    assert len(gazetteer.wards) == 273
    assert {ward.district for ward in gazetteer.wards} == {d.name for d in gazetteer.districts}
    assert gazetteer.matcher.aliases  # no alias means two different units
    tags = tag_text("phường bến nghé, quận 1", gazetteer)
    assert tags.locations == ["Phường Bến Nghé", "Quận 1"]
    assert tags.locations_2025 == ["Phường Sài Gòn"]


# --- Spark ---------------------------------------------------------------------------------------

SPARK_TEXTS = (
    [text for text, _ in DISTRICT_POSITIVES]
    + DISTRICT_NEGATIVES
    + CITY_AND_CONTAINED
    + [text for text, _, _ in WARD_CASES]
    + ["KẸT XE Ở QUẬN BÌNH THẠNH", "q2 và củ chi", "", None]
)


@pytest.mark.spark
@pytest.mark.parametrize("which", ["bare", "full"])
def test_tag_locations_matches_plain_python(spark, request: pytest.FixtureRequest, which: str) -> None:
    gazetteer: Gazetteer = request.getfixturevalue(which)
    frame = spark.createDataFrame(list(enumerate(SPARK_TEXTS)), "id int, text string")
    out = tag_locations(frame, "text", gazetteer)
    assert out.columns == ["id", "text", "locations", "primary_district", "locations_2025"]
    types = {field.name: field.dataType.simpleString() for field in out.schema.fields}
    assert (types["locations"], types["primary_district"], types["locations_2025"]) == (
        "array<string>",
        "string",
        "array<string>",
    )
    for row in out.collect():
        expected = tag_text(SPARK_TEXTS[row.id], gazetteer)
        got = (row.locations, row.primary_district, row.locations_2025)
        assert got == (expected.locations, expected.primary_district, expected.locations_2025), row.text
