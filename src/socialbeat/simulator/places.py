"""A compact HCMC gazetteer for the generator: the 22 pre-2025 districts, their wards, streets and landmarks.

Names are the gazetteer's canonical forms ("Quận Bình Thạnh", "Phường 22", "Thành phố Thủ Đức");
`district_alias` / `ward_alias` give the forms people actually type ("Q.BT" is not one of them, but
"q.7", "Q1", "F22", "Quận 2" for the part of Thủ Đức that was Quận 2 before 2021 are).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

CITY_NAME = "Thành phố Hồ Chí Minh"
THU_DUC = "Thành phố Thủ Đức"


@dataclass(frozen=True, slots=True)
class Feature:
    """A street or landmark inside a district; `former` names the pre-2021 district inside Thủ Đức."""

    name: str
    kind: str  # street | market | mall | bridge | junction | park | hospital | canal | station | school | ...
    district: str
    former: str | None = None


@dataclass(frozen=True, slots=True)
class District:
    name: str  # canonical, as in the gazetteer
    short: str  # "1", "Bình Thạnh", "Thủ Đức", "Củ Chi"
    kind: str  # quan | thanh_pho | huyen
    weight: float  # share of online mentions (population, with the centre over-represented)
    wards: tuple[str, ...]
    streets: tuple[Feature, ...]
    landmarks: tuple[Feature, ...]


@dataclass(frozen=True, slots=True)
class Place:
    """Where an item is about: a district, optionally narrowed to a ward, a street or a landmark."""

    district: District
    ward: str | None = None
    street: Feature | None = None
    landmark: Feature | None = None
    former: str | None = None  # "Quận 2" / "Quận 9" / "Quận Thủ Đức" inside Thành phố Thủ Đức


# Wards of Thành phố Thủ Đức by the district they belonged to until 2021.
_FORMER_WARDS = {
    "Quận 2": (
        "Phường Thảo Điền",
        "Phường An Phú",
        "Phường An Khánh",
        "Phường Bình Trưng Đông",
        "Phường Bình Trưng Tây",
        "Phường Cát Lái",
        "Phường Thạnh Mỹ Lợi",
        "Phường An Lợi Đông",
        "Phường Thủ Thiêm",
    ),
    "Quận 9": (
        "Phường Long Bình",
        "Phường Long Thạnh Mỹ",
        "Phường Tân Phú",
        "Phường Hiệp Phú",
        "Phường Tăng Nhơn Phú A",
        "Phường Tăng Nhơn Phú B",
        "Phường Phước Long B",
        "Phường Phước Long A",
        "Phường Trường Thạnh",
        "Phường Long Phước",
        "Phường Long Trường",
        "Phường Phước Bình",
        "Phường Phú Hữu",
    ),
    "Quận Thủ Đức": (
        "Phường Linh Xuân",
        "Phường Bình Chiểu",
        "Phường Linh Trung",
        "Phường Tam Bình",
        "Phường Tam Phú",
        "Phường Hiệp Bình Phước",
        "Phường Hiệp Bình Chánh",
        "Phường Linh Chiểu",
        "Phường Linh Tây",
        "Phường Linh Đông",
        "Phường Bình Thọ",
        "Phường Trường Thọ",
    ),
}
WARD_FORMER: dict[str, str] = {ward: former for former, wards in _FORMER_WARDS.items() for ward in wards}


def _numbered(*numbers: int) -> tuple[str, ...]:
    return tuple(f"Phường {n}" for n in numbers)


def _named(prefix: str, *names: str) -> tuple[str, ...]:
    return tuple(f"{prefix} {n}" for n in names)


def _features(district: str, kind: str, names: str) -> tuple[Feature, ...]:
    """`names` is "A; B; C" with an optional "@Quận 2" after a name (Thủ Đức only)."""
    out = []
    for raw in names.split(";"):
        name, _, former = raw.strip().partition("@")
        out.append(Feature(name.strip(), kind, district, former.strip() or None))
    return tuple(out)


def _landmarks(district: str, spec: str) -> tuple[Feature, ...]:
    """`spec` is "kind: A; B | kind: C" with the same optional "@former" suffix."""
    out: list[Feature] = []
    for group in spec.split("|"):
        kind, _, names = group.partition(":")
        out.extend(_features(district, kind.strip(), names))
    return tuple(out)


def _district(
    name: str, short: str, kind: str, weight: float, wards: tuple[str, ...], streets: str, landmarks: str
) -> District:
    return District(
        name, short, kind, weight, wards, _features(name, "street", streets), _landmarks(name, landmarks)
    )


DISTRICTS: tuple[District, ...] = (
    _district(
        "Quận 1",
        "1",
        "quan",
        6.0,
        _named(
            "Phường",
            "Tân Định",
            "Đa Kao",
            "Bến Nghé",
            "Bến Thành",
            "Nguyễn Thái Bình",
            "Phạm Ngũ Lão",
            "Cầu Ông Lãnh",
            "Cô Giang",
            "Nguyễn Cư Trinh",
            "Cầu Kho",
        ),
        "Nguyễn Huệ; Lê Lợi; Đồng Khởi; Hai Bà Trưng; Lê Duẩn; Nam Kỳ Khởi Nghĩa; Tôn Đức Thắng; "
        "Nguyễn Thị Minh Khai; Bùi Viện; Phạm Ngũ Lão; Trần Hưng Đạo; Cống Quỳnh; Điện Biên Phủ",
        "market: chợ Bến Thành; chợ Tân Định | park: phố đi bộ Nguyễn Huệ; công viên 23/9; công viên Tao Đàn"
        " | landmark: Nhà thờ Đức Bà; Bưu điện Thành phố; Dinh Độc Lập; Bitexco | junction: ngã sáu Phù Đổng"
        " | hospital: Bệnh viện Nhi Đồng 2; Bệnh viện Từ Dũ"
        " | station: ga Bến Thành; ga Nhà hát Thành phố; ga Ba Son"
        " | canal: kênh Nhiêu Lộc - Thị Nghè",
    ),
    _district(
        "Quận 3",
        "3",
        "quan",
        3.0,
        ("Phường Võ Thị Sáu", *_numbered(1, 2, 3, 4, 5, 9, 11, 12, 14)),
        "Võ Văn Tần; Cách Mạng Tháng Tám; Lý Chính Thắng; Trần Quốc Thảo; Nguyễn Đình Chiểu; Điện Biên Phủ; "
        "Lê Văn Sỹ; Trường Sa; Kỳ Đồng",
        "landmark: hồ Con Rùa; chùa Vĩnh Nghiêm; nhà thờ Tân Định | junction: vòng xoay Dân Chủ"
        " | hospital: Bệnh viện Bình Dân | canal: kênh Nhiêu Lộc - Thị Nghè | market: chợ Bàn Cờ",
    ),
    _district(
        "Quận 4",
        "4",
        "quan",
        2.0,
        _numbered(1, 2, 3, 4, 8, 9, 13, 15, 16, 18),
        "Khánh Hội; Hoàng Diệu; Tôn Thất Thuyết; Nguyễn Tất Thành; Đoàn Văn Bơ; Bến Vân Đồn; Xóm Chiếu",
        "bridge: cầu Khánh Hội; cầu Ông Lãnh; cầu Kênh Tẻ | market: chợ Xóm Chiếu | landmark: bến Nhà Rồng"
        " | canal: kênh Tẻ",
    ),
    _district(
        "Quận 5",
        "5",
        "quan",
        2.5,
        _numbered(1, 2, 4, 5, 7, 9, 11, 12, 13, 14),
        "Trần Hưng Đạo; Nguyễn Trãi; An Dương Vương; Hùng Vương; Châu Văn Liêm; Hải Thượng Lãn Ông; "
        "Nguyễn Chí Thanh; Trần Phú",
        "market: Chợ Lớn; chợ Kim Biên | hospital: Bệnh viện Chợ Rẫy; Bệnh viện Hùng Vương; "
        "Bệnh viện Đại học Y Dược; Bệnh viện Bệnh Nhiệt đới | canal: kênh Tàu Hủ | school: Đại học Sài Gòn",
    ),
    _district(
        "Quận 6",
        "6",
        "quan",
        2.5,
        _numbered(1, 2, 7, 8, 9, 10, 11, 12, 13, 14),
        "Hậu Giang; Kinh Dương Vương; Hồng Bàng; Tháp Mười; Bình Phú; Lê Quang Sung",
        "market: chợ Bình Tây | landmark: bến xe Chợ Lớn | park: công viên Bình Phú | canal: kênh Lò Gốm",
    ),
    _district(
        "Quận 7",
        "7",
        "quan",
        4.0,
        _named(
            "Phường",
            "Tân Thuận Đông",
            "Tân Thuận Tây",
            "Tân Kiểng",
            "Tân Hưng",
            "Bình Thuận",
            "Tân Quy",
            "Phú Thuận",
            "Tân Phú",
            "Tân Phong",
            "Phú Mỹ",
        ),
        "Nguyễn Văn Linh; Huỳnh Tấn Phát; Nguyễn Thị Thập; Nguyễn Hữu Thọ; Lê Văn Lương; Nguyễn Lương Bằng; "
        "Trần Xuân Soạn; Lâm Văn Bền",
        "area: Phú Mỹ Hưng | mall: Crescent Mall; SC VivoCity | bridge: cầu Ánh Sao; cầu Phú Mỹ; cầu Kênh Tẻ"
        " | hospital: Bệnh viện FV; Bệnh viện Quận 7",
    ),
    _district(
        "Quận 8",
        "8",
        "quan",
        3.5,
        ("Phường Rạch Ông", "Phường Hưng Phú", "Phường Xóm Củi", *_numbered(4, 5, 6, 7, 14, 15, 16)),
        "Phạm Thế Hiển; Tạ Quang Bửu; Dương Bá Trạc; Âu Dương Lân; Hưng Phú; Bến Bình Đông; Cao Lỗ; "
        "Phạm Hùng; Quốc lộ 50",
        "canal: kênh Đôi; rạch Ụ Cây; kênh Tàu Hủ | market: chợ Rạch Ông; chợ Bình Đông"
        " | bridge: cầu Nhị Thiên Đường; cầu Chữ Y | hospital: Bệnh viện Quận 8",
    ),
    _district(
        "Quận 10",
        "10",
        "quan",
        3.0,
        _numbered(1, 2, 4, 6, 8, 9, 10, 12, 13, 14, 15),
        "3 Tháng 2; Lý Thường Kiệt; Thành Thái; Sư Vạn Hạnh; Ngô Gia Tự; Tô Hiến Thành; Hòa Hảo; "
        "Lê Hồng Phong",
        "mall: Vạn Hạnh Mall | hospital: Bệnh viện Nhân dân 115; Bệnh viện Trưng Vương; Bệnh viện Nhi Đồng 1"
        " | market: chợ Hòa Hưng; chợ Nguyễn Tri Phương | school: Đại học Bách khoa",
    ),
    _district(
        "Quận 11",
        "11",
        "quan",
        2.0,
        _numbered(1, 3, 5, 7, 8, 10, 11, 14, 15, 16),
        "Lạc Long Quân; Lãnh Binh Thăng; Minh Phụng; Bình Thới; Hàn Hải Nguyên; 3 Tháng 2; Âu Cơ",
        "park: công viên Đầm Sen | market: chợ Thiếc | hospital: Bệnh viện Quận 11",
    ),
    _district(
        "Quận 12",
        "12",
        "quan",
        4.0,
        _named(
            "Phường",
            "Thạnh Xuân",
            "Thạnh Lộc",
            "Hiệp Thành",
            "Thới An",
            "Tân Chánh Hiệp",
            "An Phú Đông",
            "Tân Thới Hiệp",
            "Trung Mỹ Tây",
            "Tân Hưng Thuận",
            "Đông Hưng Thuận",
            "Tân Thới Nhất",
        ),
        "Quốc lộ 1A; Hà Huy Giáp; Nguyễn Ảnh Thủ; Tô Ký; Lê Văn Khương; Trường Chinh; Nguyễn Văn Quá; "
        "Lê Thị Riêng",
        "junction: ngã tư An Sương; ngã tư Ga | canal: kênh Tham Lương | park: công viên phần mềm Quang Trung"
        " | hospital: Bệnh viện Quận 12",
    ),
    _district(
        "Quận Bình Thạnh",
        "Bình Thạnh",
        "quan",
        5.5,
        _numbered(1, 2, 5, 7, 11, 12, 13, 14, 17, 19, 22, 25, 26, 27, 28),
        "Nguyễn Hữu Cảnh; Điện Biên Phủ; Xô Viết Nghệ Tĩnh; Bạch Đằng; Đinh Bộ Lĩnh; Phan Đăng Lưu; "
        "Nơ Trang Long; Ung Văn Khiêm; Nguyễn Xí; Chu Văn An; Phạm Văn Đồng",
        "landmark: Landmark 81; Vinhomes Central Park; bến xe Miền Đông cũ | market: chợ Bà Chiểu"
        " | bridge: cầu Sài Gòn; cầu Thị Nghè | junction: ngã tư Hàng Xanh"
        " | hospital: Bệnh viện Nhân dân Gia Định; Bệnh viện Ung Bướu | canal: rạch Xuyên Tâm; rạch Văn Thánh"
        " | station: ga Văn Thánh; ga Tân Cảng",
    ),
    _district(
        "Quận Bình Tân",
        "Bình Tân",
        "quan",
        4.5,
        (
            "Phường Bình Hưng Hòa",
            "Phường Bình Hưng Hòa A",
            "Phường Bình Hưng Hòa B",
            "Phường Bình Trị Đông",
            "Phường Bình Trị Đông A",
            "Phường Bình Trị Đông B",
            "Phường Tân Tạo",
            "Phường Tân Tạo A",
            "Phường An Lạc",
            "Phường An Lạc A",
        ),
        "Tên Lửa; Kinh Dương Vương; Hồ Học Lãm; Lê Văn Quới; Mã Lò; Tỉnh lộ 10; Tân Kỳ Tân Quý; Đường số 7",
        "mall: Aeon Mall Bình Tân | landmark: bến xe Miền Tây; khu công nghiệp Tân Tạo"
        " | junction: vòng xoay An Lạc | hospital: Bệnh viện Quận Bình Tân | canal: kênh Tân Hóa",
    ),
    _district(
        "Quận Gò Vấp",
        "Gò Vấp",
        "quan",
        4.5,
        _numbered(1, 3, 5, 6, 8, 10, 11, 12, 14, 15, 16, 17),
        "Quang Trung; Phan Văn Trị; Nguyễn Oanh; Lê Đức Thọ; Phạm Văn Đồng; Nguyễn Văn Lượng; Phan Huy Ích; "
        "Nguyễn Thái Sơn; Nguyễn Kiệm",
        "junction: ngã sáu Gò Vấp; ngã năm Chuồng Chó | mall: Emart Gò Vấp | park: công viên Gia Định"
        " | hospital: Bệnh viện 175; Bệnh viện Quận Gò Vấp | market: chợ Gò Vấp; chợ Hạnh Thông Tây",
    ),
    _district(
        "Quận Phú Nhuận",
        "Phú Nhuận",
        "quan",
        2.5,
        _numbered(1, 2, 4, 5, 7, 8, 9, 10, 11, 13, 15),
        "Phan Xích Long; Phan Đăng Lưu; Hoàng Văn Thụ; Nguyễn Kiệm; Huỳnh Văn Bánh; Phan Đình Phùng; "
        "Nguyễn Văn Trỗi; Trường Sa",
        "junction: ngã tư Phú Nhuận | market: chợ Phú Nhuận | hospital: Bệnh viện Quận Phú Nhuận"
        " | canal: kênh Nhiêu Lộc - Thị Nghè",
    ),
    _district(
        "Quận Tân Bình",
        "Tân Bình",
        "quan",
        4.5,
        _numbered(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
        "Cộng Hòa; Trường Chinh; Hoàng Văn Thụ; Trường Sơn; Lý Thường Kiệt; Lạc Long Quân; Âu Cơ; Bạch Đằng; "
        "Phổ Quang",
        "landmark: sân bay Tân Sơn Nhất | junction: vòng xoay Lăng Cha Cả; ngã tư Bảy Hiền"
        " | hospital: Bệnh viện Thống Nhất | park: công viên Hoàng Văn Thụ | market: chợ Tân Bình",
    ),
    _district(
        "Quận Tân Phú",
        "Tân Phú",
        "quan",
        3.5,
        _named(
            "Phường",
            "Tân Sơn Nhì",
            "Tây Thạnh",
            "Sơn Kỳ",
            "Tân Quý",
            "Tân Thành",
            "Phú Thọ Hòa",
            "Phú Thạnh",
            "Phú Trung",
            "Hòa Thạnh",
            "Hiệp Tân",
            "Tân Thới Hòa",
        ),
        "Lũy Bán Bích; Âu Cơ; Tân Kỳ Tân Quý; Thoại Ngọc Hầu; Tân Hương; Độc Lập; Vườn Lài; Phan Anh",
        "mall: Aeon Mall Tân Phú | junction: ngã tư Bốn Xã | hospital: Bệnh viện Quận Tân Phú"
        " | canal: kênh Tân Hóa",
    ),
    _district(
        THU_DUC,
        "Thủ Đức",
        "thanh_pho",
        7.0,
        tuple(ward for wards in _FORMER_WARDS.values() for ward in wards),
        "Xa lộ Hà Nội; Võ Văn Ngân; Kha Vạn Cân; Phạm Văn Đồng; Quốc lộ 13; Đặng Văn Bi@Quận Thủ Đức; "
        "Mai Chí Thọ@Quận 2; Quốc Hương@Quận 2; Xuân Thủy@Quận 2; Nguyễn Duy Trinh@Quận 2; "
        "Đồng Văn Cống@Quận 2; Lê Văn Việt@Quận 9; Đỗ Xuân Hợp@Quận 9; Nguyễn Xiển@Quận 9",
        "area: Thảo Điền@Quận 2; Thủ Thiêm@Quận 2; khu công nghệ cao@Quận 9; Vinhomes Grand Park@Quận 9"
        " | junction: vòng xoay Phú Hữu@Quận 9; nút giao Mỹ Thủy@Quận 2; ngã tư Thủ Đức@Quận Thủ Đức"
        " | school: làng đại học Thủ Đức@Quận Thủ Đức | park: khu du lịch Suối Tiên@Quận 9"
        " | hospital: Bệnh viện Lê Văn Thịnh@Quận 2; Bệnh viện Thành phố Thủ Đức@Quận Thủ Đức"
        " | station: ga Thảo Điền@Quận 2; ga An Phú@Quận 2; ga Rạch Chiếc@Quận 2; ga Phước Long@Quận 9;"
        " ga Bình Thái@Quận 9; ga Thủ Đức@Quận Thủ Đức; ga Khu Công nghệ cao@Quận 9;"
        " ga Đại học Quốc gia@Quận 9; ga Suối Tiên@Quận 9 | landmark: bến xe Miền Đông mới@Quận 9",
    ),
    _district(
        "Huyện Bình Chánh",
        "Bình Chánh",
        "huyen",
        3.0,
        (
            "Thị trấn Tân Túc",
            *_named(
                "Xã",
                "Phạm Văn Hai",
                "Vĩnh Lộc A",
                "Vĩnh Lộc B",
                "Bình Lợi",
                "Lê Minh Xuân",
                "Tân Nhựt",
                "Tân Kiên",
                "Bình Hưng",
                "Phong Phú",
                "An Phú Tây",
                "Hưng Long",
                "Đa Phước",
                "Tân Quý Tây",
                "Bình Chánh",
                "Quy Đức",
            ),
        ),
        "Quốc lộ 1A; Nguyễn Văn Linh; Quốc lộ 50; Tỉnh lộ 10; Vĩnh Lộc; Trần Văn Giàu",
        "market: chợ Bình Điền | landmark: bãi rác Đa Phước; khu dân cư Trung Sơn"
        " | hospital: Bệnh viện Nhi đồng Thành phố",
    ),
    _district(
        "Huyện Cần Giờ",
        "Cần Giờ",
        "huyen",
        0.6,
        (
            "Thị trấn Cần Thạnh",
            *_named("Xã", "Bình Khánh", "Tam Thôn Hiệp", "An Thới Đông", "Thạnh An", "Long Hòa", "Lý Nhơn"),
        ),
        "Rừng Sác; Duyên Hải; Đào Cử",
        "landmark: rừng ngập mặn Cần Giờ; biển Cần Giờ; phà Bình Khánh | hospital: Bệnh viện huyện Cần Giờ",
    ),
    _district(
        "Huyện Củ Chi",
        "Củ Chi",
        "huyen",
        1.8,
        (
            "Thị trấn Củ Chi",
            *_named(
                "Xã",
                "Phú Mỹ Hưng",
                "An Phú",
                "Trung Lập Thượng",
                "An Nhơn Tây",
                "Nhuận Đức",
                "Phạm Văn Cội",
                "Phú Hòa Đông",
                "Trung Lập Hạ",
                "Trung An",
                "Phước Thạnh",
                "Phước Hiệp",
                "Tân An Hội",
                "Phước Vĩnh An",
                "Thái Mỹ",
                "Tân Thạnh Tây",
                "Hòa Phú",
                "Tân Thạnh Đông",
                "Bình Mỹ",
                "Tân Phú Trung",
                "Tân Thông Hội",
            ),
        ),
        "Quốc lộ 22; Tỉnh lộ 8; Tỉnh lộ 15; Nguyễn Thị Rành",
        "landmark: địa đạo Củ Chi | hospital: Bệnh viện huyện Củ Chi | market: chợ Củ Chi",
    ),
    _district(
        "Huyện Hóc Môn",
        "Hóc Môn",
        "huyen",
        2.0,
        (
            "Thị trấn Hóc Môn",
            *_named(
                "Xã",
                "Tân Hiệp",
                "Nhị Bình",
                "Đông Thạnh",
                "Tân Thới Nhì",
                "Thới Tam Thôn",
                "Xuân Thới Sơn",
                "Tân Xuân",
                "Xuân Thới Đông",
                "Trung Chánh",
                "Xuân Thới Thượng",
                "Bà Điểm",
            ),
        ),
        "Quốc lộ 22; Lê Thị Hà; Phan Văn Hớn; Nguyễn Ảnh Thủ; Đặng Thúc Vịnh",
        "market: chợ đầu mối Hóc Môn; chợ Hóc Môn | hospital: Bệnh viện Đa khoa khu vực Hóc Môn",
    ),
    _district(
        "Huyện Nhà Bè",
        "Nhà Bè",
        "huyen",
        1.2,
        (
            "Thị trấn Nhà Bè",
            *_named("Xã", "Phước Kiển", "Phước Lộc", "Nhơn Đức", "Phú Xuân", "Long Thới", "Hiệp Phước"),
        ),
        "Nguyễn Hữu Thọ; Huỳnh Tấn Phát; Lê Văn Lương; Nguyễn Bình; Đào Sư Tích",
        "landmark: phà Bình Khánh; khu công nghiệp Hiệp Phước | hospital: Bệnh viện huyện Nhà Bè",
    ),
)

DISTRICTS_BY_NAME: dict[str, District] = {d.name: d for d in DISTRICTS}
_DISTRICT_WEIGHTS = [d.weight for d in DISTRICTS]

# Hotspots people post about, as (district, street or landmark name).
FLOOD_SPOTS: tuple[tuple[str, str], ...] = (
    ("Quận Bình Thạnh", "Nguyễn Hữu Cảnh"),
    ("Quận Bình Thạnh", "Ung Văn Khiêm"),
    ("Quận Bình Thạnh", "Đinh Bộ Lĩnh"),
    ("Quận 7", "Huỳnh Tấn Phát"),
    ("Quận 7", "Trần Xuân Soạn"),
    ("Huyện Nhà Bè", "Lê Văn Lương"),
    ("Huyện Nhà Bè", "Nguyễn Hữu Thọ"),
    (THU_DUC, "Kha Vạn Cân"),
    (THU_DUC, "Quốc Hương"),
    (THU_DUC, "Võ Văn Ngân"),
    (THU_DUC, "Đặng Văn Bi"),
    (THU_DUC, "Nguyễn Duy Trinh"),
    ("Quận 12", "Nguyễn Văn Quá"),
    ("Quận Tân Bình", "Bạch Đằng"),
    ("Quận Tân Phú", "Phan Anh"),
    ("Quận Bình Tân", "Tân Kỳ Tân Quý"),
    ("Quận 8", "Phạm Thế Hiển"),
    ("Quận Gò Vấp", "Nguyễn Thái Sơn"),
    ("Quận Bình Tân", "Đường số 7"),
    ("Quận 4", "Bến Vân Đồn"),
)
TRAFFIC_SPOTS: tuple[tuple[str, str], ...] = (
    ("Quận Tân Bình", "vòng xoay Lăng Cha Cả"),
    ("Quận Bình Thạnh", "ngã tư Hàng Xanh"),
    ("Quận Gò Vấp", "ngã sáu Gò Vấp"),
    ("Quận Bình Thạnh", "cầu Sài Gòn"),
    ("Quận Tân Bình", "Cộng Hòa"),
    ("Quận Tân Bình", "Trường Chinh"),
    (THU_DUC, "vòng xoay Phú Hữu"),
    (THU_DUC, "nút giao Mỹ Thủy"),
    ("Quận 7", "cầu Kênh Tẻ"),
    ("Quận 7", "Nguyễn Văn Linh"),
    (THU_DUC, "Xa lộ Hà Nội"),
    ("Quận 12", "ngã tư An Sương"),
    ("Quận Tân Phú", "ngã tư Bốn Xã"),
    ("Quận 3", "vòng xoay Dân Chủ"),
    ("Quận 1", "ngã sáu Phù Đổng"),
    ("Quận Bình Thạnh", "Điện Biên Phủ"),
    ("Quận Gò Vấp", "Phạm Văn Đồng"),
    (THU_DUC, "Quốc lộ 13"),
    ("Huyện Nhà Bè", "Nguyễn Hữu Thọ"),
    ("Quận Phú Nhuận", "Hoàng Văn Thụ"),
    ("Quận Tân Bình", "sân bay Tân Sơn Nhất"),
    ("Quận Tân Bình", "ngã tư Bảy Hiền"),
    ("Quận 12", "Quốc lộ 1A"),
    ("Quận Bình Tân", "vòng xoay An Lạc"),
)


def _feature_index() -> dict[tuple[str, str], Feature]:
    return {(f.district, f.name): f for d in DISTRICTS for f in (*d.streets, *d.landmarks)}


FEATURES: dict[tuple[str, str], Feature] = _feature_index()
HOSPITALS: tuple[Feature, ...] = tuple(f for d in DISTRICTS for f in d.landmarks if f.kind == "hospital")
CANALS: tuple[Feature, ...] = tuple(f for d in DISTRICTS for f in d.landmarks if f.kind == "canal")
STATIONS: tuple[Feature, ...] = tuple(f for d in DISTRICTS for f in d.landmarks if f.kind == "station")


def find_district(name: str) -> District:
    """A district by canonical name, short name or common form ("Bình Thạnh", "Quận 8", "TP Thủ Đức")."""
    wanted = name.strip().lower()
    for district in DISTRICTS:
        forms = {district.name.lower(), district.short.lower(), f"quận {district.short}".lower()}
        if district.kind == "thanh_pho":
            forms |= {"tp thủ đức", "tp. thủ đức"}
        if wanted in forms:
            return district
    raise ValueError(f"unknown HCMC district {name!r}; use one of: {', '.join(d.name for d in DISTRICTS)}")


def find_feature(district: District, name: str, kind: str = "landmark") -> Feature:
    """A known street/landmark of the district, or a new one with that name (scenario files may add some)."""
    known = FEATURES.get((district.name, name))
    former = WARD_FORMER.get(name) if district.kind == "thanh_pho" else None
    return known or Feature(name, kind, district.name, former)


def district_label(district: District) -> str:
    """The everyday name: "Quận 7", "Bình Thạnh", "Thủ Đức", "Củ Chi"."""
    return f"Quận {district.short}" if district.short.isdigit() else district.short


def former_of(place: Place) -> str | None:
    if place.district.kind != "thanh_pho":
        return None
    for feature in (place.street, place.landmark):
        if feature is not None and feature.former:
            return feature.former
    return WARD_FORMER.get(place.ward or "")


def random_district(rng: random.Random) -> District:
    return rng.choices(DISTRICTS, weights=_DISTRICT_WEIGHTS)[0]


def random_place(rng: random.Random, district: District | None = None) -> Place:
    """A district with one random ward, street and landmark of it (consistent former area in Thủ Đức)."""
    district = district or random_district(rng)
    street = rng.choice(district.streets)
    landmark = rng.choice(district.landmarks)
    ward = rng.choice(district.wards)
    if district.kind == "thanh_pho":
        former = street.former or landmark.former or WARD_FORMER[ward]
        ward = rng.choice(_FORMER_WARDS[former])
        landmarks = [f for f in district.landmarks if f.former == former] or [landmark]
        landmark = rng.choice(landmarks)
        streets = [f for f in district.streets if f.former in (former, None)]
        street = rng.choice(streets)
    place = Place(district, ward, street, landmark)
    return Place(district, ward, street, landmark, former_of(place))


def _spot_place(rng: random.Random, spots: tuple[tuple[str, str], ...]) -> Place:
    district_name, feature_name = rng.choice(spots)
    base = random_place(rng, DISTRICTS_BY_NAME[district_name])
    feature = FEATURES[(district_name, feature_name)]
    if feature.kind == "street":
        place = Place(base.district, base.ward, feature, base.landmark)
    else:
        place = Place(base.district, base.ward, base.street, feature)
    return Place(place.district, place.ward, place.street, place.landmark, former_of(place))


def _landmark_place(rng: random.Random, features: tuple[Feature, ...]) -> Place:
    feature = rng.choice(features)
    base = random_place(rng, DISTRICTS_BY_NAME[feature.district])
    place = Place(base.district, base.ward, base.street, feature)
    return Place(place.district, place.ward, place.street, place.landmark, former_of(place))


def place_for_category(rng: random.Random, category: str) -> Place:
    """Flooding and traffic cluster on known hotspots; healthcare on hospitals; the rest anywhere."""
    roll = rng.random()
    if category == "flooding" and roll < 0.7:
        return _spot_place(rng, FLOOD_SPOTS)
    if category == "traffic" and roll < 0.6:
        return _spot_place(rng, TRAFFIC_SPOTS)
    if category == "healthcare" and roll < 0.8:
        return _landmark_place(rng, HOSPITALS)
    if category == "environment" and roll < 0.35:
        return _landmark_place(rng, CANALS)
    return random_place(rng)


# --- surface forms -------------------------------------------------------------------------------

_NUMBERED_QUAN_SOCIAL = ("Quận {n}", "quận {n}", "Q{n}", "Q{n}", "Q.{n}", "q{n}", "q.{n}", "Q. {n}", "Q {n}")
_NAMED_QUAN_SOCIAL = ("quận {n}", "Quận {n}", "{n}", "{n}", "{n}", "Q.{n}", "Q. {n}", "q.{n}")
_HUYEN_SOCIAL = ("huyện {n}", "Huyện {n}", "{n}", "{n}", "H.{n}", "h. {n}")
_THU_DUC_SOCIAL = (
    "TP Thủ Đức",
    "TP. Thủ Đức",
    "Thủ Đức",
    "Thủ Đức",
    "thành phố Thủ Đức",
    "tp Thủ Đức",
    "TP.Thủ Đức",
)
_FORMER_SOCIAL = {
    "Quận 2": ("Quận 2", "Q2", "q2", "Q.2", "quận 2"),
    "Quận 9": ("Quận 9", "Q9", "q9", "Q.9", "quận 9"),
    "Quận Thủ Đức": ("quận Thủ Đức", "Q.Thủ Đức", "Thủ Đức"),
}
_FORMAL = {
    "quan": ("quận {n}",),
    "huyen": ("huyện {n}",),
    "thanh_pho": ("TP Thủ Đức", "TP.Thủ Đức", "thành phố Thủ Đức"),
}
_ENGLISH_NUMBERED = ("District {n}", "D{n}", "Dist. {n}")
_ENGLISH_NAMED = ("{n}", "{n} District")


def _strip(text: str) -> str:
    from socialbeat.simulator.style import strip_diacritics

    return strip_diacritics(text)


@lru_cache(maxsize=512)
def district_forms(district_name: str, register: str, former: str | None) -> tuple[str, ...]:
    """Surface forms of a district in a register: social (default), formal (news, agencies) or en."""
    district = DISTRICTS_BY_NAME[district_name]
    numbered = district.short.isdigit()
    if register == "en":
        if district.kind == "thanh_pho":
            forms: tuple[str, ...] = ("Thu Duc City", "Thu Duc")
            if former in ("Quận 2", "Quận 9"):
                forms = (*forms, f"District {former[-1]}", f"D{former[-1]}")
            return forms
        english: tuple[str, ...] = _ENGLISH_NUMBERED if numbered else _ENGLISH_NAMED
        return tuple(p.format(n=_strip(district.short)) for p in english)
    if register == "formal":
        return tuple(p.format(n=district.short) for p in _FORMAL[district.kind])
    if district.kind == "thanh_pho":
        extra = _FORMER_SOCIAL.get(former or "", ())
        return _THU_DUC_SOCIAL + extra + extra
    if district.kind == "huyen":
        return tuple(p.format(n=district.short) for p in _HUYEN_SOCIAL)
    social: tuple[str, ...] = _NUMBERED_QUAN_SOCIAL if numbered else _NAMED_QUAN_SOCIAL
    return tuple(p.format(n=district.short) for p in social)


@lru_cache(maxsize=4096)
def ward_forms(ward: str, register: str) -> tuple[str, ...]:
    kind, _, rest = ward.partition(" ")
    if kind == "Thị":  # "Thị trấn X"
        rest = ward.removeprefix("Thị trấn ")
        social: tuple[str, ...] = (f"thị trấn {rest}", f"TT {rest}", f"TT. {rest}")
        formal: tuple[str, ...] = (f"thị trấn {rest}",)
        english: tuple[str, ...] = (f"{_strip(rest)} Town",)
    elif kind == "Xã":
        social, formal, english = (
            (f"xã {rest}", rest, f"Xã {rest}"),
            (f"xã {rest}",),
            (f"{_strip(rest)} Commune",),
        )
    elif rest.isdigit():
        social = (
            f"phường {rest}",
            f"P.{rest}",
            f"P{rest}",
            f"p{rest}",
            f"F{rest}",
            f"f.{rest}",
            f"P. {rest}",
        )
        formal, english = (f"phường {rest}",), (f"Ward {rest}",)
    else:
        social = (f"phường {rest}", f"P. {rest}", f"P.{rest}", rest, f"Phường {rest}")
        formal, english = (f"phường {rest}",), (f"{_strip(rest)} Ward", _strip(rest))
    return {"formal": formal, "en": english}.get(register, social)


CITY_FORMS = {
    "social": ("Sài Gòn", "SG", "Sài Gòn", "HCM", "TP.HCM", "tphcm", "Sg"),
    "formal": ("TP.HCM", "TP Hồ Chí Minh", "TP.HCM"),
    "en": ("Saigon", "HCMC", "Ho Chi Minh City"),
}
