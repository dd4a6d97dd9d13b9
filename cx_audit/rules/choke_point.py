"""## What it does
Flags a step other than an entry that every route to a resolution passes,
when it is a shield layer or loses customers (`abandon` > 0): one breakdown
there stops everyone. Every route meets such steps in the same order; two
of these CHOKE STEPS that follow each other in that order, with a
transition straight from the first to the second, are one run, and a run
is one finding at its first step, naming every step, its shield layers and
the share of the customers who reach it that its steps lose together
(`1 - (1 - a1) * (1 - a2) * ...` over their `abandon` shares, each step
passed once). A detour beside the direct transition does not split a run;
a step between them that every route passes and is no choke step, or a
gap with no direct transition, does.

## Why it matters
A single point that every customer must pass concentrates risk: when the
identity check fails or the queue overflows, no customer is resolved. It is
also where an improvement pays off for every customer at once, and a run of
such points (a queue, then a check, then a fee) is one place to redesign,
not three.

## Example
```yaml
  web: {kind: entry, next: [login]}
  app: {kind: entry, next: [login]}
  login: {shield: auth, abandon: 0.08, next: [done]}
```

## Use instead
```yaml
  web: {kind: entry, next: [login, guest]}
  app: {kind: entry, next: [login]}
  guest: {next: [done]}            # a second way in
  login: {shield: auth, abandon: 0.08, next: [done]}
```

## Options
None.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from cx_audit.analysis.structure import on_route_steps, steps_on_every_route
from cx_audit.analysis.view import JourneyView
from cx_audit.core.findings import Candidate, Severity
from cx_audit.core.model import Step, StepKind
from cx_audit.rules.base import Option, RuleContext
from cx_audit.rules.helpers import quote_steps
from cx_audit.text.formatting import percent

CODE = "CX503"
NAME = "choke-point"
SUMMARY = "A shield or abandon point, or a run of them, that every route passes"
SEVERITY = Severity.WARNING
ADVICE = ("Give customers a second way past this point, or make it lighter: everyone has to pass "
          "it, and each step of a run adds to what is lost there.")
OPTIONS: dict[str, Option] = {}


def check(context: RuleContext, options: Mapping[str, Any]) -> Iterator[Candidate]:
    """Yield one finding per run of consecutive choke steps, at its first step.

    The steps on every route (dominators of the resolutions) form a chain;
    they are put in route order by their distance from the entries, found
    by one breadth-first search over the steps on a route: a step that
    every route passes before another is strictly nearer the entries, since
    a shortest walk to the later one passes it too. O(n + e) after the
    dominators, which the analysis shares.

    Reads the journey view (through ``context.memo``) and the journey model
    (shields and abandon shares).
    """
    steps = context.journey.steps
    view = context.view
    chain = _in_route_order(view, context.memo(on_route_steps),
                            context.memo(steps_on_every_route))
    runs: list[list[str]] = []
    previous: str | None = None
    for step_id in chain:
        if not _chokes(steps[step_id]):
            previous = None
            continue
        if previous is not None and view.index[step_id] in view.succ[view.index[previous]]:
            runs[-1].append(step_id)
        else:
            runs.append([step_id])
        previous = step_id
    for run in runs:
        yield _finding(run, steps)


def _chokes(step: Step) -> bool:
    return step.kind is not StepKind.ENTRY and (step.is_shield or step.abandon > 0)


def _in_route_order(view: JourneyView, on_route: set[str], chain: list[str]) -> list[str]:
    """``chain`` (steps every route passes) in the order routes pass them."""
    if len(chain) < 2:
        return chain
    routed = [step_id in on_route for step_id in view.ids]
    distance = [-1] * view.n
    frontier = [e for e in view.entries if routed[e]]
    for e in frontier:
        distance[e] = 0
    while frontier:
        following = []
        for u in frontier:
            for v in view.succ[u]:
                if routed[v] and distance[v] == -1:
                    distance[v] = distance[u] + 1
                    following.append(v)
        frontier = following
    return sorted(chain, key=lambda s: distance[view.index[s]])


def _what(step: Step) -> str:
    what = []
    if step.is_shield:
        what.append(f"is a shield layer ({step.shield})")
    if step.abandon > 0:
        what.append(f"loses {percent(step.abandon)} of customers")
    return " and ".join(what)


def _finding(run: list[str], steps: Mapping[str, Step]) -> Candidate:
    kinds = [str(steps[s].shield) for s in run if steps[s].is_shield]
    lost = 0.0
    for s in run:  # each step loses its share of those still there
        lost += (1.0 - lost) * min(1.0, max(0.0, steps[s].abandon))
    metrics = {"steps": list(run), "shield_layers": len(kinds), "abandon": lost}
    first = run[0]
    if len(run) == 1:
        return Candidate(f"Every route passes step '{first}', which {_what(steps[first])}",
                         step=first, metrics=metrics)
    parts = []
    if kinds:
        parts.append(f"{len(kinds)} shield layer{'s' if len(kinds) > 1 else ''} "
                     f"({', '.join(kinds)})")
    if lost > 0:
        parts.append(f"together they lose {percent(lost)} of the customers who reach '{first}'")
    return Candidate(
        f"Every route passes {len(run)} choke steps one after another, {quote_steps(run)}: "
        f"{' and '.join(parts)}",
        step=first, metrics=metrics, route=tuple(run))
