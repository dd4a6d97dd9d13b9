"""Rule documentation: every rule documents itself fully, and docs/rules.md is current."""

from __future__ import annotations

import pytest
from conftest import ROOT
from typer.testing import CliRunner

from cx_audit.cli import app
from cx_audit.renderers.rule_docs import render_rules_markdown
from cx_audit.rules import RULES, Rule, get
from cx_audit.rules.base import DOC_SECTIONS

runner = CliRunner()


@pytest.mark.parametrize("rule", RULES.values(), ids=lambda r: r.code)
def test_rule_has_every_section_in_order(rule: Rule) -> None:
    sections = rule.sections()
    assert list(sections) == list(DOC_SECTIONS)
    assert all(text.strip() for text in sections.values())


@pytest.mark.parametrize("rule", RULES.values(), ids=lambda r: r.code)
def test_rule_documents_each_option_and_its_default(rule: Rule) -> None:
    options = rule.sections()["Options"]
    for name, option in rule.options.items():
        assert f"`{name}`" in options and f"{option.default:g}" in options
    if not rule.options:
        assert options.strip() == "None."


def test_codes_names_and_modules_agree() -> None:
    for code, rule in RULES.items():
        assert code == rule.code and code.startswith("CX") and len(code) == 5
        assert rule.check.__module__.rsplit(".", 1)[1] == rule.name.replace("-", "_")
        assert get(rule.name) is rule and get(code.lower()) is rule


def test_generated_rules_page_is_current() -> None:
    committed = (ROOT / "docs" / "rules.md").read_text("utf-8")
    # docs/rules.md is generated but kept in the repository, where people read it and
    # reports link to it: regenerating it is the one step beyond a rule's module and
    # fixture folder (CONTRIBUTING.md, How to add a rule)
    assert committed == render_rules_markdown(), (
        "regenerate: PYTHONPATH=$PWD python -m cx_audit.renderers.rule_docs > docs/rules.md")


def test_rules_and_explain_commands() -> None:
    listing = runner.invoke(app, ["rules"])
    assert listing.exit_code == 0
    assert len(listing.output.strip().splitlines()) == len(RULES)
    page = runner.invoke(app, ["explain", "cold-handoff"])
    assert page.exit_code == 0 and page.output.startswith("# CX301 cold-handoff")
    assert runner.invoke(app, ["explain", "CX301"]).output == page.output
    missing = runner.invoke(app, ["explain", "CX999"])
    assert missing.exit_code == 2 and "no rule 'CX999'" in missing.output
