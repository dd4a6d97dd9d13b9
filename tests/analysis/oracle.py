"""An independent Monte Carlo walker over Journey objects, used as an oracle.

It shares no code with the engine: it reads the model directly, walks one
customer at a time with ``random.Random`` and counts what happens. The only
conventions it shares with the engine are those the engine documents:
transition probabilities are used in proportion to their sum, entry shares
are scaled to sum to 1, and a stranded step loses its ``abandon`` share to
abandonment before stranding the rest.

Trapped customers never stop walking, so the walker recognises a closed
class (a set of steps from which every reachable step leads back, with no
way out) by plain breadth-first searches, stops there, and records an
infinite count for whatever that class holds.
"""

from __future__ import annotations

import math
import random
from collections import deque
from dataclasses import dataclass, field

from cx_audit.core.model import Journey, StepKind

TERMINAL = (StepKind.RESOLUTION, StepKind.ABANDON)


def _moves(journey: Journey, step_id: str) -> list[tuple[str, float, object]]:
    """(target, chance among the transitions, handoff) with positive chance."""
    step = journey.steps[step_id]
    total = sum(t.probability for t in step.next if t.probability > 0)
    if step.kind in TERMINAL or total <= 0 or step.abandon >= 1:
        return []
    return [(t.target, t.probability / total, t.handoff) for t in step.next if t.probability > 0]


def _reach(journey: Journey, start: str) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        u = queue.popleft()
        for v, _, _ in _moves(journey, u):
            if v not in seen:
                seen.add(v)
                queue.append(v)
    return seen


def _ends_here(journey: Journey, step_id: str) -> bool:
    step = journey.steps[step_id]
    return step.kind in TERMINAL or step.abandon > 0 or not _moves(journey, step_id)


def closed_classes(journey: Journey) -> dict[str, frozenset[str]]:
    """Step -> its closed class, for every step in one (by brute force)."""
    reach = {s: _reach(journey, s) for s in journey.steps}
    result = {}
    for s, r in reach.items():
        if any(_ends_here(journey, x) for x in r):
            continue
        if all(s in reach[x] for x in r):
            result[s] = frozenset(r)
    return result


def entry_weights(journey: Journey) -> list[tuple[str, float]]:
    total = sum(v for v in journey.entry_shares.values() if v > 0)
    return [(k, v / total) for k, v in journey.entry_shares.items() if v > 0]


@dataclass
class Estimate:
    """Sample mean and its standard error."""

    mean: float
    se: float


@dataclass
class Simulation:
    n: int
    resolved: int = 0
    abandoned: int = 0
    stranded: int = 0
    trapped: int = 0
    first_time: int = 0
    sums: dict[str, list[float]] = field(default_factory=dict)
    visits: dict[str, list[int]] = field(default_factory=dict)
    reached: dict[str, int] = field(default_factory=dict)
    infinite: set[str] = field(default_factory=set)
    infinite_visits: set[str] = field(default_factory=set)

    def share(self, count: int) -> float:
        return count / self.n

    def estimate(self, values: list[float]) -> Estimate:
        mean = math.fsum(values) / self.n
        var = math.fsum((v - mean) ** 2 for v in values) / max(1, self.n - 1)
        return Estimate(mean, math.sqrt(var / self.n))


def simulate(journey: Journey, n: int, seed: int = 20240601,
             wait_of=lambda step: step.wait or 0.0, cap: int = 100_000) -> Simulation:
    """Walk ``n`` customers through ``journey``."""
    rng = random.Random(seed)
    classes = closed_classes(journey)
    entries = entry_weights(journey)
    sim = Simulation(n=n)
    counted = ("shields", "wait", "handoffs", "retells")
    for name in counted:
        sim.sums[name] = []
    for s in journey.steps:
        sim.visits[s] = []
        sim.reached[s] = 0
    for _ in range(n):
        totals = dict.fromkeys(counted, 0.0)
        visits = dict.fromkeys(journey.steps, 0)
        handed = False
        r = rng.random()
        u = entries[-1][0]
        for name, w in entries:
            if r < w:
                u = name
                break
            r -= w
        for _ in range(cap):
            if u in classes:
                sim.trapped += 1
                members = classes[u]
                for x in members:
                    visits[x] = math.inf
                    step = journey.steps[x]
                    if step.shield:
                        totals["shields"] = math.inf
                    if wait_of(step) > 0:
                        totals["wait"] = math.inf
                    for _, _, handoff in _moves(journey, x):
                        if handoff is not None:
                            totals["handoffs"] = math.inf
                            if handoff.value == "cold":
                                totals["retells"] = math.inf
                break
            step = journey.steps[u]
            visits[u] += 1
            totals["shields"] += 1 if step.shield else 0
            totals["wait"] += wait_of(step)
            if step.kind is StepKind.RESOLUTION:
                sim.resolved += 1
                sim.first_time += not handed
                break
            if step.kind is StepKind.ABANDON:
                sim.abandoned += 1
                break
            if step.abandon > 0 and rng.random() < step.abandon:
                sim.abandoned += 1
                break
            moves = _moves(journey, u)
            if not moves:
                sim.stranded += 1
                break
            r = rng.random()
            choice = moves[-1]
            for move in moves:
                if r < move[1]:
                    choice = move
                    break
                r -= move[1]
            target, _, handoff = choice
            if handoff is not None:
                handed = True
                totals["handoffs"] += 1
                if handoff.value == "cold":
                    totals["retells"] += 1
            u = target
        else:  # pragma: no cover - the cap is a safety net
            raise AssertionError("a walk did not end")
        for name in counted:
            if totals[name] == math.inf:
                sim.infinite.add(name)
            sim.sums[name].append(totals[name])
        for s, k in visits.items():
            if k == math.inf:
                sim.infinite_visits.add(s)
            sim.visits[s].append(k)
            sim.reached[s] += k > 0
    return sim


def infinite_expectations(journey: Journey) -> set[str]:
    """Which expectations are infinite, decided exactly from the structure.

    An expectation is infinite when a closed class holding what it counts is
    reached with positive probability.
    """
    classes = closed_classes(journey)
    reachable: set[str] = set()
    for e, _ in entry_weights(journey):
        reachable |= _reach(journey, e)
    result = set()
    for s in reachable & set(classes):
        for x in classes[s]:
            step = journey.steps[x]
            if step.shield:
                result.add("shields")
            if step.wait:
                result.add("wait")
            for _, _, handoff in _moves(journey, x):
                if handoff is not None:
                    result.add("handoffs")
                    if handoff.value == "cold":
                        result.add("retells")
    return result
