"""Generators of tangled journeys: large loops where every step leads back to many others.

- :func:`tangled`: a 10,000-step journey whose every seventh step loops back
  by up to 40 steps, so that the loops overlap into a few dozen large
  strongly connected components (the largest over a thousand steps), as a
  journey discovered from an event log is;
- :func:`dense`: a discovered journey of ``activities`` activities in which
  every activity leads to every activity (itself included), with an entry
  and a resolution.

Both return spec dicts in the shape of ``bench_analysis.py`` (id -> fields,
``next`` as ``(to, p, handoff)`` tuples), which ``bench_analysis.to_yaml``
writes out. Run ``python benchmarks/tangled.py DIR`` to write both journeys
to ``DIR`` (they are generated, never committed).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

Spec = dict[str, dict[str, Any]]


def _split(total: int, parts: int, largest: int, rng: random.Random) -> list[int]:
    """``parts`` lengths adding up to ``total``, one of them ``largest``, the rest random."""
    rest = total - largest
    cuts = sorted(rng.sample(range(1, rest), parts - 2))
    sizes = [b - a for a, b in zip([0, *cuts], [*cuts, rest])]
    sizes.insert(rng.randrange(len(sizes) + 1), largest)
    return sizes


def tangled(steps: int = 10_000, seed: int = 16, segments: int = 37,
            largest: int = 1_190) -> Spec:
    """``steps`` steps in ``segments`` runs; every seventh step loops back up to 40 steps.

    Each step goes on to the next (and to the one after with chance 0.45);
    about a third can also end (resolved or given up). Back-transitions stay
    inside their run, so each run of steps is one strongly connected
    component (its last step leads back to its first).
    """
    rng = random.Random(seed)
    sizes = _split(steps, segments, min(largest, steps - segments), rng)
    spec: Spec = {"start": {"kind": "entry", "next": [("s0", None, None)]}}
    begin = 0
    for size in sizes:
        end = begin + size
        for i in range(begin, end):
            targets = [f"s{i + 1}" if i + 1 < steps else "resolved"]
            if i + 2 < end and rng.random() < 0.9:
                targets.append(f"s{i + 2}")
            if i % 7 == 6 and i > begin:
                targets.append(f"s{max(begin, i - rng.randint(1, 40))}")
            if rng.random() < 0.5:
                targets.append(rng.choice(["resolved", "gave-up"]))
            if i == end - 1 and i > begin:
                targets.append(f"s{begin}")  # the run's last step leads back to its first
            targets = list(dict.fromkeys(targets))  # one transition a target
            # an end is rare, so that customers get through the whole journey
            weights = [1.0 if t in ("resolved", "gave-up") and i + 1 < steps
                       else 500.0 * rng.randint(1, 9) for t in targets]
            total = sum(weights)
            moves: list[tuple[str, float | None, str | None]] = [
                (t, round(w / total, 6), rng.choice([None, None, None, "warm", "cold"]))
                for t, w in zip(targets, weights)]
            moves[-1] = (moves[-1][0], None, moves[-1][2])
            step: dict[str, Any] = {"next": moves}
            if rng.random() < 0.3:
                step["shield"] = rng.choice(["ivr", "menu", "form", "queue", "auth"])
            if rng.random() < 0.15:
                step["abandon"] = round(rng.uniform(0.0001, 0.002), 4)
            if rng.random() < 0.3:
                step["wait"] = round(rng.uniform(0.1, 5.0), 2)
            spec[f"s{i}"] = step
        begin = end
    spec["resolved"] = {"kind": "resolution"}
    spec["gave-up"] = {"kind": "abandon"}
    return spec


def dense(activities: int = 600, seed: int = 600) -> Spec:
    """``activities`` activities that all lead to one another, as ``discover`` would write them.

    Each activity goes to every activity (itself included) with a share
    drawn at random, and ends the case (resolved) with a share of about 2%.
    """
    rng = random.Random(seed)
    names = [f"a{i}" for i in range(activities)]
    spec: Spec = {"start": {"kind": "entry",
                            "next": [(names[i], None, None) for i in range(min(5, activities))]}}
    for name in names:
        weights = [rng.randint(1, 99) for _ in names]
        end = max(1, sum(weights) // 50)
        total = sum(weights) + end
        moves: list[tuple[str, float | None, str | None]] = [
            (t, round(w / total, 6), None) for t, w in zip(names, weights)]
        moves.append(("done", None, None))
        step: dict[str, Any] = {"next": moves}
        if rng.random() < 0.3:
            step["wait"] = round(rng.uniform(0.1, 5.0), 2)
        spec[name] = step
    spec["done"] = {"kind": "resolution"}
    return spec


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_analysis import to_yaml

    folder = Path(argv[0]) if argv else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    for name, spec in (("tangled", tangled()), ("dense", dense())):
        path = folder / f"{name}.yaml"
        path.write_text(to_yaml(name, spec), encoding="utf-8")
        moves = sum(len(s.get("next", ())) for s in spec.values())
        print(f"{path}: {len(spec):,} steps, {moves:,} transitions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
