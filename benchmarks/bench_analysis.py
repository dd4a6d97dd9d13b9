"""Time the analysis engine on large generated journeys.

Generates, in a temporary folder (removed afterwards unless ``--keep``):

- ``local-loops``: a 10,000-step journey with 40,000 transitions whose
  loops stay inside blocks of five steps, with shields, waits, abandon
  shares, handoffs and Erlang C queues;
- ``ladder``: 300 binary choices in a row (2**300 routes);
- ``small``: 2,000 small journeys of 8 to 24 steps.

For each, prints the time of :func:`cx_audit.analysis.analyse` (journeys
already in memory), of load + analyse when ``cx_audit.io.loader`` exists, and
the time PyYAML's C loader takes merely to parse the same files, with the
ratios measured in the same run. It also splits the analysis into the solve
(the metrics) and the what-if of every step (the per-step figures), and
times the combustion points with their levers after a full audit, so that
the cost of the points and levers reads beside the what-ifs it replaces
as the first output. ``--quick`` shrinks the sizes and the
repeats. Each figure is the best of its repeats, with the tasks interleaved
so that all see the same load, and every task (the parse included) runs
with the garbage collector paused, as the command line runs its audits.

Run: ``python benchmarks/bench_analysis.py [--quick] [--keep]``.
"""

from __future__ import annotations

import argparse
import gc
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml

from cx_audit.analysis import analyse, most_likely_routes
from cx_audit.audit.engine import audit_journey
from cx_audit.audit.points import combustion_points
from cx_audit.core.model import (
    Handoff,
    Journey,
    Location,
    Staffing,
    Step,
    StepKind,
    Transition,
)
from cx_audit.io import loader as _loader

Spec = dict[str, dict[str, Any]]


# --------------------------------------------------------------------------
# generators (spec dicts: id -> fields, ``next`` as (to, p, handoff) tuples)


def local_loops(steps: int, seed: int = 7) -> Spec:
    """``steps`` steps, four transitions each, loops local to blocks of five."""
    rng = random.Random(seed)
    spec: Spec = {}
    entries = max(1, steps // 1000)
    for k in range(entries):
        spec[f"entry-{k}"] = {"kind": "entry", "next": [(f"s{k * (steps // entries)}", 1.0, None)]}
    for i in range(steps):
        block_start = i - i % 5
        forward = [j for j in (i + 1, i + 2, i + 3) if j < steps]
        back = i - 1 if i > block_start else None
        targets = [f"s{j}" for j in forward]
        if back is not None:
            targets.append(f"s{back}")
        else:
            targets.append("resolved" if rng.random() < 0.5 else "gave-up")
        while len(targets) < 4:
            targets.append(["resolved", "gave-up", "resolved-later"][len(targets) - 1])
        weights = [rng.randint(1, 6) for _ in targets]
        total = sum(weights)
        moves: list[tuple[str, float | None, str | None]] = [
            (t, round(w / total, 6), rng.choice([None, None, None, "warm", "cold"]))
            for t, w in zip(targets, weights)
        ]
        # the last transition takes what rounding left
        moves[-1] = (moves[-1][0], None, moves[-1][2])
        step: dict[str, Any] = {"next": moves}
        if rng.random() < 0.3:
            step["shield"] = rng.choice(["ivr", "menu", "form", "queue", "auth"])
        if rng.random() < 0.2:
            step["abandon"] = round(rng.uniform(0.01, 0.2), 3)
        roll = rng.random()
        if roll < 0.3:
            step["wait"] = round(rng.uniform(0.1, 5.0), 2)
        elif roll < 0.35:
            step["staffing"] = (rng.randint(50, 300), rng.randint(2, 8), rng.randint(5, 60))
        spec[f"s{i}"] = step
    spec["resolved"] = {"kind": "resolution"}
    spec["resolved-later"] = {"kind": "resolution", "wait": 2880.0}
    spec["gave-up"] = {"kind": "abandon"}
    return spec


def ladder(rungs: int) -> Spec:
    spec: Spec = {"start": {"kind": "entry", "next": [("c0", None, None)]}}
    for i in range(rungs):
        spec[f"c{i}"] = {"next": [(f"up{i}", None, None), (f"down{i}", None, "cold")]}
        spec[f"up{i}"] = {"shield": "menu", "next": [(f"c{i + 1}", None, None)]}
        spec[f"down{i}"] = {"wait": 1.0, "next": [(f"c{i + 1}", None, None)]}
    spec[f"c{rungs}"] = {"kind": "resolution"}
    return spec


def small(seed: int) -> Spec:
    rng = random.Random(seed)
    n = rng.randint(6, 22)
    ids = [f"step-{i}" for i in range(n)]
    spec: Spec = {"start": {"kind": "entry", "next": [(ids[0], None, None)]}}
    for i, step_id in enumerate(ids):
        choices = rng.sample([*ids[max(0, i - 2):], "done", "lost"], k=rng.randint(1, 3))
        step: dict[str, Any] = {"next": [(t, None, rng.choice([None, None, "cold"]))
                                         for t in choices]}
        if rng.random() < 0.4:
            step["shield"] = "ivr"
        if rng.random() < 0.4:
            step["wait"] = round(rng.uniform(0.5, 10), 1)
        if rng.random() < 0.3:
            step["abandon"] = 0.1
        spec[step_id] = step
    spec["done"] = {"kind": "resolution"}
    spec["lost"] = {"kind": "abandon"}
    return spec


# --------------------------------------------------------------------------
# YAML text and in-memory journeys


def to_yaml(journey_id: str, spec: Spec) -> str:
    lines = ["version: 1", f"journey: {journey_id}", "steps:"]
    for step_id, step in spec.items():
        lines.append(f"  {step_id}:")
        if "kind" in step:
            lines.append(f"    kind: {step['kind']}")
        for key in ("shield", "wait", "abandon"):
            if key in step:
                lines.append(f"    {key}: {step[key]}")
        if "staffing" in step:
            arrivals, handle, agents = step["staffing"]
            lines.append(f"    staffing: {{arrivals: {arrivals}, handle: {handle}, "
                         f"agents: {agents}}}")
        if step.get("next"):
            lines.append("    next:")
            for to, p, handoff in step["next"]:
                item = f"      - to: {to}"
                if p is not None:
                    item += f"\n        p: {p}"
                if handoff is not None:
                    item += f"\n        handoff: {handoff}"
                lines.append(item)
    return "\n".join(lines) + "\n"


def to_journey(journey_id: str, spec: Spec) -> Journey:
    """Build the model directly (used when no loader is available)."""
    here = Location(journey_id, 1, 1)
    steps = {}
    for step_id, step in spec.items():
        moves = step.get("next", [])
        given = sum(p for _, p, _ in moves if p is not None)
        missing = sum(1 for _, p, _ in moves if p is None)
        rest = max(0.0, 1.0 - given) / missing if missing else 0.0
        staffing = step.get("staffing")
        steps[step_id] = Step(
            id=step_id, kind=StepKind(step.get("kind", "step")), label=step_id,
            location=here, shield=step.get("shield"), wait=step.get("wait"),
            abandon=step.get("abandon", 0.0),
            staffing=None if staffing is None else Staffing(
                float(staffing[0]), float(staffing[1]), int(staffing[2]), here),
            next=tuple(Transition(step_id, to, rest if p is None else p, p,
                                  Handoff(h) if h else None, None, here, here)
                       for to, p, h in moves),
        )
    entries = [s for s in steps.values() if s.kind is StepKind.ENTRY]
    shares = {s.id: 1.0 / len(entries) for s in entries}
    return Journey(id=journey_id, file=journey_id, location=here,
                   steps=MappingProxyType(steps), entry_shares=MappingProxyType(shares),
                   title=journey_id)


# --------------------------------------------------------------------------
# timing


def timed(work: Callable[[], Any]) -> float:
    """Seconds ``work`` takes, the garbage collector paused as the command line pauses it.

    The command line collects garbage after each file rather than whenever
    allocations pile up (see ``cx_audit.audit.run``); every task here, the
    baseline included, runs the same way, from a collected heap.
    """
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        work()
        return time.perf_counter() - start
    finally:
        gc.enable()


def solved(analysis: Any) -> None:
    """Read every figure of an analysis, which is computed when read."""
    analysis.metrics  # noqa: B018
    analysis.steps  # noqa: B018


def bench(name: str, files: list[Path], journeys: list[Journey], repeats: int) -> None:
    """Time each task ``repeats`` times, interleaved, and keep each task's best.

    Interleaving exposes the YAML parse and the analysis to the same load on
    the machine, so their ratio stays meaningful on a busy host.
    """
    texts = [f.read_text(encoding="utf-8") for f in files]
    size = sum(len(t) for t in texts)

    def parse() -> None:
        for t in texts:
            yaml.load(t, Loader=yaml.CSafeLoader)

    def analyse_all() -> None:
        for j in journeys:
            solved(analyse(j))

    def load_and_analyse() -> None:
        assert _loader is not None
        for f, t in zip(files, texts):
            solved(analyse(_loader.load_journey_text(t, str(f))))

    def routes() -> None:
        most_likely_routes(journeys[0], 10)

    def metrics_only() -> None:
        for j in journeys:
            analyse(j).metrics  # noqa: B018

    def audit_only() -> None:
        for j in journeys:
            audit_journey(j).analysis.metrics  # noqa: B018

    def audit_and_points() -> None:
        for j in journeys:
            audited = audit_journey(j)
            audited.analysis.metrics  # noqa: B018
            combustion_points(audited)

    tasks: dict[str, Callable[[], None]] = {"yaml": parse, "analyse": analyse_all,
                                            "metrics": metrics_only, "audit": audit_only,
                                            "audit+points": audit_and_points}
    if _loader is not None:
        tasks["load+analyse"] = load_and_analyse
    if len(journeys) == 1:
        tasks["routes"] = routes
    best = dict.fromkeys(tasks, float("inf"))
    for _ in range(repeats):
        for key, work in tasks.items():
            best[key] = min(best[key], timed(work))
    steps = sum(len(j.steps) for j in journeys)
    transitions = sum(len(s.next) for j in journeys for s in j.steps.values())
    print(f"\n{name}: {len(files)} file(s), {steps:,} steps, {transitions:,} transitions, "
          f"{size / 1e6:.2f} MB of YAML")
    t_yaml = best["yaml"]
    print(f"  yaml.load (CSafeLoader), parse only : {t_yaml * 1000:9.1f} ms")
    print(f"  analyse                             : {best['analyse'] * 1000:9.1f} ms"
          f"   ratio to YAML parse {best['analyse'] / t_yaml:6.2f}")
    if "load+analyse" in best:
        print(f"  load + analyse                      : {best['load+analyse'] * 1000:9.1f} ms"
              f"   ratio to YAML parse {best['load+analyse'] / t_yaml:6.2f}")
    if "routes" in best:
        print(f"  most_likely_routes(k=10)            : {best['routes'] * 1000:9.1f} ms")
    whatifs = max(best["analyse"] - best["metrics"], 1e-9)
    points = best["audit+points"] - best["audit"]
    print(f"  solve (metrics)                     : {best['metrics'] * 1000:9.1f} ms")
    print(f"  what-if of every step               : {whatifs * 1000:9.1f} ms")
    print(f"  audit (every rule, solved)          : {best['audit'] * 1000:9.1f} ms")
    print(f"  combustion points and their levers  : {points * 1000:9.1f} ms"
          f"   ratio to the what-ifs {points / whatifs:6.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, two repeats")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args(argv)
    repeats = 2 if args.quick else 3
    big_steps = 2_000 if args.quick else 10_000
    small_count = 200 if args.quick else 2_000
    folder = Path(tempfile.mkdtemp(prefix="cx-audit-bench-"))
    print(f"Python {sys.version.split()[0]}, PyYAML {yaml.__version__}, "
          f"loader {'present' if _loader else 'absent'}; data in {folder}")
    try:
        cases = [
            ("local-loops", [("local-loops", local_loops(big_steps))]),
            ("ladder", [("ladder", ladder(300))]),
            ("small", [(f"small-{i:04d}", small(i)) for i in range(small_count)]),
        ]
        for name, specs in cases:
            files = []
            journeys = []
            for journey_id, spec in specs:
                path = folder / f"{journey_id}.yaml"
                path.write_text(to_yaml(journey_id, spec), encoding="utf-8")
                files.append(path)
                if _loader is not None:
                    journeys.append(_loader.load_journey(path))
                else:
                    journeys.append(to_journey(journey_id, spec))
            bench(name, files, journeys, repeats)
    finally:
        if args.keep:
            print(f"\nkept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
