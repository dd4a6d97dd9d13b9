"""Connect flows: the small share of error branches, and the older export's customer-queue flows."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cx_audit.analysis.metrics import analyse
from cx_audit.cli import app
from cx_audit.core.model import Journey, StepKind
from cx_audit.importers import DEFAULT_ERROR_SHARE, import_connect, import_file

from .helpers import DATA, findings, load
from .test_connect import action, flow

FLOWS = DATA / "journeys" / "amazon-connect"


def old_export(*modules: dict[str, Any], start: str, flow_type: str) -> bytes:
    """An older console export (``modules`` with ``branches``)."""
    return json.dumps({"modules": list(modules), "version": "1", "type": flow_type,
                       "start": start, "metadata": {"name": "Queue", "type": flow_type}}).encode()


def module(ident: str, type_: str, *branches: tuple[str, str], target: str | None = None,
           **parameters: Any) -> dict[str, Any]:
    """A module; an ``Evaluate`` branch is the answer ``1``."""
    out: dict[str, Any] = {
        "id": ident, "type": type_,
        "branches": [{"condition": c, "transition": t} | (
            {"conditionType": "Equals", "conditionValue": "1"} if c == "Evaluate" else {})
            for c, t in branches],
        "parameters": [{"name": k, "value": v} for k, v in parameters.items()]}
    if target:
        out["target"] = target
    return out


def shares(journey: Journey, step: str) -> dict[str, tuple[float, float | None]]:
    """target -> (the probability used, the ``p`` written) of a step's transitions."""
    return {t.target: (t.probability, t.p_given) for t in journey.steps[step].next}


MENU = flow(
    action("a", "GetParticipantInput", "bye", {"NoMatchingCondition": "sorry",
                                                "InputTimeLimitExceeded": "sorry"},
           {"1": "queue"}, Text="Press 1 for an agent"),
    action("sorry", "MessageParticipant", "cut", Text="Sorry, something went wrong."),
    action("queue", "TransferContactToQueue", None, {"QueueAtCapacity": "cut"}),
    action("bye", "DisconnectParticipant"),
    action("cut", "DisconnectParticipant"),
)


# -- the error share ---------------------------------------------------------------------------

def test_each_error_branch_gets_the_share_and_the_normal_routes_split_the_rest() -> None:
    journey = load(import_connect(MENU, "menu.json", error_share=0.05))
    menu = journey.entries[0].id
    got = shares(journey, menu)
    # two error branches lead to one prompt: one transition with both shares
    assert got["play-sorry-something-went-wrong"] == pytest.approx((0.1, 0.1))
    normal = [prob for target, (prob, p) in got.items() if p is None]
    assert len(normal) == 2 and normal == pytest.approx([0.45, 0.45])
    assert shares(journey, "transfer-to-queue")["disconnect-2"][1] == pytest.approx(0.05)


def test_the_default_share_is_small_and_written_on_the_error_transitions() -> None:
    result = import_connect(MENU, "menu.json")
    steps = result.document["steps"]
    written = [t for step in steps.values() for t in step.get("next", [])
               if isinstance(t, dict) and "p" in t]
    assert written and all(t["label"].startswith("error:") for t in written)
    assert {t["p"] for t in written} == {DEFAULT_ERROR_SHARE, 2 * DEFAULT_ERROR_SHARE}
    assert 0 < DEFAULT_ERROR_SHARE <= 0.05


def test_a_smaller_error_share_resolves_more() -> None:
    def resolution(share: float) -> float:
        return analyse(load(import_connect(MENU, "menu.json", error_share=share))
                       ).metrics.p_resolution

    figures = [resolution(s) for s in (0.0, 0.02, 0.1, 0.3)]
    assert figures == sorted(figures, reverse=True) and len(set(figures)) == 4
    # with no errors at all, nobody reaches the error prompt's disconnect
    assert figures[0] == pytest.approx(1.0)


def test_an_error_branch_that_is_also_the_normal_route_is_a_normal_route() -> None:
    data = flow(action("a", "MessageParticipant", "b", {"NoMatchingError": "b"}, Text="Hi"),
                action("b", "MessageParticipant", "c", Text="Bye"),
                action("c", "DisconnectParticipant"))
    result = import_connect(data, "x.json")
    [transition] = result.document["steps"]["play-hi"]["next"]
    assert "p" not in transition and transition["label"] == "success; error: NoMatchingError"


def test_a_step_with_only_error_branches_splits_them_evenly() -> None:
    data = flow(action("a", "InvokeLambdaFunction", None, {"NoMatchingError": "b",
                                                           "TimeLimitExceeded": "c"}),
                action("b", "DisconnectParticipant"), action("c", "DisconnectParticipant"))
    journey = load(import_connect(data, "x.json"))
    assert {p for _prob, p in shares(journey, journey.entries[0].id).values()} == {None}


def test_error_shares_that_would_take_everyone_fall_back_to_the_even_split() -> None:
    result = import_connect(MENU, "menu.json", error_share=0.6)
    journey = load(result)
    assert {p for _prob, p in shares(journey, journey.entries[0].id).values()} == {None}
    assert any("error branches whose shares would take every contact" in n
               for n in result.notes)


@pytest.mark.parametrize("share", [1.0, -0.1, math.nan])
def test_an_error_share_outside_zero_to_one_is_refused(share: float) -> None:
    with pytest.raises(ValueError, match="error share"):
        import_connect(MENU, "menu.json", error_share=share)


def test_the_command_line_option(tmp_path: Path) -> None:
    source = tmp_path / "menu.json"
    source.write_bytes(MENU)
    runner = CliRunner()
    ran = runner.invoke(app, ["import", "connect", str(source), "--error-share", "0.07"])
    assert ran.exit_code == 0, ran.output
    assert "p: 0.07" in ran.stdout and "p: 0.14" in ran.stdout
    assert f"{DEFAULT_ERROR_SHARE:g}" in runner.invoke(app, ["import", "--help"]).stdout
    refused = runner.invoke(app, ["import", "connect", str(source), "--error-share", "1"])
    assert refused.exit_code == 2 and "below 1" in refused.output
    bpmn = runner.invoke(app, ["import", "bpmn", str(source), "--error-share", "0.1"])
    assert bpmn.exit_code == 2 and "Amazon Connect flows only" in bpmn.output


@pytest.mark.parametrize("name", sorted(p.name for p in FLOWS.glob("*.json"))
                         if FLOWS.is_dir() else [])
def test_real_flows_resolve_most_contacts(name: str) -> None:
    """Before, each error branch took an equal share and most customers 'failed'."""
    even = analyse(load(import_file("connect", FLOWS / name, name, error_share=0.0)))
    journey = load(import_file("connect", FLOWS / name, name))
    figure = analyse(journey).metrics.p_resolution
    assert figure >= 0.8
    assert figure <= even.metrics.p_resolution + 1e-9


# -- the older export's customer-queue flows ----------------------------------------------------

QUEUE_FLOW = old_export(
    module("hold", "LoopPrompts", ("Timeout", "offer"), ("Error", "offer"),
           Text="Please hold", InterruptSeconds=60),
    module("offer", "GetUserInput", ("Evaluate", "cb"), ("Timeout", "wait"), ("NoMatch", "wait"),
           ("Error", "wait"), Text="Press 1 for a callback, or stay on the line"),
    module("cb", "CreateCallback", ("Success", "booked"), ("Error", "sorry")),
    module("booked", "PlayPrompt", ("Success", "bye"), Text="We will call you back."),
    module("sorry", "PlayPrompt", ("Success", "wait"), Text="Sorry, that did not work."),
    module("wait", "Wait", ("Timeout", "hold"), ("Error", "back")),
    module("back", "Resume"),
    module("bye", "Disconnect"),
    start="hold", flow_type="customerQueue",
)


def test_old_queue_flow_timeouts_of_waiting_are_normal_paths() -> None:
    result = import_connect(QUEUE_FLOW, "queue.json")
    journey = load(result)
    assert result.notes == []
    hold = journey.entries[0]
    assert hold.shield == "hold"
    menu = "menu-press-1-for-a-callback-or-stay-on-the-line"
    assert {t.target: (t.label, t.p_given) for t in hold.next} == {
        menu: ("timeout; error: Error", None)}
    wait = {t.target: (t.label, t.p_given) for t in journey.steps["wait"].next}
    assert wait == {hold.id: ("timeout", None),
                    "stay-in-queue": ("error: Error", DEFAULT_ERROR_SHARE)}
    # an input prompt's timeout stays an error (the caller did not answer) ...
    callback = {t.label: t.p_given for t in journey.steps["create-callback"].next}
    assert callback == {"success": None, "error: Error": DEFAULT_ERROR_SHARE}
    # ... but one merged with the prompt's normal "no match" route is a normal route
    offer = {t.label: t.p_given for t in journey.steps[menu].next}
    assert offer == {"pressed 1": None, "error: Timeout; no match; error: Error": None}


def test_old_queue_flow_imports_like_the_flow_language() -> None:
    journey = load(import_connect(QUEUE_FLOW, "queue.json"))
    # the callback booked ends the contact as planned: a resolution, not a false abandon
    assert journey.steps["disconnect"].kind is StepKind.RESOLUTION
    # Resume ends the queue flow: the contact stays in the queue until an agent answers
    resume = next(s for s in journey.steps.values() if s.extensions.get("x-source-id") == "back")
    assert resume.shield == "queue"
    assert [(t.target, t.handoff.value if t.handoff else None) for t in resume.next] == [
        ("agent", "warm")]
    assert journey.steps["agent"].kind is StepKind.RESOLUTION
    assert findings(journey) == []


def test_old_queue_flow_is_the_same_journey_as_its_flow_language_twin() -> None:
    twin = flow(
        action("hold", "MessageParticipantIteratively", None, None,
               {"MessagesInterrupted": "offer"}),
        action("offer", "GetParticipantInput", "end", {"InputTimeLimitExceeded": "end"},
               {"1": "bye"}, Text="Press 1 to hang up"),
        action("bye", "DisconnectParticipant"),
        action("end", "EndFlowExecution"),
        start="hold", flow_type="customerQueue")
    old = old_export(
        module("hold", "LoopPrompts", ("Timeout", "offer")),
        module("offer", "GetUserInput", ("Evaluate", "bye"), ("NoMatch", "end"),
               ("Timeout", "end"), Text="Press 1 to hang up"),
        module("bye", "Disconnect"),
        module("end", "Resume"),
        start="hold", flow_type="customerQueue")

    def shape(data: bytes) -> list[tuple[str, str | None, list[str]]]:
        journey = load(import_connect(data, "q.json"))
        return sorted((s.kind.value, s.shield, sorted(t.target for t in s.next))
                      for s in journey.steps.values())

    assert shape(old) == shape(twin)


def test_loop_prompts_that_only_repeat_wait_for_the_agent() -> None:
    data = old_export(module("hold", "LoopPrompts", ("Timeout", "hold"), ("Error", "bye")),
                      module("bye", "Disconnect"), start="hold", flow_type="customerQueue")
    journey = load(import_connect(data, "q.json"))
    hold = journey.entries[0]
    assert {t.target for t in hold.next} == {hold.id, "agent", "disconnect"}
    assert journey.steps["disconnect"].kind is StepKind.ABANDON
    assert findings(journey) == []
    # outside a queue flow, looping prompts are not waiting for an agent
    other = old_export(module("hold", "LoopPrompts", ("Timeout", "hold"), ("Error", "bye")),
                       module("bye", "Disconnect"), start="hold", flow_type="contactFlow")
    assert "agent" not in load(import_connect(other, "q.json")).steps


def test_resume_in_a_whisper_flow_returns_the_contact() -> None:
    data = old_export(module("hi", "PlayPrompt", ("Success", "back"), Text="Billing call"),
                      module("back", "Resume"), start="hi", flow_type="agentWhisper")
    journey = load(import_connect(data, "w.json"))
    assert journey.steps["end-flow"].kind is StepKind.RESOLUTION
    assert "agent" not in journey.steps


def test_transfer_to_an_agent_hands_over() -> None:
    data = old_export(
        module("hi", "PlayPrompt", ("Success", "xfer"), Text="Connecting you"),
        module("xfer", "Transfer", ("Success", "bye"), ("Error", "bye"), target="Agent"),
        module("bye", "Disconnect"), start="hi", flow_type="customerQueue")
    result = import_connect(data, "a.json")
    journey = load(result)
    to = {t.target: t for t in journey.steps["transfer-to-agent"].next}
    assert to["agent"].handoff is not None and to["agent"].handoff.value == "warm"
    assert journey.steps["disconnect"].kind is StepKind.ABANDON
    assert any("replaced by the handoff" in n for n in result.notes)
