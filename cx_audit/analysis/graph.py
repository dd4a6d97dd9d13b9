"""Build the networkx graph of a journey, for the rules that use networkx's algorithms.

The analyses read the journey's :class:`~cx_audit.analysis.view.JourneyView`
instead; this graph carries the same steps and transitions as networkx
attributes.

Nodes are step ids, in file order, with attributes:

``step``
    the :class:`~cx_audit.core.model.Step` itself;
``kind``
    its :class:`~cx_audit.core.model.StepKind`;
``shield``
    ``1`` when the step is a shield layer, else ``0`` (so sums count layers);
``abandon``
    the share of customers who give up at the step.

Edges follow ``next`` transitions, with attributes:

``transition``
    the :class:`~cx_audit.core.model.Transition`;
``p``
    the probability that a customer at the source takes this edge,
    ``(1 - abandon) * probability`` (the abandon share is not an edge);
``cold`` / ``handoff``
    ``1`` for a cold handoff / for any handoff, else ``0``.

The implicit abandon sink of ``abandon:`` is not a node: analyses read the
``abandon`` attribute instead, so the graph has exactly the journey's steps
and transitions.
"""

from __future__ import annotations

import networkx as nx

from cx_audit.core.model import Handoff, Journey

__all__ = ["journey_graph"]


def journey_graph(journey: Journey) -> nx.DiGraph[str]:
    """Return the directed graph of ``journey`` (see the module docstring).

    Runs in O(steps + transitions).
    """
    graph: nx.DiGraph[str] = nx.DiGraph(journey=journey.id)
    for step in journey.steps.values():
        graph.add_node(
            step.id,
            step=step,
            kind=step.kind,
            shield=1 if step.is_shield else 0,
            abandon=step.abandon,
        )
    for step in journey.steps.values():
        keep = 1.0 - step.abandon
        for transition in step.next:
            graph.add_edge(
                step.id,
                transition.target,
                transition=transition,
                p=keep * transition.probability,
                cold=1 if transition.handoff is Handoff.COLD else 0,
                handoff=1 if transition.handoff is not None else 0,
            )
    return graph
