"""What an audit loads: the heavy libraries stay out of runs that do not need them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import runpy, sys
sys.argv = ["cx-audit", *sys.argv[1:]]
status = 0
try:
    runpy.run_module("cx_audit", run_name="__main__")
except SystemExit as stop:
    status = stop.code
sys.stderr.write(f"EXIT {status} LOADED " + " ".join(m for m in ("networkx", "numpy")
                                                     if m in sys.modules))
"""


def loaded(*arguments: str) -> set[str]:
    """The heavy libraries a ``cx-audit`` run imported (the run must not fail on its input)."""
    done = subprocess.run([sys.executable, "-c", PROBE, *arguments], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    status, _, line = done.stderr.rpartition("EXIT ")[2].partition(" LOADED")
    assert status in ("0", "1"), done.stderr
    return set(line.split())


@pytest.mark.parametrize("arguments", [("--help",), ("audit", "journeys"),
                                       ("audit", "journeys", "-f", "json"),
                                       ("report", "journeys", "-o", "-", "-f", "html")])
def test_the_examples_are_audited_without_networkx_or_numpy(arguments: tuple[str, ...]) -> None:
    assert loaded(*arguments) == set()


def test_conformance_to_a_log_loads_networkx_for_the_designs_footprint(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text("case,activity,time\n1,Call,2024-01-01T10:00:00\n1,Solved,2024-01-01T10:05:00\n",
                   "utf-8")
    design = tmp_path / "design.yaml"
    design.write_text("journey: d\nsteps:\n  call: {kind: entry, label: Call, next: [solved]}\n"
                      "  solved: {kind: resolution, label: Solved}\n", "utf-8")
    assert "networkx" in loaded("conform", str(design), str(log))
