"""Exact figures against an independent Monte Carlo simulation.

For random journeys, every exact probability, expectation, visit count and
reach probability must fall within 5 standard errors (plus a few customers'
worth of slack for rare events) of the simulated one, and an expectation is
``None`` exactly when the simulation sees customers trapped in a loop that
holds what is counted.
"""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings

from cx_audit.analysis import analyse

from .builder import make_journey
from .oracle import infinite_expectations, simulate
from .strategies import journey_specs

WALKS = 3000
Z = 5.0

settings.register_profile(
    "analysis-mc", max_examples=30, derandomize=True, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def close_probability(exact: float, observed: float, n: int) -> bool:
    se = math.sqrt(max(exact * (1 - exact), 0.0) / n)
    return abs(exact - observed) <= Z * se + 3.0 / n + 1e-9


def close_mean(exact: float, observed: float, se: float, scale: float) -> bool:
    return abs(exact - observed) <= Z * se + 3.0 * scale / WALKS + 1e-9


@settings(settings.get_profile("analysis-mc"))
@given(journey_specs())
def test_exact_figures_agree_with_simulation(spec) -> None:
    journey = make_journey(spec)
    result = analyse(journey)
    m = result.metrics
    sim = simulate(journey, WALKS)
    n = sim.n

    for exact, count, name in [
        (m.p_resolution, sim.resolved, "p_resolution"),
        (m.p_abandon, sim.abandoned, "p_abandon"),
        (m.p_stranded, sim.stranded, "p_stranded"),
        (m.p_trapped, sim.trapped, "p_trapped"),
        (m.p_first_time, sim.first_time, "p_first_time"),
    ]:
        assert close_probability(exact, count / n, n), (name, exact, count / n)

    infinite = infinite_expectations(journey)
    for name, exact in [
        ("shields", m.shields_expected),
        ("wait", m.wait_expected),
        ("handoffs", m.handoffs_expected),
        ("retells", m.retells_expected),
    ]:
        assert math.isinf(exact) == (name in infinite), (name, exact, infinite)
        if math.isinf(exact):
            continue
        assert name not in sim.infinite
        est = sim.estimate(sim.sums[name])
        scale = 2.0 if name == "wait" else 1.0
        assert close_mean(exact, est.mean, est.se, scale), (name, exact, est)

    for step_id, stats in result.steps.items():
        if math.isinf(stats.visits):
            assert step_id in sim.infinite_visits or sim.reached[step_id] == 0
        else:
            assert step_id not in sim.infinite_visits
            est = sim.estimate(sim.visits[step_id])
            assert close_mean(stats.visits, est.mean, est.se, 1.0), (step_id, stats, est)
        observed = sim.reached[step_id] / n
        assert close_probability(stats.p_reach, observed, n), (step_id, stats.p_reach, observed)
