"""The HTML report: self-contained, inert whatever the journey files say, and complete."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import ROOT

from cx_audit.audit.config import Config
from cx_audit.audit.points import combustion_points
from cx_audit.audit.run import AuditRun, run_audit
from cx_audit.renderers import render_audits
from cx_audit.renderers.escaping import html_text
from cx_audit.renderers.report_content import urgency

GOLDEN = ROOT / "tests" / "golden"
HOSTILE_LABELS = ('</script><script>alert(1)</script>', '" onload="alert(2)',
                  "<img src=x onerror=alert(3)>", "javascript:alert(4)")


class _Page(HTMLParser):
    """Every tag and attribute of a page, and its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parsed(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    return parser


@pytest.fixture(scope="module")
def examples() -> AuditRun:
    return run_audit([ROOT / "journeys"], Config())


@pytest.fixture(scope="module")
def page(examples: AuditRun) -> str:
    return render_audits("html", examples)


def _assert_self_contained_and_inert(page: str) -> _Page:
    parsed = _parsed(page)
    for tag, attrs in parsed.tags:
        assert tag not in ("script", "iframe", "object", "embed", "link", "img", "base",
                           "meta") or (tag == "meta" and set(attrs) <= {"charset", "name",
                                                                       "content"}), tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in ("href", "src", "xlink:href"):
                assert (value or "").startswith("#"), (tag, name, value)  # nothing to fetch
            if name == "xmlns":
                assert value == "http://www.w3.org/2000/svg"
    assert not re.search(r"url\((?!#)", page) and "@import" not in page  # only own parts
    return parsed


def test_the_page_is_self_contained_and_holds_no_active_content(page: str) -> None:
    _assert_self_contained_and_inert(page)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")


def test_hostile_labels_stay_text_everywhere(tmp_path: Path) -> None:
    import yaml

    script, attribute, image, link = HOSTILE_LABELS
    journey = {
        "journey": "hostile-html", "title": script, "owner": attribute,
        "steps": {
            "start": {"kind": "entry", "label": script, "next": ["menu"]},
            "menu": {"shield": "ivr", "label": attribute, "owner": image, "abandon": 0.3,
                     "evidence": [script, link], "emotion": -2,
                     "next": [{"to": "agent", "p": 0.5},
                              {"to": "forms", "p": 0.5, "handoff": "cold"}]},
            "forms": {"shield": "form", "label": image, "owner": link, "wait": "3d",
                      "emotion": -1, "next": [{"to": "menu", "handoff": "cold"}, "done"]},
            "agent": {"label": link, "owner": script, "can_resolve": False, "actor":
                      "frontline", "next": [{"to": "done", "handoff": "cold"}]},
            "done": {"kind": "resolution", "label": attribute, "emotion": 1},
        },
    }
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(journey, sort_keys=False), encoding="utf-8")
    run = run_audit([path], Config())
    assert run.audits and run.audits[0].findings, run.problems
    page = render_audits("html", run, title=script)
    parsed = _assert_self_contained_and_inert(page)
    shown = "".join(parsed.text)
    for label in HOSTILE_LABELS:
        assert label in shown  # shown literally, as text
    assert html_text(script) in page and script not in page


def test_page_one_is_the_summary_and_each_journey_follows_in_report_order(
        examples: AuditRun, page: str) -> None:
    summary, *sections = re.split(r'<section class="journey" id="journey-\d+">', page)
    assert "Executive summary" in summary and "The places that matter most" in summary
    ordered = sorted(examples.audits, key=urgency)
    assert len(sections) == len(ordered)
    for number, (audit, section) in enumerate(zip(ordered, sections, strict=True), start=1):
        assert f"<h2>{number}. {html_text(audit.journey.title)}</h2>" in section
        points = combustion_points(audit)
        ranks = [int(r) for r in re.findall(r'<span class="rank">(\d+)</span>', section)]
        assert ranks == [p.rank for p in points[:5]]
        assert section.count("<figure ") >= 2
        for finding, reason in audit.suppressed:  # what the file silenced is disclosed
            assert html_text(reason) in section and html_text(finding.message) in section
        for finding in audit.findings:
            assert html_text(finding.message) in section


def test_every_rule_named_is_explained_in_the_page(examples: AuditRun, page: str) -> None:
    named = set(re.findall(r'href="#rule-(cx\d{3})"', page))
    explained = set(re.findall(r'id="rule-(cx\d{3})"', page))
    assert named and named <= explained
    assert {f.rule.lower() for f in examples.findings} <= explained


def test_the_report_command_picks_the_format_from_the_file_name(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cx_audit.cli import app

    runner = CliRunner()
    journey = str(GOLDEN / "small.yaml")
    for name, start in (("r.html", "<!DOCTYPE html>"), ("r.md", "# Customer journey audit")):
        result = runner.invoke(app, ["report", journey, "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        assert (tmp_path / name).read_text(encoding="utf-8").startswith(start)
    result = runner.invoke(app, ["report", journey, "-o", str(tmp_path / "r.txt")])
    assert result.exit_code == 2 and "name it .html or .md" in result.output
    assert not (tmp_path / "r.txt").exists()
    result = runner.invoke(app, ["report", journey, "-o", str(tmp_path / "r.txt"),
                                 "--format", "html"])
    assert result.exit_code == 0
    assert (tmp_path / "r.txt").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_report_compare_sets_as_is_beside_to_be(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cx_audit.cli import app

    as_is = str(ROOT / "journeys" / "telecom-billing-dispute.yaml")
    to_be = str(ROOT / "journeys" / "telecom-billing-dispute-redesigned.yaml")
    runner = CliRunner()
    result = runner.invoke(app, ["report", "--compare", as_is, to_be, "-o",
                                 str(tmp_path / "ba.html")])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "ba.html").read_text(encoding="utf-8")
    _assert_self_contained_and_inert(page)
    # the two journeys' figures, worked out from their own resolution chances
    old = run_audit([as_is], Config()).audits[0].analysis.metrics.p_resolution
    new = run_audit([to_be], Config()).audits[0].analysis.metrics.p_resolution
    assert f"{old:.1%}" in page and f"{new:.1%}" in page
    assert f"+{round((new - old) * 100)} points" in page
    # side by side: two maps, two endings, two curves
    sides = page.split('<div class="side">')[1:]
    assert len(sides) == 3 and all(side.count("<svg") >= 2 for side in sides)
    assert "Combustion points: 13 fixed, 0 new, 0 remaining" in page
    result = runner.invoke(app, ["report", "--compare", as_is, to_be, "-o",
                                 str(tmp_path / "ba.md")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "ba.md").read_text(encoding="utf-8")
    assert text.count("```mermaid") == 2 and "| chance of resolution |" in text
    result = runner.invoke(app, ["report", "--compare", as_is, "-o", str(tmp_path / "x.html")])
    assert result.exit_code == 2 and "takes AS-IS and TO-BE" in result.output
