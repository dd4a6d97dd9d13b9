"""Queue waits by the Erlang C formula."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from cx_audit.core.model import Step

__all__ = ["EXACT_LOAD_LIMIT", "ErlangC", "erlang_c", "fewest_agents", "service_level", "step_wait"]


@dataclass(frozen=True, slots=True)
class ErlangC:
    """The steady state of an M/M/N queue (Erlang C).

    Attributes
    ----------
    load : float
        Offered load A in Erlangs: arrivals per minute times handle minutes.
    agents : int
        Number of agents N.
    p_wait : float
        Probability that a caller waits at all (1.0 when overloaded).
    asa_minutes : float or None
        Average speed of answer in minutes; ``None`` when overloaded, since
        the queue then grows without bound and has no average.
    overloaded : bool
        ``load >= agents``: the agents cannot keep up.
    """

    load: float
    agents: int
    p_wait: float
    asa_minutes: float | None
    overloaded: bool

    @property
    def asa_seconds(self) -> float | None:
        """Average speed of answer in seconds (``None`` when overloaded)."""
        return None if self.asa_minutes is None else self.asa_minutes * 60.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values."""
        return {
            "load": self.load,
            "agents": self.agents,
            "p_wait": self.p_wait,
            "asa_minutes": self.asa_minutes,
            "overloaded": self.overloaded,
        }


EXACT_LOAD_LIMIT = 1e7
"""Largest offered load (Erlangs) solved by the exact recursion.

Above it a queue would need more than ten million agents busy at once; its
Erlang C is taken from the normal approximation of the Poisson law
(:func:`erlang_c`, Notes), which is then within 1e-5 of the exact value, instead of
running a recursion whose length grows with the square root of the load."""

_WINDOW = 15.0
"""Where the exact recursion starts, in standard deviations of the load below it."""


def _recursion_start(load: float) -> tuple[int, float]:
    """``(k, B)``: where the Erlang B recursion starts, and the blocking it starts from.

    Below ``load`` the recursion forgets where it started: an error in
    ``B(k-1)`` is multiplied by about ``k / load`` at each step, so starting
    ``_WINDOW`` standard deviations (``sqrt(load)``) below the load from the
    asymptote ``1 - k / load`` leaves an error under ``exp(-_WINDOW**2 / 2)``
    (1e-49) by the time the load is reached. Small loads start at ``B(0) = 1``,
    exactly as the textbook recursion does.
    """
    k = int(load - _WINDOW * math.sqrt(load))
    if k <= 0:
        return 0, 1.0
    return k, 1.0 - k / load


def _blocking(load: float, agents: int) -> float:
    """Erlang B for ``load > 0`` Erlangs and ``agents`` agents, by the stable recursion.

    Stops as soon as the blocking underflows to 0, after which it stays 0:
    beyond about ``load + 40 sqrt(load)`` agents nothing more changes, so a
    billion agents cost as little as a hundred.
    """
    k, blocking = _recursion_start(load)
    while k < agents and blocking > 0.0:
        k += 1
        blocking = load * blocking / (k + load * blocking)
    return blocking


def _p_wait_exact(load: float, agents: int, blocking: float) -> float:
    """Erlang C from Erlang B: ``C = N B / (N - A (1 - B))`` (0 when B underflowed)."""
    if blocking == 0.0:
        return 0.0
    return agents * blocking / (agents - load * (1.0 - blocking))


def _p_wait_normal(load: float, agents: int) -> float:
    """Erlang C of a very large queue, with the Poisson law's normal approximation.

    ``C = p(N) / (p(N) + (1 - A/N) P(N-1))`` with ``p`` the Poisson(A)
    probabilities, computed exactly through ``lgamma``, and ``P`` its
    distribution function, approximated by the normal law with a continuity
    correction.
    """
    if agents > load + 60.0 * math.sqrt(load):
        return 0.0  # p(N) / P(N-1) is below 1e-700: no representable chance of waiting
    n = float(agents)
    point = math.exp(n * math.log(load) - load - math.lgamma(n + 1.0))
    below = 0.5 * math.erfc(-(n - 0.5 - load) / math.sqrt(2.0 * load))
    denominator = point + (1.0 - load / n) * below
    return min(1.0, point / denominator) if denominator > 0.0 else 1.0


def _p_wait(load: float, agents: int) -> float:
    """Erlang C probability of waiting for a stable queue (``0 < load < agents``)."""
    if load > EXACT_LOAD_LIMIT:
        return _p_wait_normal(load, agents)
    return _p_wait_exact(load, agents, _blocking(load, agents))


def _check_figures(arrivals_per_hour: float, handle_minutes: float, agents: int) -> None:
    for name, value in (("arrivals_per_hour", arrivals_per_hour),
                        ("handle_minutes", handle_minutes)):
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a finite number >= 0, not {value!r}")
    if (isinstance(agents, float) and not math.isfinite(agents)) or agents < 0:
        raise ValueError(f"agents must be a finite number >= 0, not {agents!r}")


def erlang_c(arrivals_per_hour: float, handle_minutes: float, agents: int) -> ErlangC:
    """Return the Erlang C probability of waiting and average speed of answer.

    Parameters
    ----------
    arrivals_per_hour : float
        Customers arriving per hour.
    handle_minutes : float
        Agent time per customer, in minutes.
    agents : int
        Agents serving the queue (any size: a billion is answered at once).

    Returns
    -------
    ErlangC
        With ``load = arrivals_per_hour / 60 * handle_minutes``,
        ``p_wait`` the Erlang C probability and
        ``asa_minutes = p_wait * handle_minutes / (agents - load)``.

    Raises
    ------
    ValueError
        When a figure is negative or not finite.

    Examples
    --------
    100 calls per 30 minutes, a 3-minute handle time and 14 agents:

    >>> q = erlang_c(200, 3, 14)
    >>> round(q.p_wait, 4), round(q.asa_seconds, 2)
    (0.1741, 7.84)
    >>> erlang_c(300, 3, 14).overloaded
    True
    >>> erlang_c(200, 3, 10**9).p_wait
    0.0

    Notes
    -----
    The Erlang B blocking probability is built by the stable recursion
    ``B(0) = 1``, ``B(k) = A B(k-1) / (k + A B(k-1))`` and turned into
    Erlang C as ``C = N B / (N - A (1 - B))``. No factorial or power is ever
    formed, so thousands of agents cause neither overflow nor cancellation.

    The recursion is bounded however large the figures: it stops once ``B``
    underflows to 0 (it then stays 0, so the answer is the one the full
    recursion gives), and a load of thousands of Erlangs starts it 15
    standard deviations below the load, where its starting error dies out
    before it matters (see ``_recursion_start``). O(min(N, A + 40 sqrt(A)) -
    max(0, A - 15 sqrt(A))) time, at most about 0.2 million steps; O(1)
    space. A load above :data:`EXACT_LOAD_LIMIT` takes the Poisson
    distribution function from its normal approximation instead: O(1).

    A load that reaches the agents (``A >= N``) has no steady state: the
    result is marked ``overloaded`` with ``p_wait = 1`` and no ASA. No
    arrivals means no wait.

    References
    ----------
    .. [1] G. Koole and A. Mandelbaum, "Queueing Models of Call Centers: An
       Introduction", Annals of Operations Research 113, 2002.
    """
    _check_figures(arrivals_per_hour, handle_minutes, agents)
    agents = int(agents)
    load = arrivals_per_hour / 60.0 * handle_minutes
    if load == 0.0:
        return ErlangC(load=0.0, agents=agents, p_wait=0.0, asa_minutes=0.0, overloaded=False)
    if load >= agents:
        return ErlangC(load=load, agents=agents, p_wait=1.0, asa_minutes=None, overloaded=True)
    p_wait = _p_wait(load, agents)
    asa = 0.0 if p_wait == 0.0 else p_wait * handle_minutes / (agents - load)
    return ErlangC(load=load, agents=agents, p_wait=p_wait, asa_minutes=asa, overloaded=False)


def _within(load: float, agents: int, p_wait: float, handle_minutes: float,
            answer_seconds: float) -> float:
    """P(wait <= T) of a stable M/M/N queue: ``1 - C exp(-(N - A) T / handle)``."""
    if p_wait == 0.0:
        return 1.0
    return 1.0 - p_wait * math.exp(-(agents - load) * (answer_seconds / 60.0) / handle_minutes)


def _check_level(target: float, answer_seconds: float) -> None:
    if not (math.isfinite(target) and 0.0 <= target < 1.0):
        raise ValueError(f"target must be a share >= 0 and below 1, not {target!r}")
    if not math.isfinite(answer_seconds) or answer_seconds < 0:
        raise ValueError(f"answer_seconds must be a finite number >= 0, not {answer_seconds!r}")


def service_level(arrivals_per_hour: float, handle_minutes: float, agents: int,
                  answer_seconds: float = 20.0) -> float:
    """The share of callers answered within ``answer_seconds``, by Erlang C.

    ``P(wait <= T) = 1 - C exp(-(N - A) T / h)`` with ``C`` the Erlang C
    probability of waiting, ``A`` the load, ``N`` the agents and ``h`` the
    handle time; 0 for an overloaded queue (it never settles), 1 with no
    arrivals.

    >>> round(service_level(200, 3, 14), 4), round(service_level(200, 3, 13), 4)
    (0.8884, 0.7956)

    Raises
    ------
    ValueError
        As :func:`erlang_c`, or for a negative or infinite ``answer_seconds``.
    """
    _check_level(0.0, answer_seconds)
    queue = erlang_c(arrivals_per_hour, handle_minutes, agents)
    if queue.overloaded:
        return 0.0
    return _within(queue.load, queue.agents, queue.p_wait, handle_minutes, answer_seconds)


def fewest_agents(arrivals_per_hour: float, handle_minutes: float, target: float = 0.8,
                  answer_seconds: float = 20.0) -> int:
    """The fewest agents whose service level ``P(wait <= answer_seconds)`` reaches ``target``.

    The default is the common 80/20 service level: 80% of callers answered
    within 20 seconds. No arrivals (or no handle time) need no agent: 0.

    >>> fewest_agents(200, 3)  # 10 Erlangs: 13 agents answer 79.6% in 20 s, 14 answer 88.8%
    14

    Raises
    ------
    ValueError
        As :func:`erlang_c`; a ``target`` outside [0, 1) (no finite staff
        answers everyone within a time), a negative ``answer_seconds``.

    Notes
    -----
    The service level rises with every agent added, and the answer lies a
    few standard deviations (``sqrt(A)``) above the load ``A``. The search
    therefore starts where :func:`erlang_c` starts its recursion and
    carries that recursion from one agent count to the next, so the level
    it finds for N is exactly the one :func:`service_level` gives for N:
    O(sqrt(A)) steps for a large load, never one per agent from zero. Above
    :data:`EXACT_LOAD_LIMIT`, where each level costs O(1), it bisects.
    """
    _check_level(target, answer_seconds)
    load = erlang_c(arrivals_per_hour, handle_minutes, 0).load  # validates the figures
    if load == 0.0:
        return 0
    if load > EXACT_LOAD_LIMIT:
        return _fewest_by_bisection(load, handle_minutes, target, answer_seconds)
    agents, blocking = _recursion_start(load)
    while True:
        agents += 1
        blocking = load * blocking / (agents + load * blocking)
        if agents <= load:
            continue
        p_wait = _p_wait_exact(load, agents, blocking)
        if _within(load, agents, p_wait, handle_minutes, answer_seconds) >= target:
            return agents


def _fewest_by_bisection(load: float, handle_minutes: float, target: float,
                         answer_seconds: float) -> int:
    """:func:`fewest_agents` for a load above :data:`EXACT_LOAD_LIMIT`: O(log) levels."""
    def enough(agents: int) -> bool:
        level = _within(load, agents, _p_wait(load, agents), handle_minutes, answer_seconds)
        return level >= target

    low = math.floor(load)  # overloaded: never enough
    step = max(1, math.ceil(math.sqrt(load)))
    high = low + step
    while not enough(high):
        low, step = high, 2 * step
        high = low + step
    while high - low > 1:
        middle = (low + high) // 2
        if enough(middle):
            high = middle
        else:
            low = middle
    return high


def step_wait(step: Step) -> tuple[float, ErlangC | None]:
    """Return the wait in minutes counted at ``step`` and its queue model.

    The ``wait`` written in the file wins. Otherwise a step with ``staffing``
    waits the Erlang C average speed of answer. An overloaded queue has no
    finite average wait; because the metrics call an expectation infinite only
    when customers are trapped, its wait counts as 0 in the expectations and
    the queue is reported through ``ErlangC.overloaded`` instead. A step with
    neither waits 0.

    Notes
    -----
    As :func:`erlang_c` for a staffed step (bounded whatever its agents), O(1)
    otherwise.
    """
    queue = None
    if step.staffing is not None:
        s = step.staffing
        queue = erlang_c(s.arrivals_per_hour, s.handle_minutes, s.agents)
    if step.wait is not None:
        return float(step.wait), queue
    if queue is not None and queue.asa_minutes is not None:
        return queue.asa_minutes, queue
    return 0.0, queue
