"""Journey diagrams: a Mermaid flowchart (for GitHub Markdown) and Graphviz DOT.

Both drawings show the same things: one node per step, shaped by its kind;
shield layers marked by a class and by their shield kind in the label;
steps with findings (candidate combustion points) outlined, errors more
strongly than warnings; and every transition labelled with the chance of
taking it, its handoff and its condition. Cold handoffs are dashed and red.

Every string that comes from a journey file is made inert before it is
written (:mod:`cx_audit.renderers.escaping`): for Mermaid by
:func:`~cx_audit.renderers.escaping.mermaid_text` (entity codes), for DOT by
:func:`~cx_audit.renderers.escaping.dot_text`. Node ids are ``n0``, ``n1``,
... in file order, never the step ids.

The implicit abandon of a step's ``abandon:`` share is written into the
step's own label ("30% give up here") rather than drawn as edges to a shared
"gives up" node: in journeys of twenty or more steps those edges cross the
whole drawing and hide the route.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence

from cx_audit.core.findings import Finding, Severity
from cx_audit.core.model import Handoff, Journey, Step, StepKind, Transition
from cx_audit.renderers.escaping import dot_text, mermaid_text, one_line
from cx_audit.text.formatting import percent

__all__ = [
    "DIRECTIONS",
    "edge_text",
    "node_lines",
    "render_dot",
    "render_mermaid",
]

DIRECTIONS = ("TD", "TB", "LR", "RL", "BT")
"""Flow directions both formats accept."""

WRAP = 30
"""Characters per line in node labels before wrapping."""

MAX_CODES = 3
"""Rule codes listed in a node label before the rest are counted."""

SHIELD_MARK = "\U0001f6e1"
"""The shield sign put before a shield step's kind."""

FINDING_MARK = "\u26a0"
"""The warning sign put before a step's rule codes."""

_SEVERITY_CLASS = {
    Severity.ERROR: "cpError",
    Severity.WARNING: "cpWarning",
    Severity.INFO: "cpInfo",
}
_KIND_CLASS = {
    StepKind.ENTRY: "entry",
    StepKind.RESOLUTION: "resolution",
    StepKind.ABANDON: "abandon",
}

# Fills say what a step is, outlines say what was found there, so a shield
# with an error shows both. Text colour is fixed for GitHub's dark mode.
_MERMAID_CLASSES = (
    ("entry", "fill:#e3f2fd,stroke:#1565c0,color:#0d2a4a"),
    ("resolution", "fill:#e8f5e9,stroke:#2e7d32,color:#12331a"),
    ("abandon", "fill:#eceff1,stroke:#546e7a,color:#263238"),
    ("shield", "fill:#fff3e0,stroke:#8d6e63,color:#3e2723,stroke-dasharray:4 3"),
    ("cpError", "stroke:#c62828,stroke-width:4px"),
    ("cpWarning", "stroke:#ef6c00,stroke-width:2.5px"),
    ("cpInfo", "stroke:#1565c0,stroke-width:1.5px"),
)

_COLD_COLOUR = "#c62828"


def _wrap(text: str, width: int = WRAP) -> list[str]:
    cleaned = one_line(text)
    if not cleaned:
        return []
    return textwrap.wrap(cleaned, width, break_long_words=True, break_on_hyphens=False) or [cleaned]


def _findings_by_step(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    by_step: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.step is not None and finding.severity is not Severity.OFF:
            by_step.setdefault(finding.step, []).append(finding)
    return by_step


def _worst(findings: Sequence[Finding]) -> Severity | None:
    if not findings:
        return None
    return max((f.severity for f in findings), key=lambda s: s.rank)


def _codes(findings: Sequence[Finding]) -> str:
    codes = sorted({f.rule for f in findings})
    shown = " ".join(codes[:MAX_CODES])
    if len(codes) > MAX_CODES:
        shown += f" +{len(codes) - MAX_CODES}"
    return shown


def node_lines(step: Step, findings: Sequence[Finding] = ()) -> list[str]:
    """The lines of a step's node label, unescaped (each format escapes them).

    The shield kind after a shield sign, the label wrapped to :data:`WRAP`
    characters, the share of customers who give up at the step, and the rule
    codes found there after a warning sign.
    """
    lines: list[str] = []
    if step.is_shield:
        lines.append(f"{SHIELD_MARK} {one_line(step.shield or '')}")
    lines.extend(_wrap(step.label or step.id))
    if step.abandon > 0 and not step.is_terminal:
        lines.append(f"{percent(step.abandon)} give up here")
    if findings:
        lines.append(f"{FINDING_MARK} {_codes(findings)}")
    return lines


def _chance(journey: Journey, transition: Transition) -> float:
    """The share of the customers at the source who take this transition."""
    source = journey.steps.get(transition.source)
    kept = 1.0 - (source.abandon if source is not None else 0.0)
    return kept * transition.probability


def edge_text(journey: Journey, transition: Transition) -> str:
    """An edge's label: chance (unless certain), handoff and condition, joined by `` · ``."""
    parts = []
    chance = _chance(journey, transition)
    if abs(chance - 1.0) > 1e-9:
        parts.append(percent(chance))
    if transition.handoff is Handoff.COLD:
        parts.append("cold handoff")
    elif transition.handoff is Handoff.WARM:
        parts.append("warm handoff")
    if transition.label:
        parts.append(one_line(transition.label))
    return " \u00b7 ".join(parts)


def _node_ids(journey: Journey) -> dict[str, str]:
    return {step_id: f"n{index}" for index, step_id in enumerate(journey.steps)}


def _mermaid_shape(step: Step, label: str) -> str:
    quoted = f'"{label}"'
    if step.kind is StepKind.ENTRY:
        return f"([{quoted}])"
    if step.kind is StepKind.RESOLUTION:
        return f"({quoted})"
    if step.kind is StepKind.ABANDON:
        return f">{quoted}]"
    if step.is_shield:
        return f"{{{{{quoted}}}}}"
    return f"[{quoted}]"


def render_mermaid(journey: Journey, findings: Iterable[Finding] = (), *,
                   direction: str = "TD") -> str:
    """The journey as a Mermaid flowchart, ready for a ```` ```mermaid ```` block.

    Parameters
    ----------
    journey : Journey
    findings : iterable of Finding, optional
        The journey's findings; steps with findings are outlined (errors
        most strongly) and list their rule codes. Journey-level findings
        are not drawn.
    direction : str, optional (default="TD")
        One of :data:`DIRECTIONS`.

    Returns
    -------
    str
        The diagram text, ending with a newline. Entries are stadiums,
        resolutions rounded boxes, abandons flags, shield steps hexagons
        (class ``shield``), other steps boxes; ``classDef`` lines style the
        kinds and the combustion points (``cpError``, ``cpWarning``,
        ``cpInfo``), and ``linkStyle`` colours cold handoffs, which are also
        dashed.
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    ids = _node_ids(journey)
    by_step = _findings_by_step(findings)
    lines = [f"flowchart {direction}"]
    classes: dict[str, list[str]] = {}
    for step_id, step in journey.steps.items():
        node = ids[step_id]
        texts = node_lines(step, by_step.get(step_id, ()))
        label = "<br>".join(mermaid_text(text) for text in texts)
        lines.append(f"  {node}{_mermaid_shape(step, label)}")
        kind = _KIND_CLASS.get(step.kind)
        if kind:
            classes.setdefault(kind, []).append(node)
        if step.is_shield:
            classes.setdefault("shield", []).append(node)
        worst = _worst(by_step.get(step_id, ()))
        if worst is not None and worst in _SEVERITY_CLASS:
            classes.setdefault(_SEVERITY_CLASS[worst], []).append(node)
    cold: list[int] = []
    edge = 0
    for step in journey.steps.values():
        for transition in step.next:
            if transition.target not in ids:
                continue
            arrow = "-.->" if transition.handoff is Handoff.COLD else "-->"
            text = edge_text(journey, transition)
            label = f'|"{mermaid_text(text)}"|' if text else ""
            lines.append(f"  {ids[step.id]} {arrow}{label} {ids[transition.target]}")
            if transition.handoff is Handoff.COLD:
                cold.append(edge)
            edge += 1
    for name, style in _MERMAID_CLASSES:
        lines.append(f"  classDef {name} {style}")
    for name, _ in _MERMAID_CLASSES:
        if classes.get(name):
            lines.append(f"  class {','.join(classes[name])} {name}")
    if cold:
        indexes = ",".join(map(str, cold))
        lines.append(f"  linkStyle {indexes} stroke:{_COLD_COLOUR},stroke-width:2px")
    return "\n".join(lines) + "\n"


_DOT_SHAPE = {
    StepKind.ENTRY: 'shape=box, style="rounded,filled", fillcolor="#e3f2fd"',
    StepKind.RESOLUTION: 'shape=box, style="rounded,filled", peripheries=2, fillcolor="#e8f5e9"',
    StepKind.ABANDON: 'shape=octagon, style=filled, fillcolor="#eceff1"',
}
_DOT_SHIELD = 'shape=hexagon, style="filled,dashed", fillcolor="#fff3e0"'
_DOT_STEP = 'shape=box, style=filled, fillcolor="#ffffff"'
_DOT_OUTLINE = {
    Severity.ERROR: 'color="#c62828", penwidth=4',
    Severity.WARNING: 'color="#ef6c00", penwidth=2.5',
    Severity.INFO: 'color="#1565c0", penwidth=1.5',
}
_DOT_RANKDIR = {"TD": "TB", "TB": "TB", "LR": "LR", "RL": "RL", "BT": "BT"}


def render_dot(journey: Journey, findings: Iterable[Finding] = (), *,
               direction: str = "TD") -> str:
    """The journey as a Graphviz DOT digraph.

    The same content as :func:`render_mermaid`: entries and resolutions
    rounded (a resolution with a double outline), abandons octagons, shield
    steps dashed hexagons with the shield kind on the first line, steps with
    findings outlined by their worst severity; edges labelled with chance,
    handoff and condition, cold handoffs dashed and red. ``direction`` is one
    of :data:`DIRECTIONS`. Every string is double-quoted and escaped by
    :func:`~cx_audit.renderers.escaping.dot_text`.
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    ids = _node_ids(journey)
    by_step = _findings_by_step(findings)
    lines = [
        f'digraph "{dot_text(journey.id)}" {{',
        (f'  graph [rankdir={_DOT_RANKDIR[direction]}, label="{dot_text(journey.title)}", '
        'labelloc=t, fontname="Helvetica"];'),
        '  node [fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    for step_id, step in journey.steps.items():
        texts = node_lines(step, by_step.get(step_id, ()))
        label = "\\n".join(dot_text(text) for text in texts)
        attributes = [f'label="{label}"', f'tooltip="{dot_text(step_id)}"']
        if step.kind in _DOT_SHAPE:
            attributes.append(_DOT_SHAPE[step.kind])
        elif step.is_shield:
            attributes.append(_DOT_SHIELD)
        else:
            attributes.append(_DOT_STEP)
        worst = _worst(by_step.get(step_id, ()))
        if worst is not None and worst in _DOT_OUTLINE:
            attributes.append(_DOT_OUTLINE[worst])
        lines.append(f"  {ids[step_id]} [{', '.join(attributes)}];")
    for step in journey.steps.values():
        for transition in step.next:
            if transition.target not in ids:
                continue
            attributes = []
            text = edge_text(journey, transition)
            if text:
                attributes.append(f'label="{dot_text(text)}"')
            if transition.handoff is Handoff.COLD:
                attributes.append(
                    f'style=dashed, color="{_COLD_COLOUR}", fontcolor="{_COLD_COLOUR}"')
            elif transition.handoff is Handoff.WARM:
                attributes.append("style=bold")
            suffix = f" [{', '.join(attributes)}]" if attributes else ""
            lines.append(f"  {ids[step.id]} -> {ids[transition.target]}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"
