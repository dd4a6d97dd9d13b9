"""The Amazon Connect importer: both JSON shapes, every edge type, shields, handoffs and ends."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from cx_audit.core.model import Journey, StepKind
from cx_audit.importers import import_connect, import_file

from .helpers import DATA, by_source, findings, load, model_graph

FLOWS = DATA / "journeys" / "amazon-connect"
SAMPLE = "callback-mgmt_sample-interruptible-queue-flow-with-callback.json"
TRANSFER = "callback-mgmt_test_callback_contact_flow.json"
MENU = "dynamic-ivr-menus_DemoMenu.json"


def raw_edges(document: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(source, target, kind) of every edge the file itself holds."""
    if "Actions" in document:
        out = []
        for action in document["Actions"]:
            transitions = action.get("Transitions", {})
            if transitions.get("NextAction"):
                out.append((action["Identifier"], transitions["NextAction"], "next"))
            out += [(action["Identifier"], c["NextAction"], "condition")
                    for c in transitions.get("Conditions", [])]
            out += [(action["Identifier"], e["NextAction"], "error")
                    for e in transitions.get("Errors", [])]
        return out
    return [(m["id"], b["transition"], "branch") for m in document["modules"]
            for b in m["branches"]]


def cycles(journey: Journey) -> list[set[str]]:
    graph = model_graph(journey)
    return [c for c in nx.strongly_connected_components(graph) if len(c) > 1]


def read(name: str) -> tuple[dict[str, Any], Journey, list[str]]:
    result = import_file("connect", FLOWS / name, name)
    return json.loads((FLOWS / name).read_bytes()), load(result), result.notes


def assert_every_edge_kept(document: dict[str, Any], journey: Journey) -> None:
    """Each edge of the file is a transition between the steps of its two actions."""
    steps = by_source(journey)
    for source, target, kind in raw_edges(document):
        [origin] = steps[source]
        reached = {journey.steps[t.target].extensions.get("x-source-id")
                   for t in journey.steps[origin].next}
        transfer = journey.steps[origin].shield == "queue" and kind == "next"
        if transfer:  # a successful transfer ends the flow: it goes to the agent instead
            assert "agent" in {t.target for t in journey.steps[origin].next}
        else:
            assert target in reached, (source, target, kind)


# -- the real flows ---------------------------------------------------------------

def test_interruptible_queue_flow(data: Path) -> None:
    """11 actions, 20 edges (13 distinct pairs of actions), 1 loop: the retry on a bad number."""
    document, journey, notes = read(SAMPLE)
    assert notes == []
    assert len(raw_edges(document)) == 20
    assert len({(s, t) for s, t, _ in raw_edges(document)}) == 13
    assert_every_edge_kept(document, journey)
    action_steps = [s for s in journey.steps.values() if "x-source-id" in s.extensions]
    assert len({s.extensions["x-source-id"] for s in action_steps}) == 11
    # 13 pairs, plus "stays in queue" -> agent; the split disconnect adds no transition
    assert sum(len(s.next) for s in journey.steps.values()) == 14
    [loop] = cycles(journey)
    assert {journey.steps[s].extensions["x-source-id"] for s in loop} == {
        "2ff07095-d5f5-48e8-9162-908eb7f1fb27", "ba9f1975-964d-4113-aa61-329f5227fe21",
        "bb25d7fc-cd15-44b6-8427-0e6e0d0358dc"}
    [entry] = journey.entries
    assert (entry.extensions["x-source-id"], entry.shield) == (document["StartAction"], "hold")
    shields = sorted(s.shield for s in journey.steps.values() if s.shield)
    assert shields == ["callback", "hold", "ivr", "ivr", "queue"]
    menu = journey.steps["menu-press-1-if-you-want-to-receieve-a-callback"]
    labels = {t.target: t.label for t in menu.next}
    assert labels["ask-for-input-enter-the-number-you-would-like"] == "pressed 1"
    assert labels["stay-in-queue"] == ("default; pressed 2; error: InputTimeLimitExceeded; "
                                       "error: NoMatchingCondition; error: NoMatchingError")
    # a customer queue flow that ends leaves the contact in the queue, for an agent
    stay = journey.steps["stay-in-queue"]
    assert [(t.target, t.handoff.value if t.handoff else None) for t in stay.next] == [
        ("agent", "warm")]
    # the one disconnect is reached after a callback is booked and after an error
    kinds = {s.kind for s in journey.steps.values()
             if s.extensions.get("x-source-id") == "5551df8f-cd35-4160-8ab4-b5d8b4a396c2"}
    assert kinds == {StepKind.RESOLUTION, StepKind.ABANDON}
    assert journey.steps["agent"].kind is StepKind.RESOLUTION
    assert journey.steps["agent"].actor.value == "frontline"


def test_transfer_to_queue_flow(data: Path) -> None:
    """8 actions, 12 edges (7 distinct pairs), no loop; the queue hands over to an agent."""
    document, journey, notes = read(TRANSFER)
    assert len(raw_edges(document)) == 12
    assert len({(s, t) for s, t, _ in raw_edges(document)}) == 7
    assert_every_edge_kept(document, journey)
    assert cycles(journey) == []
    assert len(journey.steps) == 9 and sum(len(s.next) for s in journey.steps.values()) == 8
    transfer = journey.steps["transfer-to-queue"]
    assert transfer.shield == "queue"
    to_agent = {t.target: t for t in transfer.next}["agent"]
    assert to_agent.handoff is not None and to_agent.handoff.value == "warm"
    # queue at capacity or a failed transfer hangs up on the customer
    assert journey.steps["disconnect"].kind is StepKind.ABANDON
    [note] = notes
    assert "f0401875-de1b-486d-acf9-5661752bf8db" in note and "replaced" in note
    assert journey.steps["set-working-queue-basicqueue"].label == "Set working queue BasicQueue"
    assert findings(journey) == []


def test_older_console_export(data: Path) -> None:
    """11 modules, 15 branch edges, 1 loop (the menu is asked again on '*')."""
    document, journey, notes = read(MENU)
    assert notes == []
    assert len(raw_edges(document)) == 15
    assert_every_edge_kept(document, journey)
    assert sum(len(s.next) for s in journey.steps.values()) == 15
    [loop] = cycles(journey)
    assert "ask-for-input-external-menu" in loop
    assert journey.steps["ask-for-input-external-menu"].shield == "ivr"
    assert journey.entries[0].extensions["x-source-id"] == document["start"]
    # the one disconnect ends both the menu's answer (resolution) and the error prompts (abandon)
    assert journey.steps["disconnect"].kind is StepKind.RESOLUTION
    assert journey.steps["disconnect-after-an-error"].kind is StepKind.ABANDON
    assert [t.target for t in journey.steps["play-error"].next] == ["disconnect-after-an-error"]
    error_branch = {t.target: t.label for t in journey.steps["set-attributes"].next}
    assert error_branch == {"check-attribute": "success", "play-error": "error: Error"}


# -- small flows ----------------------------------------------------------------

def flow(*actions: dict[str, Any], start: str = "a", flow_type: str = "contactFlow") -> bytes:
    return json.dumps({"Version": "2019-10-30", "StartAction": start,
                       "Metadata": {"name": "Small flow", "type": flow_type},
                       "Actions": list(actions)}).encode()


def action(ident: str, type_: str, next_: str | None = None, errors: dict[str, str] | None = None,
           conditions: dict[str, str] | None = None, **parameters: Any) -> dict[str, Any]:
    transitions: dict[str, Any] = {}
    if next_:
        transitions["NextAction"] = next_
    if conditions:
        transitions["Conditions"] = [{"NextAction": t, "Condition": {
            "Operator": "Equals", "Operands": [v]}} for v, t in conditions.items()]
    if errors:
        transitions["Errors"] = [{"NextAction": t, "ErrorType": e} for e, t in errors.items()]
    return {"Identifier": ident, "Type": type_, "Parameters": parameters,
            "Transitions": transitions}


def test_loops_and_error_branches_are_kept() -> None:
    data = flow(
        action("a", "GetParticipantInput", "bye", {"NoMatchingCondition": "sorry"},
               {"1": "agentq", "9": "a"}, Text="Press 1 for an agent, 9 to hear this again"),
        action("sorry", "MessageParticipant", "a", Text="Sorry, I did not get that."),
        action("agentq", "TransferContactToQueue", None, {"QueueAtCapacity": "bye"}),
        action("bye", "DisconnectParticipant"),
    )
    result = import_connect(data, "small.json")
    journey = load(result)
    assert journey.id == "small-flow"
    menu = journey.entries[0]
    assert menu.shield == "ivr" and menu.kind is StepKind.ENTRY
    targets = {t.target: t.label for t in menu.next}
    assert targets[menu.id] == "pressed 9"  # the menu repeats itself: a loop on one step
    assert targets["play-sorry-i-did-not-get-that"] == "error: NoMatchingCondition"
    assert [t.target for t in journey.steps["play-sorry-i-did-not-get-that"].next] == [menu.id]
    # the disconnect is reached by the menu's default (normal) and a full queue (error)
    assert journey.steps["disconnect"].kind is StepKind.RESOLUTION
    assert journey.steps["disconnect-after-an-error"].kind is StepKind.ABANDON
    queue = journey.steps["transfer-to-queue"]
    assert {t.target for t in queue.next} == {"agent", "disconnect-after-an-error"}


def test_a_terminal_start_gets_an_entry_in_front() -> None:
    journey = load(import_connect(flow(action("a", "DisconnectParticipant")), "x.json"))
    assert [s.id for s in journey.entries] == ["contact-arrives"]
    assert journey.steps["disconnect"].kind is StepKind.RESOLUTION


def test_end_flow_in_an_inbound_flow_ends_the_contact() -> None:
    data = flow(action("a", "MessageParticipant", "b", {"NoMatchingError": "b"}, Text="Hi"),
                action("b", "EndFlowExecution"))
    steps = load(import_connect(data, "x.json")).steps
    assert steps["end-flow"].kind is StepKind.RESOLUTION


def test_unknown_types_and_dangling_targets_are_noted() -> None:
    data = flow(action("a", "DoSomethingNew", "gone"), action("b", "DisconnectParticipant"))
    result = import_connect(data, "x.json")
    journey = load(result)
    assert journey.steps["do-something-new"].extensions["x-source-id"] == "a"
    assert any("'DoSomethingNew'" in n and "a " in n for n in result.notes)
    assert any("'gone'" in n for n in result.notes)
    assert ("CX105", "do-something-new") in findings(journey)


def test_old_export_transfer_to_queue() -> None:
    data = json.dumps({"modules": [
        {"id": "m1", "type": "PlayPrompt", "branches": [{"condition": "Success",
                                                         "transition": "m2"}],
         "parameters": [{"name": "Text", "value": "Hello"}]},
        {"id": "m2", "type": "Transfer", "target": "Queue", "branches": [
            {"condition": "AtCapacity", "transition": "m3"},
            {"condition": "Error", "transition": "m3"}]},
        {"id": "m3", "type": "Disconnect", "branches": []},
    ], "start": "m1", "metadata": {"name": "Old"}}).encode()
    journey = load(import_connect(data, "old.json"))
    steps = journey.steps
    assert steps["transfer-to-queue"].shield == "queue"
    assert {t.target: t.label for t in steps["transfer-to-queue"].next} == {
        "agent": "an agent answers", "disconnect": "error: AtCapacity; error: Error"}
    assert steps["disconnect"].kind is StepKind.ABANDON


@pytest.mark.parametrize(("data", "position", "words"), [
    (b'{"Actions": [\n  {"Identifier": "a",}\n]}', (2, 22), "invalid JSON"),
    (b"", (1, 1), "invalid JSON"),
    (b'{"Version": "2019-10-30"}', (1, 1), "not an Amazon Connect contact flow"),
    (b"[1, 2]", (1, 1), "not an Amazon Connect contact flow"),
    (b"\xff\xfe\x00garbage", (1, 1), ""),
    (b"[" * 100_000 + b"]" * 100_000, (1, 1), "nested too deeply"),
])
def test_bad_input_is_a_problem_with_its_position(data: bytes, position: tuple[int, int],
                                                  words: str) -> None:
    result = import_connect(data, "bad.json")
    [problem] = result.problems
    assert (problem.file, (problem.line, problem.column)) == ("bad.json", position)
    assert words in problem.message
    assert result.document == {}
