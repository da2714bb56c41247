"""The models `make models` trained into the project lake (make test trains them when missing):
they load, score through the public path, and hold their quality floors on the held-out splits.

The floors sit below the issue's targets (README, model cards): they catch a regression, such as a
broken normaliser or a label mix-up, not the distance to the targets."""

from __future__ import annotations

from typing import Any

import pytest

from socialbeat.nlp import registry
from socialbeat.nlp.enrich import load_models
from socialbeat.settings import Settings, load_settings

pytestmark = pytest.mark.spark

FLOORS = {("categories", "seed/validation", "micro_f1"): 0.77, ("categories", "seed/test", "micro_f1"): 0.73,
          ("sentiment", "seed/test", "macro_f1"): 0.70}  # fmt: skip


@pytest.fixture(scope="module")
def project_settings(base_settings: Settings) -> Settings:
    return base_settings.model_copy(update={"lake": load_settings().lake})


def test_current_models_hold_their_floors(spark: Any, project_settings: Settings) -> None:
    lake = project_settings.lake_uri
    for (name, group, metric), floor in FLOORS.items():
        version = registry.current_version(spark, lake, name)
        assert version, f"no current {name} model in {lake}: `make models` trains it"
        metrics = registry.read_json(spark, f"{registry.version_uri(lake, name, version)}/metrics.json")
        assert metrics is not None and metrics[group][metric] >= floor, (
            name,
            group,
            metrics and metrics[group],
        )


def test_current_models_score_civic_posts_sensibly(spark: Any, project_settings: Settings) -> None:
    models = load_models(spark, project_settings)
    texts = [
        "Mưa có 30 phút mà đường ngập tới đầu gối, xe chết máy hàng loạt",
        "Cảnh báo lừa đảo: có số lạ gọi tự xưng công an bắt chuyển tiền vào tài khoản",
        "Cháy lớn ở khu nhà trọ, khói đen mù mịt, may mà PCCC tới kịp",
    ]
    posts = spark.createDataFrame(
        [(t.lower(),) for t in texts], "text_norm string"
    )  # text_norm is lower case
    rows = models.categories.score(models.sentiment.score(posts)).collect()
    assert ["flooding" in rows[0]["categories"], "online_fraud" in rows[1]["categories"],
            "fire_safety" in rows[2]["categories"]] == [True, True, True]  # fmt: skip
    assert rows[0]["sentiment"] == "negative"
