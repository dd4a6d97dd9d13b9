"""The journey metrics (README.md, "What the audit computes"), and the per-step figures."""

from __future__ import annotations

import decimal
import sys
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from cx_audit.analysis.chain import ChainSolution, weighted_sum
from cx_audit.analysis.erlang import ErlangC
from cx_audit.analysis.sensitivity import Sensitivity, measure_first, sensitivities
from cx_audit.analysis.structure import Bound, retells_max, route_count, shields_max, shields_min
from cx_audit.analysis.view import JourneyView, journey_view
from cx_audit.analysis.whatif import Impact, removal_impacts
from cx_audit.core.model import Journey

__all__ = ["COUNT_DIGITS", "JourneyAnalysis", "Metrics", "StepStats", "analyse", "exact_count"]


@dataclass(frozen=True, slots=True)
class Metrics:
    """The journey metrics, under the names the JSON report and README.md use.

    Structural: ``steps``, ``transitions``, ``paths`` (int of any size,
    ``"unbounded"`` or ``None``), ``shields_min`` (int or ``None``),
    ``shields_max`` and ``retells_max`` (int, ``"unbounded"`` or ``None``).
    Probabilistic: the four end probabilities, ``p_first_time`` and the
    expectations (``math.inf`` when infinite; JSON writes ``"unbounded"``).
    """

    steps: int
    transitions: int
    paths: Bound
    shields_min: int | None
    shields_max: Bound
    retells_max: Bound
    p_resolution: float
    p_abandon: float
    p_stranded: float
    p_trapped: float
    p_first_time: float
    shields_expected: float
    retells_expected: float
    handoffs_expected: float
    wait_expected: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values in the order of the metric table (ints stay exact).

        ``paths`` is an int up to :data:`COUNT_DIGITS` digits and the same
        exact count as a string of digits beyond (see :func:`exact_count`).
        """
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["paths"] = exact_count(self.paths)
        return values


COUNT_DIGITS = sys.int_info.default_max_str_digits
"""Most digits of a route count written as a number (4,300, Python's default limit).

Python refuses to turn a longer integer into text, or to read one back
(``json.loads`` included), unless a program lifts the limit for the whole
process; a count written as a string of digits is read everywhere."""


def exact_count(count: Bound) -> Bound | str:
    """``count`` unchanged up to :data:`COUNT_DIGITS` digits, else its exact digits as a string.

    A ladder of 14,500 two-way choices has more than 10^4,300 routes. The
    digits come from :class:`decimal.Decimal`, which converts exactly and
    without Python's limit, so no process-wide setting is touched.

    >>> exact_count(2**10), exact_count("unbounded"), exact_count(None)
    (1024, 'unbounded', None)
    >>> digits = exact_count(10**5000)
    >>> isinstance(digits, str), len(digits), digits[:3]
    (True, 5001, '100')
    """
    if not isinstance(count, int) or count.bit_length() < COUNT_DIGITS * 3:
        return count  # under 3 bits a digit, so at most COUNT_DIGITS digits
    digits = str(decimal.Decimal(count))
    return count if len(digits) <= COUNT_DIGITS else digits


METRIC_LABELS: Mapping[str, str] = {
    "p": "chance",
    "p_resolution": "resolution",
    "p_abandon": "give up",
    "p_stranded": "stranded",
    "p_trapped": "trapped",
    "p_first_time": "first-time resolution",
    "p_wait": "chance of waiting",
    "min_resolution": "target",
    "min_first_time": "target",
    "abandon": "give up here",
    "max_abandon": "limit",
    "wait": "wait",
    "max_wait": "limit",
    "shields_min": "best route's shield layers",
    "shields_expected": "expected shield layers",
    "max_shields": "limit",
    "stack": "shield layers in a row",
    "max_stack": "limit",
    "retells_max": "most retellings",
    "max_retells": "limit",
    "emotion": "feeling",
    "emotion_before": "feeling before",
    "owners": "teams",
    "entry_shares_sum": "entry shares add up to",
    "load": "load (Erlangs)",
    "arrivals_per_hour": "arrivals per hour",
    "handle_minutes": "handling time",
    "can_resolve": "can resolve",
}
"""Human names of the figures a finding's evidence holds (the metrics, step figures and
the limits rules compare them with), as reports show them; other names are shown
with their underscores as spaces."""


@dataclass(frozen=True, slots=True)
class StepStats:
    """What the chain says about one step.

    Attributes
    ----------
    visits : float
        Expected visits per customer; ``math.inf`` when the step is in a trap
        loop that customers reach.
    p_reach : float
        Probability that a customer ever reaches the step, for every step,
        however large its loop.
    wait : float
        Wait in minutes counted at each visit: the file's ``wait``, else the
        Erlang C average speed of answer, else 0 (also 0 for an overloaded
        queue without a written wait).
    overloaded : bool
        The step's staffing cannot keep up (``load >= agents``).
    erlang : ErlangC or None
        The queue model when the step has ``staffing``.
    impact : Impact or None
        The what-if of removing the step; ``None`` for entries and terminal
        steps, and where it was not computed: a step of a loop nobody
        leaves, past the budget of whole-chain solves
        (:func:`~cx_audit.analysis.whatif.removal_impacts`).
    """

    visits: float | None
    p_reach: float
    wait: float
    overloaded: bool
    erlang: ErlangC | None
    impact: Impact | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values."""
        return {
            "visits": self.visits,
            "p_reach": self.p_reach,
            "wait": self.wait,
            "overloaded": self.overloaded,
            "erlang": None if self.erlang is None else self.erlang.to_dict(),
            "impact": None if self.impact is None else self.impact.to_dict(),
        }


class JourneyAnalysis:
    """The metrics of a journey and the figures of each of its steps, computed when asked.

    Nothing is solved when the analysis is made: :attr:`metrics` solves the
    chain forward (one solve per loop), :attr:`steps` adds the per-step
    figures (``p_reach`` and a what-if per step, the costly part), and
    :attr:`sensitivity` the derivative of ``p_resolution`` with respect to
    every estimated figure (one backward solve). A rule or a format that
    needs none of them, such as a structural rule written to SARIF, never
    pays for the chain. Each is computed once and kept.
    """

    __slots__ = ("_metrics", "_sensitivity", "_solution", "_steps", "journey", "view")

    def __init__(self, journey: Journey, view: JourneyView | None = None) -> None:
        self.journey = journey
        self.view = view if view is not None else journey_view(journey)
        self._solution: ChainSolution | None = None
        self._metrics: Metrics | None = None
        self._steps: Mapping[str, StepStats] | None = None
        self._sensitivity: tuple[Sensitivity, ...] | None = None

    @property
    def solution(self) -> ChainSolution:
        """The journey's absorbing chain, solved forward on first use."""
        if self._solution is None:
            self._solution = ChainSolution(self.journey, self.view)
        return self._solution

    @property
    def metrics(self) -> Metrics:
        """The journey's metrics (structure and chain)."""
        if self._metrics is None:
            self._metrics = _journey_metrics(self.journey, self.view, self.solution)
        return self._metrics

    @property
    def steps(self) -> Mapping[str, StepStats]:
        """Step id -> its figures, in file order."""
        if self._steps is None:
            self._steps = _step_figures(self.view, self.solution)
        return self._steps

    @property
    def sensitivity(self) -> tuple[Sensitivity, ...]:
        """The derivative of ``p_resolution`` with respect to each estimated figure.

        Largest in size first; see :mod:`cx_audit.analysis.sensitivity`.
        """
        if self._sensitivity is None:
            self._sensitivity = sensitivities(self.journey, self.solution)
        return self._sensitivity

    def measure_first(self, count: int = 5) -> list[str]:
        """The ``count`` figures resolution rests on most, worded for people."""
        return measure_first(self.sensitivity, self.journey, count)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values."""
        return {
            "metrics": self.metrics.to_dict(),
            "steps": {k: v.to_dict() for k, v in self.steps.items()},
        }


def analyse(journey: Journey, view: JourneyView | None = None) -> JourneyAnalysis:
    """Compute every metric of ``journey`` and the figures of each step.

    Parameters
    ----------
    journey : Journey
        The journey.
    view : JourneyView, optional (default=None)
        ``journey_view(journey)``, when the caller already has it.

    Returns
    -------
    JourneyAnalysis
        Computed when its figures are first read.

    Examples
    --------
    A menu loses 20% of callers; the FAQ sends half of its readers back to
    the start:

    >>> from cx_audit.io.loader import load_journey_text
    >>> journey = load_journey_text('''
    ... journey: refund
    ... steps:
    ...   call: {kind: entry, next: [menu]}
    ...   menu: {shield: ivr, abandon: 0.2, next: [agent, faq]}
    ...   agent: {wait: 4m, next: [done]}
    ...   faq: {next: [{to: done, p: 0.5}, {to: call, p: 0.5}]}
    ...   done: {kind: resolution}
    ... ''')
    >>> result = analyse(journey)
    >>> m = result.metrics
    >>> m.paths, m.shields_min, round(m.p_resolution, 6), round(m.shields_expected, 6)
    ('unbounded', 1, 0.75, 1.25)
    >>> menu = result.steps["menu"]
    >>> round(menu.visits, 6), round(menu.impact.delta_p_resolution, 6)
    (1.25, 0.25)

    Notes
    -----
    Conventions where the definitions leave room:

    - transition probabilities within a step are divided by their sum, so a
      rounding deficit (the format allows 1e-6) is spread in proportion and
      the four end probabilities still sum to 1 within 1e-9; a step whose
      transitions all have probability 0 strands its customers;
    - entry shares summing below 1 (every entry gives a share) are scaled to
      sum to 1: the figures describe the customers who start somewhere. With
      no entry nobody starts, and every probability and expectation is 0;
    - a stranded step with an ``abandon`` share loses that share to
      abandonment and strands the rest;
    - resolution and abandon steps end the walk; their wait and shield count
      once when reached, as on any visit;
    - a step with ``staffing`` and no ``wait`` waits the Erlang C average
      speed of answer; an overloaded queue has no finite wait, and since an
      expectation is infinite only when customers are trapped, its wait
      counts as 0 in ``wait_expected`` and ``StepStats.overloaded`` is set
      for a rule to report;
    - ``p_first_time`` counts resolutions reached without crossing any
      handoff, warm or cold;
    - expectations are ``None`` only when customers reach, with positive
      probability, a trap loop that holds what is counted (a shield step, a
      positive wait, a handoff); a trap loop without shields leaves
      ``shields_expected`` finite.

    With ``n`` steps and ``e`` transitions: structural metrics O(n + e)
    (``paths`` adds integers of O(n) bits); the chain, ``p_reach`` and every
    step's impact O(n + e + sum over cyclic components C of w(C)), where
    w(C) is the work of C's sparse elimination (about the size of its
    factors times their widest row: near-linear when loops are local), or
    |C|^3 multiply-adds in numpy for a component so tangled that it is
    inverted in full. See :class:`~cx_audit.analysis.chain.ChainSolution`,
    :func:`~cx_audit.analysis.chain.factor_block` and
    :func:`~cx_audit.analysis.whatif.removal_impacts`.
    """
    return JourneyAnalysis(journey, view)


def _journey_metrics(journey: Journey, net: JourneyView, sol: ChainSolution) -> Metrics:
    """The metrics, from the structure of the view and the chain solved forward."""
    p_res, p_ab, p_str, p_trap = sol.end_probabilities()
    return Metrics(
        steps=len(journey.steps),
        transitions=sum(len(step.next) for step in journey.steps.values()),
        paths=route_count(net),
        shields_min=shields_min(net),
        shields_max=shields_max(net),
        retells_max=retells_max(net),
        p_resolution=p_res,
        p_abandon=p_ab,
        p_stranded=p_str,
        p_trapped=p_trap,
        p_first_time=sol.first_time(),
        shields_expected=(weighted_sum(sol.visits, net.shield)),
        retells_expected=(sol.edge_total(net.cold)),
        handoffs_expected=(sol.edge_total(net.handoff)),
        wait_expected=(weighted_sum(sol.visits, sol.waits)),
    )


def _step_figures(net: JourneyView, sol: ChainSolution) -> dict[str, StepStats]:
    """Every step's visits, chance of being reached, wait, queue and what-if."""
    impacts = removal_impacts(sol)
    p_reach = sol.p_reach
    steps = {}
    for u, step_id in enumerate(net.ids):
        queue = sol.queues[u]
        visits = sol.visits[u]
        steps[step_id] = StepStats(
            visits=visits,
            p_reach=p_reach[u],
            wait=sol.waits[u],
            overloaded=bool(queue is not None and queue.overloaded),
            erlang=queue,
            impact=impacts[u],
        )
    return steps
