"""A report folds a team's repeats of one rule into one line: people read it."""

from __future__ import annotations

from pathlib import Path

from cx_audit.audit.config import Config
from cx_audit.audit.run import run_audit
from cx_audit.core.findings import Evidence, Finding, Severity
from cx_audit.core.model import Location
from cx_audit.renderers import render_audits
from cx_audit.renderers.report_content import REPEATS_SHOWN, Repeats, folded


def _finding(rule: str, step: str | None, line: int) -> Finding:
    return Finding(rule=rule, name=rule.lower(), severity=Severity.ERROR, journey="j",
                   file="j.yaml", step=step, location=Location("j.yaml", line + 1, 3),
                   message=f"at {step}", evidence=Evidence())


def test_each_rule_keeps_its_first_findings_and_the_rest_stand_as_one_line() -> None:
    findings = [_finding("CX105", f"s{i}", i) for i in range(12)]
    findings.insert(7, _finding("CX201", "s3", 50))
    entries = folded(findings)
    shown = [e for e in entries if isinstance(e, Finding)]
    assert [f.step for f in shown if f.rule == "CX105"] == [f"s{i}" for i in range(REPEATS_SHOWN)]
    assert [f.rule for f in shown].count("CX201") == 1
    (repeats,) = [e for e in entries if isinstance(e, Repeats)]
    assert repeats.count == 12 - REPEATS_SHOWN and repeats.steps == ("s5", "s6", "s7")
    assert entries.index(repeats) == REPEATS_SHOWN  # where the first hidden one was
    assert repeats.text().startswith("and 7 more CX105 findings like these at s5, s6, s7 "
                                     "and others;")
    assert folded(findings[:REPEATS_SHOWN]) == findings[:REPEATS_SHOWN]


def test_both_reports_of_many_dead_ends_list_a_few_and_count_the_rest(tmp_path: Path) -> None:
    steps = "".join(f"  s{i}: {{}}\n" for i in range(40))
    path = tmp_path / "empty.yaml"
    path.write_text("journey: empty\nowner: care\nsteps:\n  in: {kind: entry, next: [s0]}\n"
                    + steps, encoding="utf-8")
    run = run_audit([path], Config())
    dead_ends = sum(1 for f in run.results[0].findings if f.rule == "CX105")
    assert dead_ends == 40
    hidden = f"and {dead_ends - REPEATS_SHOWN} more CX105 findings like these at s5, s6, s7"
    html = render_audits("html", run)
    assert html.count(">CX105</a>") == REPEATS_SHOWN and hidden in html
    markdown = render_audits("markdown", run)
    assert hidden in markdown and markdown.count("CX105") < dead_ends


def test_a_map_too_large_for_a_page_is_not_drawn_and_says_where_to_look(tmp_path: Path) -> None:
    from cx_audit.renderers.journey_svg import MAX_BOXES, journey_svg

    steps = "".join(f"  s{i}: {{next: [s{i + 1}]}}\n" for i in range(MAX_BOXES + 10))
    path = tmp_path / "long.yaml"
    path.write_text(f"journey: long\nsteps:\n  in: {{kind: entry, next: [s0]}}\n{steps}"
                    f"  s{MAX_BOXES + 10}: {{kind: resolution}}\n", encoding="utf-8")
    run = run_audit([path], Config())
    figure = journey_svg(run.results[0].journey, ())
    assert figure.title.endswith("not drawn") and figure.height < 100
    assert "cx-audit graph draws the whole map" in figure.svg
    shorter = tmp_path / "short.yaml"
    shorter.write_text("journey: short\nsteps:\n  in: {kind: entry, next: [a]}\n"
                       "  a: {next: [done]}\n  done: {kind: resolution}\n", encoding="utf-8")
    assert not journey_svg(run_audit([shorter], Config()).results[0].journey, ()).title.endswith(
        "not drawn")


def test_repeats_at_one_step_name_it_without_others() -> None:
    findings = [_finding("CX301", "hub", i) for i in range(REPEATS_SHOWN + 3)]
    (repeats,) = [e for e in folded(findings) if isinstance(e, Repeats)]
    assert repeats.count == 3 and repeats.steps == ("hub",) and not repeats.more_steps
    assert "at hub;" in repeats.text() and "others" not in repeats.text()
