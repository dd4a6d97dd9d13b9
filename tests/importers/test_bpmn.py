"""The BPMN importer on small hand-written models: safety, edges, collapsing, pools and lanes."""

from __future__ import annotations

import pytest

from cx_audit.core.model import StepKind
from cx_audit.importers import import_bpmn
from cx_audit.importers.bpmn import BPMN_NS, actor_for_name

from .helpers import by_source, findings, load

TARGET_NS = "http://example.com/models/t"


def model(body: str, *, encoding: str = "UTF-8", name: str = "", prolog: str = "") -> bytes:
    """A BPMN definitions element around ``body`` (``tns`` is the target namespace)."""
    title = f' name="{name}"' if name else ""
    text = (f'<?xml version="1.0" encoding="{encoding}"?>\n{prolog}'
            f'<definitions xmlns="{BPMN_NS}" xmlns:tns="{TARGET_NS}" id="defs"{title}\n'
            f'    targetNamespace="{TARGET_NS}">\n{body}\n</definitions>\n')
    return text.encode(encoding)


def process(body: str, ident: str = "P", name: str = "") -> str:
    title = f' name="{name}"' if name else ""
    return f'<process id="{ident}"{title}>\n{body}\n</process>'


def flow(ident: str, source: str, target: str, name: str = "") -> str:
    title = f' name="{name}"' if name else ""
    return f'<sequenceFlow id="{ident}" sourceRef="{source}" targetRef="{target}"{title}/>'


LINEAR = process("\n".join([
    '<startEvent id="s" name="Call comes in"/>',
    '<task id="t" name="Talk to agent"/>',
    '<endEvent id="e" name="Answered"/>',
    flow("f1", "s", "t"), flow("f2", "t", "e"),
]))


def steps_by_source(result):  # type: ignore[no-untyped-def]
    journey = load(result)
    return journey, {src: journey.steps[ids[0]] for src, ids in by_source(journey).items()}


# -- hostile and broken input ------------------------------------------------

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE definitions [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" name="&c;"/>
"""


def test_an_entity_bomb_is_refused_at_its_doctype() -> None:
    result = import_bpmn(BOMB, "bomb.bpmn")
    assert result.document == {} and not result.ok
    [problem] = result.problems
    assert (problem.file, problem.line, problem.column) == ("bomb.bpmn", 2, 1)
    assert "DOCTYPE" in problem.message


def test_an_external_entity_is_refused() -> None:
    data = model(LINEAR, prolog='<!DOCTYPE definitions [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n')
    [problem] = import_bpmn(data, "x.bpmn").problems
    assert problem.line == 2 and "DOCTYPE" in problem.message


def test_a_doctype_is_refused_in_utf16_too() -> None:
    data = model(LINEAR, encoding="UTF-16", prolog="<!DOCTYPE definitions>\n")
    [problem] = import_bpmn(data, "x.bpmn").problems
    assert problem.line == 2 and "DOCTYPE" in problem.message


def test_malformed_xml_is_reported_at_its_line_and_column() -> None:
    data = b'<?xml version="1.0"?>\n<definitions>\n  <process id="p">\n  </proces>\n</definitions>'
    [problem] = import_bpmn(data, "bad.bpmn").problems
    assert (problem.line, problem.column) == (4, 5)
    assert "mismatched tag" in problem.message


def test_deep_nesting_is_refused() -> None:
    body = '<subProcess id="x">' * 300 + "</subProcess>" * 300
    [problem] = import_bpmn(model(process(body)), "deep.bpmn").problems
    assert "nested more than" in problem.message


def test_an_empty_file_is_a_problem_not_a_crash() -> None:
    [problem] = import_bpmn(b"", "empty.bpmn").problems
    assert (problem.line, problem.column) == (1, 1)


def test_a_file_that_is_not_bpmn_is_named_as_such() -> None:
    [problem] = import_bpmn(b'<?xml version="1.0"?>\n\n  <svg xmlns="http://www.w3.org/2000/svg"/>',
                            "drawing.svg").problems
    assert (problem.line, problem.column) == (3, 3)
    assert "not a BPMN 2.0 model" in problem.message


def test_iso_8859_1_declared_in_the_prolog_is_decoded() -> None:
    body = process("\n".join([
        '<startEvent id="s" name="Ligação telefônica"/>',
        '<endEvent id="e" name="Cliente orientado"/>',
        flow("f", "s", "e")]))
    journey = load(import_bpmn(model(body, encoding="ISO-8859-1"), "atendimento.bpmn"))
    assert journey.steps["ligacao-telefonica"].label == "Ligação telefônica"
    assert journey.steps["ligacao-telefonica"].kind is StepKind.ENTRY


# -- edges ------------------------------------------------------------------

def test_edges_come_from_source_and_target_refs_without_incoming_or_outgoing() -> None:
    journey = load(import_bpmn(model(LINEAR), "linear.bpmn"))
    assert [t.target for t in journey.steps["call-comes-in"].next] == ["talk-to-agent"]
    assert [t.target for t in journey.steps["talk-to-agent"].next] == ["answered"]
    assert findings(journey) == []


def test_incoming_and_outgoing_children_stand_in_for_missing_refs() -> None:
    body = process("\n".join([
        '<startEvent id="s"><outgoing>f1</outgoing></startEvent>',
        '<task id="t" name="Check"><incoming>f1</incoming></task>',
        '<sequenceFlow id="f1"/>',
        '<endEvent id="e"/>', flow("f2", "t", "e")]))
    journey = load(import_bpmn(model(body), "refs.bpmn"))
    assert [t.target for t in journey.steps["start"].next] == ["check"]


def test_qname_references_are_resolved_by_namespace() -> None:
    body = ('<collaboration id="c"><participant id="pool" name="Help desk" processRef="tns:P"/>'
            '</collaboration>\n' + LINEAR)
    journey = load(import_bpmn(model(body), "qname.bpmn"))
    assert journey.steps["talk-to-agent"].owner == "Help desk"
    assert journey.steps["talk-to-agent"].actor is not None
    assert journey.steps["talk-to-agent"].actor.value == "frontline"


def test_gateways_collapse_into_labelled_transitions() -> None:
    body = process("\n".join([
        '<startEvent id="s"/>', '<task id="t" name="Pay"/>',
        '<exclusiveGateway id="g" name="Paid?"/>', '<endEvent id="ok" name="Order placed"/>',
        '<task id="r" name="Retry payment"/>',
        flow("f1", "s", "t"), flow("f2", "t", "g"), flow("f3", "g", "ok", "yes"),
        flow("f4", "g", "r", "no"), flow("f5", "r", "t")]))
    result = import_bpmn(model(body), "pay.bpmn")
    journey = load(result)
    assert "g" not in by_source(journey)
    labels = {t.target: t.label for t in journey.steps["pay"].next}
    assert labels == {"order-placed": "Paid? yes", "retry-payment": "Paid? no"}
    assert result.notes == []


def test_a_parallel_split_stays_a_silent_parallel_step() -> None:
    body = process("\n".join([
        '<startEvent id="s"/>', '<parallelGateway id="fork" name="Both"/>',
        '<task id="a" name="Email"/>', '<task id="b" name="Letter"/>', '<endEvent id="e"/>',
        flow("f1", "s", "fork"), flow("f2", "fork", "a"), flow("f3", "fork", "b"),
        flow("f4", "a", "e"), flow("f5", "b", "e")]))
    result = import_bpmn(model(body), "fork.bpmn")
    journey = load(result)
    assert [t.target for t in journey.steps["start"].next] == ["both"]
    fork = journey.steps["both"]
    assert fork.silent and fork.parallel
    assert sorted(t.target for t in fork.next) == ["email", "letter"]
    assert journey.steps["start"].silent and journey.steps["end"].silent
    assert not journey.steps["email"].silent
    assert any("'Both' (fork)" in n and "any order" in n for n in result.notes)


def test_a_gateway_that_leads_nowhere_stays_visible() -> None:
    body = process("\n".join([
        '<startEvent id="s"/>', '<exclusiveGateway id="g" name="Decide"/>', flow("f", "s", "g")]))
    journey = load(import_bpmn(model(body), "gap.bpmn"))
    assert ("CX105", "decide") in findings(journey)


def test_boundary_event_flows_leave_from_the_activity() -> None:
    body = process("\n".join([
        '<startEvent id="s"/>', '<receiveTask id="w" name="Wait for answer"/>',
        '<boundaryEvent id="b" name="1 week" attachedToRef="w">'
        '<timerEventDefinition/></boundaryEvent>',
        '<userTask id="c" name="Call customer"/>', '<endEvent id="e1"/>', '<endEvent id="e2"/>',
        flow("f1", "s", "w"), flow("f2", "w", "e1"), flow("f3", "b", "c"), flow("f4", "c", "e2")]))
    journey = load(import_bpmn(model(body), "boundary.bpmn"))
    labels = {t.target: t.label for t in journey.steps["wait-for-answer"].next}
    assert labels == {"end": None, "call-customer": "1 week"}
    assert "b" not in by_source(journey)
    assert findings(journey) == []


def test_sub_processes_are_flattened() -> None:
    body = process("\n".join([
        '<startEvent id="s"/>', '<task id="a" name="Register"/>',
        '<subProcess id="sp" name="Checkout">',
        '  <startEvent id="ss"/><task id="x" name="Pay"/><endEvent id="se"/>',
        '  ' + flow("i1", "ss", "x"), '  ' + flow("i2", "x", "se"),
        '</subProcess>',
        '<boundaryEvent id="err" name="Payment failed" attachedToRef="sp">'
        '<errorEventDefinition/></boundaryEvent>',
        '<task id="b" name="Ship"/>', '<endEvent id="e" name="Delivered"/>',
        '<endEvent id="lost" name="Customer gives up"/>',
        flow("f1", "s", "a"), flow("f2", "a", "sp"), flow("f3", "sp", "b"), flow("f4", "b", "e"),
        flow("f5", "err", "lost")]))
    journey = load(import_bpmn(model(body), "sub.bpmn"))
    assert [t.target for t in journey.steps["register"].next] == ["pay"]
    assert {t.target: t.label for t in journey.steps["pay"].next} == {
        "ship": None, "customer-gives-up": "Payment failed"}
    assert journey.steps["customer-gives-up"].kind is StepKind.ABANDON
    assert not {"sp", "ss", "se"} & set(by_source(journey))


def test_a_sub_process_without_start_event_starts_at_its_open_elements() -> None:
    body = process("\n".join([
        '<startEvent id="s"/>', '<subProcess id="sp" name="Fix">',
        '  <task id="x" name="Diagnose"/><task id="y" name="Repair"/>' + flow("i", "x", "y"),
        '</subProcess>', '<endEvent id="e"/>', flow("f1", "s", "sp"), flow("f2", "sp", "e")]))
    result = import_bpmn(model(body), "open.bpmn")
    journey = load(result)
    assert [t.target for t in journey.steps["start"].next] == ["diagnose"]
    assert [t.target for t in journey.steps["repair"].next] == ["end"]
    assert any("'Fix' (sp) has no start event" in n for n in result.notes)
    assert any("'Fix' (sp) has no end event" in n for n in result.notes)


def test_an_empty_sub_process_is_one_step() -> None:
    body = process("\n".join([
        '<startEvent id="s"/>', '<subProcess id="sp" name="Emergency repair"/>',
        '<endEvent id="e"/>',
        flow("f1", "s", "sp"), flow("f2", "sp", "e")]))
    journey = load(import_bpmn(model(body), "collapsed.bpmn"))
    assert journey.steps["emergency-repair"].next[0].target == "end"


def test_event_sub_processes_are_entered_from_the_steps_they_watch() -> None:
    body = process("\n".join([
        '<startEvent id="s"/>', '<userTask id="d" name="Decide"/>', '<endEvent id="e"/>',
        flow("f1", "s", "d"), flow("f2", "d", "e"),
        '<subProcess id="esp" triggeredByEvent="true">',
        '  <startEvent id="es" name="Customer cancels" isInterrupting="true">'
        '<messageEventDefinition/></startEvent>',
        '  <task id="c" name="Confirm cancellation"/><endEvent id="ee" name="Cancelled"/>',
        '  ' + flow("g1", "es", "c"), '  ' + flow("g2", "c", "ee"),
        '</subProcess>']))
    journey = load(import_bpmn(model(body), "esp.bpmn"))
    labels = {t.target: t.label for t in journey.steps["decide"].next}
    assert labels == {"end": None, "customer-cancels": "interrupts: Customer cancels"}
    assert journey.steps["customer-cancels"].kind is StepKind.STEP
    assert journey.steps["cancelled"].kind is StepKind.ABANDON
    assert ("CX104", "customer-cancels") not in findings(journey)


def test_link_events_jump_to_the_catch_of_the_same_name() -> None:
    body = process("\n".join([
        '<startEvent id="s"/>',
        '<intermediateThrowEvent id="lt" name="to B">'
        '<linkEventDefinition name="B"/></intermediateThrowEvent>',
        '<intermediateCatchEvent id="lc" name="from A">'
        '<linkEventDefinition name="B"/></intermediateCatchEvent>',
        '<task id="t" name="Continue"/>', '<endEvent id="e"/>',
        flow("f1", "s", "lt"), flow("f2", "lc", "t"), flow("f3", "t", "e")]))
    journey = load(import_bpmn(model(body), "link.bpmn"))
    assert [t.target for t in journey.steps["start"].next] == ["continue"]
    assert findings(journey) == []


# -- pools, lanes and messages -----------------------------------------------

COLLABORATION = "\n".join([
    '<collaboration id="c">',
    '  <participant id="pc" name="Customer" processRef="PC"/>',
    '  <participant id="pk" name="Company" processRef="PK"/>',
    '  <participant id="bank" name="Bank"/>',
    '  <messageFlow id="m1" name="complaint" sourceRef="send" targetRef="kstart"/>',
    '  <messageFlow id="m2" sourceRef="answer" targetRef="got"/>',
    '  <messageFlow id="m3" sourceRef="check" targetRef="bank"/>',
    '</collaboration>',
    process("\n".join([
        '<startEvent id="cs" name="Problem noticed"/>', '<sendTask id="send" name="Complain"/>',
        '<intermediateCatchEvent id="got" name="Answer received">'
        '<messageEventDefinition/></intermediateCatchEvent>',
        '<endEvent id="ce" name="Problem solved"/>',
        flow("c1", "cs", "send"), flow("c2", "send", "got"), flow("c3", "got", "ce")]), "PC"),
    process("\n".join([
        ('<laneSet id="ls"><lane id="l1" name="Customer service"><flowNodeRef>kstart</flowNodeRef>'
        '<flowNodeRef>triage</flowNodeRef><flowNodeRef>answer</flowNodeRef></lane>'
        '<lane id="l2" name="Billing"><flowNodeRef>check</flowNodeRef></lane></laneSet>'),
        '<startEvent id="kstart" name="Complaint received"><messageEventDefinition/></startEvent>',
        '<userTask id="triage" name="Triage"/>', '<serviceTask id="check" name="Check invoice"/>',
        '<endEvent id="answer" name="Answer sent"><messageEventDefinition/></endEvent>',
        flow("k1", "kstart", "triage"), flow("k2", "triage", "check"),
        flow("k3", "check", "answer")]),
        "PK"),
])


def test_pools_are_merged_and_linked_by_message_flows() -> None:
    result = import_bpmn(model(COLLABORATION), "complaint.bpmn")
    journey = load(result)
    steps = journey.steps
    assert [s.id for s in journey.entries] == ["problem-noticed"]
    assert steps["complaint-received"].kind is StepKind.STEP  # entered by the message
    handoff = {t.target: t for t in steps["complain"].next}["complaint-received"]
    assert (handoff.handoff.value, handoff.label) == ("warm", "message: complaint")
    assert steps["answer-sent"].kind is StepKind.STEP  # it sends a message, so it is no end
    assert [t.target for t in steps["answer-sent"].next] == ["answer-received"]
    assert any("'Bank' (bank)" in n and "m3" in n for n in result.notes)
    assert any("2 processes" in n for n in result.notes)
    assert findings(journey) == []


def test_lanes_give_owners_and_actors_and_lane_changes_are_handoffs() -> None:
    steps = load(import_bpmn(model(COLLABORATION), "complaint.bpmn")).steps
    assert (steps["triage"].owner, steps["triage"].actor.value) == ("Customer service", "frontline")
    invoice = steps["check-invoice"]
    assert (invoice.owner, invoice.actor.value) == ("Billing", "system")
    assert (steps["complain"].owner, steps["complain"].actor.value) == ("Customer", "customer")
    assert steps["triage"].next[0].handoff.value == "warm"  # Customer service -> Billing
    assert steps["check-invoice"].next[0].handoff.value == "warm"  # back to Customer service


def test_a_reply_to_a_waiting_activity_leads_on_from_it() -> None:
    body = "\n".join([
        ('<collaboration id="c"><participant id="a" name="Shop" processRef="PA"/>'
        '<participant id="b" name="Card company" processRef="PB"/>'
        '<messageFlow id="req" sourceRef="pay" targetRef="bs"/>'
        '<messageFlow id="rep" sourceRef="be" targetRef="pay"/></collaboration>'),
        process("\n".join(['<startEvent id="as"/>', '<task id="pay" name="Pay order"/>',
                           '<endEvent id="ae" name="Paid"/>', flow("a1", "as", "pay"),
                           flow("a2", "pay", "ae")]), "PA"),
        process("\n".join(['<startEvent id="bs" name="Card details received"/>',
                           '<task id="take" name="Take payment"/>',
                           '<endEvent id="be" name="Result sent"/>', flow("b1", "bs", "take"),
                           flow("b2", "take", "be")]), "PB"),
    ])
    steps = load(import_bpmn(model(body), "reply.bpmn")).steps
    assert [t.target for t in steps["result-sent"].next] == ["paid"]  # not back into pay-order


@pytest.mark.parametrize(("name", "kind"), [
    ("Customer hangs up", StepKind.ABANDON), ("Order cancelled", StepKind.ABANDON),
    ("Application withdrawn", StepKind.ABANDON), ("Repair completed", StepKind.RESOLUTION),
    ("Cancelled by the customer", StepKind.ABANDON), ("Scancel done", StepKind.RESOLUTION),
])
def test_end_events_whose_name_says_the_customer_gives_up_are_abandon(name: str,
                                                                      kind: StepKind) -> None:
    body = process(f'<startEvent id="s"/><endEvent id="e" name="{name}"/>' + flow("f", "s", "e"))
    _, steps = steps_by_source(import_bpmn(model(body), "end.bpmn"))
    assert steps["e"].kind is kind


def test_abandon_words_are_configurable() -> None:
    body = process('<startEvent id="s"/><endEvent id="e" name="Customer hangs up"/>'
                   + flow("f", "s", "e"))
    _, steps = steps_by_source(import_bpmn(model(body), "x.bpmn", abandon_words=()))
    assert steps["e"].kind is StepKind.RESOLUTION
    _, steps = steps_by_source(import_bpmn(model(body.replace("hangs up", "is sent away")),
                                           "x.bpmn", abandon_words=["sent away"]))
    assert steps["e"].kind is StepKind.ABANDON


# -- what is left out, and ids --------------------------------------------------

def test_unknown_elements_and_compensation_handlers_are_noted_by_name() -> None:
    body = process("\n".join([
        '<startEvent id="s"/>', '<endEvent id="e"/>', flow("f", "s", "e"),
        '<choreographyTask id="ct" name="Negotiate"/>',
        '<task id="undo" name="Refund" isForCompensation="true"/>',
        '<textAnnotation id="ta"><text>ignored</text></textAnnotation>',
        '<dataObject id="do"/>']))
    result = import_bpmn(model(body), "odd.bpmn")
    load(result)
    assert any("'Negotiate' (ct)" in n and "choreographyTask" in n for n in result.notes)
    assert any("'Refund' (undo)" in n and "Compensation" in n for n in result.notes)
    assert len(result.notes) == 2


def test_a_repeated_id_is_noted() -> None:
    body = process('<startEvent id="s"/><task id="s" name="Twin"/><endEvent id="e"/>'
                   + flow("f", "s", "e"))
    result = import_bpmn(model(body), "twins.bpmn")
    assert list(load(result).steps) == ["start", "end"]
    assert any("'s' is used by more than one element" in n and "'Twin'" in n
               for n in result.notes)


def test_step_ids_are_unique_slugs_and_keep_the_source_ids() -> None:
    body = process("\n".join([
        '<startEvent id="s"/>', '<task id="t1" name="Check!"/>', '<task id="t2" name="Check?"/>',
        '<task id="t3"/>', '<endEvent id="e"/>',
        flow("f1", "s", "t1"), flow("f2", "t1", "t2"), flow("f3", "t2", "t3"),
        flow("f4", "t3", "e")]))
    journey = load(import_bpmn(model(body, name="Two checks"), "two.bpmn"))
    assert journey.id == "two-checks"
    assert list(journey.steps) == ["start", "check", "check-2", "task", "end"]
    assert [s.label for s in journey.steps.values()] == [
        "Start event", "Check!", "Check?", "Task", "End event"]
    assert [s.extensions["x-source-id"] for s in journey.steps.values()] == [
        "s", "t1", "t2", "t3", "e"]


def test_one_process_can_be_chosen() -> None:
    result = import_bpmn(model(COLLABORATION), "complaint.bpmn", process="Company")
    assert set(load(result).steps) == {"complaint-received", "triage", "check-invoice",
                                       "answer-sent"}
    [problem] = import_bpmn(model(COLLABORATION), "complaint.bpmn", process="Nope").problems
    assert "Nope" in problem.message and "PC" in problem.message


def test_an_empty_process_gives_an_empty_journey() -> None:
    journey = load(import_bpmn(model(process("")), "empty-process.bpmn"))
    assert journey.id == "empty-process" and not journey.steps
    assert findings(journey) == [("CX101", ""), ("CX102", "")]


@pytest.mark.parametrize(("name", "actor"), [
    ("2nd level support", "backoffice"), ("1st level support", "frontline"),
    ("Customer Service", "frontline"), ("Customer", "customer"), ("Carrier", "partner"),
    ("Trouble Ticket System", "system"), ("Chatbot", "bot"), ("Amazon", None), ("", None),
])
def test_actor_keywords(name: str, actor: str | None) -> None:
    assert actor_for_name(name) == actor
