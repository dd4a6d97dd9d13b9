"""BPMN 2.0 models (Camunda, Signavio, bpmn.io and other modelers) as journeys.

How a model maps (``docs/importers.md`` has the full table and examples):

- every process of the file is read and the processes are merged into one
  journey (pools of a collaboration are linked by their message flows);
  ``process=`` picks one process by id, name or pool name instead;
- tasks of every kind, call activities, intermediate events and ad-hoc
  sub-processes become steps; top-level start events become entries and
  top-level end events resolutions, or abandon steps when the event's name
  says the customer gives up (``abandon_words``);
- gateways are collapsed: each route through a gateway becomes a direct
  transition whose label carries the gateway's question and the flow's answer;
- edges come from ``sequenceFlow`` ``sourceRef``/``targetRef`` (the
  ``incoming``/``outgoing`` children are only a fallback);
- sub-processes and transactions are flattened: their start events take the
  incoming flows, their end events lead to the outgoing flows; an empty one
  is a single step;
- a boundary event's outgoing flows leave, as alternatives, from the
  activity it is attached to (from every step inside a flattened sub-process);
- an event sub-process is entered, as an alternative, from every step of the
  scope it watches; its end events end that scope;
- link events are connectors: a link throw leads to the catch events of the
  same name;
- lanes give owners; lane and pool names and automated task types give
  activities their actors;
- message flows between pools become transitions with ``handoff: warm``; a
  message back to an activity that had sent one to the same pool is a reply
  and leads on from that activity; a sequence flow between two lanes is a
  warm handoff as well;
- compensation handlers, data objects, text annotations, groups and
  associations are left out.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from cx_audit.core.errors import Problem, XmlInputError
from cx_audit.importers.drafts import DraftEdge, DraftStep, clean_text, render_document, slugify
from cx_audit.io.safexml import XmlElement, parse_xml
from cx_audit.text.words import ABANDON_WORDS, actor_for_name, outcome_of

__all__ = ["BPMN_NS", "DEFAULT_ABANDON_WORDS", "BpmnImport", "actor_for_name", "convert_bpmn"]

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"

DEFAULT_ABANDON_WORDS: tuple[str, ...] = ABANDON_WORDS
"""Words or phrases that make an end event an abandon step (whole words, any case, across
hyphens and accents; the table of :mod:`cx_audit.text.words`, in five languages)."""

TASKS = frozenset({
    "task", "userTask", "manualTask", "serviceTask", "scriptTask", "businessRuleTask",
    "sendTask", "receiveTask", "callActivity",
})
AUTOMATED_TASKS = frozenset({"serviceTask", "scriptTask", "businessRuleTask"})
SUB_PROCESSES = frozenset({"subProcess", "transaction", "adHocSubProcess"})
GATEWAYS = frozenset({
    "exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway",
    "complexGateway",
})
ACTIVITIES = TASKS | SUB_PROCESSES | {"in", "out"}
CONCURRENT_GATEWAYS = frozenset({"parallelGateway", "inclusiveGateway", "complexGateway"})
INTERMEDIATE_EVENTS = frozenset({"intermediateCatchEvent", "intermediateThrowEvent",
                                 "implicitThrowEvent"})
_SHOWN = TASKS | SUB_PROCESSES | INTERMEDIATE_EVENTS
"""Elements whose steps a log may show; start and end events, gateways and other routing
points become silent steps."""
FLOW_NODES = TASKS | SUB_PROCESSES | GATEWAYS | INTERMEDIATE_EVENTS | {
    "startEvent", "endEvent", "boundaryEvent"}
SILENT = frozenset({
    "sequenceFlow", "laneSet", "dataObject", "dataObjectReference", "dataStoreReference",
    "textAnnotation", "association", "group", "ioSpecification", "property",
    "extensionElements", "documentation", "auditing", "monitoring", "dataInputAssociation",
    "dataOutputAssociation", "incoming", "outgoing", "multiInstanceLoopCharacteristics",
    "standardLoopCharacteristics", "potentialOwner", "performer", "humanPerformer",
    "resourceRole", "correlationSubscription", "supports", "ioBinding", "completionCondition",
    "categoryValueRef", "lane", "script", "rendering", "dataInput", "dataOutput", "inputSet",
    "outputSet",
})
_EVENT_KINDS = {
    "messageEventDefinition": "message", "timerEventDefinition": "timer",
    "errorEventDefinition": "error", "escalationEventDefinition": "escalation",
    "signalEventDefinition": "signal", "conditionalEventDefinition": "condition",
    "compensateEventDefinition": "compensation", "cancelEventDefinition": "cancel",
    "terminateEventDefinition": "terminate", "linkEventDefinition": "link",
}
_TYPE_WORDS = {
    "task": "Task", "userTask": "User task", "manualTask": "Manual task",
    "serviceTask": "Service task", "scriptTask": "Script task",
    "businessRuleTask": "Business rule task", "sendTask": "Send task",
    "receiveTask": "Receive task", "callActivity": "Call activity",
    "subProcess": "Sub-process", "transaction": "Transaction",
    "adHocSubProcess": "Ad-hoc sub-process", "startEvent": "Start event",
    "endEvent": "End event", "intermediateCatchEvent": "Intermediate event",
    "intermediateThrowEvent": "Intermediate event", "implicitThrowEvent": "Intermediate event",
    "boundaryEvent": "Boundary event", "exclusiveGateway": "Gateway",
    "inclusiveGateway": "Inclusive gateway", "parallelGateway": "Parallel gateway",
    "eventBasedGateway": "Event-based gateway", "complexGateway": "Complex gateway",
}
_FALLBACK_IDS = {
    "startEvent": "start", "endEvent": "end", "boundaryEvent": "boundary-event",
    "intermediateCatchEvent": "event", "intermediateThrowEvent": "event",
    "implicitThrowEvent": "event",
}

JUNCTION_FACTOR = 2
"""How many times more transitions than steps and flows a collapse may give (see below)."""
JUNCTION_FLOOR = 64
"""A group of gateways that collapses into at most this many transitions is always collapsed."""

ROUTE_BUDGET = 1000
"""Most connectors one step's labelled routes may visit before they go unlabelled.

A real model's gateways branch a few times in a row; this budget is only met
by chains of gateways whose every route has its own labels."""

_Route = tuple[str, tuple[str, ...], bool]
"""A collapsed route: the step reached, the labels on the way, whether it hands over."""


@dataclass
class BpmnImport:
    """What :func:`convert_bpmn` made of a model: the document, notes and problems."""

    document: dict[str, Any]
    notes: list[str]
    problems: list[Problem]


@dataclass
class _Scope:
    """A process, sub-process or event sub-process whose flow nodes are read together."""

    element: XmlElement
    kind: str  # "process", "sub" or "event"
    parent: _Scope | None
    pool: str | None
    process_id: str
    members: list[str] = field(default_factory=list)
    starts: list[str] = field(default_factory=list)
    ends: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.element.get("id") or ""

    def end_scope(self) -> _Scope:
        """The scope that an end event here ends (event sub-processes end their parent's)."""
        scope = self
        while scope.kind == "event" and scope.parent is not None:
            scope = scope.parent
        return scope

    def chain(self) -> Iterator[_Scope]:
        scope: _Scope | None = self
        while scope is not None:
            yield scope
            scope = scope.parent


@dataclass
class _Edge:
    """An edge of the raw graph; ``via`` says what made it (flow, boundary, message, …)."""

    target: str
    label: str = ""
    handoff: bool = False
    via: str = "flow"

    @property
    def message(self) -> bool:
        return self.via == "message"


@dataclass
class _Node:
    """A node of the raw graph: a future step, or a connector that is collapsed away."""

    key: str
    step: bool
    type: str
    name: str
    scope: _Scope
    element: XmlElement | None = None
    kind: str = "step"
    question: str = ""
    edges: list[_Edge] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    source_id: str | None = None


def _describe(element: XmlElement) -> str:
    """``Type 'name' (id)`` for notes."""
    kind = _TYPE_WORDS.get(element.local, element.local)
    if element.get("triggeredByEvent") == "true":
        kind = "Event sub-process"
    elif _event_kind(element) == "link":
        kind = "Link event"
    name = clean_text(element.get("name"))
    ident = element.get("id") or "without id"
    return f"{kind} '{name}' ({ident})" if name else f"{kind} {ident}"


def _event_kind(element: XmlElement) -> str:
    for child in element.children:
        if child.uri == BPMN_NS and child.local in _EVENT_KINDS:
            return _EVENT_KINDS[child.local]
    return ""


class _Converter:
    def __init__(self, root: XmlElement, namespaces: dict[str, set[str]],
                 abandon_words: Iterable[str], process: str | None) -> None:
        self.root = root
        self.namespaces = namespaces
        self.abandon_words = tuple(abandon_words)
        self.wanted = process
        self.notes: list[str] = []
        self.elements: dict[str, XmlElement] = {}
        for element in root.iter():
            ident = element.get("id")
            if element.uri == BPMN_NS and ident and ident not in self.elements:
                self.elements[ident] = element
        self.nodes: dict[str, _Node] = {}
        self.enter: dict[str, str] = {}   # element id -> node taking its incoming flows
        self.leave: dict[str, str] = {}   # element id -> node its outgoing flows leave from
        self.scope_of: dict[str, _Scope] = {}
        self.flattened: dict[str, _Scope] = {}
        self.event_subs: list[_Scope] = []
        self.boundaries: list[tuple[XmlElement, _Scope]] = []
        self.flows: list[tuple[XmlElement, _Scope]] = []
        self.links: list[tuple[XmlElement, _Scope, str]] = []
        self.lanes: dict[str, str] = {}
        self.pools: dict[str, str] = {}
        self.message_sources: set[str] = set()
        self.message_targets: set[str] = set()

    # -- references -------------------------------------------------------

    def ref(self, value: str | None) -> str | None:
        """The element id a reference names: plain ids and QNames (``tns:Id``) alike."""
        value = (value or "").strip()
        if not value:
            return None
        if value in self.elements:
            return value
        prefix, sep, local = value.partition(":")
        if not sep or local not in self.elements:
            return None
        uris = self.namespaces.get(prefix)
        if uris is None or self.root.get("targetNamespace") in uris:
            return local  # this file's namespace (or an undeclared prefix: read leniently)
        return None  # an element of another model file

    # -- reading ----------------------------------------------------------

    def run(self) -> tuple[str, list[DraftStep]]:
        processes = [c for c in self.root.children if c.uri == BPMN_NS and c.local == "process"]
        collaborations = [c for c in self.root.children
                          if c.uri == BPMN_NS and c.local == "collaboration"]
        participants = [p for c in collaborations for p in c.children
                        if p.uri == BPMN_NS and p.local == "participant"]
        black_boxes: dict[str, str] = {}
        for participant in participants:
            name = clean_text(participant.get("name"))
            process_id = self.ref(participant.get("processRef"))
            if process_id:
                if name:
                    self.pools[process_id] = name
            else:
                black_boxes[participant.get("id") or ""] = name
        processes = self.select(processes)
        message_flows = [m for c in collaborations for m in c.children
                         if m.uri == BPMN_NS and m.local == "messageFlow"]
        self.scan_messages(message_flows, black_boxes)
        for process in processes:
            scope = _Scope(process, "process", None, self.pools.get(process.get("id") or ""),
                           process.get("id") or "")
            self.walk(scope)
        self.read_flows()
        self.wire_boundaries()
        self.wire_sub_processes()
        self.wire_event_subs()
        self.wire_links()
        self.wire_messages(message_flows, black_boxes)
        self.promote()
        self.keep_junctions()
        title = self.title(processes)
        return title, self.drafts()

    def select(self, processes: list[XmlElement]) -> list[XmlElement]:
        if self.wanted is None:
            useful = [p for p in processes if any(c.uri == BPMN_NS and c.local in FLOW_NODES
                                                  for c in p.children)]
            if len(useful) > 1:
                names = ", ".join(
                    f"'{self.pools.get(p.get('id') or '') or p.get('name') or p.get('id')}'"
                    for p in useful)
                self.notes.append(f"The model holds {len(useful)} processes ({names}); they are "
                                  "merged into one journey, linked by their message flows.")
            return processes
        for process in processes:
            ident = process.get("id") or ""
            if self.wanted in (ident, clean_text(process.get("name")), self.pools.get(ident)):
                return [process]
        known = ", ".join(sorted(p.get("id") or "?" for p in processes)) or "none"
        raise LookupError(f"no process has the id or name '{self.wanted}' (processes: {known})")

    def title(self, processes: list[XmlElement]) -> str:
        name = clean_text(self.root.get("name"))
        if not name and len(processes) == 1:
            ident = processes[0].get("id") or ""
            name = clean_text(processes[0].get("name")) or self.pools.get(ident, "")
        return name

    def scan_messages(self, flows: list[XmlElement], black_boxes: dict[str, str]) -> None:
        for flow in flows:
            source, target = self.ref(flow.get("sourceRef")), self.ref(flow.get("targetRef"))
            if source and target and source not in black_boxes and target not in black_boxes:
                self.message_sources.add(source)
                self.message_targets.add(target)

    def add(self, key: str, step: bool, type_: str, name: str, scope: _Scope,
            element: XmlElement | None = None, **extra: object) -> _Node:
        node = _Node(key, step, type_, name, scope, element, **extra)  # type: ignore[arg-type]
        node.source_id = element.get("id") if element is not None else None
        self.nodes[key] = node
        return node

    def walk(self, scope: _Scope) -> None:
        for child in scope.element.children:
            if child.uri != BPMN_NS:
                continue
            local, ident = child.local, child.get("id") or ""
            if local == "sequenceFlow":
                self.flows.append((child, scope))
                continue
            if local == "laneSet":
                self.read_lanes(child)
                continue
            if local in SILENT:
                continue
            if local not in FLOW_NODES:
                name = clean_text(child.get("name"))
                shown = ident or "without id"
                named = f"'{name}' ({shown})" if name else f"({shown})"
                self.notes.append(f"The {local} element {named} is not mapped to the journey: "
                                  "left out.")
                continue
            if not ident:
                self.notes.append(f"A {_TYPE_WORDS.get(local, local)} without an id cannot be "
                                  "referenced by flows: left out.")
                continue
            if ident in self.scope_of:
                self.notes.append(f"The id '{ident}' is used by more than one element; "
                                  f"{_describe(child)} is left out.")
                continue
            self.scope_of[ident] = scope
            scope.members.append(ident)
            if child.get("isForCompensation") == "true":
                self.notes.append(f"Compensation handler {_describe(child)} only undoes work "
                                  "after a failure and is not on the customer's route: left out.")
                continue
            self.walk_node(child, local, ident, scope)

    def walk_node(self, child: XmlElement, local: str, ident: str, scope: _Scope) -> None:
        name = clean_text(child.get("name"))
        if local in TASKS or local == "adHocSubProcess":
            self.simple(child, ident, scope)
        elif local in SUB_PROCESSES:
            inner = [c for c in child.children if c.uri == BPMN_NS and c.local in FLOW_NODES]
            triggered = child.get("triggeredByEvent") == "true"
            if triggered:
                if not inner:
                    self.notes.append(f"{_describe(child)} is empty, so nothing can "
                                      "trigger it: left out.")
                    return
                sub = _Scope(child, "event", scope, scope.pool, scope.process_id)
                self.event_subs.append(sub)
                self.walk(sub)
            elif not inner:
                self.simple(child, ident, scope)
            else:
                sub = _Scope(child, "sub", scope, scope.pool, scope.process_id)
                self.flattened[ident] = sub
                self.add(f"in:{ident}", False, "in", name, scope, child)
                self.add(f"out:{ident}", False, "out", name, scope, child)
                self.enter[ident], self.leave[ident] = f"in:{ident}", f"out:{ident}"
                self.walk(sub)
        elif local in GATEWAYS:
            # a parallel or inclusive gateway stays a (silent) step: its branches run at once,
            # which conformance must know; a choice is collapsed into direct transitions
            self.add(ident, local in CONCURRENT_GATEWAYS, local, name, scope, child,
                     question=name)
            self.enter[ident] = self.leave[ident] = ident
        elif local == "startEvent":
            if scope.kind == "sub":
                self.add(ident, False, local, name, scope, child)
            else:
                entry = scope.kind == "process" and ident not in self.message_targets
                self.add(ident, True, local, name, scope, child,
                         kind="entry" if entry else "step")
            scope.starts.append(ident)
            self.enter[ident] = self.leave[ident] = ident
        elif local == "endEvent":
            ends_journey = scope.end_scope().kind == "process"
            if ident in self.message_sources:
                self.add(ident, True, local, name, scope, child)
            elif ends_journey:
                self.add(ident, True, local, name, scope, child, kind=self.end_kind(name))
            else:
                self.add(ident, False, local, name, scope, child)
            scope.ends.append(ident)
            self.enter[ident] = self.leave[ident] = ident
        elif local == "boundaryEvent":
            if _event_kind(child) == "compensation":
                return
            self.add(ident, False, local, name, scope, child)
            self.enter[ident] = self.leave[ident] = ident
            self.boundaries.append((child, scope))
        else:  # intermediate events
            if _event_kind(child) == "link":
                self.add(ident, False, local, name, scope, child)
                self.links.append((child, scope, self.link_name(child)))
            else:
                self.add(ident, True, local, name, scope, child)
            self.enter[ident] = self.leave[ident] = ident

    def simple(self, element: XmlElement, ident: str, scope: _Scope) -> None:
        node = self.add(ident, True, element.local, clean_text(element.get("name")), scope, element)
        self.enter[ident] = self.leave[ident] = ident
        if element.local == "adHocSubProcess":
            inner = [clean_text(c.get("name")) or c.get("id") or "?" for c in element.children
                     if c.uri == BPMN_NS and c.local in FLOW_NODES - GATEWAYS]
            if inner:
                node.notes.append("Ad-hoc sub-process: its activities (" + ", ".join(inner)
                                  + ") are done in any order, shown as this one step.")
        elif element.local == "callActivity" and element.get("calledElement"):
            node.notes.append(f"Calls '{element.get('calledElement')}', which is not expanded.")

    def link_name(self, element: XmlElement) -> str:
        for child in element.children:
            if child.uri == BPMN_NS and child.local == "linkEventDefinition":
                name = clean_text(child.get("name"))
                if name:
                    return name
        return clean_text(element.get("name"))

    def end_kind(self, name: str) -> str:
        """``abandon`` when the end event's name says the matter ends unresolved.

        Negations are read: ``Ticket nicht lösbar`` and ``Not resolved`` are
        abandons, ``Not cancelled`` is not (:func:`cx_audit.text.words.outcome_of`).
        With no abandon words, every end event is a resolution.
        """
        if not self.abandon_words:
            return "resolution"
        return "abandon" if outcome_of(name, self.abandon_words) == "abandon" else "resolution"

    def read_lanes(self, lane_set: XmlElement, depth: int = 0) -> None:
        for lane in lane_set.children:
            if lane.uri != BPMN_NS or lane.local != "lane":
                continue
            name = clean_text(lane.get("name"))
            for child in lane.children:
                if child.uri == BPMN_NS and child.local == "flowNodeRef" and name:
                    ident = self.ref(child.text)
                    if ident:
                        self.lanes[ident] = name  # inner lanes come later and win
                elif child.uri == BPMN_NS and child.local == "childLaneSet":
                    self.read_lanes(child, depth + 1)

    # -- edges --------------------------------------------------------------

    def read_flows(self) -> None:
        listed: dict[str, dict[str, str]] = {}
        for element in self.elements.values():
            for child in element.children:
                if child.uri == BPMN_NS and child.local in ("incoming", "outgoing") and child.text:
                    side = "targetRef" if child.local == "incoming" else "sourceRef"
                    listed.setdefault(child.text.strip(), {})[side] = element.get("id") or ""
        for flow, _scope in self.flows:
            ident = flow.get("id") or ""
            source = self.ref(flow.get("sourceRef")) or listed.get(ident, {}).get("sourceRef")
            target = self.ref(flow.get("targetRef")) or listed.get(ident, {}).get("targetRef")
            label = clean_text(flow.get("name"))
            if not source or not target:
                self.notes.append(f"Sequence flow {ident or 'without id'} does not say which "
                                  "elements it connects: left out.")
                continue
            start, end = self.leave.get(source), self.enter.get(target)
            if start is None or end is None:
                missing = source if start is None else target
                if (missing in self.elements
                        and self.elements[missing].get("isForCompensation") == "true"):
                    continue
                self.notes.append(f"Sequence flow {ident or 'without id'} connects '{missing}', "
                                  "which is not a mapped flow node: left out.")
                continue
            self.nodes[start].edges.append(_Edge(end, label))

    def inner_steps(self, scope: _Scope) -> list[str]:
        """Step nodes inside ``scope`` and its flattened sub-processes (not event ones)."""
        found: list[str] = []
        for ident in scope.members:
            node = self.nodes.get(ident)
            if node is not None and node.step and node.type not in ("startEvent", "endEvent"):
                found.append(ident)
            elif ident in self.flattened:
                found.extend(self.inner_steps(self.flattened[ident]))
        return found

    def wire_boundaries(self) -> None:
        for boundary, _scope in self.boundaries:
            ident = boundary.get("id") or ""
            host = self.ref(boundary.get("attachedToRef"))
            kind = _event_kind(boundary)
            label = (clean_text(boundary.get("name"))
                     or (f"{kind} event" if kind else "boundary event"))
            if host is None or (host not in self.leave and host not in self.flattened):
                self.notes.append(f"Boundary event {_describe(boundary)} is attached to "
                                  f"'{boundary.get('attachedToRef')}', which is not a mapped "
                                  "activity: left out.")
                self.nodes.pop(ident, None)
                self.enter.pop(ident, None)
                self.leave.pop(ident, None)
                continue
            if host in self.flattened:
                sources = self.inner_steps(self.flattened[host]) or [f"in:{host}"]
            else:
                sources = [host]
            for source in sources:
                self.nodes[source].edges.append(_Edge(ident, label, via="boundary"))

    def wire_sub_processes(self) -> None:
        for ident, sub in self.flattened.items():
            element = sub.element
            incoming, outgoing = self.nodes[f"in:{ident}"], self.nodes[f"out:{ident}"]
            has_target = {e.target for n in self.nodes.values() for e in n.edges}
            starts = [s for s in sub.starts if s in self.nodes]
            if not starts:
                starts = [m for m in sub.members if m in self.nodes and m not in has_target
                          and self.nodes[m].type not in ("boundaryEvent",)
                          and not self.nodes[m].key.startswith(("in:", "out:"))]
                starts += [f"in:{m}" for m in sub.members
                           if m in self.flattened and f"in:{m}" not in has_target]
                if starts:
                    self.notes.append(f"{_describe(element)} has no start event: it is entered "
                                      "at its elements without incoming flow.")
            for start in starts:
                incoming.edges.append(_Edge(start, via="scope"))
            if sub.ends:
                for end in sub.ends:
                    node = self.nodes.get(end)
                    if node is None:
                        continue
                    catcher = self.catcher(end, ident)
                    node.edges.append(_Edge(catcher or outgoing.key, via="scope"))
            else:
                open_ends = [m for m in sub.members if m in self.leave
                             and self.leave[m] in self.nodes
                             and not any(e.via in ("flow", "scope")
                                         for e in self.nodes[self.leave[m]].edges)
                             and self.nodes[self.leave[m]].type != "boundaryEvent"]
                for member in open_ends:
                    self.nodes[self.leave[member]].edges.append(_Edge(outgoing.key, via="scope"))
                if open_ends:
                    self.notes.append(f"{_describe(element)} has no end event: it completes "
                                      "at its elements without outgoing flow.")
            if not outgoing.edges:
                outgoing.notes.append(f"End of {_describe(element)}, which has no outgoing flow.")

    def catcher(self, end: str, sub_id: str) -> str | None:
        """A boundary event of sub-process ``sub_id`` that catches the error end event ``end``."""
        element = self.elements[end]
        kind = _event_kind(element)
        if kind not in ("error", "escalation", "cancel"):
            return None
        code = next((c.get("errorRef") or c.get("escalationRef") for c in element.children
                     if c.uri == BPMN_NS and c.local.endswith("EventDefinition")), None)
        for boundary, _scope in self.boundaries:
            ident = boundary.get("id") or ""
            if self.ref(boundary.get("attachedToRef")) != sub_id or ident not in self.nodes:
                continue
            if _event_kind(boundary) != kind:
                continue
            caught = next((c.get("errorRef") or c.get("escalationRef") for c in boundary.children
                           if c.uri == BPMN_NS and c.local.endswith("EventDefinition")), None)
            if caught is None or code is None or self.ref(caught) == self.ref(code):
                return ident
        return None

    def wire_event_subs(self) -> None:
        for sub in self.event_subs:
            parent = sub.parent
            assert parent is not None
            starts = [s for s in sub.starts if s in self.nodes]
            if not starts:
                self.notes.append(f"{_describe(sub.element)} has no start event, so nothing "
                                  "triggers it: its steps cannot be reached.")
            for end in sub.ends:
                node = self.nodes.get(end)
                scope = sub.end_scope()
                if node is not None and scope.kind == "sub":
                    target = self.catcher(end, scope.id) if not node.step else None
                    node.edges.append(_Edge(target or f"out:{scope.id}", via="scope"))
            sources = self.inner_steps(parent)
            if not sources:
                sources = ([f"in:{parent.id}"] if parent.kind == "sub"
                           else [s for s in parent.starts if s in self.nodes])
            for start in starts:
                element = self.elements[start]
                trigger = clean_text(element.get("name")) or _event_kind(element) or "event"
                label = ("while running: " if element.get("isInterrupting") == "false"
                         else "interrupts: ") + trigger
                for source in sources:
                    if source != start:
                        self.nodes[source].edges.append(_Edge(start, label, via="event"))

    def wire_links(self) -> None:
        """Lead each link throw to the catch of its name (in its process).

        When several catch events share a name, the jump is ambiguous: it is
        shown as one added step, "Link NAME", that leads to each catch, so
        that a thousand throws and a thousand catches make two thousand
        transitions rather than a million.
        """
        catches: dict[tuple[str, str], list[str]] = {}
        throws: dict[tuple[str, str], list[str]] = {}
        for element, scope, name in self.links:
            if name:
                side = catches if element.local == "intermediateCatchEvent" else throws
                side.setdefault((scope.process_id, name), []).append(element.get("id") or "")
        hubs: dict[tuple[str, str], str] = {}
        for key, found in catches.items():
            if len(found) > 1 and key in throws:
                hub = f"link:{key[0]}:{key[1]}"
                node = self.add(hub, True, "link", f"Link {key[1]}", self.nodes[found[0]].scope)
                node.edges = [_Edge(catch, via="link") for catch in found]
                node.notes.append(f"{len(found):,} link catch events are named '{key[1]}'; a "
                                  "throw of that name may lead to any of them.")
                hubs[key] = hub
        targets = {e.target for n in self.nodes.values() for e in n.edges}
        for element, scope, name in self.links:
            ident = element.get("id") or ""
            node = self.nodes[ident]
            key = (scope.process_id, name)
            partners: list[str] = []
            if element.local != "intermediateCatchEvent":
                partners = ([hubs[key]] if key in hubs else catches.get(key, [])) if name else []
                for partner in partners:
                    node.edges.append(_Edge(partner, via="link"))
            elif name:
                partners = throws.get(key, [])
            if not partners and not node.edges and ident not in targets:
                self.notes.append(f"{_describe(element)} has no partner of the same name and "
                                  "no flows: left out.")
                del self.nodes[ident]
            elif not partners:
                self.notes.append(f"{_describe(element)} has no partner named '{name}': the "
                                  "jump it stands for cannot be followed.")

    def wire_messages(self, flows: list[XmlElement], black_boxes: dict[str, str]) -> None:
        requests: set[tuple[str, str]] = set()
        resolved: list[tuple[XmlElement, str, str]] = []
        for flow in flows:
            source, target = self.ref(flow.get("sourceRef")), self.ref(flow.get("targetRef"))
            name = clean_text(flow.get("name"))
            message = self.ref(flow.get("messageRef"))
            if not name and message:
                name = clean_text(self.elements[message].get("name"))
            named = f"{name!r} " if name else ""
            what = f"Message flow {named}({flow.get('id') or 'without id'})"
            if source in black_boxes or target in black_boxes:
                pool = black_boxes.get(source or "", black_boxes.get(target or "", ""))
                side = source if source in black_boxes else target
                self.notes.append(f"{what} connects the pool {pool!r} ({side}), which has no "
                                  "process in the file: no step to hand over to or from.")
                continue
            if source is None or target is None:
                self.notes.append(f"{what} names an element that is not in the file: left out.")
                continue
            start, end = self.leave.get(source), self.enter.get(target)
            if start is None or end is None or start not in self.nodes or end not in self.nodes:
                outside = [e for e in (source, target) if e not in self.scope_of
                           and self.elements[e].local in FLOW_NODES]
                if outside:
                    self.notes.append(f"{what} connects '{outside[0]}', which is in a process "
                                      "that was not imported: left out.")
                else:
                    self.notes.append(f"{what} connects an element that is not a mapped flow "
                                      "node (a whole pool or a left-out element): left out.")
                continue
            resolved.append((flow, start, end))
            requests.add((source, self.scope_of[target].process_id if target in self.scope_of
                          else ""))
        for flow, start, end in resolved:
            name = clean_text(flow.get("name"))
            message = self.ref(flow.get("messageRef"))
            if not name and message:
                name = clean_text(self.elements[message].get("name"))
            label = f"message: {name}" if name else "message"
            target_node = self.nodes[end]
            source_process = self.nodes[start].scope.process_id
            reply = (target_node.type in TASKS and target_node.step
                     and (end, source_process) in requests
                     and any(e.via == "flow" for e in target_node.edges))
            arrival = end
            if reply:
                arrival = f"after:{end}"
                if arrival not in self.nodes:
                    self.add(arrival, False, "after", target_node.name, target_node.scope)
                    self.nodes[arrival].edges = [_Edge(e.target, e.label, via=e.via)
                                                 for e in target_node.edges if e.via == "flow"]
            self.nodes[start].edges.append(_Edge(arrival, label, handoff=True, via="message"))

    # -- collapsing ---------------------------------------------------------

    def promote(self) -> None:
        """Make a connector a step when nothing leads on from it (so the gap stays visible).

        Connectors are taken in document order; one that reaches no step
        through other connectors becomes a step, which may give the
        connectors before it a step to reach. Each connector is marked as
        reaching a step once, so the pass takes linear time.
        """
        feeders: dict[str, list[str]] = {}
        for node in self.nodes.values():
            if not node.step:
                node.edges = [e for e in node.edges if e.target in self.nodes]
                for edge in node.edges:
                    feeders.setdefault(edge.target, []).append(node.key)
        live: set[str] = set()

        def spread(reached: Iterable[str]) -> None:
            stack = list(reached)
            while stack:
                for feeder in feeders.get(stack.pop(), ()):
                    if feeder not in live and not self.nodes[feeder].step:
                        live.add(feeder)
                        stack.append(feeder)

        spread(key for key, node in self.nodes.items() if node.step)
        for node in self.nodes.values():
            if node.step or node.key in live:
                continue
            node.step = True
            if node.type in GATEWAYS:
                node.notes.append("A gateway that leads nowhere.")
            elif node.type in ("startEvent", "endEvent", "in"):
                node.notes.append("Nothing leads on from here.")
            spread([node.key])

    def keep_junctions(self) -> None:
        """Keep the connectors of a group as silent steps where collapsing them would not pay.

        A group is a set of connectors linked by flows. Collapsing it gives
        up to E x X transitions (E steps lead into it, X steps out of it);
        keeping its C connectors as steps gives about E + X + C. Past
        :data:`JUNCTION_FACTOR` times that (and :data:`JUNCTION_FLOOR`
        transitions) the connectors stay. One pass over the connectors and
        their flows: linear time.
        """
        connectors = [n for n in self.nodes.values() if not n.step]
        group: dict[str, int] = {}
        neighbours: dict[str, list[str]] = {n.key: [] for n in connectors}
        for node in connectors:
            for edge in node.edges:
                if edge.target in neighbours:
                    neighbours[node.key].append(edge.target)
                    neighbours[edge.target].append(node.key)
        members: list[list[str]] = []
        for node in connectors:
            if node.key in group:
                continue
            group[node.key] = len(members)
            found, stack = [node.key], [node.key]
            while stack:
                for other in neighbours[stack.pop()]:
                    if other not in group:
                        group[other] = len(members)
                        found.append(other)
                        stack.append(other)
            members.append(found)
        entering: list[set[str]] = [set() for _ in members]
        leaving: list[set[str]] = [set() for _ in members]
        for node in self.nodes.values():
            for edge in node.edges:
                target = self.nodes.get(edge.target)
                if target is None:
                    continue
                if node.step and not target.step:
                    entering[group[target.key]].add(node.key)
                elif target.step and not node.step:
                    leaving[group[node.key]].add(target.key)
        for index, keys in enumerate(members):
            into, out = len(entering[index]), len(leaving[index])
            if into * out <= max(JUNCTION_FLOOR, JUNCTION_FACTOR * (into + out + len(keys))):
                continue
            for key in keys:
                self.nodes[key].step = True
            self.notes.append(
                f"{len(keys):,} connected gateways and events between {into:,} steps that lead "
                f"into them and {out:,} that they lead to are kept as silent routing steps: "
                f"collapsing them would give up to {into * out:,} transitions.")

    def expand(self, edges: list[_Edge], origin: str) -> list[_Route]:
        """The steps that ``edges`` (leaving the step ``origin``) reach through connectors.

        Each route comes with the labels on the way (flow names and gateway
        questions) and whether it hands over. Routes are walked depth-first;
        a connector already on the current route is not entered again, and
        each (connector, labels so far) pair is explored once. Gateways in a
        row whose flows are all named can still multiply the routes (24 of
        them give 16 million); past :data:`ROUTE_BUDGET` connectors visited,
        the step's transitions are made once per reached step, without
        labels, and a note says so.
        """
        routes = self.labelled_routes(edges, origin)
        if routes is None:
            routes = self.reached_steps(edges)
            self.notes.append(
                f"The routes from step {self.nodes[origin].source_id or origin!r} pass more "
                f"gateways and named flows than can be labelled one by one (over "
                f"{ROUTE_BUDGET:,}): its {len(routes):,} transitions through them carry no "
                "labels.")
        return routes

    def labelled_routes(self, edges: list[_Edge], origin: str) -> list[_Route] | None:
        """Every route with its labels, or ``None`` past :data:`ROUTE_BUDGET` visits.

        Label sequences are shared as a tree (each is its parent sequence and
        one more label), so a step deep down a chain costs one entry, not a
        copy of everything above it.
        """
        parents: list[tuple[int, str]] = [(-1, "")]
        interned: dict[tuple[int, str], int] = {}

        def extend(sequence: int, label: str) -> int:
            if not label:
                return sequence
            key = (sequence, label)
            found = interned.get(key)
            if found is None:
                found = interned[key] = len(parents)
                parents.append(key)
            return found

        found_routes: list[tuple[str, int, bool]] = []
        explored: set[tuple[str, int, bool]] = set()
        on_route: set[str] = {origin}
        budget = ROUTE_BUDGET
        # (connector to leave) or (target, label, handoff of the edge, labels so far,
        # handoff so far)
        stack: list[tuple[str] | tuple[str, str, bool, int, bool]] = [
            (e.target, e.label, e.handoff, 0, False) for e in reversed(edges)]
        while stack:
            item = stack.pop()
            if len(item) == 1:
                on_route.discard(item[0])
                continue
            key, label, edge_handoff, sequence, handoff = item
            target = self.nodes.get(key)
            if target is None:
                continue
            sequence = extend(sequence, label)
            handoff = handoff or edge_handoff
            budget -= 1
            if budget < 0:
                return None
            if target.step:
                found_routes.append((key, sequence, handoff))
                continue
            if key in on_route or (key, sequence, handoff) in explored:
                continue
            explored.add((key, sequence, handoff))
            on_route.add(key)
            stack.append((key,))
            for onward in reversed(target.edges):
                stack.append((onward.target, self.answer(target.question, onward.label),
                              onward.handoff, sequence, handoff))

        def labels(sequence: int) -> tuple[str, ...]:
            parts: list[str] = []
            while sequence > 0:
                sequence, label = parents[sequence]
                parts.append(label)
            return tuple(reversed(parts))

        return [(key, labels(sequence), handoff) for key, sequence, handoff in found_routes]

    def reached_steps(self, edges: list[_Edge]) -> list[_Route]:
        """Each step that ``edges`` reach through connectors, once per handoff, unlabelled."""
        seen: set[tuple[str, bool]] = set()
        reached: list[_Route] = []
        stack = [(e.target, e.handoff) for e in reversed(edges)]
        while stack:
            key, handoff = stack.pop()
            target = self.nodes.get(key)
            if target is None or (key, handoff) in seen:
                continue
            seen.add((key, handoff))
            if target.step:
                reached.append((key, (), handoff))
                continue
            stack.extend((onward.target, handoff or onward.handoff)
                         for onward in reversed(target.edges))
        return reached

    @staticmethod
    def answer(question: str, label: str) -> str:
        if not question:
            return label
        if not label:
            return question
        return f"{question} {label}" if question.endswith(("?", ":")) else f"{question}: {label}"

    # -- output ------------------------------------------------------------

    def owner_of(self, node: _Node) -> str | None:
        ident = node.source_id or ""
        if ident in self.lanes:
            return self.lanes[ident]
        for scope in node.scope.chain():
            if scope.id in self.lanes:
                return self.lanes[scope.id]
        return node.scope.pool

    def actor_of(self, node: _Node) -> str | None:
        ident = node.source_id or ""
        lane = self.lanes.get(ident) or next(
            (self.lanes[s.id] for s in node.scope.chain() if s.id in self.lanes), None)
        lane_actor, pool_actor = actor_for_name(lane), actor_for_name(node.scope.pool)
        if "customer" in (lane_actor, pool_actor) and lane_actor in ("customer", None):
            return "customer"
        if node.type not in ACTIVITIES:
            return None  # an event or a gateway: nobody the customer deals with
        if node.type in AUTOMATED_TASKS:
            return "system"
        return lane_actor or pool_actor

    def drafts(self) -> list[DraftStep]:
        routes: dict[str, list[_Route]] = {
            n.key: self.expand(n.edges, n.key) for n in self.nodes.values() if n.step}
        splits = [key for key in routes if self.nodes[key].type in CONCURRENT_GATEWAYS
                  and len({e.target for e in self.nodes[key].edges}) > 1]
        named = [_describe(e) for key in splits if (e := self.nodes[key].element) is not None]
        if named:
            more = f" and {len(named) - 3:,} more" if len(named) > 3 else ""
            self.notes.append(
                f"{', '.join(named[:3])}{more} start{'s' * (len(named) == 1)} branches that run "
                "at the same time: kept as silent parallel steps, whose branches conformance "
                "reads in any order and the audit's figures as alternatives.")
        drafts: list[DraftStep] = []
        for key in _narrative_order(routes, [n.key for n in self.nodes.values()
                                             if n.step and n.kind == "entry"]):
            node = self.nodes[key]
            kind = node.kind
            edges: list[DraftEdge] = []
            for target, parts, handoff in routes[key]:
                team_change = self.lane_change(node, self.nodes[target])
                edges.append(DraftEdge(target, " / ".join(parts),
                                       "warm" if handoff or team_change else None))
            if kind in ("resolution", "abandon") and edges:
                self.notes.append(f"{_TYPE_WORDS.get(node.type, node.type)} {node.source_id!r} "
                                  "has outgoing flows, so it does not end the journey: mapped as "
                                  "a plain step.")
                kind = "step"
            terminal = kind in ("resolution", "abandon")
            fallback = _FALLBACK_IDS.get(node.type) or slugify(self.unnamed(node), "step")
            drafts.append(DraftStep(
                key=node.key, name=node.name, fallback=fallback, kind=kind,
                label=None if node.name else self.unnamed(node),
                fields={
                    "actor": None if terminal else self.actor_of(node),
                    "owner": self.owner_of(node),
                    "silent": ("parallel" if key in splits
                               else True if node.type not in _SHOWN
                               else None),
                    "tags": [f"bpmn:{node.element.local}"] if node.element is not None else [],
                    "notes": " ".join(node.notes) or None,
                },
                source_id=node.source_id, edges=edges,
            ))
        return drafts

    def unnamed(self, node: _Node) -> str:
        kind = _event_kind(node.element) if node.element is not None else ""
        words = _TYPE_WORDS.get(node.type, node.type)
        if node.type in ("in", "out", "after"):
            words = "Sub-process"
        return f"{words} ({kind})" if kind else words

    def lane_change(self, source: _Node, target: _Node) -> bool:
        """A sequence flow between two lanes of one pool hands the matter to another team."""
        if target.kind in ("resolution", "abandon") or source.kind == "entry":
            return False
        first, second = self.lane_of(source), self.lane_of(target)
        if not first or not second or first == second:
            return False
        return "customer" not in (self.actor_of(source), self.actor_of(target))

    def lane_of(self, node: _Node) -> str | None:
        ident = node.source_id or ""
        if ident in self.lanes:
            return self.lanes[ident]
        return next((self.lanes[s.id] for s in node.scope.chain() if s.id in self.lanes), None)


def _narrative_order(routes: dict[str, list[_Route]], entries: list[str]) -> list[str]:
    """Steps in the order a reader follows them: breadth-first from the entries, then the rest."""
    order: list[str] = []
    placed: set[str] = set()
    for start in [*entries, *routes]:
        if start in placed:
            continue
        queue = deque([start])
        placed.add(start)
        while queue:
            key = queue.popleft()
            order.append(key)
            for target, _labels, _handoff in routes[key]:
                if target not in placed:
                    placed.add(target)
                    queue.append(target)
    return order


def convert_bpmn(data: bytes, source: str, *,
                 abandon_words: Iterable[str] = DEFAULT_ABANDON_WORDS,
                 process: str | None = None) -> BpmnImport:
    """Turn the BPMN 2.0 XML ``data`` (read from ``source``) into a journey document."""
    try:
        parsed = parse_xml(data)
    except XmlInputError as exc:
        return BpmnImport({}, [], [Problem(source, exc.line, exc.column, exc.message)])
    root = parsed.root
    if root.uri != BPMN_NS or root.local != "definitions":
        found = f"{{{root.uri}}}{root.local}" if root.uri else root.local
        return BpmnImport({}, [], [Problem(
            source, root.line, root.column,
            f"not a BPMN 2.0 model: the root element is '{found}', expected 'definitions' in "
            f"the namespace {BPMN_NS}")])
    converter = _Converter(root, parsed.namespaces, abandon_words, process)
    try:
        title, drafts = converter.run()
    except LookupError as exc:
        return BpmnImport({}, [], [Problem(source, root.line, root.column, str(exc))])
    stem = PurePath(source).stem
    journey_id = slugify(title, "") or slugify(stem, "journey")
    origin = {"format": "bpmn", "file": PurePath(source).name}
    document = render_document(journey_id, title or stem, drafts, {"x-imported-from": origin},
                               converter.notes)
    return BpmnImport(document, converter.notes, [])
