"""End-to-end speed and memory of the command line, beside the tools people compare it to.

Each figure is measured in the same run as its baseline, and printed as a ratio:

1. one small journey, audited end to end (process start-up included), beside
   ``yamllint`` and ``check-jsonschema`` (validating against the journey
   schema) on the same file, when they are installed;
2. a 10,000-step journey with 40,000 transitions, audited end to end, beside a
   process that only parses the same file with PyYAML's C loader;
3. 2,000 small journeys, audited with every core (``--jobs 0``), beside a
   process that only parses the same files with PyYAML's C loader;
4. the client report, HTML beside Markdown, of the example journeys and of
   the same 2,000 small journeys (the report writes to a file in the
   temporary folder);

with the peak memory (maximum resident set size) of each process. Each
command runs ``--repeats`` times, interleaved with its baseline, and the
best time counts. Generated files live in a temporary folder.

With ``--against DIR`` (another checkout of cx-audit, e.g. made by ``git
worktree add DIR REV``), every cx-audit command is also run from that
checkout, interleaved with the rest, so a change is measured beside the
code it replaces under the same load.

Run: ``python benchmarks/bench_cli.py [--quick] [--repeats N] [--against DIR]``.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _generators():  # type: ignore[no-untyped-def]
    """The journey generators shared with bench_analysis.py."""
    spec = importlib.util.spec_from_file_location("bench_analysis",
                                                  ROOT / "benchmarks" / "bench_analysis.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PARSE_ONLY = """
import sys, yaml
from pathlib import Path
for arg in sys.argv[1:]:
    path = Path(arg)
    files = sorted(path.rglob('*.yaml')) if path.is_dir() else [path]
    for file in files:
        yaml.load(file.read_text('utf-8'), Loader=yaml.CSafeLoader)
"""


def command_line(checkout: Path) -> list[str]:
    """``python -m cx_audit`` from ``checkout``, its modules compiled as pip installs them.

    pip writes the bytecode of a package it installs, so timing a checkout
    without it would count compiling the sources on every start-up.
    """
    compileall.compile_dir(checkout / "cx_audit", quiet=1)
    return ["env", f"PYTHONPATH={checkout}", sys.executable, "-m", "cx_audit"]


def run(command: list[str], allowed: tuple[int, ...] = (0, 1)) -> tuple[float, int, int]:
    """Wall time (s), peak memory (maximum resident set, MiB) and exit status of one child.

    The child runs in the temporary folder, so that ``python -m`` imports
    the checkout its ``PYTHONPATH`` names rather than the current folder's.
    A run that fails (a status not ``allowed``, or a traceback) stops the
    benchmark: a failure must not pass for a fast run.
    """
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             cwd=tempfile.gettempdir())
    assert child.stderr is not None
    with child.stderr:
        errors = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    code = child.returncode = os.waitstatus_to_exitcode(status)
    if code not in allowed or b"Traceback (most recent call last)" in errors:
        raise SystemExit(f"{' '.join(command)} failed with exit status {code}:\n"
                         f"{errors.decode(errors='replace')[-2000:]}")
    return elapsed, usage.ru_maxrss // 1024, code


def compare(title: str, commands: dict[str, list[str] | None], repeats: int) -> None:
    """Run the commands interleaved, keep each one's best time, print ratios to the first."""
    best: dict[str, float] = {}
    memory: dict[str, int] = {}
    for _ in range(repeats):
        for name, command in commands.items():
            if command is None:
                continue
            elapsed, peak, _ = run(command)
            best[name] = min(best.get(name, elapsed), elapsed)
            memory[name] = peak
    print(f"\n{title}")
    first = next(iter(best))
    for name in commands:
        if name not in best:
            print(f"  {name:<40} (not installed)")
            continue
        ratio = best[name] / best[first]
        print(f"  {name:<40} {best[name] * 1000:9.0f} ms  x{ratio:5.2f}"
              f"  peak {memory[name]:5d} MiB")


def tool(name: str, *args: str) -> list[str] | None:
    """A command line for an installed tool, else None."""
    found = shutil.which(name)
    return [found, *args] if found else None


def main(argv: list[str] | None = None) -> int:
    """Generate the inputs and print the three comparisons."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller inputs, fewer repeats")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--only", type=int, choices=(1, 2, 3, 4), action="append",
                        help="run only this comparison (may be repeated)")
    parser.add_argument("--against", type=Path, default=None, metavar="DIR",
                        help="also run every cx-audit command from this other checkout")
    options = parser.parse_args(argv)
    wanted = set(options.only or (1, 2, 3, 4))
    repeats = options.repeats or (2 if options.quick else 5)
    cx = command_line(ROOT)
    other = command_line(options.against.resolve()) if options.against else None

    def with_other(commands: dict[str, list[str] | None]) -> dict[str, list[str] | None]:
        """``commands``, each cx-audit one followed by the same from the other checkout."""
        if other is None:
            return commands
        result: dict[str, list[str] | None] = {}
        for name, command in commands.items():
            result[name] = command
            if command is not None and command[:len(cx)] == cx:
                result[f"{name} [{options.against.name}]"] = [*other, *command[len(cx):]]
        return result
    parse = [sys.executable, "-c", PARSE_ONLY]
    generators = _generators()
    with tempfile.TemporaryDirectory(prefix="cx-bench-") as folder:
        work = Path(folder)
        schema = work / "journey.schema.json"
        schema.write_text(subprocess.run([*cx, "schema"], capture_output=True, text=True,
                                         check=True, cwd=work).stdout)
        small = ROOT / "journeys" / "online-retail-return.yaml"
        if 1 in wanted:
            compare(f"1. one small journey ({small.name}), end to end with start-up", with_other({
                "cx-audit audit -f json": [*cx, "audit", str(small), "-f", "json"],
                "yamllint": tool("yamllint", "-d", "relaxed", str(small)),
                "check-jsonschema": tool("check-jsonschema", "--schemafile", str(schema),
                                         str(small)),
                "python -c 'import yaml' (bare start-up)": [sys.executable, "-c", "import yaml"],
            }), repeats)

        steps = 2_000 if options.quick else 10_000
        big = work / "big.yaml"
        big.write_text(generators.to_yaml("big", generators.local_loops(steps)), "utf-8")
        if 2 in wanted:
            compare(f"2. one journey of {steps:,} steps ({big.stat().st_size / 1e6:.1f} MB)",
                    with_other({
                        "PyYAML C parse only": [*parse, str(big)],
                        "cx-audit audit -f json": [*cx, "audit", str(big), "-f", "json"],
                    }), repeats)

        count = 200 if options.quick else 2_000
        many = work / "many"
        many.mkdir()
        for index in range(count):
            (many / f"j{index:04}.yaml").write_text(
                generators.to_yaml(f"j{index:04}", generators.small(index)), "utf-8")
        size = sum(p.stat().st_size for p in many.iterdir()) / 1e6
        if 3 in wanted:
            title = f"3. {count:,} small journeys ({size:.1f} MB), {os.cpu_count()} cores"
            compare(title, with_other({
                "PyYAML C parse only": [*parse, str(many)],
                "cx-audit audit -f json --jobs 0": [*cx, "audit", str(many), "-f", "json",
                                                    "-j", "0"],
                "cx-audit audit -f json --jobs 1": [*cx, "audit", str(many), "-f", "json",
                                                    "-j", "1"],
            }), repeats)
        if 4 in wanted:
            examples = ROOT / "journeys"
            for label, source, times in (("the example journeys", examples, repeats),
                                         (f"{count:,} small journeys", many, min(repeats, 2))):
                compare(f"4. the report of {label}", with_other({
                    "cx-audit report -o REPORT.md": [*cx, "report", str(source), "-o",
                                                     str(work / "report.md")],
                    "cx-audit report -o REPORT.html": [*cx, "report", str(source), "-o",
                                                       str(work / "report.html")],
                }), times)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
