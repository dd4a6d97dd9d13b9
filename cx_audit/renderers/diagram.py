"""Journey diagrams: what to draw (:func:`diagram_graph`), as Mermaid (for GitHub Markdown) and DOT.

All three drawings of a journey (these two and the SVG of
:mod:`cx_audit.renderers.journey_svg`) follow the same rules:

- one box per step, its label wrapped once, here (Mermaid is given lines
  short enough that it never wraps them again); shield layers marked; the
  owning team named; the share that gives up at a step written under it;
- only the top ``highlight`` combustion points are marked, each with its
  rank as in the report's list ("point 1"), where it sits (its step; a
  transition point on its edge). Other findings are not drawn: when most
  boxes are marked, the mark means nothing;
- an edge carries the chance of taking it (when the step has more than one
  way on), its handoff and condition; cold handoffs are dashed and red;
- a journey too large to draw legibly (more than :data:`MAX_STEPS` steps)
  is drawn condensed: each loop, and each run of shield layers one after
  another, becomes one box that says how many steps it holds, and the
  diagram's note says so.

Every string that comes from a journey file is made inert where it is
written (:mod:`cx_audit.renderers.escaping`). Node ids are ``n0``, ``n1``,
... in drawing order, never the step ids.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from cx_audit.analysis import analyse, most_likely_routes, strongly_connected
from cx_audit.audit.points import CombustionPoint
from cx_audit.core.model import Handoff, Journey, Step, StepKind
from cx_audit.renderers.escaping import dot_text, mermaid_text, one_line
from cx_audit.text.formatting import percent, plural

__all__ = [
    "DIRECTIONS",
    "HIGHLIGHT",
    "MAX_STEPS",
    "MERMAID_MAX_EDGES",
    "MERMAID_MAX_TEXT",
    "DiagramEdge",
    "DiagramGraph",
    "DiagramNode",
    "MermaidChart",
    "diagram_graph",
    "edge_text",
    "mermaid_chart",
    "node_lines",
    "render_dot",
    "render_mermaid",
    "wrap_label",
]

DIRECTIONS = ("LR", "TD", "TB", "RL", "BT")
"""Flow directions both formats accept; left to right is the default."""

HIGHLIGHT = 5
"""Combustion points marked by default: the top five, as the terminal view lists."""

MAX_STEPS = 40
"""Steps above which a journey is drawn condensed (loops and shield runs as one box each)."""

MERMAID_MAX_TEXT = 50_000
"""Mermaid's default ``maxTextSize``: GitHub refuses to draw a longer diagram."""

MERMAID_MAX_EDGES = 500
"""Mermaid's default ``maxEdges``."""

MERMAID_WRAP = 24
"""Characters per line of a Mermaid label: at Mermaid's default 16 px font a line
of 24 ordinary characters stays under its 200 px wrapping width, so Mermaid
never wraps a line again."""

SHIELD_MARK = "\U0001f6e1"
"""The shield sign put before a shield step's kind."""

POINT_MARK = "\u26a0"
"""The warning sign put before the rank of a combustion point."""

_COLD_COLOUR = "#c62828"


# --- what to draw ------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class DiagramNode:
    """One box: a step, or in a condensed view a loop or a run of shield layers.

    ``label``, ``owner`` and ``shield`` are raw journey text (each format
    escapes them). ``group`` is ``"loop"`` or ``"shields"`` for a collapsed
    box, else ``None``; ``steps`` are the steps it stands for, in file order.
    ``points`` are the ranks of the highlighted combustion points sitting
    here. ``gives_up`` is the share of the customers at the step who give
    up there (0 for a collapsed box).
    """

    steps: tuple[str, ...]
    label: str
    kind: StepKind
    shield: str | None
    owner: str | None
    gives_up: float
    group: str | None
    points: tuple[int, ...]
    visits: float

    @property
    def step(self) -> str:
        """The step that names the box (the first of a group, in file order)."""
        return self.steps[0]


@dataclass(frozen=True, slots=True)
class DiagramEdge:
    """One arrow between boxes (parallel transitions of a condensed view merged).

    ``chance`` is the share of the customers at the source who take it,
    ``None`` when it is the step's only way on or leaves a collapsed box;
    ``flow`` the expected crossings per customer (for weighting the layout
    and the stroke); ``label`` the transition's condition (raw text).
    """

    source: int
    target: int
    chance: float | None
    cold: bool
    warm: bool
    label: str | None
    flow: float
    points: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class DiagramGraph:
    """A journey as it is drawn: boxes, arrows, the likeliest route and a note."""

    nodes: tuple[DiagramNode, ...]
    edges: tuple[DiagramEdge, ...]
    route: tuple[int, ...]
    """The boxes of the likeliest route, in order (laid out on one row)."""
    roots: tuple[int, ...]
    """The entry boxes, most customers first."""
    highlighted: tuple[int, ...]
    """The ranks of the combustion points marked, in rank order."""
    condensed: bool
    note: str | None


def _wrap(text: str, width: int) -> list[str]:
    cleaned = one_line(text)
    if not cleaned:
        return []
    return textwrap.wrap(cleaned, width, break_long_words=True, break_on_hyphens=False) or [cleaned]


def wrap_label(text: str, width: int, lines: int | None = None) -> list[str]:
    """``text`` on one line, wrapped at ``width`` characters into at most ``lines`` lines.

    The only place diagram labels are wrapped. Words longer than a line
    are broken; a label that needs more lines ends its last one with ``…``.

    >>> wrap_label("Press 1 for refunds, 2 for everything else", 12, 2)
    ['Press 1 for', 'refunds, 2 …']
    """
    wrapped = _wrap(text, width)
    if lines is None or len(wrapped) <= lines:
        return wrapped
    kept = wrapped[:lines]
    last = kept[-1]
    kept[-1] = (last if len(last) < width else last[:width - 2].rstrip()) + " \u2026"
    return kept


def _point_ranks(points: Sequence[CombustionPoint], highlight: int) -> list[CombustionPoint]:
    return sorted((p for p in points if p.rank <= highlight), key=lambda p: p.rank)


def _groups(journey: Journey, ids: list[str]) -> tuple[list[int], set[int]]:
    """Each step's box in the condensed view, and the boxes that are loops.

    A loop (steps that can all reach one another) is one box. A shield step
    outside any loop whose only way on is another such shield step, which
    only it leads to, shares that step's box: a run of shield layers.
    """
    index = {v: i for i, v in enumerate(ids)}
    n = len(ids)
    succ = [[index[t.target] for t in journey.steps[v].next if t.target in index] for v in ids]
    comp_of, comps = strongly_connected(n, succ)
    group = [min(comps[comp_of[i]]) for i in range(n)]
    loops = {group[i] for i in range(n) if len(comps[comp_of[i]]) > 1}
    pred_count = [0] * n
    for u in range(n):
        for v in set(succ[u]):
            if group[u] != group[v]:
                pred_count[v] += 1
    steps = journey.steps

    def lone_shield(i: int) -> bool:
        step = steps[ids[i]]
        return len(comps[comp_of[i]]) == 1 and step.is_shield and step.kind is StepKind.STEP

    for u in range(n):
        targets = set(succ[u])
        if len(targets) == 1 and lone_shield(u):
            v = next(iter(targets))
            if v != u and lone_shield(v) and pred_count[v] == 1:
                group[v] = u

    def root(i: int) -> int:
        while group[i] != i:
            i = group[i]
        return i

    return [root(i) for i in range(n)], loops


def diagram_graph(journey: Journey, points: Sequence[CombustionPoint] = (), *,
                  highlight: int = HIGHLIGHT, condensed: bool | None = None,
                  visits: Sequence[float] | None = None) -> DiagramGraph:
    """What a diagram of ``journey`` shows, the same for every format.

    Parameters
    ----------
    journey : Journey
    points : sequence of CombustionPoint, optional
        ``combustion_points(audit)``; the first ``highlight`` by rank are marked.
    highlight : int, optional (default=HIGHLIGHT)
    condensed : bool, optional
        Force the condensed view on or off; by default it is used for
        journeys of more than :data:`MAX_STEPS` steps.
    visits : sequence of float, optional
        Expected visits per step in file order, when the caller has solved
        the journey already (else it is solved here, which is cheap).

    Returns
    -------
    DiagramGraph
    """
    ids = list(journey.steps)
    n = len(ids)
    if condensed is None:
        condensed = n > MAX_STEPS
    if visits is None:
        stats = analyse(journey).steps
        visits = [_finite(stats[v].visits) for v in ids]
    top = _point_ranks(points, highlight)
    group, loops = _groups(journey, ids) if condensed else (list(range(n)), set())
    boxes = sorted(set(group))
    box_of = {g: k for k, g in enumerate(boxes)}
    node_of = [box_of[group[i]] for i in range(n)]
    members: list[list[int]] = [[] for _ in boxes]
    for i in range(n):
        members[node_of[i]].append(i)
    on_points: list[list[int]] = [[] for _ in boxes]
    index = {v: i for i, v in enumerate(ids)}
    edge_points: dict[tuple[int, int], list[int]] = {}
    for point in top:
        if point.kind == "transition" and point.target in index and point.step in index:
            key = (node_of[index[point.step]], node_of[index[point.target]])
            if key[0] != key[1]:
                edge_points.setdefault(key, []).append(point.rank)
                continue
        if point.step in index:
            on_points[node_of[index[point.step]]].append(point.rank)
    nodes = []
    for k, held in enumerate(members):
        first = journey.steps[ids[held[0]]]
        if len(held) == 1:
            nodes.append(DiagramNode(
                steps=(first.id,), label=first.label or first.id, kind=first.kind,
                shield=first.shield or None, owner=first.owner,
                gives_up=first.abandon if not first.is_terminal else 0.0, group=None,
                points=tuple(on_points[k]), visits=visits[held[0]]))
            continue
        looped = group[held[0]] in loops
        entry = _group_entry(journey, ids, held)
        owners = {journey.steps[ids[i]].owner for i in held}
        nodes.append(DiagramNode(
            steps=tuple(ids[i] for i in held),
            label=(f"{plural(len(held), 'step')} in a loop, from: " if looped
                   else f"{len(held)} shield layers in a row, from: ") + (entry.label or entry.id),
            kind=StepKind.STEP, shield=None if looped else "shields",
            owner=owners.pop() if len(owners) == 1 else "several teams",
            gives_up=0.0, group="loop" if looped else "shields",
            points=tuple(on_points[k]), visits=max(visits[i] for i in held)))
    edges: dict[tuple[int, int], list[tuple[float, float, Handoff | None, str | None]]] = {}
    for step in journey.steps.values():
        u = index[step.id]
        keep = 1.0 - step.abandon
        for t in step.next:
            if t.target not in index:
                continue
            a, b = node_of[u], node_of[index[t.target]]
            if a == b and len(members[a]) > 1:
                continue
            chance = keep * t.probability
            edges.setdefault((a, b), []).append(
                (visits[u] * chance, chance, t.handoff, t.label))
    drawn = []
    for (a, b), merged in edges.items():
        single_source = len(members[a]) == 1
        chance = math.fsum(m[1] for m in merged)
        labels = [m[3] for m in merged if m[3]]
        drawn.append(DiagramEdge(
            source=a, target=b,
            chance=chance if single_source and abs(chance - 1.0) > 1e-9 else None,
            cold=any(m[2] is Handoff.COLD for m in merged),
            warm=all(m[2] is Handoff.WARM for m in merged),
            label=labels[0] if single_source and len(labels) == 1 else None,
            flow=sum(m[0] for m in merged), points=tuple(edge_points.get((a, b), ()))))
    routes = most_likely_routes(journey, 1)
    route: list[int] = []
    if routes:
        for step_id in routes[0].steps:
            box = node_of[index[step_id]]
            if box in route:
                if route[-1] == box:
                    continue
                break
            route.append(box)
    entries = sorted(journey.entry_shares.items(), key=lambda e: (-e[1], index[e[0]]))
    roots = tuple(dict.fromkeys(node_of[index[e]] for e, _ in entries if e in index))
    note = None
    if condensed:
        note = (f"Condensed view: {plural(n, 'step')} drawn as {plural(len(nodes), 'box', 'boxes')}"
                "; each loop and each run of shield layers one after another is one box that "
                "says how many steps it holds.")
    return DiagramGraph(nodes=tuple(nodes), edges=tuple(drawn), route=tuple(route),
                        roots=roots, highlighted=tuple(p.rank for p in top),
                        condensed=condensed, note=note)


def _finite(value: float | None) -> float:
    if value is None or value != value or value == float("inf"):
        return 1.0
    return float(value)


def _group_entry(journey: Journey, ids: list[str], held: list[int]) -> Step:
    """The step where customers come into a group: the first one entered from outside."""
    inside = {ids[i] for i in held}
    for step in journey.steps.values():
        if step.id in inside:
            continue
        for t in step.next:
            if t.target in inside:
                return journey.steps[t.target]
    return journey.steps[ids[held[0]]]


def node_lines(node: DiagramNode, width: int = MERMAID_WRAP) -> list[str]:
    """The lines of a box's label, unescaped (each format escapes them).

    The ranks of the combustion points marked there, the shield kind after a
    shield sign, the label wrapped at ``width`` characters, the owning team,
    and the share of customers who give up at the step.
    """
    lines: list[str] = []
    if node.points:
        ranks = ", ".join(map(str, node.points))
        lines.append(f"{POINT_MARK} point{'s' if len(node.points) > 1 else ''} {ranks}")
    if node.shield and node.group is None:
        lines.append(f"{SHIELD_MARK} {one_line(node.shield)}")
    elif node.group == "shields":
        lines.append(f"{SHIELD_MARK} shield layers")
    lines.extend(_wrap(node.label, width))
    if node.owner:
        lines.append(f"owned by {one_line(node.owner)}")
    if node.gives_up > 0:
        lines.append(f"{percent(node.gives_up)} give up here")
    return lines


def edge_text(edge: DiagramEdge) -> str:
    """An edge's label: marked points, chance, handoff and condition, joined by `` · ``."""
    parts = []
    if edge.points:
        ranks = ", ".join(map(str, edge.points))
        parts.append(f"{POINT_MARK} point{'s' if len(edge.points) > 1 else ''} {ranks}")
    if edge.chance is not None:
        parts.append(percent(edge.chance))
    if edge.cold:
        parts.append("cold handoff")
    elif edge.warm:
        parts.append("warm handoff")
    if edge.label:
        parts.append(one_line(edge.label))
    return " \u00b7 ".join(parts)


# --- Mermaid -----------------------------------------------------------------------------

_KIND_CLASS = {
    StepKind.ENTRY: "entry",
    StepKind.RESOLUTION: "resolution",
    StepKind.ABANDON: "abandon",
}

# Fills say what a step is; the one red outline says a combustion point sits
# there. Text colour is fixed for GitHub's dark mode.
_MERMAID_CLASSES = (
    ("entry", "fill:#e3f2fd,stroke:#1565c0,color:#0d2a4a"),
    ("resolution", "fill:#e8f5e9,stroke:#2e7d32,color:#12331a"),
    ("abandon", "fill:#eceff1,stroke:#546e7a,color:#263238"),
    ("shield", "fill:#fff3e0,stroke:#8d6e63,color:#3e2723"),
    ("group", "fill:#f3e5f5,stroke:#6a1b9a,color:#2a0c3a,stroke-dasharray:5 3"),
    ("point", "stroke:#c62828,stroke-width:4px"),
)


@dataclass(frozen=True, slots=True)
class MermaidChart:
    """A Mermaid flowchart and what a reader should know about it.

    ``fits`` is False when even the condensed view is beyond what GitHub
    draws (:data:`MERMAID_MAX_TEXT`, :data:`MERMAID_MAX_EDGES`).
    """

    text: str
    note: str | None
    fits: bool


def _mermaid_shape(node: DiagramNode, label: str) -> str:
    quoted = f'"{label}"'
    if node.kind is StepKind.ENTRY:
        return f"([{quoted}])"
    if node.kind is StepKind.RESOLUTION:
        return f"({quoted})"
    if node.kind is StepKind.ABANDON:
        return f">{quoted}]"
    if node.group == "loop":
        return f"[[{quoted}]]"
    if node.shield:
        return f"{{{{{quoted}}}}}"
    return f"[{quoted}]"


def _mermaid_text(graph: DiagramGraph, direction: str, width: int | None,
                  edge_labels: bool) -> str:
    lines = [f"flowchart {direction}"]
    classes: dict[str, list[str]] = {}
    for k, node in enumerate(graph.nodes):
        name = f"n{k}"
        texts = node_lines(node, width or MERMAID_WRAP)
        if width is None:  # the compact form: the label cut to one line
            texts = [t for t in texts if not t.startswith("owned by ")]
        label = "<br>".join(mermaid_text(text) for text in texts)
        lines.append(f"  {name}{_mermaid_shape(node, label)}")
        kind = _KIND_CLASS.get(node.kind)
        if kind:
            classes.setdefault(kind, []).append(name)
        if node.group:
            classes.setdefault("group", []).append(name)
        elif node.shield:
            classes.setdefault("shield", []).append(name)
        if node.points:
            classes.setdefault("point", []).append(name)
    cold: list[int] = []
    marked: list[int] = []
    for k, edge in enumerate(graph.edges):
        arrow = "-.->" if edge.cold else "-->"
        text = edge_text(edge) if edge_labels or edge.points else ""
        label = f'|"{mermaid_text(text)}"|' if text else ""
        lines.append(f"  n{edge.source} {arrow}{label} n{edge.target}")
        if edge.points:
            marked.append(k)
        elif edge.cold:
            cold.append(k)
    for name, style in _MERMAID_CLASSES:
        if classes.get(name):
            lines.append(f"  classDef {name} {style}")
            lines.append(f"  class {','.join(classes[name])} {name}")
    if cold:
        lines.append(f"  linkStyle {','.join(map(str, cold))} "
                     f"stroke:{_COLD_COLOUR},stroke-width:2px")
    if marked:
        lines.append(f"  linkStyle {','.join(map(str, marked))} "
                     f"stroke:{_COLD_COLOUR},stroke-width:4px")
    return "\n".join(lines) + "\n"


def mermaid_chart(journey: Journey, points: Sequence[CombustionPoint] = (), *,
                  highlight: int = HIGHLIGHT, direction: str = "LR",
                  graph: DiagramGraph | None = None) -> MermaidChart:
    """The journey as a Mermaid flowchart within GitHub's limits, with its note.

    The full view when the journey is small enough and the text fits;
    otherwise the condensed view; then, if that is still too long, the
    condensed view with one-line labels and without edge labels (marked
    edges keep theirs). ``fits`` says whether the last one fits.
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    graph = graph or diagram_graph(journey, points, highlight=highlight)
    text = _mermaid_text(graph, direction, MERMAID_WRAP, True)
    if not graph.condensed and not _fits(text, graph):
        graph = diagram_graph(journey, points, highlight=highlight, condensed=True)
        text = _mermaid_text(graph, direction, MERMAID_WRAP, True)
    note = graph.note
    if not _fits(text, graph):
        text = _mermaid_text(graph, direction, None, False)
        note = (note or "") + " Labels are cut to one line and edges are not labelled, to stay " \
            "within what GitHub draws."
    return MermaidChart(text=text, note=note.strip() if note else None, fits=_fits(text, graph))


def _fits(text: str, graph: DiagramGraph) -> bool:
    return len(text) <= MERMAID_MAX_TEXT and len(graph.edges) <= MERMAID_MAX_EDGES


def render_mermaid(journey: Journey, points: Sequence[CombustionPoint] = (), *,
                   highlight: int = HIGHLIGHT, direction: str = "LR") -> str:
    """The journey as a Mermaid flowchart, ready for a ```` ```mermaid ```` block.

    Parameters
    ----------
    journey : Journey
    points : sequence of CombustionPoint, optional
        ``combustion_points(audit)``; only the top ``highlight`` are marked
        (class ``point``, a red outline, and "⚠ point N" in the label).
    highlight : int, optional (default=HIGHLIGHT)
    direction : str, optional (default="LR")
        One of :data:`DIRECTIONS`.

    Returns
    -------
    str
        The diagram text, ending with a newline (see :func:`mermaid_chart`
        for the note of a condensed view). Entries are stadiums,
        resolutions rounded boxes, abandons flags, shield steps hexagons
        (class ``shield``), collapsed loops subroutine boxes (class
        ``group``), other steps boxes; ``linkStyle`` colours cold handoffs
        and marked transitions.
    """
    return mermaid_chart(journey, points, highlight=highlight, direction=direction).text


# --- DOT ---------------------------------------------------------------------------------

_DOT_SHAPE = {
    StepKind.ENTRY: 'shape=box, style="rounded,filled", fillcolor="#e3f2fd"',
    StepKind.RESOLUTION: 'shape=box, style="rounded,filled", peripheries=2, fillcolor="#e8f5e9"',
    StepKind.ABANDON: 'shape=octagon, style=filled, fillcolor="#eceff1"',
}
_DOT_SHIELD = 'shape=hexagon, style=filled, fillcolor="#fff3e0"'
_DOT_GROUP = 'shape=box, style="filled,dashed", fillcolor="#f3e5f5"'
_DOT_STEP = 'shape=box, style=filled, fillcolor="#ffffff"'
_DOT_POINT = 'color="#c62828", penwidth=4'
_DOT_RANKDIR = {"TD": "TB", "TB": "TB", "LR": "LR", "RL": "RL", "BT": "BT"}


def render_dot(journey: Journey, points: Sequence[CombustionPoint] = (), *,
               highlight: int = HIGHLIGHT, direction: str = "LR") -> str:
    """The journey as a Graphviz DOT digraph, by the same rules as :func:`render_mermaid`.

    Entries and resolutions rounded (a resolution with a double outline),
    abandons octagons, shield steps hexagons with the shield kind on the
    first line, collapsed boxes dashed; the top ``highlight`` points
    outlined in red and numbered; edges labelled with chance, handoff and
    condition, cold handoffs dashed and red. A condensed view (more than
    :data:`MAX_STEPS` steps) says so in the graph's label. Every string is
    double-quoted and escaped by :func:`~cx_audit.renderers.escaping.dot_text`.
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    graph = diagram_graph(journey, points, highlight=highlight)
    title = dot_text(journey.title) + ("" if graph.note is None else f"\\n{dot_text(graph.note)}")
    lines = [
        f'digraph "{dot_text(journey.id)}" {{',
        (f'  graph [rankdir={_DOT_RANKDIR[direction]}, '
         f'label="{title}", '
         'labelloc=t, fontname="Helvetica"];'),
        '  node [fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    for k, node in enumerate(graph.nodes):
        label = "\\n".join(dot_text(text) for text in node_lines(node))
        attributes = [f'label="{label}"', f'tooltip="{dot_text(node.step)}"']
        if node.kind in _DOT_SHAPE:
            attributes.append(_DOT_SHAPE[node.kind])
        elif node.group:
            attributes.append(_DOT_GROUP)
        elif node.shield:
            attributes.append(_DOT_SHIELD)
        else:
            attributes.append(_DOT_STEP)
        if node.points:
            attributes.append(_DOT_POINT)
        lines.append(f"  n{k} [{', '.join(attributes)}];")
    for edge in graph.edges:
        attributes = []
        text = edge_text(edge)
        if text:
            attributes.append(f'label="{dot_text(text)}"')
        if edge.cold:
            attributes.append(f'style=dashed, color="{_COLD_COLOUR}", fontcolor="{_COLD_COLOUR}"')
        elif edge.warm:
            attributes.append("style=bold")
        if edge.points:
            attributes.append("penwidth=4")
        suffix = f" [{', '.join(attributes)}]" if attributes else ""
        lines.append(f"  n{edge.source} -> n{edge.target}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"
