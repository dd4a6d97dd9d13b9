"""The layered layout, the inline SVG journey map and the condensed view of large journeys."""

from __future__ import annotations

import itertools
import re
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from analysis.builder import make_journey
from conftest import JOURNEYS, PINNED

from cx_audit.audit.engine import audit_journey
from cx_audit.audit.points import combustion_points
from cx_audit.core.model import Journey
from cx_audit.io.loader import load_journey, load_journey_text
from cx_audit.renderers.diagram import (
    MERMAID_MAX_EDGES,
    MERMAID_MAX_TEXT,
    diagram_graph,
    mermaid_chart,
    render_dot,
)
from cx_audit.renderers.journey_svg import MAX_ROWS, PAGE_WIDTH, journey_svg
from cx_audit.renderers.layout import MAX_SPAN, layered_layout

EXAMPLES = sorted(JOURNEYS.glob("*.yaml"))
SVG = "{http://www.w3.org/2000/svg}"


def _layout_of(journey: Journey):  # type: ignore[no-untyped-def]
    graph = diagram_graph(journey)
    edges = [(e.source, e.target, e.flow) for e in graph.edges]
    return graph, layered_layout(len(graph.nodes), edges, graph.route, graph.roots)


def _ladder(size: int, loops: int = 0) -> Journey:
    """A journey of ``size`` steps: choices that rejoin, runs of shields and small loops."""
    steps: dict[str, dict] = {"s0": {"kind": "entry", "next": ["s1"]}}
    for i in range(1, size):
        nxt = f"s{i + 1}" if i + 1 < size else "done"
        if i % 7 in (1, 2, 3):
            steps[f"s{i}"] = {"shield": "form", "next": [nxt]}
        elif loops and i % 11 == 0 and i > 2:
            steps[f"s{i}"] = {"next": [(nxt, 0.7), (f"s{i - 1}", 0.3, "cold")]}
        else:
            steps[f"s{i}"] = {"next": [(nxt, 0.9), ("gone", 0.1)]}
    steps["done"] = {"kind": "resolution"}
    steps["gone"] = {"kind": "abandon"}
    return make_journey(steps, journey_id="ladder")


# --- the layout ------------------------------------------------------------------------

@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_step_is_placed_once_and_no_two_share_a_place(path: Path) -> None:
    journey = load_journey(path)
    graph, layout = _layout_of(journey)
    assert len(layout.layer) == len(layout.row) == len(graph.nodes) == len(journey.steps)
    places = list(zip(layout.layer, layout.row))
    assert len(set(places)) == len(places)
    dummies = [p for points in layout.waypoints for p in points]
    assert not set(dummies) & set(places)
    assert len(set(dummies)) == len(dummies)
    assert all(0 <= layer < layout.layers for layer in layout.layer)
    assert layout.top <= min(layout.row) and max(layout.row) <= layout.bottom


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_likeliest_route_runs_left_to_right_on_row_zero_alone(path: Path) -> None:
    journey = load_journey(path)
    graph, layout = _layout_of(journey)
    route = graph.route
    assert len(route) >= 2
    assert journey.steps[graph.nodes[route[0]].step].kind.value == "entry"
    assert all(layout.row[k] == 0 for k in route)
    assert all(layout.layer[a] < layout.layer[b] for a, b in itertools.pairwise(route))
    others = set(range(len(graph.nodes))) - set(route)
    assert all(layout.row[k] != 0 for k in others)
    assert all(row != 0 for points in layout.waypoints for _, row in points)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_edges_go_right_unless_they_close_a_loop(path: Path) -> None:
    journey = load_journey(path)
    graph, layout = _layout_of(journey)
    for k, edge in enumerate(graph.edges):
        forward = layout.layer[edge.target] > layout.layer[edge.source]
        assert forward != layout.backward[k] or edge.source == edge.target
        # a dummy in every layer an edge crosses, off the route's row
        span = abs(layout.layer[edge.target] - layout.layer[edge.source])
        on_route = (edge.source, edge.target) in set(itertools.pairwise(graph.route))
        routed = not on_route and not layout.long[k]
        assert len(layout.waypoints[k]) == (max(0, span - 1) if routed else 0)
        assert layout.long[k] == (span > MAX_SPAN and not on_route)


def test_back_edges_are_only_those_into_an_earlier_step() -> None:
    journey = load_journey_text("""
journey: loop
steps:
  call: {kind: entry, next: [agent]}
  agent: {next: [{to: done, p: 0.6}, {to: hold, p: 0.4}]}
  hold: {shield: hold, next: [agent]}
  done: {kind: resolution}
""")
    graph, layout = _layout_of(journey)
    names = [n.step for n in graph.nodes]
    backward = {(names[e.source], names[e.target]) for e, b in zip(graph.edges, layout.backward)
                if b}
    assert backward == {("hold", "agent")}
    assert [names[k] for k in graph.route] == ["call", "agent", "done"]


def test_layout_is_deterministic_and_reduces_crossings() -> None:
    journey = load_journey(JOURNEYS / "telecom-billing-dispute.yaml")
    first = _layout_of(journey)[1]
    assert all(_layout_of(journey)[1] == first for _ in range(3))
    assert first.crossings <= 2


def test_layout_is_near_linear() -> None:
    small, large = _ladder(300, loops=1), _ladder(3000, loops=1)
    timings = []
    for journey in (small, large):
        graph = diagram_graph(journey, condensed=False)
        edges = [(e.source, e.target, e.flow) for e in graph.edges]
        start = time.perf_counter()
        layered_layout(len(graph.nodes), edges, graph.route, graph.roots)
        timings.append(time.perf_counter() - start)
    assert timings[1] < 40 * timings[0] + 0.05


# --- the SVG -----------------------------------------------------------------------------

def _figure(path: Path, highlight: int = 5):  # type: ignore[no-untyped-def]
    audit = audit_journey(load_journey(path), PINNED)
    points = combustion_points(audit)
    return points, journey_svg(audit.journey, points, highlight=highlight)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_svg_parses_fits_a_page_and_numbers_only_the_top_points(path: Path) -> None:
    points, figure = _figure(path)
    root = ET.fromstring(figure.svg)
    assert root.tag == f"{SVG}svg"
    assert figure.width <= PAGE_WIDTH
    assert figure.note is None
    badges = sorted(int(t.text or "") for t in root.iter(f"{SVG}text") if t.get("class") == "b")
    # the legend shows one sample badge "1" when any point is marked
    top = [p.rank for p in points if p.rank <= 5]
    expected = sorted([*top, 1]) if top else []
    assert badges == expected
    outlined = [r for r in root.iter(f"{SVG}rect") if r.get("stroke-width") == "2.5"]
    assert len(outlined) == len({p.step for p in points if p.rank <= 5
                                 and p.kind != "transition"})
    assert "<script" not in figure.svg and "onload" not in figure.svg


def test_highlight_sets_how_many_points_are_numbered() -> None:
    path = JOURNEYS / "telecom-billing-dispute.yaml"
    _, two = _figure(path, highlight=2)
    _, none = _figure(path, highlight=0)
    def badges(svg: str) -> list[str]:
        return re.findall(r'class="b">(\d+)<', svg)
    assert sorted(badges(two.svg)) == ["1", "1", "2"]
    assert badges(none.svg) == []


def test_telecom_fits_one_landscape_page() -> None:
    _, figure = _figure(JOURNEYS / "telecom-billing-dispute.yaml")
    assert figure.width <= PAGE_WIDTH and figure.height <= 1000


def test_hostile_text_stays_text_in_the_svg() -> None:
    journey = load_journey_text("""
journey: nasty
title: "</script><script>alert(1)</script>"
steps:
  a:
    kind: entry
    label: "</script><script>alert(1)"
    owner: "\\" onload=\\"alert(2)"
    next: [b]
  b:
    label: "\\" onload=\\"x <svg onload=alert(3)> & &amp;"
    shield: "<b>ivr</b>"
    abandon: 0.2
    next: [c]
  c: {kind: resolution, label: "ok ]]> <!--"}
""")
    figure = journey_svg(journey, [])
    root = ET.fromstring(figure.svg)
    texts = "".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "</script><script>alert(1)" in texts
    assert '" onload="alert(2)' in texts
    assert "<b>ivr</b>" in texts
    assert "<script" not in figure.svg and "<svg onload" not in figure.svg
    assert not any(el.get("onload") for el in root.iter())
    assert {el.tag.removeprefix(SVG) for el in root.iter()} <= {
        "svg", "style", "defs", "marker", "path", "g", "title", "rect", "text", "circle"}


# --- the condensed view -----------------------------------------------------------------

def test_a_large_journey_is_condensed_with_a_note() -> None:
    journey = _ladder(300, loops=1)
    graph = diagram_graph(journey)
    assert graph.condensed and graph.note
    assert f"{len(journey.steps)} steps drawn as {len(graph.nodes)} boxes" in graph.note
    loops = [n for n in graph.nodes if n.group == "loop"]
    runs = [n for n in graph.nodes if n.group == "shields"]
    assert loops and runs
    assert all(len(n.steps) == 2 and n.label.startswith("2 steps in a loop") for n in loops)
    assert all(n.label.startswith(f"{len(n.steps)} shield layers in a row") for n in runs)
    assert all(journey.steps[s].is_shield for n in runs for s in n.steps)
    assert max(len(n.steps) for n in runs) == 3
    drawn = sorted(s for n in graph.nodes for s in n.steps)
    assert drawn == sorted(journey.steps)  # every step in exactly one box
    assert len(graph.nodes) < len(journey.steps) * 0.7
    figure = journey_svg(journey, [])
    assert figure.note == graph.note
    ET.fromstring(figure.svg)


def test_small_journeys_are_not_condensed_and_a_wide_layer_is() -> None:
    assert len(_ladder(38).steps) == 40
    assert not diagram_graph(_ladder(38)).condensed
    assert diagram_graph(_ladder(39)).condensed
    fan = {"s": {"kind": "entry", "next": [f"b{i}" for i in range(MAX_ROWS + 2)]}}
    for i in range(MAX_ROWS + 2):
        fan[f"b{i}"] = {"shield": "form", "next": [f"c{i}"]}
        fan[f"c{i}"] = {"shield": "form", "next": ["done"]}
    fan["done"] = {"kind": "resolution"}
    journey = make_journey(fan)
    assert len(journey.steps) <= 40
    figure = journey_svg(journey, [])
    assert figure.note is not None and "Condensed" in figure.note


def test_mermaid_of_a_large_journey_stays_within_githubs_limits() -> None:
    journey = _ladder(300, loops=1)
    audit = audit_journey(journey, PINNED)
    points = combustion_points(audit)
    chart = mermaid_chart(journey, points)
    assert chart.fits and chart.note
    assert len(chart.text) <= MERMAID_MAX_TEXT
    edges = re.findall(r"^  n\d+ -\.?->", chart.text, re.M)
    assert 0 < len(edges) <= MERMAID_MAX_EDGES
    marked = re.findall(r"\u26a0 points? ([\d, ]+)", chart.text)
    assert sorted(int(r) for group in marked for r in group.split(", ")) == [
        p.rank for p in points if p.rank <= 5]
    assert "Condensed" in render_dot(journey, points)


def test_condensed_svg_is_quick_enough_for_a_report_of_thousands() -> None:
    journey = load_journey(JOURNEYS / "motor-insurance-claim.yaml")
    start = time.perf_counter()
    for _ in range(20):
        journey_svg(journey, [])
    assert (time.perf_counter() - start) / 20 < 0.05
