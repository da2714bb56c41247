"""The session's simulated Vietnam day through every layer (tests/gold_support.py), built in the
background from the start of the session (tests/conftest.py); these tests run after the others."""

from __future__ import annotations

import pytest

from gold_support import GoldLake, GoldLakeBuild


@pytest.fixture(scope="session")
def gold_lake(gold_lake_build: GoldLakeBuild) -> GoldLake:
    return gold_lake_build.result()
