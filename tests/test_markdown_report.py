"""The client report in Markdown: content, golden files, and a real Markdown parser.

The report is parsed with markdown-it-py (CommonMark with GitHub's tables and
strikethrough) to check that every table keeps its columns and that text
from a journey file never becomes HTML, a link, emphasis or code.
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import JOURNEYS, PINNED, ROOT
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from cx_audit.audit.config import Config
from cx_audit.audit.engine import JourneyAudit, audit_journey
from cx_audit.audit.points import combustion_points, fix_first
from cx_audit.audit.run import AuditRun, run_audit
from cx_audit.core.findings import Severity
from cx_audit.core.model import SLUG_PATTERN, Journey
from cx_audit.io.loader import load_journey
from cx_audit.renderers.diagram import mermaid_chart
from cx_audit.renderers.escaping import md_code, md_text
from cx_audit.renderers.markdown import render_markdown
from cx_audit.renderers.report_content import UNKNOWN_RULE_ADVICE, advice
from cx_audit.rules import RULES
from cx_audit.text.safe import printable

GOLDEN = Path(__file__).resolve().parent / "golden"
SMALL = GOLDEN / "small.yaml"
HOSTILE = GOLDEN / "hostile.yaml"
UPDATE_ENV = "CX_AUDIT_UPDATE_GOLDEN"

MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])
SLUG = re.compile(SLUG_PATTERN)
FINDING_LINE = re.compile(r"^  - (\U0001f534|\U0001f7e0|\U0001f535) \*\*(Error|Warning|Note)\*\*: ",
                          re.M)


def _relative_run(monkeypatch: pytest.MonkeyPatch, *paths: Path) -> AuditRun:
    """An audit whose file names are relative to the checkout, as a user would run it.

    Only the pinned rules run (tests/conftest.py): the golden files and the exact
    counts below do not change when a rule is added.
    """
    monkeypatch.chdir(ROOT)
    return run_audit([p.relative_to(ROOT) for p in paths], PINNED)


@pytest.fixture(scope="module")
def examples() -> AuditRun:
    return run_audit([JOURNEYS, SMALL, HOSTILE], Config())


@pytest.fixture(scope="module")
def report(examples: AuditRun) -> str:
    return render_markdown(examples)


def _sections(report: str) -> dict[str, str]:
    """Each journey's part of the report, by its number."""
    parts = re.split(r"^## (\d+)\. .*$", report, flags=re.M)
    return {number: body.split("\n## About this report")[0]
            for number, body in zip(parts[1::2], parts[2::2])}


def _ordered(run: AuditRun) -> list[JourneyAudit]:
    """The journeys in report order: lowest resolution, then most shield layers."""
    def key(audit: JourneyAudit) -> tuple[float, float, str]:
        metrics = audit.analysis.metrics
        shields = metrics.shields_expected
        return (metrics.p_resolution, -(float("inf") if shields is None else shields),
                audit.journey.id)

    return sorted(run.audits, key=key)


# --- golden files ------------------------------------------------------------------

@pytest.mark.parametrize("name", ["small", "hostile"])
def test_report_matches_golden_file(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    run = _relative_run(monkeypatch, GOLDEN / f"{name}.yaml")
    text = render_markdown(run)
    path = GOLDEN / f"{name}.md"
    if os.environ.get(UPDATE_ENV) == "1" or not path.exists():
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{path.name} differs; set {UPDATE_ENV}=1"


def test_small_report_content(monkeypatch: pytest.MonkeyPatch) -> None:
    run = _relative_run(monkeypatch, SMALL)
    text = render_markdown(run)
    assert text.startswith("# Customer journey audit\n\n## Executive summary\n")
    assert "**1 customer journey**" in text and "**10 candidate combustion points**" in text
    assert "(2 errors, 7 warnings, 1 note)" in text
    assert "## 1. Refund for a faulty kettle" in text
    assert "| Chance of resolution | 64.5% |" in text
    assert "| Shield layers (best / expected / worst route) | 0 / 0.7 / 1 |" in text
    # journey-level findings without a journey owner, and a step without an owner
    assert "#### Journey-wide (1 error, 1 warning)" in text
    assert "#### No owning team (1 warning, 1 note)" in text
    assert "#### contact-centre (4 warnings)" in text
    # the step's evidence as a quote, the rule linked to its explanation in the report itself
    assert "    > IVR log: 15% hang up in the refunds menu" in text
    assert "([CX203 no-escape](#cx203-no-escape))" in text
    assert "\n### CX203 no-escape\n" in text.split("## Rules explained")[1]
    assert RULES["CX203"].advice in text
    # fix first: the levers at the points, most customers resolved first; the menu's shield
    # layer, where 15% give up, gains the most
    fix = text.split("### Fix first")[1]
    assert re.search(r"^\| 1 \| remove-shield \| Press 1 for refunds \(`menu`\) \| "
                     r"contact-centre \| 1 \| .*It resolves \d+ more customers in 1,000", fix, re.M)
    # the emotional curve follows the most likely route
    curve = text.split("### Emotional curve along the most likely route")[1].split("###")[0]
    assert "| 1 | I fill in the refund form (`web-form`) | \U0001f61f \u22121 (unhappy) |" in curve
    assert "xychart-beta" in curve


def test_report_is_deterministic_and_dated_only_on_request(examples: AuditRun) -> None:
    first = render_markdown(examples)
    assert first == render_markdown(examples)
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", first)
    dated = render_markdown(examples, title="Acme care audit", date="3 March 2025")
    assert dated.startswith("# Acme care audit\n\nAudit of 3 March 2025.\n")


def test_rules_url_is_used_for_every_rule_link(examples: AuditRun) -> None:
    text = render_markdown(examples, rules_url="https://example.org/rules")
    links = [str(child.attrGet("href")) for token in MD.parse(text)
             for child in token.children or () if child.type == "link_open"]
    assert links and all(link.startswith("https://example.org/rules#cx") for link in links)
    _assert_inert(text, rules_prefix="https://example.org/rules#")


# --- every example journey --------------------------------------------------------------

def test_every_journey_has_its_section(examples: AuditRun, report: str) -> None:
    sections = _sections(report)
    ordered = _ordered(examples)
    assert len(sections) == len(ordered) >= 10
    for number, audit in enumerate(ordered, start=1):
        section = sections[str(number)]
        journey = audit.journey
        assert report.count(f"## {number}. {md_text(journey.title)}\n") == 1
        assert f"- **Journey:** {md_code(journey.id)}" in section
        figures = section.split("### Key figures")[1].split("###")[0]
        assert len(re.findall(r"^\| (?!Measure|---)", figures, re.M)) == 9
        mermaid = mermaid_chart(journey, combustion_points(audit)).text
        assert f"```mermaid\n{mermaid}```\n" in section
        assert len(FINDING_LINE.findall(section)) == len(audit.findings)
        if audit.findings:
            assert "### Combustion points by team" in section
            teams = set(re.findall(r"^#### (.*) \(", section, re.M))
            owners = {md_text(journey.steps[f.step].owner or "No owning team")
                      if f.step else md_text(journey.owner or "Journey-wide")
                      for f in audit.findings}
            assert teams == owners
            ranked = fix_first(combustion_points(audit))
            rows = section.split("### Fix first")[1].split("###")[0] if ranked else ""
            assert len(re.findall(r"^\| \d+ \|", rows, re.M)) == min(5, len(ranked))
            # the estimates resolution rests on most, worded, in the analysis' order
            worded = audit.analysis.measure_first(5)
            measure = section.split("### Measure these first")[1] if worded else ""
            assert re.findall(r"^\d+\. (.*)$", measure, re.M) == [md_text(w) for w in worded]
        else:
            assert "### No combustion points found" in section
            assert "### Fix first" not in section


def test_journeys_without_findings_get_a_short_section(monkeypatch: pytest.MonkeyPatch) -> None:
    run = _relative_run(monkeypatch, JOURNEYS / "online-retail-return.yaml")
    assert not run.findings
    text = render_markdown(run)
    assert "### No combustion points found" in text
    assert "found **0 candidate combustion points** (none)" in text
    assert "### Journeys that most need attention" not in text


def test_summary_names_the_worst_journeys_and_frequent_points(examples: AuditRun,
                                                              report: str) -> None:
    summary = report.split("\n## 1. ")[0]
    attention = summary.split("### Journeys that most need attention")[1].split("###")[0]
    worst = [a for a in _ordered(examples) if a.findings][:3]
    items = re.findall(r"^\d\. \*\*(.*?)\*\*: ", attention, re.M)
    assert items == [md_text(a.journey.title) for a in worst]
    # the places that lose most customers across the audit, not the most frequent rules
    places = summary.split("### The places that matter most")[1].split("###")[0]
    lost = [int(n.replace(",", "")) for n in
            re.findall(r"\): ([\d,]+) in 1,000 customers end unresolved there", places)]
    assert len(lost) == 5 and lost == sorted(lost, reverse=True)
    everywhere = [round((p.lost or 0) * 1000) for a in examples.audits
                  for p in combustion_points(a) if p.within is None]
    assert lost == sorted(everywhere, reverse=True)[:5]
    table = summary.split("### All journeys at a glance")[1]
    assert len(re.findall(r"^\| \d+ \|", table, re.M)) == len(examples.audits)


def test_empty_run_and_input_problems(tmp_path: Path) -> None:
    assert "No journey could be audited." in render_markdown(AuditRun())
    bad = tmp_path / "bad_*[x]*<b>.yaml"
    bad.write_text("journey: [unclosed\n", encoding="utf-8")
    run = run_audit([bad, tmp_path / "missing`file`.yaml"], Config())
    text = render_markdown(run)
    assert "## Files not audited" in text
    assert "bad\\_\\*\\[x\\]\\*\\<b\\>.yaml" in text
    assert "missing\\`file\\`.yaml: no such file or folder" in text
    _assert_inert(text)


# --- parsed by a real Markdown parser -------------------------------------------------------

def _unescaped_pipes(line: str) -> int:
    """Pipes that separate cells: those not preceded by an odd run of backslashes."""
    count = 0
    for match in re.finditer(r"(\\*)\|", line):
        if len(match.group(1)) % 2 == 0:
            count += 1
    return count


def _tables(tokens: list[Token]) -> Iterator[tuple[Token, list[list[str]]]]:
    """Each table's opening token and its rows as lists of cell types (th/td)."""
    rows: list[list[str]] = []
    table: Token | None = None
    for token in tokens:
        if token.type == "table_open":
            table, rows = token, []
        elif token.type == "tr_open":
            rows.append([])
        elif token.type in ("th_open", "td_open"):
            rows[-1].append(token.type)
        elif token.type == "table_close":
            assert table is not None
            yield table, rows
            table = None


def _assert_tables_well_formed(text: str) -> int:
    tokens = MD.parse(text)
    lines = text.splitlines()
    seen = 0
    for table, rows in _tables(tokens):
        seen += 1
        assert table.map is not None
        start, end = table.map
        source = lines[start:end]
        width = len(rows[0])
        assert all(len(row) == width for row in rows), source
        # every source row is one table row, with exactly the header's cells
        assert len(rows) == len(source) - 1, source
        for line in source:
            assert line.startswith(("| ", "|-", "|:")), line
            assert _unescaped_pipes(line) == width + 1, line
    return seen


def _assert_inert(text: str, rules_prefix: str = "#") -> None:
    """No HTML at all, links only to rule docs, code only for ids and rule codes.

    The "Rules explained" appendix quotes the package's own rule
    documentation, whose code spans name options and fields: it holds no
    text from a journey file, and is checked for HTML and links only.
    """
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text)
    text, _, own_docs = text.partition("\n## Rules explained\n")
    for token in MD.parse(own_docs):
        assert token.type not in ("html_block", "html_inline", "code_block"), token
        for child in token.children or ():
            assert child.type not in ("html_inline", "image", "link_open"), child
    for token in MD.parse(text):
        assert token.type not in ("html_block", "html_inline", "code_block"), token
        for child in token.children or ():
            assert child.type not in ("html_inline", "image", "s_open"), child
            if child.type == "link_open":
                href = str(child.attrGet("href"))
                assert href.startswith(rules_prefix) and re.fullmatch(
                    r"cx\d{3}-[a-z-]+", href[len(rules_prefix):]), href
            if child.type == "code_inline":
                assert SLUG.fullmatch(child.content) or child.content in (
                    "emotion",), child.content


def test_tables_keep_their_columns(report: str) -> None:
    assert _assert_tables_well_formed(report) > 30


def test_hostile_report_is_inert_and_well_formed(monkeypatch: pytest.MonkeyPatch) -> None:
    run = _relative_run(monkeypatch, HOSTILE)
    text = render_markdown(run, title="<b>end</b> | [x](y) `z`")
    _assert_inert(text)
    assert _assert_tables_well_formed(text) >= 4
    assert "\x1b" not in text
    rendered = MD.render(text)
    for literal in ("&lt;script&gt;alert(1)&lt;/script&gt;", "[red]bold[/red]",
                    "**strong** _em_ %% --&gt; ;", "&lt;img src=x onerror=alert(1)&gt;",
                    "[link](https://example.com)", "\\x1b[31mred\\x1b[0m",
                    "ops] [x](javascript:alert(1)) | *star*", "@someone :smile: $x^2$ &amp;amp;",
                    "- looks like a list &gt; and a quote 1. and ordered",
                    "&lt;b&gt;end&lt;/b&gt;"):
        assert literal in rendered, literal
    assert "<script" not in rendered and "<img" not in rendered and "<b>" not in rendered


def _plain_twin(journey: Journey) -> Journey:
    """The same journey with every free text replaced by a plain word (same ones alike)."""
    words: dict[str, str] = {}

    def plain(text: str | None) -> str | None:
        if text is None:
            return None
        return words.setdefault(text, f"text{len(words)}")

    steps = {}
    for step_id, step in journey.steps.items():
        steps[step_id] = dataclasses.replace(
            step, label=plain(step.label), owner=plain(step.owner), shield=plain(step.shield),
            evidence=tuple(plain(e) for e in step.evidence),
            next=tuple(dataclasses.replace(t, label=plain(t.label)) for t in step.next))
    return dataclasses.replace(journey, title=plain(journey.title), persona=plain(journey.persona),
                               owner=plain(journey.owner), steps=steps)


def _shape(text: str) -> list[tuple]:
    """The report's structure: every token's type, tag and level; inline runs of text as one."""
    shape: list[tuple] = []
    for token in MD.parse(text):
        entry: tuple = (token.type, token.tag, token.level, token.info)
        if token.children:
            kinds: list[str] = []
            for child in token.children:
                if not (child.type == "text" and kinds and kinds[-1] == "text"):
                    kinds.append(child.type)
            entry += tuple(kinds)
        shape.append(entry)
    return shape


def test_hostile_text_changes_no_structure() -> None:
    hostile = load_journey(HOSTILE)
    twin = _plain_twin(hostile)
    audits = [audit_journey(hostile), audit_journey(twin)]
    assert [f.rule for f in audits[0].findings] == [f.rule for f in audits[1].findings]
    texts = [render_markdown(AuditRun(results=[audit])) for audit in audits]
    assert "text0" in texts[1]
    assert _shape(texts[0]) == _shape(texts[1])


# --- escaping -------------------------------------------------------------------------

def _shown(text: str) -> str:
    return re.sub(r"\s+", " ", printable(text)).strip()


@pytest.mark.parametrize("raw", [
    "*em* _em_ **strong** __strong__ ~~strike~~",
    "[link](https://example.com) ![img](x.png) <https://example.com>",
    "<script>alert(1)</script> <b>bold</b> &amp; &#35; &lt;",
    "`code` ``code`` ```fence",
    "# heading", "## heading ##", "- item", "+ item", "* item", "1. item", "12) item",
    "> quote", "---", "***", "=== ", "    indented code", "| a | b |",
    "https://example.com www.example.com user@example.com",
    "$x^2$ [^1] :smile: @someone #123",
    "back\\slash \\* \\", "line\nbreak  \n  two", "\x1b[31mred\x1b[0m\x07",
    "[red]bold[/red] %% --> ; end",
])
def test_md_text_renders_exactly_the_text(raw: str) -> None:
    escaped = md_text(raw)
    assert MD.render(escaped) == f"<p>{html.escape(_shown(raw), quote=True)}</p>\n".replace(
        "&#x27;", "'")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(
    "ab1 \t\n\\`*_{}[]()<>#+-.!|~^&:;@$%=\"'/?,\x1b\u00e9\u2028\u202e"))))
def test_md_text_is_literal_for_any_text(raw: str) -> None:
    escaped = md_text(raw)
    shown = _shown(raw)
    rendered = MD.render(escaped)
    if not shown:
        assert rendered == ""
        return
    assert rendered.startswith("<p>") and rendered.endswith("</p>\n")
    inner = rendered[3:-5]
    assert "<" not in inner
    assert html.unescape(inner) == shown
    # and the same in a table cell
    cell = MD.render(f"| h |\n|---|\n| {escaped} |\n")
    assert cell.count("<td>") == 1
    assert html.unescape(cell.split("<td>")[1].split("</td>")[0]) == shown


def test_md_code_only_codes_slugs() -> None:
    assert md_code("disruption-queue") == "`disruption-queue`"
    assert md_code("a`b") == "a\\`b"


def test_every_rule_has_something_to_do() -> None:
    for code, rule in RULES.items():
        text = advice(code)
        assert text == rule.advice, code
        assert text.strip() == text and "```" not in text and "\n" not in text, code
        assert len(text) > 20 and text.endswith("."), code
    assert advice("CX999") == UNKNOWN_RULE_ADVICE


def test_severity_words_are_in_the_report(report: str) -> None:
    for severity, word in ((Severity.ERROR, "Error"), (Severity.WARNING, "Warning")):
        assert f"**{word}**:" in report, severity


def test_a_journey_too_large_for_github_is_described_not_drawn() -> None:
    from analysis.builder import make_journey

    size = 600
    steps: dict[str, dict] = {"s0": {"kind": "entry", "next": ["s1", "done"]}}
    for i in range(1, size):
        steps[f"s{i}"] = {"shield": "form" if i % 3 == 0 else None,
                          "next": [f"s{i + 1}" if i + 1 < size else "done", "done"]}
    steps["done"] = {"kind": "resolution"}
    journey = make_journey(steps, journey_id="huge")
    text = render_markdown(AuditRun(results=[audit_journey(journey)]))
    assert "is too large for GitHub to draw" in text
    assert "flowchart" not in text
    _assert_tables_well_formed(text)


def test_what_the_journey_file_silenced_is_disclosed_with_its_reason(examples: AuditRun,
                                                                     report: str) -> None:
    silenced = [(a, f, reason) for a in examples.audits for f, reason in a.suppressed]
    assert silenced  # the redesigned telecom journey silences a channel switch
    sections = _sections(report)
    for number, audit in enumerate(_ordered(examples), start=1):
        section = sections[str(number)]
        own = [(f, reason) for a, f, reason in silenced if a is audit]
        assert ("### Silenced in the journey file" in section) == bool(own)
        for finding, reason in own:
            assert f"{md_text(finding.message)}. Reason given: {md_text(reason)}" in section
