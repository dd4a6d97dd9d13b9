"""The graph algorithms written for the journey view agree with networkx's own.

Reachability (search), the steps on every route (dominators) and shortest
cycles (breadth-first search) are computed on the integer view because they
run on every journey; each must give what networkx gives on the same graph.
"""

from __future__ import annotations

from itertools import pairwise

import networkx as nx
from hypothesis import given

from cx_audit.analysis import reachable_steps, shortest_cycle, steps_on_every_route
from cx_audit.analysis.view import JourneyView, journey_view

from .builder import make_journey
from .strategies import journey_specs
from .test_properties import PROFILE

SOURCE, SINK = ("source",), ("sink",)  # tuples: never a step id


def walk_graph(view: JourneyView) -> nx.DiGraph[object]:
    """The transitions customers can walk (none leave a resolution or abandon step)."""
    graph: nx.DiGraph[object] = nx.DiGraph()
    graph.add_nodes_from(view.ids)
    for u, targets in enumerate(view.succ):
        graph.add_edges_from((view.ids[u], view.ids[v]) for v in targets)
    return graph


@PROFILE
@given(journey_specs())
def test_reachable_steps_are_networkx_descendants_of_the_entries(spec) -> None:
    view = journey_view(make_journey(spec))
    graph = walk_graph(view)
    entries = [view.ids[e] for e in view.entries]
    expected = set(entries).union(*(nx.descendants(graph, e) for e in entries))
    assert reachable_steps(view) == expected


@PROFILE
@given(journey_specs())
def test_steps_on_every_route_are_the_dominators_of_the_resolutions(spec) -> None:
    view = journey_view(make_journey(spec))
    graph = walk_graph(view)
    graph.add_edges_from((SOURCE, view.ids[e]) for e in view.entries)
    graph.add_edges_from((view.ids[r], SINK) for r in view.resolutions)
    found = steps_on_every_route(view)
    if SINK not in graph or not nx.has_path(graph, SOURCE, SINK):
        assert found == []
        return
    dominators = nx.immediate_dominators(graph, SOURCE)
    chain, node = set(), dominators[SINK]
    while node != SOURCE:
        chain.add(node)
        node = dominators[node]
    assert set(found) == chain
    assert found == [step for step in view.ids if step in chain]  # in file order


@PROFILE
@given(journey_specs())
def test_shortest_cycles_are_as_short_as_networkx_finds_and_real(spec) -> None:
    view = journey_view(make_journey(spec))
    graph = walk_graph(view)
    for step in view.ids:
        cycle = shortest_cycle(view, step)
        lengths = [1 if after == step else nx.shortest_path_length(graph, after, step) + 1
                   for after in graph.successors(step)
                   if after == step or nx.has_path(graph, after, step)]
        if not lengths:
            assert cycle is None
            continue
        assert cycle is not None and cycle[0] == cycle[-1] == step
        assert len(cycle) - 1 == min(lengths)
        assert all(graph.has_edge(a, b) for a, b in pairwise(cycle))


@PROFILE
@given(journey_specs())
def test_a_loop_is_named_by_a_shortest_cycle_inside_it(spec) -> None:
    from cx_audit.analysis import loops_on_routes
    from cx_audit.rules.helpers import cycle_through

    view = journey_view(make_journey(spec))
    graph = walk_graph(view)
    for loop in loops_on_routes(view):
        inside = graph.subgraph(loop)
        start = loop[0]
        cycle = cycle_through(graph.successors, loop, start)
        assert cycle[0] == cycle[-1] == start
        assert all(inside.has_edge(a, b) for a, b in pairwise(cycle))
        shortest = min(1 if after == start else nx.shortest_path_length(inside, after, start) + 1
                       for after in inside.successors(start))
        assert len(cycle) - 1 == shortest
