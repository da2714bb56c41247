"""Crawl simulator: realistic hourly Vietnamese social-media crawls of HCMC, with ground truth.

`simulate()` writes landing files in the crawl-contract format, a ground-truth sidecar per hour
under `<landing>/_truth/`, and the `_SUCCESS` manifests. See docs/simulator.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from socialbeat.simulator.runner import SimulationSummary, simulate
    from socialbeat.simulator.scenario import Scenario, load_scenario

__all__ = ["Scenario", "SimulationSummary", "load_scenario", "simulate"]


def __getattr__(name: str) -> Any:  # lazy: `socialbeat --help` should not import the generator
    if name in ("simulate", "SimulationSummary"):
        from socialbeat.simulator import runner

        return getattr(runner, name)
    if name in ("Scenario", "load_scenario"):
        from socialbeat.simulator import scenario

        return getattr(scenario, name)
    raise AttributeError(name)
