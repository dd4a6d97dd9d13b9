"""The JSON Schema (draft-07) of the journey format, for editors.

Editors with a YAML language server (VS Code YAML, IntelliJ, Neovim) use it
for completion, hover help and live errors. It states every field, type,
range and the terminal/entry constraints; what a schema cannot state (that
``next`` names existing steps, probability and share sums, duplicate keys)
is checked by ``cx-audit validate``. Draft-07 is used because it is the
newest draft every editor's YAML support understands.
"""

from __future__ import annotations

import json
from typing import Any

from cx_audit.core.model import SLUG_PATTERN, Actor, Handoff, StepKind

__all__ = ["SCHEMA_ID", "journey_schema", "schema_json"]

SCHEMA_ID = "https://cx-audit.dev/schema/journey-1.json"

_DURATION_TEXT = r"^\s*([0-9]+(\.[0-9]+)?|\.[0-9]+)\s*(s|m|h|d)\s*$"
_RULE_KEY = r"^(CX[0-9]{3}|[a-z][a-z0-9]*(-[a-z0-9]+)*)$"
_EXTENSIONS = {"^x-": {"description": "Extension: kept and ignored by cx-audit."}}


def _duration(description: str, positive: bool = False) -> dict[str, Any]:
    number: dict[str, Any] = {"type": "number"}
    number["exclusiveMinimum" if positive else "minimum"] = 0
    return {
        "description": description,
        "oneOf": [
            dict(number, description="minutes"),
            {"type": "string", "pattern": _DURATION_TEXT,
             "description": "a number with a unit: 90s, 4m, 1.5h, 2d"},
        ],
    }


def _text(description: str) -> dict[str, Any]:
    return {"type": "string", "description": description}


def journey_schema() -> dict[str, Any]:
    """Return the schema as a dict (a fresh copy each call)."""
    slug = {"type": "string", "pattern": SLUG_PATTERN}
    terminal = [k.value for k in StepKind if k.is_terminal]
    transition = {
        "type": "object",
        "description": "A transition to another step.",
        "required": ["to"],
        "properties": {
            "to": dict(slug, description="The id of the next step (same journey)."),
            "p": {"type": "number", "minimum": 0, "maximum": 1,
                  "description": "Probability of this transition among the step's transitions. "
                                 "What is not given is split evenly among those without p."},
            "handoff": {"enum": [h.value for h in Handoff],
                        "description":
                            "The customer is handed over; cold: the story is told again."},
            "label": _text("The condition, in words."),
        },
        "patternProperties": _EXTENSIONS,
        "additionalProperties": False,
    }
    step = {
        "type": "object",
        "properties": {
            "kind": {"enum": [k.value for k in StepKind], "default": "step",
                     "description": "entry: customers start here; resolution: the matter is "
                                    "solved; abandon: the customer gives up."},
            "label": _text("What happens, in the customer's words (default: the id)."),
            "channel": _text("phone, web, app, email, chat, store, mail, social, sms, video..."),
            "actor": {"enum": [a.value for a in Actor],
                      "description": "Who the customer deals with at this step."},
            "owner": _text("The team that owns the step (default: the journey's owner)."),
            "shield": _text("Marks a shield layer and names its kind: ivr, menu, form, auth, "
                            "queue, hold, deflection, bot, approval, policy, fee, callback..."),
            "wait": _duration("Time the customer waits at this step."),
            "abandon": {"type": "number", "minimum": 0, "maximum": 1,
                        "description": "Share of customers who give up at this step."},
            "emotion": {"type": "number", "minimum": -2, "maximum": 2,
                        "description": "How the customer feels here, from -2 to +2."},
            "can_resolve": {"type": "boolean",
                            "description": "The person here has the authority to resolve."},
            "share": {"type": "number", "exclusiveMinimum": 0, "maximum": 1,
                      "description": "Entry steps only: share of customers who start here."},
            "ignore": {
                "type": "object",
                "description": "Rule code or name -> the reason its findings do not apply here.",
                "propertyNames": {"pattern": _RULE_KEY},
                "additionalProperties": {"type": "string", "pattern": r"\S"},
            },
            "next": {
                "type": "array",
                "description": "Where the customer goes next: step ids or transitions.",
                "uniqueItems": True,
                "items": {"oneOf": [dict(slug, description="A step id."),
                                    {"$ref": "#/definitions/transition"}]},
            },
            "evidence": {"type": "array", "items": {"type": "string"},
                         "description": "What was heard or measured at this step."},
            "staffing": {
                "type": "object",
                "description": "Queue staffing: the wait is computed by Erlang C when no "
                               "wait is given.",
                "required": ["arrivals", "handle", "agents"],
                "properties": {
                    "arrivals": {"type": "number", "minimum": 0,
                                 "description": "Customers arriving per hour."},
                    "handle": _duration("Handle time per customer.", positive=True),
                    "agents": {"type": "integer", "minimum": 1,
                               "description": "Agents serving the queue."},
                },
                "patternProperties": _EXTENSIONS,
                "additionalProperties": False,
            },
            "notes": _text("Free documentation."),
            "tags": {"type": "array", "items": {"type": "string"}},
            "silent": {"enum": [True, False, "parallel"],
                       "description": ("A routing point an event log never shows (a start or "
                                       "end event, a gateway, a generated end); parallel: a "
                                       "split whose ways are all taken at once.")},
        },
        "patternProperties": _EXTENSIONS,
        "additionalProperties": False,
        "allOf": [
            {
                "if": {"required": ["kind"], "properties": {"kind": {"enum": terminal}}},
                "then": {"not": {"anyOf": [{"required": ["next"]}, {"required": ["abandon"]}]}},
            },
            {
                "if": {"not": {"required": ["kind"], "properties": {"kind": {"const": "entry"}}}},
                "then": {"not": {"required": ["share"]}},
            },
        ],
    }
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "cx-audit customer journey (format version 1)",
        "description": "A customer journey: steps, and where customers go next.",
        "type": "object",
        "required": ["journey", "steps"],
        "properties": {
            "journey": dict(slug, description="The journey's id, unique across an audit."),
            "version": {"const": 1, "description": "Format version."},
            "title": _text("Human title (default: the id)."),
            "persona": _text("Who travels this journey."),
            "owner": _text("Default owner (team) of every step."),
            "replaces": dict(slug, description=(
                "The id of the journey this one redesigns (its as-is version): cx-audit "
                "compare and diff set the two side by side, whatever their file names.")),
            "steps": {
                "type": "object",
                "description": "The steps, in narrative order: id -> step.",
                "propertyNames": {"pattern": SLUG_PATTERN},
                "additionalProperties": {
                    "oneOf": [{"type": "null"}, {"$ref": "#/definitions/step"}]},
            },
        },
        "patternProperties": _EXTENSIONS,
        "additionalProperties": False,
        "definitions": {"step": step, "transition": transition},
    }


def schema_json() -> str:
    """The schema as pretty-printed JSON text, ending with a newline."""
    return json.dumps(journey_schema(), indent=2) + "\n"
