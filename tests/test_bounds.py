"""Big but valid journeys end in seconds with exit 0 or 1, and every format stays valid.

Each case is generated here from a description of the input (a billion agents, two waits
of 1e308 minutes, a ladder of more than 10^4,300 routes, 400 steps that all lead to one
another, a map of unreachable steps); nothing large is committed. Each command runs in a
child process with 60 seconds and 2 GiB of address space.
"""

from __future__ import annotations

import decimal
import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from cx_audit.analysis import fewest_agents, service_level

pytestmark = pytest.mark.slow


def _limit_memory() -> None:
    two_gib = 2 * 1024 ** 3
    resource.setrlimit(resource.RLIMIT_AS, (two_gib, two_gib))


def cli(*args: str | Path, timeout: int = 60) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "cx_audit", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout,
                          preexec_fn=_limit_memory, check=False)
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    return done


def strict_json(text: str) -> object:
    """Parse as strict JSON: ``Infinity`` and ``NaN`` are not JSON."""
    def refuse(word: str) -> object:
        raise AssertionError(f"{word} is not JSON")
    return json.loads(text, parse_constant=refuse)


def journey(tmp_path: Path, name: str, steps: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"journey: {name}\nowner: care\nsteps:\n{steps}", encoding="utf-8")
    return path


def test_a_billion_agents_are_audited_at_once(tmp_path: Path) -> None:
    path = journey(tmp_path, "big-queue", (
        "  call: {kind: entry, next: [queue]}\n"
        "  queue: {staffing: {arrivals: 200, handle: 3m, agents: 1000000000}, next: [done]}\n"
        "  done: {kind: resolution}\n"))
    done = cli("audit", "-f", "json", path, timeout=20)
    assert done.returncode in (0, 1)
    (entry,) = strict_json(done.stdout)["journeys"]
    queue = entry["steps"]["queue"]
    assert queue["erlang"]["agents"] == 1_000_000_000 and queue["erlang"]["p_wait"] == 0.0
    assert queue["wait"] == 0.0


def test_a_queue_of_ten_million_erlangs_gets_its_staff(tmp_path: Path) -> None:
    """The staff-queue lever searches from the load, not from one agent."""
    path = journey(tmp_path, "huge-load", (
        "  call: {kind: entry, next: [queue]}\n"
        "  queue: {staffing: {arrivals: 600000000, handle: 1m, agents: 5}, abandon: 0.3,"
        " next: [done]}\n"
        "  done: {kind: resolution}\n"))
    done = cli("audit", "-f", "json", path, timeout=30)
    assert done.returncode in (0, 1)
    (point,) = strict_json(done.stdout)["journeys"][0]["combustion_points"]
    (lever,) = [lever for lever in point["levers"] if lever["lever"] == "staff-queue"]
    load = 10_000_000  # 600 million an hour, one minute each
    assert lever["agents"] == fewest_agents(600_000_000, 1)
    assert load < lever["agents"] < load + 10 * load ** 0.5
    assert service_level(600_000_000, 1, lever["agents"]) >= 0.8


def test_two_waits_of_1e308_minutes_are_refused_in_a_file_and_unbounded_in_a_model(
        tmp_path: Path) -> None:
    path = journey(tmp_path, "overflow", (
        "  call: {kind: entry, next: [a]}\n"
        "  a: {wait: 1e308, abandon: 0.2, next: [{to: b, p: 0.5}, {to: done, p: 0.5}]}\n"
        "  b: {wait: 1e308, shield: ivr, next: [a]}\n"
        "  done: {kind: resolution}\n"))
    # the loader holds waits to 100 years, so the file is refused where the wait is written
    refused = cli("audit", "-f", "json", path)
    assert refused.returncode == 2
    assert ":5:13:" in refused.stderr and "out of range" in refused.stderr
    # built directly (an importer or the Python API), the sums overflow to infinity, and
    # every JSON writes it as unbounded
    from analysis.builder import make_journey

    from cx_audit.analysis import analyse, most_likely_routes
    from cx_audit.text.jsonsafe import json_safe

    model = make_journey({
        "call": {"kind": "entry", "next": [("a", 1.0)]},
        "a": {"wait": 1e308, "abandon": 0.2, "next": [("b", 0.5), ("done", 0.5)]},
        "b": {"wait": 1e308, "shield": "ivr", "next": [("a", 1.0)]},
        "done": {"kind": "resolution"}})
    metrics = json_safe(analyse(model).metrics.to_dict())
    assert metrics["wait_expected"] == "unbounded"
    assert json.loads(json.dumps(metrics, allow_nan=False)) == metrics
    routes = [route.to_dict() for route in most_likely_routes(model, 3)]
    assert routes[0]["steps"] == ["call", "a", "done"] and routes[0]["wait"] == 1e308
    assert routes[1]["wait"] == "unbounded"  # a, b, a: 3e308 minutes


def _ladder(rungs: int) -> str:
    lines = ["  start: {kind: entry, next: [a0, b0]}\n"]
    for i in range(rungs):
        after = "[done]" if i == rungs - 1 else f"[a{i + 1}, b{i + 1}]"
        lines.append(f"  a{i}: {{next: {after}}}\n  b{i}: {{next: {after}}}\n")
    lines.append("  done: {kind: resolution}\n")
    return "".join(lines)


def test_more_than_ten_to_the_4300_routes_are_written_exactly(tmp_path: Path) -> None:
    rungs = 14_500
    path = journey(tmp_path, "ladder", _ladder(rungs))
    done = cli("audit", "-f", "json", path, timeout=120)
    assert done.returncode in (0, 1)
    paths = strict_json(done.stdout)["journeys"][0]["metrics"]["paths"]
    assert paths == str(decimal.Decimal(2 ** rungs))  # 4,365 digits: a string of digits
    smaller = journey(tmp_path, "ladder-small", _ladder(1_000))
    small = strict_json(cli("audit", "-f", "json", smaller).stdout)
    assert small["journeys"][0]["metrics"]["paths"] == 2 ** 1_000  # 302 digits: a number
    # the other views of the count
    other = tmp_path / "other.yaml"
    other.write_text(path.read_text("utf-8").replace("owner: care", "owner: team"), "utf-8")
    assert cli("diff", path, other, timeout=120).returncode in (0, 1)
    report = cli("report", "--compare", "-o", tmp_path / "compare.md", path, other, timeout=120)
    assert report.returncode == 0, report.stderr
    # each route has a chance of 2^-14500, far below the smallest float, yet routes are listed
    routes = cli("paths", "-k", "2", path, timeout=120)
    assert routes.returncode == 0 and "no route" not in routes.stdout
    listed = routes.stdout.splitlines()
    assert listed[1].split()[:2] == ["1.", "<0.1%"] and "(14,462 steps more)" in routes.stdout
    assert max(len(line) for line in listed) <= 160  # wrapped at the terminal's width


def test_four_hundred_steps_that_all_lead_to_one_another(tmp_path: Path) -> None:
    names = [f"s{i}" for i in range(400)]
    lines = ["  start: {kind: entry, next: [s0]}\n"]
    for name in names:
        others = ", ".join([n for n in names if n != name] + ["done"])
        lines.append(f"  {name}: {{next: [{others}]}}\n")
    lines.append("  done: {kind: resolution}\n")
    path = journey(tmp_path, "entangled", "".join(lines))
    done = cli("paths", "-k", "1000", "-f", "json", path)  # 95 s and 11.6 GB before
    assert done.returncode == 0
    routes = strict_json(done.stdout)["routes"]
    assert len(routes) == 1000 and routes[0]["steps"] == ["start", "s0", "done"]


def test_a_map_of_unreachable_steps_is_audited_in_bounded_time(tmp_path: Path) -> None:
    steps = "".join(f"  s{i}: {{}}\n" for i in range(100_000))
    path = tmp_path / "empty.yaml"
    path.write_text(f"journey: empty\nsteps:\n{steps}", encoding="utf-8")
    done = cli("audit", "-f", "json", "-o", tmp_path / "out.json", path, timeout=120)
    assert done.returncode == 1
    document = strict_json((tmp_path / "out.json").read_text("utf-8"))
    assert document["journeys"][0]["combustion_points"] == []
