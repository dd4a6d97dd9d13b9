"""Amazon Connect contact flows as journeys.

Two JSON shapes are read:

- the flow language (``"Version": "2019-10-30"``, ``StartAction``,
  ``Actions`` with ``Transitions``): every ``NextAction``, every
  ``Conditions[].NextAction`` and every ``Errors[].NextAction`` is an edge;
- the older console export (``start``, ``modules`` with ``branches``): every
  branch ``transition`` is an edge.

Every action (module) becomes a step, so loops stay loops and the counts of
the flow carry over; several edges between the same two actions become one
transition whose label lists their conditions. The mapping decisions:

- menus and input prompts (``GetParticipantInput``, ``GetUserInput``,
  ``StoreUserInput``) are ``ivr`` shields; a Lex bot is a ``bot`` shield,
  looping hold prompts a ``hold`` shield, a callback a ``callback`` shield;
- a transfer to a queue is a ``queue`` shield that hands the contact
  (``handoff: warm``) to one added step, ``agent``, where an agent takes the
  contact (a resolution). A successful transfer ends the flow, so the
  transfer's own success edge is replaced by that handoff (and noted); a
  transfer to an agent hands over to the same step, without the shield;
- error branches (and the timeouts of input prompts) are taken by few
  contacts: each gets ``p: error_share`` (:data:`DEFAULT_ERROR_SHARE`),
  and the other transitions of the step share the rest evenly. A
  ``Timeout`` of a waiting action (loop prompts, ``Wait``) is no error: it
  is how the flow goes on while the contact waits;
- a disconnect is a ``resolution`` when the contact reaches it on a normal
  route, and an ``abandon`` when it reaches it only through error branches
  (or through steps that are themselves reached only through error
  branches). A disconnect reached both ways becomes two steps, one of each;
- ending the flow (``EndFlowExecution``, ``Resume`` in the older export) in
  a customer queue flow leaves the contact waiting in the queue for the
  agent; in an inbound flow it ends the contact like a disconnect; in other
  flow types it returns the contact to where it came from (a resolution of
  this flow);
- in a customer queue flow, loop prompts with no normal way on but back to
  themselves play until an agent answers: they hand the contact to the
  agent;
- the start action is the entry (a step "Contact arrives" is added in front
  when the start action would be terminal);
- every action step is ``actor: system`` (``bot`` for a Lex bot).
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from cx_audit.core.errors import Problem
from cx_audit.importers.drafts import DraftEdge, DraftStep, clean_text, render_document, slugify

__all__ = ["DEFAULT_ERROR_SHARE", "convert_connect"]

DEFAULT_ERROR_SHARE = 0.02
"""Share of a step's contacts given to each of its error branches when the flow says nothing.

A judgement, not a measurement: a flow that is in use fails for few of its
contacts, and 2% per branch keeps the error routes (and where they end) in
the audit without letting them decide its figures. Replace it with the
shares of the contact records when they are known."""

LABEL_MAX = 100
"""Longest label made from a prompt's text; longer text is cut with an ellipsis."""

_INPUT = {"GetParticipantInput", "GetUserInput", "StoreUserInput", "GetCustomerInput"}
_BOT = {"ConnectParticipantWithLexBot", "GetCustomerInputLex"}
_HOLD = {"MessageParticipantIteratively", "LoopPrompts"}
_QUEUE = {"TransferContactToQueue", "DequeueContactAndTransferToQueue"}
_TO_AGENT = {"TransferContactToAgent"}
_WAITING = _HOLD | {"Wait"}
"""Actions whose timeout is the normal way on, not an error."""
_CALLBACK = {"CreateCallbackContact", "CreateCallback"}
_DISCONNECT = {"DisconnectParticipant", "Disconnect"}
_END_FLOW = {"EndFlowExecution", "EndFlow", "Resume"}
_HOUSEKEEPING = {
    "UpdateFlowLoggingBehavior", "UpdateContactRecordingBehavior",
    "UpdateContactTextToSpeechVoice", "UpdateContactEventHooks", "UpdateContactAttributes",
    "UpdateContactCallbackNumber", "UpdateContactTargetQueue", "UpdateContactRoutingBehavior",
    "UpdateContactData", "UpdateContactRecordingAndAnalyticsBehavior",
    "UpdateContactMediaProcessing",
    "UpdateContactMediaStreamingBehavior", "UpdateRoutingPriority", "TagContact", "UnTagContact",
    "InvokeLambdaFunction", "InvokeExternalResource", "InvokeFlowModule", "Compare",
    "CheckAttribute", "CheckHoursOfOperation", "CheckStaffing", "CheckQueueStatus",
    "CheckMetricData", "GetMetricData", "GetQueueMetrics", "DistributeByPercentage", "Loop",
    "Wait", "SetAttributes", "SetLoggingBehavior", "SetQueue", "SetEventHook", "SetVoice",
    "SetRecordingBehavior", "SetCallbackNumber", "SetWorkingQueue", "SetContactFlow",
    "SetCustomerQueueFlow", "SetWhisperFlow", "SetHoldFlow", "SetDisconnectFlow",
    "MessageParticipant", "PlayPrompt", "Transfer", "TransferToFlow",
    "TransferParticipantToThirdParty",
    "TransferToPhoneNumber", "StartMediaStreaming", "StopMediaStreaming", "CreateTask",
    "ResumeContact",
}
_KNOWN = (_INPUT | _BOT | _WAITING | _QUEUE | _TO_AGENT | _CALLBACK | _DISCONNECT | _END_FLOW
          | _HOUSEKEEPING)
_OLD_ERRORS = {"Error", "Timeout", "AtCapacity", "QueueAtCapacity"}
_FLOW_ENDS_CONTACT = {None, "", "contactFlow", "CONTACT_FLOW", "inbound"}
_QUEUE_FLOWS = {"customerQueue", "CUSTOMER_QUEUE"}


@dataclass
class _Action:
    ident: str
    type: str
    parameters: Any  # a mapping (flow language) or a list of name/value pairs (old export)
    label: str = ""
    edges: list[tuple[str, str, bool]] = field(default_factory=list)  # target, label, error


def _mapping(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one (inputs are not trusted)."""
    return value if isinstance(value, dict) else {}


def _words(type_name: str) -> str:
    """``UpdateContactTargetQueue`` -> ``Update contact target queue``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", type_name)
    return spaced[:1].upper() + spaced[1:].lower()


def _short(text: str) -> str:
    text = clean_text(text)
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1].rstrip() + "…"


def _param(parameters: Any, name: str) -> Any:
    """A parameter from the flow language (mapping) or the old export (list of name/value)."""
    if isinstance(parameters, dict):
        return parameters.get(name)
    if isinstance(parameters, list):
        for item in parameters:
            if isinstance(item, dict) and item.get("name") == name:
                return item.get("value")
    return None


def _last_part(arn: Any) -> str:
    return str(arn).rsplit("/", 1)[-1].rsplit(":", 1)[-1] if arn else ""


def _display_name(display: dict[str, Any], key: str, parameter: str) -> str | None:
    """A name the flow designer stored for a resource (queue, bot) in the action's metadata."""
    direct = display.get(key)
    if isinstance(direct, dict) and direct.get("text"):
        return str(direct["text"])
    params = display.get("parameters")
    if isinstance(params, dict) and isinstance(params.get(parameter), dict):
        name = params[parameter].get("displayName")
        return str(name) if name else None
    return None


def _describe(action: _Action, display: dict[str, Any]) -> str:
    """A readable label for an action: what the customer hears or what happens."""
    kind, params = action.type, action.parameters
    text = _param(params, "Text")
    shown = _mapping(display.get("parameters"))
    messages = shown.get("Messages")
    prompt_names = [str(m["PromptId"].get("displayName") or "") for m in
                    (messages if isinstance(messages, list) else [])
                    if isinstance(m, dict) and isinstance(m.get("PromptId"), dict)]
    if kind in _INPUT:
        verb = "Menu" if kind != "StoreUserInput" and _param(params, "StoreInput") != "True" \
            else "Ask for input"
        return _short(f'{verb}: "{text}"') if text else verb
    if kind in _BOT:
        name = _display_name(display, "lexBot", "LexBot")
        return f"Chat with bot {name}" if name else "Chat with bot"
    if kind in _HOLD:
        names = ", ".join(n for n in prompt_names if n)
        return f"Loop prompts ({names})" if names else "Loop prompts"
    if kind in ("MessageParticipant", "PlayPrompt"):
        if text:
            return _short(f'Play: "{text}"')
        if prompt_names and prompt_names[0]:
            return f"Play prompt {prompt_names[0]}"
        return "Play prompt"
    if kind in _QUEUE or kind in ("UpdateContactTargetQueue", "SetQueue", "SetWorkingQueue"):
        queue = _display_name(display, "queue", "QueueId")
        words = "Transfer to queue" if kind in _QUEUE else "Set working queue"
        return f"{words} {queue}" if queue else words
    if kind in ("InvokeLambdaFunction", "InvokeExternalResource"):
        function = _last_part(_param(params, "LambdaFunctionARN") or _param(params, "FunctionArn"))
        return f"Invoke Lambda {function}" if function else "Invoke Lambda"
    if kind in _DISCONNECT:
        return "Disconnect"
    if kind in _END_FLOW:
        return "End flow"
    if kind in _CALLBACK:
        return "Create callback"
    if kind in _TO_AGENT:
        return "Transfer to agent"
    return _words(kind)


def _is_timeout(kind: str) -> bool:
    """True for an error type or branch condition that says a time limit ran out."""
    folded = kind.lower()
    return "timeout" in folded or "timelimit" in folded


def _condition_label(action: _Action, condition: Any) -> str:
    if not isinstance(condition, dict):
        return "condition"
    operands = condition.get("Operands") or []
    values = ", ".join(str(v) for v in operands) if isinstance(operands, list) else str(operands)
    if action.type in _INPUT and condition.get("Operator") == "Equals":
        return f"pressed {values}"
    operator = _words(str(condition.get("Operator") or "")).lower()
    return f"{operator} {values}".strip()


_JSON_TYPES = {"string": str, "list": list, "object": dict}
_LANGUAGE_SHAPE: dict[str, Any] = {
    "Metadata": ("object", {"name": "string", "type": "string",
                            "ActionMetadata": ("object", {"*": "object"})}),
    "StartAction": "string",
    "Actions": ("list", ("object", {
        "Identifier": "string", "Type": "string", "Parameters": "object",
        "Transitions": ("object", {
            "NextAction": "string",
            "Conditions": ("list", ("object", {"NextAction": "string",
                                               "Condition": "object"})),
            "Errors": ("list", ("object", {"NextAction": "string", "ErrorType": "string"})),
        }),
    })),
}
_EXPORT_SHAPE: dict[str, Any] = {
    "metadata": ("object", {"name": "string", "type": "string"}),
    "type": "string",
    "start": "string",
    "modules": ("list", ("object", {
        "id": "string", "type": "string", "target": "string", "parameters": "list",
        "branches": ("list", ("object", {"transition": "string", "condition": "string"})),
    })),
}
"""The JSON types the importer relies on, by key (``*``: every key); null counts as absent."""


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


def _shape_problems(value: Any, shape: Any, path: str) -> Iterator[str]:
    """A message, naming the JSON path, for each value of ``value`` of the wrong type."""
    kind, inner = shape if isinstance(shape, tuple) else (shape, None)
    if not isinstance(value, _JSON_TYPES[kind]):
        article = "an" if kind[0] in "aeiou" else "a"
        yield f"{path} must be {article} {kind}, not {_kind_of(value)}"
        return
    if kind == "list" and inner is not None:
        for index, item in enumerate(value):
            yield from _shape_problems(item, inner, f"{path}[{index}]")
    elif kind == "object" and inner is not None:
        for key, item in value.items():
            sub = inner.get(key, inner.get("*"))
            if sub is not None and item is not None:
                yield from _shape_problems(item, sub, f"{path}.{key}" if path else key)


class _Flow:
    def __init__(self, source: str) -> None:
        self.source = source
        self.notes: list[str] = []
        self.actions: dict[str, _Action] = {}
        self.start: str | None = None
        self.name = ""
        self.flow_type: str | None = None

    # -- reading the two shapes ---------------------------------------------

    def read_language(self, data: dict[str, Any]) -> None:
        metadata = _mapping(data.get("Metadata"))
        self.name = clean_text(str(metadata.get("name") or ""))
        self.flow_type = metadata.get("type")
        displays = _mapping(metadata.get("ActionMetadata"))
        start = data.get("StartAction")
        self.start = start if isinstance(start, str) else None
        for index, raw in enumerate(data.get("Actions") or []):
            if not isinstance(raw, dict) or not raw.get("Identifier"):
                self.notes.append(f"Action number {index + 1} has no Identifier: left out.")
                continue
            params = _mapping(raw.get("Parameters"))
            action = _Action(str(raw["Identifier"]), str(raw.get("Type") or "?"), params)
            action.label = _describe(action, _mapping(displays.get(action.ident)))
            transitions = _mapping(raw.get("Transitions"))
            if transitions.get("NextAction"):
                # Named only when the action branches, so that a merged label stays truthful.
                label = ("default" if transitions.get("Conditions")
                         else "success" if transitions.get("Errors") else "")
                action.edges.append((str(transitions["NextAction"]), label, False))
            for item in transitions.get("Conditions") or []:
                if isinstance(item, dict) and item.get("NextAction"):
                    action.edges.append((str(item["NextAction"]),
                                         _condition_label(action, item.get("Condition")), False))
            for item in transitions.get("Errors") or []:
                if isinstance(item, dict) and item.get("NextAction"):
                    kind = str(item.get("ErrorType") or "unknown")
                    waited = action.type in _WAITING and _is_timeout(kind)
                    action.edges.append((str(item["NextAction"]),
                                         "timeout" if waited else f"error: {kind}", not waited))
            self.add(action)

    def read_export(self, data: dict[str, Any]) -> None:
        metadata = _mapping(data.get("metadata"))
        self.name = clean_text(str(metadata.get("name") or ""))
        self.flow_type = data.get("type") or metadata.get("type")
        start = data.get("start")
        self.start = start if isinstance(start, str) else None
        for index, raw in enumerate(data.get("modules") or []):
            if not isinstance(raw, dict) or not raw.get("id"):
                self.notes.append(f"Module number {index + 1} has no id: left out.")
                continue
            kind = str(raw.get("type") or "?")
            target = raw.get("target")
            if kind == "Transfer" and target == "Queue":
                kind = "TransferContactToQueue"
            elif kind == "Transfer" and target == "Agent":
                kind = "TransferContactToAgent"
            action = _Action(str(raw["id"]), kind, raw.get("parameters") or [])
            action.label = _describe(action, {})
            if kind == "Transfer" and target:
                action.label = f"Transfer to {str(target).lower()}"
            for branch in raw.get("branches") or []:
                if not isinstance(branch, dict) or not branch.get("transition"):
                    continue
                condition = str(branch.get("condition") or "")
                if condition == "Evaluate":
                    label = " ".join(str(branch.get(k) or "") for k in
                                     ("conditionType", "conditionValue")).strip().lower()
                    label = label or "evaluate"
                    if action.type in _INPUT and branch.get("conditionType") == "Equals":
                        label = f"pressed {branch.get('conditionValue')}"
                elif condition in ("Success", ""):
                    label = "success" if len(raw.get("branches") or []) > 1 else ""
                else:
                    label = _words(condition).lower()
                error = condition in _OLD_ERRORS and not (kind in _WAITING
                                                          and _is_timeout(condition))
                if error:
                    label = f"error: {condition}"
                action.edges.append((str(branch["transition"]), label, error))
            self.add(action)

    def add(self, action: _Action) -> None:
        if action.ident in self.actions:
            self.notes.append(f"Action {action.ident} appears twice; the second one is left out.")
            return
        self.actions[action.ident] = action
        if action.type not in _KNOWN:
            self.notes.append(f"Action {action.ident} has the type '{action.type}', which the "
                              "importer does not know: kept as a plain step.")

    # -- the journey ----------------------------------------------------------

    def error_only(self) -> set[str]:
        """Actions reached only through error branches (or from such actions).

        The others are found breadth-first: the start action and actions
        nothing leads to, then whatever a normal (not error) branch of one
        of them leads to; each action is visited once.
        """
        has_incoming = {target for action in self.actions.values()
                        for target, _label, _error in action.edges}
        normal = deque(a for a in self.actions if a == self.start or a not in has_incoming)
        reached = set(normal)
        while normal:
            for target, _label, error in self.actions[normal.popleft()].edges:
                if not error and target in self.actions and target not in reached:
                    reached.add(target)
                    normal.append(target)
        return set(self.actions) - reached

    def drafts(self, error_share: float = DEFAULT_ERROR_SHARE) -> list[DraftStep]:
        tainted = self.error_only()
        arrivals = self.arrivals(tainted)
        queue_flow = self.flow_type in _QUEUE_FLOWS
        ends_contact = self.flow_type in _FLOW_ENDS_CONTACT
        drafts: dict[str, DraftStep] = {}
        split: dict[str, str] = {}  # disconnect id -> key of its abandon twin
        agent_needed = False

        def terminal(action: _Action) -> bool:
            return action.type in _DISCONNECT or (action.type in _END_FLOW and not queue_flow)

        def lost(action: _Action) -> bool:
            return action.type in _DISCONNECT or (action.type in _END_FLOW and ends_contact)

        for action in self.actions.values():
            fields: dict[str, Any] = {"actor": "bot" if action.type in _BOT else "system",
                                      "tags": [f"connect:{action.type}"]}
            if action.type in _INPUT:
                fields["shield"] = "ivr"
            elif action.type in _BOT:
                fields["shield"] = "bot"
            elif action.type in _HOLD:
                fields["shield"] = "hold"
            elif action.type in _QUEUE:
                fields["shield"] = "queue"
            elif action.type in _CALLBACK:
                fields["shield"] = "callback"
            draft = DraftStep(action.ident, action.label, "action", fields=fields,
                              source_id=action.ident)
            if terminal(action):
                draft.fields.pop("actor")
                draft.kind = "resolution"
                if lost(action):
                    routes = arrivals.get(action.ident) or {False}
                    if routes == {True}:
                        draft.kind = "abandon"
                    elif routes == {False, True}:
                        twin = DraftStep(f"{action.ident}#error", f"{action.label} after an error",
                                         "action", kind="abandon",
                                         fields={"tags": [f"connect:{action.type}"]},
                                         source_id=action.ident)
                        drafts[twin.key] = twin
                        split[action.ident] = twin.key
            elif action.type in _END_FLOW and queue_flow:
                draft.label = "End flow: the contact stays in the queue"
                draft.name = ""
                draft.fallback = "stay-in-queue"
                draft.fields["shield"] = "queue"
                draft.edges.append(DraftEdge("agent", "an agent answers", "warm"))
                agent_needed = True
            drafts[action.ident] = draft

        for action in self.actions.values():
            draft = drafts[action.ident]
            if draft.kind in ("resolution", "abandon"):
                if action.edges:
                    self.notes.append(f"{action.label} ({action.ident}) ends the contact, so its "
                                      "outgoing transitions are left out.")
                continue
            hands_over = action.type in _QUEUE or action.type in _TO_AGENT
            if action.type in _QUEUE:
                draft.edges.append(DraftEdge("agent", "an agent answers", "warm"))
            elif action.type in _TO_AGENT:
                draft.edges.append(DraftEdge("agent", "the agent takes the contact", "warm"))
            elif queue_flow and action.type in _HOLD and self.waits_for_agent(action):
                draft.edges.append(DraftEdge("agent", "an agent answers", "warm"))
            agent_needed = agent_needed or any(e.target == "agent" for e in draft.edges)
            for target, label, error in action.edges:
                if target not in self.actions:
                    self.notes.append(f"{action.label} ({action.ident}) leads to '{target}', "
                                      "which is not an action of this flow: left out.")
                    continue
                if hands_over and not error:
                    waits = "waits for" if action.type in _QUEUE else "goes to"
                    self.notes.append(f"{action.label} ({action.ident}): a successful transfer "
                                      f"ends the flow and the contact {waits} an agent, so its "
                                      f"success transition to {target} is replaced by the "
                                      "handoff to the agent.")
                    continue
                reached_by_error = error or action.ident in tainted
                key = split[target] if reached_by_error and target in split else target
                draft.edges.append(DraftEdge(key, label, p=error_share if error else None))
            self.check_shares(action, draft)

        ordered = self.order(drafts)
        if agent_needed:
            ordered.append(DraftStep("agent", "", "agent", kind="resolution",
                                     label="An agent takes the contact",
                                     fields={"actor": "frontline"}))
        if self.start is None:
            self.notes.append("The flow names no start action: the journey has no entry.")
        elif self.start not in drafts:
            self.notes.append(f"The start action '{self.start}' is not in the flow: the journey "
                              "has no entry.")
        else:
            first = drafts[self.start]
            if first.kind == "step":
                first.kind = "entry"
            else:
                ordered.insert(0, DraftStep("arrive", "", "contact-arrives", kind="entry",
                                            label="Contact arrives",
                                            edges=[DraftEdge(self.start)]))
        return ordered

    def waits_for_agent(self, action: _Action) -> bool:
        """True when loop prompts have no normal way on but back to themselves.

        In a customer queue flow such prompts play until an agent answers.
        """
        return all(error or target == action.ident for target, _label, error in action.edges)

    def check_shares(self, action: _Action, draft: DraftStep) -> None:
        """Drop the error shares of a step where they cannot stand: the even split instead.

        That is when every transition of the step is an error branch (the
        shares must then sum to 1), or when the error branches would take
        every contact. A transition that is also a normal route (``success;
        error: …`` to one action) is a normal route.
        """
        shares: dict[str, list[float | None]] = {}
        for edge in draft.edges:
            shares.setdefault(edge.target, []).append(edge.p)
        errors = [sum(p for p in ps if p is not None) for ps in shares.values()
                  if all(p is not None for p in ps)]
        if not errors:
            return
        normal = len(shares) - len(errors)
        if normal and sum(errors) < 1:
            return
        for edge in draft.edges:
            edge.p = None
        if normal:
            self.notes.append(f"{action.label} ({action.ident}) has {len(errors)} error "
                              "branches whose shares would take every contact: its "
                              "transitions share them evenly.")

    def arrivals(self, tainted: set[str]) -> dict[str, set[bool]]:
        """For each action, how its incoming edges arrive: by an error route (True) or not.

        A queue transfer's success edge is left out: it is replaced by the
        handoff to the agent.
        """
        kinds: dict[str, set[bool]] = {}
        for action in self.actions.values():
            hands_over = action.type in _QUEUE or action.type in _TO_AGENT
            edges = [e for e in action.edges if e[2]] if hands_over else action.edges
            for target, _label, error in edges:
                kinds.setdefault(target, set()).add(error or action.ident in tainted)
        return kinds

    def order(self, drafts: dict[str, DraftStep]) -> list[DraftStep]:
        """Steps breadth-first from the start action, then any the start does not reach."""
        order: list[str] = []
        seen: set[str] = set()
        for root in [self.start, *drafts]:
            if root not in drafts or root in seen:
                continue
            queue = deque([root])
            seen.add(root)
            while queue:
                key = queue.popleft()
                order.append(key)
                for edge in drafts[key].edges:
                    if edge.target in drafts and edge.target not in seen:
                        seen.add(edge.target)
                        queue.append(edge.target)
        return [drafts[k] for k in order]


def convert_connect(data: bytes, source: str, *, error_share: float = DEFAULT_ERROR_SHARE,
                    ) -> tuple[dict[str, Any], list[str], list[Problem]]:
    """The journey document, notes and problems for the contact flow ``data``.

    ``error_share`` is the ``p`` of each error branch (from 0 to 1, 1 left
    out); ``ValueError`` for another value.
    """
    if not 0 <= error_share < 1:
        raise ValueError(f"the error share must be from 0 to below 1, not {error_share}")
    try:
        parsed = json.loads(data, parse_int=_json_int)
    except json.JSONDecodeError as exc:
        return {}, [], [Problem(source, exc.lineno, exc.colno, f"invalid JSON: {exc.msg}")]
    except UnicodeDecodeError as exc:
        return {}, [], [Problem(source, 1, 1, f"the file is not UTF-8 JSON text: {exc}")]
    except _NumberTooLong as exc:
        return {}, [], [Problem(source, 1, 1, str(exc))]
    except RecursionError:
        return {}, [], [Problem(source, 1, 1, "the JSON is nested too deeply to be a contact "
                                              "flow")]
    flow = _Flow(source)
    if isinstance(parsed, dict) and isinstance(parsed.get("Actions"), list):
        shape = _LANGUAGE_SHAPE
    elif isinstance(parsed, dict) and isinstance(parsed.get("modules"), list):
        shape = _EXPORT_SHAPE
    else:
        return {}, [], [Problem(source, 1, 1, "not an Amazon Connect contact flow: expected an "
                                              "object with 'Actions' (flow language) or "
                                              "'modules' (console export)")]
    wrong = list(_shape_problems(parsed, ("object", shape), ""))
    if wrong:
        return {}, [], [Problem(source, 1, 1, message) for message in wrong[:_MAX_SHAPE_PROBLEMS]]
    if shape is _LANGUAGE_SHAPE:
        flow.read_language(parsed)
    else:
        flow.read_export(parsed)
    drafts = flow.drafts(error_share)
    stem = PurePath(source).stem
    title = flow.name or stem
    document = render_document(slugify(title, "") or slugify(stem, "journey"), title, drafts,
                               {"x-imported-from": {"format": "amazon-connect",
                                                    "file": PurePath(source).name,
                                                    "flow-type": flow.flow_type or "unknown"}},
                               flow.notes)
    return document, flow.notes, []


_MAX_SHAPE_PROBLEMS = 20
"""Most wrong-type problems reported for one file (the first ones, in document order)."""
_MAX_DIGITS = 1000
"""Longest integer read from a flow (Python refuses to convert those past 4,300 digits)."""


class _NumberTooLong(ValueError):
    """An integer in the JSON has more than :data:`_MAX_DIGITS` digits."""


def _json_int(text: str) -> int:
    if len(text) > _MAX_DIGITS:
        raise _NumberTooLong(f"a number in the JSON has {len(text):,} digits; a contact flow's "
                             f"numbers have at most {_MAX_DIGITS:,}")
    return int(text)
