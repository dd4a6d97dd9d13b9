"""Sensitivity: how much ``p_resolution`` moves with each figure the journey map estimates.

A journey's probabilities are estimates: the share of callers who pick the
FAQ, who give up in the menu, who start on the web. Before a team acts on
``p_resolution`` it should know which of those estimates the figure rests
on, and measure them first. For every such parameter θ this module gives the
exact derivative ``d p_resolution / d θ``.

The parameters (metrics.md, "Levers"):

- ``p``: the share of a step's departing customers (those who do not give
  up there) who take one of its transitions. Moving it rescales the step's
  other transitions in proportion, so that the shares still add up to 1;
- ``abandon``: a step's abandon share. Moving it rescales every transition
  of the step by ``1 - abandon``, as the format defines;
- ``share``: an entry's share of the customers who start. Moving it rescales
  the other entries' shares in proportion.

How it is computed. With ``x`` the expected visits of each step (the chain
solved forward) and ``V`` the chance of a resolution from each step (solved
backward once, one solve per strongly connected component), the derivative
of ``p_resolution`` with respect to the chance ``Q[u][v]`` of going from u
to v is ``x(u) * V(v)``, and with respect to the starting chance of entry e
it is ``V(e)``. A parameter moves a whole row of the chain, so its
derivative is the sum of those over the row. For transition k of step u,
with normalised shares ``s``, abandon share ``a`` and
``S(u) = sum_j s_j V(v_j)``, the row moves by ``(1 - a) * (1, -s_j / (1 - s_k)
for j != k)`` and::

    d P / d p_k     = x(u) * (1 - a) * (V(v_k) - S(u)) / (1 - s_k)
    d P / d abandon = -x(u) * S(u)
    d P / d share_e = (V(e) - P) / (1 - start_e)

Everything together costs the backward solve and O(1) per transition: no
solve per parameter. (The values come from :meth:`ChainSolution.values`,
kept and shared with the what-if, which solves its other values to go in
the same call.)

Choices where the definition leaves room:

- derivatives are with respect to the figures as the chain uses them:
  transition shares divided by their sum (the format tolerates a deficit of
  1e-6 in fully given ``p``) and entry shares scaled to add up to 1. Those
  are the ``value`` of each record;
- a transition whose share comes from the format's even split (no ``p`` in
  the file) is a parameter like any other, marked ``given=False``: the even
  split is an assumption the figure rests on too;
- an abandon share is a parameter of every step that is not a resolution or
  abandon step, written or not (a step without ``abandon`` assumes nobody
  gives up there). The journey model keeps no trace of an ``abandon: 0``
  written in the file, so ``given`` is True exactly when the share is above
  0;
- at the edge of its range (a share of 0, an abandon of 0 or 1) the
  derivative is the one-sided one; the chain's figures are rational
  functions of the shares, so the formula holds there as well;
- a transition that carries the whole of its step's share (the only way on,
  or every other way on has ``p: 0``) is left out, and likewise an entry
  that all customers start at: there is nothing to rescale, so the share
  cannot move under the contract. It is structure, not an estimate (its
  alternatives with ``p: 0``, if any, do appear);
- a step with no way on carrying probability (stranded) has no transition
  parameters; its abandon share is still one, with derivative 0;
- resolution and abandon steps have no parameters: the walk ends there;
- a step in a loop nobody leaves, that customers reach (its visits are
  infinite), has none either: moving a share inside the loop leaves
  ``p_resolution`` as it is, while opening the loop (a ``p: 0`` way out)
  sends every trapped customer on, a jump with no derivative. Rather than a
  0 that hides the jump, the step's figures are left out; the entries'
  shares and the steps before the loop keep theirs;
- when nobody starts (no entry, or only zero shares) the entry shares have
  no derivative (a first customer makes a jump) and are left out; every
  other derivative is 0;
- the adjoint needs no per-step solve, only one solve of each loop (with
  the factors kept from the forward solve, for a loop customers reach).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from cx_audit.analysis.chain import ChainSolution
from cx_audit.core.model import Journey
from cx_audit.text.safe import printable

__all__ = ["Parameter", "Sensitivity", "measure_first", "sensitivities"]

Parameter = Literal["p", "abandon", "share"]
"""What a sensitivity is about: a transition's share, a step's abandon share, an entry's share."""

NEGLIGIBLE = 0.005
"""Derivatives smaller than this (in points per point) are left out of :func:`measure_first`:
they show as 0.00 and there is nothing to measure first."""

SCALED = 0.005
"""A given figure differing from the chain's value by more than this is worded with both
(entry shares that add up to less than 1 are scaled up)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Sensitivity:
    """The derivative of ``p_resolution`` with respect to one estimated figure.

    Attributes
    ----------
    parameter : {"p", "abandon", "share"}
        A transition's share, a step's abandon share, or an entry's share.
    step : str
        The step the figure belongs to (the transition's source for ``p``).
    to : str or None
        The transition's target for ``p``, else ``None``.
    derivative : float
        ``d p_resolution / d θ`` with the others rescaled (module docstring):
        the change in resolution, in points, per point of θ, to first order.
    given : bool
        The file writes the figure (``p``, ``abandon``, ``share``); False when
        it comes from the format's even split or default.
    value : float
        The figure as the chain uses it (shares divided by their sum).
    """

    parameter: Parameter
    step: str
    to: str | None
    derivative: float
    given: bool
    value: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values."""
        return {
            "parameter": self.parameter,
            "step": self.step,
            "to": self.to,
            "derivative": self.derivative,
            "given": self.given,
            "value": self.value,
        }


def sensitivities(journey: Journey, sol: ChainSolution) -> tuple[Sensitivity, ...]:
    """Every parameter's derivative of ``p_resolution``, largest in size first.

    Ties keep file order: step by step, an entry's share, then the step's
    abandon share, then its transitions in the order of ``next``. See the
    module docstring for what is and is not a parameter.

    Notes
    -----
    O(n + e) after the chain's backward solve of the chance of resolution
    (:meth:`ChainSolution.values`), which is shared with the what-if.
    """
    net = sol.net
    visits = sol.visits
    value = sol.values()[0]
    start = sol.start
    nobody_starts = not any(start)
    p_total = math.fsum(s * v for s, v in zip(start, value) if s)
    found: list[Sensitivity] = []
    for u, step_id in enumerate(net.ids):
        step = journey.steps[step_id]
        if net.kind[u] == "entry" and not nobody_starts and start[u] < 1.0:
            found.append(Sensitivity(
                parameter="share", step=step_id, to=None,
                derivative=(value[u] - p_total) / (1.0 - start[u]),
                given=step.share is not None, value=start[u]))
        if net.terminal[u]:
            continue
        x = visits[u]
        if math.isinf(x):  # in a loop nobody leaves: no derivative
            continue
        shares = net.share[u]
        targets = net.succ[u]
        ahead = math.fsum(s * value[v] for v, s in zip(targets, shares) if s)
        a = net.abandon[u]
        found.append(Sensitivity(
            parameter="abandon", step=step_id, to=None, derivative=-x * ahead,
            given=a > 0.0, value=a))
        if net.stranded[u]:
            continue
        keep = 1.0 - a
        for transition, v, s in zip(step.next, targets, shares):
            if s >= 1.0:
                continue
            derivative = x * keep * (value[v] - ahead) / (1.0 - s) if x and keep else 0.0
            found.append(Sensitivity(
                parameter="p", step=step_id, to=net.ids[v], derivative=derivative,
                given=transition.p_given is not None, value=s))
    found.sort(key=lambda r: -abs(r.derivative))  # stable: ties keep file order
    return tuple(found)


def measure_first(records: Iterable[Sensitivity], journey: Journey | None = None,
                  count: int = 5) -> list[str]:
    """The ``count`` estimates that move resolution most, worded for people.

    ``records`` come from :func:`sensitivities` (largest first); derivatives
    below :data:`NEGLIGIBLE` are skipped, and so are abandon shares the file
    does not write: the derivative of such a share is about the resolved
    flow through the step, so every step of the busiest route would fill the
    list ahead of the estimates the map actually makes (the records keep
    them). A step's split is listed once, at its largest transition:
    counting where a step's customers go measures all of its shares at once
    (of two ways on, the second is the first's mirror image). With
    ``journey``, a given figure is quoted as written, and also as read when
    the chain scales it (entry shares that add up to less than 1). For
    example::

        the share of customers who go from 'menu' to 'agent' (given as 0.40):
        +1 point of it changes resolution by +0.14 points
    """
    lines: list[str] = []
    splits: set[str] = set()
    for record in records:
        if len(lines) >= count:
            break
        if abs(record.derivative) < NEGLIGIBLE or (record.parameter == "abandon"
                                                    and not record.given):
            continue
        if record.parameter == "p":
            if record.step in splits:
                continue
            splits.add(record.step)
        lines.append(f"{_subject(record)} ({_origin(record, journey)}): +1 point of it "
                     f"changes resolution by {record.derivative:+.2f} points")
    return lines


def _subject(record: Sensitivity) -> str:
    step = printable(record.step)
    if record.parameter == "p":
        return f"the share of customers who go from '{step}' to '{printable(str(record.to))}'"
    if record.parameter == "abandon":
        return f"the share of customers who give up at '{step}'"
    return f"the share of customers who start at '{step}'"


def _figure(share: float) -> str:
    """A share as 0.40; a small one with two significant digits (0.0001, not 0.00)."""
    return f"{share:.2g}" if 0.0 < share < 0.005 else f"{share:.2f}"


def _written(record: Sensitivity, journey: Journey) -> float | None:
    """The figure as the file writes it, when it does."""
    step = journey.steps.get(record.step)
    if step is None:
        return None
    if record.parameter == "share":
        return step.share
    if record.parameter == "abandon":
        return step.abandon
    for transition in step.next:
        if transition.target == record.to:
            return transition.p_given
    return None


def _origin(record: Sensitivity, journey: Journey | None) -> str:
    if not record.given:  # a share of the even split (unwritten abandon shares are not worded)
        return f"not given: {_figure(record.value)} by the even split"
    written = None if journey is None else _written(record, journey)
    if written is None or abs(written - record.value) <= SCALED:
        return f"given as {_figure(record.value)}"
    return (f"given as {_figure(written)}, read as {_figure(record.value)} "
            "once the shares add up to 1")
