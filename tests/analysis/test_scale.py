"""Large journeys: exact answers where listing routes is impossible."""

from __future__ import annotations

import pytest

from cx_audit.analysis import UNBOUNDED, analyse, most_likely_routes, route_count
from cx_audit.analysis.view import journey_view

from .builder import make_journey


def ladder(rungs: int) -> dict:
    """``rungs`` binary choices in a row: 2**rungs routes."""
    spec: dict = {"start": {"kind": "entry", "next": ["c0"]}}
    for i in range(rungs):
        spec[f"c{i}"] = {"next": [f"up{i}", f"down{i}"]}
        spec[f"up{i}"] = {"shield": "menu", "next": [f"c{i + 1}"]}
        spec[f"down{i}"] = {"wait": 1.0, "next": [f"c{i + 1}"]}
    spec[f"c{rungs}"] = {"kind": "resolution"}
    return spec


class TestLadder:
    journey = make_journey(ladder(300))

    def test_paths_exact(self) -> None:
        m = analyse(self.journey).metrics
        assert m.paths == 2**300
        assert route_count(journey_view(self.journey)) == 2**300
        assert (m.shields_min, m.shields_max, m.retells_max) == (0, 300, 0)

    def test_probabilities(self) -> None:
        m = analyse(self.journey).metrics
        assert m.p_resolution == pytest.approx(1.0)
        # each rung: a shield with chance 1/2, a minute's wait with chance 1/2
        assert m.shields_expected == pytest.approx(150.0)
        assert m.wait_expected == pytest.approx(150.0)

    def test_routes(self) -> None:
        routes = most_likely_routes(self.journey, 3)
        assert len(routes) == 3
        assert all(r.probability == 0.5**300 for r in routes)
        assert len({r.steps for r in routes}) == 3
        assert all(len(r.steps) == 1 + 2 * 300 + 1 for r in routes)

    def test_json_keeps_the_integer(self) -> None:
        import json

        text = json.dumps(analyse(self.journey).metrics.to_dict())
        assert json.loads(text)["paths"] == 2**300


def test_many_local_loops() -> None:
    # 400 blocks in a row; in block i the customer meets an agent who
    # resolves the block's matter (goes on) with 0.8, else holds 2 minutes
    # and comes back: each agent is visited 1 / 0.8 times, each hold 0.25.
    blocks = 400
    spec: dict = {"in": {"kind": "entry", "next": ["agent0"]}}
    for i in range(blocks):
        following = f"agent{i + 1}" if i + 1 < blocks else "done"
        spec[f"agent{i}"] = {"next": [(following, 0.8), (f"hold{i}", 0.2, "warm")]}
        spec[f"hold{i}"] = {"wait": 2.0, "shield": "hold", "next": [f"agent{i}"]}
    spec["done"] = {"kind": "resolution"}
    a = analyse(make_journey(spec))
    m = a.metrics
    assert m.paths == UNBOUNDED
    assert m.p_resolution == pytest.approx(1.0)
    assert m.wait_expected == pytest.approx(blocks * 2.0 * 0.2 / 0.8)
    assert m.handoffs_expected == pytest.approx(blocks * 0.2 / 0.8)
    assert m.p_first_time == pytest.approx(0.8**blocks)
    assert a.steps["hold7"].p_reach == pytest.approx(0.2)
    assert a.steps["hold7"].impact.delta_wait_expected == pytest.approx(-2.0 * 0.25)
