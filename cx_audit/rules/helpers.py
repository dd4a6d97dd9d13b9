"""Small helpers shared by several rules."""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Sequence

from cx_audit.analysis.view import JourneyView
from cx_audit.core.model import Actor, Journey, Step, StepKind

__all__ = [
    "AUTOMATED_SHIELDS", "PEOPLE", "closed_walk", "cycle_through", "is_person", "loop_entry",
    "quote_steps",
]

AUTOMATED_SHIELDS = frozenset({"ivr", "menu", "bot", "deflection"})
"""Shield kinds that are machines, not people."""

PEOPLE = frozenset({Actor.FRONTLINE, Actor.BACKOFFICE})
"""Actors that are a person who can help."""


def is_person(step: Step) -> bool:
    """True when the customer deals with a frontline or back-office person here."""
    return step.actor in PEOPLE


def quote_steps(steps: Iterable[str]) -> str:
    """``'a' -> 'b' -> 'c'`` for messages."""
    return " -> ".join(f"'{s}'" for s in steps)


def loop_entry(journey: Journey, loop: Sequence[str], view: JourneyView,
               reached: Container[str]) -> str:
    """The step where a loop's finding sits: where customers enter the loop.

    Every rule that reports a loop (CX106, CX302, CX303, CX305) sits its
    finding on this step, so that a loop's findings share one step of it and
    the team that owns that step receives them. The rule, deterministic
    whatever the order of transitions:

    1. the steps where customers enter the loop are its entry steps and its
       steps with a transition from a step outside the loop that an entry
       reaches (``reached``, from :func:`~cx_audit.analysis.reachable_steps`);
    2. the first of them in file order is the site;
    3. a loop that no customer enters (a closed loop no entry reaches) sits
       on its first step in file order.

    ``loop`` lists its steps in file order. O(size of the loop and the
    transitions into it).
    """
    members = set(loop)
    for step_id in loop:
        if journey.steps[step_id].kind is StepKind.ENTRY or any(
            p not in members and p in reached for p in view.predecessors(step_id)
        ):
            return step_id
    return loop[0]


def closed_walk(view: JourneyView, loop: Sequence[str], site: str,
                edges: Iterable[tuple[str, str]]) -> tuple[str, ...] | None:
    """A shortest closed walk from ``site`` back to it, inside ``loop``, along one of ``edges``.

    ``loop`` is a strongly connected set of steps holding ``site``; of the
    ``edges`` (source, target) pairs, those with both ends in the loop are
    candidates, and the one giving the shortest walk wins (the first given
    among equals). The walk starts and ends with ``site``. ``None`` when no
    edge lies inside the loop. Two breadth-first searches within the loop:
    linear in its size.
    """
    members = set(loop)
    out = _tree(view.successors, members, site)
    back = _tree(view.predecessors, members, site)
    best: tuple[int, str, str] | None = None
    for source, target in edges:
        if source in out and target in back:
            length = out[source][1] + 1 + back[target][1]
            if best is None or length < best[0]:
                best = (length, source, target)
    if best is None:
        return None
    _, source, target = best
    return (*_path_from(out, source), *reversed(_path_from(back, target)))


def _tree(neighbours: Callable[[str], Iterable[str]], members: Container[str],
          start: str) -> dict[str, tuple[str | None, int]]:
    """Breadth-first tree from ``start`` within ``members``: step -> (parent, depth)."""
    tree: dict[str, tuple[str | None, int]] = {start: (None, 0)}
    frontier = [start]
    depth = 0
    while frontier:
        depth += 1
        following = []
        for node in frontier:
            for succ in neighbours(node):
                if succ in members and succ not in tree:
                    tree[succ] = (node, depth)
                    following.append(succ)
        frontier = following
    return tree


def _path_from(tree: dict[str, tuple[str | None, int]], node: str) -> tuple[str, ...]:
    """The steps from a breadth-first tree's root to ``node``, root first."""
    steps = [node]
    parent = tree[node][0]
    while parent is not None:
        steps.append(parent)
        parent = tree[parent][0]
    return tuple(reversed(steps))


def cycle_through(successors: Callable[[str], Iterable[str]], loop: tuple[str, ...],
                  start: str) -> tuple[str, ...]:
    """A shortest cycle from ``start`` back to itself inside ``loop`` (a strongly connected set).

    ``successors(step)`` gives the steps after ``step`` (``view.successors``
    for a journey). Breadth-first within the loop only, so naming
    every loop of a journey stays linear in the journey's size.
    """
    members = set(loop)
    parent: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for succ in successors(node):
                if succ not in members:
                    continue
                if succ == start:
                    walk = [node]
                    while walk[-1] != start:
                        walk.append(parent[walk[-1]])
                    return (start, *reversed(walk[:-1]), start) if node != start else (start, start)
                if succ not in parent:
                    parent[succ] = node
                    following.append(succ)
        frontier = following
    return loop
