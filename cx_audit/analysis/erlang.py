"""Queue waits by the Erlang C formula."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from cx_audit.core.model import Step

__all__ = ["ErlangC", "erlang_c", "fewest_agents", "service_level", "step_wait"]


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


def erlang_c(arrivals_per_hour: float, handle_minutes: float, agents: int) -> ErlangC:
    """Return the Erlang C probability of waiting and average speed of answer.

    Parameters
    ----------
    arrivals_per_hour : float
        Customers arriving per hour.
    handle_minutes : float
        Agent time per customer, in minutes.
    agents : int
        Agents serving the queue.

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

    Notes
    -----
    The Erlang B blocking probability is built by the stable recursion
    ``B(0) = 1``, ``B(k) = A B(k-1) / (k + A B(k-1))`` and turned into
    Erlang C as ``C = N B / (N - A (1 - B))``. No factorial or power is ever
    formed, so thousands of agents cause neither overflow nor cancellation.
    O(N) time, O(1) space.

    A load that reaches the agents (``A >= N``) has no steady state: the
    result is marked ``overloaded`` with ``p_wait = 1`` and no ASA. No
    arrivals means no wait.

    References
    ----------
    .. [1] G. Koole and A. Mandelbaum, "Queueing Models of Call Centers: An
       Introduction", Annals of Operations Research 113, 2002.
    """
    for name, value in (("arrivals_per_hour", arrivals_per_hour),
                        ("handle_minutes", handle_minutes), ("agents", agents)):
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a finite number >= 0, not {value!r}")
    agents = int(agents)
    load = arrivals_per_hour / 60.0 * handle_minutes
    if load == 0.0:
        return ErlangC(load=0.0, agents=agents, p_wait=0.0, asa_minutes=0.0, overloaded=False)
    if load >= agents:
        return ErlangC(load=load, agents=agents, p_wait=1.0, asa_minutes=None, overloaded=True)
    blocking = 1.0
    for k in range(1, agents + 1):
        blocking = load * blocking / (k + load * blocking)
    p_wait = agents * blocking / (agents - load * (1.0 - blocking))
    asa = p_wait * handle_minutes / (agents - load)
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
    The Erlang B recursion of :func:`erlang_c` is carried from one agent
    count to the next, so the search costs O(N) in all, not O(N^2); the
    level it finds for N is the one :func:`service_level` gives for N.
    """
    _check_level(target, answer_seconds)
    load = erlang_c(arrivals_per_hour, handle_minutes, 0).load  # validates the figures
    if load == 0.0:
        return 0
    blocking = 1.0
    agents = 0
    while True:
        agents += 1
        blocking = load * blocking / (agents + load * blocking)
        if agents <= load:
            continue
        p_wait = agents * blocking / (agents - load * (1.0 - blocking))
        if _within(load, agents, p_wait, handle_minutes, answer_seconds) >= target:
            return agents


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
    O(agents) for a staffed step, O(1) otherwise.
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
