"""The project's label sets: civic categories (multi-label) and sentiment.

Every stage imports these instead of spelling the codes again: the simulator's ground truth, the
seed training data, the classifiers, the gold tables and the dashboards.
"""

from __future__ import annotations

CATEGORIES: tuple[str, ...] = (
    "traffic",
    "flooding",
    "environment",
    "urban_order",
    "land_housing",
    "public_security",
    "online_fraud",
    "misinformation",
    "utilities",
    "healthcare",
    "education",
    "public_services",
    "social_welfare",
    "fire_safety",
    "data_privacy",
)

SENTIMENTS: tuple[str, ...] = ("negative", "neutral", "positive")

CATEGORY_LABELS_VI: dict[str, str] = {
    "traffic": "Giao thông",
    "flooding": "Ngập nước",
    "environment": "Môi trường",
    "urban_order": "Trật tự đô thị",
    "land_housing": "Đất đai, nhà ở",
    "public_security": "An ninh trật tự",
    "online_fraud": "Lừa đảo trực tuyến",
    "misinformation": "Tin giả",
    "utilities": "Điện, nước",
    "healthcare": "Y tế",
    "education": "Giáo dục",
    "public_services": "Dịch vụ công",
    "social_welfare": "An sinh xã hội",
    "fire_safety": "Phòng cháy chữa cháy",
    "data_privacy": "Dữ liệu cá nhân",
}


def is_category(code: str) -> bool:
    return code in CATEGORIES
