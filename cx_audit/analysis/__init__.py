"""Analysis: structural metrics, the absorbing chain, queues and what-ifs.

Pure functions over a :class:`~cx_audit.core.model.Journey` and its
:class:`~cx_audit.analysis.view.JourneyView` (the integer-indexed graph view
built once per journey by :func:`journey_view`). :func:`analyse` gives the
metrics, per-step figures and sensitivities, computed when first read; the other functions
are the building blocks the rules use; :func:`levers_for` weighs the fixes
a team could make at a set of steps.
"""

from cx_audit.analysis.erlang import ErlangC, erlang_c, fewest_agents, service_level, step_wait
from cx_audit.analysis.levers import Lever, levers_for, rank_levers
from cx_audit.analysis.metrics import JourneyAnalysis, Metrics, StepStats, analyse
from cx_audit.analysis.routes import Route, most_likely_routes
from cx_audit.analysis.sensitivity import Sensitivity, measure_first, sensitivities
from cx_audit.analysis.structure import (
    UNBOUNDED,
    Bound,
    best_shield_route,
    loops_on_routes,
    max_retell_route,
    on_route_steps,
    reachable_steps,
    resolving_steps,
    retells_max,
    route_count,
    shields_max,
    shields_min,
    shortest_cycle,
    steps_on_every_route,
    trap_loops,
)
from cx_audit.analysis.view import JourneyView, journey_view, strongly_connected
from cx_audit.analysis.whatif import Impact

__all__ = [
    "UNBOUNDED",
    "Bound",
    "ErlangC",
    "Impact",
    "JourneyAnalysis",
    "JourneyView",
    "Lever",
    "Metrics",
    "Route",
    "Sensitivity",
    "StepStats",
    "analyse",
    "best_shield_route",
    "erlang_c",
    "fewest_agents",
    "journey_view",
    "levers_for",
    "loops_on_routes",
    "max_retell_route",
    "measure_first",
    "most_likely_routes",
    "on_route_steps",
    "rank_levers",
    "reachable_steps",
    "resolving_steps",
    "retells_max",
    "route_count",
    "sensitivities",
    "service_level",
    "shields_max",
    "shields_min",
    "shortest_cycle",
    "step_wait",
    "steps_on_every_route",
    "strongly_connected",
    "trap_loops",
]
