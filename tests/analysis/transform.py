"""Rewrites of builder spec dicts for the metamorphic tests."""

from __future__ import annotations

import copy
from typing import Any

Spec = dict[str, dict[str, Any]]


def transitions(step: dict[str, Any]) -> list[tuple[str, float, str | None]]:
    """A step's transitions as (to, p, handoff), the format's even split applied."""
    items = []
    for t in step.get("next", []):
        if isinstance(t, str):
            items.append((t, None, None))
        else:
            items.append((t[0], t[1], t[2] if len(t) > 2 else None))
    given = sum(p for _, p, _ in items if p is not None)
    missing = sum(1 for _, p, _ in items if p is None)
    rest = max(0.0, 1.0 - given) / missing if missing else 0.0
    return [(to, rest if p is None else p, h) for to, p, h in items]


def rename(spec: Spec, mapping: dict[str, str], order: list[str]) -> Spec:
    """Rename every step by ``mapping`` and list them in ``order`` (old ids)."""
    result: Spec = {}
    for old in order:
        step = copy.deepcopy(spec[old])
        if "next" in step:
            step["next"] = [(mapping[to], p, h) for to, p, h in transitions(step)]
        result[mapping[old]] = step
    return result


def add_unreachable(spec: Spec, targets: list[str]) -> Spec:
    """Add a step that nothing leads to, with transitions into the journey."""
    result = copy.deepcopy(spec)
    n = len(targets)
    result["zz-unreachable"] = {
        "shield": "form", "wait": 7.0, "abandon": 0.2,
        "next": [(t, 1.0 / n, "cold") for t in targets],
    }
    return result


def split(spec: Spec, source: str, k: int) -> Spec:
    """Replace ``source``'s k-th transition A->B by A->X->B, X a plain step."""
    result = copy.deepcopy(spec)
    moves = transitions(result[source])
    to, p, h = moves[k]
    moves[k] = ("zz-middle", p, h)
    result[source]["next"] = moves
    result["zz-middle"] = {"next": [(to, 1.0, None)]}
    return result


def remove(spec: Spec, s: str) -> Spec:
    """Remove step ``s`` by redirecting its inflow to its successors.

    Its own transitions are renormalised without its abandon share and its
    self-loop. With no other successor, its customers end stranded where it
    was: it stays as a bare step with no transition, wait, shield or abandon.
    """
    result = copy.deepcopy(spec)
    others = [(to, p) for to, p, _ in transitions(spec[s]) if to != s and p > 0]
    total = sum(p for _, p in others)
    if total <= 0:
        result[s] = {}
        return result
    shares = [(to, p / total) for to, p in others]
    del result[s]
    for step in result.values():
        moves = transitions(step)
        if not any(to == s for to, _, _ in moves):
            continue
        merged: dict[str, list[Any]] = {}
        for to, p, h in moves:
            if to == s:
                for y, q in shares:
                    if y in merged:
                        merged[y][0] += p * q
                    else:
                        merged[y] = [p * q, None]
            elif to in merged:
                merged[to][0] += p
                merged[to][1] = h
            else:
                merged[to] = [p, h]
        step["next"] = [(to, p, h) for to, (p, h) in merged.items()]
    return result


def absorb_at(spec: Spec, s: str) -> Spec:
    """Make ``s`` the only resolution (former resolutions become abandons)."""
    result = copy.deepcopy(spec)
    for step_id, step in result.items():
        if step.get("kind") == "resolution":
            result[step_id] = {"kind": "abandon"}
    result[s] = {"kind": "resolution"}
    return result
