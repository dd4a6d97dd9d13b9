"""Hypothesis strategies for random journeys, as builder spec dicts.

Every transition carries an explicit ``p`` (weights divided by their sum;
sometimes a zero, sometimes a rounding deficit of a few 1e-7), so that the
metamorphic tests can rewrite transitions without re-resolving the format's
even split. Loops, self-loops, transitions back to entries, trap loops,
stranded steps and unreachable steps all occur.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

Spec = dict[str, dict[str, Any]]


@st.composite
def journey_specs(draw: st.DrawFn, max_plain: int = 7) -> Spec:
    n_entries = draw(st.integers(1, 2))
    n_resolutions = draw(st.sampled_from([0, 1, 1, 1, 2, 2]))
    n_abandons = draw(st.integers(0, 1))
    n_plain = draw(st.integers(1, max_plain))
    entries = [f"e{i}" for i in range(n_entries)]
    plain = [f"s{i}" for i in range(n_plain)]
    resolutions = [f"r{i}" for i in range(n_resolutions)]
    abandons = [f"a{i}" for i in range(n_abandons)]
    targets = plain + resolutions + abandons + entries
    spec: Spec = {}
    explicit_shares = draw(st.booleans())
    for i, e in enumerate(entries):
        spec[e] = {"kind": "entry"}
        if explicit_shares and n_entries > 1:
            spec[e]["share"] = [0.25, 0.75][i]
    for s in plain:
        spec[s] = {}
    for r in resolutions:
        spec[r] = {"kind": "resolution"}
    for a in abandons:
        spec[a] = {"kind": "abandon"}
    for step_id, step in spec.items():
        if draw(st.integers(0, 3)) == 0:
            step["shield"] = "ivr"
        wait = draw(st.sampled_from([None, None, 0.5, 2.0]))
        if wait is not None:
            step["wait"] = wait
        if step.get("kind") in ("resolution", "abandon"):
            continue
        step["abandon"] = draw(st.sampled_from([0.0, 0.0, 0.0, 0.0, 0.1, 0.3, 1.0]))
        low = 0 if step_id in plain else 1
        chosen = draw(st.lists(st.sampled_from(targets), min_size=low, max_size=3,
                               unique=True))
        if not chosen:
            continue
        weights = [draw(st.sampled_from([0, 1, 1, 2, 3])) for _ in chosen]
        if sum(weights) == 0:
            weights[0] = 1
        total = sum(weights)
        probabilities = [w / total for w in weights]
        if draw(st.integers(0, 5)) == 0:
            probabilities = [p * (1 - 4e-7) for p in probabilities]
        step["next"] = [
            (to, p, draw(st.sampled_from([None, None, None, "warm", "cold"])))
            for to, p in zip(chosen, probabilities)
        ]
    return spec
