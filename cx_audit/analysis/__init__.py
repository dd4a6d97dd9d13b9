"""Analysis engine: structural metrics, the absorbing chain, queues and what-ifs.

Pure functions over a :class:`~cx_audit.core.model.Journey` and its graph
(:func:`cx_audit.analysis.graph.journey_graph`). :func:`analyse` computes everything
the reports need; the other functions are the building blocks the rules use.
"""

from cx_audit.analysis.chain import ChainResult, solve_chain
from cx_audit.analysis.erlang import ErlangC, erlang_c, step_wait
from cx_audit.analysis.metrics import JourneyAnalysis, Metrics, StepStats, analyse
from cx_audit.analysis.routes import Route, most_likely_routes
from cx_audit.analysis.structure import (
    UNBOUNDED,
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
from cx_audit.analysis.whatif import Impact, step_impacts

__all__ = [
    "UNBOUNDED",
    "ChainResult",
    "ErlangC",
    "Impact",
    "JourneyAnalysis",
    "Metrics",
    "Route",
    "StepStats",
    "analyse",
    "best_shield_route",
    "erlang_c",
    "loops_on_routes",
    "max_retell_route",
    "most_likely_routes",
    "on_route_steps",
    "reachable_steps",
    "resolving_steps",
    "retells_max",
    "route_count",
    "shields_max",
    "shields_min",
    "shortest_cycle",
    "solve_chain",
    "step_impacts",
    "step_wait",
    "steps_on_every_route",
    "trap_loops",
]
