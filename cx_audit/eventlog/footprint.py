"""What a design lets an event log show: its steps as seen through its silent ones.

A log records activities, never routing points: the start and end events and
gateways of a BPMN model, or the ``<id>-end`` step that ``discover``
generates, are steps with ``silent`` set. The conformance rules compare the
log with :func:`footprint` of the journey, where silent steps are looked
through:

- a visible step may be directly followed by every visible step that one of
  its transitions reaches through silent steps only (:meth:`Footprint.reach`);
- a case may start at every visible step that an entry reaches that way,
  and end at a visible step from which a terminal step is reached that way
  (or that is terminal itself, or has an ``abandon`` share);
- the branches of a ``silent: parallel`` step run at the same time, so any
  step of one branch may be directly followed by any step of another
  (interleaving): a branch is what its first step reaches before the
  point every branch must pass (the split's immediate post-dominator), less
  what another branch reaches too.

The relation is the design's directly-follows footprint, as process miners
compare logs with models at that level. Reaching through silent steps is
computed once per silent step (memoised over the strongly connected
components of the silent steps), so the cost is the size of the footprint.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import networkx as nx

from cx_audit.core.model import Journey, Step

__all__ = ["END", "Footprint", "footprint"]

END = ""
"""The key of "the case ends" in :meth:`Footprint.shares` (no step id is empty)."""


@dataclass(frozen=True)
class _Reach:
    steps: frozenset[str]
    ends: bool


@dataclass
class Footprint:
    """The directly-follows footprint of one journey (see the module's docstring)."""

    journey: Journey
    _through: dict[str, _Reach] = field(default_factory=dict)
    _branches: dict[str, dict[str, int]] = field(default_factory=dict)
    _shares: dict[str, dict[str, float] | None] = field(default_factory=dict)
    """The shares out of each silent step, filled when :meth:`shares` is first asked."""
    _shares_ready: bool = False

    def shown(self, step_id: str) -> bool:
        """True when the log may show the step (it is not silent)."""
        return not self.journey.steps[step_id].silent

    def enters(self, step_id: str) -> frozenset[str]:
        """The visible steps a transition to ``step_id`` arrives at: itself, or past it."""
        if self.shown(step_id):
            return frozenset((step_id,))
        return self._through[step_id].steps

    def ends_through(self, step_id: str) -> bool:
        """True when a transition to ``step_id`` may end the case without another event."""
        if self.shown(step_id):
            return False
        return self._through[step_id].ends

    def reach(self, step_id: str) -> frozenset[str]:
        """The visible steps that may directly follow the visible step ``step_id``."""
        found: set[str] = set()
        for transition in self.journey.steps[step_id].next:
            found |= self.enters(transition.target)
        return frozenset(found)

    def may_end(self, step_id: str) -> bool:
        """True when a case may end at the visible step ``step_id``."""
        step = self.journey.steps[step_id]
        return (step.is_terminal or step.abandon > 0 or not step.next
                or any(self.ends_through(t.target) for t in step.next))

    def may_start(self, step_id: str) -> bool:
        """True when a case may start at the visible step ``step_id``."""
        return any(step_id in self.enters(e) for e in self.journey.entry_shares)

    def concurrent(self, first: str, second: str) -> bool:
        """True when the two steps lie on different branches of one parallel split."""
        ours, theirs = self._branches.get(first), self._branches.get(second)
        if not ours or not theirs:
            return False
        return any(theirs.get(split, branch) != branch for split, branch in ours.items())

    def in_parallel(self, step_id: str) -> bool:
        """True when the step lies on a branch of a parallel split."""
        return bool(self._branches.get(step_id))

    def allows(self, first: str, second: str) -> bool:
        """True when the design lets ``second`` directly follow ``first`` (both visible)."""
        return second in self.reach(first) or self.concurrent(first, second)

    def shares(self, step_id: str) -> dict[str, float] | None:
        """The design's share of each visible next step, and of :data:`END`, from ``step_id``.

        ``(1 - abandon) * p`` summed over the silent routes; ``None`` when the
        shares are not defined by the design: the step is on a parallel
        branch, its routes pass a parallel split, or silent steps loop.
        """
        step = self.journey.steps[step_id]
        if self.in_parallel(step_id) or step.is_terminal:
            return None
        if not self._shares_ready:
            self._shares.update(_silent_shares(self.journey))
            self._shares_ready = True
        return _spread(self.journey, step, self._shares)


def _spread(journey: Journey, step: Step,
            silent: Mapping[str, dict[str, float] | None]) -> dict[str, float] | None:
    """Shares out of ``step``: visible targets as they are, silent ones as ``silent`` says."""
    if step.parallel:
        return None
    if step.is_terminal or not step.next:
        return {END: 1.0}
    out: dict[str, float] = {END: step.abandon} if step.abandon else {}
    for transition in step.next:
        weight = (1.0 - step.abandon) * transition.probability
        target = journey.steps[transition.target]
        if not target.silent:
            out[target.id] = out.get(target.id, 0.0) + weight
            continue
        onward = silent.get(target.id)
        if onward is None:
            return None
        for key, share in onward.items():
            out[key] = out.get(key, 0.0) + weight * share
    return out


def _silent_shares(journey: Journey) -> dict[str, dict[str, float] | None]:
    """The shares out of every silent step, later steps first (``None`` on a silent loop)."""
    steps = journey.steps
    graph = _silent_graph(journey)
    shares: dict[str, dict[str, float] | None] = {}
    condensed = nx.condensation(graph)
    members: Mapping[int, set[str]] = nx.get_node_attributes(condensed, "members")
    for component in reversed(list(nx.topological_sort(condensed))):
        inside = members[component]
        (first,) = inside if len(inside) == 1 else (None,)
        if first is None or graph.has_edge(first, first):
            shares.update(dict.fromkeys(inside))
            continue
        shares[first] = _spread(journey, steps[first], shares)
    return shares


def _silent_graph(journey: Journey) -> nx.DiGraph[str]:
    steps = journey.steps
    silent: nx.DiGraph[str] = nx.DiGraph()
    silent.add_nodes_from(s.id for s in steps.values() if s.silent)
    for step in steps.values():
        if step.silent:
            silent.add_edges_from((step.id, t.target) for t in step.next
                                  if steps[t.target].silent)
    return silent


_LAST: list[Footprint] = []


def footprint(journey: Journey) -> Footprint:
    """The footprint of ``journey`` (the last one is kept, as every conformance rule asks)."""
    if _LAST and _LAST[0].journey is journey:
        return _LAST[0]
    found = Footprint(journey, _through_silent(journey), _parallel_branches(journey))
    _LAST[:] = [found]
    return found


def _through_silent(journey: Journey) -> dict[str, _Reach]:
    """For each silent step: the visible steps, and whether an end, reached past it."""
    steps = journey.steps
    silent = _silent_graph(journey)
    condensed = nx.condensation(silent)
    members: Mapping[int, set[str]] = nx.get_node_attributes(condensed, "members")
    reach: dict[int, _Reach] = {}
    for component in reversed(list(nx.topological_sort(condensed))):
        found: set[str] = set()
        ends = False
        for step_id in members[component]:
            step = steps[step_id]
            ends = ends or step.is_terminal or not step.next
            found.update(t.target for t in step.next if not steps[t.target].silent)
        for later in condensed.successors(component):
            found |= reach[later].steps
            ends = ends or reach[later].ends
        reach[component] = _Reach(frozenset(found), ends)
    mapping: Mapping[str, int] = condensed.graph["mapping"]
    return {step_id: reach[mapping[step_id]] for step_id in silent}


_SINK = "\x00sink"


def _parallel_branches(journey: Journey) -> dict[str, dict[str, int]]:
    """Step -> {parallel split: the branch the step is on}, for steps on exactly one branch."""
    splits = [s for s in journey.steps.values()
              if s.parallel and len({t.target for t in s.next}) > 1]
    if not splits:
        return {}
    graph: nx.DiGraph[str] = nx.DiGraph()
    for step in journey.steps.values():
        graph.add_node(step.id)
        graph.add_edges_from((step.id, t.target) for t in step.next)
        if not step.next:
            graph.add_edge(step.id, _SINK)
    after = nx.immediate_dominators(graph.reverse(copy=False), _SINK)
    branches: dict[str, dict[str, int]] = {}
    for split in splits:
        join = after.get(split.id)
        seen_on: dict[str, int] = {}
        targets = list(dict.fromkeys(t.target for t in split.next))
        for branch, first in enumerate(targets):
            stack, seen = [first], {first, split.id}
            if join is not None:
                seen.add(join)
            if first == join:
                continue
            while stack:
                node = stack.pop()
                seen_on[node] = -1 if seen_on.get(node, branch) != branch else branch
                for onward in graph.successors(node):
                    if onward not in seen and onward != _SINK:
                        seen.add(onward)
                        stack.append(onward)
        for node, branch in seen_on.items():
            if branch >= 0:
                branches.setdefault(node, {})[split.id] = branch
    return branches
