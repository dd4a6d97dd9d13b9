"""The journey map as an inline SVG picture for the HTML report.

The boxes and arrows are those of :func:`~cx_audit.renderers.diagram.diagram_graph`
(the same rules as the Mermaid and DOT drawings), placed by the layered
layout of :mod:`cx_audit.renderers.layout`: the likeliest route runs
straight along one row, left to right, and every other step sits above or
below it. A journey with more layers than fit across a landscape page is
cut into bands stacked one under the other, like lines of text; an arrow
that goes on in the next band runs round through the gap between them.

What a box shows: its label wrapped once (at most :data:`LABEL_LINES`
lines; the whole label is the box's tooltip), its owning team, a shield
sign and a warm fill for a shield layer, and under it the share of
customers who give up there. Only the top combustion points are marked, by
a red outline and a numbered badge matching the report's list. Arrows are
as thick as the share of customers who take them; the chance of each way is
written where a step has more than one; cold handoffs are dashed and red.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from cx_audit.audit.points import CombustionPoint
from cx_audit.core.model import Journey, StepKind
from cx_audit.renderers.diagram import (
    HIGHLIGHT,
    DiagramEdge,
    DiagramGraph,
    DiagramNode,
    diagram_graph,
    wrap_label,
)
from cx_audit.renderers.escaping import html_text, one_line
from cx_audit.renderers.layout import Layout, layered_layout
from cx_audit.renderers.svg import Figure, svg_element, svg_text
from cx_audit.text.formatting import percent, plural

__all__ = ["LABEL_LINES", "MAX_ROWS", "PAGE_WIDTH", "journey_svg"]

PAGE_WIDTH = 1000
"""The widest band, in CSS pixels: a landscape page at print."""

MAX_BOXES = 400
"""Boxes a map may hold once condensed; past it no page can show it, and none is drawn."""

MAX_ROWS = 8
"""Rows a layer may use before the journey is drawn condensed."""

LABEL_LINES = 3
"""Lines of a box's label before it is cut with an ellipsis."""

BOX_WIDTH = 108
LABEL_CHARS = 19
GAP_X = 34
GAP_Y = 26
MARGIN = 16
CORRIDOR = 26
LINE = 12.5

_FILL = {
    StepKind.ENTRY: ("#e3f2fd", "#1565c0"),
    StepKind.RESOLUTION: ("#e8f5e9", "#2e7d32"),
    StepKind.ABANDON: ("#eceff1", "#546e7a"),
}
_SHIELD = ("#ffe0b2", "#8d6e63")
_GROUP = ("#f3e5f5", "#6a1b9a")
_PLAIN = ("#ffffff", "#78909c")
_RED = "#c62828"
_EDGE = "#78909c"

_STYLE = (
    ".cxj text{font-family:Helvetica,Arial,sans-serif;fill:#263238}"
    ".cxj .l{font-size:10.5px}.cxj .o{font-size:8.5px;fill:#607d8b}"
    ".cxj .k{font-size:8.5px;font-weight:bold;fill:#6d4c41}"
    ".cxj .g{font-size:9px;fill:#c62828}.cxj .p{font-size:9px;fill:#37474f}"
    ".cxj .b{font-size:10px;font-weight:bold;fill:#fff}"
    ".cxj .e{font-size:9px;fill:#455a64;paint-order:stroke;stroke:#fff;stroke-width:3px}"
    ".cxj .n{font-size:9.5px;fill:#455a64}"
    ".cxj .t{font-size:9px;font-weight:bold;fill:#37474f}"
)


@dataclass(frozen=True, slots=True)
class _Geometry:
    """Where layers and rows go on the page."""

    layout: Layout
    box_height: float
    per_band: int
    band_top: tuple[float, ...]
    band_rows: tuple[tuple[int, int], ...]
    row_pitch: float
    width: float

    def band(self, layer: int) -> int:
        return layer // self.per_band

    def x(self, layer: int) -> float:
        """The left edge of a layer's boxes."""
        return MARGIN + (layer % self.per_band) * (BOX_WIDTH + GAP_X)

    def y(self, layer: int, row: int) -> float:
        """The middle of a row in the layer's band."""
        band = self.band(layer)
        top = self.band_rows[band][0]
        return self.band_top[band] + (row - top) * self.row_pitch + self.box_height / 2

    def band_bottom(self, band: int) -> float:
        low, high = self.band_rows[band]
        return self.band_top[band] + (high - low + 1) * self.row_pitch - GAP_Y


def _layout(graph: DiagramGraph) -> Layout:
    edges = [(e.source, e.target, e.flow) for e in graph.edges]
    return layered_layout(len(graph.nodes), edges, graph.route, graph.roots)


def _too_wide(layout: Layout) -> bool:
    per_layer: dict[int, list[int]] = {}
    for layer, row in zip(layout.layer, layout.row):
        per_layer.setdefault(layer, []).append(row)
    return any(max(rows) - min(rows) + 1 > MAX_ROWS for rows in per_layer.values())


def _lines(node: DiagramNode) -> list[str]:
    return wrap_label(node.label, LABEL_CHARS, LABEL_LINES)


def _geometry(graph: DiagramGraph, layout: Layout) -> _Geometry:
    """Sizes, bands and the rows each band spans (a connector's dummies take no room)."""
    label_lines = max((len(_lines(node)) for node in graph.nodes), default=1)
    shields = any(node.shield for node in graph.nodes)
    box_height = 8 + (12 if shields else 0) + label_lines * LINE + 12
    pitch_x = BOX_WIDTH + GAP_X
    fit = max(1, int((PAGE_WIDTH - 2 * MARGIN) // pitch_x))
    bands = max(1, math.ceil(layout.layers / fit))
    per_band = max(1, math.ceil(layout.layers / bands))
    spans: list[list[int]] = [[0, 0] for _ in range(bands)]
    def widen(layer: int, row: int) -> None:
        span = spans[layer // per_band]
        span[0], span[1] = min(span[0], row), max(span[1], row)
    for layer, row in zip(layout.layer, layout.row):
        widen(layer, row)
    route = set(zip(graph.route, graph.route[1:]))
    for edge, points in zip(graph.edges, layout.waypoints):
        ends = {layout.layer[edge.source] // per_band, layout.layer[edge.target] // per_band}
        if len(ends) == 1 or (edge.source, edge.target) in route:
            for layer, row in points:
                widen(layer, row)
    row_pitch = box_height + GAP_Y
    tops = []
    y = MARGIN + 8.0
    for low, high in spans:
        tops.append(y)
        y += (high - low + 1) * row_pitch + CORRIDOR
    width = 2 * MARGIN + per_band * pitch_x  # a gap's width on the right for connectors
    return _Geometry(layout=layout, box_height=box_height, per_band=per_band,
                     band_top=tuple(tops), band_rows=tuple((a, b) for a, b in spans),
                     row_pitch=row_pitch, width=max(width, 360.0))


def _shield_icon(x: float, y: float) -> str:
    """A small shield outline, 9 px wide, its top left at (x, y)."""
    return (f'<path d="M{x:.1f} {y + 1.5:.1f} l4.5 -1.5 l4.5 1.5 v4 c0 3 -2.2 5 -4.5 6 '
            f'c-2.3 -1 -4.5 -3 -4.5 -6 z" fill="#8d6e63"/>')


def _box(node: DiagramNode, x: float, y: float, height: float) -> str:
    """One step's box, its top left at (x, y)."""
    if node.group == "loop":
        fill, stroke = _GROUP
    elif node.kind in _FILL:
        fill, stroke = _FILL[node.kind]
    elif node.shield:
        fill, stroke = _SHIELD
    else:
        fill, stroke = _PLAIN
    width = 1.0
    if node.points:
        stroke, width = _RED, 2.5
    radius = 14 if node.kind in (StepKind.ENTRY, StepKind.RESOLUTION) else 4
    dash = ' stroke-dasharray="5 3"' if node.group else ""
    tip = one_line(node.label) if not node.group else one_line(node.label) + ": " + ", ".join(
        node.steps)
    parts = [f'<g><title>{html_text(tip)}</title>'
             f'<rect x="{x:.1f}" y="{y:.1f}" width="{BOX_WIDTH}" height="{height:.1f}" '
             f'rx="{radius}" fill="{fill}" stroke="{stroke}" stroke-width="{width}"{dash}/>']
    lines = _lines(node)
    text_y = y + 8
    if node.shield:
        parts.append(_shield_icon(x + 6, text_y))
        parts.append(svg_text(x + 18, text_y + 9, one_line(node.shield), css="k"))
        text_y += 12
    block = len(lines) * LINE
    room = y + height - 12 - text_y
    text_y += max(0.0, (room - block) / 2)
    for k, line in enumerate(lines):
        parts.append(svg_text(x + BOX_WIDTH / 2, text_y + 10 + k * LINE, line, css="l",
                              anchor="middle"))
    if node.owner:
        owner = wrap_label(node.owner, 24, 1)
        parts.append(svg_text(x + BOX_WIDTH / 2, y + height - 4, owner[0] if owner else "",
                              css="o", anchor="middle"))
    if node.gives_up > 0:
        parts.append(f'<path d="M{x + 10:.1f} {y + height:.1f} v7 m-2.5 -2.5 l2.5 2.5 l2.5 -2.5" '
                     f'fill="none" stroke="{_RED}" stroke-width="1"/>')
        parts.append(svg_text(x + 16, y + height + 10, f"{percent(node.gives_up)} give up",
                              css="g"))
    for k, rank in enumerate(node.points):
        parts.append(_badge(x + 2 + k * 20, y, rank))
    parts.append("</g>")
    return "".join(parts)


def _badge(cx: float, cy: float, rank: int) -> str:
    return (f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="9" fill="{_RED}" stroke="#fff" '
            f'stroke-width="1.5"/>' + svg_text(cx, cy + 3.5, str(rank), css="b", anchor="middle"))


def _curve(x1: float, y1: float, x2: float, y2: float) -> str:
    """A cubic from (x1, y1) to (x2, y2) leaving and arriving horizontally."""
    dx = (x2 - x1) / 2
    return f"C{x1 + dx:.1f} {y1:.1f} {x2 - dx:.1f} {y2:.1f} {x2:.1f} {y2:.1f}"


def _edge_path(geo: _Geometry, edge: DiagramEdge, index: int, lane: list[int]) -> tuple[str, float,
                                                                                      float]:
    """The path of an edge and where its label goes."""
    layout = geo.layout
    half = geo.box_height / 2
    su, tv = edge.source, edge.target
    sl, tl = layout.layer[su], layout.layer[tv]
    sx, sy = geo.x(sl), geo.y(sl, layout.row[su])
    tx, ty = geo.x(tl), geo.y(tl, layout.row[tv])
    if su == tv:  # a step that sends customers back to itself: a loop over its top
        top = sy - half
        d = (f"M{sx + BOX_WIDTH * 0.6:.1f} {top:.1f} C{sx + BOX_WIDTH * 0.6:.1f} {top - 22:.1f} "
             f"{sx + BOX_WIDTH * 0.9:.1f} {top - 22:.1f} {sx + BOX_WIDTH * 0.9:.1f} {top:.1f}")
        return d, sx + BOX_WIDTH * 0.75, top - 20
    backward = layout.backward[index]
    middle = [(geo.x(a) + BOX_WIDTH / 2, geo.y(a, b), a) for a, b in layout.waypoints[index]]
    if backward and not middle and geo.band(sl) == geo.band(tl):
        # a short way back: an arc under both boxes
        bottom = max(sy, ty) + half
        x1, x2 = sx + BOX_WIDTH * 0.35, tx + BOX_WIDTH * 0.65
        drop = bottom + GAP_Y * 0.8
        d = (f"M{x1:.1f} {sy + half:.1f} C{x1:.1f} {drop:.1f} {x2:.1f} {drop:.1f} "
             f"{x2:.1f} {ty + half:.1f}")
        return d, (x1 + x2) / 2, drop - 4
    if backward:
        points = [(sx, sy, sl), *middle, (tx + BOX_WIDTH, ty, tl)]
    else:
        points = [(sx + BOX_WIDTH, sy, sl), *middle, (tx, ty, tl)]
    d = f"M{points[0][0]:.1f} {points[0][1]:.1f}"
    label_at = (points[0][0], points[0][1])
    for k, ((x1, y1, l1), (x2, y2, l2)) in enumerate(itertools.pairwise(points)):
        if geo.band(l1) == geo.band(l2):
            d += _curve(x1, y1, x2, y2)
            if k == 0:
                label_at = ((x1 + x2) / 2, (y1 + y2) / 2)
            continue
        # on into the next band (or back to the one before): round through the gap between
        lane[0] += 1
        offset = (lane[0] % 4) * 5
        down = geo.band(l2) > geo.band(l1)
        gap = geo.band_bottom(min(geo.band(l1), geo.band(l2))) + 10 + offset
        out = x1 + (GAP_X / 2 if not backward else -GAP_X / 2)
        into = x2 - (GAP_X / 2 if not backward else -GAP_X / 2)
        d += (f"L{out:.1f} {y1:.1f} L{out:.1f} {gap:.1f} L{into:.1f} {gap:.1f} "
              f"L{into:.1f} {y2:.1f} L{x2:.1f} {y2:.1f}")
        if k == 0:
            label_at = (out, y1 + (12 if down else -12))
    return d, label_at[0], label_at[1] - 3


def _jumps(graph: DiagramGraph, geo: _Geometry) -> dict[int, str]:
    """Edges drawn as connectors (by index) and the letter of the box each goes to.

    An edge between two bands, other than the likeliest route's, or one
    too long to be routed (``Layout.long``) would cut across the drawing:
    it is drawn as a short arrow to a letter, and the box it goes to
    carries the same letter.
    """
    layout = geo.layout
    route = set(zip(graph.route, graph.route[1:]))
    letters: dict[int, str] = {}
    jumps: dict[int, str] = {}
    for k, edge in enumerate(graph.edges):
        if (edge.source, edge.target) in route or edge.source == edge.target:
            continue
        if (geo.band(layout.layer[edge.source]) == geo.band(layout.layer[edge.target])
                and not layout.long[k]):
            continue
        if edge.target not in letters:
            letters[edge.target] = _letter(len(letters))
        jumps[k] = letters[edge.target]
    return jumps


def _letter(number: int) -> str:
    """A, B, ..., Z, AA, AB, ..."""
    text = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        text = chr(65 + rest) + text
    return text


def _tag(cx: float, cy: float, letter: str) -> str:
    return (f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="8" fill="#fff" stroke="#455a64" '
            f'stroke-width="1.2"/>' + svg_text(cx, cy + 3.2, letter, css="t", anchor="middle"))


def _jump(geo: _Geometry, edge: DiagramEdge, letter: str, slot: int, marker: str) -> str:
    """A connector: a short arrow out of the box's right side to a lettered circle."""
    layout = geo.layout
    layer = layout.layer[edge.source]
    x = geo.x(layer) + BOX_WIDTH
    y = geo.y(layer, layout.row[edge.source]) + geo.box_height * (0.18 + 0.22 * (slot % 3))
    colour = _RED if edge.cold or edge.points else _EDGE
    dash = ' stroke-dasharray="4 3"' if edge.cold else ""
    parts = [f'<path d="M{x:.1f} {y:.1f} h10" fill="none" stroke="{colour}" stroke-width="1.5"'
             f'{dash} marker-end="url(#{marker}{"r" if colour == _RED else "g"})"/>',
             _tag(x + 20, y, letter)]
    if edge.chance is not None:
        parts.append(svg_text(x + 20, y - 10, percent(edge.chance), css="e", anchor="middle"))
    return "".join(parts)


def _edge(geo: _Geometry, edge: DiagramEdge, index: int, lane: list[int], marker: str) -> str:
    d, lx, ly = _edge_path(geo, edge, index, lane)
    width = 1.0 + 3.0 * min(1.0, max(0.0, edge.flow))
    colour = _RED if edge.cold or edge.points else _EDGE
    dash = ' stroke-dasharray="6 4"' if edge.cold else ""
    if edge.points:
        width = max(width, 3.5)
    parts = [f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="{width:.1f}"{dash} '
             f'marker-end="url(#{marker}{"r" if colour == _RED else "g"})"/>']
    if edge.chance is not None:
        parts.append(svg_text(lx, ly, percent(edge.chance), css="e", anchor="middle"))
    for k, rank in enumerate(edge.points):
        parts.append(_badge(lx + 16 + k * 20, ly - 2, rank))
    return "".join(parts)


def _not_drawn(journey: Journey, boxes: int) -> Figure:
    """In place of a map too large for a page: a panel that says so and where to look."""
    title = (f"Journey map of {one_line(journey.title)} "
             f"({plural(len(journey.steps), 'step')}), not drawn")
    lines = (f"{boxes:,} boxes even with loops and runs of shields condensed:",
             "too many to read on a page. The combustion points below name",
             "their steps; cx-audit graph draws the whole map as Mermaid or DOT.")
    body = ('<rect x="0.5" y="0.5" width="499" height="79" rx="4" fill="#fafafa" '
            'stroke="#b0bec5"/>'
            + "".join(svg_text(16, 26 + 18 * k, line, css="n") for k, line in enumerate(lines)))
    svg = svg_element(500, 80, f"<style>.cxj .n{{font-size:11px;fill:#455a64;"
                      f"font-family:Helvetica,Arial,sans-serif}}</style>{body}",
                      label=title, css="cxj")
    return Figure(svg=svg, title=title, width=500, height=80)


def _legend(y: float, marker: str, highlighted: int, width: float) -> tuple[str, float]:
    """The key to the drawing, on as many lines as the width needs, and its height."""
    items = [
        ('<rect x="0" y="-6" width="18" height="12" rx="5" fill="#e3f2fd" stroke="#1565c0"/>',
         "start", 62),
        (f'<rect x="0" y="-6" width="18" height="12" rx="2" fill="{_SHIELD[0]}" '
         f'stroke="{_SHIELD[1]}"/>', "shield layer", 96),
        ('<rect x="0" y="-6" width="18" height="12" rx="5" fill="#e8f5e9" stroke="#2e7d32"/>',
         "resolved", 74),
        ('<rect x="0" y="-6" width="18" height="12" rx="2" fill="#eceff1" stroke="#546e7a"/>',
         "gives up", 74),
        (f'<path d="M0 0 h16" stroke="{_RED}" stroke-width="2" stroke-dasharray="6 4" '
         f'marker-end="url(#{marker}r)"/>', "cold handoff: the story told again", 200),
    ]
    if highlighted:
        items.append((_badge(9, 0, 1), "combustion point, ranked as in the report", 240))
    items.append((_tag(9, 0, "A"), "goes on at the box marked A", 170))
    items.append(("", "line width: share of customers", 170))
    parts = []
    x, line = float(MARGIN), 0
    for shape, text, room in items:
        if x + room > width - MARGIN and x > MARGIN:
            x, line = float(MARGIN), line + 1
        top = y + line * 18
        parts.append(f'<g transform="translate({x:.1f} {top:.1f})">{shape}'
                     + svg_text(22 if shape else 0, 4, text, css="n") + "</g>")
        x += room
    return "".join(parts), (line + 1) * 18 + 6


def _markers(marker: str) -> str:
    return "".join(
        f'<marker id="{marker}{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        f'<path d="M0 0 L10 5 L0 10 z" fill="{colour}"/></marker>'
        for name, colour in (("g", _EDGE), ("r", _RED)))


def journey_svg(journey: Journey, points: Sequence[CombustionPoint], *,
                highlight: int = HIGHLIGHT, visits: Sequence[float] | None = None) -> Figure:
    """The journey map as a self-contained inline SVG :class:`~cx_audit.renderers.svg.Figure`.

    Parameters
    ----------
    journey : Journey
    points : sequence of CombustionPoint
        ``combustion_points(audit)``; the first ``highlight`` by rank are
        marked with their rank.
    highlight : int, optional (default=HIGHLIGHT)
    visits : sequence of float, optional
        Expected visits per step in file order, when the journey is solved
        already (for the arrows' widths); otherwise it is solved here.

    Returns
    -------
    Figure
        ``note`` says when the journey is drawn condensed (more than
        :data:`~cx_audit.renderers.diagram.MAX_STEPS` steps, or a layer
        of more than :data:`MAX_ROWS` rows).
    """
    graph = diagram_graph(journey, points, highlight=highlight, visits=visits)
    if len(graph.nodes) > MAX_BOXES:
        return _not_drawn(journey, len(graph.nodes))
    layout = _layout(graph)
    if not graph.condensed and _too_wide(layout):
        graph = diagram_graph(journey, points, highlight=highlight, condensed=True, visits=visits)
        layout = _layout(graph)
    geo = _geometry(graph, layout)
    marker = "cxj" + hashlib.sha1(journey.id.encode("utf-8", "replace")).hexdigest()[:8]
    lane = [0]
    jumps = _jumps(graph, geo)
    slots: dict[int, int] = {}
    edges = []
    for k, edge in enumerate(graph.edges):
        if k in jumps:
            slot = slots[edge.source] = slots.get(edge.source, -1) + 1
            edges.append(_jump(geo, edge, jumps[k], slot, marker))
        else:
            edges.append(_edge(geo, edge, k, lane, marker))
    targets = {graph.edges[k].target: letter for k, letter in jumps.items()}
    boxes = []
    for k, node in enumerate(graph.nodes):
        layer, row = layout.layer[k], layout.row[k]
        x, y = geo.x(layer), geo.y(layer, row) - geo.box_height / 2
        boxes.append(_box(node, x, y, geo.box_height))
        if k in targets:
            boxes.append(_tag(x + BOX_WIDTH - 4, y, targets[k]))
    bottom = geo.band_top[-1] + (geo.band_rows[-1][1] - geo.band_rows[-1][0] + 1) * geo.row_pitch
    legend, room = _legend(bottom + 4, marker, len(graph.highlighted), geo.width)
    height = bottom + room
    body = (f"<style>{_STYLE}</style><defs>{_markers(marker)}</defs>"
            + "".join(edges) + "".join(boxes) + legend)
    title = f"Journey map of {one_line(journey.title)} ({plural(len(journey.steps), 'step')})"
    svg = svg_element(geo.width, height, body, label=title, css="cxj")
    return Figure(svg=svg, title=title, note=graph.note, width=geo.width, height=height)
