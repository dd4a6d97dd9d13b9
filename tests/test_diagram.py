"""Journey diagrams: Mermaid and DOT output, escaping, and the real Mermaid parser.

The parser check installs the npm packages ``mermaid@11`` and ``jsdom`` once
into a cache folder outside the repository and runs one node process for
every diagram of the test session; it is skipped when node or npm is
missing or the packages cannot be installed.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import JOURNEYS, PINNED
from hypothesis import given, settings
from hypothesis import strategies as st

from cx_audit.audit.config import Config
from cx_audit.audit.engine import JourneyAudit, audit_journey
from cx_audit.audit.points import CombustionPoint, combustion_points
from cx_audit.audit.run import run_audit
from cx_audit.core.model import Handoff
from cx_audit.io.loader import load_journey
from cx_audit.renderers.diagram import (
    DiagramGraph,
    diagram_graph,
    edge_text,
    node_lines,
    render_dot,
    render_mermaid,
)
from cx_audit.renderers.escaping import dot_text, mermaid_text
from cx_audit.renderers.markdown import render_markdown

GOLDEN = Path(__file__).resolve().parent / "golden"
SMALL = GOLDEN / "small.yaml"
HOSTILE = GOLDEN / "hostile.yaml"
EXAMPLES = sorted(JOURNEYS.glob("*.yaml"))
UPDATE = os.environ.get("CX_AUDIT_UPDATE_GOLDEN") == "1"

CACHE = (Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
         / "cx-audit-tests" / "mermaid")

PARSE_SCRIPT = r"""
// Reads a JSON list of diagrams on stdin and prints one JSON result per diagram.
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!DOCTYPE html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });

const decode = (text) => String(text ?? '')
  .replace(/\uFB02\u00B0\u00B0/g, '&#').replace(/\uFB02\u00B0/g, '&').replace(/\u00B6\u00DF/g, ';');

let input = '';
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const text of JSON.parse(input)) {
  const result = { ok: false };
  try {
    const parsed = await mermaid.parse(text);
    result.ok = true;
    result.type = parsed.diagramType;
    result.config = parsed.config ?? {};
  } catch (error) {
    result.error = String(error && error.message ? error.message : error);
  }
  if (result.ok && result.type.startsWith('flowchart')) {
    try {
      const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
      const vertices = diagram.db.getVertices();
      result.nodes = {};
      for (const [id, v] of (vertices instanceof Map ? vertices : Object.entries(vertices))) {
        result.nodes[id] = { text: decode(v.text), type: v.type, classes: v.classes };
      }
      result.edges = diagram.db.getEdges().map(
        (e) => ({ start: e.start, end: e.end, text: decode(e.text), stroke: e.stroke }));
    } catch (error) {
      result.details = String(error);
    }
  }
  results.push(result);
}
process.stdout.write(JSON.stringify(results));
"""


def _audit(path: Path) -> JourneyAudit:
    """The journey audited with the pinned rules, so node labels do not change with new rules."""
    return audit_journey(load_journey(path), PINNED)


def _drawn(path: Path) -> tuple[JourneyAudit, list[CombustionPoint], DiagramGraph]:
    """The audit, its combustion points and what the diagrams of it show."""
    audit = _audit(path)
    points = combustion_points(audit)
    return audit, points, diagram_graph(audit.journey, points)


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE or not path.exists():
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs; set CX_AUDIT_UPDATE_GOLDEN=1"


def _clean(text: str) -> str:
    """What a reader should see of journey text: control characters shown, one line."""
    from cx_audit.text.safe import printable

    return re.sub(r"\s+", " ", printable(text)).strip()


# --- escaping ------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "escaped"), [
    ("#", "#35;"),
    ('"', "#quot;"),
    ("<b>", "#lt;b#gt;"),
    ("&", "#amp;"),
    (";", "#59;"),
    ("#quot;", "#35;quot#59;"),
    ("a;b#c", "a#59;b#35;c"),
    ("`code`", "#96;code#96;"),
    ("100%", "100#37;"),
    ("a|b", "a#124;b"),
    ("end", "#101;nd"),
    ("the end.", "the #101;nd."),
    ("End ending endless", "End ending endless"),
    ("redirection LR", "re#100;irection LR"),
    ("line\nbreak\ttab", "line break tab"),
    ("\x1b[31m", "\\x1b[31m"),
    ("%%{init: {'theme':'dark'}}%%", "#37;#37;{init#58; {'theme'#58;'dark'}}#37;#37;"),
    ("style:fill:#f00;", "style#58;fill#58;#35;f00#59;"),
])
def test_mermaid_text_escapes_each_character_once(raw: str, escaped: str) -> None:
    assert mermaid_text(raw) == escaped


def test_mermaid_text_leaves_no_raw_special_character() -> None:
    nasty = 'end "q" # ; <script> & ` % | --> \n [red] \x1b[2J'
    text = mermaid_text(nasty)
    assert not re.search(r'["<>`%|\n\x1b]', text)
    # every '#' and ';' belongs to an entity
    assert re.sub(r"#(?:\d+|[a-z]+);", "", text).count("#") == 0
    assert ";" not in re.sub(r"#(?:\d+|[a-z]+);", "", text)


@pytest.mark.parametrize(("raw", "escaped"), [
    ('say "hi"', 'say \\"hi\\"'),
    ("back\\slash\\", "back\\\\slash\\\\"),
    ("\\N \\l \\G", "\\\\N \\\\l \\\\G"),
    ("two\nlines", "two lines"),
    ("\x1b[31m", "\\\\x1b[31m"),
    ("<b>{x}|y</b>", "<b>{x}|y</b>"),
])
def test_dot_text_escapes_quotes_and_backslashes(raw: str, escaped: str) -> None:
    assert dot_text(raw) == escaped


# --- Mermaid structure -----------------------------------------------------------

NODE = re.compile(
    r'^  (n\d+)(\(\[|\(|>|\{\{|\[\[|\[)"([^"\n]*)"(\]\)|\)|\]\]|\]|\}\})$')
EDGE = re.compile(r'^  (n\d+) (-->|-\.->)(?:\|"([^"\n]*)"\|)? (n\d+)$')


def _parse_mermaid(text: str) -> tuple[dict[str, tuple[str, str]], list[tuple[str, str, str, str]],
                                       dict[str, set[str]], dict[str, list[int]]]:
    """Nodes (shape, label), edges, classes and styled edge indexes (by width) of our flowchart."""
    lines = text.splitlines()
    assert lines[0] in ("flowchart TD", "flowchart LR")
    nodes: dict[str, tuple[str, str]] = {}
    edges: list[tuple[str, str, str, str]] = []
    classes: dict[str, set[str]] = {}
    styled: dict[str, list[int]] = {}
    for line in lines[1:]:
        if m := NODE.match(line):
            nodes[m.group(1)] = (m.group(2), m.group(3))
        elif m := EDGE.match(line):
            edges.append((m.group(1), m.group(2), m.group(3) or "", m.group(4)))
        elif m := re.match(r"^  classDef (\w+) [\w#:,.\- ]+$", line):
            pass
        elif m := re.match(r"^  class ([n\d,]+) (\w+)$", line):
            classes.setdefault(m.group(2), set()).update(m.group(1).split(","))
        elif m := re.match(r"^  linkStyle ([\d,]+) stroke:#\w+,stroke-width:(\d)px$", line):
            styled[m.group(2)] = [int(i) for i in m.group(1).split(",")]
        else:
            pytest.fail(f"unexpected Mermaid line: {line!r}")
    return nodes, edges, classes, styled


@pytest.mark.parametrize("path", [SMALL, HOSTILE, *EXAMPLES], ids=lambda p: p.stem)
def test_mermaid_ids_labels_shapes_and_classes(path: Path) -> None:
    audit, points, graph = _drawn(path)
    journey = audit.journey
    text = render_mermaid(journey, points)
    nodes, edges, classes, styled = _parse_mermaid(text)
    assert text.startswith("flowchart LR\n")
    assert list(nodes) == [f"n{k}" for k in range(len(graph.nodes))]
    # not condensed: one box per step, in file order
    assert [node.step for node in graph.nodes] == list(journey.steps)
    shapes = {"entry": "([", "resolution": "(", "abandon": ">"}
    for k, node in enumerate(graph.nodes):
        step = journey.steps[node.step]
        shape, label = nodes[f"n{k}"]
        assert shape == shapes.get(step.kind.value, "{{" if step.is_shield else "["), node.step
        assert label == "<br>".join(mermaid_text(t) for t in node_lines(node))
        assert (f"n{k}" in classes.get("shield", set())) == step.is_shield
    # only the top five points are marked, each at its step (a transition on its edge)
    top = [p for p in points if p.rank <= 5]
    marked_nodes = {f"n{list(journey.steps).index(p.step)}" for p in top
                    if p.kind != "transition"}
    assert classes.get("point", set()) == marked_nodes
    shown = sorted(rank for node in graph.nodes for rank in node.points)
    shown += [rank for edge in graph.edges for rank in edge.points]
    assert sorted(shown) == [p.rank for p in top]
    transitions = journey.transitions
    assert len(edges) == len(transitions) == len(graph.edges)
    ids = {step_id: f"n{i}" for i, step_id in enumerate(journey.steps)}
    for index, (transition, edge) in enumerate(zip(transitions, edges)):
        source, arrow, label, target = edge
        assert (source, target) == (ids[transition.source], ids[transition.target])
        is_cold = transition.handoff is Handoff.COLD
        assert (arrow == "-.->") == is_cold
        drawn = graph.edges[index]
        styled_here = index in styled.get("2", []) + styled.get("4", [])
        assert styled_here == (is_cold or bool(drawn.points))
        assert label == mermaid_text(edge_text(drawn))
    # no step id is used as a node id
    assert not set(journey.steps) & set(re.findall(r"^\s+([\w-]+)[\[({>]", text, re.M))


def test_telecom_marks_only_its_top_five_points() -> None:
    audit, points, graph = _drawn(JOURNEYS / "telecom-billing-dispute.yaml")
    assert len(points) > 5
    text = render_mermaid(audit.journey, points)
    assert text.count("\u26a0 point") == 5 - sum(
        1 for node in graph.nodes if len(node.points) > 1)
    _, _, classes, _ = _parse_mermaid(text)
    assert 0 < len(classes["point"]) <= 5
    assert len(render_mermaid(audit.journey, points, highlight=2).split("\u26a0")) == 3
    assert "\u26a0" not in render_mermaid(audit.journey, points, highlight=0)


def test_edge_labels_give_chance_handoff_and_condition() -> None:
    journey = load_journey(SMALL)
    graph = diagram_graph(journey)
    ids = list(journey.steps)
    edges = {(ids[e.source], ids[e.target]): e for e in graph.edges}
    assert edge_text(edges["agent", "refunded"]) == "60% \u00b7 order found"
    assert edge_text(edges["agent", "warehouse"]) == (
        "30% \u00b7 warm handoff \u00b7 needs an inspection")
    assert edge_text(edges["agent", "returns-desk"]) == "10% \u00b7 cold handoff"
    # the menu loses 15% before anyone moves on: its only way on carries 85%
    menu = ids.index("menu")
    assert edge_text(next(e for e in graph.edges if e.source == menu)) == "85%"
    # a single certain way carries no label
    assert edge_text(edges["phone-call", "menu"]) == ""


def test_node_label_lines() -> None:
    audit, points, graph = _drawn(SMALL)
    menu = next(node for node in graph.nodes if node.step == "menu")
    ranks = [p.rank for p in points if p.step == "menu" and p.kind != "transition"
             and p.rank <= 5]
    head = [f"\u26a0 point{'s' if len(ranks) > 1 else ''} {', '.join(map(str, ranks))}"] \
        if ranks else []
    owner = audit.journey.steps["menu"].owner
    assert node_lines(menu) == [*head, "\U0001f6e1 ivr", "Press 1 for refunds",
                                *([f"owned by {owner}"] if owner else []), "15% give up here"]
    long = next(node for node in graph.nodes if node.step == "returns-desk")
    assert all(len(line) <= 24 for line in node_lines(long)[:-1])


def test_direction_is_checked() -> None:
    journey = load_journey(SMALL)
    assert render_mermaid(journey).startswith("flowchart LR\n")
    assert render_mermaid(journey, direction="TD").startswith("flowchart TD\n")
    assert "rankdir=LR" in render_dot(journey)
    assert "rankdir=TB" in render_dot(journey, direction="TD")
    with pytest.raises(ValueError, match="direction"):
        render_mermaid(journey, direction="sideways")
    with pytest.raises(ValueError, match="direction"):
        render_dot(journey, direction="LR; x")


def test_points_are_optional() -> None:
    journey = load_journey(SMALL)
    text = render_mermaid(journey)
    assert "class " not in text.split("classDef point")[-1] or "classDef point" not in text
    assert "\u26a0" not in text


@pytest.mark.parametrize("name", ["small", "hostile"])
def test_diagrams_match_golden_files(name: str) -> None:
    audit, points, _ = _drawn(GOLDEN / f"{name}.yaml")
    _golden(f"{name}.mmd", render_mermaid(audit.journey, points))
    _golden(f"{name}.dot", render_dot(audit.journey, points))


# --- DOT ------------------------------------------------------------------------

DOT_TOKEN = re.compile(
    r'"(?:[^"\\\n]|\\.)*"|->|[A-Za-z_][A-Za-z0-9_.]*|-?\d+(?:\.\d+)?|[{}\[\];,=]|\S')


def _unquote(token: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), token[1:-1])


Attributes = dict[str, str]


def _dot_statements(text: str) -> tuple[dict[str, Attributes], list[tuple[str, str, Attributes]]]:
    """Node and edge statements of our DOT output, with their attributes unescaped."""
    tokens = DOT_TOKEN.findall(text)
    assert all(t not in ('"', "\\") for t in tokens), "an unbalanced quote or stray backslash"
    assert tokens[:3] == ["digraph", tokens[1], "{"] and tokens[-1] == "}"
    nodes: dict[str, dict[str, str]] = {}
    edges: list[tuple[str, str, dict[str, str]]] = []
    body = tokens[3:-1]
    i = 0
    while i < len(body):
        end = body.index(";", i)
        statement = body[i:end]
        i = end + 1
        attributes: dict[str, str] = {}
        if "[" in statement:
            start = statement.index("[")
            assert statement[-1] == "]"
            inner = [t for t in statement[start + 1:-1] if t != ","]
            for k in range(0, len(inner), 3):
                key, eq, value = inner[k:k + 3]
                assert eq == "="
                attributes[key] = _unquote(value) if value.startswith('"') else value
            statement = statement[:start]
        if statement[0] in ("graph", "node", "edge"):
            continue
        if len(statement) == 3 and statement[1] == "->":
            edges.append((statement[0], statement[2], attributes))
        else:
            assert len(statement) == 1 and re.fullmatch(r"n\d+", statement[0])
            nodes[statement[0]] = attributes
    return nodes, edges


@pytest.mark.parametrize("path", [SMALL, HOSTILE, *EXAMPLES], ids=lambda p: p.stem)
def test_dot_quotes_every_string_and_keeps_the_text(path: Path) -> None:
    audit, points, graph = _drawn(path)
    journey = audit.journey
    text = render_dot(journey, points)
    nodes, edges = _dot_statements(text)
    ids = {step_id: f"n{i}" for i, step_id in enumerate(journey.steps)}
    assert list(nodes) == list(ids.values())
    for k, node in enumerate(graph.nodes):
        step = journey.steps[node.step]
        attributes = nodes[f"n{k}"]
        assert attributes["label"] == "\n".join(_clean(t) for t in node_lines(node))
        assert attributes["tooltip"] == node.step
        if step.is_shield and not step.is_terminal and step.kind.value != "entry":
            assert attributes["shape"] == "hexagon"
        assert (attributes.get("penwidth") == "4") == bool(node.points)
    assert len(edges) == len(journey.transitions)
    for transition, drawn, (source, target, attributes) in zip(
            journey.transitions, graph.edges, edges):
        assert (source, target) == (ids[transition.source], ids[transition.target])
        assert attributes.get("label", "") == _clean(edge_text(drawn))
        assert (attributes.get("style") == "dashed") == (transition.handoff is Handoff.COLD)


def test_dot_graph_name_and_title_are_escaped() -> None:
    journey = load_journey(HOSTILE)
    first = render_dot(journey).splitlines()[1]
    assert first.startswith('  graph [rankdir=LR, label="end | `tick` <script>')
    assert '\\"quoted\\"' in first


def test_graphviz_accepts_the_dot_output(tmp_path: Path) -> None:
    dot = shutil.which("dot")
    if dot is None:
        pytest.skip("Graphviz (dot) is not installed")
    for path in [SMALL, HOSTILE, *EXAMPLES]:
        audit, points, _ = _drawn(path)
        source = tmp_path / f"{path.stem}.dot"
        source.write_text(render_dot(audit.journey, points), encoding="utf-8")
        result = subprocess.run([dot, "-Tsvg", str(source)], capture_output=True, text=True,
                                timeout=60, check=False)
        assert result.returncode == 0, result.stderr
        assert "Warning" not in result.stderr and "Error" not in result.stderr, result.stderr
        if path == HOSTILE:
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in result.stdout
            assert "<script" not in result.stdout
            assert "\x1b" not in result.stdout


# --- the real Mermaid parser ---------------------------------------------------------

def _install_mermaid() -> Path:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed to run the Mermaid parser")
    modules = CACHE / "node_modules"
    if not ((modules / "mermaid" / "package.json").exists()
            and (modules / "jsdom" / "package.json").exists()):
        CACHE.mkdir(parents=True, exist_ok=True)
        try:
            subprocess.run([npm, "install", "--prefix", str(CACHE), "--no-audit", "--no-fund",
                            "--loglevel=error", "mermaid@11", "jsdom"],
                           capture_output=True, text=True, timeout=600, check=True)
        except (OSError, subprocess.SubprocessError) as exc:
            pytest.skip(f"could not install mermaid and jsdom from npm: {exc}")
    script = CACHE / "parse-diagrams.mjs"
    if not script.exists() or script.read_text(encoding="utf-8") != PARSE_SCRIPT:
        script.write_text(PARSE_SCRIPT, encoding="utf-8")
    return script


def _all_diagrams() -> dict[str, str]:
    """Every diagram the renderers make for the fixtures and examples, by a name."""
    diagrams: dict[str, str] = {}
    for path in [SMALL, HOSTILE, *EXAMPLES]:
        audit, points, _ = _drawn(path)
        for direction in ("TD", "LR"):
            diagrams[f"{path.stem}/{direction}"] = render_mermaid(
                audit.journey, points, direction=direction)
    run = run_audit([SMALL, HOSTILE, JOURNEYS], Config())
    report = render_markdown(run, title="end `%%` <x>")
    blocks = re.findall(r"^```mermaid\n(.*?)^```$", report, flags=re.M | re.S)
    assert blocks
    for index, block in enumerate(blocks):
        diagrams[f"report/{index}"] = block
    return diagrams


@pytest.fixture(scope="module")
def mermaid_results() -> dict[str, dict[str, Any]]:
    """The real parser's verdict on every diagram, from one node process."""
    script = _install_mermaid()
    diagrams = _all_diagrams()
    names = list(diagrams)
    try:
        result = subprocess.run(["node", str(script)],
                                input=json.dumps([diagrams[n] for n in names]),
                                capture_output=True, text=True, timeout=600, cwd=CACHE, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail("the Mermaid parser did not finish")
    if result.returncode != 0:
        if "Cannot find package" in result.stderr or "ERR_MODULE_NOT_FOUND" in result.stderr:
            pytest.skip(f"mermaid could not be loaded: {result.stderr[-500:]}")
        pytest.fail(f"node failed: {result.stderr[-2000:]}")
    verdicts = json.loads(result.stdout)
    return {name: {**verdict, "text": diagrams[name]} for name, verdict in zip(names, verdicts)}


def test_every_diagram_passes_the_real_mermaid_parser(
        mermaid_results: dict[str, dict[str, Any]]) -> None:
    failed = {name: r.get("error") for name, r in mermaid_results.items() if not r["ok"]}
    assert not failed
    kinds = {r["type"] for r in mermaid_results.values()}
    assert "flowchart-v2" in kinds and "xychart" in kinds
    # no label smuggled a directive into the configuration
    assert all(r["config"] == {} for r in mermaid_results.values())


def _decoded(text: str) -> str:
    return "\n".join(html.unescape(part) for part in text.split("<br>"))


@pytest.mark.parametrize("direction", ["TD", "LR"])
def test_mermaid_shows_hostile_text_literally(
        mermaid_results: dict[str, dict[str, Any]], direction: str) -> None:
    verdict = mermaid_results[f"hostile/{direction}"]
    if "nodes" not in verdict:
        pytest.skip("this mermaid version does not expose its parsed graph: "
                    f"{verdict.get('details')}")
    audit, _, graph = _drawn(HOSTILE)
    journey = audit.journey
    ids = {step_id: f"n{i}" for i, step_id in enumerate(journey.steps)}
    assert set(verdict["nodes"]) == set(ids.values())
    for k, node in enumerate(graph.nodes):
        shown = _decoded(verdict["nodes"][f"n{k}"]["text"])
        assert shown == "\n".join(_clean(t) for t in node_lines(node))
    assert "shield" in verdict["nodes"][ids["menu"]]["classes"]
    marked = {f"n{k}" for k, node in enumerate(graph.nodes) if node.points}
    assert marked and all("point" in verdict["nodes"][n]["classes"] for n in marked)
    labels = [_decoded(e["text"]) for e in verdict["edges"]]
    assert labels == [_clean(edge_text(e)) for e in graph.edges]
    strokes = [e["stroke"] for e in verdict["edges"]]
    assert strokes == ["dotted" if t.handoff is Handoff.COLD else "normal"
                       for t in journey.transitions]


def _mermaid_decoded(text: str) -> str:
    """What Mermaid shows for an escaped label: each entity code turned back into its character."""
    def decode(match: re.Match[str]) -> str:
        number, name = match.groups()
        return html.unescape(f"&#{number};" if number else f"&{name};")

    return re.sub(r"#(\d+);|#([a-z]+);", decode, text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([
    "a", "b", "1", " ", "end", "direction", " LR", "\n", "\t", "#", '"', ";", "<", ">", "&", "`",
    "%", "|", "[", "]", "(", ")", "{", "}", ":", "-", "\\", "\x1b", "\u00e9", "style", "#quot;",
])).map("".join))
def test_mermaid_text_round_trips(raw: str) -> None:
    escaped = mermaid_text(raw)
    assert not re.search(r'["<>`%|:\n]', escaped)
    assert not re.search(r"\bend\b", escaped) and "direction" not in escaped
    assert _mermaid_decoded(escaped) == _clean(raw)
