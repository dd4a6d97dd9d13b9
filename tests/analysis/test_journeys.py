"""The example journeys of the repository, read by the loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from cx_audit.analysis import analyse

from .oracle import simulate

JOURNEYS = sorted((Path(__file__).resolve().parents[2] / "journeys").glob("*.yaml"))

loader = pytest.importorskip("cx_audit.io.loader")


@pytest.mark.parametrize("path", JOURNEYS, ids=[p.stem for p in JOURNEYS])
def test_invariants(path: Path) -> None:
    journey = loader.load_journey(path)
    a = analyse(journey)
    m = a.metrics
    assert abs(m.p_resolution + m.p_abandon + m.p_stranded + m.p_trapped - 1) <= 1e-9
    assert m.p_first_time <= m.p_resolution + 1e-12
    assert set(a.steps) == set(journey.steps)


@pytest.mark.parametrize("path", JOURNEYS[:3], ids=[p.stem for p in JOURNEYS[:3]])
def test_simulation(path: Path) -> None:
    journey = loader.load_journey(path)
    a = analyse(journey)
    m = a.metrics
    sim = simulate(journey, 4000, wait_of=lambda step: a.steps[step.id].wait)
    for exact, count in [(m.p_resolution, sim.resolved), (m.p_abandon, sim.abandoned),
                         (m.p_first_time, sim.first_time)]:
        se = (exact * (1 - exact) / sim.n) ** 0.5
        assert abs(exact - count / sim.n) <= 5 * se + 3 / sim.n
    for name, exact in [("shields", m.shields_expected), ("wait", m.wait_expected),
                        ("retells", m.retells_expected)]:
        est = sim.estimate(sim.sums[name])
        assert abs(exact - est.mean) <= 5 * est.se + 1e-9, (name, exact, est)


def test_loader_text_round_trip() -> None:
    text = """
journey: tiny
steps:
  call:
    kind: entry
    next: [{to: agent, p: 0.9}, {to: gone, p: 0.1}]
  agent:
    wait: 90s
    next: [done]
  done:
    kind: resolution
  gone:
    kind: abandon
"""
    m = analyse(loader.load_journey_text(text)).metrics
    assert m.p_resolution == pytest.approx(0.9)
    assert m.wait_expected == pytest.approx(0.9 * 1.5)
