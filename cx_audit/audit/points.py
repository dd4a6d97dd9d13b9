"""Combustion points: the places of a journey where it is likely to break, for a person to review.

Findings are the unit of CI (codes, baselines, suppressions); a combustion
point is the unit a person reads. The findings of a journey are grouped by
the place they concern, and each place is reported once, with every finding
about it (its *signals*):

``loop``
    a strongly connected set of steps on a route. It takes the loop
    findings (their evidence names the loop) and the cold handoffs and
    channel switches between two of its steps: one bouncing loop is one
    point, not a retell chain, a ping-pong and several handoffs;
``chain``
    a run of consecutive shield or choke steps (the shield-stack and
    choke-point findings), once however many of its steps start a run;
    runs that share a step are one chain;
``transition``
    a handoff or channel switch that is not part of a loop, from a step
    with no finding of its own (otherwise it is part of that step's point:
    a desk that cannot help and the cold transfer out of it are one place);
``step``
    everything else found at one step (a "chain" of one step included).

Places nest: a step can lie in a chain and both in a loop. Each is a point
of its own, because each has its own fixes (cut a queue's abandonment,
remove the chain's shield layers, break the loop), and a point inside a
larger one ranked above it names it (``within``), so that nobody adds up
customers the two points share.

Journey-level findings (low resolution, shield depth over the whole journey)
are not places; they stay with the journey.

Each point's figures are exact, from the journey's absorbing chain:

- ``reach``: the chance that a customer passes the place (for a loop: enters
  it; for a chain: visits any of its steps);
- ``lost``: the share of all customers who end unresolved there (abandon,
  are stranded at one of its steps, or are trapped in it);
- the effort it adds per customer who passes it: minutes waited, shield
  layers passed, stories retold (cold handoffs) and handoffs crossed there.

Ranking: customers lost first; then the effort the place adds across all
customers (``reach`` times the effort per customer who passes), compared in
this order: stories retold, handoffs, minutes waited, shield layers.
Differences within 1e-9 count as ties, so that rounding never decides. The
``score`` shown is that key per 1,000 customers.

Noise floor: a place is a point when it loses at least one customer in
1,000 (``FLOOR_LOST``) or accounts for at least a tenth (``FLOOR_SHARE``) of
all the retellings, handoffs, waiting or shield layers of the journey. Its
findings stay findings either way; below the floor they are not worth a
person's first reading.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from cx_audit.analysis.chain import Chain, ChainSolution, safe_fsum
from cx_audit.analysis.levers import (
    DEFAULT_ANSWER_SECONDS,
    DEFAULT_EMPOWER_SHARE,
    DEFAULT_MAX_ABANDON,
    DEFAULT_SERVICE_LEVEL,
    Lever,
    levers_for,
    rank_levers,
)
from cx_audit.analysis.structure import loops_on_routes
from cx_audit.analysis.whatif import SolveBudget
from cx_audit.audit.engine import JourneyAudit
from cx_audit.core.findings import Finding
from cx_audit.core.model import Journey, Step

__all__ = ["CHAIN_RULES", "NOISE", "CombustionPoint", "Effort", "Score", "combustion_points",
           "fix_first"]

PointKind = Literal["step", "transition", "loop", "chain"]

CHAIN_RULES = frozenset({"CX202", "CX503"})
"""Rules whose findings name a run of steps (``steps`` in their evidence): a chain point."""

LOOP_TRANSITION_RULES = frozenset({"CX301", "CX304"})
"""Transition rules whose findings join the loop both ends of the transition belong to."""

LEVERS_KEPT = 3
"""Levers kept per point: the best few, ranked by customers gained, then effort saved."""

NOISE = 1e-9
"""Differences smaller than this (as a share of customers, or per customer) are rounding."""

FLOOR_LOST = 0.001
"""A place that loses at least this share of all customers is a point."""

FLOOR_SHARE = 0.10
"""A place that adds at least this share of a journey total (retells, handoffs, wait,
shields) is a point."""


def _denoised(x: float) -> float:
    return 0.0 if abs(x) < NOISE else x


@dataclass(frozen=True, slots=True, kw_only=True)
class Effort:
    """What a place adds per customer who passes it."""

    wait: float
    """Minutes waited at its steps."""
    shields: float
    """Shield layers passed."""
    retells: float
    """Stories retold: cold handoffs crossed."""
    handoffs: float
    """Handoffs crossed, warm or cold."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Score:
    """How much a place matters, per 1,000 customers: the ranking key, in order."""

    lost: float
    """Customers who end unresolved there."""
    retells: float
    """Stories retold there, across all customers."""
    handoffs: float
    """Handoffs crossed there."""
    wait: float
    """Minutes waited there."""
    shields: float
    """Shield layers passed there."""

    def key(self) -> tuple[float, ...]:
        """The ranking key, rounding noise cut to zero (higher matters more)."""
        return tuple(_denoised(x / 1000.0) for x in
                     (self.lost, self.retells, self.handoffs, self.wait, self.shields))

    def above_floor(self, totals: Sequence[float]) -> bool:
        """True when the place matters enough to be read first (see the module docs).

        ``totals`` are the journey's expected retells, handoffs, wait and
        shields per customer, in the order of :meth:`key`.
        """
        lost, *effort = self.key()
        if lost >= FLOOR_LOST - NOISE:
            return True
        return any(x > 0.0 and (math.isinf(total) or x >= FLOOR_SHARE * total - NOISE)
                   for x, total in zip(effort, totals))


@dataclass(frozen=True, slots=True, kw_only=True)
class CombustionPoint:
    """One place where the journey is likely to break, with every finding about it."""

    rank: int
    """1 for the place that matters most."""
    kind: PointKind
    step: str
    """Where it sits: a step of the place (the transition's source, a loop's or chain's site)."""
    steps: tuple[str, ...]
    """Every step of the place, in file order (a transition: its source and target)."""
    target: str | None
    """The transition's target, for a transition."""
    title: str
    """One line, in the step labels a client recognises."""
    owners: tuple[str, ...]
    """The teams owning its steps (none named: empty)."""
    signals: tuple[Finding, ...]
    """Every finding about the place, in report order."""
    evidence: tuple[str, ...]
    """The ``evidence`` lines of its steps: each with the smallest point holding its step."""
    reach: float | None
    lost: float | None
    effort: Effort | None
    """``None`` (with ``reach`` and ``lost``) where the figures are not computed."""
    score: Score | None
    levers: tuple[Lever, ...]
    """The fixes a team could make there, most customers gained first (see ``LEVERS_KEPT``)."""
    within: int | None = None
    """The rank of the smallest point ranked above this one that holds all its steps."""

    @property
    def codes(self) -> tuple[str, ...]:
        """The rule codes of its signals, each once, in order."""
        return tuple(dict.fromkeys(f.rule for f in self.signals))


@dataclass
class _Place:
    kind: PointKind
    steps: set[str]
    site: str
    target: str | None
    signals: list[Finding]


def combustion_points(audit: JourneyAudit) -> list[CombustionPoint]:
    """The journey's combustion points, most important first.

    Points whose score is all rounding noise are left out: a journey with no
    point has nothing for a person to review. Figures need the chain
    solved (the analysis computes it when first read).
    """
    journey = audit.journey
    places = _places(audit)
    if not places:
        return []
    sol = audit.analysis.solution
    figured = []
    visits, index = sol.visits, sol.net.index
    for place in places:
        if not any(visits[index[s]] for s in place.steps):
            continue  # nobody passes it: every figure is 0, under the floor (a map of unreachable
            # steps would otherwise be figured place by place for nothing)
        figures = _figures(sol, journey, place)
        figured.append((place, figures))
    totals = _journey_totals(sol)
    figured = [(p, f) for p, f in figured if f is None or f[2].above_floor(totals)]
    figured.sort(key=lambda pf: _order(index, pf[0], pf[1]))
    ordered = [tuple(sorted(place.steps, key=index.__getitem__)) for place, _ in figured]
    home = _evidence_homes(ordered)
    def setting(name: str, default: float) -> float:  # the levers' settings are rule options
        return float(audit.options.get(name, default))

    points: list[CombustionPoint] = []
    known: dict[int, list[Lever]] = {}  # each step's levers, shared by the points holding it
    budget = SolveBudget(sol)  # whole-chain re-solves rationed across the journey's levers
    for rank, ((place, figures), steps) in enumerate(zip(figured, ordered), start=1):
        holders = [p for p in points if p.kind != "transition" and set(steps) <= set(p.steps)
                   and p.steps != steps]
        reach, lost, score, effort = (None, None, None, None) if figures is None else figures
        points.append(CombustionPoint(
            rank=rank, kind=place.kind, step=place.site, steps=steps, target=place.target,
            title=_title(journey, place, steps), owners=_owners(journey, steps),
            signals=tuple(sorted(place.signals, key=Finding.sort_key)),
            evidence=tuple(dict.fromkeys(n for s in steps if home[s] == rank - 1
                                         for n in journey.steps[s].evidence)),
            reach=reach, lost=lost, effort=effort, score=score,
            levers=() if figures is None else tuple(rank_levers(levers_for(
                sol, journey, steps, budget=budget, break_loops=place.kind == "loop",
                max_abandon=setting("max_abandon", DEFAULT_MAX_ABANDON),
                share=setting("empower_share", DEFAULT_EMPOWER_SHARE),
                level=setting("service_level", DEFAULT_SERVICE_LEVEL),
                answer_seconds=setting("answer_seconds", DEFAULT_ANSWER_SECONDS),
                known=known))[:LEVERS_KEPT]),
            within=min(holders, key=lambda p: (len(p.steps), p.rank)).rank if holders else None))
    return points


def _evidence_homes(places: Sequence[tuple[str, ...]]) -> dict[str, int]:
    """For each step, the index of the point its evidence lines go with.

    The smallest place that holds the step (its own step point where it has
    one), the higher ranked of equals: each line is shown once, with the
    place it is most about.
    """
    home: dict[str, int] = {}
    for number, steps in sorted(enumerate(places), key=lambda np: (len(np[1]), np[0])):
        for step in steps:
            home.setdefault(step, number)
    return home


def _journey_totals(sol: ChainSolution) -> tuple[float, float, float, float]:
    """The journey's expected retells, handoffs, wait and shields per customer."""
    _, shields, wait, retells = sol.totals()
    return retells, sol.edge_total(sol.net.handoff), wait, shields


def fix_first(points: Iterable[CombustionPoint]) -> list[tuple[CombustionPoint, Lever]]:
    """The journey's fixes, best first: every point's levers, ranked together.

    Ranked as :func:`~cx_audit.analysis.levers.rank_levers` ranks them
    (customers gained, then effort saved; rounding never decides); a fix
    that two points share is listed once, under the smallest point that has
    it (the queue, rather than the loop the queue lies in).
    """
    owner: dict[tuple[str, str, str | None], CombustionPoint] = {}
    for point in sorted(points, key=lambda p: (len(p.steps), p.rank)):
        for lever in point.levers:
            owner.setdefault((lever.lever, lever.step, lever.target), point)
    ranked = rank_levers(lever for point in points for lever in point.levers)
    seen: set[tuple[str, str, str | None]] = set()
    result = []
    for lever in ranked:
        key = (lever.lever, lever.step, lever.target)
        if key not in seen:
            seen.add(key)
            result.append((owner[key], lever))
    return result


def _order(index: Mapping[str, int], place: _Place,
           figures: tuple[float, float, Score, Effort] | None) -> tuple[object, ...]:
    """Sort key: the score, highest first; then the site's place in the file."""
    order = index[place.site]
    if figures is None:
        return (1, order)
    return (0, tuple(-x for x in figures[2].key()), order)


def _places(audit: JourneyAudit) -> list[_Place]:
    """Group the journey's step and transition findings by the place they concern."""
    journey = audit.journey
    view = audit.analysis.view
    loop_of: dict[str, int] = {}
    loops = loops_on_routes(view)
    for number, loop in enumerate(loops):
        for step in loop:
            loop_of[step] = number
    by_key: dict[tuple[object, ...], _Place] = {}
    located = [(f, _chain_steps(f)) for f in audit.findings if f.step is not None]
    chains = _merged([_Place("chain", run, str(f.step), None, [f])
                      for f, run in located if len(run) > 1])
    for finding, run in located:
        step = str(finding.step)
        if len(run) > 1:
            continue  # already in a chain
        if run:  # a run of one step: part of a longer chain, or a step
            holder = next((c for c in chains if step in c.steps), None)
            if holder is not None:
                holder.signals.append(finding)
                continue
        target = _transition_target(journey, finding)
        if finding.evidence.loop and step in loop_of:
            key: tuple[object, ...] = ("loop", loop_of[step])
        elif (target is not None and finding.rule in LOOP_TRANSITION_RULES
              and step in loop_of and loop_of.get(target) == loop_of[step]):
            key = ("loop", loop_of[step])
        elif target is not None:
            key = ("transition", step, target)
        else:
            key = ("step", step)
        place = by_key.get(key)
        if place is None:
            if key[0] == "loop":
                members = set(loops[loop_of[step]])
                place = _Place("loop", members, step, None, [])
            elif key[0] == "transition":
                place = _Place("transition", {step, str(target)}, step, target, [])
            else:
                place = _Place("step", {step}, step, None, [])
            by_key[key] = place
        place.signals.append(finding)
    for key, place in list(by_key.items()):
        if place.kind == "transition" and ("step", place.site) in by_key:
            by_key[("step", place.site)].signals.extend(place.signals)
            del by_key[key]
    for place in by_key.values():
        if place.kind == "loop":  # where the loop's own findings sit (the loop rules agree)
            place.site = next((f.step for f in place.signals if f.evidence.loop and f.step),
                              place.site)
    return [*by_key.values(), *chains]


def _chain_steps(finding: Finding) -> set[str]:
    """The run of steps a shield-stack or choke-point finding names (empty for other rules)."""
    if finding.rule not in CHAIN_RULES or not finding.evidence.metrics.get("steps"):
        return set()
    return {str(s) for s in finding.evidence.metrics["steps"]} | {str(finding.step)}


def _merged(chains: list[_Place]) -> list[_Place]:
    """Chains that share a step are one chain (sited where the first of them sits)."""
    merged: list[_Place] = []
    for chain in chains:
        overlapping = [m for m in merged if m.steps & chain.steps]
        if not overlapping:
            merged.append(chain)
            continue
        keep = overlapping[0]
        for other in overlapping[1:]:
            keep.steps |= other.steps
            keep.signals.extend(other.signals)
            merged.remove(other)
        keep.steps |= chain.steps
        keep.signals.extend(chain.signals)
    return merged


def _transition_target(journey: Journey, finding: Finding) -> str | None:
    """The target of the transition a finding sits on, or ``None`` for a step finding."""
    step = journey.steps.get(finding.step or "")
    if step is None or finding.location == step.location:
        return None
    for transition in step.next:
        if transition.location == finding.location:
            return transition.target
    return None


def _figures(sol: ChainSolution, journey: Journey,
             place: _Place) -> tuple[float, float, Score, Effort] | None:
    """``(reach, lost, score, effort)`` of a place; ``None`` where they are not computed."""
    view = sol.net
    index = view.index
    members = sorted(index[s] for s in place.steps)
    visits = sol.visits
    if any(math.isinf(visits[u]) for u in members) and place.kind != "loop":
        return None
    if place.kind == "transition":
        u, v = index[place.site], index[str(place.target)]
        reach = _transition_reach(sol, u, v)
        if reach is None:
            return None
        crossings = math.fsum(visits[u] * p for w, p in zip(view.succ[u], view.prob[u])
                              if w == v)
        cold = any(c for w, c in zip(view.succ[u], view.cold[u]) if w == v)
        handoff = any(h for w, h in zip(view.succ[u], view.handoff[u]) if w == v)
        totals = (0.0, 0.0, crossings if cold else 0.0, crossings if handoff else 0.0)
        lost = 0.0
    else:
        reach = (_loop_reach(sol, members) if place.kind == "loop"
                 else _step_reach(sol, members))
        if reach is None:
            return None
        lost = _lost(sol, members)
        inside = set(members)
        if place.kind == "loop" and any(math.isinf(visits[u]) for u in members):
            return (reach, lost, Score(lost=1000 * lost, retells=0.0, handoffs=0.0, wait=0.0,
                                       shields=0.0),
                    Effort(wait=math.inf, shields=math.inf, retells=math.inf, handoffs=math.inf))
        totals = (
            safe_fsum(visits[u] * sol.waits[u] for u in members),  # inf past the largest float
            safe_fsum(visits[u] * view.shield[u] for u in members),
            _edge_total(sol, members, inside, view.cold),
            _edge_total(sol, members, inside, view.handoff),
        )
    per = (lambda x: x / reach) if reach > 0.0 else (lambda x: 0.0)
    effort = Effort(wait=per(totals[0]), shields=per(totals[1]), retells=per(totals[2]),
                    handoffs=per(totals[3]))
    score = Score(lost=1000 * lost, retells=1000 * totals[2], handoffs=1000 * totals[3],
                  wait=1000 * totals[0], shields=1000 * totals[1])
    return reach, lost, score, effort


def _edge_total(sol: ChainSolution, members: Iterable[int], inside: set[int],
                flags: Sequence[Sequence[bool]]) -> float:
    """Expected crossings of the flagged transitions leaving the place's steps.

    For a step, every flagged way on from it; for a loop or a chain, the
    flagged transitions between two of its steps.
    """
    view = sol.net
    terms = []
    for u in members:
        for v, p, flag in zip(view.succ[u], view.prob[u], flags[u]):
            if flag and p > 0.0 and (len(inside) == 1 or v in inside):
                terms.append(sol.visits[u] * p)
    return safe_fsum(terms)


def _lost(sol: ChainSolution, members: Sequence[int]) -> float:
    """Customers who end unresolved at these steps: abandon, stranded, or trapped there."""
    view = sol.net
    chain = sol.chain
    terms = []
    for u in members:
        x = sol.visits[u]
        if view.abandon_step[u]:
            terms.append(x)
        elif view.stranded[u]:
            terms.append(x)  # abandon share and stranded rest alike end here
        elif view.abandon[u] > 0.0 and not math.isinf(x):
            terms.append(x * view.abandon[u])
    comps = {chain.comp_of[u] for u in members}
    for c in comps:
        if chain.closed[c] and set(chain.comps[c]) <= set(members):
            terms.append(sol.trapped.get(c, 0.0))
    return min(1.0, math.fsum(t for t in terms if not math.isinf(t)))


def _step_reach(sol: ChainSolution, members: Sequence[int]) -> float | None:
    """The chance of visiting any of the steps: exact, by making them absorbing."""
    if len(members) == 1:
        reach = sol.p_reach[members[0]]
        return None if math.isnan(reach) else reach
    out = list(sol.chain.out)
    loss = list(sol.chain.loss)
    for u in members:
        out[u] = []
        loss[u] = 1.0
    visits, _ = Chain(out, loss).forward(sol.start)
    return min(1.0, math.fsum(visits[u] for u in members))


def _loop_reach(sol: ChainSolution, members: Sequence[int]) -> float:
    """The chance of entering a loop: what flows into it from outside, starts included.

    A loop is a strongly connected set, and nothing that leaves it comes
    back, so every customer enters it at most once.
    """
    view = sol.net
    inside = set(members)
    terms = [sol.start[u] for u in members]
    sources = {u for v in members for u in view.pred[v] if u not in inside and sol.visits[u]}
    for u in sorted(sources):
        for v, p in zip(view.succ[u], view.prob[u]):
            if v in inside and p > 0.0:
                terms.append(sol.visits[u] * p)
    return min(1.0, math.fsum(terms))


def _transition_reach(sol: ChainSolution, u: int, v: int) -> float | None:
    """The chance of ever crossing u -> v.

    Each visit of u crosses with chance p(u -> v); otherwise the customer
    leaves u by another way and comes back to u with chance ``h`` (the
    chance to reach u from that way's target), so the chance is
    ``p_reach(u) * p / (1 - r)`` with ``r`` the chance of coming back
    without crossing.
    """
    view = sol.net
    reach = sol.p_reach[u]
    if math.isnan(reach):
        return None
    back = sol.back[u]
    p_cross = 0.0
    r = 0.0
    for w, p in zip(view.succ[u], view.prob[u]):
        if p <= 0.0:
            continue
        if w == v:
            p_cross += p
        elif w == u:
            r += p
        else:
            r += p * back.get(w, 0.0)
    if p_cross == 0.0:
        return 0.0
    return min(1.0, reach * p_cross / (1.0 - r)) if r < 1.0 else reach


TITLE_LABEL = 60
"""Longest step label quoted in a title, in characters (longer ones are cut at a word)."""


def _label(step: Step) -> str:
    """The step's label, cut at a word to fit a one-line title."""
    label = " ".join((step.label or step.id).split())
    if len(label) <= TITLE_LABEL:
        return label
    cut = label[:TITLE_LABEL].rsplit(" ", 1)[0].rstrip(",;:")
    return f"{cut}\u2026"


def _title(journey: Journey, place: _Place, steps: Sequence[str]) -> str:
    """One line naming the place in the journey's own labels."""
    site = journey.steps[place.site]
    if place.kind == "step":
        return _label(site)
    if place.kind == "transition":
        target = journey.steps[str(place.target)]
        return f"{_label(site)} \u2192 {_label(target)}"
    if place.kind == "loop":
        return f"Loop back to {_label(site)} ({len(steps)} steps)"
    return f"{_label(site)} ({len(steps)} steps in a row)"


def _owners(journey: Journey, steps: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(o for s in steps if (o := journey.steps[s].owner)))
