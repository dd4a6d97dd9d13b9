"""Importer inputs that used to take minutes, crash or write a journey the loader refuses.

Each input is generated here from its description (none is committed): the
import must finish within a few seconds, give located problems for bad
input, and write text that the loader reads back.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cx_audit.importers import (
    ImportResult,
    import_bpmn,
    import_connect,
    import_mermaid,
    journey_text,
)
from cx_audit.importers.bpmn import ROUTE_BUDGET
from cx_audit.importers.drafts import TEXT_MAX
from cx_audit.io.loader import MAX_FILE_BYTES

from .helpers import load

NS = 'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" targetNamespace="t"'
SECONDS = 20.0
"""A generous bound on a shared two-core machine; each import takes well under it alone."""


def timed(run: Callable[[], ImportResult]) -> ImportResult:
    start = time.perf_counter()
    result = run()
    text = journey_text(result) if result.document else ""
    elapsed = time.perf_counter() - start
    assert elapsed < SECONDS, f"{elapsed:.1f} s"
    assert len(text.encode()) < MAX_FILE_BYTES
    return result


def bpmn(body: str) -> bytes:
    return f'<definitions {NS}><process id="p">{body}</process></definitions>'.encode()


def gateway_diamonds(count: int) -> bytes:
    """``count`` gateways in a row, each with two named flows to the next: 2**count routes."""
    parts = ['<startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="g0"/>']
    for i in range(count):
        parts.append(f'<exclusiveGateway id="g{i}" name="Q{i}?"/>'
                     f'<sequenceFlow id="y{i}" name="yes" sourceRef="g{i}" targetRef="g{i + 1}"/>'
                     f'<sequenceFlow id="n{i}" name="no" sourceRef="g{i}" targetRef="g{i + 1}"/>')
    parts.append(f'<exclusiveGateway id="g{count}"/><endEvent id="e" name="Done"/>'
                 f'<sequenceFlow id="z" sourceRef="g{count}" targetRef="e"/>')
    return bpmn("".join(parts))


def test_chained_gateways_with_named_flows_take_linear_time() -> None:
    result = timed(lambda: import_bpmn(gateway_diamonds(24), "diamonds.bpmn"))
    journey = load(result)
    start = journey.steps["start"]
    assert [t.target for t in start.next] == ["done"]  # one transition, not 16 million
    assert any(f"over {ROUTE_BUDGET:,}" in note for note in result.notes)


def test_a_few_chained_gateways_keep_their_labels() -> None:
    journey = load(import_bpmn(gateway_diamonds(2), "diamonds.bpmn"))
    label = journey.steps["start"].next[0].label or ""
    assert "Q0? yes / Q1? yes" in label and "Q0? no / Q1? no" in label


@pytest.mark.slow
def test_five_thousand_chained_gateways() -> None:
    parts = ['<startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="g0"/>']
    for i in range(5000):
        parts.append(f'<exclusiveGateway id="g{i}" name="Q{i}?"/><task id="t{i}" name="T{i}"/>'
                     f'<sequenceFlow id="y{i}" name="yes" sourceRef="g{i}" targetRef="g{i + 1}"/>'
                     f'<sequenceFlow id="n{i}" name="no" sourceRef="g{i}" targetRef="t{i}"/>'
                     f'<sequenceFlow id="d{i}" sourceRef="t{i}" targetRef="e"/>')
    parts.append('<exclusiveGateway id="g5000"/><endEvent id="e"/>'
                 '<sequenceFlow id="z" sourceRef="g5000" targetRef="e"/>')
    journey = load(timed(lambda: import_bpmn(bpmn("".join(parts)), "chain.bpmn")))
    assert len(journey.steps["start"].next) == 5001  # every task, and the end


def test_same_named_link_events_go_through_one_step() -> None:
    parts = ['<startEvent id="s"/><endEvent id="e"/>']
    for i in range(1000):
        parts.append(
            f'<task id="t{i}" name="T{i}"/><task id="u{i}" name="U{i}"/>'
            f'<sequenceFlow id="a{i}" sourceRef="s" targetRef="t{i}"/>'
            f'<sequenceFlow id="b{i}" sourceRef="t{i}" targetRef="lt{i}"/>'
            f'<intermediateThrowEvent id="lt{i}"><linkEventDefinition name="L"/>'
            f'</intermediateThrowEvent><intermediateCatchEvent id="lc{i}">'
            f'<linkEventDefinition name="L"/></intermediateCatchEvent>'
            f'<sequenceFlow id="c{i}" sourceRef="lc{i}" targetRef="u{i}"/>'
            f'<sequenceFlow id="d{i}" sourceRef="u{i}" targetRef="e"/>')
    journey = load(timed(lambda: import_bpmn(bpmn("".join(parts)), "links.bpmn")))
    hub = journey.steps["link-l"]
    assert len(hub.next) == 1000
    assert [t.target for t in journey.steps["t0"].next] == ["link-l"]
    assert sum(len(s.next) for s in journey.steps.values()) < 5000  # not a million


def test_a_huge_name_is_cut_and_noted() -> None:
    name = "x" * 20_000_000
    result = timed(lambda: import_bpmn(bpmn(
        f'<startEvent id="s"/><task id="t" name="{name}"/><endEvent id="e"/>'
        '<sequenceFlow id="a" sourceRef="s" targetRef="t"/>'
        '<sequenceFlow id="b" sourceRef="t" targetRef="e"/>'), "big.bpmn"))
    journey = load(result)
    step = next(s for s in journey.steps.values() if s.extensions.get("x-source-id") == "t")
    assert len(step.label) == TEXT_MAX and step.label.endswith("…")
    assert any("20,000,000 characters" in note for note in result.notes)
    assert all(len(note) <= 2 * TEXT_MAX for note in result.notes)


def connect(actions: list[dict[str, Any]], **top: Any) -> bytes:
    return json.dumps({"Version": "2019-10-30", "StartAction": "a0", "Actions": actions,
                       **top}).encode()


@pytest.mark.slow
def test_a_long_connect_chain_takes_linear_time() -> None:
    count = 20_000
    actions: list[dict[str, Any]] = [
        {"Identifier": f"a{i}", "Type": "MessageParticipant", "Parameters": {"Text": f"m{i}"},
         "Transitions": {"NextAction": f"a{i + 1}",
                         "Errors": [{"NextAction": "lost", "ErrorType": "NoMatchingError"}]}}
        for i in range(count)]
    actions += [{"Identifier": f"a{count}", "Type": "DisconnectParticipant", "Transitions": {}},
                {"Identifier": "lost", "Type": "DisconnectParticipant", "Transitions": {}}]
    result = timed(lambda: import_connect(connect(actions), "chain.json"))
    assert not result.problems  # loading 20,000 steps back is the loader's test, not this one
    kinds = {s["x-source-id"]: s.get("kind") for s in result.document["steps"].values()}
    assert kinds[f"a{count}"] == "resolution" and kinds["lost"] == "abandon"


@pytest.mark.slow
def test_a_menu_of_a_hundred_thousand_conditions() -> None:
    conditions = [{"NextAction": "bye", "Condition": {"Operator": "Equals", "Operands": [str(i)]}}
                  for i in range(100_000)]
    actions = [{"Identifier": "a0", "Type": "GetParticipantInput", "Parameters": {"Text": "Hi"},
                "Transitions": {"NextAction": "bye", "Conditions": conditions}},
               {"Identifier": "bye", "Type": "DisconnectParticipant", "Transitions": {}}]
    journey = load(timed(lambda: import_connect(connect(actions), "menu.json")))
    label = journey.steps["menu-hi"].next[0].label or ""
    assert label.startswith("default; pressed 0; pressed 1") and len(label) <= TEXT_MAX


@pytest.mark.parametrize(("change", "path"), [
    (lambda a: a[0]["Transitions"].update(Conditions=5), "Actions[0].Transitions.Conditions"),
    (lambda a: a[0]["Transitions"].update(Errors=5), "Actions[0].Transitions.Errors"),
    (lambda a: a.insert(0, 5), "Actions[0] must be an object, not a number"),
    (lambda a: a[0].update(Identifier=["a0"]), "Actions[0].Identifier must be a string"),
])
def test_connect_fields_of_the_wrong_type_are_located_problems(
        change: Callable[[list[dict[str, Any]]], None], path: str) -> None:
    actions: list[Any] = [{"Identifier": "a0", "Type": "DisconnectParticipant",
                           "Transitions": {}}]
    change(actions)
    result = import_connect(connect(actions), "flow.json")
    assert result.document == {} and len(result.problems) == 1
    problem = result.problems[0]
    assert (problem.line, problem.column) == (1, 1) and path in problem.message


def test_connect_metadata_type_and_modules_of_the_wrong_type() -> None:
    listed = import_connect(connect([], Metadata={"type": ["x"]}), "flow.json")
    assert [p.message for p in listed.problems] == ["Metadata.type must be a string, not a list"]
    export = import_connect(b'{"modules": [5]}', "old.json")
    assert [p.message for p in export.problems] == ["modules[0] must be an object, not a number"]


def test_the_command_reports_a_wrong_type_with_exit_2(tmp_path: Path) -> None:
    flow = tmp_path / "flow.json"
    flow.write_text('{"Actions": [{"Identifier": "a", "Transitions": {"Errors": 5}}]}')
    done = subprocess.run([sys.executable, "-m", "cx_audit", "import", "connect", str(flow)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2, done.stderr
    assert f"{flow}:1:1: Actions[0].Transitions.Errors must be a list" in done.stderr
    assert "internal error" not in done.stderr and done.stdout == ""


def test_control_characters_and_surrogates_from_connect_stay_inert() -> None:
    flow = connect([{"Identifier": "a0", "Type": "Mystery\x1b]0;pwned\x07",
                     "Parameters": {"Text": "\ud800"}, "Transitions": {}}],
                   Metadata={"name": "Line\x1b[2J\ud800"})
    result = import_connect(flow, "flow.json")
    text = journey_text(result)
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert header and not any("\x1b" in line or "\x07" in line for line in header)
    journey = load(result)
    assert journey.title == "Line\x1b[2J\ufffd"


@pytest.mark.parametrize("score", ["inf", "1e400", "-inf", "nan"])
def test_mermaid_scores_that_are_not_finite_are_located(score: str) -> None:
    result = import_mermaid(f"journey\n  section A\n    Task: {score}: me\n".encode(), "d.mmd")
    assert [(p.line, p.column) for p in result.problems] == [(3, 11)]
    assert "whole number from 1" in result.problems[0].message


@pytest.mark.slow
def test_a_hundred_thousand_mermaid_tasks_of_one_name() -> None:
    text = "journey\n  section S\n" + "    Task: 3: customer\n" * 100_000
    result = timed(lambda: import_mermaid(text.encode(), "big.mmd"))
    steps = result.document["steps"]
    assert not result.problems and len(steps) == 100_001 and "task-100000" in steps
