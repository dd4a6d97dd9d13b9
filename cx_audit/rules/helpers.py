"""Small helpers shared by several rules."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import networkx as nx

from cx_audit.core.model import Actor, Journey, Step

__all__ = [
    "AUTOMATED_SHIELDS", "PEOPLE", "cycle_through", "is_person", "loop_entry", "quote_steps",
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


def loop_entry(journey: Journey, loop: tuple[str, ...], graph: nx.DiGraph[str]) -> str:
    """The step a loop returns to: the first (in file order) entered from outside it.

    ``loop`` lists its steps in file order. For a loop that nothing enters
    from outside (it holds the entry), its first step. O(size of the loop
    and the transitions into it).
    """
    members = set(loop)
    for step_id in loop:
        if journey.steps[step_id].kind.value == "entry" or any(
            p not in members for p in graph.predecessors(step_id)
        ):
            return step_id
    return loop[0]


def cycle_through(successors: Callable[[str], Iterable[str]], loop: tuple[str, ...],
                  start: str) -> tuple[str, ...]:
    """A shortest cycle from ``start`` back to itself inside ``loop`` (a strongly connected set).

    ``successors(step)`` gives the steps after ``step`` (``graph.successors``
    for a journey graph). Breadth-first within the loop only, so naming
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
