"""Tangled journeys, where most steps lead back to many others, beside a bare YAML compose.

Generates (benchmarks/tangled.py) in a temporary folder:

1. ``tangled``: 10,000 steps and about 25,000 transitions, every seventh step
   looping back by up to 40 steps, in 37 strongly connected components (the
   largest 1,190 steps);
2. ``dense``: a discovered journey of 600 activities that all lead to one
   another (360,000 transitions).

For each, ``audit -f json`` end to end (process start-up included) runs
interleaved with a process that only composes the same file with PyYAML's C
loader (``yaml.compose(text, Loader=yaml.CLoader)``), best of the repeats,
with the ratio. In memory, it times the analysis beside the load: the audit
of the loaded journey (every rule), its per-step figures and its combustion
points with their levers, and says whether every per-step figure was
computed. ``--against DIR`` also runs the command from another checkout
(``git worktree add DIR REV``), interleaved with the rest.

Run: ``python benchmarks/bench_tangled.py [--repeats N] [--only 1|2] [--against DIR]``.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COMPOSE_ONLY = "import sys, yaml; yaml.compose(open(sys.argv[1]).read(), Loader=yaml.CLoader)"


def _module(name: str) -> ModuleType:
    """A sibling benchmark script, imported by path."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def compare(title: str, commands: dict[str, list[str]], repeats: int) -> None:
    """Run the commands interleaved; print each one's best time and its ratio to the first.

    A command that refuses the journey (exit status 2) is shown so, with its time;
    one that fails otherwise stops the benchmark.
    """
    run = _module("bench_cli").run
    best: dict[str, float] = {}
    status: dict[str, int] = {}
    for _ in range(repeats):
        for name, command in commands.items():
            elapsed, _, status[name] = run(command, allowed=(0, 1, 2))
            best[name] = min(best.get(name, elapsed), elapsed)
    print(f"\n{title}")
    first = best[next(iter(commands))]
    for name, elapsed in best.items():
        note = "  (refused: exit 2)" if status[name] == 2 else ""
        print(f"  {name:<48} {elapsed * 1000:9.0f} ms  x{elapsed / first:5.2f}{note}")


def in_memory(path: Path, repeats: int) -> None:
    """Load, audit, per-step figures and points of one file, in this process."""
    from cx_audit.audit.engine import audit_journey
    from cx_audit.audit.points import combustion_points
    from cx_audit.io.loader import load_journey

    best: dict[str, float] = {}
    steps = None
    for _ in range(repeats):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            journey = load_journey(path)
            loaded = time.perf_counter()
            audited = audit_journey(journey)
            audited.analysis.metrics  # noqa: B018
            ruled = time.perf_counter()
            steps = audited.analysis.steps
            figured = time.perf_counter()
            combustion_points(audited)
            pointed = time.perf_counter()
        finally:
            gc.enable()
        for key, value in (("load", loaded - start), ("audit", ruled - loaded),
                           ("per-step figures", figured - ruled),
                           ("combustion points and levers", pointed - figured),
                           ("analysis (all but the load)", pointed - loaded)):
            best[key] = min(best.get(key, value), value)
    assert steps is not None
    missing = sum(1 for s in steps.values() if s.p_reach is None)
    no_impact = sum(1 for step_id, s in steps.items() if s.impact is None
                    and journey.steps[step_id].kind.value == "step")
    print(f"  in memory, best of {repeats}:")
    for key, value in best.items():
        print(f"    {key:<32} {value * 1000:9.0f} ms")
    print(f"    p_reach not computed at {missing} steps; no removal impact at {no_impact} "
          "plain steps")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", type=int, choices=(1, 2), action="append")
    parser.add_argument("--against", type=Path, default=None, metavar="DIR",
                        help="also run the audit from this other checkout")
    options = parser.parse_args(argv)
    wanted = set(options.only or (1, 2))
    generators = _module("tangled")
    to_yaml = _module("bench_analysis").to_yaml
    command_line = _module("bench_cli").command_line
    cx = command_line(ROOT)
    with tempfile.TemporaryDirectory(prefix="cx-tangled-") as folder:
        for case, name, spec in ((1, "tangled", generators.tangled),
                                 (2, "dense", generators.dense)):
            if case not in wanted:
                continue
            path = Path(folder) / f"{name}.yaml"
            journey = spec()
            path.write_text(to_yaml(name, journey), "utf-8")
            moves = sum(len(s.get("next", ())) for s in journey.values())
            commands: dict[str, list[str]] = {
                "yaml.compose (CLoader) only": [sys.executable, "-c", COMPOSE_ONLY, str(path)],
                "cx-audit audit -f json": [*cx, "audit", str(path), "-f", "json"],
            }
            if options.against:
                commands[f"cx-audit audit -f json [{options.against.name}]"] = [
                    *command_line(options.against.resolve()), "audit", str(path), "-f", "json"]
            compare(f"{case}. {name}: {len(journey):,} steps, {moves:,} transitions "
                        f"({path.stat().st_size / 1e6:.1f} MB), end to end",
                        commands, options.repeats)
            in_memory(path, options.repeats)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
