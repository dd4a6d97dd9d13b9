"""The journey as a networkx graph, for the rules that use networkx's algorithms.

Nodes are the step ids, in file order; edges are the transitions. It holds
the structure only: the figures the analyses need are in the journey's
:class:`~cx_audit.analysis.view.JourneyView` and in the model itself. A rule
gets it as ``context.graph``, built on first use, where a networkx algorithm
(shortest paths inside a loop, say) serves better than a hand-written one.
"""

from __future__ import annotations

import networkx as nx

from cx_audit.core.model import Journey

__all__ = ["journey_graph"]


def journey_graph(journey: Journey) -> nx.DiGraph[str]:
    """Return the directed graph of ``journey``: step ids and transitions.

    Runs in O(steps + transitions).
    """
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(journey.steps)
    graph.add_edges_from((t.source, t.target) for step in journey.steps.values()
                         for t in step.next)
    return graph
