"""The BPMN importer on real models: bpmnlint's rule fixtures and customer-service processes.

For the bpmnlint fixtures, each file of the five structural rules is
imported and audited with only the cx-audit rules that stand for the same
concept (docs/importers.md, "bpmnlint"): whether cx-audit finds anything
must match whether bpmnlint's own tests expect the file to be invalid.
Where the concepts cannot match, the case is listed in ``DISAGREEMENTS``
with its reason, and the test checks that the disagreement is still the
documented one (so that a change on either side is noticed, not hidden).
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from cx_audit.core.model import StepKind
from cx_audit.importers import import_bpmn, import_file

from .helpers import DATA, STRUCTURAL, by_source, findings, load, model_graph

FIXTURES = DATA / "bpmnlint-fixtures"
MODELS = DATA / "bpmn-customer-service"

RULE_CODES: dict[str, tuple[str, ...]] = {
    "no-disconnected": ("CX104",),
    "no-implicit-start": ("CX104",),
    "no-implicit-end": ("CX105", "CX103"),
    "start-event-required": ("CX101",),
    "end-event-required": ("CX102",),
}

SUB_PROCESS_SCOPE = (
    "bpmnlint asks every sub-process for its own start and end event; the journey flattens "
    "sub-processes into one graph, so a journey has entries and resolutions only at the "
    "top: an empty sub-process is one step and an empty event sub-process cannot be "
    "triggered and is left out (with a note)")
DISAGREEMENTS: dict[tuple[str, str], str] = {
    ("no-disconnected", "valid.bpmn"): (
        "every element has a flow, but the process has no start event, so the journey has no "
        "entry and cx-audit reports every step as unreachable (bpmnlint checks that each "
        "element is linked, cx-audit that an entry reaches it)"),
    ("start-event-required", "invalid-sub-process.bpmn"): SUB_PROCESS_SCOPE,
    ("start-event-required", "invalid-sub-process-sub-types.bpmn"): SUB_PROCESS_SCOPE,
    ("end-event-required", "invalid-sub-process.bpmn"): SUB_PROCESS_SCOPE,
    ("end-event-required", "invalid-sub-process-sub-types.bpmn"): SUB_PROCESS_SCOPE,
}


def _fixture_cases() -> list[tuple[str, str]]:
    cases = [(rule, path.name) for rule in RULE_CODES
             for path in sorted((FIXTURES / rule).glob("*.bpmn"))]
    return cases or [("absent", "absent")]


def _audit_fixture(rule: str, name: str) -> tuple[bool, list[tuple[str, str]]]:
    result = import_file("bpmn", FIXTURES / rule / name, f"{rule}/{name}")
    found = findings(load(result), RULE_CODES[rule])
    return name.startswith("invalid"), found


@pytest.mark.parametrize(("rule", "name"), _fixture_cases())
def test_bpmnlint_fixture_agrees_or_is_a_documented_disagreement(data: Path, rule: str,
                                                                 name: str) -> None:
    invalid, found = _audit_fixture(rule, name)
    if (rule, name) in DISAGREEMENTS:
        assert bool(found) != invalid, (
            f"{rule}/{name} now agrees with bpmnlint; drop it from DISAGREEMENTS and the docs")
    else:
        assert bool(found) == invalid, found


def test_bpmnlint_agreement_table(data: Path) -> None:
    """25 fixtures of the five rules: 20 agree, 5 are documented disagreements."""
    cases = _fixture_cases()
    assert len(cases) == 25
    outcomes = [_audit_fixture(rule, name) for rule, name in cases]
    agree = sum(1 for invalid, found in outcomes if bool(found) == invalid)
    assert (agree, len(cases) - agree) == (20, 5)
    assert set(DISAGREEMENTS) <= set(cases)


def test_every_bpmnlint_fixture_imports_and_loads_back(data: Path) -> None:
    paths = sorted(FIXTURES.glob("*/*.bpmn"))
    assert len(paths) == 45
    for path in paths:
        journey = load(import_file("bpmn", path))
        assert all("x-source-id" in s.extensions for s in journey.steps.values())


# -- customer-service models ------------------------------------------------------

def _model(name: str, **options: object):  # type: ignore[no-untyped-def]
    return import_file("bpmn", MODELS / name, name, **options)


EXPECTED_STRUCTURAL = {
    "kyriosdata_atendimento-telefonico.bpmn": [],
    "kyriosdata_reparo-impressora-cliente.bpmn": [],
    "kyriosdata_reparo-impressora-empresa.bpmn": [],
    "miwg_C.2.0.bpmn": [],
    "miwg_C.3.0.bpmn": [],
    # the cancellation branch ends only in abandon steps: customers who ask to cancel are lost
    "miwg_C.9.0.bpmn": [("CX103", "cancelation-requested")],
    "miwg_C.9.1.bpmn": [],
    "miwg_C.9.2.bpmn": [],
    "omg-by-example_incident-management.bpmn": [],
    "student_dsc_CustomerComplains.bpmn": [],
    # the unnamed pool's two start events lead nowhere (bpmnlint reports them too)
    "student_mp2_CustomerComplaint.bpmn": [("CX105", "start"), ("CX105", "start-2")],
}


@pytest.mark.parametrize("name", sorted(EXPECTED_STRUCTURAL))
def test_customer_service_model_structural_findings(data: Path, name: str) -> None:
    result = _model(name)
    journey = load(result)
    assert findings(journey, STRUCTURAL) == EXPECTED_STRUCTURAL[name]
    ids = list(journey.steps)
    assert len(ids) == len(set(ids))
    assert all(isinstance(s.extensions.get("x-source-id"), str) for s in journey.steps.values())


def test_the_omg_incident_model_is_structurally_clean(data: Path) -> None:
    """bpmnlint reads only incoming/outgoing and calls every node disconnected; it is not."""
    result = _model("omg-by-example_incident-management.bpmn")
    journey = load(result)
    assert findings(journey, STRUCTURAL) == []
    assert result.notes == []
    # 10 flow nodes, of which 2 gateways are collapsed; of the 11 flows, the 6 that meet a
    # gateway become 4 transitions, so there are 9
    assert len(journey.steps) == 8
    assert sum(len(s.next) for s in journey.steps.values()) == 9
    assert [s.label for s in journey.entries] == ["Issue received"]
    assert [s.kind for s in journey.steps.values()].count(StepKind.RESOLUTION) == 1
    steps = journey.steps
    assert steps["edit-2nd-level-ticket"].owner == "2nd level support"  # tns: QNames resolved
    escalate = {t.target: t for t in steps["edit-1st-level-ticket"].next}["edit-2nd-level-ticket"]
    assert escalate.label == "Result? 2nd level issue" and escalate.handoff is not None


def test_amazon_order_keeps_its_two_loops_and_its_message_handoffs(data: Path) -> None:
    result = _model("miwg_C.2.0.bpmn")
    journey = load(result)
    graph = model_graph(journey)
    loops = [set(c) for c in nx.simple_cycles(graph)]
    assert {"browse-products-on-amazon", "add-item-to-cart"} in loops  # "Done shopping? No"
    assert {"pay-order"} in loops  # "Retry? Yes"
    handoffs = [(s.id, t.target) for s in journey.steps.values() for t in s.next
                if t.handoff is not None]
    # 5 message flows; the card company's reply leads on from "Pay Order" along its 3
    # routes, so they give 7 handoffs; and one lane change in Amazon's pool (Picker -> Packager)
    assert len(handoffs) == 8
    assert ("place-in-bin", "receive-and-package-items") in handoffs
    assert [s.id for s in journey.entries] == ["start"]
    assert any("4 processes" in n for n in result.notes)


@pytest.mark.parametrize("name", ["miwg_C.9.0.bpmn", "miwg_C.9.2.bpmn"])
def test_event_sub_processes_are_not_dead_ends(data: Path, name: str) -> None:
    journey = load(_model(name, abandon_words=()))
    assert findings(journey, STRUCTURAL) == []
    triggers = [t for s in journey.steps.values() for t in s.next
                if t.label and t.label.startswith(("interrupts: ", "while running: "))]
    assert len({t.target for t in triggers}) == (2 if name == "miwg_C.9.0.bpmn" else 3)


def test_the_document_request_chases_the_customer(data: Path) -> None:
    journey = load(_model("miwg_C.9.1.bpmn"))
    wait = journey.steps["wait-for-answer"]
    assert {t.target: t.label for t in wait.next} == {
        "document-received": None, "send-reminder-email": "daily", "call-customer": "1 week"}


def test_the_complaint_loop_between_customer_and_company(data: Path) -> None:
    journey = load(_model("student_mp2_CustomerComplaint.bpmn"))
    graph = model_graph(journey)
    loops = [set(c) for c in nx.simple_cycles(graph)]
    assert any({"send-complaint", "receive-complaint", "feedback-received"} <= c for c in loops)
    assert journey.steps["feedback-received"].kind is StepKind.STEP  # reached by message
    by_id = by_source(journey)
    assert by_id["Event_1vfyvv7"] == ["receive-complaint"]


def test_the_fridge_repair_keeps_the_empty_sub_process_as_one_step(data: Path) -> None:
    journey = load(_model("miwg_C.3.0.bpmn"))
    repair = journey.steps["perform-emergency-repair"]
    assert repair.extensions["x-source-id"] == "_cd6f230f-13c3-4027-aa3e-57de601a1ab2"
    assert {t.label for t in repair.next} == {"Successful? yes", "Successful? no"}


def test_one_pool_of_a_collaboration(data: Path) -> None:
    result = _model("miwg_C.2.0.bpmn", process="Customer")
    journey = load(result)
    assert all(s.owner == "Customer" for s in journey.steps.values())
    assert len(result.notes) == 5
    assert all("in a process that was not imported" in n for n in result.notes)


def test_bytes_and_path_give_the_same_journey(data: Path) -> None:
    path = MODELS / "kyriosdata_atendimento-telefonico.bpmn"
    assert import_bpmn(path.read_bytes(), path.name).document == _model(path.name).document
