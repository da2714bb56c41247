"""A simulated day shared by the simulator tests (see sim_support for the reader)."""

from __future__ import annotations

import pytest
from sim_support import SimDay, read_day, run_simulation


@pytest.fixture(scope="session")
def sim_day(tmp_path_factory: pytest.TempPathFactory) -> SimDay:
    landing = tmp_path_factory.mktemp("sim_day") / "landing"
    summary = run_simulation(landing)
    return read_day(landing, summary)
