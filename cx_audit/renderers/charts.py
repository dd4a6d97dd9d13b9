"""The two charts of a client report: how customers feel along the journey, and where they end.

Both are inline SVG written here, self-contained (no script, no font or
image to fetch), of a fixed width that fits a portrait A4 page (700 CSS
px), and readable in black and white: the four endings are told apart by
patterns and labels as well as colour, the routes of the emotion chart by
their dash pattern. Every text from the journey goes through
:func:`~cx_audit.renderers.escaping.html_text`; the same audit always gives
the same bytes.

Why SVG written by hand rather than a charting library, measured on this
machine (2 shared cores, Python 3.11). matplotlib 3.11, the obvious
candidate (it writes SVG), installs 200 MB with numpy, pillow and fontTools
(about 10 s from a local index), imports in 0.35-0.6 s, and draws a
comparable chart in 50-75 ms (line chart 60-75 ms, bar chart 50 ms, with
``svg.fonttype = "none"``, and its output is deterministic only with a
fixed ``svg.hashsalt`` and no date): the two charts of 2,000 journeys would
take about 4 minutes, four times the 60 s the whole report may take. This
module costs nothing to install, about 10 ms to import, and, on figures the
audit has already solved, 0.4 ms for the emotion chart and 0.1 ms for the
outcome chart of a small journey (2,000 generated journeys of 6-22 steps, a
feeling on every step: 0.9 s for both charts of all of them), 0.75 ms and
0.2 ms for the examples in journeys/ (9 ms for all nine), and 170 ms and
5 ms for a 10,000-step journey of many small loops.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cx_audit.analysis import most_likely_routes
from cx_audit.analysis.chain import ChainSolution
from cx_audit.audit.engine import JourneyAudit
from cx_audit.core.model import Journey
from cx_audit.renderers.escaping import html_text, one_line
from cx_audit.renderers.phrasing import FEELINGS
from cx_audit.renderers.svg import Figure, svg_element, svg_text

__all__ = [
    "CHART_WIDTH",
    "EndGroup",
    "EndPlace",
    "emotion_chart",
    "emotion_order",
    "endings",
    "largest_remainder",
    "outcome_chart",
    "shorten",
]

CHART_WIDTH = 700
"""The width of every chart in CSS pixels: a portrait A4 page's text width."""

CUSTOMERS = 1000
"""The outcome chart follows this many customers."""

FONT = "font-family=\"Helvetica, Arial, 'Liberation Sans', sans-serif\""
INK = "#222222"
MUTED = "#666666"
GRID = "#d0d0d0"


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis when longer.

    >>> shorten("The agent can rebook airline tickets only", 21)
    'The agent can rebook…'
    """
    flat = one_line(text)
    if len(flat) <= limit:
        return flat
    return flat[:limit - 1].rstrip() + "\u2026"


def _step_name(journey: Journey, step_id: str) -> str:
    """A step's label, or its id where it has none (the loader gives the id as label)."""
    step = journey.steps.get(step_id)
    return step.label if step is not None and step.label else step_id


def _dom_id(kind: str, journey: Journey) -> str:
    """An id for the chart's patterns, the same for the same journey, safe in any page."""
    return f"cx-{kind}-{zlib.crc32(journey.id.encode('utf-8')):08x}"


def _num(value: float) -> str:
    """A coordinate, written the same way every time."""
    return f"{value:.1f}"


def _muted(element: str, size: int) -> str:
    """``element`` in grey at ``size`` px: for what explains rather than shows."""
    return f'<g font-size="{size}" fill="{MUTED}">{element}</g>'


def _per_thousand(count: int) -> str:
    return f"{count:,}"


# --- the emotion chart ---------------------------------------------------------

EMOTION_HEIGHT = 420
"""The emotion chart's height in CSS pixels (the same for every journey)."""

MAX_POINTS = 24
"""Most steps the emotion chart shows; past that the least reached are left out."""

ROUTES_DRAWN = 3
"""The likeliest routes drawn as lines (routes with the same feelings count once)."""

ROUTES_SEARCHED = 12
"""Routes read to find :data:`ROUTES_DRAWN` whose feelings differ."""

LABEL_CHARS = 24
"""An x-axis label's length at most, ellipsis included."""

_ROUTE_STYLES = (
    ("#1f4e8c", "2.6", ""),
    ("#1f4e8c", "1.8", "7 4"),
    ("#1f4e8c", "1.6", "2 3"),
)
"""Stroke colour, width and dash pattern of the 1st, 2nd and 3rd likeliest route."""

_ROUTE_NAMES = ("likeliest route", "2nd likeliest", "3rd likeliest")


def emotion_order(solution: ChainSolution) -> list[int]:
    """Steps in the order customers meet them: every step after the steps that lead to it.

    The journey's loops are taken as wholes (its strongly connected
    components) and ordered by a depth-first walk from the entries,
    smallest entry share first and, from each place, the way on that
    carries the fewest customers first; read in reverse finishing order,
    that puts every place after every place that leads to it, the busiest
    branch of a choice straight after the choice and the largest entry's
    steps first. A loop is read the same way from one of the steps where
    customers enter it: the one (of its :data:`DOORS_TRIED` busiest) that
    leaves the fewest customers crossing backwards, so that what is drawn
    backwards is the loop's ways back. Linear in the size of the journey
    (apart from sorting each step's ways on); steps no entry reaches are
    left out.
    """
    view = solution.net
    chain = solution.chain
    comp_of, comps = chain.comp_of, chain.comps
    visits, start = solution.visits, solution.start
    inflow = list(start)
    flow: list[dict[int, float]] = [{} for _ in comps]
    for u, edges in enumerate(chain.out):
        x = visits[u]
        for v, p in edges:
            c, d = comp_of[u], comp_of[v]
            if c != d:
                moved = x * p if x else 0.0
                inflow[v] += moved
                flow[c][d] = flow[c].get(d, 0.0) + moved
    roots = sorted({comp_of[u] for u in view.entries if start[u] > 0.0},
                   key=lambda c: (math.fsum(start[u] for u in comps[c]), -comps[c][0]))
    ordered: list[int] = []
    for c in _reverse_finish(roots, lambda c: _fewest_first(flow[c], comps)):
        members = comps[c]
        if len(members) == 1:
            ordered.append(members[0])
            continue
        ways = _ways_within(chain.out, comp_of, c)
        doors = sorted(members, key=lambda u: (-inflow[u], u))[:DOORS_TRIED]
        readings = [_reverse_finish([door], ways) for door in doors]
        backwards = [_flow_back(solution, reading) for reading in readings]
        ordered.extend(readings[backwards.index(min(backwards))])
    return ordered


DOORS_TRIED = 8
"""A loop is read from each of its busiest ways in, at most this many, to find the best."""


def _flow_back(solution: ChainSolution, reading: Sequence[int]) -> float:
    """The customers per customer who cross a loop's transitions backwards in this reading."""
    position = {u: i for i, u in enumerate(reading)}
    visits = solution.visits
    return math.fsum(visits[u] * p for u in reading for v, p in solution.chain.out[u]
                     if v in position and position[v] <= position[u])


def _ways_within(out: Sequence[Sequence[tuple[int, float]]], comp_of: Sequence[int],
                 c: int) -> Callable[[int], list[int]]:
    """A step's ways on inside loop ``c``, the least likely first (the file's order on a tie)."""
    def ways_on(u: int) -> list[int]:
        moves = sorted((p, -k, v) for k, (v, p) in enumerate(out[u]) if comp_of[v] == c)
        return [v for _, _, v in moves]
    return ways_on


def _fewest_first(flows: dict[int, float], comps: Sequence[Sequence[int]]) -> list[int]:
    """The places a place leads to, the one that receives the fewest customers from it first."""
    return sorted(flows, key=lambda d: (flows[d], -comps[d][0]))


def _reverse_finish(roots: Sequence[int], ways_on: Callable[[int], list[int]]) -> list[int]:
    """Depth-first from each root in turn (``ways_on`` in the order walked), nodes in reverse
    finishing order: a topological order where the walk saw no way back."""
    seen: set[int] = set()
    finished: list[int] = []
    for root in roots:
        if root in seen:
            continue
        seen.add(root)
        stack: list[tuple[int, list[int], int]] = [(root, ways_on(root), 0)]
        while stack:
            u, targets, i = stack[-1]
            if i < len(targets):
                stack[-1] = (u, targets, i + 1)
                v = targets[i]
                if v not in seen:
                    seen.add(v)
                    stack.append((v, ways_on(v), 0))
            else:
                stack.pop()
                finished.append(u)
    finished.reverse()
    return finished


@dataclass(frozen=True, slots=True)
class _Point:
    index: int
    step_id: str
    emotion: float
    reach: float | None
    kind: str
    x: float = 0.0
    y: float = 0.0
    r: float = 0.0


def _weight(point: _Point) -> float:
    """The point's reach for ranking; one not computed (a huge loop) counts as reached."""
    return point.reach if point.reach is not None else 1.0


def _reach(solution: ChainSolution, u: int) -> float | None:
    """The chance to reach step ``u``; ``None`` where it was not computed (a huge loop)."""
    value = solution.p_reach[u]
    return None if math.isnan(value) else value


def emotion_chart(audit: JourneyAudit) -> Figure | None:
    """How customers feel along the journey, as a chart; ``None`` with fewer than 2 feelings.

    Every step that has an ``emotion`` and that customers reach is one
    point: across, the steps in the order customers meet them
    (:func:`emotion_order`), with the outcomes (resolution and abandon
    steps) apart on the right; up, the feeling on the journey's five named
    levels; the point's area is the share of customers who ever reach the
    step, written above it. Up to three of the likeliest routes are drawn
    as lines (solid, dashed, dotted), each with the share of customers who
    take it.

    Why this and not the curve of one route: in most journeys no single
    route describes many customers (the likeliest route of the telecom
    dispute example is taken by 4% of them), so a curve along it hides
    where most customers' feelings sit. Points sized by reach show the
    whole journey weighted by how many customers live each moment, and the
    route lines keep the reading of a curve (how the feeling changes from
    one step to the next) for the ways customers most often go. Outcomes
    stand apart because they are where the curve ends, not a step on it.

    Fewer than two reached steps with a feeling make no curve: ``None``.
    With more than :data:`MAX_POINTS`, the least reached are left out and
    the figure's note says how many.
    """
    journey = audit.journey
    solution = audit.analysis.solution
    view = solution.net
    points: list[_Point] = []
    for u in emotion_order(solution):
        step = journey.steps[view.ids[u]]
        if step.emotion is None:
            continue
        reach = _reach(solution, u)
        if reach is not None and reach <= 0.0:
            continue
        points.append(_Point(u, step.id, max(-2.0, min(2.0, step.emotion)), reach,
                             view.kind[u]))
    if len(points) < 2:
        return None
    left_out = 0
    if len(points) > MAX_POINTS:
        ranked = sorted(range(len(points)), key=lambda i: (-_weight(points[i]), i))
        kept = set(ranked[:MAX_POINTS])
        left_out = len(points) - MAX_POINTS
        points = [p for i, p in enumerate(points) if i in kept]
    steps = [p for p in points if p.kind not in ("resolution", "abandon")]
    outcomes = sorted((p for p in points if p.kind in ("resolution", "abandon")),
                      key=lambda p: (p.kind != "resolution",
                                     -(p.reach if p.reach is not None else 0.0), p.index))
    routes = _drawn_routes(audit, {p.step_id for p in points})
    svg = _emotion_svg(audit, steps, outcomes, routes)
    note = ("Steps in the order customers meet them, outcomes on the right; a point's area "
            "is the share of customers who reach the step.")
    if left_out:
        note += (f" {left_out} more steps with a feeling are reached by fewer customers "
                 "and not shown.")
    if not routes:
        note += " No route leads from an entry to a resolution, so no route is drawn."
    return Figure(svg=svg, title="How customers feel along the journey", note=note,
                  width=CHART_WIDTH, height=EMOTION_HEIGHT)


def _drawn_routes(audit: JourneyAudit, shown: set[str]) -> list[tuple[list[str], float]]:
    """The likeliest routes whose shown feelings differ: their steps with a point, and chance."""
    journey = audit.journey
    drawn: list[tuple[list[str], float]] = []
    seen: set[tuple[str, ...]] = set()
    for route in most_likely_routes(journey, ROUTES_SEARCHED, audit.analysis.view):
        on_chart = [s for s in route.steps if s in shown]
        key = tuple(on_chart)
        if len(on_chart) < 2 or key in seen:
            continue
        seen.add(key)
        drawn.append((on_chart, route.probability))
        if len(drawn) == ROUTES_DRAWN:
            break
    return drawn


def _emotion_svg(audit: JourneyAudit, steps: list[_Point], outcomes: list[_Point],
                 routes: list[tuple[list[str], float]]) -> str:
    width, height = CHART_WIDTH, EMOTION_HEIGHT
    left, right, top, bottom = 96.0, width - 14.0, 82.0, 302.0
    level_gap = (bottom - top) / 4.0

    def y_of(emotion: float) -> float:
        return bottom - (emotion + 2.0) * level_gap

    gap = 0.6 if steps and outcomes else 0.0
    slots = len(steps) + len(outcomes) + gap
    slot = (right - left) / slots
    r_max = max(4.0, min(14.0, slot * 0.42))

    def radius(reach: float | None) -> float:
        return max(2.5, r_max * math.sqrt(reach if reach is not None else 0.25))

    placed: list[_Point] = []
    for i, p in enumerate(steps):
        placed.append(_Point(p.index, p.step_id, p.emotion, p.reach, p.kind,
                             left + (i + 0.5) * slot, y_of(p.emotion), radius(p.reach)))
    for i, p in enumerate(outcomes):
        x = left + (len(steps) + gap + i + 0.5) * slot
        placed.append(_Point(p.index, p.step_id, p.emotion, p.reach, p.kind,
                             x, y_of(p.emotion), radius(p.reach)))
    at = {p.step_id: p for p in placed}

    parts: list[str] = [f'<g {FONT} font-size="11" fill="{INK}">']
    # the feeling levels, neutral marked
    for level in range(-2, 3):
        y = y_of(level)
        stroke = "#8a8a8a" if level == 0 else GRID
        dash = "" if level == 0 else ' stroke-dasharray="3 3"'
        parts.append(f'<line x1="{_num(left)}" y1="{_num(y)}" x2="{_num(right)}" '
                     f'y2="{_num(y)}" stroke="{stroke}" stroke-width="1"{dash}/>')
        sign = "\u2212" if level < 0 else ("+" if level > 0 else "")
        parts.append(svg_text(left - 8, y + 4, f"{FEELINGS[level]} {sign}{abs(level)}",
                              anchor="end"))
    # the outcomes' own band
    if outcomes:
        x0 = left + (len(steps) + gap / 2) * slot if steps else left
        parts.append(f'<rect x="{_num(x0)}" y="{_num(top - 16)}" width="{_num(right - x0)}" '
                     f'height="{_num(bottom - top + 30)}" fill="#f1f1f1" stroke="#bdbdbd" '
                     'stroke-width="0.8"/>')
        parts.append(_muted(svg_text((x0 + right) / 2, top - 21, "outcomes", anchor="middle"),
                            10))
    # the routes, the least likely first so that the likeliest lies on top
    for rank in range(len(routes) - 1, -1, -1):
        route_steps, _ = routes[rank]
        colour, stroke_width, dash = _ROUTE_STYLES[rank]
        offset = (0.0, 3.0, -3.0)[rank]
        coords = " ".join(f"{_num(at[s].x)},{_num(at[s].y + offset)}" for s in route_steps)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" '
                     f'stroke-width="{stroke_width}" stroke-linejoin="round"{dash_attr}/>')
    # the points, their reach above them, their names below the axis
    shares: list[str] = []
    for p in placed:
        parts.append(_marker(p))
        if p.reach is not None:
            share = f"{round(p.reach * 100):.0f}%" if p.reach >= 0.005 else "<1%"
        else:
            share = "?"
        shares.append(svg_text(p.x, p.y - p.r - 4, share, anchor="middle"))
        name = shorten(_step_name(audit.journey, p.step_id), LABEL_CHARS)
        parts.append(f'<g transform="rotate(-40 {_num(p.x + 3)} {_num(bottom + 22)})" '
                     f'font-size="10">{svg_text(p.x + 3, bottom + 22, name, anchor="end")}</g>')
    # the shares last, on a white halo, so that no line crosses them
    parts.append(f'<g font-size="9" fill="{MUTED}" stroke="#ffffff" stroke-width="3" '
                 f'stroke-linejoin="round" paint-order="stroke">{"".join(shares)}</g>')
    parts.append(_emotion_legend(routes, r_max, width))
    parts.append("</g>")
    label = (f"How customers feel along the journey {one_line(audit.journey.title)}: "
             f"{len(placed)} steps with a feeling")
    return svg_element(width, height, "".join(parts), label=label, css="cx-chart cx-emotion")


def _marker(p: _Point) -> str:
    """A step's point: a circle; a resolution a square; an abandon a diamond."""
    fill = "#9ecae1" if p.reach is not None else "#ffffff"
    stroke = f'stroke="{INK}" stroke-width="1.2" fill="{fill}" fill-opacity="0.85"'
    if p.kind == "resolution":
        side = p.r * math.sqrt(math.pi)  # the same area as a circle of radius r
        return (f'<rect x="{_num(p.x - side / 2)}" y="{_num(p.y - side / 2)}" '
                f'width="{_num(side)}" height="{_num(side)}" {stroke}/>')
    if p.kind == "abandon":
        half = p.r * math.sqrt(math.pi / 2)  # a diamond of the same area
        return (f'<polygon points="{_num(p.x)},{_num(p.y - half)} {_num(p.x + half)},'
                f'{_num(p.y)} {_num(p.x)},{_num(p.y + half)} {_num(p.x - half)},{_num(p.y)}" '
                f'{stroke}/>')
    return f'<circle cx="{_num(p.x)}" cy="{_num(p.y)}" r="{_num(p.r)}" {stroke}/>'


def _emotion_legend(routes: list[tuple[list[str], float]], r_max: float, width: float) -> str:
    """What the lines, sizes and shapes mean, in two rows above the chart."""
    parts: list[str] = []
    x = 14.0
    for rank, (_, probability) in enumerate(routes):
        colour, stroke_width, dash = _ROUTE_STYLES[rank]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<line x1="{_num(x)}" y1="14" x2="{_num(x + 30)}" y2="14" '
                     f'stroke="{colour}" stroke-width="{stroke_width}"{dash_attr}/>')
        share = f"{probability * 100:.0f}%" if probability >= 0.005 else "under 1%"
        text = f"{_ROUTE_NAMES[rank]} ({share} of customers)"
        parts.append(svg_text(x + 36, 18, text))
        x += 36 + len(text) * 5.9 + 18
    y = 38.0
    x = 14.0
    r = min(r_max, 7.0)
    parts.append(f'<circle cx="{_num(x + r)}" cy="{_num(y)}" r="{_num(r)}" stroke="{INK}" '
                 'stroke-width="1.2" fill="#9ecae1"/>')
    parts.append(svg_text(x + 2 * r + 6, y + 4, "a step: area = share of customers who reach it"))
    x += 2 * r + 6 + 262
    side = r * math.sqrt(math.pi)
    parts.append(f'<rect x="{_num(x)}" y="{_num(y - side / 2)}" width="{_num(side)}" '
                 f'height="{_num(side)}" stroke="{INK}" stroke-width="1.2" fill="#9ecae1"/>')
    parts.append(svg_text(x + side + 6, y + 4, "resolved"))
    x += side + 6 + 62
    half = r * math.sqrt(math.pi / 2)
    parts.append(f'<polygon points="{_num(x + half)},{_num(y - half)} {_num(x + 2 * half)},'
                 f'{_num(y)} {_num(x + half)},{_num(y + half)} {_num(x)},{_num(y)}" '
                 f'stroke="{INK}" stroke-width="1.2" fill="#9ecae1"/>')
    parts.append(svg_text(x + 2 * half + 6, y + 4, "gave up"))
    return "".join(parts)


# --- the outcome chart ---------------------------------------------------------

PLACES_SHOWN = 8
"""Most places listed in each group of the outcome chart; the rest are "elsewhere"."""

SMALL_PLACE = 0.01
"""A place holding less than this share of all customers (10 in 1,000) goes "elsewhere"."""


@dataclass(frozen=True, slots=True)
class EndPlace:
    """Where some customers end: one step (or loop), or several grouped as "elsewhere"."""

    label: str
    """The step's label (raw journey text: escape it), or the words for a group."""
    steps: tuple[str, ...]
    """The step ids it covers: one step, a loop's steps, or the steps grouped."""
    share: float
    """The exact share of all customers who end here."""
    count: int
    """Of 1,000 customers, rounded so that a group's places add up to its count."""


@dataclass(frozen=True, slots=True)
class EndGroup:
    """One way of ending (resolved, gave up, stranded, trapped) and its places."""

    name: str
    share: float
    """The exact share, as in the journey's metrics."""
    count: int
    """Of 1,000 customers, rounded so that the groups add up to 1,000."""
    places: tuple[EndPlace, ...]


def largest_remainder(values: Sequence[float], total: int) -> list[int]:
    """Whole numbers in proportion to ``values`` that add up to exactly ``total``.

    Each value gets the whole part of its quota, then the units still
    missing go to the largest fractional parts (the earlier value on a
    tie), so no shown count is off by more than one from its quota and the
    counts always add up (Hamilton's method). All zeros when the values
    are.

    >>> largest_remainder([1 / 3, 1 / 3, 1 / 3], 1000), largest_remainder([1, 1, 6], 10)
    ([334, 333, 333], [1, 1, 8])
    """
    weight = math.fsum(v for v in values if v > 0.0)
    if weight <= 0.0 or total <= 0:
        return [0] * len(values)
    quotas = [max(0.0, v) * total / weight for v in values]
    counts = [math.floor(q) for q in quotas]
    missing = total - sum(counts)
    order = sorted(range(len(values)), key=lambda i: (-(quotas[i] - counts[i]), i))
    for i in order[:missing]:
        counts[i] += 1
    return counts


def _raw_places(audit: JourneyAudit) -> dict[str, list[tuple[str, tuple[str, ...], float]]]:
    """Each ending's places with their exact shares, as the chain's end probabilities count them.

    A resolution step holds its visits; an abandon step its visits; a step
    with an ``abandon`` share loses its visits times that share; a step with
    no way on strands the rest of its visits; a closed loop traps what
    enters it (:meth:`~cx_audit.analysis.chain.ChainSolution.end_probabilities`
    adds up the same terms).
    """
    journey = audit.journey
    solution = audit.analysis.solution
    view = solution.net
    visits = solution.visits
    places: dict[str, list[tuple[str, tuple[str, ...], float]]] = {
        "resolved": [], "gave up": [], "stranded": [], "trapped": []}
    for u, step_id in enumerate(view.ids):
        x = visits[u]
        if not x or math.isinf(x):
            continue
        name = _step_name(journey, step_id)
        if view.resolution[u]:
            places["resolved"].append((name, (step_id,), x))
        elif view.abandon_step[u]:
            places["gave up"].append((name, (step_id,), x))
        else:
            a = view.abandon[u]
            if a > 0.0:
                places["gave up"].append((name, (step_id,), x * a))
            if view.stranded[u] and a < 1.0:
                places["stranded"].append((name, (step_id,), x * (1.0 - a)))
    chain = solution.chain
    for c, mass in sorted(solution.trapped.items()):
        members = sorted(chain.comps[c])
        first = _step_name(journey, view.ids[members[0]])
        label = f"loop at {first}" if len(members) == 1 else (
            f"loop of {first} and {len(members) - 1} more steps")
        places["trapped"].append((label, tuple(view.ids[u] for u in members), mass))
    return places


def endings(audit: JourneyAudit) -> tuple[EndGroup, ...]:
    """Where 1,000 customers end: the groups that hold any, each with its places, largest first.

    Groups come in the order resolved, gave up, stranded, trapped, with the
    journey's metrics as their shares. In each, at most
    :data:`PLACES_SHOWN` places are listed, largest first; the rest, and
    places under :data:`SMALL_PLACE`, are grouped as "elsewhere" (unless
    that would group a single place). Counts are per 1,000 and rounded by
    :func:`largest_remainder` twice: the groups to add up to 1,000, then
    each group's places to add up to the group's count. A journey nobody
    starts (no entry) has no group.
    """
    metrics = audit.analysis.metrics
    shares = {"resolved": metrics.p_resolution, "gave up": metrics.p_abandon,
              "stranded": metrics.p_stranded, "trapped": metrics.p_trapped}
    raw = _raw_places(audit)
    names = [name for name, share in shares.items() if share > 0.0]
    total = round(CUSTOMERS * math.fsum(shares[n] for n in names))
    counts = largest_remainder([shares[n] for n in names], total)
    groups = []
    for name, count in zip(names, counts):
        listed = sorted((p for p in raw[name] if p[2] > 0.0), key=lambda p: -p[2])
        kept = [p for i, p in enumerate(listed) if i < PLACES_SHOWN and p[2] >= SMALL_PLACE]
        rest = listed[len(kept):]
        if len(rest) == 1:
            kept, rest = listed, []
        grouped = list(kept)
        if rest:
            noun = "loops" if name == "trapped" else "steps"
            grouped.append((f"elsewhere ({len(rest)} {noun})",
                            tuple(s for p in rest for s in p[1]),
                            math.fsum(p[2] for p in rest)))
        place_counts = largest_remainder([p[2] for p in grouped], count)
        places = tuple(EndPlace(label, steps, share, n)
                       for (label, steps, share), n in zip(grouped, place_counts))
        groups.append(EndGroup(name, shares[name], count, places))
    return tuple(groups)


_GROUP_STYLE = {
    # fill colour, pattern ink, pattern kind, word in the bar
    "resolved": ("#a6dba0", "#1b7837", "solid"),
    "gave up": ("#fdb863", "#b35806", "stripes"),
    "stranded": ("#c2a5cf", "#542788", "dots"),
    "trapped": ("#bababa", "#252525", "cross"),
}


def _patterns(dom: str, names: Sequence[str]) -> str:
    """The fill of each ending shown: a colour, and a pattern that survives black-and-white
    print."""
    defs = []
    for name in names:
        fill, ink, kind = _GROUP_STYLE[name]
        pid = f"{dom}-{name.replace(' ', '-')}"
        if kind == "solid":
            body = f'<rect width="8" height="8" fill="{fill}"/>'
        elif kind == "stripes":
            body = (f'<rect width="8" height="8" fill="{fill}"/>'
                    f'<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="{ink}" '
                    'stroke-width="1.6"/>')
        elif kind == "dots":
            body = (f'<rect width="8" height="8" fill="{fill}"/>'
                    f'<circle cx="2" cy="2" r="1.3" fill="{ink}"/>'
                    f'<circle cx="6" cy="6" r="1.3" fill="{ink}"/>')
        else:
            body = (f'<rect width="8" height="8" fill="{fill}"/>'
                    f'<path d="M0,0 l8,8 M8,0 l-8,8" stroke="{ink}" stroke-width="1.1"/>')
        defs.append(f'<pattern id="{pid}" width="8" height="8" '
                    f'patternUnits="userSpaceOnUse">{body}</pattern>')
    return "<defs>" + "".join(defs) + "</defs>" if defs else ""


def _fill(dom: str, name: str) -> str:
    return f"url(#{dom}-{name.replace(' ', '-')})"


_GROUP_WORDS = {"resolved": "resolved", "gave up": "gave up", "stranded": "stranded",
                "trapped": "trapped in a loop"}

PLACE_CHARS = 56
"""A place's label in the outcome chart at most, ellipsis included."""


def outcome_chart(audit: JourneyAudit) -> Figure:
    """Where 1,000 customers end, as a bar of 1,000 split by ending, then each ending's places.

    The top bar splits 1,000 customers into resolved, gave up, stranded and
    trapped, each segment patterned and, where it has room, labelled;
    below it each ending is listed with its places (:func:`endings`),
    largest first, as bars on one scale with their count written out. All
    shown counts are whole customers that add up to 1,000.
    """
    groups = endings(audit)
    dom = _dom_id("outcomes", audit.journey)
    width = float(CHART_WIDTH)
    left, right = 14.0, width - 14.0
    parts = [_patterns(dom, [g.name for g in groups]), f'<g {FONT} font-size="11" fill="{INK}">']
    if not groups:
        height = 60.0
        parts.append(f'<rect x="{_num(left)}" y="10" width="{_num(right - left)}" height="34" '
                     f'fill="#ffffff" stroke="{MUTED}" stroke-dasharray="4 3"/>')
        parts.append(svg_text(width / 2, 31, "No customer starts this journey: it has no entry "
                              "with a share.", anchor="middle"))
        parts.append("</g>")
        return _outcome_figure(audit, parts, height, "nobody starts")
    total = sum(g.count for g in groups)
    parts.append(_muted(svg_text(left, 14, f"Of {_per_thousand(total)} customers who start:"),
                        11))
    bar_top, bar_height = 22.0, 34.0
    scale = (right - left) / max(1, total)
    x = left
    unlabelled = []
    for group in groups:
        w = group.count * scale
        if w <= 0.0:
            unlabelled.append(group)
            continue
        parts.append(f'<rect x="{_num(x)}" y="{_num(bar_top)}" width="{_num(w)}" '
                     f'height="{_num(bar_height)}" fill="{_fill(dom, group.name)}" '
                     'stroke="#ffffff" stroke-width="1"/>')
        chip = _chip(x + w / 2, bar_top + bar_height / 2, w, group)
        if chip:
            parts.append(chip)
        else:
            unlabelled.append(group)
        x += w
    if unlabelled:
        words = " \u00b7 ".join(f"{_count_words(g.count, g.share)} {_GROUP_WORDS[g.name]}"
                                for g in unlabelled)
        parts.append(svg_text(right, 14, words, anchor="end"))
    parts.append(f'<rect x="{_num(left)}" y="{_num(bar_top)}" width="{_num(right - left)}" '
                 f'height="{_num(bar_height)}" fill="none" stroke="{INK}" stroke-width="1"/>')
    y = bar_top + bar_height + 26.0
    label_x, count_x, bars_x = left + 22.0, 430.0, 440.0
    largest = max((p.count for g in groups for p in g.places), default=1) or 1
    row_scale = (right - bars_x) / largest
    for group in groups:
        parts.append(f'<rect x="{_num(left)}" y="{_num(y - 11)}" width="14" height="14" '
                     f'fill="{_fill(dom, group.name)}" stroke="{INK}" stroke-width="0.8"/>')
        heading = (f"{_GROUP_WORDS[group.name].capitalize()}: "
                   f"{_count_words(group.count, group.share)} in 1,000")
        parts.append(f'<g font-weight="bold">{svg_text(label_x, y, heading)}</g>')
        y += 19.0
        for place in group.places:
            parts.append(svg_text(label_x + 10, y, shorten(place.label, PLACE_CHARS)))
            parts.append(svg_text(count_x, y, _count_words(place.count, place.share),
                                  anchor="end"))
            w = max(1.0, place.count * row_scale) if place.share > 0 else 0.0
            parts.append(f'<rect x="{_num(bars_x)}" y="{_num(y - 10)}" width="{_num(w)}" '
                         f'height="12" fill="{_fill(dom, group.name)}" stroke="{INK}" '
                         'stroke-width="0.6"/>')
            y += 17.0
        y += 9.0
    parts.append("</g>")
    return _outcome_figure(audit, parts, y - 4.0, _summary(groups))


def _count_words(count: int, share: float) -> str:
    """A count per 1,000; one that rounds to 0 but is not says "under 1"."""
    return "under 1" if count == 0 and share > 0.0 else _per_thousand(count)


def _chip(cx: float, cy: float, room: float, group: EndGroup) -> str:
    """The segment's count and ending on a white chip, when the segment has room for it."""
    for text in (f"{_per_thousand(group.count)} {_GROUP_WORDS[group.name]}",
                 _per_thousand(group.count)):
        wide = len(text) * 6.6 + 10
        if wide <= room - 4:
            return (f'<rect x="{_num(cx - wide / 2)}" y="{_num(cy - 9)}" width="{_num(wide)}" '
                    'height="18" rx="3" fill="#ffffff" fill-opacity="0.92"/>'
                    f'<text x="{_num(cx)}" y="{_num(cy + 4)}" text-anchor="middle" '
                    f'font-weight="bold">{html_text(text)}</text>')
    return ""


def _summary(groups: Sequence[EndGroup]) -> str:
    return ", ".join(f"{g.count} {_GROUP_WORDS[g.name]}" for g in groups)


def _outcome_figure(audit: JourneyAudit, parts: list[str], height: float, summary: str) -> Figure:
    label = f"Where 1,000 customers of {one_line(audit.journey.title)} end: {summary}"
    svg = svg_element(CHART_WIDTH, height, "".join(parts), label=label,
                      css="cx-chart cx-outcomes")
    return Figure(svg=svg, title="Where 1,000 customers end",
                  note="Counts are whole customers of 1,000, rounded so that they add up.",
                  width=CHART_WIDTH, height=round(height))
