"""Gateways on import: choices collapse, parallel splits and costly groups stay as silent steps."""

from __future__ import annotations

from cx_audit.importers import import_bpmn, journey_text
from cx_audit.importers.bpmn import JUNCTION_FACTOR

from .helpers import by_source, load
from .test_hostile_imports import bpmn, timed


def feedback_chain(count: int) -> bytes:
    """``count`` tasks, each leaving from one gateway of a chain and feeding back to its head."""
    parts = ['<startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="g0"/>']
    for i in range(count):
        parts.append(f'<exclusiveGateway id="g{i}"/><task id="t{i}" name="T{i}"/>'
                     f'<sequenceFlow id="y{i}" sourceRef="g{i}" targetRef="g{i + 1}"/>'
                     f'<sequenceFlow id="n{i}" sourceRef="g{i}" targetRef="t{i}"/>'
                     f'<sequenceFlow id="b{i}" sourceRef="t{i}" targetRef="g0"/>')
    parts.append(f'<exclusiveGateway id="g{count}"/><endEvent id="e"/>'
                 f'<sequenceFlow id="z" sourceRef="g{count}" targetRef="e"/>')
    return bpmn("".join(parts))


def test_steps_feeding_back_into_a_long_gateway_chain_give_linear_transitions() -> None:
    result = timed(lambda: import_bpmn(feedback_chain(2000), "chain.bpmn"))  # was quadratic
    journey = load(result)
    transitions = sum(len(s.next) for s in journey.steps.values())
    assert transitions <= 3 * 2000 + 2  # each task: one; each gateway: two; not 4 million
    ids = by_source(journey)
    head = journey.steps[ids["g0"][0]]
    assert head.silent and not head.parallel
    assert {t.target for t in head.next} == {ids["g1"][0], ids["t0"][0]}
    assert [t.target for t in journey.steps[ids["t5"][0]].next] == [ids["g0"][0]]
    assert any("kept as silent routing steps" in n and "4,004,001" in n for n in result.notes)


def test_a_small_group_of_choices_still_collapses() -> None:
    body = ('<startEvent id="s"/><task id="a" name="A"/><task id="b" name="B"/>'
            '<exclusiveGateway id="g"/><task id="c" name="C"/><task id="d" name="D"/>'
            '<endEvent id="e"/>'
            '<sequenceFlow id="f1" sourceRef="s" targetRef="a"/>'
            '<sequenceFlow id="f2" sourceRef="s" targetRef="b"/>'
            '<sequenceFlow id="f3" sourceRef="a" targetRef="g"/>'
            '<sequenceFlow id="f4" sourceRef="b" targetRef="g"/>'
            '<sequenceFlow id="f5" sourceRef="g" targetRef="c"/>'
            '<sequenceFlow id="f6" sourceRef="g" targetRef="d"/>'
            '<sequenceFlow id="f7" sourceRef="c" targetRef="e"/>'
            '<sequenceFlow id="f8" sourceRef="d" targetRef="e"/>')
    journey = load(import_bpmn(bpmn(body), "small.bpmn"))
    assert "g" not in by_source(journey)
    assert sorted(t.target for t in journey.steps["a"].next) == ["c", "d"]
    assert journey.steps["start"].silent and journey.steps["end"].silent
    assert not any(journey.steps[k].silent for k in "abcd")


def test_the_junction_threshold_is_the_documented_one() -> None:
    """Twelve tasks into one gateway and out to twelve: 144 pairs against 25 steps and flows."""
    count = 12
    parts = ['<startEvent id="s"/><exclusiveGateway id="g"/><endEvent id="e"/>']
    for i in range(count):
        parts.append(f'<task id="a{i}" name="A{i}"/><task id="b{i}" name="B{i}"/>'
                     f'<sequenceFlow id="s{i}" sourceRef="s" targetRef="a{i}"/>'
                     f'<sequenceFlow id="i{i}" sourceRef="a{i}" targetRef="g"/>'
                     f'<sequenceFlow id="o{i}" sourceRef="g" targetRef="b{i}"/>'
                     f'<sequenceFlow id="e{i}" sourceRef="b{i}" targetRef="e"/>')
    journey = load(import_bpmn(bpmn("".join(parts)), "hub.bpmn"))
    assert count * count > JUNCTION_FACTOR * (2 * count + 1)
    assert "g" in by_source(journey)
    assert journey_text(import_bpmn(bpmn("".join(parts)), "hub.bpmn")).count("to: ") < 4 * count
