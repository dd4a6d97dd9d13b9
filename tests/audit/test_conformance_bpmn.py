"""BPMN designs beside logs that fit them: no findings, whatever order parallel work takes.

Each design is a process tree written here (sequence, choice, parallel,
inclusive, loop), turned into BPMN XML with the gateways a modeller draws,
and into fitting logs: every trace of a small tree, or random traces with
random interleavings. The design is imported, and ``conform`` must report
nothing; a log that breaks the design must still be reported.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from cx_audit.audit.config import Config
from cx_audit.audit.conformance import conform
from cx_audit.importers import import_bpmn, journey_text
from cx_audit.io.loader import load_journey_text

from .logs import write_traces

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@dataclass(frozen=True)
class Tree:
    """A block of a process: an activity (``op`` "task") or an operator over ``parts``."""

    op: str
    parts: tuple[Tree, ...] = ()
    name: str = ""


def task(name: str) -> Tree:
    return Tree("task", name=name)


def seq(*parts: Tree) -> Tree:
    return Tree("seq", parts)


def xor(*parts: Tree) -> Tree:
    return Tree("xor", parts)


def par(*parts: Tree) -> Tree:
    return Tree("and", parts)


def inclusive(*parts: Tree) -> Tree:
    return Tree("or", parts)


def loop(body: Tree) -> Tree:
    return Tree("loop", (body,))


SKIP = Tree("seq")
"""An empty block: a choice with it may skip the other ways."""


class _Writer:
    """BPMN XML for a tree: one gateway pair per operator, a loop as a join and a split."""

    def __init__(self) -> None:
        self.elements: list[str] = []
        self.count = 0

    def new(self, element: str) -> str:
        self.count += 1
        ident = f"n{self.count}"
        self.elements.append(f'<{element} id="{ident}"/>')
        return ident

    def flow(self, source: str, target: str) -> None:
        self.count += 1
        self.elements.append(f'<sequenceFlow id="f{self.count}" sourceRef="{source}" '
                             f'targetRef="{target}"/>')

    def block(self, tree: Tree, before: str) -> str:
        """Write ``tree`` after the node ``before``; the node it ends at."""
        if tree.op == "task":
            self.count += 1
            ident = f"t{self.count}"
            self.elements.append(f'<task id="{ident}" name="{tree.name}"/>')
            self.flow(before, ident)
            return ident
        if tree.op == "seq":
            for part in tree.parts:
                before = self.block(part, before)
            return before
        if tree.op == "loop":
            join = self.new("exclusiveGateway")
            self.flow(before, join)
            end = self.block(tree.parts[0], join)
            split = self.new("exclusiveGateway")
            self.flow(end, split)
            self.flow(split, join)
            return split
        kind = {"xor": "exclusiveGateway", "and": "parallelGateway",
                "or": "inclusiveGateway"}[tree.op]
        split, join = self.new(kind), self.new(kind)
        self.flow(before, split)
        for part in tree.parts:
            self.flow(self.block(part, split), join)
        return join

    def model(self, tree: Tree) -> bytes:
        start = self.new("startEvent")
        end = self.new("endEvent")
        self.flow(self.block(tree, start), end)
        body = "".join(self.elements)
        return (f'<definitions xmlns="{BPMN_NS}" targetNamespace="t"><process id="p">{body}'
                "</process></definitions>").encode()


def bpmn_of(tree: Tree) -> bytes:
    return _Writer().model(tree)


def shuffle(traces: list[list[str]], rng: random.Random) -> list[str]:
    """One random interleaving of ``traces`` (each keeps its own order)."""
    queues = [list(t) for t in traces if t]
    out: list[str] = []
    while queues:
        queue = rng.choice(queues)
        out.append(queue.pop(0))
        if not queue:
            queues.remove(queue)
    return out


def random_trace(tree: Tree, rng: random.Random) -> list[str]:
    """A trace of ``tree``: choices, subsets and repeats at random (the design's equal odds)."""
    if tree.op == "task":
        return [tree.name]
    if tree.op == "seq":
        return [a for part in tree.parts for a in random_trace(part, rng)]
    if tree.op == "xor":
        return random_trace(rng.choice(tree.parts), rng)
    if tree.op == "loop":
        trace = random_trace(tree.parts[0], rng)
        while rng.random() < 0.5:
            trace += random_trace(tree.parts[0], rng)
        return trace
    parts = list(tree.parts)
    if tree.op == "or":
        parts = [p for p in parts if rng.random() < 0.5] or [rng.choice(parts)]
    return shuffle([random_trace(p, rng) for p in parts], rng)


def interleavings(traces: list[tuple[str, ...]]) -> Iterator[tuple[str, ...]]:
    """Every interleaving of ``traces``."""
    live = [t for t in traces if t]
    if not live:
        yield ()
        return
    for index, trace in enumerate(live):
        rest = [*live[:index], trace[1:], *live[index + 1:]]
        for tail in interleavings(rest):
            yield (trace[0], *tail)


def every_trace(tree: Tree) -> set[tuple[str, ...]]:
    """The language of a loop-free tree."""
    if tree.op == "task":
        return {(tree.name,)}
    if tree.op == "seq":
        found: set[tuple[str, ...]] = {()}
        for part in tree.parts:
            found = {a + b for a in found for b in every_trace(part)}
        return found
    if tree.op == "xor":
        return set().union(*(every_trace(p) for p in tree.parts))
    assert tree.op in ("and", "or"), "loops have no finite language"
    subsets = ([tree.parts] if tree.op == "and" else
               [c for r in range(1, len(tree.parts) + 1)
                for c in itertools.combinations(tree.parts, r)])
    found = set()
    for subset in subsets:
        for combo in itertools.product(*(every_trace(p) for p in subset)):
            found.update(interleavings(list(combo)))
    return found


def design_file(tmp_path: Path, tree: Tree) -> Path:
    result = import_bpmn(bpmn_of(tree), "design.bpmn")
    assert result.problems == []
    path = tmp_path / "design.yaml"
    path.write_text(journey_text(result), encoding="utf-8")
    return path


def findings(design: Path, log: Path) -> list[str]:
    run = conform(design, log, config=Config()).run
    assert not run.problems, run.problems
    return [f"{f.rule} {f.message}" for f in run.findings]


ORDER = seq(task("Register"), par(seq(task("Check stock"), task("Reserve")),
                                  task("Charge card"), task("Send confirmation")),
            xor(task("Ship"), task("Collect in store")), task("Close"))
NESTED = seq(task("Open"), par(task("A"), seq(task("B"), par(task("C"), task("D")))),
             inclusive(task("Email"), task("Letter"), task("Call")), xor(task("Done"), SKIP))
LOOPED = seq(task("Receive"), loop(seq(task("Review"), par(task("Legal"), task("Finance")))),
             xor(task("Accept"), task("Reject")))


@pytest.mark.parametrize("tree", [ORDER, NESTED], ids=["order", "nested"])
def test_a_design_fits_the_log_of_every_trace_it_allows(tmp_path: Path, tree: Tree) -> None:
    traces = sorted(every_trace(tree))
    assert len(traces) > 10  # the parallel work really is interleaved every way
    log = write_traces(tmp_path / "all.csv", traces * 40)
    assert findings(design_file(tmp_path, tree), log) == []


@pytest.mark.parametrize("tree", [ORDER, NESTED, LOOPED], ids=["order", "nested", "looped"])
def test_a_design_fits_random_logs_of_itself(tmp_path: Path, tree: Tree) -> None:
    design = design_file(tmp_path, tree)
    for seed in range(3):
        rng = random.Random(seed)
        log = write_traces(tmp_path / f"random{seed}.csv", [random_trace(tree, rng)
                                                         for _ in range(1500)])
        assert findings(design, log) == [], seed


def test_work_out_of_order_within_a_branch_is_reported(tmp_path: Path) -> None:
    design = design_file(tmp_path, ORDER)
    rng = random.Random(7)
    traces = [random_trace(ORDER, rng) for _ in range(200)]
    swapped = ["Register", "Reserve", "Check stock", "Charge card", "Send confirmation", "Ship",
               "Close"]
    log = write_traces(tmp_path / "bad.csv", [*traces, swapped])
    found = findings(design, log)
    assert [f for f in found if f.startswith("CX601")] == [
        "CX601 'register' -> 'reserve' is observed once (0.5% of departures from 'register'), "
        "but the map has no such transition",
        "CX601 'reserve' -> 'check-stock' is observed once (0.5% of departures from 'reserve'), "
        "but the map has no such transition"]


def test_a_sequence_does_not_fit_interleaved_work(tmp_path: Path) -> None:
    """The same activities in a row: the parallel log breaks it, so the test above could fail."""
    serial = seq(task("Register"), task("Check stock"), task("Reserve"), task("Charge card"),
                 task("Send confirmation"), xor(task("Ship"), task("Collect in store")),
                 task("Close"))
    log = write_traces(tmp_path / "all.csv", sorted(every_trace(ORDER)) * 40)
    assert any(f.startswith("CX601") for f in findings(design_file(tmp_path, serial), log))


def test_start_end_and_gateways_are_silent_and_match_no_activity(tmp_path: Path) -> None:
    journey = load_journey_text(design_file(tmp_path, ORDER).read_text("utf-8"), "d.yaml")
    shown = sorted(s.label for s in journey.steps.values() if not s.silent)
    assert shown == sorted(["Register", "Check stock", "Reserve", "Charge card",
                            "Send confirmation", "Ship", "Collect in store", "Close"])
    assert sum(s.parallel for s in journey.steps.values()) == 1
    log = write_traces(tmp_path / "events.csv", [["Start event", "Register", "End event"]])
    found = findings(design_file(tmp_path, ORDER), log)
    assert any(f.startswith("CX606") and "Start event" in f for f in found)


def gateway_heavy(branches: int) -> Tree:
    """A loop over a choice of parallel pairs, each with a skippable task: gateways galore."""
    return loop(xor(*(par(task(f"A{i}"), xor(task(f"B{i}"), SKIP)) for i in range(branches))))


def test_a_gateway_heavy_design_imports_at_the_size_of_its_activities(tmp_path: Path) -> None:
    tree = gateway_heavy(12)
    result = import_bpmn(bpmn_of(tree), "heavy.bpmn")
    journey = load_journey_text(journey_text(result), "heavy.yaml")
    gateways = bpmn_of(tree).count(b"Gateway id=")
    flows = bpmn_of(tree).count(b"<sequenceFlow")
    assert gateways > 50
    shown = [s for s in journey.steps.values() if not s.silent]
    assert len(shown) == 24
    transitions = sum(len(s.next) for s in journey.steps.values())
    assert transitions <= flows  # not a product of the gateways
    rng = random.Random(3)
    log = write_traces(tmp_path / "heavy.csv", [random_trace(tree, rng) for _ in range(3000)])
    path = tmp_path / "heavy.yaml"
    path.write_text(journey_text(result), encoding="utf-8")
    assert findings(path, log) == []
