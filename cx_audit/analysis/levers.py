"""Levers: fixes a team could make at a step, each solved exactly as a what-if.

A lever is one realistic change of the journey (metrics.md, "Levers"): the
step it changes is rewritten as a :class:`~cx_audit.analysis.whatif.StepChange`
and :func:`~cx_audit.analysis.whatif.effect_of` gives the exact change it
makes to ``p_resolution``, ``wait_expected``, ``shields_expected`` and
``retells_expected``. No path is ever listed: each lever costs what one
what-if costs.

The levers, and the choices made where the table of metrics.md leaves room:

``cut-abandon``
    A step whose ``abandon`` is above ``max_abandon`` (0.10, the option of
    the high-abandon rule) has it lowered to ``max_abandon``; the customers
    who no longer give up go on by the step's ways on, in proportion to
    their shares. Not offered at a step with no way on (the customers kept
    would only be stranded there instead).
``remove-shield``
    A shield step stops being a shield layer and loses its wait and its
    abandon; its ways on stay as they are (a self-loop included), with their
    shares, which already add up to one.
``warm-handoff``
    One cold handoff (a transition that carries probability) becomes warm:
    nobody retells the story there; nothing else changes. One lever per cold
    transition; its ``target`` is the transition's target.
``empower-frontline``
    A frontline step (``actor: frontline``) that cannot resolve
    (``can_resolve: false``, or no resolution reachable from it without a
    handoff, as the powerless-frontline rule reads it) resolves a share ``r``
    of the customers who go on from it (default 0.3); its other transitions
    are scaled by ``1 - r``. The step's abandon is kept: customers who give
    up before reaching the person are not helped by the person's authority.
    The resolution they reach is the one most customers reach today (the
    largest chance of ending there; the first in file order on a tie, or
    when nobody is resolved yet), unless the caller names one: it stands for
    "the matter solved", and its own wait and shield count as for anyone who
    reaches it. 0.3 is a judgement: an average contact centre resolves 70-72%
    of contacts at the first one (SQM Group, in domain.md); a person given
    the authority to settle the common cases is assumed to settle well under
    half of what they now pass on.
``break-loop``
    For a loop on a route (:func:`~cx_audit.analysis.structure.loops_on_routes`),
    the loop's ENTRY POINTS are its steps that customers can come to from
    outside it: entry steps, and steps with a transition from a step outside
    the loop. A BACK-TRANSITION is a transition inside the loop (both ends in
    it, a self-loop included) that carries probability and leads to an entry
    point: taking it starts the loop again. The busiest one, by expected
    flow ``visits(source) * probability``, is removed, and its probability is
    spread over the source's other transitions in proportion. Only sources
    with another way on are considered: removing a step's only way on would
    strand its customers, which is no fix. Ties go to the first source in
    file order, then the first transition. ``step`` is the source,
    ``target`` the entry point it led back to.
``staff-queue``
    A step with ``staffing`` whose Erlang C service level
    ``P(wait <= answer_seconds)`` is below ``level`` (options; by default
    80% within 20 s, the common 80/20 contact-centre target) gets the fewest agents that reach
    it (:func:`~cx_audit.analysis.erlang.fewest_agents`); its wait becomes the
    Erlang C average with that many agents, even where the file writes a
    ``wait`` (the lever is about the staffing, and the model gives the wait
    that staffing yields). ``agents`` and ``wait_after`` hold the figures. An
    overloaded queue's wait counts as 0 in the journey figures (it has no
    average), so staffing it *adds* wait to ``wait_expected``: the lever
    still counts as a gain, since the queue then reaches its service level
    (``gains`` lists ``"service_level"``), and its description says why the
    wait rises.
``remove-step``
    The removal of :func:`~cx_audit.analysis.whatif.removal`, offered only
    for a non-entry step where the customer meets no person who helps (actor
    not ``frontline``, ``backoffice`` or ``partner``; a partner is a person
    too; a step that names no actor counts as none) that is a shield or
    waits (a positive wait). At a shield step without a self-loop it is the
    same journey as ``remove-shield``: :func:`levers_for` lists both (they
    are different decisions for the team), :func:`rank_levers` keeps the
    first.

The handoffs expected are not among the figures a what-if gives, so they
take no part in the ranking (:func:`rank_levers`). A change within
:data:`EPSILON` counts as none.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cx_audit.analysis.chain import ChainSolution
from cx_audit.analysis.erlang import erlang_c, fewest_agents, service_level
from cx_audit.analysis.structure import loop_of_step, resolving_steps
from cx_audit.analysis.whatif import Effect, SolveBudget, StepChange, effect_of, removal, unchanged
from cx_audit.core.model import Actor, Journey
from cx_audit.text.formatting import human_duration, percent, plural

__all__ = [
    "DEFAULT_ANSWER_SECONDS",
    "DEFAULT_EMPOWER_SHARE",
    "DEFAULT_MAX_ABANDON",
    "DEFAULT_SERVICE_LEVEL",
    "EPSILON",
    "LEVER_NAMES",
    "Lever",
    "break_loop",
    "break_loop_change",
    "busiest_back_transition",
    "cut_abandon",
    "cut_abandon_change",
    "describe_effect",
    "empower_frontline",
    "empower_frontline_change",
    "levers_for",
    "rank_levers",
    "remove_shield",
    "remove_shield_change",
    "remove_step",
    "staff_queue",
    "warm_handoff",
    "warm_handoff_change",
]

EPSILON = 1e-9
"""A change of a figure smaller than this counts as no change."""

DEFAULT_MAX_ABANDON = 0.10
"""cut-abandon lowers a step's abandon to this (the high-abandon rule's ``max_abandon``)."""

DEFAULT_EMPOWER_SHARE = 0.3
"""empower-frontline: the share of the customers going on who are resolved instead (h)."""

DEFAULT_SERVICE_LEVEL = 0.8
"""staff-queue: the share of callers to answer within :data:`DEFAULT_ANSWER_SECONDS`."""

DEFAULT_ANSWER_SECONDS = 20.0
"""staff-queue: the answer time of the service level, in seconds (80/20)."""

LEVER_NAMES = ("cut-abandon", "remove-shield", "warm-handoff", "empower-frontline", "break-loop",
               "staff-queue", "remove-step")
"""The levers, in the order :func:`levers_for` offers them at a step."""

_PEOPLE = frozenset({Actor.FRONTLINE, Actor.BACKOFFICE, Actor.PARTNER})

# figure name, Effect attribute, whether a rise is a gain
_FIGURES = (
    ("p_resolution", "delta_p_resolution", True),
    ("retells_expected", "delta_retells_expected", False),
    ("wait_expected", "delta_wait_expected", False),
    ("shields_expected", "delta_shields_expected", False),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Lever:
    """One fix at one step, with its exact effect on the journey's figures.

    Attributes
    ----------
    lever : str
        One of :data:`LEVER_NAMES`.
    step : str
        The step the fix changes.
    target : str or None
        The transition's target for ``warm-handoff`` and ``break-loop``, the
        resolution reached for ``empower-frontline``; else ``None``.
    description : str
        What the fix is and what it changes, in plain words.
    effect : Effect
        The change (after minus before) to the journey's figures.
    agents : int or None
        ``staff-queue``: the agents needed.
    wait_after : float or None
        ``staff-queue``: the average wait in minutes with that many agents.
    gains, worsens : tuple of str
        The figures the fix improves and the ones it makes worse
        (``p_resolution``, ``retells_expected``, ``wait_expected``,
        ``shields_expected``; ``service_level`` for ``staff-queue``).
    """

    lever: str
    step: str
    target: str | None
    description: str
    effect: Effect
    agents: int | None = None
    wait_after: float | None = None
    gains: tuple[str, ...] = ()
    worsens: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values."""
        return {
            "lever": self.lever,
            "step": self.step,
            "target": self.target,
            "description": self.description,
            **self.effect.to_dict(),
            "agents": self.agents,
            "wait_after": self.wait_after,
            "gains": list(self.gains),
            "worsens": list(self.worsens),
        }


# --------------------------------------------------------------------------
# the changes


def cut_abandon_change(sol: ChainSolution, s: int,
                       max_abandon: float = DEFAULT_MAX_ABANDON) -> StepChange | None:
    """Step ``s`` with its abandon lowered to ``max_abandon``; ``None`` when not applicable."""
    net = sol.net
    current = net.abandon[s]
    if net.terminal[s] or net.stranded[s] or current <= max_abandon:
        return None
    keep = 1.0 - max_abandon
    moves = tuple((v, keep * x, cold) for v, x, cold in zip(net.succ[s], net.share[s], net.cold[s])
                  if x > 0.0)
    return dataclasses.replace(unchanged(sol, s), moves=moves, loss=max_abandon)


def remove_shield_change(sol: ChainSolution, s: int) -> StepChange | None:
    """Shield step ``s`` as a plain step: no shield, wait or abandon, the same ways on."""
    net = sol.net
    if net.terminal[s] or not net.shield[s]:
        return None
    moves = tuple((v, x, cold) for v, x, cold in zip(net.succ[s], net.share[s], net.cold[s])
                  if x > 0.0)
    return StepChange(step=s, moves=moves, loss=0.0 if moves else 1.0, wait=0.0, shield=0.0)


def warm_handoff_change(sol: ChainSolution, s: int, target: int) -> StepChange | None:
    """Step ``s`` with its cold handoffs to ``target`` made warm; ``None`` if it has none."""
    base = unchanged(sol, s)
    if not any(v == target and cold for v, _, cold in base.moves):
        return None
    moves = tuple((v, p, cold and v != target) for v, p, cold in base.moves)
    return dataclasses.replace(base, moves=moves)


def empower_frontline_change(sol: ChainSolution, s: int, resolution: int,
                             share: float = DEFAULT_EMPOWER_SHARE) -> StepChange:
    """Step ``s`` resolving ``share`` of the customers who go on from it, at ``resolution``."""
    net = sol.net
    base = unchanged(sol, s)
    going_on = 1.0 - net.abandon[s]
    moves = [(v, (1.0 - share) * p, cold) for v, p, cold in base.moves]
    moves.append((resolution, share * going_on, False))
    loss = net.abandon[s] + (1.0 - share) * going_on if net.stranded[s] else base.loss
    return dataclasses.replace(base, moves=tuple(moves), loss=loss)


def break_loop_change(sol: ChainSolution, source: int, target: int) -> StepChange | None:
    """Step ``source`` without its transitions to ``target``, their probability spread on.

    The other transitions keep their proportions; ``None`` when there are none.
    """
    net = sol.net
    others = [(v, x, cold) for v, x, cold in zip(net.succ[source], net.share[source],
                                                 net.cold[source]) if v != target and x > 0.0]
    total = math.fsum(x for _, x, _ in others)
    if total <= 0.0:
        return None
    keep = 1.0 - net.abandon[source]
    moves = tuple((v, keep * x / total, cold) for v, x, cold in others)
    return dataclasses.replace(unchanged(sol, source), moves=moves)


def busiest_back_transition(sol: ChainSolution, loop: Sequence[int]) -> tuple[int, int] | None:
    """The busiest back-transition of ``loop`` whose source has another way on (module doc).

    Returns ``(source, target)``, or ``None`` when no back-transition qualifies.
    """
    net = sol.net
    inside = set(loop)
    entry_points = {v for v in loop
                    if net.kind[v] == "entry" or any(u not in inside for u in net.pred[v])}
    best: tuple[int, int] | None = None
    best_flow = -1.0
    for u in loop:  # file order: ties keep the first
        visits = sol.visits[u]
        for v, p in zip(net.succ[u], net.prob[u]):
            if v not in entry_points or p <= 0.0:
                continue
            if not any(w != v and x > 0.0 for w, x in zip(net.succ[u], net.share[u])):
                continue
            flow = visits * p
            if flow > best_flow:
                best, best_flow = (u, v), flow
    return best


# --------------------------------------------------------------------------
# the levers


def cut_abandon(sol: ChainSolution, step: str, max_abandon: float = DEFAULT_MAX_ABANDON,
                budget: SolveBudget | None = None) -> Lever | None:
    """The cut-abandon lever at ``step``; ``None`` when not applicable or not computed."""
    if not 0.0 <= max_abandon <= 1.0:
        raise ValueError(f"max_abandon must be a share between 0 and 1, not {max_abandon!r}")
    s = sol.net.index[step]
    change = cut_abandon_change(sol, s, max_abandon)
    if change is None:
        return None
    action = (f"Bring the share of customers who give up at '{step}' down from "
              f"{percent(sol.net.abandon[s])} to {percent(max_abandon)}; the others go on "
              "as they do today")
    return _lever(sol, "cut-abandon", change, None, action, budget)


def remove_shield(sol: ChainSolution, step: str,
                  budget: SolveBudget | None = None) -> Lever | None:
    """The remove-shield lever at ``step``; ``None`` when not a shield or not computed."""
    change = remove_shield_change(sol, sol.net.index[step])
    if change is None:
        return None
    action = (f"Stop '{step}' being a shield layer: nobody waits or gives up there, and "
              "customers go on from it as they do today")
    return _lever(sol, "remove-shield", change, None, action, budget)


def warm_handoff(sol: ChainSolution, step: str, target: str,
                 budget: SolveBudget | None = None) -> Lever | None:
    """The warm-handoff lever on the cold handoff ``step`` -> ``target``."""
    net = sol.net
    change = warm_handoff_change(sol, net.index[step], net.index[target])
    if change is None:
        return None
    action = (f"Make the cold handoff from '{step}' to '{target}' warm, so that customers "
              "need not tell their story again")
    return _lever(sol, "warm-handoff", change, target, action, budget)


def empower_frontline(sol: ChainSolution, journey: Journey, step: str,
                      share: float = DEFAULT_EMPOWER_SHARE, resolution: str | None = None,
                      budget: SolveBudget | None = None) -> Lever | None:
    """The empower-frontline lever at ``step``; ``None`` when not applicable or not computed.

    ``resolution`` names the resolution reached (default: the one most
    customers reach today; see the module docstring).
    """
    if not 0.0 < share <= 1.0:
        raise ValueError(f"share must be above 0 and at most 1, not {share!r}")
    net = sol.net
    s = net.index[step]
    if net.terminal[s] or not _powerless(sol, journey, step):
        return None
    if resolution is None:
        res = _most_reached_resolution(sol)
        if res is None:
            return None
    else:
        res = net.index[resolution]
        if not net.resolution[res]:
            raise ValueError(f"'{resolution}' is not a resolution step")
    change = empower_frontline_change(sol, s, res, share)
    action = (f"Give the person at '{step}' the authority to resolve {percent(share)} of the "
              f"cases they now pass on (ending at '{net.ids[res]}')")
    return _lever(sol, "empower-frontline", change, net.ids[res], action, budget)


def break_loop(sol: ChainSolution, loop: Iterable[str],
               budget: SolveBudget | None = None) -> Lever | None:
    """The break-loop lever of ``loop`` (its step ids); ``None`` when no back-transition fits."""
    net = sol.net
    indices = sorted(net.index[v] for v in loop)
    found = busiest_back_transition(sol, indices)
    if found is None:
        return None
    u, v = found
    change = break_loop_change(sol, u, v)
    if change is None:  # pragma: no cover - busiest_back_transition checked the other ways on
        return None
    if u == v:
        action = (f"Stop customers at '{net.ids[u]}' going round it again, the busiest way "
                  "back into its loop; they go on by its other ways instead")
    else:
        action = (f"Stop sending customers from '{net.ids[u]}' back to '{net.ids[v]}', the "
                  "busiest way back into their loop; they go on by the step's other ways "
                  "instead")
    return _lever(sol, "break-loop", change, net.ids[v], action, budget)


def staff_queue(sol: ChainSolution, journey: Journey, step: str,
                level: float = DEFAULT_SERVICE_LEVEL,
                answer_seconds: float = DEFAULT_ANSWER_SECONDS,
                budget: SolveBudget | None = None) -> Lever | None:
    """The staff-queue lever at ``step``: ``None`` without staffing, or when it meets the level."""
    staffing = journey.steps[step].staffing
    if staffing is None:
        return None
    arrivals, handle = staffing.arrivals_per_hour, staffing.handle_minutes
    if service_level(arrivals, handle, staffing.agents, answer_seconds) >= level:
        return None
    agents = fewest_agents(arrivals, handle, level, answer_seconds)
    queue = erlang_c(arrivals, handle, agents)
    wait_after = queue.asa_minutes if queue.asa_minutes is not None else 0.0
    s = sol.net.index[step]
    change = dataclasses.replace(unchanged(sol, s), wait=wait_after)
    action = (f"Staff '{step}' with {plural(agents, 'agent')} instead of {staffing.agents}, so "
              f"that at least {percent(level)} of customers are answered within "
              f"{human_duration(answer_seconds / 60.0)}; the average wait there becomes "
              f"{human_duration(wait_after)}")
    today = sol.queues[s]
    reason = None
    if today is not None and today.overloaded and journey.steps[step].wait is None:
        reason = ("because the queue is overloaded today, and a wait that has no average is "
                  "not counted")
    return _lever(sol, "staff-queue", change, None, action, budget, agents=agents,
                  wait_after=wait_after, extra_gains=("service_level",), wait_reason=reason)


def remove_step(sol: ChainSolution, journey: Journey, step: str,
                budget: SolveBudget | None = None) -> Lever | None:
    """The remove-step lever: only for a shield or a pure wait with no person who helps."""
    net = sol.net
    s = net.index[step]
    if net.terminal[s] or net.kind[s] == "entry" or journey.steps[step].actor in _PEOPLE:
        return None
    if not (net.shield[s] or sol.waits[s] > 0.0):
        return None
    action = f"Take '{step}' out of the journey: customers go straight on to where it leads"
    return _lever(sol, "remove-step", removal(sol, s), None, action, budget)


def levers_for(sol: ChainSolution, journey: Journey, step_ids: Iterable[str], *,
               max_abandon: float = DEFAULT_MAX_ABANDON,
               share: float = DEFAULT_EMPOWER_SHARE, resolution: str | None = None,
               level: float = DEFAULT_SERVICE_LEVEL,
               answer_seconds: float = DEFAULT_ANSWER_SECONDS,
               budget: SolveBudget | None = None, break_loops: bool = True,
               known: dict[int, list[Lever]] | None = None) -> list[Lever]:
    """Every lever that applies at the steps ``step_ids`` (a combustion point's steps).

    Steps are taken in file order; at each, the levers in the order of
    :data:`LEVER_NAMES` (one ``warm-handoff`` per cold transition), then one
    ``break-loop`` per loop on a route that holds one of the steps (unless
    ``break_loops`` is false). A lever
    whose effect is not computed (one that needs the whole chain solved
    again, at a step of a loop nobody leaves, past ``budget``; default: one
    :class:`~cx_audit.analysis.whatif.SolveBudget` for the call) is left out.
    Unranked: see :func:`rank_levers`.

    ``known`` keeps each step's levers between calls with the same settings
    (the points of one journey share steps: a queue, its chain, their loop),
    so that no lever is solved twice.

    Raises
    ------
    ValueError
        When a step id is not in the journey.
    """
    net = sol.net
    wanted = set(step_ids)
    unknown = sorted(v for v in wanted if v not in net.index)
    if unknown:
        raise ValueError(f"no step {', '.join(repr(u) for u in unknown)} in the journey")
    if budget is None:
        budget = SolveBudget(sol)
    indices = sorted(net.index[v] for v in wanted)
    if known is None:
        known = {}
    found: list[Lever | None] = []
    for s in indices:
        if s not in known:
            step = net.ids[s]
            at_step: list[Lever | None] = []
            if not net.terminal[s]:
                at_step.append(cut_abandon(sol, step, max_abandon, budget))
                at_step.append(remove_shield(sol, step, budget))
                handed: set[int] = set()
                for v, p, cold in zip(net.succ[s], net.prob[s], net.cold[s]):
                    if cold and p > 0.0 and v not in handed:
                        handed.add(v)
                        at_step.append(warm_handoff(sol, step, net.ids[v], budget))
                at_step.append(empower_frontline(sol, journey, step, share, resolution, budget))
                at_step.append(staff_queue(sol, journey, step, level, answer_seconds, budget))
                at_step.append(remove_step(sol, journey, step, budget))
            known[s] = [lever for lever in at_step if lever is not None]
        found.extend(known[s])
    loop_of = loop_of_step(net) if break_loops else {}
    held = {loop_of[net.ids[s]] for s in indices if net.ids[s] in loop_of}
    for loop in sorted(held, key=lambda members: net.index[members[0]]):
        found.append(break_loop(sol, loop, budget))
    return [lever for lever in found if lever is not None]


def rank_levers(levers: Iterable[Lever]) -> list[Lever]:
    """The levers that gain something, best first.

    Ranked by customers gained (``delta_p_resolution``), then by the effort
    saved: retellings, then wait, then shield layers, each compared only
    when the figures before it tie (changes within :data:`EPSILON` count as
    none, and a figure that is infinite before or after as no change). A
    lever that gains nothing is left out; one that worsens a figure but
    gains another is kept, with ``worsens`` naming what it worsens. Ties keep
    the order given.

    A lever at the same step and target with the same figures (within
    :data:`EPSILON`) as one ranked before it is left out too: ``remove-step`` at a shield
    step without a self-loop is the same journey as ``remove-shield``, and a
    client list that repeats a line reads as two fixes.
    """
    kept = [lever for lever in levers if lever.gains]

    def key(lever: Lever) -> tuple[float, ...]:
        e = lever.effect
        return (-_small(e.delta_p_resolution), _small(e.delta_retells_expected),
                _small(e.delta_wait_expected), _small(e.delta_shields_expected))

    ranked: list[Lever] = []
    at_step: dict[tuple[str, str | None], list[Lever]] = {}
    for lever in sorted(kept, key=key):
        before = at_step.setdefault((lever.step, lever.target), [])
        if not any(_same_figures(other.effect, lever.effect) for other in before):
            before.append(lever)
            ranked.append(lever)
    return ranked


# --------------------------------------------------------------------------
# helpers


def describe_effect(effect: Effect, *, reason: str | None = None,
                    wait_reason: str | None = None) -> list[str]:
    """Plain sentences for each figure ``effect`` changes (resolution, retellings, wait, shields).

    ``reason`` is said after a figure of effort that rises ("because ...");
    ``wait_reason``, when given, instead of it for the wait.

    >>> e = Effect(delta_p_resolution=0.104, delta_wait_expected=-12.0,
    ...            delta_shields_expected=0.0, delta_retells_expected=None)
    >>> describe_effect(e)
    ['resolves 104 more customers in 1,000', 'saves 12 min of waiting per customer on average']
    """
    said: list[str] = []
    dp = _small(effect.delta_p_resolution)
    if dp:
        count = round(abs(dp) * 1000)
        more = "more" if dp > 0 else "fewer"
        if count == 0:
            said.append(f"resolves under 1 {more} customer in 1,000")
        else:
            said.append(f"resolves {count:,} {more} {'customer' if count == 1 else 'customers'}"
                        " in 1,000")

    def rise(text: str, why: str | None) -> str:
        return f"{text}, {why}" if why else text

    dr = _small(effect.delta_retells_expected)
    if dr < 0:
        said.append(f"spares each customer {_times(-dr, 'retelling')} of their story on average")
    elif dr > 0:
        said.append(rise(f"adds {_times(dr, 'retelling')} of their story per customer on "
                         "average", reason))
    dw = _small(effect.delta_wait_expected)
    if dw < 0:
        said.append(f"saves {human_duration(-dw)} of waiting per customer on average")
    elif dw > 0:
        said.append(rise(f"adds {human_duration(dw)} of waiting per customer on average",
                         wait_reason or reason))
    ds = _small(effect.delta_shields_expected)
    if ds < 0:
        said.append(f"spares each customer {_times(-ds, 'shield layer')} on average")
    elif ds > 0:
        said.append(rise(f"adds {_times(ds, 'shield layer')} per customer on average", reason))
    return said


def _lever(sol: ChainSolution, name: str, change: StepChange, target: str | None, action: str,
           budget: SolveBudget | None, *, agents: int | None = None,
           wait_after: float | None = None, extra_gains: tuple[str, ...] = (),
           wait_reason: str | None = None) -> Lever | None:
    """Solve ``change`` and dress it as a :class:`Lever`; ``None`` when not computed."""
    effect = effect_of(sol, change, budget)
    if effect is None:
        return None
    gains: list[str] = []
    worsens: list[str] = []
    for figure, attribute, up_is_good in _FIGURES:
        delta = _small(getattr(effect, attribute))
        if delta:
            (gains if (delta > 0) == up_is_good else worsens).append(figure)
    s = change.step
    if change.loss < sol.chain.loss[s] - EPSILON:
        reason = "because more customers stay on to later steps"
    elif change.wait > sol.waits[s] + EPSILON:
        reason = f"because the wait at '{sol.net.ids[s]}' is longer"
    else:
        reason = "because customers now go on to other steps"
    if wait_reason is None and change.wait > sol.waits[s] + EPSILON:
        wait_reason = f"because the wait at '{sol.net.ids[s]}' is longer"
    said = describe_effect(effect, reason=reason, wait_reason=wait_reason)
    told = " ".join(f"It {sentence}." for sentence in said) or "It changes none of the figures."
    return Lever(lever=name, step=sol.net.ids[s], target=target,
                 description=f"{action}. {told}", effect=effect, agents=agents,
                 wait_after=wait_after, gains=(*extra_gains, *gains), worsens=tuple(worsens))


def _small(delta: float | None) -> float:
    """``delta`` with a change within :data:`EPSILON` (or an infinite one, ``None``) as 0."""
    if delta is None or abs(delta) <= EPSILON:
        return 0.0
    return delta


def _same_figures(a: Effect, b: Effect) -> bool:
    """True when every figure of ``a`` and ``b`` agrees within :data:`EPSILON`."""
    for _, attribute, _ in _FIGURES:
        x, y = getattr(a, attribute), getattr(b, attribute)
        if (x is None) != (y is None) or (x is not None and abs(x - y) > EPSILON):
            return False
    return True


def _times(amount: float, word: str) -> str:
    """``0.85 shield layers``, ``1 retelling``, ``12 retellings``: two significant figures."""
    shown = f"{amount:,.0f}" if amount >= 10 else f"{amount:.2g}"
    return f"{shown} {word if shown == '1' else word + 's'}"


def _powerless(sol: ChainSolution, journey: Journey, step: str) -> bool:
    """A frontline step that cannot resolve, as the powerless-frontline rule reads it."""
    model = journey.steps[step]
    if model.actor is not Actor.FRONTLINE:
        return False
    if model.can_resolve is False:
        return True
    net = sol.net
    direct = net.memo.get("levers:resolving_without_handoff")
    if direct is None:
        direct = net.memo["levers:resolving_without_handoff"] = resolving_steps(
            net, avoid_handoffs=True)
    return step not in direct


def _most_reached_resolution(sol: ChainSolution) -> int | None:
    """The resolution most customers end at (the first in file order on a tie)."""
    best = None
    best_visits = -1.0
    for r in sol.net.resolutions:
        if sol.visits[r] > best_visits:
            best, best_visits = r, sol.visits[r]
    return best
